//! `versus serve` in a real headless Chromium, driven through chromedriver's W3C WebDriver
//! HTTP API: live reload and the error overlay as a reader sees them. Needs Debian's
//! `chromium` and `chromium-driver` (`.ci/run` installs them); skipped without them, except
//! under `CI=true`, where their absence fails the test.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::TestSite;
use crate::serve::Server;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

const POST: &str = "content/posts/2023-08-11-first-post.md";
const POST_URL: &str = "/2023/08/11/first-post/";
const LAYOUT: &str = "layouts/post.html";

/// How long any one thing may take to show up in the page.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

/// Runs before every document's own scripts (including after each live reload): notes, in
/// the page, that the page's own event stream has received its `hello`. It only adds a
/// listener; live.js behaves as it would without it.
const NOTE_HELLO: &str = r#"(() => {
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("hello", () => { window.__versusHello = true; });
    }
  };
})();"#;

const BODY_TEXT: &str = "return document.body ? document.body.innerText : null";
const OVERLAY_TEXT: &str =
    "return (document.getElementById('versus-error-overlay')||{}).innerText||null";

/// Whether the browser is here; without it, skips (prints why) or, under CI, fails.
pub fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} missing: CI must install chromium and chromium-driver: see .ci/run",
            missing.join(" and ")
        );
    }
    eprintln!(
        "skipped: {} missing (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// chromedriver and one browser session; the session is deleted and chromedriver stopped
/// when dropped, also when an assertion failed.
pub struct Browser {
    driver: Child,
    base: String,
    session: Option<String>,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: None,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .into(),
            _profile: tempfile::tempdir().expect("temp dir"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = browser
                .agent
                .get(&format!("{}/status", browser.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            if let Ok(Some(status)) = browser.driver.try_wait() {
                panic!("chromedriver exited early: {status}");
            }
            assert!(Instant::now() < deadline, "chromedriver never became ready");
            std::thread::sleep(POLL);
        }
        let profile = format!("--user-data-dir={}", browser._profile.path().display());
        let created = browser.call(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        profile,
                    ],
                },
            }}}),
        );
        let id = created
            .as_ref()
            .ok()
            .and_then(|v| v["sessionId"].as_str())
            .unwrap_or_else(|| panic!("no browser session: {created:?}"));
        browser.session = Some(id.to_owned());
        browser
    }

    /// One WebDriver command: its `value`, or the error it reported.
    pub fn call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "POST" => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.to_string()),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut response = response.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status().as_u16();
        let reply: Value = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let value = reply["value"].clone();
        if status >= 400 || value.get("error").is_some_and(Value::is_string) {
            return Err(format!("{method} {path}: {status} {value}"));
        }
        Ok(value)
    }

    pub fn session_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let id = self.session.as_deref().expect("a session");
        self.call(method, &format!("/session/{id}{path}"), body)
    }

    /// Registers a script that runs in every new document before the page's own (Chromium's
    /// DevTools `Page.addScriptToEvaluateOnNewDocument`, through chromedriver).
    fn on_every_document(&self, source: &str) {
        self.session_call(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}}),
        )
        .expect("add a script to every document");
    }

    pub fn navigate(&self, url: &str) {
        self.session_call("POST", "/url", json!({ "url": url }))
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Runs a script in the page. Errs while the page is being replaced by a reload.
    pub fn run(&self, script: &str) -> Result<Value, String> {
        self.session_call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Types `text` into the element `css` selects, key by key as a user would (WebDriver's
    /// Element Send Keys; `\u{E007}` is Enter).
    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let found = self
            .session_call(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        let id = found["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no element id for {css}: {found}"));
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Polls `script` until `done` accepts its result; fails after [`WAIT`], showing the
    /// last result. Script errors (a page mid-reload) count as "not yet".
    pub(crate) fn wait_for(
        &self,
        what: &str,
        script: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let last = self.run(script);
            if let Ok(value) = &last
                && done(value)
            {
                return value.clone();
            }
            if Instant::now() >= deadline {
                panic!("timed out after {WAIT:?} waiting for {what}; last: {last:?}");
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.session.is_some() {
            let _ = self.session_call("DELETE", "", Value::Null);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub(crate) fn text_contains(needle: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v.as_str().is_some_and(|s| s.contains(needle))
}

#[test]
fn live_reload_and_the_error_overlay_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let browser = Browser::start();
    browser.on_every_document(NOTE_HELLO);

    // The one and only navigation: everything after comes through live reload.
    browser.navigate(&format!("{}{POST_URL}", server.base));
    browser.wait_for(
        "the post",
        BODY_TEXT,
        text_contains("Intro with a footnote."),
    );
    // Edit only once the page listens, or the rebuild could finish before it connects.
    browser.wait_for(
        "the page's live-reload stream",
        "return window.__versusHello === true",
        |v| v == &json!(true),
    );

    const NEW: &str = "A sentence written while the page was open.";
    site.edit(POST, "Intro with a footnote.", NEW);
    let text = browser.wait_for("the edited text", BODY_TEXT, text_contains(NEW));
    assert!(
        !text.as_str().unwrap().contains("Intro with a footnote."),
        "{text}"
    );

    site.edit(LAYOUT, "{{ page.title }}", "{{ page.title }");
    let overlay = browser.wait_for(
        "the error overlay",
        OVERLAY_TEXT,
        text_contains("layouts/post.html"),
    );
    assert!(
        overlay
            .as_str()
            .unwrap()
            .contains("the site does not build"),
        "{overlay}"
    );

    site.edit(LAYOUT, "{{ page.title }", "{{ page.title }}");
    browser.wait_for("the overlay to go", OVERLAY_TEXT, Value::is_null);
    browser.wait_for("the page again", BODY_TEXT, text_contains(NEW));
    eprintln!("browser test took {:?}", started.elapsed());
}

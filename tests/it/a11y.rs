//! Issue #14, accessibility: the repository's own site, built with the built-in theme, audited
//! by axe-core in the real headless Chromium of `browser.rs`, in light and in dark. Needs
//! axe-core from the npm registry (`.ci/run` installs the version pinned in
//! `.ci/axe-core/package-lock.json` into `target/axe-core/`; `VERSUS_AXE_JS` names another
//! `axe.min.js`). Skipped without it or without the browser, except under `CI=true`.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::browser::{Browser, browser_available};
use crate::harness::{Run, TODAY, TestSite, copy_tree, fixture, request_path};

/// The pages audited: each kind of page the theme has, with code, tables, images and
/// footnotes among them ([`SAMPLER`] has every kind of Markdown block).
const PAGES: &[&str] = &[
    "/",
    "/2023/08/11/are-all-kubernetes-clusters-created-equally/",
    "/2026/12/02/identity-and-secrets-on-eks-and-aks/",
    SAMPLER_URL,
    "/about/",
    "/compare/",
    "/compare/encryption/",
    "/compare/changes/",
    "/series/eks-vs-aks/",
    "/tags/",
    "/tags/aws/",
    "/authors/pieter-vincken/",
    "/categories/cloud/",
    MISSING,
];

/// Where [`SAMPLER`] is built.
const SAMPLER_URL: &str = "/2026/11/20/markdown-sampler/";
/// A page that is not there: the site's 404 page, with status 404.
const MISSING: &str = "/no-such-page/";

/// What the browser reports as its `prefers-color-scheme`, for each scheme audited.
const SCHEMES: &[&str] = &["light", "dark"];

/// Window sizes: a desktop and a phone, where code and tables overflow and must scroll.
const WINDOWS: &[(u32, u32)] = &[(1280, 900), (390, 844)];

/// axe's rule sets: WCAG 2.0 and 2.1, levels A and AA, and its best practices (every one of
/// which applies to a static blog, so none is turned off).
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  resultTypes: ["violations"],
}).then(
  (results) => done({
    rules: results.passes.length + results.violations.length + results.incomplete.length,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 160),
        colours: n.any.concat(n.all).map((c) => c.data).filter((d) => d && d.fgColor)
          .map((d) => `${d.fgColor} on ${d.bgColor}: ${d.contrastRatio}:1, needs ${d.expectedContrastRatio}`),
        summary: n.failureSummary,
      })),
    })),
  }),
  (error) => done({ error: String(error) }),
);
"#;

/// Where axe-core's browser script is: `VERSUS_AXE_JS`, or where `.ci/run` puts it.
fn axe_path() -> PathBuf {
    match std::env::var_os("VERSUS_AXE_JS") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/axe-core/node_modules/axe-core/axe.min.js"),
    }
}

/// axe-core's source; without it, skips (prints why) or, under CI, fails.
fn axe_source() -> Option<String> {
    let path = axe_path();
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "{}: {e}: CI must install axe-core: see .ci/run",
            path.display()
        ),
        Err(e) => {
            eprintln!(
                "skipped: {}: {e} (run the axe-core step of .ci/run, or set VERSUS_AXE_JS)",
                path.display()
            );
            None
        }
    }
}

/// A static file server for a built site on an ephemeral port, as a host would serve it:
/// `index.html` for folders, `404.html` with status 404 for what is not there. Stops when
/// dropped.
struct StaticServer {
    base: String,
    stop: Arc<AtomicBool>,
    address: std::net::SocketAddr,
}

impl StaticServer {
    fn start(root: PathBuf) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    std::thread::spawn(move || serve_one(&root, stream));
                }
            }
        });
        StaticServer {
            base: format!("http://{address}"),
            stop,
            address,
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

fn serve_one(root: &Path, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let path = request_path(&stream);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut file = root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file.push("index.html");
    }
    let inside = !path.split('/').any(|part| part == "..");
    let (status, file) = match std::fs::read(&file) {
        Ok(bytes) if inside => ("200 OK", (file, bytes)),
        _ => {
            let missing = root.join("404.html");
            let bytes = std::fs::read(&missing).unwrap_or_default();
            ("404 Not Found", (missing, bytes))
        }
    };
    let (file, body) = file;
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A post with what the repository's posts lack: a wide Markdown table, a long code line, a
/// measured image, footnotes, a quote and nested lists.
const SAMPLER: &str = "---
title: Markdown, every kind of block
date: 2026-11-20
tags: [aws]
description: A post with every kind of Markdown block the theme styles.
---
The theme styles every block a post can hold.[^one] Each reads in light and dark.[^two]

## A wide table

| Feature | EKS on AWS | AKS on Azure | GKE on Google Cloud | Notes, at some length to make it wide |
|---|---|---|---|---|
| Control plane price per hour | 0.10 USD | free tier or 0.10 USD | 0.10 USD | the `uptime SLA` tier of AKS costs the same as EKS |
| Managed node upgrades | yes, per node group | yes, per node pool | yes, per node pool | surge settings differ in name and in default |

## A long line of code

```bash
aws eks create-cluster --name demo --role-arn arn:aws:iam::111122223333:role/eks-cluster-role --resources-vpc-config subnetIds=subnet-aaaa,subnet-bbbb,securityGroupIds=sg-cccc --kubernetes-version 1.31
```

```yaml
apiVersion: v1
kind: ConfigMap # a comment
data:
  key: \"value\"
  number: 42
```

![A small red rectangle](/img/sampler.png)

> A quote, with `code` and a [link](/about/).

1. First
   - nested *emphasis*
   - nested **strong**
2. Second

### A smaller heading

Plain text, then ~~struck~~ text.

[^one]: The first note, with a [link](/compare/).
[^two]: The second note.
";

/// Builds the repository's own site (its content, data, static files and settings, with the
/// built-in theme) and [`SAMPLER`] into `output`.
fn build_repository_site(output: &Path) -> Run {
    let root = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "data", "static"] {
        copy_tree(&repo.join(part), &root.path().join(part));
    }
    std::fs::copy(repo.join("site.yaml"), root.path().join("site.yaml")).unwrap();
    std::fs::write(
        root.path()
            .join("content/posts/2026-11-20-markdown-sampler.md"),
        SAMPLER,
    )
    .unwrap();
    std::fs::copy(
        fixture("../images/five-by-three.png"),
        root.path().join("static/img/sampler.png"),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        // The newest post is dated after the test's day.
        .args(["build", "--future", "--root"])
        .arg(root.path())
        .arg("--output")
        .arg(output)
        .output()
        .expect("run versus")
        .into()
}

/// Makes the browser report `scheme` as its `prefers-color-scheme` (DevTools'
/// `Emulation.setEmulatedMedia`, through chromedriver); it holds across navigations.
fn emulate_scheme(browser: &Browser, scheme: &str) {
    browser
        .session_call(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": "Emulation.setEmulatedMedia", "params": {
                "features": [{"name": "prefers-color-scheme", "value": scheme}],
            }}),
        )
        .expect("emulate the colour scheme");
}

/// One line per failing element: rule, impact, selector, colours, and what to fix.
fn describe(page: &str, scheme: &str, violations: &[Value]) -> Vec<String> {
    let mut lines = Vec::new();
    for violation in violations {
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let colours: Vec<&str> = node["colours"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            lines.push(format!(
                "{page} ({scheme}): {} [{}] {}\n    at {}\n    {}{}\n    {}",
                violation["id"].as_str().unwrap_or("?"),
                violation["impact"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or(""),
                node["target"].as_str().unwrap_or("?"),
                node["html"].as_str().unwrap_or(""),
                if colours.is_empty() {
                    String::new()
                } else {
                    format!("\n    colours: {}", colours.join("; "))
                },
                node["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n    "),
            ));
        }
    }
    lines
}

/// Every page kind of the theme passes axe-core's WCAG 2.1 A and AA rules and best practices
/// with no violation, in the light and in the dark colour scheme, on a desktop and a phone.
#[test]
fn every_page_kind_has_no_accessibility_violation_in_light_and_dark() {
    if !browser_available() {
        return;
    }
    let Some(axe) = axe_source() else {
        return;
    };
    let out = tempfile::tempdir().expect("temp dir");
    let output = out.path().join("public");
    let run = build_repository_site(&output);
    assert_eq!(run.code, 0, "the repository's site builds:\n{}", run.stderr);
    let server = StaticServer::start(output);
    let browser = Browser::start();
    browser
        .session_call("POST", "/timeouts", json!({"script": 60_000}))
        .expect("set the script timeout");

    let mut failures = Vec::new();
    let mut audited = 0;
    for (&scheme, &(width, height)) in SCHEMES
        .iter()
        .flat_map(|scheme| WINDOWS.iter().map(move |window| (scheme, window)))
    {
        emulate_scheme(&browser, scheme);
        browser
            .session_call(
                "POST",
                "/window/rect",
                json!({"width": width, "height": height}),
            )
            .expect("size the window");
        let scheme = format!("{scheme}, {width}px");
        let scheme = scheme.as_str();
        for &page in PAGES {
            browser.navigate(&format!("{}{page}", server.base));
            let dark = browser
                .run("return matchMedia('(prefers-color-scheme: dark)').matches")
                .expect("ask the page its colour scheme");
            assert_eq!(
                dark,
                json!(scheme.starts_with("dark")),
                "{page}: the {scheme} scheme"
            );
            let inner = browser.run("return innerWidth").expect("the page's width");
            assert!(
                inner
                    .as_u64()
                    .is_some_and(|w| w <= u64::from(width) && w + 40 >= u64::from(width)),
                "{page}: {inner}px wide in a {width}px window"
            );
            let status = browser
                .run("return performance.getEntriesByType('navigation')[0].responseStatus")
                .expect("the page's HTTP status");
            let expected = if page == MISSING { 404 } else { 200 };
            assert_eq!(status, json!(expected), "{page}: HTTP status");
            if page == SAMPLER_URL && width < 500 {
                // The audit must meet content that scrolls, or it checks nothing of it.
                let scrolling = browser
                    .run(
                        "return [...document.querySelectorAll('main *')]\
                         .filter((e) => e.scrollWidth > e.clientWidth + 1 \
                           && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))\
                         .map((e) => e.tagName + '.' + e.className)",
                    )
                    .expect("the scrolling elements");
                let scrolling: Vec<&str> = scrolling
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for kind in ["PRE.highlight", "DIV.table-wrap"] {
                    assert!(
                        scrolling.contains(&kind),
                        "{page}: no {kind} scrolls at {width}px: {scrolling:?}"
                    );
                }
            }
            browser
                .session_call(
                    "POST",
                    "/execute/sync",
                    json!({"script": "const s = document.createElement('script'); \
                        s.textContent = arguments[0]; document.head.appendChild(s); \
                        return typeof axe;", "args": [axe]}),
                )
                .and_then(|kind| match kind.as_str() {
                    Some("object") => Ok(()),
                    _ => Err(format!("axe is {kind}")),
                })
                .unwrap_or_else(|e| panic!("{page}: inject axe-core: {e}"));
            let results = browser
                .session_call(
                    "POST",
                    "/execute/async",
                    json!({"script": RUN_AXE, "args": []}),
                )
                .unwrap_or_else(|e| panic!("{page}: run axe-core: {e}"));
            assert!(
                results["error"].is_null(),
                "{page}: axe: {}",
                results["error"]
            );
            assert!(
                results["rules"].as_u64().is_some_and(|n| n > 20),
                "{page}: axe ran its rules: {results}"
            );
            let violations = results["violations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            failures.extend(describe(page, scheme, &violations));
            audited += 1;
        }
    }
    eprintln!(
        "audited {audited} pages × schemes × windows ({} pages, {} schemes, {} windows): {} failing elements",
        PAGES.len(),
        SCHEMES.len(),
        WINDOWS.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} accessibility violations (element by element):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Images the site ships get their width and height, read from the file, so the text does not
/// jump as they load; those after the first load lazily. (An image versus cannot decode, or
/// that is not there, fails the build since #17: see images.rs.)
#[test]
fn local_images_get_their_width_and_height() {
    let site = TestSite::new("basic");
    let png = fixture("../images/five-by-three.png");
    // One under /img/, one beside the post's URL, named relative to it.
    for (folder, name) in [
        ("static/img", "wide.png"),
        ("static/2023/09/01/second-post", "beside.png"),
    ] {
        std::fs::create_dir_all(site.root().join(folder)).unwrap();
        std::fs::copy(&png, site.root().join(folder).join(name)).unwrap();
    }
    site.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write(
        "content/posts/2023-09-01-second-post.md",
        "---\ntitle: Second post\ndate: 2023-09-01\n---\n\
         ![Wide](/img/wide.png)\n\n\
         ![Beside](beside.png)\n\n\
         ![Sized by hand](/img/wide.png){: width=\"50\"}\n\n\
         ![Vector](/img/logo.svg)\n\n\
         ![Remote](https://example.org/img/wide.png)\n",
    );
    site.build_ok();
    let post = site.read("2023/09/01/second-post/index.html");
    for expected in [
        r#"<img src="/img/wide.png" alt="Wide" width="5" height="3" />"#,
        r#"<img src="beside.png" alt="Beside" width="5" height="3" loading="lazy" decoding="async" />"#,
        r#"<img src="/img/wide.png" alt="Sized by hand" width="50" loading="lazy" decoding="async" />"#,
        r#"<img src="/img/logo.svg" alt="Vector" loading="lazy" decoding="async" />"#,
        r#"<img src="https://example.org/img/wide.png" alt="Remote" loading="lazy" decoding="async" />"#,
    ] {
        assert!(post.contains(expected), "{expected} in:\n{post}");
    }
}

//! Issue #13: `versus check --external` notices when a page a claim cites changes, against a
//! local server whose pages change between runs, and `--update-sources` keeps
//! `data/sources.lock`.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use versus::check::JsonFinding;

use crate::harness::{Run, TestSite, request_path, versus_in};

/// Status line, extra header lines, body.
type Reply = (&'static str, String, String);

/// Serves whatever `pages` holds for a path (404 otherwise); `/hang` answers after 5 s.
struct Pages {
    port: u16,
    pages: Arc<Mutex<HashMap<String, Reply>>>,
}

impl Pages {
    fn start() -> Pages {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let pages: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let served = pages.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let served = served.clone();
                std::thread::spawn(move || {
                    let path = request_path(&stream);
                    if path == "/hang" {
                        std::thread::sleep(Duration::from_secs(5));
                    }
                    let reply = served.lock().unwrap().get(&path).cloned();
                    let (status, headers, body) =
                        reply.unwrap_or(("404 Not Found", String::new(), String::new()));
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Pages { port, pages }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn page(&self, path: &str, body: &str) {
        let reply = ("200 OK", String::new(), body.to_owned());
        self.pages.lock().unwrap().insert(path.into(), reply);
    }

    fn redirect(&self, path: &str, to: &str) {
        let reply = ("302 Found", format!("Location: {to}\r\n"), String::new());
        self.pages.lock().unwrap().insert(path.into(), reply);
    }
}

/// A documentation page as providers publish them: navigation, a date stamp and scripts
/// around the main text.
fn doc_page(stamp: &str, nav: &str, rotation: &str) -> String {
    format!(
        "<!doctype html><html><head><title>Key rotation</title><script>window.t = {{build: \"{stamp}\"}};</script></head>\
<body><nav><a href=\"/\">Home</a> {nav}</nav><main><h1>Key rotation</h1>\
<p>Last updated on {stamp}.</p><h2>Customer managed keys</h2>\
<p>{rotation}</p><p>Rotation keeps every earlier key version for decryption.</p></main>\
<footer>Cookie preferences</footer></body></html>"
    )
}

const ROTATION: &str = "Automatic rotation is off until you turn it on.";

fn check(site: &TestSite, args: &[&str]) -> (Run, Vec<JsonFinding>) {
    let mut all = vec!["check", "--format", "json", "--external", "--timeout", "1"];
    all.extend(["--cache-for", "0"]);
    all.extend(args);
    let run = versus_in(site.root(), &all);
    let findings: Vec<JsonFinding> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    // Only what this issue is about: the fixture's posts carry other findings on purpose.
    let findings = findings
        .into_iter()
        .filter(|f| f.kind.starts_with("source") || f.kind == "external-link")
        .collect();
    (run, findings)
}

fn lines(findings: &[JsonFinding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {} [{}]",
                f.path, f.line, f.col, f.message, f.kind
            )
        })
        .collect()
}

#[test]
fn a_changed_source_is_noticed_until_its_claim_is_verified_again() {
    let server = Pages::start();
    server.page(
        "/rotation",
        &doc_page("November 30, 2026", "Sign in", ROTATION),
    );
    server.page("/moved", &doc_page("2026-11-30", "Sign in", "Moved text."));
    let site = TestSite::new("check");
    let (rotation, moved, gone) = (
        server.url("/rotation"),
        server.url("/moved"),
        server.url("/gone"),
    );
    let (looping, hang) = (server.url("/loop"), server.url("/hang"));
    server.redirect("/loop", "/loop");
    site.write(
        "data/matrices/storage.yaml",
        &format!(
            "title: Storage
features:
  - id: disk-snapshots
    name: Disk snapshots
    eks:
      support: option
      docs: [{rotation}, {gone}]
      verified: 2026-06-01
    aks:
      support: default
      docs: [{moved}, {looping}]
      verified: 2026-06-01
  - id: file-shares
    name: File shares
    eks:
      support: addon
      docs: [{gone}, {hang}]
      verified: 2026-01-10
    aks:
      support: default
      docs: {rotation}
      verified: 2026-11-25
"
        ),
    );

    // Nothing recorded yet: one warning for the lock, and each unreachable page once.
    let (run, findings) = check(&site, &[]);
    let found = lines(&findings);
    assert_eq!(
        found
            .iter()
            .filter(|l| l.contains("[source-unrecorded]"))
            .count(),
        1,
        "{found:#?}"
    );
    let matrix = std::fs::read_to_string(site.root().join("data/matrices/storage.yaml")).unwrap();
    let at = |line: usize, url: &str| {
        let text = matrix.lines().nth(line - 1).unwrap();
        (line, text.find(url).unwrap() + 1)
    };
    let unrecorded = findings
        .iter()
        .find(|f| f.kind == "source-unrecorded")
        .unwrap();
    assert_eq!(
        unrecorded.message,
        "2 cited pages are not recorded in data/sources.lock, so a later change cannot be noticed"
    );
    assert_eq!(
        (unrecorded.line, unrecorded.col),
        at(7, &rotation),
        "at the first such link"
    );
    for url in [&gone, &looping, &hang] {
        let broken: Vec<&JsonFinding> = findings
            .iter()
            .filter(|f| f.kind == "external-link" && f.message.contains(url.as_str()))
            .collect();
        assert_eq!(broken.len(), 1, "{url} once: {found:#?}");
    }
    let gone_finding = findings.iter().find(|f| f.message.contains(&gone)).unwrap();
    assert_eq!(
        gone_finding.message,
        format!("external link `{gone}` is broken: HTTP 404")
    );
    assert_eq!(
        gone_finding.help.as_deref(),
        Some(format!(
            "cited by eks/disk-snapshots, eks/file-shares; also linked at data/matrices/storage.yaml:{}:{}",
            17,
            at(17, &gone).1
        ))
        .as_deref()
    );
    assert_eq!((gone_finding.line, gone_finding.col), at(7, &gone));
    assert!(
        found
            .iter()
            .any(|l| l.contains(&looping) && l.contains("redirect")),
        "{found:#?}"
    );
    assert_eq!(run.code, 1, "broken links are errors");

    // Record: the lock lists the pages read, and a second refresh leaves it byte for byte.
    let (run, findings) = check(&site, &["--update-sources"]);
    assert!(
        run.stderr
            .contains("updated data/sources.lock: 2 pages recorded"),
        "{}",
        run.stderr
    );
    assert!(
        !findings.iter().any(|f| f.kind.starts_with("source")),
        "{:#?}",
        lines(&findings)
    );
    let lock_path = site.root().join("data/sources.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&lock).unwrap();
    assert_eq!(json["version"], 1);
    let sources = json["sources"].as_object().unwrap();
    assert_eq!(
        sources.len(),
        2,
        "unreadable pages are not recorded: {lock}"
    );
    let recorded = &sources[&rotation];
    assert_eq!(recorded["title"], "Key rotation");
    assert_eq!(recorded["recorded"], "2026-11-25");
    assert!(recorded.get("changed").is_none());
    assert_eq!(recorded["outline"][0]["h"], "# Key rotation");
    assert_eq!(recorded["outline"][1]["h"], "## Customer managed keys");
    let (run, _) = check(&site, &["--update-sources"]);
    assert!(
        run.stderr.contains("data/sources.lock is up to date"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), lock);

    // Noise is not a change: navigation, the date stamp, the script.
    server.page(
        "/rotation",
        &doc_page("December 1, 2026", "Sign in · Français", ROTATION),
    );
    let (_, findings) = check(&site, &[]);
    assert!(
        !findings.iter().any(|f| f.kind.starts_with("source")),
        "{:#?}",
        lines(&findings)
    );

    // A redirect that lands on the same text is no change either, and the refresh notes it.
    server.page(
        "/moved-here",
        &doc_page("2026-11-30", "Sign in", "Moved text."),
    );
    server.redirect("/moved", "/moved-here");
    let (_, findings) = check(&site, &[]);
    assert!(
        !findings.iter().any(|f| f.kind.starts_with("source")),
        "{:#?}",
        lines(&findings)
    );

    // A changed paragraph is: at every cell citing the page, with what changed.
    let now_says = "Automatic rotation is on for every new key.";
    server.page(
        "/rotation",
        &doc_page("December 1, 2026", "Sign in", now_says),
    );
    let (_, findings) = check(&site, &[]);
    let changed: Vec<&JsonFinding> = findings
        .iter()
        .filter(|f| f.kind == "source-changed")
        .collect();
    assert_eq!(changed.len(), 2, "{:#?}", lines(&findings));
    assert_eq!(
        (changed[0].path.as_str(), changed[0].line, changed[0].col),
        ("data/matrices/storage.yaml", 5, 5),
        "at the cell"
    );
    assert_eq!(
        changed[0].message,
        format!(
            "source changed: `{rotation}` no longer says what it said on 2026-11-25; eks/disk-snapshots was verified 2026-06-01"
        )
    );
    assert!(
        changed[0].help.as_deref().unwrap().starts_with(&format!(
            "under “Customer managed keys”: added “{now_says}”; 1 paragraph removed; re-read the page"
        )),
        "{:?}",
        changed[0].help
    );
    assert_eq!(
        (changed[1].line, changed[1].col),
        (19, 5),
        "aks/file-shares cites it too"
    );

    // Refreshing records the change; the claim verified before it stays flagged...
    let (_, findings) = check(&site, &["--update-sources"]);
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&lock).unwrap();
    assert_eq!(json["sources"][&rotation]["changed"], "2026-11-25");
    assert_eq!(
        json["sources"][&moved]["final_url"],
        server.url("/moved-here")
    );
    let changed: Vec<String> = findings
        .iter()
        .filter(|f| f.kind == "source-changed")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(
        changed,
        [format!(
            "source changed: `{rotation}` changed on 2026-11-25, after eks/disk-snapshots was verified on 2026-06-01"
        )],
        "aks/file-shares was verified on the day of the change"
    );
    // ...until its `verified:` day moves past the change.
    site.edit(
        "data/matrices/storage.yaml",
        "      verified: 2026-06-01\n    aks:\n      support: default\n      docs: [",
        "      verified: 2026-11-25\n    aks:\n      support: default\n      docs: [",
    );
    let (_, findings) = check(&site, &[]);
    assert!(
        !findings.iter().any(|f| f.kind.starts_with("source")),
        "{:#?}",
        lines(&findings)
    );
}

#[test]
fn a_malformed_lock_is_an_error_at_its_place() {
    let site = TestSite::new("check");
    let server = Pages::start();
    server.page("/p", &doc_page("2026-11-30", "", ROTATION));
    site.edit(
        "data/matrices/storage.yaml",
        "docs: https://docs.aws.amazon.com/ebs/",
        &format!("docs: {}", server.url("/p")),
    );
    site.write(
        "data/sources.lock",
        "{\n  \"version\": 1,\n  \"sources\": {\"x\": 3}\n}\n",
    );
    let (run, findings) = check(&site, &[]);
    let lock: Vec<String> = lines(&findings)
        .into_iter()
        .filter(|l| l.contains("[sources-lock]"))
        .collect();
    assert_eq!(lock.len(), 1, "{lock:?}");
    assert!(
        lock[0].starts_with(
            "data/sources.lock:3:20: malformed sources lock: invalid type: integer `3`"
        ),
        "{lock:?}"
    );
    assert_eq!(run.code, 1);
}

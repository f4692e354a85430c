use std::io::Write;
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use versus::check::JsonFinding;

use crate::harness::{Run, TestSite, request_path, versus_in};

const POST: &str = "content/posts/2024-03-02-two-clouds.md";

/// Runs `versus check` on the day [`TODAY`].
fn check(site: &TestSite, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend(args);
    versus_in(site.root(), &all)
}

fn json(site: &TestSite, args: &[&str]) -> (i32, Vec<JsonFinding>) {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let run = check(site, &all);
    let findings = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, findings)
}

fn has(run: &Run, line: &str) {
    assert!(
        run.stdout.contains(line),
        "missing {line:?} in:\n{}",
        run.stdout
    );
}

#[test]
fn the_seed_structure_reports_missing_anchor_empty_sections_and_todos() {
    let site = TestSite::new("check");
    let run = check(&site, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The hand-written table of contents: #introduction exists, #journey does not.
    has(
        &run,
        &format!(
            "{POST}:8:24: error: broken anchor `#journey`: no id `journey` on /2024/03/02/two-clouds/ [broken-anchor]"
        ),
    );
    assert!(!run.stdout.contains("`#introduction`"), "{}", run.stdout);
    assert!(!run.stdout.contains("`#storage`"), "{}", run.stdout);
    has(
        &run,
        &format!("{POST}:19:6: warning: TODO left in the text [todo]"),
    );
    has(
        &run,
        &format!(
            "{POST}:21:1: warning: empty section `Disks`: the heading is directly followed by a level-3 heading [empty-section]"
        ),
    );
    has(
        &run,
        &format!(
            "{POST}:39:1: warning: empty section `Logging`: the heading is at the end of the page [empty-section]"
        ),
    );
    // A heading followed by a deeper one is a parent, not empty.
    assert!(!run.stdout.contains("`Storage`"), "{}", run.stdout);
    assert!(!run.stdout.contains("`Networking`"), "{}", run.stdout);
    assert!(
        run.stderr.contains("check: 4 error(s), 12 warning(s)"),
        "{}",
        run.stderr
    );
}

#[test]
fn each_kind_of_finding_with_its_position() {
    let site = TestSite::new("check");
    let run = check(&site, &[]);
    has(
        &run,
        &format!(
            "{POST}:25:55: warning: placeholder link `#TODO`: the target is still to write [placeholder]"
        ),
    );
    has(
        &run,
        &format!("{POST}:36:96: warning: placeholder link `#`"),
    );
    has(
        &run,
        &format!("{POST}:35:59: warning: placeholder `#TODO` in the text"),
    );
    has(
        &run,
        &format!("{POST}:35:1: warning: FIXME left in the text [todo]"),
    );
    has(
        &run,
        &format!(
            "{POST}:29:1: warning: heading level skipped: h4 follows h2 (use ### instead) [heading-level]"
        ),
    );
    has(
        &run,
        &format!("{POST}:31:87: warning: unknown matrix `store` [unknown-feature]"),
    );
    has(
        &run,
        &format!(
            "{POST}:31:163: warning: unknown feature `disk-snapshot`: matrix `storage` has no such row [unknown-feature]"
        ),
    );
    has(&run, "= help: did you mean `disk-snapshots`?");
    has(
        &run,
        &format!(
            "{POST}:36:25: error: broken link `/img/nope.png`: no file /img/nope.png in the built site [missing-asset]"
        ),
    );
    has(
        &run,
        &format!(
            "{POST}:36:68: error: broken link `/nowhere/`: no page /nowhere/ in the built site [broken-link]"
        ),
    );
    has(
        &run,
        &format!(
            "{POST}:37:18: error: broken anchor `2024-04-01-follow-up.md#dissks`: no id `dissks` on /2024/04/01/follow-up/ [broken-anchor]"
        ),
    );
    has(&run, "= help: did you mean `#disks`?");
    has(
        &run,
        "data/matrices/storage.yaml:9:5: warning: stale claim aks/disk-snapshots: verified 2020-01-15, more than 365 days ago [stale-claim]",
    );
    has(
        &run,
        "data/matrices/storage.yaml:15:5: warning: claim eks/file-shares has no source: add `docs:` with a link [missing-source]",
    );
    assert!(
        !run.stdout.contains("eks/disk-snapshots"),
        "fresh and sourced: {}",
        run.stdout
    );
    // The image that exists and the link into the other post that resolves are fine.
    assert!(!run.stdout.contains("diagram.png"), "{}", run.stdout);
    assert!(!run.stdout.contains("follow-up.md:"), "{}", run.stdout);
}

#[test]
fn raw_html_links_and_comments_are_checked() {
    let site = TestSite::new("basic");
    site.write(
        "content/posts/2023-10-01-html.md",
        "---\ntitle: Html\n---\nText.\n\n<p><a href=\"\">empty</a> <audio src=\"/img/gone.ogg\"></audio> <a href=\"#top\">up</a></p>\n\n<!-- FIXME later: <a href=\"/not-checked/\"> -->\n\n`TODO in code` is fine.\n",
    );
    let run = check(&site, &[]);
    let post = "content/posts/2023-10-01-html.md";
    has(
        &run,
        &format!("{post}:6:13: warning: placeholder link: the target is empty [placeholder]"),
    );
    has(
        &run,
        &format!(
            "{post}:6:37: error: broken link `/img/gone.ogg`: no file /img/gone.ogg in the built site [missing-asset]"
        ),
    );
    has(&run, &format!("{post}:6:70: error: broken anchor `#top`"));
    has(
        &run,
        &format!("{post}:8:6: warning: FIXME left in the text [todo]"),
    );
    assert!(!run.stdout.contains("not-checked"), "{}", run.stdout);
    assert!(
        !run.stdout.contains(&format!("{post}:10:")),
        "{}",
        run.stdout
    );
}

#[test]
fn layout_links_are_checked_once_per_target() {
    let site = TestSite::new("basic");
    site.edit(
        "layouts/base.html",
        "</body>",
        "<a href=\"/missing-page/\">x</a><a href=\"{{ '/about/' | relative_url }}\">about</a></body>",
    );
    let run = check(&site, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("/missing-page/") && l.contains("[broken-link]"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    // Found where it is written: the layout, at its line and column.
    assert!(
        lines[0].starts_with("layouts/base.html:9:10: error: broken link `/missing-page/`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("built pages) [broken-link]"),
        "{}",
        lines[0]
    );
    assert!(!run.stdout.contains("`/about/`"), "{}", run.stdout);
    // A link a template makes (not written literally anywhere) is shown in the built page.
    site.edit(
        "layouts/base.html",
        "<a href=\"/missing-page/\">",
        "<a href=\"/missing-{{ 'made' }}/\">",
    );
    let run = check(&site, &[]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("/missing-made/"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.starts_with("public/"), "{line}");
    has(
        &run,
        "= help: the link is made by a template, not written in one",
    );
}

#[test]
fn json_output_parses_back() {
    let site = TestSite::new("check");
    let (code, findings) = json(&site, &[]);
    assert_eq!(code, 1);
    let journey = findings
        .iter()
        .find(|f| f.message.contains("#journey"))
        .expect("the #journey finding");
    assert_eq!(
        journey,
        &JsonFinding {
            path: POST.into(),
            line: 8,
            col: 24,
            severity: "error".into(),
            kind: "broken-anchor".into(),
            message: "broken anchor `#journey`: no id `journey` on /2024/03/02/two-clouds/".into(),
            help: None,
        }
    );
    let near = findings
        .iter()
        .find(|f| f.message.contains("dissks"))
        .unwrap();
    assert_eq!(near.help.as_deref(), Some("did you mean `#disks`?"));
    let kinds: std::collections::BTreeSet<&str> =
        findings.iter().map(|f| f.kind.as_str()).collect();
    for kind in [
        "broken-anchor",
        "broken-link",
        "missing-asset",
        "todo",
        "placeholder",
        "empty-section",
        "heading-level",
        "stale-claim",
        "missing-source",
        "unknown-feature",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    assert!(
        findings
            .iter()
            .all(|f| f.severity == "error" || f.severity == "warning")
    );
    // --strict: every finding is an error.
    let (_, strict) = json(&site, &["--strict"]);
    assert_eq!(strict.len(), findings.len());
    assert!(strict.iter().all(|f| f.severity == "error"));
}

#[test]
fn exit_codes() {
    // Warnings only: 0; with --strict: 1.
    let site = TestSite::new("basic");
    let run = check(&site, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    has(&run, "[todo]");
    assert_eq!(check(&site, &["--strict"]).code, 1);
    // Errors: 1.
    assert_eq!(check(&TestSite::new("check"), &[]).code, 1);
    // A site that does not build: 2, with the build's errors.
    let broken = TestSite::new("basic");
    broken.edit(
        "content/posts/2023-08-11-first-post.md",
        "layout: post",
        "layout: psot",
    );
    let run = check(&broken, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("unknown layout `psot`"),
        "{}",
        run.stderr
    );
    let (code, findings) = json(&broken, &[]);
    assert_eq!(code, 2);
    assert_eq!(findings[0].kind, "build");
    assert_eq!(findings[0].severity, "error");
    assert_eq!(
        (findings[0].path.as_str(), findings[0].line, findings[0].col),
        ("content/posts/2023-08-11-first-post.md", 2, 9)
    );
    // Usage: 2.
    assert_eq!(check(&site, &["--no-such-flag"]).code, 2);
    assert_eq!(check(&site, &["--format", "xml"]).code, 2);
    // Nothing is written into public/.
    assert!(!site.root().join("public").exists());
}

#[test]
fn build_check_writes_then_exits_1_on_check_errors() {
    let site = TestSite::new("check");
    let run = site.build(&["--check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("built "), "{}", run.stdout);
    assert!(run.stdout.contains("#journey"), "{}", run.stdout);
    assert!(site.root().join("public/index.html").is_file());
    // Without --check the same site builds with exit 0.
    assert_eq!(site.build(&[]).code, 0);
    // A clean check after a build: 0.
    let basic = TestSite::new("basic");
    assert_eq!(basic.build(&["--check"]).code, 0);
}

/// A tiny HTTP server: 200 for /ok, 404 for anything else; /slow answers 200 after 300 ms and
/// /hang after 5 s. Counts requests, and the most /slow ones it served at once.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
}

fn serve_two_paths() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let most_at_once = Arc::new(AtomicUsize::new(0));
    let now = Arc::new(AtomicUsize::new(0));
    let (counter, most) = (hits.clone(), most_at_once.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let (now, most) = (now.clone(), most.clone());
            std::thread::spawn(move || {
                let path = request_path(&stream);
                let path = path.split('?').next().unwrap_or("");
                let status = match path {
                    "/ok" => "200 OK",
                    "/slow" => {
                        let at_once = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(at_once, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(300));
                        now.fetch_sub(1, Ordering::SeqCst);
                        "200 OK"
                    }
                    "/hang" => {
                        std::thread::sleep(Duration::from_secs(5));
                        "200 OK"
                    }
                    _ => "404 Not Found",
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    Server {
        port,
        hits,
        most_at_once,
    }
}

#[test]
fn external_requests_respect_the_per_host_limit_and_the_timeout() {
    let server = serve_two_paths();
    let port = server.port;
    let site = TestSite::new("basic");
    let links: String = (1..=6)
        .map(|i| format!("[s{i}](http://127.0.0.1:{port}/slow?{i}) "))
        .collect();
    site.edit(
        "content/posts/2023-08-11-first-post.md",
        "[external](https://example.com)",
        &format!("{links}[hang](http://127.0.0.1:{port}/hang)"),
    );
    let run = check(
        &site,
        &[
            "--external",
            "--per-host",
            "2",
            "--threads",
            "8",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // /hang times out (HEAD, then GET): one error; every /slow link is fine.
    let broken: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("[external-link]"))
        .collect();
    assert_eq!(broken.len(), 1, "{}", run.stdout);
    assert!(broken[0].contains("/hang` is broken"), "{}", broken[0]);
    let most = server.most_at_once.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&most),
        "{most} requests at once to one host"
    );
    assert!(server.hits.load(Ordering::SeqCst) >= 7);
}

#[test]
fn external_links_against_a_local_server() {
    let server = serve_two_paths();
    let (port, hits) = (server.port, server.hits.clone());
    let site = TestSite::new("basic");
    let good = format!("http://127.0.0.1:{port}/ok");
    let bad = format!("http://127.0.0.1:{port}/gone");
    site.edit(
        "content/posts/2023-08-11-first-post.md",
        "(https://example.com)",
        &format!("({good}) and [gone]({bad})"),
    );
    // Without --external, http links are not fetched.
    let run = check(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    let run = check(&site, &["--external", "--timeout", "5"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    has(
        &run,
        &format!(
            "content/posts/2023-08-11-first-post.md:34:{}: error: external link `{bad}` is broken: HTTP 404 [external-link]",
            good.len() + 25
        ),
    );
    assert!(!run.stdout.contains(&format!("`{good}`")), "{}", run.stdout);
    let cache = site.root().join(".versus-cache/external-links.json");
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(cached.contains(&good) && cached.contains(&bad), "{cached}");

    // A second run reuses the cached results: no new requests, same findings.
    let before = hits.load(Ordering::SeqCst);
    let again = check(&site, &["--external"]);
    assert_eq!(again.code, 1);
    assert_eq!(again.stdout, run.stdout);
    assert_eq!(hits.load(Ordering::SeqCst), before);
    // --cache-for 0 asks again.
    check(&site, &["--external", "--cache-for", "0"]);
    assert!(hits.load(Ordering::SeqCst) > before);
}

/// This repository's own site: nothing to fix before publishing (`versus check --strict`
/// passes) but age: a claim goes stale a year after it was verified, and that is news to act
/// on, not a bug.
#[test]
fn the_repository_site_has_nothing_to_fix_but_age() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run: Run = Command::new(env!("CARGO_BIN_EXE_versus"))
        .args(["check", "--strict", "--format", "json", "--root"])
        .arg(root)
        .output()
        .expect("run versus")
        .into();
    let findings: Vec<JsonFinding> = serde_json::from_str(&run.stdout).expect(&run.stderr);
    let to_fix: Vec<&JsonFinding> = findings
        .iter()
        .filter(|f| f.kind != "stale-claim")
        .collect();
    assert!(to_fix.is_empty(), "{to_fix:#?}");
    assert_eq!(run.code, i32::from(!findings.is_empty()));
}

/// Issue #11, finding 2: `"a"="b"` becomes `“a”=“b”` in the HTML, and reading attributes
/// sliced inside the curly quote's bytes (exit 101 from check, build --check and serve).
#[test]
fn attribute_like_text_after_multibyte_characters_is_not_a_crash() {
    let site = TestSite::new("check");
    site.write(
        "content/posts/2024-05-01-quotes.md",
        "---\ntitle: Quotes\n---\nSet \"a\"=\"b\" in the file, then é=\"x\" and ”href=\"y\".\n",
    );
    let run = check(&site, &[]);
    assert!(
        matches!(run.code, 0 | 1),
        "exit {}:\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let run = site.build(&["--check"]);
    assert!(
        matches!(run.code, 0 | 1),
        "exit {}:\n{}",
        run.code,
        run.stderr
    );
    assert!(
        site.read("2024/05/01/quotes/index.html")
            .contains("Set “a”=")
    );
}

/// A claim is evidence: it cites its own provider's documentation, says when it was checked,
/// and an `unknown` says what is missing.
#[test]
fn claims_cite_their_providers_docs_and_say_when_and_why() {
    let site = TestSite::new("check");
    site.edit(
        "data/providers.yaml",
        "  home: https://aws.amazon.com/eks/\n",
        "  home: https://aws.amazon.com/eks/\n  sources: [https://docs.aws.amazon.com/, https://github.com/aws/]\n",
    );
    site.edit(
        "data/providers.yaml",
        "  vendor: Microsoft Azure\n",
        "  vendor: Microsoft Azure\n  sources: https://learn.microsoft.com/\n",
    );
    let matrix = std::fs::read_to_string(site.root().join("data/matrices/storage.yaml")).unwrap();
    site.write(
        "data/matrices/storage.yaml",
        &format!(
            "{matrix}  - id: etcd-access
    name: Direct access to etcd
    eks:
      support: not-applicable
      note: AWS runs the control plane.
      docs: https://github.com/aws/containers-roadmap
      verified: 2026-01-10
    aks:
      support: none
      docs: https://example.com/a-blog-post
      verified: 2026-01-10
  - id: karpenter
    name: Karpenter
    eks:
      support: manual
      docs: https://docs.aws.amazon.com/eks/latest/userguide/autoscaling.html
    aks:
      support: unknown
  - id: quotas
    name: Quotas
    eks:
      support: unknown
      note: No page of the EKS guide states the limit.
    aks:
      support: option
      docs: https://learn.microsoft.com/en-us/azure/aks/quotas-skus-regions
      verified: 2999-01-01
"
        ),
    );
    let run = check(&site, &[]);
    has(
        &run,
        "data/matrices/storage.yaml:29:5: warning: claim aks/etcd-access cites no page of AKS's own documentation (https://learn.microsoft.com/) [foreign-source]",
    );
    has(
        &run,
        "data/matrices/storage.yaml:35:5: warning: claim eks/karpenter has no `verified:` day: when was it checked against its source? [unverified-claim]",
    );
    has(
        &run,
        "data/matrices/storage.yaml:38:5: warning: claim aks/karpenter is `unknown` without a `note:` saying what evidence is missing [unexplained-unknown]",
    );
    has(
        &run,
        "data/matrices/storage.yaml:45:5: warning: claim aks/quotas says verified 2999-01-01, after today",
    );
    for fine in ["eks/etcd-access", "eks/quotas", "eks/disk-snapshots"] {
        assert!(!run.stdout.contains(fine), "{fine}: {}", run.stdout);
    }
}

/// Issue #13: a site whose claims date from one review gets one stale line per matrix file,
/// naming each claim, not one line per cell (128 lines for this repository's site in 2023).
#[test]
fn stale_and_unsourced_claims_are_one_finding_per_matrix_file() {
    let site = TestSite::new("check");
    site.edit(
        "data/matrices/storage.yaml",
        "verified: 2026-06-01",
        "verified: 2020-03-01",
    );
    site.edit(
        "data/matrices/storage.yaml",
        "      docs: https://learn.microsoft.com/azure/aks/azure-files-csi\n",
        "",
    );
    let (_, findings) = json(&site, &[]);
    let of =
        |kind: &str| -> Vec<&JsonFinding> { findings.iter().filter(|f| f.kind == kind).collect() };
    let stale = of("stale-claim");
    assert_eq!(stale.len(), 1, "{stale:#?}");
    assert_eq!(
        stale[0].message,
        "2 stale claims, verified more than 365 days ago (oldest 2020-01-15): eks/disk-snapshots, aks/disk-snapshots"
    );
    assert_eq!(
        (stale[0].line, stale[0].col),
        (5, 5),
        "at the first stale cell"
    );
    let unsourced = of("missing-source");
    assert_eq!(unsourced.len(), 1, "{unsourced:#?}");
    assert_eq!(
        unsourced[0].message,
        "2 claims have no source (add `docs:` with a link): eks/file-shares, aks/file-shares"
    );
}

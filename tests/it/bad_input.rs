//! Issue #11, bad input: unclosed front matter, byte order marks, encodings, files that are
//! not regular files, and errors placed at the token at fault in every YAML file and layout.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Run, TODAY, TestSite, assert_has};

const POST: &str = "content/posts/2023-08-11-first-post.md";

/// Builds `site`, failing the test (instead of hanging it) when versus does not finish: a
/// FIFO opened for reading blocks until someone writes to it.
fn build_within_a_minute(site: &TestSite) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run versus");
    let started = Instant::now();
    while child.try_wait().expect("wait for versus").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            child.wait().ok();
            panic!("versus build hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run::from(child.wait_with_output().expect("versus output"))
}

/// Builds `site` expecting a failure with exit code `code`; returns stderr.
fn fails_with(site: &TestSite, code: i32) -> String {
    let run = build_within_a_minute(site);
    assert_eq!(
        run.code, code,
        "expected exit {code}, got:\n{}{}",
        run.stdout, run.stderr
    );
    run.stderr
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn write_bytes(site: &TestSite, path: &str, bytes: &[u8]) {
    let path = site.root().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

// Finding 11: front matter that is opened and never closed.

#[test]
fn unclosed_front_matter_is_an_error_at_its_opening_line() {
    let site = TestSite::new("basic");
    site.write(
        POST,
        "---\nlayout: post\ntitle: Open\n\nThe body, never separated.\n",
    );
    let stderr = fails_with(&site, 1);
    assert_has(
        &stderr,
        &format!(
            "{POST}:1:1: error: front matter opened here is never closed: add a `---` line after it"
        ),
    );
    // Jekyll's rule stays: a first line `---` always opens front matter, so a thematic break
    // there needs another form.
    assert_has(&stderr, "thematic break");
}

#[test]
fn a_thematic_break_below_the_first_line_is_markdown() {
    let site = TestSite::new("basic");
    site.write("content/notes.md", "Notes.\n\n---\n\nMore notes.\n");
    site.build_ok();
    let html = site.read("notes/index.html");
    assert!(html.contains("<hr"), "{html}");
    assert!(html.contains("More notes."), "{html}");
}

// Finding 12: a UTF-8 byte order mark in YAML files.

fn prepend_bom(site: &TestSite, files: &[&str]) {
    for file in files {
        let path = site.root().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    }
}

#[test]
fn a_byte_order_mark_is_accepted_in_site_yaml_and_data_files() {
    for (fixture, files) in [
        ("basic", &["site.yaml", "data/authors.yaml"][..]),
        (
            "compare",
            &[
                "site.yaml",
                "data/providers.yaml",
                "data/matrices/storage.yaml",
                "data/matrices/extras.yaml",
            ][..],
        ),
        ("blog", &["site.yaml", "data/series.yaml"][..]),
    ] {
        let plain = TestSite::new(fixture);
        plain.build_ok();
        let marked = TestSite::new(fixture);
        prepend_bom(&marked, files);
        marked.build_ok();
        assert!(
            plain.snapshot() == marked.snapshot(),
            "{fixture}: a BOM changed the output"
        );
    }
}

#[test]
fn positions_after_a_byte_order_mark_do_not_count_it() {
    let site = TestSite::new("basic");
    site.edit("site.yaml", "title: Fixture Blog", "title: \"Fixture Blog");
    site.edit("data/authors.yaml", "ann:", "ann: 'Ann");
    prepend_bom(&site, &["site.yaml", "data/authors.yaml"]);
    let stderr = fails_with(&site, 1);
    assert_has(&stderr, "site.yaml:1:8: error: invalid YAML");
    assert_has(&stderr, "data/authors.yaml:1:6: error: invalid YAML");
}

// Finding 13: FIFOs, sockets and devices are reported, never opened.

#[test]
fn a_fifo_named_site_yaml_is_an_error_not_a_hang() {
    let site = TestSite::new("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    mkfifo(&site.root().join("site.yaml"));
    let stderr = fails_with(&site, 2);
    assert_has(&stderr, "site.yaml: error: not a regular file (a FIFO)");
}

#[test]
fn fifos_in_every_site_folder_are_all_reported() {
    let site = TestSite::new("basic");
    let fifos = [
        "content/posts/2023-10-01-pipe.md",
        "data/pipe.yaml",
        "layouts/pipe.html",
        "includes/pipe.html",
        "static/pipe.css",
    ];
    for fifo in fifos {
        mkfifo(&site.root().join(fifo));
    }
    // Files the build never reads (an editor's swap file) may be anything.
    mkfifo(&site.root().join("content/posts/.2023-10-01-pipe.md.swp"));
    let stderr = fails_with(&site, 2);
    for fifo in fifos {
        assert_has(
            &stderr,
            &format!("{fifo}: error: not a regular file (a FIFO)"),
        );
    }
    assert!(!stderr.contains(".swp"), "{stderr}");
}

#[test]
fn a_socket_in_static_is_reported() {
    let site = TestSite::new("basic");
    let _socket = std::os::unix::net::UnixListener::bind(site.root().join("static/live.sock"))
        .expect("bind a socket");
    let stderr = fails_with(&site, 2);
    assert_has(
        &stderr,
        "static/live.sock: error: not a regular file (a socket)",
    );
}

#[test]
fn site_yaml_linked_to_a_device_is_not_read() {
    let site = TestSite::new("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", site.root().join("site.yaml")).unwrap();
    let stderr = fails_with(&site, 2);
    assert_has(
        &stderr,
        "site.yaml: error: not a regular file (a character device)",
    );
}

// Finding 14: unreadable files exit 2, as the README says.

#[test]
fn a_folder_named_site_yaml_exits_2_with_the_other_errors() {
    let site = TestSite::new("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    std::fs::create_dir(site.root().join("site.yaml")).unwrap();
    site.write("data/authors.yaml", "ann: [\n");
    let stderr = fails_with(&site, 2);
    assert_has(&stderr, "site.yaml: error: not a regular file (a folder)");
    assert_has(&stderr, "data/authors.yaml:2:1: error: invalid YAML");
}

#[test]
fn a_dangling_symlink_for_site_yaml_exits_2() {
    let site = TestSite::new("basic");
    std::fs::remove_file(site.root().join("site.yaml")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", site.root().join("site.yaml")).unwrap();
    let stderr = fails_with(&site, 2);
    assert_has(
        &stderr,
        "site.yaml: error: cannot read: a symbolic link to `nowhere.yaml`, which does not exist",
    );
}

#[test]
fn a_post_without_read_permission_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let site = TestSite::new("basic");
    let post = site.root().join(POST);
    std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&post).is_ok() {
        // Root reads it all the same: nothing to test.
        return;
    }
    let stderr = fails_with(&site, 2);
    assert_has(
        &stderr,
        &format!("{POST}: error: cannot read: Permission denied"),
    );
}

#[test]
fn a_static_file_without_read_permission_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let site = TestSite::new("basic");
    let css = site.root().join("static/css/site.css");
    std::fs::set_permissions(&css, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&css).is_ok() {
        // Root reads it all the same: nothing to test.
        return;
    }
    let stderr = fails_with(&site, 2);
    assert_has(&stderr, "static/css/site.css: error: ");
    assert_has(&stderr, "Permission denied");
}

#[test]
fn a_huge_data_file_is_refused_before_reading() {
    let site = TestSite::new("basic");
    let file = std::fs::File::create(site.root().join("data/huge.yaml")).unwrap();
    // Sparse: no disk used, and versus must not read it to find out.
    file.set_len(1 << 30).unwrap();
    let stderr = fails_with(&site, 2);
    assert_has(
        &stderr,
        "data/huge.yaml: error: too large for a text file: 1024 MiB (the limit is 64 MiB)",
    );
}

// Finding 14: encodings, at the first bad byte.

#[test]
fn latin1_files_are_reported_at_the_first_bad_byte_all_together() {
    let site = TestSite::new("basic");
    let text = std::fs::read_to_string(site.root().join(POST)).unwrap();
    let (before, after) = text.split_once("## How managed").unwrap();
    // `## Caf` then é in Latin-1.
    let post = [before.as_bytes(), b"## Caf\xE9 managed", after.as_bytes()].concat();
    write_bytes(&site, POST, &post);
    write_bytes(&site, "data/places.yaml", b"home: Z\xFCrich\n");
    write_bytes(&site, "layouts/extra.html", b"<p>\n\x93quoted\x94</p>\n");
    let stderr = fails_with(&site, 1);
    let latin1 = "(the file looks like Latin-1/Windows-1252)";
    assert_has(
        &stderr,
        &format!("{POST}:12:7: error: not UTF-8: invalid byte 0xE9 {latin1}"),
    );
    assert_has(
        &stderr,
        &format!("data/places.yaml:1:8: error: not UTF-8: invalid byte 0xFC {latin1}"),
    );
    assert_has(
        &stderr,
        &format!("layouts/extra.html:2:1: error: not UTF-8: invalid byte 0x93 {latin1}"),
    );
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend(pair);
    }
    bytes
}

#[test]
fn utf16_files_are_named_as_such() {
    let site = TestSite::new("basic");
    let about = std::fs::read_to_string(site.root().join("content/about.md")).unwrap();
    write_bytes(&site, "content/about.md", &utf16(&about, true));
    write_bytes(&site, "data/more.yaml", &utf16("a: 1\n", false));
    let stderr = fails_with(&site, 1);
    assert_has(
        &stderr,
        "content/about.md:1:1: error: not UTF-8: UTF-16 LE (it starts with a UTF-16 byte order mark); save it as UTF-8",
    );
    assert_has(
        &stderr,
        "data/more.yaml:1:1: error: not UTF-8: UTF-16 BE (it starts with a UTF-16 byte order mark); save it as UTF-8",
    );
}

// Finding 14: YAML errors at the token at fault, in site.yaml, a data file and front matter.

/// Each case: replace `from` with `to` in `file`, expect `expected` on stderr (exit 1).
fn yaml_errors_at(fixture_file: &str, cases: &[(&str, &str, &str)]) {
    for (from, to, expected) in cases {
        let site = TestSite::new("basic");
        site.edit(fixture_file, from, to);
        let stderr = fails_with(&site, 1);
        assert_has(&stderr, &format!("{fixture_file}:{expected}"));
    }
}

#[test]
fn yaml_errors_in_site_yaml_point_at_the_token_at_fault() {
    yaml_errors_at(
        "site.yaml",
        &[
            (
                "description: A small",
                "description: \"A small",
                "2:14: error: invalid YAML: the quoted string that starts here is never closed",
            ),
            (
                "language: en",
                "title: en",
                "4:1: error: invalid YAML: duplicate key `title` (first at line 1)",
            ),
            (
                "language: en",
                "  language: en",
                "4:3: error: invalid YAML: this line is indented more than the key above it",
            ),
            (
                "language: en",
                "\tlanguage: en",
                "4:1: error: invalid YAML: a tab in the indentation: YAML indents with spaces",
            ),
        ],
    );
}

#[test]
fn yaml_errors_in_data_files_point_at_the_token_at_fault() {
    yaml_errors_at(
        "data/authors.yaml",
        &[
            (
                "name: Ann Example",
                "name: 'Ann Example",
                "2:9: error: invalid YAML: the quoted string that starts here is never closed",
            ),
            (
                "  bio:",
                "  name:",
                "3:3: error: invalid YAML: duplicate key `name` (first at line 2)",
            ),
            (
                "  bio:",
                "   bio:",
                "3:4: error: invalid YAML: this line is indented more than the key above it",
            ),
            (
                "  bio:",
                " bio:",
                "3:2: error: invalid YAML: did not find expected key",
            ),
            (
                "  bio:",
                "\tbio:",
                "3:1: error: invalid YAML: a tab in the indentation: YAML indents with spaces",
            ),
        ],
    );
}

#[test]
fn yaml_errors_in_front_matter_point_at_the_token_at_fault() {
    yaml_errors_at(
        POST,
        &[
            (
                "title: 'First post: the basics'",
                "title: \"First post: the basics",
                "3:8: error: invalid YAML: the quoted string that starts here is never closed",
            ),
            (
                "category: Cloud",
                "layout: page",
                "6:1: error: invalid YAML: duplicate key `layout` (first at line 2)",
            ),
            (
                "series: k8s",
                "  series: k8s",
                "7:3: error: invalid YAML: this line is indented more than the key above it",
            ),
            (
                "category: Cloud",
                "\tcategory: Cloud",
                "6:1: error: invalid YAML: a tab in the indentation: YAML indents with spaces",
            ),
        ],
    );
}

#[test]
fn duplicate_keys_in_nested_and_flow_mappings() {
    let site = TestSite::new("basic");
    site.write(
        "data/providers.yaml",
        "eks:\n  name: EKS\n  links: {home: a, docs: b, home: c}\n",
    );
    site.write(
        "data/teams.yaml",
        "teams:\n  - id: a\n    lead: ann\n    id: b\n",
    );
    let stderr = fails_with(&site, 1);
    assert_has(
        &stderr,
        "data/providers.yaml:3:29: error: invalid YAML: duplicate key `home` (first at line 3)",
    );
    assert_has(
        &stderr,
        "data/teams.yaml:4:5: error: invalid YAML: duplicate key `id` (first at line 2)",
    );
}

// Finding 14: an unclosed block in a layout, at its tag.

#[test]
fn an_unclosed_block_tag_in_a_layout_is_reported_at_the_tag() {
    let site = TestSite::new("basic");
    site.edit(
        "layouts/base.html",
        "<footer>",
        "{% if site.twitter %}{% for x in [1] %}{% endfor %}<footer>",
    );
    let stderr = fails_with(&site, 1);
    assert_has(
        &stderr,
        "layouts/base.html:8:1: error: syntax error: `{% if %}` is never closed: add `{% endif %}`",
    );
}

/// A Liquid include in Latin-1 is reported at its first bad byte too, like every other file.
#[test]
fn a_latin1_include_is_reported_at_its_first_bad_byte() {
    let site = TestSite::new("basic");
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}liquid: true\n"));
    write_bytes(&site, "includes/note.html", b"<p>\nna\xEFve</p>\n");
    let stderr = fails_with(&site, 1);
    assert_has(
        &stderr,
        "includes/note.html:2:3: error: not UTF-8: invalid byte 0xEF (the file looks like Latin-1/Windows-1252)",
    );
}

/// Found by the fuzzer: pulldown-cmark 0.13.6 panicked on this body (exit 101); the build now
/// writes the page and warns at the file.
#[test]
fn a_body_the_markdown_parser_fails_on_is_a_warning_not_a_crash() {
    let site = TestSite::new("basic");
    site.write(
        "content/posts/2023-09-03-odd.md",
        "---\ntitle: Odd\n---\n>]\n`\n> {}\n>-",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_has(
        &run.stderr,
        "content/posts/2023-09-03-odd.md:4:1: warning: the Markdown parser (pulldown-cmark) failed",
    );
    assert!(
        site.read("2023/09/03/odd/index.html")
            .contains("<blockquote>")
    );
}

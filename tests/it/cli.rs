//! Issue #14, the habits people type: `-o`, `-b`, `-D`, `-F`, `-p` as in Hugo and Zola, and a
//! reader that closes the pipe early (`versus check --format json | head`).

use std::process::{Command, Stdio};

use crate::harness::{Run, TestSite, versus_in};

fn versus(args: &[&str]) -> Run {
    versus_in(std::path::Path::new("."), args)
}

#[test]
fn short_flags_mean_what_they_mean_in_hugo_and_zola() {
    let site = TestSite::new("blog");
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("site");
    let root = site.root().to_str().unwrap().to_owned();
    let run = versus(&[
        "build",
        "--root",
        &root,
        "-o",
        output.to_str().unwrap(),
        "-b",
        "https://example.com/sub/",
        "-D",
        "-F",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = std::fs::read_to_string(output.join("index.html")).unwrap();
    assert!(
        home.contains(r#"href="/sub/2030/01/01/future/""#),
        "-b sets the base URL: {home}"
    );
    assert!(
        output.join("2023/03/01/draft/index.html").is_file(),
        "-D builds drafts"
    );
    assert!(
        output.join("2030/01/01/future/index.html").is_file(),
        "-F builds the future"
    );
    assert!(!site.root().join("public").exists(), "-o writes elsewhere");

    let run = versus(&["check", "--root", &root, "-D", "-F"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let help = versus(&["serve", "--help"]).stdout;
    for flag in ["-p, --port", "-D, --drafts", "-F, --future"] {
        assert!(help.contains(flag), "serve {flag}: {help}");
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let site = TestSite::new("basic");
    // Enough findings for more JSON than a pipe holds.
    let todos: String = (0..3_000).map(|i| format!("TODO number {i}\n\n")).collect();
    site.write(
        "content/posts/2024-01-01-todos.md",
        &format!("---\ntitle: Todos\n---\n{todos}"),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_versus"))
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `head` has read what it wanted and gone
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}

#[test]
fn completions_and_a_manual_page_from_the_command_line_definition() {
    let bash = versus(&["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert!(
        bash.stdout.contains("complete -F _versus"),
        "{}",
        bash.stdout
    );
    for command in ["build", "check", "serve", "init"] {
        assert!(bash.stdout.contains(command), "{command}");
    }
    let fish = versus(&["completions", "fish"]);
    assert!(
        fish.stdout.contains("complete -c versus"),
        "{}",
        fish.stdout
    );
    let man = versus(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH versus 1"), "{}", man.stdout);
    assert!(
        man.stdout
            .contains("static site generator for comparison blogs")
    );
    let unknown = versus(&["completions", "cmd.exe"]);
    assert_eq!(unknown.code, 2, "clap's usage error");
}

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

/// `versus args…` in `dir` with the given environment (colour variables are cleared first).
fn versus_env(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_versus"));
    command
        .env("SOURCE_DATE_EPOCH", crate::harness::TODAY.to_string())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .current_dir(dir)
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run versus").into()
}

/// The text without its ANSI escape sequences (`ESC [ … m`).
fn strip_escapes(text: &str) -> String {
    let mut plain = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        plain.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after.find('m').map_or(after.len(), |i| i + 1);
        rest = &after[end..];
    }
    plain.push_str(rest);
    plain
}

/// A site whose build warns (a placeholder title) and whose check finds warnings (a TODO)
/// and an error (a broken link).
fn warning_site() -> TestSite {
    let site = TestSite::new("basic");
    site.edit("site.yaml", "title: Fixture Blog", "title: My Site");
    site.write(
        "content/posts/2024-01-01-todo.md",
        "---\ntitle: Todo\n---\nTODO write this. See [the rest](/nowhere/).\n",
    );
    site
}

#[test]
fn quiet_prints_only_errors_on_every_command() {
    let site = warning_site();
    let root = site.root();
    let normal = versus_in(root, &["build"]);
    assert_eq!(normal.code, 0, "{}", normal.stderr);
    assert!(normal.stderr.contains("warning: `title` is a placeholder"));
    assert!(normal.stdout.starts_with("built "), "{}", normal.stdout);

    // The flag is global: before or after the command.
    for args in [
        &["build", "-q"][..],
        &["-q", "build"],
        &["build", "--quiet"],
    ] {
        let quiet = versus_in(root, args);
        assert_eq!(quiet.code, 0, "{args:?}: {}", quiet.stderr);
        assert_eq!(
            (quiet.stdout.as_str(), quiet.stderr.as_str()),
            ("", ""),
            "{args:?}"
        );
    }

    // check: the error, not the warnings, not the summary; JSON stays whole.
    let check = versus_in(root, &["check", "-q"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .starts_with("content/posts/2024-01-01-todo.md:4:33: error: broken link `/nowhere/`"),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("warning"), "{}", check.stdout);
    assert!(!check.stderr.contains("check:"), "{}", check.stderr);
    let strict = versus_in(root, &["check", "-q", "--strict"]);
    assert!(
        strict.stdout.contains("TODO left in the text [todo]"),
        "--strict: all are errors"
    );
    let json = versus_in(root, &["check", "-q", "--format", "json"]);
    assert!(json.stdout.contains(r#""kind": "todo""#), "{}", json.stdout);
    assert!(
        json.stdout.contains(r#""kind": "settings""#),
        "{}",
        json.stdout
    );

    // A failing build still says why.
    site.edit("layouts/post.html", "{{ page.title }}", "{{ page.title }");
    let failed = versus_in(root, &["build", "-q"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("layouts/post.html:"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains(": error: "), "{}", failed.stderr);
    assert!(!failed.stderr.contains("warning"), "{}", failed.stderr);

    // init and new: nothing to say when all went well.
    let temp = tempfile::tempdir().unwrap();
    let init = versus_in(temp.path(), &["init", "-q", "eks-vs-aks"]);
    assert_eq!(
        (init.code, init.stdout.as_str(), init.stderr.as_str()),
        (0, "", "")
    );
    let new = versus_in(
        &temp.path().join("eks-vs-aks"),
        &["new", "post", "Next", "-q"],
    );
    assert_eq!(
        (new.code, new.stdout.as_str(), new.stderr.as_str()),
        (0, "", "")
    );
    assert!(
        temp.path()
            .join("eks-vs-aks/content/posts/2026-11-25-next.md")
            .is_file()
    );
    let refused = versus_in(
        &temp.path().join("eks-vs-aks"),
        &["new", "post", "Next", "-q"],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("already exists"),
        "{}",
        refused.stderr
    );

    let both = versus_in(root, &["build", "-q", "-v"]);
    assert_eq!(both.code, 2, "-q and -v contradict: {}", both.stderr);
}

#[test]
fn verbose_prints_each_stage_with_its_counts() {
    let site = TestSite::new("basic");
    let root = site.root();
    let run = versus_in(root, &["build", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stage = |name: &str| -> Vec<(String, usize)> {
        let line = run
            .stderr
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} line in:\n{}", run.stderr));
        let (_, counts) = line.split_once(" ms  ").expect("`stage N ms  counts`");
        counts
            .split(", ")
            .map(|c| {
                let (what, n) = c.rsplit_once(' ').unwrap();
                (what.to_owned(), n.parse().unwrap())
            })
            .collect()
    };
    let count = |name: &str, what: &str| -> usize {
        stage(name)
            .into_iter()
            .find(|(w, _)| w == what)
            .unwrap_or_else(|| panic!("{name}: no {what}"))
            .1
    };
    // Two posts and the about page; one stylesheet; one code block in the first post.
    assert_eq!(count("scan", "content files"), 3);
    assert_eq!(count("scan", "static files"), 1);
    assert_eq!(count("read", "data files"), 1);
    assert_eq!(count("assemble", "posts"), 2);
    assert_eq!(count("render", "pages"), 3);
    assert_eq!(count("render", "code blocks highlighted"), 1);
    assert_eq!(count("render", "code blocks from the cache"), 0);
    // The site's stylesheet and the built-in search.js.
    assert_eq!(count("copy", "files"), 2);
    // The summary's pages are the rendered ones and the generated ones.
    let pages = count("render", "pages") + count("generate", "pages");
    assert!(
        run.stdout
            .starts_with(&format!("built {pages} pages, copied 2 files")),
        "{}",
        run.stdout
    );
    let files = walkdir::WalkDir::new(root.join("public"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(
        count("write", "files") + 1,
        files,
        "and the output's marker"
    );

    let again = versus_in(root, &["-v", "build"]);
    assert!(
        again
            .stderr
            .contains("code blocks from the cache 1, code blocks highlighted 0"),
        "{}",
        again.stderr
    );
    let check = versus_in(root, &["check", "--verbose"]);
    assert!(
        check
            .stderr
            .lines()
            .any(|l| l.trim_start().starts_with("check ")
                && l.ends_with("pages 3, errors 0, warnings 3")),
        "{}",
        check.stderr
    );
    let temp = tempfile::tempdir().unwrap();
    let init = versus_in(temp.path(), &["init", "-v", "s"]);
    assert!(
        init.stderr.contains("wrote s/site.yaml\n"),
        "{}",
        init.stderr
    );
    assert!(
        init.stderr.contains("wrote s/content/about.md\n"),
        "{}",
        init.stderr
    );
}

#[test]
fn colours_only_on_a_terminal_or_when_asked() {
    let site = warning_site();
    let root = site.root();
    let plain = versus_env(root, &[], &["build"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(
        !plain.stderr.contains('\u{1b}'),
        "a pipe gets no escapes: {:?}",
        plain.stderr
    );
    assert!(
        plain
            .stderr
            .starts_with("site.yaml:1:1: warning: `title` is a placeholder")
    );

    let always = versus_env(root, &[], &["build", "--color", "always"]);
    assert!(always.stderr.contains("\u{1b}["), "{:?}", always.stderr);
    let strip = |run: &Run| {
        strip_escapes(&run.stderr)
            .lines()
            .filter(|l| !l.starts_with("built"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&always),
        strip(&plain),
        "the same text under the colours"
    );

    let no_color = versus_env(root, &[("NO_COLOR", "1")], &["build"]);
    assert!(!no_color.stderr.contains('\u{1b}'), "{:?}", no_color.stderr);
    let no_color_force = versus_env(
        root,
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
        &["build"],
    );
    assert!(
        !no_color_force.stderr.contains('\u{1b}'),
        "NO_COLOR wins: {:?}",
        no_color_force.stderr
    );
    let forced = versus_env(root, &[("CLICOLOR_FORCE", "1")], &["build"]);
    assert!(forced.stderr.contains("\u{1b}["), "{:?}", forced.stderr);
    let asked = versus_env(root, &[("NO_COLOR", "1")], &["build", "--color=always"]);
    assert!(
        asked.stderr.contains("\u{1b}["),
        "the flag wins: {:?}",
        asked.stderr
    );
    let never = versus_env(
        root,
        &[("CLICOLOR_FORCE", "1")],
        &["build", "--color", "never"],
    );
    assert!(!never.stderr.contains('\u{1b}'), "{:?}", never.stderr);

    // check's findings on stdout: coloured when asked, JSON never.
    let check = versus_env(root, &[], &["check", "--color", "always"]);
    assert!(check.stdout.contains("\u{1b}["), "{:?}", check.stdout);
    assert!(
        strip_escapes(&check.stdout).contains(
            "content/posts/2024-01-01-todo.md:4:1: warning: TODO left in the text [todo]"
        ),
        "{}",
        check.stdout
    );
    let json = versus_env(
        root,
        &[],
        &["check", "--color", "always", "--format", "json"],
    );
    assert!(!json.stdout.contains('\u{1b}'), "{}", json.stdout);
    let bad = versus_env(root, &[], &["build", "--color", "sometimes"]);
    assert_eq!(bad.code, 2);

    // clap's own help and usage errors follow the flag too.
    let help = versus_env(root, &[], &["--color", "always", "build", "--help"]);
    assert!(help.stdout.contains("\u{1b}["), "{:?}", help.stdout);
    let usage = versus_env(root, &[], &["build", "--no-such-flag", "--color=always"]);
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.contains("\u{1b}["), "{:?}", usage.stderr);
    let forced_off = versus_env(
        root,
        &[("CLICOLOR_FORCE", "1")],
        &["build", "--bogus", "--color", "never"],
    );
    assert_eq!(forced_off.code, 2);
    assert!(
        !forced_off.stderr.contains('\u{1b}'),
        "{:?}",
        forced_off.stderr
    );
    assert!(
        forced_off.stderr.contains("--bogus"),
        "{}",
        forced_off.stderr
    );
}

/// A build that takes more than a second (it waits for another build's lock here) shows no
/// progress line when stderr is a pipe, as in CI logs.
#[test]
fn no_progress_line_in_a_pipe() {
    let site = TestSite::new("basic");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(site.root().join(".public.versus-lock"))
        .unwrap();
    lock.lock().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", crate::harness::TODAY.to_string())
        .args(["build", "--root"])
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    lock.unlock().unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "waiting for another build of {} to finish\n",
            site.root().join("public").display()
        ),
        "nothing but the wait"
    );
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    assert!(!run.stdout.contains(['\r', '\u{1b}']), "{:?}", run.stdout);
}

/// `serve -q` prints its address (the one way to learn a `--port 0`) and no rebuild lines.
#[test]
fn serve_quiet_prints_its_address_only() {
    use std::io::BufRead;
    let site = warning_site();
    let first_lines = |quiet: bool| -> (Vec<String>, String) {
        let mut args = vec!["serve", "--port", "0", "--root"];
        let root = site.root().to_str().unwrap();
        args.push(root);
        if quiet {
            args.push("-q");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_versus"))
            .env("SOURCE_DATE_EPOCH", crate::harness::TODAY.to_string())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            let serving = line.starts_with("serving ");
            lines.push(line);
            if serving {
                break;
            }
        }
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        (lines, String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (lines, stderr) = first_lines(false);
    assert!(lines[0].starts_with("initial build: "), "{lines:?}");
    assert!(
        stderr.contains("warning: `title` is a placeholder"),
        "{stderr}"
    );
    let (lines, stderr) = first_lines(true);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("serving http://127.0.0.1:"),
        "{lines:?}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// On a terminal (a pseudo-terminal here), a build that takes more than a second (it waits
/// for another build's lock) shows a progress line on stderr and clears it when done; `-q`
/// shows none.
#[cfg(target_os = "linux")]
#[test]
fn a_progress_line_on_a_terminal_cleared_at_the_end() {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};

    let site = TestSite::new("basic");
    let on_a_terminal = |args: &[&str]| -> (Run, String) {
        let quiet = args.contains(&"-q");
        let lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(site.root().join(".public.versus-lock"))
            .unwrap();
        lock.lock().unwrap();
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into the pointers given, which we then own.
        let made = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(made, 0, "openpty");
        // SAFETY: both descriptors are open and nothing else owns them.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let child = Command::new(env!("CARGO_BIN_EXE_versus"))
            .env("SOURCE_DATE_EPOCH", crate::harness::TODAY.to_string())
            .env("TERM", "xterm")
            .args(["build", "--root"])
            .arg(site.root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(slave))
            .spawn()
            .unwrap();
        // The child holds the only other end: reading stops when it exits.
        let (sent, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut master = std::fs::File::from(master);
            let mut chunk = [0u8; 4096];
            while let Ok(n) = master.read(&mut chunk) {
                if n == 0 || sent.send(chunk[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let wait_for = |text: &str, seen: &mut Vec<u8>| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !String::from_utf8_lossy(seen).contains(text) {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match received.recv_timeout(left) {
                    Ok(chunk) => seen.extend(chunk),
                    Err(_) => panic!("no {text:?} in {:?}", String::from_utf8_lossy(seen)),
                }
            }
        };
        // The build waits for the lock (saying so, unless quiet); its progress line starts a
        // second after it started.
        if quiet {
            std::thread::sleep(std::time::Duration::from_millis(1500));
        } else {
            wait_for("waiting for another build", &mut seen);
            wait_for("start 1s", &mut seen);
        }
        lock.unlock().unwrap();
        let run = Run::from(child.wait_with_output().unwrap());
        seen.extend(received.iter().flatten());
        (run, String::from_utf8_lossy(&seen).into_owned())
    };

    let (run, terminal) = on_a_terminal(&[]);
    assert_eq!(run.code, 0, "{terminal}");
    assert!(
        terminal.starts_with("waiting for another build of "),
        "{terminal:?}"
    );
    assert!(
        terminal.contains("start 1s"),
        "the line after a second: {terminal:?}"
    );
    assert!(
        terminal.ends_with("\r\u{1b}[2K"),
        "cleared at the end: {terminal:?}"
    );
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);

    let (run, terminal) = on_a_terminal(&["-q"]);
    assert_eq!(run.code, 0, "{terminal}");
    assert!(
        !terminal.contains("waiting"),
        "-q prints only errors: {terminal:?}"
    );
    assert!(
        !terminal.contains("start"),
        "no line under -q: {terminal:?}"
    );
    assert!(!terminal.contains('\u{1b}'), "{terminal:?}");
}

//! syntect's cost per line, as versus calls it (two-face's syntaxes, Oniguruma, class HTML).
//!
//!     cargo run --release -- normal FILE_OR_DIR...       fenced blocks of Markdown files
//!     cargo run --release -- long [MAX_KB] [LANG...]     one long line of each shape, 1..MAX_KB KB
//!     cargo run --release -- line LANG UNIT [MAX_KB [PREFIX]]   one shape of your own
//!     cargo run --release -- fuzz LANG TRIES [KB]        random short units repeated: the slowest
//!
//! Times are CPU time of the thread, so a busy machine changes them less than wall time. The
//! syntaxes are the ones versus uses, called the way versus calls them, but without versus's
//! highlight budget (src/highlight/budget.rs), which is what these figures choose. See
//! bench/README.md.

use std::time::Duration;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntax<'a>(set: &'a SyntaxSet, lang: &str) -> Option<&'a SyntaxReference> {
    let token = match lang {
        "shell" | "console" | "zsh" => "bash",
        "javascript" => "js",
        "typescript" => "ts",
        "yml" => "yaml",
        other => other,
    };
    set.find_syntax_by_token(token)
}

/// CPU time of this thread: the figures do not depend on what else the machine runs.
fn cpu_now() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write into; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Highlights `code`, returning the CPU time of each line.
fn highlight(set: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> Vec<Duration> {
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, style);
    let mut times = Vec::new();
    for line in LinesWithEndings::from(code) {
        let start = cpu_now();
        generator
            .parse_html_for_line_which_includes_newline(line)
            .expect("syntect parses");
        times.push(cpu_now() - start);
    }
    std::hint::black_box(generator.finalize());
    times
}

/// The fenced code blocks of a Markdown text: (language, code).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, String)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let fence = "```".to_owned();
                    let lang = info.split_whitespace().next().unwrap_or("").to_owned();
                    open = Some((fence, lang, String::new()));
                }
            }
            Some((fence, lang, code)) => {
                if trimmed.starts_with(fence.as_str()) && trimmed.trim_matches('`').is_empty() {
                    blocks.push((std::mem::take(lang), std::mem::take(code)));
                    open = None;
                } else {
                    code.push_str(line);
                    code.push('\n');
                }
            }
        }
    }
    blocks
}

fn markdown_files(path: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .expect("readable folder")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            markdown_files(&entry, out);
        }
    } else if path.extension().is_some_and(|e| e == "md") {
        out.push(path.to_owned());
    }
}

fn normal(set: &SyntaxSet, paths: &[String]) {
    let mut files = Vec::new();
    for path in paths {
        markdown_files(std::path::Path::new(path), &mut files);
    }
    // Per language: lines, bytes, total time, slowest line (time, bytes).
    let mut by_lang: std::collections::BTreeMap<String, (usize, usize, Duration, Duration, usize)> =
        Default::default();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable file");
        for (lang, code) in fenced_blocks(&text) {
            let Some(syntax) = syntax(set, &lang) else {
                continue;
            };
            if !by_lang.contains_key(&lang) {
                // Compiles the syntax's regexes (lazily, on first use) before the clock runs.
                highlight(set, syntax, &code);
            }
            let times = highlight(set, syntax, &code);
            let entry = by_lang.entry(lang).or_default();
            for (line, time) in LinesWithEndings::from(&code).zip(times) {
                entry.0 += 1;
                entry.1 += line.len();
                entry.2 += time;
                if time > entry.3 {
                    entry.3 = time;
                    entry.4 = line.len();
                }
            }
        }
    }
    println!("{} Markdown files", files.len());
    println!("| language | lines | KB | µs per line | µs per KB | slowest line (µs, bytes) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut all = (0, 0, Duration::ZERO);
    for (lang, (lines, bytes, total, slowest, slowest_len)) in &by_lang {
        all = (all.0 + lines, all.1 + bytes, all.2 + *total);
        println!(
            "| {lang} | {lines} | {:.0} | {:.1} | {:.0} | {:.0} µs, {slowest_len} B |",
            *bytes as f64 / 1024.0,
            total.as_secs_f64() * 1e6 / *lines as f64,
            total.as_secs_f64() * 1e6 / (*bytes as f64 / 1024.0),
            slowest.as_secs_f64() * 1e6,
        );
    }
    println!(
        "| all | {} | {:.0} | {:.1} | {:.0} | |",
        all.0,
        all.1 as f64 / 1024.0,
        all.2.as_secs_f64() * 1e6 / all.0 as f64,
        all.2.as_secs_f64() * 1e6 / (all.1 as f64 / 1024.0),
    );
}

/// Long single lines: (language, start of the line, the unit repeated after it).
const SHAPES: &[(&str, &str, &str)] = &[
    ("sh", "", "a\"b'c$(d"),
    ("sh", "", "a"),
    ("sh", "echo ", "word "),
    ("sh", "curl ", "--opt=value "),
    ("sh", "", "("),
    ("sh", "$(", "a"),
    ("sh", "--flag=", "a"),
    ("bash", "$(", "a"),
    ("yaml", "data: ", "TUlJQ2d6Q0NB"),
    ("yaml", "key: ", "value "),
    ("yaml", "", ":.|,"),
    ("json", "", "{\"a\": 1, \"b\": [1, 2]}, "),
    ("json", "\"", "a"),
    ("html", "", "<b>x</b>"),
    ("html", "<a ", "a=\"b\" "),
    ("markdown", "", "some words "),
    ("markdown", "", "*a* `b` "),
    ("markdown", "", "~"),
    ("js", "", "a=b(1);"),
    ("js", "", "a"),
    ("css", "", ".a{b:c}"),
    ("rust", "", "f(a, 1); "),
    ("python", "", "'a', 1, "),
    ("powershell", "", "-"),
];

fn long(set: &SyntaxSet, max_kb: usize, langs: &[String]) {
    let shapes: Vec<_> = SHAPES
        .iter()
        .copied()
        .filter(|(lang, _, _)| langs.is_empty() || langs.iter().any(|l| l == lang))
        .collect();
    long_shapes(set, max_kb, &shapes);
}

fn long_shapes(set: &SyntaxSet, max_kb: usize, shapes: &[(&str, &str, &str)]) {
    println!("| language | shape | 1 KB | 2 KB | 4 KB | 8 KB |");
    println!("|---|---|---:|---:|---:|---:|");
    for &(lang, prefix, unit) in shapes {
        let syntax = syntax(set, lang).expect("known language");
        // Compiles the syntax's regexes (lazily, on first use) before the clock runs.
        highlight(set, syntax, "x = \"a\" $(b) *c* ~d~\n");
        let shape = format!("{prefix}{unit}{unit}…").replace('|', "\\|");
        let mut row = format!("| {lang} | `{shape}` |");
        let mut kb = 1;
        while kb <= max_kb {
            let mut line = prefix.to_owned();
            line.push_str(&unit.repeat((kb * 1024 - prefix.len()) / unit.len()));
            line.push('\n');
            let time: Duration = highlight(set, syntax, &line).into_iter().sum();
            row.push_str(&format!(" {} |", seconds(time)));
            // Stop a shape once it passes a minute: the next size would take longer.
            if time > Duration::from_secs(60) {
                break;
            }
            kb *= 2;
        }
        println!("{row}");
    }
}

/// Random short units repeated to KB kilobytes; prints the slow ones (xorshift, seed fixed).
fn fuzz(set: &SyntaxSet, lang: &str, tries: usize, kb: usize) {
    const ALPHABET: &[u8] = b"ab1 \"'$(){}[]\\|&;<>=#*?~`-,./:+%!@^\t";
    let syntax = syntax(set, lang).expect("known language");
    highlight(set, syntax, "x\n");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut worst: Vec<(Duration, String)> = Vec::new();
    for _ in 0..tries {
        let len = 1 + (next() % 8) as usize;
        let unit: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
            .collect();
        let mut line = unit.repeat(kb * 1024 / unit.len());
        line.push('\n');
        let time: Duration = highlight(set, syntax, &line).into_iter().sum();
        worst.push((time, unit));
    }
    worst.sort_by_key(|w| std::cmp::Reverse(w.0));
    for (time, unit) in worst.iter().take(15) {
        println!("{} {unit:?}", seconds(*time));
    }
}

fn seconds(time: Duration) -> String {
    let s = time.as_secs_f64();
    if s < 0.01 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let set = two_face::syntax::extra_newlines();
    match args.first().map(String::as_str) {
        Some("normal") => normal(&set, &args[1..]),
        Some("line") if args.len() >= 3 => {
            // One shape of your own: highlight-cost line LANG UNIT [MAX_KB [PREFIX]]
            let max_kb = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(8);
            let prefix = args.get(4).map_or("", String::as_str);
            long_shapes(&set, max_kb, &[(&args[1], prefix, &args[2])]);
        }
        Some("fuzz") if args.len() >= 3 => {
            let tries = args[2].parse().expect("a number of tries");
            fuzz(
                &set,
                &args[1],
                tries,
                args.get(3).and_then(|a| a.parse().ok()).unwrap_or(2),
            );
        }
        Some("long") => {
            let max_kb = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
            long(&set, max_kb, args.get(2..).unwrap_or(&[]));
        }
        _ => {
            eprintln!(
                "usage: highlight-cost normal FILE_OR_DIR... | long [MAX_KB] [LANG...] | line LANG UNIT [MAX_KB [PREFIX]] | fuzz LANG TRIES [KB]"
            );
            std::process::exit(2);
        }
    }
}

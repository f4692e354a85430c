//! Highlights a file with versus's highlighter and prints the inner HTML of its `<code>`, as a
//! page would hold it. Used by `bench/rouge-agreement/` to compare with Rouge.
//!
//! ```text
//! cargo run --example highlight -- [--rouge] LANG FILE
//! cargo run --example highlight -- --scopes LANG FILE
//! ```
//!
//! `--scopes` prints syntect's scope stack for each run of text instead, one run a line
//! (`START END SCOPES`, in characters), to see which scopes a Rouge class should come from.

use std::io::Write;
use std::process::ExitCode;

use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use versus::highlight::{Classes, highlight_with};

const USAGE: &str = "usage: highlight [--rouge | --scopes] LANG FILE";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some(flag @ ("--rouge" | "--scopes")) => {
            let flag = flag.to_owned();
            args.remove(0);
            flag
        }
        _ => String::new(),
    };
    let [lang, path] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let code = match std::fs::read_to_string(path) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{path}: {err}");
            return ExitCode::from(2);
        }
    };
    if mode == "--scopes" {
        return print_scopes(lang, &code);
    }
    let classes = if mode == "--rouge" {
        Classes::Rouge
    } else {
        Classes::Versus(versus::highlight::Palette::default_themes())
    };
    match highlight_with(lang, &code, classes) {
        Ok(html) => {
            print!("{html}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{path}: {lang}: {err}");
            ExitCode::from(1)
        }
    }
}

/// The scope stacks of `code`, from the syntaxes versus uses (two-face's). The fence tokens
/// syntect does not know itself are those of the benchmark's samples.
fn print_scopes(lang: &str, code: &str) -> ExitCode {
    let syntaxes: SyntaxSet = two_face::syntax::extra_newlines();
    let token = match lang {
        "typescript" => "ts",
        "javascript" => "js",
        "terraform" => "hcl",
        other => other,
    };
    let Some(syntax) = syntaxes.find_syntax_by_token(token) else {
        eprintln!("no syntax for {lang}");
        return ExitCode::from(1);
    };
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut offset = 0;
    let mut out = String::new();
    for line in code.split_inclusive('\n') {
        let Ok(ops) = state.parse_line(line, &syntaxes) else {
            eprintln!("the grammar could not parse the code");
            return ExitCode::from(1);
        };
        let mut start = 0;
        let mut run = |stack: &ScopeStack, text: &str| {
            let chars = text.chars().count();
            if chars > 0 {
                let scopes: Vec<String> =
                    stack.as_slice().iter().map(ToString::to_string).collect();
                out.push_str(&format!(
                    "{offset} {} {}\n",
                    offset + chars,
                    scopes.join(" ")
                ));
                offset += chars;
            }
        };
        for (at, op) in ops {
            run(&stack, &line[start..at]);
            start = at;
            if stack.apply(&op).is_err() {
                eprintln!("the grammar gave a bad scope operation");
                return ExitCode::from(1);
            }
        }
        run(&stack, &line[start..]);
    }
    // A closed pipe (`| head`) is not an error of the tool.
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

//! Highlights a file with versus's highlighter and prints the inner HTML of its `<code>`, as a
//! page would hold it. Used by `bench/rouge-agreement/` to compare with Rouge.
//!
//! ```text
//! cargo run --example highlight -- [--rouge] LANG FILE
//! ```

use std::process::ExitCode;

use versus::highlight::{Classes, highlight_with};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let classes = match args.first().map(String::as_str) {
        Some("--rouge") => {
            args.remove(0);
            Classes::Rouge
        }
        _ => Classes::Versus,
    };
    let [lang, path] = args.as_slice() else {
        eprintln!("usage: highlight [--rouge] LANG FILE");
        return ExitCode::from(2);
    };
    let code = match std::fs::read_to_string(path) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{path}: {err}");
            return ExitCode::from(2);
        }
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

//! What the command prints: lines on stdout, diagnostics on stderr.

use versus::diag::Diagnostic;
use versus::pipeline::BuildOptions;

/// A line on stdout. A reader that went away (`versus check --format json | head`) ends the
/// output quietly instead of with a panic.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{text}").and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the output: {e}");
    }
}

pub fn print_diagnostics(diagnostics: &[Diagnostic], options: &BuildOptions) {
    for diagnostic in diagnostics {
        let shown = diagnostic.clone().relative_to(&options.root);
        let gap = if shown.is_error() { "\n" } else { "" };
        eprintln!("{}{gap}", shown.render());
    }
}

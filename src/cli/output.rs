//! What the command prints: results on stdout, diagnostics and notes on stderr, as much as
//! `-q`/`-v` ask for and coloured as `--color` (and NO_COLOR, CLICOLOR_FORCE) decide.

use std::path::Path;

use anstyle::{AnsiColor, Style};
use versus::diag::{Diagnostic, Paint, Part};

use super::args::ColorWhen;

/// How much the command says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    Normal,
    /// `-v`: the stages of a build too.
    Verbose,
}

/// The command's voice: its verbosity and the colours of each stream.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub verbosity: Verbosity,
    /// Diagnostics on stdout (`versus check`'s findings).
    pub stdout: Colours,
    /// Diagnostics, notes and `--verbose` lines on stderr.
    pub stderr: Colours,
}

impl Output {
    pub fn new(quiet: bool, verbose: bool, color: ColorWhen) -> Output {
        let verbosity = match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        };
        Output {
            verbosity,
            stdout: Colours::new(color, &std::io::stdout()),
            stderr: Colours::new(color, &std::io::stderr()),
        }
    }

    pub fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    pub fn verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// A result line on stdout (a summary, a next step), unless quiet.
    pub fn say(&self, text: &str) {
        if !self.quiet() {
            out(text);
        }
    }

    /// A note on stderr (a summary line), unless quiet.
    pub fn note(&self, text: &str) {
        if !self.quiet() {
            eprintln!("{text}");
        }
    }

    /// Diagnostics on stderr, paths relative to `root`; warnings are left out when quiet.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic], root: &Path) {
        for diagnostic in diagnostics {
            if !diagnostic.is_error() && self.quiet() {
                continue;
            }
            let shown = diagnostic.clone().relative_to(root);
            let gap = if shown.is_error() { "\n" } else { "" };
            eprintln!("{}{gap}", shown.render_with(&self.stderr));
        }
    }
}

/// Colours on one stream, or none (then the text is exactly the plain diagnostic).
#[derive(Debug, Clone, Copy)]
pub struct Colours {
    pub on: bool,
}

impl Colours {
    /// `auto` asks anstream, as clap does: never with NO_COLOR set, always with
    /// CLICOLOR_FORCE, otherwise on a terminal that shows colours.
    fn new<S: anstream::stream::RawStream>(when: ColorWhen, stream: &S) -> Colours {
        let on = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
        };
        Colours { on }
    }

    /// `text` in `style`, when colours are on.
    pub fn styled(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
}

/// rustc's colours: bold locations and messages, red errors, yellow warnings, blue gutters.
impl Paint for Colours {
    fn paint(&self, part: Part, text: &str) -> String {
        let bold = Style::new().bold();
        let style = match part {
            Part::Location | Part::Message => bold,
            Part::Error | Part::Caret => bold.fg_color(Some(AnsiColor::BrightRed.into())),
            Part::Warning => bold.fg_color(Some(AnsiColor::BrightYellow.into())),
            Part::Gutter => bold.fg_color(Some(AnsiColor::BrightBlue.into())),
            Part::Help => bold.fg_color(Some(AnsiColor::BrightCyan.into())),
        };
        self.styled(style, text)
    }
}

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

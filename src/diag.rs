//! Diagnostics: where something went wrong, and the one format users see.
//!
//! Every stage reports problems as [`Diagnostic`]s and keeps going, so a build shows all its
//! errors at once; `main` sorts and prints them with [`Diagnostic::render`].

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of failure a problem is, for the exit code: something to fix in a file (1), or a
/// file that cannot be read at all (2, with the usage errors: no line of it is at fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cause {
    #[default]
    Content,
    Unreadable,
}

/// One problem with an input file, at a 1-based line and column (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub cause: Cause,
    pub message: String,
    pub help: Option<String>,
    /// The source line the position points into, shown under the message.
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: 0,
            col: 0,
            severity: Severity::Error,
            cause: Cause::Content,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    /// An error about a file that could not be read (not a regular file, an I/O error).
    pub fn unreadable(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            cause: Cause::Unreadable,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Places the diagnostic at `line:col` (1-based) of `source`, keeping that line as snippet.
    pub fn at(mut self, source: &str, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col;
        self.snippet = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned);
        self
    }

    /// Places the diagnostic at a byte offset of `source`. Reads only the text before the
    /// offset and its line, with no index: a file with thousands of problems stays linear-ish.
    pub fn at_offset(mut self, source: &str, offset: usize) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        self.col = before[line_start..].chars().count() + 1;
        self.snippet = (line_start < source.len()).then(|| {
            let line = source[line_start..].split('\n').next().unwrap_or("");
            line.strip_suffix('\r').unwrap_or(line).to_owned()
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether this is an error about a file that could not be read.
    pub fn is_unreadable(&self) -> bool {
        self.is_error() && self.cause == Cause::Unreadable
    }

    /// Shows paths relative to `root`, as the user typed them in the site folder.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }

    /// `path:line:col: message (help)` on one line: how unit tests compare diagnostics.
    pub fn one_line(&self) -> String {
        let help = self
            .help
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        format!(
            "{}:{}:{}: {}{help}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )
    }

    /// `path:line:col: error: message`, then the source line with a caret and a `help:` line.
    pub fn render(&self) -> String {
        self.render_with(&Plain)
    }

    /// [`render`](Diagnostic::render) with each part passed through `paint` (the binary
    /// colours them on a terminal); with [`Plain`] the text is exactly `render`'s.
    pub fn render_with(&self, paint: &dyn Paint) -> String {
        let (level, level_part) = match self.severity {
            Severity::Error => ("error:", Part::Error),
            Severity::Warning => ("warning:", Part::Warning),
        };
        let mut out = format!(
            "{} {} {}",
            paint.paint(Part::Location, &format!("{}:", self.location())),
            paint.paint(level_part, level),
            paint.paint(Part::Message, &self.message)
        );
        // Warnings stay on one line: a build may list many (stale claims), errors are few.
        let snippet = self.snippet.as_ref().filter(|_| self.is_error());
        if let Some(snippet) = snippet {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let caret_at: String = snippet
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let bar = paint.paint(Part::Gutter, &format!("{pad} |"));
            let numbered = paint.paint(Part::Gutter, &format!("{gutter} |"));
            let caret = paint.paint(Part::Caret, "^");
            out.push_str(&format!(
                "\n{bar}\n{numbered} {snippet}\n{bar} {caret_at}{caret}"
            ));
        }
        if let Some(help) = &self.help {
            let label = paint.paint(Part::Help, "= help:");
            out.push_str(&format!("\n  {label} {help}"));
        }
        out
    }

    /// `path:line:col`, or the path alone when the position is unknown.
    fn location(&self) -> String {
        if self.line > 0 {
            format!("{}:{}:{}", self.path.display(), self.line, self.col.max(1))
        } else {
            self.path.display().to_string()
        }
    }
}

/// The parts of a rendered diagnostic, for [`Paint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `path:line:col:`
    Location,
    /// `error:`
    Error,
    /// `warning:`
    Warning,
    Message,
    /// The ` |` column and line number before the source line.
    Gutter,
    /// The `^` under the position.
    Caret,
    /// `= help:`
    Help,
}

/// Dresses the parts of a diagnostic (terminal colours, in the binary).
pub trait Paint: fmt::Debug + Send + Sync {
    fn paint(&self, part: Part, text: &str) -> String;
}

/// The plain text every editor and test parses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Paint for Plain {
    fn paint(&self, _part: Part, text: &str) -> String {
        text.to_owned()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {level}: {}", self.location(), self.message)
    }
}

/// Sorts diagnostics by file and position, so output is stable whatever the thread order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
}

/// Byte offsets to 1-based line and column (columns count characters, as editors do).
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// The closest candidate to a misspelt name, for a "did you mean" help line: at most one edit
/// (a transposition counts as one) per three characters.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let allowed = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_offset_agrees_with_the_line_index_everywhere() {
        let source = "a: 1\r\nbé: [x\n\n  ünï: \"y\"\nlast";
        let index = LineIndex::new(source);
        for offset in 0..=source.len() + 2 {
            let placed = Diagnostic::error("f", "m").at_offset(source, offset);
            let at = offset.min(source.len());
            let Some(boundary) = (0..=at).rev().find(|&o| source.is_char_boundary(o)) else {
                unreachable!()
            };
            let (line, col) = index.line_col(boundary);
            let expected = Diagnostic::error("f", "m").at(source, line, col);
            assert_eq!(
                (placed.line, placed.col, &placed.snippet),
                (expected.line, expected.col, &expected.snippet),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(1), (1, 2));
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(5), (2, 2)); // after the two-byte ç
        assert_eq!(index.line_col(7), (3, 1));
        assert_eq!(index.line_col(8), (4, 1));
        assert_eq!(index.line_col(99), (4, 2));
    }

    #[test]
    fn render_shows_position_source_line_and_help() {
        let d = Diagnostic::error("content/a.md", "unknown layout `postt`")
            .at("---\nlayout: postt\n---\n", 2, 9)
            .with_help("did you mean `post`?");
        assert_eq!(
            d.render(),
            "content/a.md:2:9: error: unknown layout `postt`\n  |\n2 | layout: postt\n  |         ^\n  = help: did you mean `post`?"
        );
    }

    /// Each part goes through the painter, and nothing but the parts changes.
    #[test]
    fn render_with_paints_each_part_and_keeps_the_text() {
        #[derive(Debug)]
        struct Brackets;
        impl Paint for Brackets {
            fn paint(&self, part: Part, text: &str) -> String {
                format!("<{part:?}>{text}</>")
            }
        }
        let d = Diagnostic::error("content/a.md", "unknown layout `postt`")
            .at("---\nlayout: postt\n---\n", 2, 9)
            .with_help("did you mean `post`?");
        assert_eq!(
            d.render_with(&Brackets),
            "<Location>content/a.md:2:9:</> <Error>error:</> <Message>unknown layout `postt`</>\n<Gutter>  |</>\n<Gutter>2 |</> layout: postt\n<Gutter>  |</>         <Caret>^</>\n  <Help>= help:</> did you mean `post`?"
        );
        let w = Diagnostic::warning("site.yaml", "no `title`");
        assert_eq!(
            w.render_with(&Brackets),
            "<Location>site.yaml:</> <Warning>warning:</> <Message>no `title`</>"
        );
        assert_eq!(w.render(), w.to_string());
    }

    #[test]
    fn did_you_mean_finds_near_names_only() {
        assert_eq!(did_you_mean("postt", ["page", "post"]), Some("post"));
        assert_eq!(did_you_mean("zzz", ["page", "post"]), None);
        assert_eq!(did_you_mean("ask", ["eks", "aks"]), Some("aks"));
        assert_eq!(
            did_you_mean("defualt", ["default", "none"]),
            Some("default")
        );
    }
}

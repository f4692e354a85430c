//! Build-time syntax highlighting with syntect.
//!
//! Code is marked up with CSS classes, never inline styles, so one stylesheet can switch
//! between a light and a dark theme. Two class styles exist (see [`Classes`]): our own
//! `hl-`-prefixed scope classes (stylesheet: [`theme_css`]), and Rouge's short token classes,
//! so that a Jekyll theme's existing stylesheet keeps working (or [`rouge_theme_css`]).
//!
//! The parts: [`sets`] (the syntaxes and themes, and finding them by name), [`budget`] (how
//! much code one block may hold and take), [`rouge`] (the Rouge-class markup), [`cache`]
//! (highlighted blocks kept on disk), [`contrast`] (theme colours made to read at WCAG AA) and
//! [`css`] (the stylesheets).

mod budget;
mod cache;
mod contrast;
mod css;
mod rouge;
mod sets;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxReference;
use syntect::util::LinesWithEndings;

use budget::Deadline;
pub use budget::{MAX_BLOCK_BYTES, MAX_LINE_BYTES, MAX_SECONDS, OverBudget};
pub use cache::DiskCache;
pub use css::{rouge_theme_css, theme_css};
use rouge::highlight_rouge;
use sets::{SYNTAXES, find_syntax};
pub use sets::{UnknownTheme, theme_names};

/// The class prefix shared by the generated markup and the stylesheet.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Which CSS classes highlighted code is marked up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Classes {
    /// Nested spans with `hl-`-prefixed TextMate scope classes, styled by [`theme_css`].
    #[default]
    Versus,
    /// Flat spans with Rouge's (and Pygments') short token classes, such as `k` or `s2`, as
    /// Jekyll writes them, so the `.highlight .k` rules of a Jekyll theme apply.
    Rouge,
}

impl Classes {
    /// A stable name and revision of the markup, part of the disk cache key: a change to a
    /// style's markup raises its revision, so blocks cached before are highlighted again.
    fn name(self) -> &'static str {
        match self {
            Classes::Versus => "versus",
            // 2: the Rouge classes of `bench/rouge-agreement/` (per-language rules, lexicons).
            Classes::Rouge => "rouge-2",
        }
    }
}

/// Why code was not highlighted; it is then written plain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotHighlighted {
    /// No language, or one no syntax knows: plain, as expected, without a word.
    #[error("no syntax for this language")]
    UnknownLanguage,
    /// syntect could not parse the code with the grammar.
    #[error("the grammar could not parse the code")]
    Failed,
    /// Too expensive to highlight: the author should hear of it.
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// Highlights `code` written in the language `lang` (a fence token such as `rs`
/// or `bash`), returning the inner HTML for a `<code>` element, or why to render it plain.
pub fn highlight(lang: &str, code: &str) -> Result<String, NotHighlighted> {
    highlight_with(lang, code, Classes::Versus)
}

/// [`highlight`] with the given class style.
pub fn highlight_with(lang: &str, code: &str, classes: Classes) -> Result<String, NotHighlighted> {
    check_size(lang, code)?;
    let syntax = find_syntax(lang).ok_or(NotHighlighted::UnknownLanguage)?;
    highlight_checked(syntax, code, classes)
}

/// Highlights code that passed [`check_size`], within the time budget.
fn highlight_checked(
    syntax: &SyntaxReference,
    code: &str,
    classes: Classes,
) -> Result<String, NotHighlighted> {
    let mut deadline = Deadline::start();
    match classes {
        Classes::Versus => highlight_versus(syntax, code, &mut deadline),
        Classes::Rouge => highlight_rouge(syntax, code, &mut deadline),
    }
}

/// The size budget, checked before any highlighting and before the disk cache is read, so an
/// over-budget block is reported on every build. Code in no known language is plain anyway, so
/// it is not reported.
fn check_size(lang: &str, code: &str) -> Result<(), NotHighlighted> {
    budget::check_size(code).map_err(|over| match find_syntax(lang) {
        Some(_) => NotHighlighted::OverBudget(over),
        None => NotHighlighted::UnknownLanguage,
    })
}

fn highlight_versus(
    syntax: &SyntaxReference,
    code: &str,
    deadline: &mut Deadline,
) -> Result<String, NotHighlighted> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .map_err(|_| NotHighlighted::Failed)?;
        deadline.line_done()?;
    }
    Ok(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_leave_plain_highlight_unchanged() {
        let code = "fn main() {}\n";
        assert_eq!(
            highlight_with("rust", code, Classes::Versus),
            highlight("rust", code)
        );
        assert_eq!(
            highlight_with("no-such-language", code, Classes::Rouge),
            Err(NotHighlighted::UnknownLanguage)
        );
    }

    #[test]
    fn rust_code_gets_prefixed_spans() {
        let html = highlight("rust", "fn main() {\n    let x = 1;\n}\n").expect("rust is known");
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("main"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn aliases_and_case_are_accepted() {
        for lang in [
            "rs",
            "RUST",
            "yaml",
            "yml",
            "sh",
            "bash",
            "shell",
            "console",
            "hcl",
            "terraform",
            "tf",
            "dockerfile",
            "Dockerfile",
            "toml",
            "json",
            "powershell",
            "ts",
            "typescript",
            "python",
            "js",
            "html",
            "css",
            "go",
            "sql",
        ] {
            assert!(highlight(lang, "x = 1\n").is_ok(), "{lang}");
        }
    }

    #[test]
    fn html_in_code_is_escaped() {
        let html = highlight("rust", "let s = \"<b>&</b>\";").expect("rust is known");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_language_gives_none() {
        assert_eq!(
            highlight("no-such-language", "x"),
            Err(NotHighlighted::UnknownLanguage)
        );
        assert_eq!(highlight("", "x"), Err(NotHighlighted::UnknownLanguage));
    }
}

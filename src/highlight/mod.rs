//! Build-time syntax highlighting with syntect.
//!
//! Code is marked up with CSS classes, never inline styles, so one stylesheet can switch
//! between a light and a dark theme. Two class styles exist (see [`Classes`]): our own short
//! classes, one flat span per run of text that both themes style alike ([`markup`], named by
//! [`palette`]; stylesheet: [`theme_css`]), and Rouge's short token classes, so that a Jekyll
//! theme's existing stylesheet keeps working (or [`rouge_theme_css`]).
//!
//! The parts: [`sets`] (the syntaxes and themes, and finding them by name), [`budget`] (how
//! much code one block may hold and take), [`palette`] and [`markup`] (versus's markup),
//! [`rouge`] (the Rouge-class markup), [`cache`] (highlighted blocks kept on disk),
//! [`contrast`] (theme colours made to read at WCAG AA) and [`css`] (the stylesheets).

mod budget;
mod cache;
mod contrast;
mod css;
mod markup;
mod palette;
mod rouge;
mod sets;

use syntect::parsing::SyntaxReference;

use budget::Deadline;
pub use budget::{MAX_BLOCK_BYTES, MAX_LINE_BYTES, MAX_SECONDS, OverBudget};
pub use cache::{DiskCache, prune_entries};
pub use css::{rouge_theme_css, theme_css};
use markup::highlight_versus;
pub use palette::Palette;
use rouge::highlight_rouge;
use sets::find_syntax;
pub use sets::{UnknownTheme, theme_names};

/// Which CSS classes highlighted code is marked up with.
#[derive(Debug, Clone, Copy)]
pub enum Classes<'p> {
    /// Flat spans with versus's short classes for the palette's two themes, styled by
    /// [`theme_css`] for the same themes.
    Versus(&'p Palette),
    /// Flat spans with Rouge's (and Pygments') short token classes, such as `k` or `s2`, as
    /// Jekyll writes them, so the `.highlight .k` rules of a Jekyll theme apply.
    Rouge,
}

impl Classes<'_> {
    /// What the markup depends on besides the code, part of the disk cache key: the class
    /// style, its markup version (raised whenever the HTML for the same code changes, so no
    /// older entry is served) and, for versus's classes, the fingerprint of the two themes.
    fn key_parts(&self) -> Vec<&str> {
        match self {
            Classes::Versus(palette) => {
                vec!["versus", "markup 2", palette.fingerprint()]
            }
            // 2: the Rouge classes of `bench/rouge-agreement/` (per-language rules, lexicons).
            Classes::Rouge => vec!["rouge-2"],
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
/// Coloured for the default themes (see [`Palette::default_themes`]).
pub fn highlight(lang: &str, code: &str) -> Result<String, NotHighlighted> {
    highlight_with(lang, code, Classes::Versus(Palette::default_themes()))
}

/// [`highlight`] with the given class style.
pub fn highlight_with(
    lang: &str,
    code: &str,
    classes: Classes<'_>,
) -> Result<String, NotHighlighted> {
    check_size(lang, code)?;
    let syntax = find_syntax(lang).ok_or(NotHighlighted::UnknownLanguage)?;
    highlight_checked(syntax, code, classes)
}

/// Highlights code that passed [`check_size`], within the time budget.
fn highlight_checked(
    syntax: &SyntaxReference,
    code: &str,
    classes: Classes<'_>,
) -> Result<String, NotHighlighted> {
    let mut deadline = Deadline::start();
    match classes {
        Classes::Versus(palette) => highlight_versus(syntax, code, palette, &mut deadline),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_leave_plain_highlight_unchanged() {
        let code = "fn main() {}\n";
        assert_eq!(
            highlight_with("rust", code, Classes::Versus(Palette::default_themes())),
            highlight("rust", code)
        );
        assert_eq!(
            highlight_with("no-such-language", code, Classes::Rouge),
            Err(NotHighlighted::UnknownLanguage)
        );
    }

    #[test]
    fn rust_code_gets_short_classes() {
        let html = highlight("rust", "fn main() {\n    let x = 1;\n}\n").expect("rust is known");
        assert!(html.starts_with("<span class=\"l"), "{html}");
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

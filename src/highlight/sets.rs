//! The syntaxes and themes two-face bundles, loaded once, and finding them by name.

use std::sync::LazyLock;

use syntect::highlighting::Theme;
use syntect::parsing::{SyntaxReference, SyntaxSet};
use two_face::theme::LazyThemeSet;

/// Loaded once and shared by all threads: unpacking the dump is expensive.
pub(super) static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Themes are deserialised one by one on first use, so loading the set is cheap.
static THEMES: LazyLock<LazyThemeSet> =
    LazyLock::new(|| LazyThemeSet::from(two_face::theme::extra()));

/// A theme name that is not among [`theme_names`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown highlighting theme `{name}` (known themes: {})", known.join(", "))]
pub struct UnknownTheme {
    /// The name as it was asked for.
    pub name: String,
    /// Every theme name that would have worked, for a "did you mean".
    pub known: Vec<String>,
}

/// Finds a syntax by fence token, trying common aliases that syntect's own
/// extension and name lookup does not know.
pub(super) fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_lowercase();
    if lang.is_empty() {
        return None;
    }
    let token = match lang.as_str() {
        "shell" | "console" | "shell-session" | "zsh" | "terminal" => "bash",
        "terraform" | "tf" => "hcl",
        "docker" => "dockerfile",
        "ps" | "ps1" | "pwsh" => "powershell",
        "typescript" => "ts",
        "javascript" => "js",
        "yml" => "yaml",
        other => other,
    };
    SYNTAXES
        .find_syntax_by_token(token)
        .or_else(|| SYNTAXES.find_syntax_by_token(&lang))
        .or_else(|| {
            // Some names contain spaces or capitals ("Bourne Again Shell (bash)").
            SYNTAXES
                .syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&lang))
        })
}

/// The names accepted by [`theme_css`], sorted.
pub fn theme_names() -> Vec<String> {
    THEMES.theme_names().map(str::to_owned).collect()
}

pub(super) fn unknown_theme(name: &str) -> UnknownTheme {
    UnknownTheme {
        name: name.to_owned(),
        known: theme_names(),
    }
}

pub(super) fn find_theme(name: &str) -> Result<&'static Theme, UnknownTheme> {
    THEMES.get(name).ok_or_else(|| unknown_theme(name))
}

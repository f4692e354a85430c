//! Build-time syntax highlighting with syntect.
//!
//! Code is marked up with `hl-`-prefixed CSS classes, never inline styles, so one
//! stylesheet (see [`theme_css`]) can switch between a light and a dark theme.

use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::LazyThemeSet;

/// The class prefix shared by the generated markup and the stylesheet.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Loaded once and shared by all threads: unpacking the dump is expensive.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

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

/// Highlights `code` written in the language `lang` (a fence token such as `rs`
/// or `bash`), returning the inner HTML for a `<code>` element.
///
/// `None` means "render it plain": the language is unknown or syntect failed.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = find_syntax(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Finds a syntax by fence token, trying common aliases that syntect's own
/// extension and name lookup does not know.
fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
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

/// Highlighted code kept on disk between builds, one small file per block, named by a hash of
/// the versus version, the language and the code. Highlighting is most of a build's work;
/// with the cache, a rebuild highlights only the blocks that changed. Files are written
/// atomically (temp file, then rename), so concurrent builds never read half an entry.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: std::path::PathBuf,
}

impl DiskCache {
    pub fn new(dir: impl Into<std::path::PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// [`highlight`], from the cache when this block was highlighted before.
    pub fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        let mut hasher = blake3::Hasher::new();
        for part in [env!("CARGO_PKG_VERSION"), lang, code] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        let path = self.dir.join(&key[..2]).join(&key[2..]);
        if let Ok(html) = std::fs::read_to_string(&path) {
            return Some(html);
        }
        let html = highlight(lang, code)?;
        // A cache that cannot be written only costs speed.
        if let Some(parent) = path.parent() {
            let temp = path.with_extension(format!("tmp-{}", std::process::id()));
            let written = std::fs::create_dir_all(parent)
                .and_then(|()| std::fs::write(&temp, &html))
                .and_then(|()| std::fs::rename(&temp, &path));
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
        }
        Some(html)
    }
}

/// One stylesheet: each theme's classes inside its own `prefers-color-scheme` media query, so
/// no rule of the light theme outranks the dark one. The theme's background and text colour
/// (`.hl-code`) also apply to our `<pre class="highlight">` blocks.
pub fn theme_css(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    let light_css = css_for(light)?;
    let dark_css = css_for(dark)?;
    let mut css = String::with_capacity(light_css.len() + dark_css.len() + 128);
    for (query, theme) in [
        ("not all and (prefers-color-scheme: dark)", light_css),
        ("(prefers-color-scheme: dark)", dark_css),
    ] {
        css.push_str(&format!("@media {query} {{\n"));
        css.push_str(&theme.replace(".hl-code {", "pre.highlight, .hl-code {"));
        css.push_str("}\n");
    }
    Ok(css)
}

/// The names accepted by [`theme_css`], sorted.
pub fn theme_names() -> Vec<String> {
    THEMES.theme_names().map(str::to_owned).collect()
}

fn css_for(name: &str) -> Result<String, UnknownTheme> {
    let unknown = || UnknownTheme {
        name: name.to_owned(),
        known: theme_names(),
    };
    let theme = THEMES.get(name).ok_or_else(unknown)?;
    // Only fails on a theme whose scopes cannot be written as CSS; report it as unusable.
    css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|_| unknown())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(highlight(lang, "x = 1\n").is_some(), "{lang}");
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
        assert_eq!(highlight("no-such-language", "x"), None);
        assert_eq!(highlight("", "x"), None);
    }

    #[test]
    fn css_has_both_themes_and_media_query() {
        let css = theme_css("InspiredGitHub", "base16-ocean.dark").expect("known themes");
        let media = css
            .find("@media (prefers-color-scheme: dark) {")
            .expect("media query");
        assert!(css[..media].contains(".hl-"), "light part has classes");
        assert!(css[media..].contains(".hl-"), "dark part has classes");
        assert!(css.trim_end().ends_with('}'));
        // The two themes differ, so the halves differ.
        let light = theme_css("InspiredGitHub", "InspiredGitHub").expect("known");
        assert_ne!(css, light);
    }

    #[test]
    fn unknown_theme_errors_with_known_names() {
        let err = theme_css("InspiredGitHub", "nope").expect_err("unknown dark theme");
        assert_eq!(err.name, "nope");
        assert!(err.known.iter().any(|n| n == "base16-ocean.dark"));
        assert!(err.to_string().contains("nope"));
        assert!(theme_names().iter().any(|n| n == "InspiredGitHub"));
    }
}

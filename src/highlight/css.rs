//! The stylesheets: versus's short classes, or Rouge's classes, for a light and a dark theme.

use syntect::highlighting::{FontStyle, Highlighter, Theme};
use syntect::parsing::Scope;

use super::contrast::{readable_on, readable_theme};
use super::palette::{Palette, css_color};
use super::sets::{UnknownTheme, find_theme};

/// One stylesheet: each theme's rules inside its own `prefers-color-scheme` media query, so
/// no rule of the light theme outranks the dark one: `pre.highlight` gets the theme's text
/// colour and background, and each class token of [`Palette`] its colour or font.
pub fn theme_css(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    let (light, dark) = Palette::new(light, dark)?.css();
    Ok(light_and_dark(light, dark))
}

/// The stylesheet for [`Classes::Rouge`]: `.highlight .k { … }` rules with the colours the
/// themes give the scopes each class stands for, for sites without a Rouge stylesheet of
/// their own. Light and dark as in [`theme_css`].
pub fn rouge_theme_css(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    Ok(light_and_dark(
        rouge_css_for(&readable_theme(find_theme(light)?)),
        rouge_css_for(&readable_theme(find_theme(dark)?)),
    ))
}

/// Each stylesheet inside its own `prefers-color-scheme` media query.
fn light_and_dark(light: String, dark: String) -> String {
    let mut css = String::with_capacity(light.len() + dark.len() + 128);
    for (query, theme) in [
        ("not all and (prefers-color-scheme: dark)", light),
        ("(prefers-color-scheme: dark)", dark),
    ] {
        css.push_str(&format!("@media {query} {{\n"));
        css.push_str(&theme);
        css.push_str("}\n");
    }
    css
}

/// Each Rouge class [`ROUGE_RULES`] can give, with the scope whose theme colours it gets in
/// [`rouge_theme_css`]: a typical scope of that kind of token, the one themes style.
const ROUGE_CSS: &[(&str, &str)] = &[
    ("c", "comment"),
    ("c1", "comment.line"),
    ("cm", "comment.block"),
    ("cp", "meta.preprocessor"),
    ("sd", "comment.block.documentation"),
    ("k", "keyword.control"),
    ("kd", "storage.type.function"),
    ("kn", "keyword.control.import"),
    ("kt", "storage.type"),
    ("kr", "keyword"),
    ("kc", "constant.language"),
    ("o", "keyword.operator"),
    ("ow", "keyword.operator.word"),
    ("m", "constant.numeric"),
    ("mi", "constant.numeric.integer"),
    ("mf", "constant.numeric.float"),
    ("mh", "constant.numeric.integer.hexadecimal"),
    ("mo", "constant.numeric.integer.octal"),
    ("s", "string.quoted"),
    ("s1", "string.quoted.single"),
    ("s2", "string.quoted.double"),
    ("sa", "storage.type.string"),
    ("sb", "string.interpolated"),
    ("sc", "constant.character"),
    ("se", "constant.character.escape"),
    ("sh", "string.unquoted.heredoc"),
    ("si", "punctuation.section.embedded"),
    ("sr", "string.regexp"),
    ("ss", "constant.other.symbol"),
    ("no", "constant.other"),
    ("ni", "constant.character.entity"),
    ("p", "punctuation"),
    ("dl", "string.quoted"),
    ("pi", "punctuation.separator.key-value"),
    ("n", "variable"),
    ("nx", "variable.other"),
    ("nv", "variable.other.readwrite"),
    ("py", "variable.other.property"),
    ("bp", "variable.language"),
    ("vi", "variable.other.readwrite.instance"),
    ("vg", "variable.other.readwrite.global"),
    ("vc", "variable.other.readwrite.class"),
    ("nf", "entity.name.function"),
    ("nc", "entity.name.class"),
    ("nn", "entity.name.namespace"),
    ("nt", "entity.name.tag"),
    ("na", "entity.other.attribute-name"),
    ("nl", "support.type.property-name"),
    ("nd", "variable.annotation"),
    ("nb", "support.function"),
    ("ne", "support.type.exception"),
    ("gh", "markup.heading.1"),
    ("gu", "markup.heading.2"),
    ("gs", "markup.bold"),
    ("ge", "markup.italic"),
    ("gi", "markup.inserted"),
    ("gd", "markup.deleted"),
    ("err", "invalid"),
];

/// One rule per Rouge class, coloured as the theme colours its [`ROUGE_CSS`] scope.
fn rouge_css_for(theme: &Theme) -> String {
    let highlighter = Highlighter::new(theme);
    let default = highlighter.get_default();
    let mut css = String::from(".highlight {");
    if let Some(color) = theme.settings.foreground {
        css.push_str(&format!(" color: {};", css_color(color)));
    }
    if let Some(color) = theme.settings.background {
        css.push_str(&format!(" background-color: {};", css_color(color)));
    }
    css.push_str(" }\n");
    for &(class, scope) in ROUGE_CSS {
        let scope = Scope::new(scope).expect("CSS scopes are valid");
        let style = highlighter.style_for_stack(&[scope]);
        // The colour and the background can come from two rules of the theme: judge them
        // together.
        css.push_str(&format!(
            ".highlight .{class} {{ color: {};",
            css_color(readable_on(style.foreground, style.background))
        ));
        if style.background != default.background {
            css.push_str(&format!(
                " background-color: {};",
                css_color(style.background)
            ));
        }
        for (flag, property) in [
            (FontStyle::BOLD, "font-weight: bold;"),
            (FontStyle::ITALIC, "font-style: italic;"),
            (FontStyle::UNDERLINE, "text-decoration: underline;"),
        ] {
            if style.font_style.contains(flag) {
                css.push(' ');
                css.push_str(property);
            }
        }
        css.push_str(" }\n");
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::rouge::{LEXICON_CLASSES, ROUGE_RULES, Token};
    use crate::highlight::theme_names;
    use syntect::highlighting::Color;

    #[test]
    fn every_rouge_class_has_a_css_rule() {
        let mut classes: Vec<&str> = vec!["m", "mi", "mf", "mh", "o", "ow", "p"];
        classes.extend(LEXICON_CLASSES);
        for &(_, _, token) in ROUGE_RULES {
            if let Token::Class(class) | Token::Final(class) | Token::Whole(class) = token {
                classes.push(class);
            }
        }
        for class in classes.into_iter().filter(|class| !class.is_empty()) {
            assert!(
                ROUGE_CSS.iter().any(|&(c, _)| c == class),
                "no CSS scope for `{class}`"
            );
        }
    }

    #[test]
    fn rouge_css_colours_the_short_classes() {
        let css = rouge_theme_css("InspiredGitHub", "base16-ocean.dark").expect("known themes");
        let media = css
            .find("@media (prefers-color-scheme: dark) {")
            .expect("media query");
        for part in [&css[..media], &css[media..]] {
            for class in [
                "k", "kd", "s2", "s1", "c1", "mi", "nf", "na", "nt", "p", "gi", "gd",
            ] {
                assert!(
                    part.contains(&format!(".highlight .{class} {{ color: #")),
                    "{class} in {part}"
                );
            }
            assert!(part.contains(".highlight { color: #"), "{part}");
        }
        // Each class once per theme.
        assert_eq!(css.matches(".highlight .k {").count(), 2);
        let err = rouge_theme_css("nope", "InspiredGitHub").expect_err("unknown");
        assert_eq!(err.name, "nope");
    }

    #[test]
    fn css_has_both_themes_and_media_query() {
        let css = theme_css("InspiredGitHub", "base16-ocean.dark").expect("known themes");
        let media = css
            .find("@media (prefers-color-scheme: dark) {")
            .expect("media query");
        assert!(css[..media].contains(".highlight .l1 { color: #"), "{css}");
        assert!(css[..media].contains(".highlight .li { font-style: italic; }"));
        assert!(
            !css[..media].contains(".highlight .d"),
            "light part: light tokens only"
        );
        assert!(css[media..].contains(".highlight .d1 { color: #"), "{css}");
        assert!(
            !css[media..].contains(".highlight .l"),
            "dark part: dark tokens only"
        );
        assert_eq!(css.matches("pre.highlight { color: #").count(), 2);
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

    /// Each rule's text colour and the background it is drawn on: the rule's own, else the
    /// code block's (`pre.highlight` or `.highlight`), in each `@media` half.
    fn colour_pairs(css: &str) -> Vec<(String, Color, Color)> {
        let colour = |body: &str, property: &str| {
            let at = body
                .split(';')
                .find_map(|d| d.trim().strip_prefix(property)?.trim().strip_prefix('#'))?;
            let channel = |i: usize| u8::from_str_radix(at.get(i..i + 2)?, 16).ok();
            Some(Color {
                r: channel(0)?,
                g: channel(2)?,
                b: channel(4)?,
                a: if at.len() == 8 { channel(6)? } else { 0xff },
            })
        };
        let mut pairs = Vec::new();
        for half in css.split("@media ").skip(1) {
            let half = half.split_once('{').expect("a media block").1;
            let rules: Vec<(&str, &str)> = half
                .split('}')
                .filter_map(|rule| rule.split_once('{'))
                .map(|(selector, body)| (selector.trim(), body))
                .collect();
            let block = rules
                .iter()
                .find(|(s, _)| *s == "pre.highlight" || *s == ".highlight")
                .and_then(|(_, body)| colour(body, "background-color:"))
                .expect("the code block's background");
            for (selector, body) in rules {
                if let Some(text) = colour(body, "color:") {
                    let behind = colour(body, "background-color:").unwrap_or(block);
                    pairs.push((selector.to_owned(), text, behind));
                }
            }
        }
        pairs
    }

    /// Issue #14: every token colour of every theme, as the stylesheet gives it, reads at
    /// WCAG AA (4.5:1) on the code block's background, in both class styles; the default
    /// light and dark themes first among them.
    #[test]
    fn every_token_colour_reads_at_wcag_aa_on_the_code_background() {
        use crate::highlight::contrast::{MIN_CONTRAST, contrast_ratio};
        let defaults = crate::config::Highlight::default();
        let mut names = vec![defaults.light.clone(), defaults.dark.clone()];
        names.extend(theme_names());
        let mut failing = Vec::new();
        for name in &names {
            let css = [
                theme_css(name, name).expect("a known theme"),
                rouge_theme_css(name, name).expect("a known theme"),
            ];
            let pairs: Vec<_> = css.iter().flat_map(|css| colour_pairs(css)).collect();
            assert!(pairs.len() > 10, "{name}: {} colours", pairs.len());
            for (selector, text, behind) in pairs {
                assert_eq!(text.a, 0xff, "{name} {selector}: written opaque");
                let ratio = contrast_ratio(text, behind);
                if ratio < MIN_CONTRAST {
                    failing.push(format!("{name} {selector}: {ratio:.2}:1"));
                }
            }
        }
        assert!(failing.is_empty(), "{}", failing.join("\n"));
    }
}

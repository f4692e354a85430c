//! The class names of versus's code markup, from the light and the dark theme together.
//!
//! syntect resolves each property of a token's style (text colour, background, font style) to
//! one of the theme's own values: the theme's default or the value of one of its rules. So a
//! theme styles any token with one of its *colours*, the distinct (text colour, background)
//! pairs its values can form, and some of its three font flags. A span names that, for each
//! theme, with tokens of its own:
//!
//! - `l3`: the light theme's colour 3, `d12`: the dark theme's colour 12 (colour 0, the theme's
//!   text on its background, is never named: the `<pre>` has it);
//! - `lb`, `li`, `lu`: bold, italic, underlined in the light theme; `db`, `di`, `du` in the dark.
//!
//! The stylesheet's light half styles only the `l` tokens and its dark half only the `d` ones,
//! each in its own `prefers-color-scheme` query, so one class attribute (`class="l3 d12"`)
//! carries both themes, and a run of text whose style is the same in both themes is one span
//! whatever the scopes under it. Pairing the two themes' styles in one class per pair would be
//! shorter by a space and a letter, but the pairs a site's code meets cannot be listed before
//! its pages are rendered (they depend on the scope stacks), while each theme's colours can:
//! the stylesheet must be known first, as pages link to it by its fingerprint.
//!
//! Colours are numbered in the theme's order (its text colour first, then its rules'), the
//! background-major way round, so the common colours, on the theme's own background, get the
//! short numbers; the same themes always give the same classes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme};

use super::contrast::{readable_on, readable_theme};
use super::sets::{UnknownTheme, find_theme};

/// The two themes a site's code is coloured with, and the class tokens for their styles.
#[derive(Debug)]
pub struct Palette {
    pub(super) light: Side,
    pub(super) dark: Side,
    /// A hash of both themes' names and numbered colours, for the disk cache key: cached
    /// markup is only served for the same numbering, also after an update of the themes.
    fingerprint: String,
}

/// The themes of `highlight:` when a site names none.
static DEFAULT_THEMES: LazyLock<Palette> = LazyLock::new(|| {
    let themes = crate::config::Highlight::default();
    Palette::new(&themes.light, &themes.dark).expect("the default themes are bundled")
});

/// One theme: its colours made readable (WCAG AA), and how its styles are named.
#[derive(Debug)]
pub(super) struct Side {
    pub(super) theme: Theme,
    name: String,
    /// `l` or `d`, the first letter of this theme's tokens.
    letter: char,
    /// The distinct text colours, the theme's default first.
    colours: Vec<Color>,
    /// The distinct backgrounds, the theme's default first.
    backgrounds: Vec<Color>,
    colour_index: HashMap<Color, usize>,
    background_index: HashMap<Color, usize>,
}

/// The font flags and the letter of their tokens, in the order tokens are written.
const FONT_TOKENS: [(FontStyle, char, &str); 3] = [
    (FontStyle::BOLD, 'b', "font-weight: bold;"),
    (FontStyle::ITALIC, 'i', "font-style: italic;"),
    (FontStyle::UNDERLINE, 'u', "text-decoration: underline;"),
];

impl Palette {
    /// The palette of the themes named `light` and `dark` (see [`super::theme_names`]).
    pub fn new(light: &str, dark: &str) -> Result<Palette, UnknownTheme> {
        let (light, dark) = (
            Side::new(light, find_theme(light)?, 'l'),
            Side::new(dark, find_theme(dark)?, 'd'),
        );
        let mut hasher = blake3::Hasher::new();
        for side in [&light, &dark] {
            let numbered = format!("{}{:?}{:?}", side.name, side.colours, side.backgrounds);
            hasher.update(&(numbered.len() as u64).to_le_bytes());
            hasher.update(numbered.as_bytes());
        }
        Ok(Palette {
            light,
            dark,
            fingerprint: hasher.finalize().to_hex().to_string(),
        })
    }

    /// The palette of the default themes, made once.
    pub fn default_themes() -> &'static Palette {
        &DEFAULT_THEMES
    }

    /// What the classes depend on: the themes and how their colours are numbered.
    pub(super) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The class attribute for text styled `light` in the light theme and `dark` in the dark
    /// one (empty for the themes' plain text), and whether a space in that style shows (a
    /// background or an underline), so it needs the span too.
    pub(super) fn class(&self, light: Style, dark: Style, class: &mut String) -> bool {
        class.clear();
        let light_shows = self.light.tokens(light, class);
        let dark_shows = self.dark.tokens(dark, class);
        light_shows || dark_shows
    }

    /// The stylesheet rules of both themes: `(light, dark)`, each for its own media query.
    pub(super) fn css(&self) -> (String, String) {
        (self.light.css(), self.dark.css())
    }
}

impl Side {
    fn new(name: &str, theme: &Theme, letter: char) -> Side {
        let theme = readable_theme(theme);
        let default = Highlighter::new(&theme).get_default();
        let mut colours = vec![default.foreground];
        let mut backgrounds = vec![default.background];
        for item in &theme.scopes {
            if let Some(colour) = item.style.foreground.filter(|c| !colours.contains(c)) {
                colours.push(colour);
            }
            if let Some(colour) = item.style.background.filter(|c| !backgrounds.contains(c)) {
                backgrounds.push(colour);
            }
        }
        let index = |list: &[Color]| list.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        Side {
            colour_index: index(&colours),
            background_index: index(&backgrounds),
            theme,
            name: name.to_owned(),
            letter,
            colours,
            backgrounds,
        }
    }

    /// Appends the tokens of `style` to `class`; whether a space in it shows.
    fn tokens(&self, style: Style, class: &mut String) -> bool {
        // Every resolved value is one of the theme's; a miss (never seen) reads as plain text.
        let colour = self.colour_index.get(&style.foreground).copied();
        let background = self.background_index.get(&style.background).copied();
        let number = background.unwrap_or(0) * self.colours.len() + colour.unwrap_or(0);
        if number != 0 {
            self.separate(class);
            let _ = write!(class, "{}{number}", self.letter);
        }
        for (flag, letter, _) in FONT_TOKENS {
            if style.font_style.contains(flag) {
                self.separate(class);
                class.push(self.letter);
                class.push(letter);
            }
        }
        background.unwrap_or(0) != 0 || style.font_style.contains(FontStyle::UNDERLINE)
    }

    fn separate(&self, class: &mut String) {
        if !class.is_empty() {
            class.push(' ');
        }
    }

    /// The block's colours (`pre.highlight`), then one rule per numbered colour and font token.
    fn css(&self) -> String {
        let (text, background) = (self.colours[0], self.backgrounds[0]);
        let mut css = format!(
            "pre.highlight {{ color: {}; background-color: {}; }}\n",
            css_color(text),
            css_color(background)
        );
        for (b, &behind) in self.backgrounds.iter().enumerate() {
            for (c, &colour) in self.colours.iter().enumerate() {
                let number = b * self.colours.len() + c;
                if number == 0 {
                    continue;
                }
                // The colour and the background can come from two rules of the theme: made
                // readable together.
                let _ = write!(
                    css,
                    ".highlight .{}{number} {{ color: {};",
                    self.letter,
                    css_color(readable_on(colour, behind))
                );
                if b != 0 {
                    let _ = write!(css, " background-color: {};", css_color(behind));
                }
                css.push_str(" }\n");
            }
        }
        for (_, letter, property) in FONT_TOKENS {
            let _ = writeln!(css, ".highlight .{}{letter} {{ {property} }}", self.letter);
        }
        css
    }
}

pub(super) fn css_color(color: Color) -> String {
    let Color { r, g, b, a } = color;
    if a == 0xff {
        format!("#{r:02x}{g:02x}{b:02x}")
    } else {
        format!("#{r:02x}{g:02x}{b:02x}{a:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_tells_theme_pairs_apart_and_nothing_else() {
        let pair = |light, dark| Palette::new(light, dark).expect("known themes");
        let default = pair("InspiredGitHub", "base16-ocean.dark");
        assert_eq!(
            default.fingerprint(),
            Palette::default_themes().fingerprint()
        );
        assert_ne!(
            default.fingerprint(),
            pair("base16-ocean.dark", "InspiredGitHub").fingerprint(),
            "the same themes the other way round number other colours"
        );
        assert_ne!(
            default.fingerprint(),
            pair("InspiredGitHub", "Dracula").fingerprint()
        );
    }

    #[test]
    fn plain_text_has_no_class_and_a_background_shows_on_spaces() {
        let palette = Palette::default_themes();
        let plain = (
            Highlighter::new(&palette.light.theme).get_default(),
            Highlighter::new(&palette.dark.theme).get_default(),
        );
        let mut class = String::from("stale");
        assert!(!palette.class(plain.0, plain.1, &mut class));
        assert_eq!(class, "");
        let italic = Style {
            font_style: FontStyle::ITALIC,
            ..plain.0
        };
        assert!(!palette.class(italic, plain.1, &mut class));
        assert_eq!(class, "li");
        let marked = Style {
            background: palette.light.backgrounds[1],
            ..plain.0
        };
        assert!(palette.class(marked, plain.1, &mut class), "{class}");
        let number = palette.light.colours.len();
        assert_eq!(class, format!("l{number}"));
        let underlined = Style {
            font_style: FontStyle::UNDERLINE | FontStyle::BOLD,
            ..plain.1
        };
        assert!(palette.class(plain.0, underlined, &mut class));
        assert_eq!(class, "db du");
    }
}

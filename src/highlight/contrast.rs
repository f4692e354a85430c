//! WCAG 2 contrast for the themes' colours: every bundled light theme and most dark ones give
//! some tokens colours that read below AA on their own background (4.5:1 for normal text), so
//! versus nudges each such colour towards black or white, keeping its hue, until it passes.

use syntect::highlighting::{Color, Theme};

/// WCAG 2 level AA for normal-size text; code is never large text.
pub const MIN_CONTRAST: f64 = 4.5;

const BLACK: Color = Color::BLACK;
const WHITE: Color = Color::WHITE;

/// The theme with every foreground colour readable on the background it is drawn on: the
/// scope's own background if it has one, else the theme's (white for a theme without one).
/// Backgrounds become opaque, painted as they would be on the theme's.
pub fn readable_theme(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let background = opaque(theme.settings.background.unwrap_or(WHITE), WHITE);
    theme.settings.background = Some(background);
    if let Some(foreground) = theme.settings.foreground {
        theme.settings.foreground = Some(readable_on(foreground, background));
    }
    for item in &mut theme.scopes {
        let behind = match item.style.background {
            Some(own) => opaque(own, background),
            None => background,
        };
        if item.style.background.is_some() {
            item.style.background = Some(behind);
        }
        if let Some(foreground) = item.style.foreground {
            item.style.foreground = Some(readable_on(foreground, behind));
        }
    }
    theme
}

/// `foreground` drawn on the opaque `background`, as an opaque colour of at least
/// [`MIN_CONTRAST`]: unchanged if it already reads, else mixed with black or white (whichever
/// contrasts more with the background) just enough.
pub fn readable_on(foreground: Color, background: Color) -> Color {
    let foreground = opaque(foreground, background);
    if contrast_ratio(foreground, background) >= MIN_CONTRAST {
        return foreground;
    }
    let extreme = if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) {
        BLACK
    } else {
        WHITE
    };
    // Black or white reaches at least 4.58:1 on any background, so `high` always passes.
    let (mut low, mut high) = (0.0, 1.0);
    for _ in 0..24 {
        let middle = (low + high) / 2.0;
        if contrast_ratio(mix(foreground, extreme, middle), background) >= MIN_CONTRAST {
            high = middle;
        } else {
            low = middle;
        }
    }
    mix(foreground, extreme, high)
}

/// The WCAG 2 contrast ratio of two opaque colours, from 1 to 21.
pub fn contrast_ratio(a: Color, b: Color) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// WCAG 2's relative luminance of an sRGB colour.
fn luminance(color: Color) -> f64 {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)
}

/// `color` composited over the opaque `behind`, as the browser paints it.
fn opaque(color: Color, behind: Color) -> Color {
    mix(
        behind,
        Color { a: 0xff, ..color },
        f64::from(color.a) / 255.0,
    )
}

/// `share` of the way from `from` to `to` in sRGB, rounded to whole channels; opaque.
fn mix(from: Color, to: Color, share: f64) -> Color {
    let channel = |a: u8, b: u8| {
        (f64::from(a) + (f64::from(b) - f64::from(a)) * share)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    Color {
        r: channel(from.r, to.r),
        g: channel(from.g, to.g),
        b: channel(from.b, to.b),
        a: 0xff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b, a: 0xff }
    }

    #[test]
    fn the_ratio_is_wcags() {
        assert!((contrast_ratio(BLACK, WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // The figures axe-core reported for InspiredGitHub and base16-ocean.dark.
        let round = |x: f64| (x * 100.0).round() / 100.0;
        assert_eq!(round(contrast_ratio(rgb(0x63, 0xa3, 0x5c), WHITE)), 3.03);
        assert_eq!(
            round(contrast_ratio(rgb(0xbf, 0x61, 0x6a), rgb(0x2b, 0x30, 0x3b))),
            3.23
        );
    }

    #[test]
    fn a_readable_colour_is_kept_and_a_faint_one_moves_just_enough() {
        let navy = rgb(0x18, 0x36, 0x91);
        assert_eq!(readable_on(navy, WHITE), navy);
        let green = rgb(0x63, 0xa3, 0x5c);
        let fixed = readable_on(green, WHITE);
        let ratio = contrast_ratio(fixed, WHITE);
        assert!(
            (MIN_CONTRAST..MIN_CONTRAST + 0.1).contains(&ratio),
            "{ratio}"
        );
        // Darker, still green.
        assert!(
            fixed.g < green.g && fixed.g > fixed.r && fixed.g > fixed.b,
            "{fixed:?}"
        );
        let dark = rgb(0x2b, 0x30, 0x3b);
        let lighter = readable_on(rgb(0xbf, 0x61, 0x6a), dark);
        assert!(contrast_ratio(lighter, dark) >= MIN_CONTRAST);
        assert!(lighter.r > 0xbf, "{lighter:?}");
    }

    #[test]
    fn transparent_colours_are_judged_as_painted() {
        // Black at 20% on white is a light grey: too faint, made opaque and darker.
        let faint = Color { a: 0x33, ..BLACK };
        let fixed = readable_on(faint, WHITE);
        assert_eq!(fixed.a, 0xff);
        assert!(contrast_ratio(fixed, WHITE) >= MIN_CONTRAST);
    }

    #[test]
    fn even_a_mid_grey_background_gets_readable_text() {
        for level in 0..=255 {
            let background = rgb(level, level, level);
            let fixed = readable_on(background, background);
            assert!(contrast_ratio(fixed, background) >= MIN_CONTRAST, "{level}");
        }
    }
}

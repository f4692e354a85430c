//! A card's pixels: text laid out in lines of the embedded font, drawn on the theme's
//! background and written as an 8-bit palette PNG.
//!
//! The glyphs are drawn here rather than through an SVG renderer: a card is three runs of
//! text and a bar, and drawing them directly needs no font database (so no system font can
//! ever be picked up) and no markup to escape. A palette of the theme's few colours, each in
//! [`LEVELS`] shades of coverage, keeps the files small and quick to compress.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

use super::{Card, HEIGHT, WIDTH};

/// DejaVu Sans Bold, cut down to Latin, Greek and Cyrillic (see `font/README.md`).
const FONT: &[u8] = include_bytes!("font/DejaVuSans-Bold-subset.ttf");

/// The light colours of `static/style.css`: `--bg`, `--accent`, `--fg`, `--fg-muted`.
const BACKGROUND: [u8; 3] = [0xfd, 0xfd, 0xfc];
const ACCENT: [u8; 3] = [0x0a, 0x5c, 0x9e];
const FOREGROUND: [u8; 3] = [0x1f, 0x23, 0x28];
const MUTED: [u8; 3] = [0x57, 0x60, 0x6a];

/// Shades of each ink between the background and the full colour, for anti-aliased edges.
const LEVELS: u8 = 16;

/// Left and right margin of the text.
const MARGIN: f32 = 80.0;
/// Height of the accent bar along the top edge.
const BAR: u32 = 14;
const SITE_TITLE_SIZE: f32 = 36.0;
const SITE_TITLE_BASELINE: f32 = 128.0;
/// Title sizes tried in turn, the first at which the whole title fits in [`TITLE_LINES`].
const TITLE_SIZES: [f32; 3] = [72.0, 62.0, 54.0];
const TITLE_LINES: usize = 3;
/// Where the first line of the title starts (its top).
const TITLE_TOP: f32 = 190.0;
const LINE_HEIGHT: f32 = 1.2;
const DETAIL_SIZE: f32 = 32.0;
const DETAIL_BASELINE: f32 = 560.0;

/// Shown where text was cut to fit.
const ELLIPSIS: char = '…';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ink {
    Accent,
    Foreground,
    Muted,
}

impl Ink {
    const ALL: [Ink; 3] = [Ink::Accent, Ink::Foreground, Ink::Muted];

    fn colour(self) -> [u8; 3] {
        match self {
            Ink::Accent => ACCENT,
            Ink::Foreground => FOREGROUND,
            Ink::Muted => MUTED,
        }
    }

    /// The palette index of this ink at `level` (1..=LEVELS); 0 is the background.
    fn index(self, level: u8) -> u8 {
        let ink = Ink::ALL.iter().position(|i| *i == self).unwrap_or(0) as u8;
        1 + ink * LEVELS + (level - 1)
    }
}

/// The palette: the background, then each ink's shades from faintest to full.
fn palette() -> Vec<u8> {
    let mut palette = BACKGROUND.to_vec();
    for ink in Ink::ALL {
        let colour = ink.colour();
        for level in 1..=LEVELS {
            for (bg, fg) in BACKGROUND.iter().zip(colour) {
                let (bg, fg, t) = (f32::from(*bg), f32::from(fg), f32::from(level));
                palette.push((bg + (fg - bg) * t / f32::from(LEVELS)).round() as u8);
            }
        }
    }
    palette
}

/// The embedded font. Checked by a unit test; it is part of the binary, not input.
fn font() -> FontRef<'static> {
    FontRef::try_from_slice(FONT).expect("the embedded font parses")
}

/// Lines of text laid out to a width.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lines {
    pub lines: Vec<String>,
    /// Text was left over and the last line ends in an ellipsis.
    pub cut: bool,
}

/// The width of `text` at `size` pixels.
fn measure(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum()
}

/// Words of `text` in at most `max_lines` lines no wider than `width`, at `size`. A word wider
/// than a line is broken where it overflows; text left over ends the last line in "…".
pub(super) fn wrap(text: &str, size: f32, width: f32, max_lines: usize) -> Lines {
    let font = font();
    let fits = |line: &str| measure(&font, size, line) <= width;
    let clean: String = text
        .chars()
        .filter(|c| c.is_whitespace() || !c.is_control())
        .collect();
    let mut words: std::collections::VecDeque<String> =
        clean.split_whitespace().map(str::to_owned).collect();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    while lines.len() < max_lines
        && let Some(word) = words.pop_front()
    {
        let candidate = match line.is_empty() {
            true => word.clone(),
            false => format!("{line} {word}"),
        };
        if fits(&candidate) {
            line = candidate;
        } else if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            words.push_front(word);
        } else {
            // One word wider than a line: as much of it as fits (one character at least).
            let mut end = word.char_indices().nth(1).map_or(word.len(), |(i, _)| i);
            for (i, c) in word.char_indices().skip(1) {
                if !fits(&word[..i + c.len_utf8()]) {
                    break;
                }
                end = i + c.len_utf8();
            }
            lines.push(word[..end].to_owned());
            if end < word.len() {
                words.push_front(word[end..].to_owned());
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let cut = !words.is_empty();
    if cut && let Some(last) = lines.last_mut() {
        while !last.is_empty() && !fits(&format!("{last}{ELLIPSIS}")) {
            last.pop();
        }
        let kept = last.trim_end().len();
        last.truncate(kept);
        last.push(ELLIPSIS);
    }
    Lines { lines, cut }
}

/// The title in as few lines as fit, at the largest size at which all of it fits; at the
/// smallest size, cut to [`TITLE_LINES`], when none does.
pub(super) fn title_lines(title: &str) -> (f32, Lines) {
    let width = WIDTH as f32 - 2.0 * MARGIN;
    let mut laid = (
        0.0,
        Lines {
            lines: Vec::new(),
            cut: false,
        },
    );
    for size in TITLE_SIZES {
        laid = (size, wrap(title, size, width, TITLE_LINES));
        if !laid.1.cut {
            break;
        }
    }
    laid
}

/// Whether `text` fits the detail line whole.
pub(super) fn detail_fits(text: &str) -> bool {
    !wrap(text, DETAIL_SIZE, WIDTH as f32 - 2.0 * MARGIN, 1).cut
}

/// One palette index per pixel, row by row.
struct Canvas {
    pixels: Vec<u8>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            pixels: vec![0; (WIDTH * HEIGHT) as usize],
        }
    }

    fn fill(&mut self, rows: std::ops::Range<u32>, ink: Ink) {
        let full = ink.index(LEVELS);
        let (start, end) = (rows.start * WIDTH, rows.end.min(HEIGHT) * WIDTH);
        self.pixels[start as usize..end as usize].fill(full);
    }

    /// Draws `text` with its baseline at `baseline`, from `x`; where glyphs overlap, the
    /// stronger coverage wins.
    fn text(&mut self, font: &FontRef<'_>, size: f32, x: f32, baseline: f32, text: &str, ink: Ink) {
        let scaled = font.as_scaled(PxScale::from(size));
        let mut caret = x;
        for c in text.chars() {
            let id = font.glyph_id(c);
            let glyph = id.with_scale_and_position(size, point(caret, baseline));
            caret += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px < 0 || py < 0 || px >= i64::from(WIDTH) || py >= i64::from(HEIGHT) {
                    return;
                }
                // Rounded by adding a half: `f32::round` is a libm call, once per pixel drawn.
                let level = (coverage.clamp(0.0, 1.0) * f32::from(LEVELS) + 0.5) as u8;
                if level == 0 {
                    return;
                }
                let pixel = &mut self.pixels[(py * i64::from(WIDTH) + px) as usize];
                if *pixel == 0 || (*pixel - 1) % LEVELS < level - 1 {
                    *pixel = ink.index(level);
                }
            });
        }
    }
}

/// The card as PNG bytes.
pub(super) fn png(card: &Card) -> Result<Vec<u8>, png::EncodingError> {
    let font = font();
    let width = WIDTH as f32 - 2.0 * MARGIN;
    let mut canvas = Canvas::new();
    canvas.fill(0..BAR, Ink::Accent);
    let one_line = |text: &str, size: f32| wrap(text, size, width, 1).lines.join("");
    let site_title = one_line(&card.site_title, SITE_TITLE_SIZE);
    canvas.text(
        &font,
        SITE_TITLE_SIZE,
        MARGIN,
        SITE_TITLE_BASELINE,
        &site_title,
        Ink::Accent,
    );
    let (size, title) = title_lines(&card.title);
    let ascent = font.as_scaled(PxScale::from(size)).ascent();
    for (i, line) in title.lines.iter().enumerate() {
        let baseline = TITLE_TOP + ascent + i as f32 * size * LINE_HEIGHT;
        canvas.text(&font, size, MARGIN, baseline, line, Ink::Foreground);
    }
    let detail = one_line(&card.detail, DETAIL_SIZE);
    canvas.text(
        &font,
        DETAIL_SIZE,
        MARGIN,
        DETAIL_BASELINE,
        &detail,
        Ink::Muted,
    );

    let mut bytes = Vec::with_capacity(32 * 1024);
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette());
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&canvas.pixels)?;
    writer.finish()?;
    Ok(bytes)
}

/// Whether the embedded font has a glyph of its own for `c` (else it shows as a box).
#[cfg(test)]
pub(super) fn has_glyph(c: char) -> bool {
    font().glyph_id(c).0 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: f32 = WIDTH as f32 - 2.0 * MARGIN;

    #[test]
    fn the_embedded_font_parses_and_covers_latin_greek_and_cyrillic() {
        for c in "Aé€ßΩЖ…<&>\"'".chars() {
            assert!(has_glyph(c), "no glyph for {c:?}");
        }
    }

    #[test]
    fn a_short_title_is_one_line_at_the_largest_size() {
        let (size, laid) = title_lines("Managed Postgres");
        assert_eq!(size, TITLE_SIZES[0]);
        assert_eq!(laid.lines, ["Managed Postgres"]);
        assert!(!laid.cut);
    }

    #[test]
    fn a_long_title_wraps_at_words_and_ends_in_an_ellipsis() {
        let title = "Encryption at rest, in transit and in use across every managed \
                     Kubernetes offering we could find, compared claim by claim with \
                     the documentation of each vendor and a note on what it costs you";
        let (size, laid) = title_lines(title);
        assert_eq!(size, *TITLE_SIZES.last().unwrap());
        assert_eq!(laid.lines.len(), TITLE_LINES);
        assert!(laid.cut);
        let last = laid.lines.last().unwrap();
        assert!(last.ends_with(ELLIPSIS), "{last:?}");
        // Every line fits, and the lines are the title's words in order.
        for line in &laid.lines {
            assert!(measure(&font(), size, line) <= LINE, "{line:?} overflows");
        }
        let shown = laid.lines.join(" ");
        let shown = shown.trim_end_matches(ELLIPSIS);
        assert!(title.starts_with(shown.trim_end_matches(',')), "{shown:?}");
        assert!(laid.lines[0].starts_with("Encryption at rest"));
    }

    #[test]
    fn a_title_that_fits_smaller_is_not_cut() {
        // Too long for three lines at 72px, short enough at a smaller size.
        let title = "Backups, point-in-time recovery and replicas across regions: what each \
                     managed database keeps for you";
        let (size, laid) = title_lines(title);
        assert!(size < TITLE_SIZES[0]);
        assert!(!laid.cut);
        assert_eq!(laid.lines.join(" "), title);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken() {
        let word = "x".repeat(200);
        let laid = wrap(&word, 72.0, LINE, 3);
        assert_eq!(laid.lines.len(), 3);
        assert!(laid.cut);
        assert!(laid.lines[0].chars().all(|c| c == 'x'));
        let shown: usize = laid
            .lines
            .iter()
            .map(|l| l.trim_end_matches(ELLIPSIS).len())
            .sum();
        assert!(shown < 200);
    }

    #[test]
    fn markup_characters_are_text() {
        let laid = wrap("A <b>&amp;</b> \"B\" & 'C'", 72.0, LINE, 3);
        assert_eq!(laid.lines, ["A <b>&amp;</b> \"B\" & 'C'"]);
        assert!(!laid.cut);
    }

    #[test]
    fn control_characters_and_runs_of_spaces_are_dropped() {
        let laid = wrap("One\ttwo\n\u{7}three   four", 72.0, LINE, 3);
        assert_eq!(laid.lines, ["One two three four"]);
    }

    #[test]
    fn an_empty_text_has_no_lines() {
        assert_eq!(wrap("  ", 72.0, LINE, 3).lines, Vec::<String>::new());
    }

    #[test]
    fn the_palette_has_the_background_first_and_each_ink_at_full_strength() {
        let palette = palette();
        assert_eq!(palette.len(), 3 * (1 + Ink::ALL.len() * LEVELS as usize));
        assert_eq!(palette[..3], BACKGROUND);
        for ink in Ink::ALL {
            let at = 3 * ink.index(LEVELS) as usize;
            assert_eq!(palette[at..at + 3], ink.colour());
        }
    }
}

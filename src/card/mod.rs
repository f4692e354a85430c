//! Social cards: the 1200×630 PNG that social networks and chat apps show for a link, drawn
//! for every post and area page whose author gave no `image:`.
//!
//! A card shows the site title, the page title (up to three lines) and the post's date or the
//! area's providers, in the theme's colours and the font compiled into versus. Each is
//! written next to its page (`/posts/hello/` → `/posts/hello/card.png`) and kept in
//! `.versus-cache/cards/` under a hash of what it shows, so a rebuild draws only new cards.
//! [`draw`] makes the pixels, [`cache`] keeps them.

use std::path::{Path, PathBuf};

use crate::compare;
use crate::config::Config;
use crate::matrix::{Matrices, Matrix};
use crate::page::{Page, PageKind, output_file};
use crate::site::Site;

mod cache;
mod draw;

pub use cache::DiskCache;

/// The size the large card of Open Graph and Twitter/X asks for (1.91:1).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// The file name of a card beside a page written as `index.html`.
const FILE_NAME: &str = "card.png";

/// What a card shows, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Card {
    /// Relative to the output folder: `posts/hello/card.png`.
    pub output: PathBuf,
    pub site_title: String,
    pub title: String,
    /// The post's date, or the providers an area compares.
    pub detail: String,
}

/// Why a card could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("cannot encode the social card: {0}")]
    Encode(#[from] png::EncodingError),
}

impl Card {
    /// The card's site path, like `page.url`: `/posts/hello/card.png`.
    pub fn url(&self) -> String {
        format!("/{}", self.output.to_string_lossy().replace('\\', "/"))
    }

    /// A description of the image for those who cannot see it (`og:image:alt`).
    pub fn alt(&self) -> String {
        let mut alt = self.title.clone();
        if !self.detail.is_empty() {
            alt = format!("{alt} ({})", self.detail);
        }
        if !self.site_title.is_empty() {
            alt = format!("{}: {alt}", self.site_title);
        }
        alt
    }

    /// The card of a post without an image of its own, when the site makes cards.
    pub fn for_post(page: &Page, config: &Config) -> Option<Card> {
        if !config.social_cards || page.kind != PageKind::Post || has_image(page) {
            return None;
        }
        let detail = page
            .date
            .map(|d| d.civil.strftime("%B %-d, %Y").to_string())
            .unwrap_or_default();
        Some(Card {
            output: beside(&page.output),
            site_title: config.title.clone(),
            title: page.title.clone(),
            detail,
        })
    }

    /// The card of the area page at `/compare/<id>/`: the area's title and the providers it
    /// compares (their short names when the full ones do not fit).
    pub fn for_area(area: &Matrix, matrices: &Matrices, config: &Config) -> Option<Card> {
        if !config.social_cards {
            return None;
        }
        let join = |names: Vec<&str>| names.join(" vs ");
        let mut detail = join(matrices.providers.iter().map(|p| p.name.as_str()).collect());
        if !draw::detail_fits(&detail) {
            detail = join(
                matrices
                    .providers
                    .iter()
                    .map(|p| p.short.as_str())
                    .collect(),
            );
        }
        Some(Card {
            output: beside(&output_file(&compare::area_path(&area.id))),
            site_title: config.title.clone(),
            title: area.title.clone(),
            detail,
        })
    }

    /// The PNG, drawn afresh.
    pub fn png(&self) -> Result<Vec<u8>, CardError> {
        Ok(draw::png(self)?)
    }
}

/// Every card of the site: its posts', then its area pages'.
pub fn all(site: &Site) -> Vec<Card> {
    let config = &site.config;
    let posts = site.posts.iter().map(|page| Card::for_post(page, config));
    let areas = site.matrices.areas.iter();
    let areas = areas.map(|area| Card::for_area(area, &site.matrices, config));
    posts.chain(areas).flatten().collect()
}

/// Whether the author gave the page an image that link previews show (`image:` neither empty
/// nor null). An SVG does not count: the big networks show none, so it gets a card instead.
fn has_image(page: &Page) -> bool {
    match page.image.as_deref() {
        None | Some(serde_yaml::Value::Null) => false,
        Some(serde_yaml::Value::String(s)) => {
            let path = s.trim().split(['?', '#']).next().unwrap_or("");
            !path.is_empty() && !path.to_ascii_lowercase().ends_with(".svg")
        }
        Some(_) => true,
    }
}

/// Where the card of the page written at `output` goes: `a/index.html` → `a/card.png`,
/// `2023/08/11/a.html` → `2023/08/11/a.card.png`. Distinct pages get distinct cards.
pub fn beside(output: &Path) -> PathBuf {
    match output.file_name().and_then(|n| n.to_str()) {
        Some("index.html") | None => output.with_file_name(FILE_NAME),
        Some(_) => {
            let stem = output.file_stem().unwrap_or_default().to_string_lossy();
            output.with_file_name(format!("{stem}.{FILE_NAME}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image of `png` as (width, height, palette indexes row by row).
    pub(super) fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    fn card(title: &str) -> Card {
        Card {
            output: PathBuf::from("posts/a/card.png"),
            site_title: "Cloud Versus".into(),
            title: title.into(),
            detail: "March 2, 2025".into(),
        }
    }

    /// Pixels not of the background in rows `rows`.
    fn ink(pixels: &[u8], rows: std::ops::Range<u32>) -> usize {
        let (start, end) = ((rows.start * WIDTH) as usize, (rows.end * WIDTH) as usize);
        pixels[start..end].iter().filter(|&&p| p != 0).count()
    }

    #[test]
    fn a_card_is_a_1200_by_630_png_with_text_in_each_band() {
        let (width, height, pixels) = decode(&card("Managed Kubernetes").png().unwrap());
        assert_eq!((width, height), (WIDTH, HEIGHT));
        assert!(ink(&pixels, 90..140) > 500, "site title");
        assert!(ink(&pixels, 190..290) > 2000, "title");
        assert!(ink(&pixels, 525..570) > 500, "date");
        assert_eq!(ink(&pixels, 300..500), 0, "one line of title only");
    }

    #[test]
    fn a_title_of_markup_characters_is_drawn_as_text() {
        // Drawn glyph by glyph: nothing is parsed, so `<&>` can break nothing.
        for c in ['<', '&', '>'] {
            assert!(draw::has_glyph(c));
        }
        let (_, _, markup) = decode(&card("<&>").png().unwrap());
        let (_, _, letters) = decode(&card("lmn").png().unwrap());
        assert!(ink(&markup, 190..290) > 1000);
        assert_ne!(markup, letters);
    }

    #[test]
    fn a_long_title_fills_three_lines_and_no_more() {
        let long = "word ".repeat(80);
        let (_, _, pixels) = decode(&card(&long).png().unwrap());
        let line = (54.0 * 1.2) as u32;
        for i in 0..3 {
            let top = 190 + i * line;
            assert!(ink(&pixels, top..top + line) > 1000, "line {i}");
        }
        assert_eq!(ink(&pixels, 190 + 3 * line + 10..520), 0);
    }

    #[test]
    fn cards_sit_beside_their_pages() {
        let cases = [
            ("posts/hello/index.html", "posts/hello/card.png"),
            ("index.html", "card.png"),
            ("2023/08/11/a.html", "2023/08/11/a.card.png"),
        ];
        for (page, card) in cases {
            assert_eq!(beside(Path::new(page)), PathBuf::from(card));
        }
        let card = Card {
            output: beside(Path::new("compare/encryption/index.html")),
            ..card("x")
        };
        assert_eq!(card.url(), "/compare/encryption/card.png");
    }

    #[test]
    fn the_alt_text_says_what_the_card_shows() {
        assert_eq!(
            card("Managed Kubernetes").alt(),
            "Cloud Versus: Managed Kubernetes (March 2, 2025)"
        );
    }
}

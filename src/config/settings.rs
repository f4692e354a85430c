//! The typed settings of `site.yaml` beyond plain values: images, feeds and their
//! taxonomies, highlight themes, code markup, Jekyll's named permalinks.

use serde::Serialize;

/// The keys of `images:`.
pub(super) const IMAGE_KEYS: &[&str] = &["widths", "column", "webp", "quality", "lazy"];

/// `images: {widths: [480, 800, 1200, 1600], column: 704, webp: true, quality: 80, lazy: true}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImageSettings {
    /// The widths, in pixels, of the variants made of an image wider than `column`; only
    /// those below the image's own width are made. Ascending, without repeats.
    pub widths: Vec<u32>,
    /// The content column in CSS pixels: an image wider than this gets variants, and `sizes`
    /// tells the browser it shows at most this wide. The built-in theme's column is 46rem
    /// less 2rem of padding: 704px.
    pub column: u32,
    /// WebP variants beside PNG ones (lossless: see `image::variants`).
    pub webp: bool,
    /// The JPEG quality of JPEG variants, 1 to 100.
    pub quality: u8,
    /// Images after a page's first get `loading="lazy"` (the first may be the largest paint).
    pub lazy: bool,
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            widths: vec![480, 800, 1200, 1600],
            column: 704,
            webp: true,
            quality: 80,
            lazy: true,
        }
    }
}

/// The keys of `feed:`.
pub(super) const FEED_KEYS: &[&str] = &["content", "entries", "rss", "taxonomies", "tags"];

/// The kinds of terms posts are grouped by. Defined with the settings, which name them
/// (`feed: {taxonomies: [tags, authors]}`); the blog makes their pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Taxonomy {
    Tags,
    Categories,
    Authors,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 3] = [Taxonomy::Tags, Taxonomy::Categories, Taxonomy::Authors];

    /// `tags`: the URL folder, the name templates see and site.yaml's name for it.
    pub fn id(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Categories => "categories",
            Taxonomy::Authors => "authors",
        }
    }

    /// `tag`: one term's kind, for headings.
    pub fn singular(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tag",
            Taxonomy::Categories => "category",
            Taxonomy::Authors => "author",
        }
    }

    /// `/tags/`.
    pub fn path(self) -> String {
        format!("/{}/", self.id())
    }

    /// The taxonomy site.yaml calls `id`.
    pub fn from_id(id: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// `feed: {content: summary, entries: 20, rss: false, taxonomies: []}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FeedSettings {
    pub content: FeedContent,
    /// The newest posts a feed lists.
    pub entries: usize,
    /// An RSS 2.0 feed at `/rss.xml` beside the Atom one (and beside each term's), for readers
    /// that want RSS.
    pub rss: bool,
    /// The taxonomies whose every term gets a feed, at `/tags/<slug>/feed.xml` (sorted, each
    /// once); `tags: true` is short for `taxonomies: [tags]`.
    pub taxonomies: Vec<Taxonomy>,
}

impl FeedSettings {
    /// Whether each term of `taxonomy` has its own feed.
    pub fn of_terms(&self, taxonomy: Taxonomy) -> bool {
        self.taxonomies.contains(&taxonomy)
    }
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            content: FeedContent::Summary,
            entries: 20,
            rss: false,
            taxonomies: Vec::new(),
        }
    }
}

/// What a feed entry carries of its post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The summary (before `<!-- more -->`, else the first paragraph).
    Summary,
    /// The whole post, as Jekyll's feed plugin publishes it.
    Full,
}

#[derive(Debug, Clone, Serialize)]
pub struct Highlight {
    pub light: String,
    pub dark: String,
}

/// The themes of a site that names none.
impl Default for Highlight {
    fn default() -> Highlight {
        Highlight {
            light: "InspiredGitHub".into(),
            dark: "base16-ocean.dark".into(),
        }
    }
}

/// How code is marked up in pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeMarkup {
    /// `<pre class="highlight" data-lang="…"><code class="language-…">` with short classes
    /// for the light and dark themes (`l3 d7`, see `highlight::Palette`).
    #[default]
    Versus,
    /// Jekyll's Rouge markup (`div.highlighter-rouge`, `code.highlighter-rouge`), so a Jekyll
    /// theme's stylesheet keeps working.
    Jekyll,
}

/// Jekyll's named permalink styles, for `permalink: date` and the like.
pub(super) const NAMED_PERMALINKS: [(&str, &str); 4] = [
    ("date", "/:categories/:year/:month/:day/:title:output_ext"),
    ("pretty", "/:categories/:year/:month/:day/:title/"),
    ("ordinal", "/:categories/:year/:y_day/:title:output_ext"),
    ("none", "/:categories/:title:output_ext"),
];

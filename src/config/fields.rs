//! Reading typed settings out of `site.yaml`'s mapping, each bad one reported at its key.

use std::path::Path;

use super::{FEED_KEYS, FeedContent, FeedSettings, Highlight, IMAGE_KEYS, ImageSettings, Taxonomy};
use crate::diag::Diagnostic;
use crate::yaml::{self, Mapping, Value};

/// Takes typed settings out of the parsed mapping, reporting each bad one at its key.
pub(super) struct Fields<'a> {
    pub(super) path: &'a Path,
    pub(super) source: &'a str,
    pub(super) map: &'a mut Mapping,
    pub(super) problems: Vec<Diagnostic>,
}

impl Fields<'_> {
    pub(super) fn problem(&mut self, key: &str, message: String) {
        let offset = yaml::key_offset(self.source, key, None).unwrap_or(0);
        self.problems
            .push(Diagnostic::error(self.path, message).at_offset(self.source, offset));
    }

    pub(super) fn flag(&mut self, key: &str) -> Option<bool> {
        match self.map.remove(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(b),
            _ => {
                self.problem(key, format!("`{key}` must be true or false"));
                None
            }
        }
    }

    pub(super) fn text(&mut self, key: &str) -> Option<String> {
        let value = self.map.remove(key)?;
        match value {
            Value::Null => None,
            value => match yaml::as_text(&value) {
                Some(text) => Some(text),
                None => {
                    self.problem(key, format!("`{key}` must be text"));
                    None
                }
            },
        }
    }

    /// A number of posts per page (`paginate`, `paginate_terms`); None when not set.
    pub(super) fn posts_per_page(&mut self, key: &str) -> Option<usize> {
        match self.map.remove(key)? {
            Value::Null => None,
            value => match value.as_u64() {
                Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                None => {
                    let message =
                        format!("`{key}` must be a whole number of posts per page (0: all on one)");
                    self.problem(key, message);
                    None
                }
            },
        }
    }

    pub(super) fn whole_number(&mut self, key: &str) -> Option<i64> {
        let value = self.map.remove(key)?;
        let number = value.as_i64().filter(|n| *n >= 0);
        if number.is_none() {
            self.problem(key, format!("`{key}` must be a whole number of days"));
        }
        number
    }

    pub(super) fn list(&mut self, key: &str) -> Vec<String> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => items.iter().filter_map(yaml::as_text).collect(),
            Some(value) => yaml::as_text(&value).into_iter().collect(),
        }
    }

    /// A problem at `feed.<key>`'s value (or at the key, for an unknown one).
    pub(super) fn feed_problem(
        &mut self,
        key: &str,
        at_key: bool,
        message: String,
        help: Option<String>,
    ) {
        self.nested_problem("feed", key, at_key, message, help);
    }

    /// A problem at `<section>.<key>`'s value (or at the key, for an unknown one).
    pub(super) fn nested_problem(
        &mut self,
        section: &str,
        key: &str,
        at_key: bool,
        message: String,
        help: Option<String>,
    ) {
        let at = yaml::Locator::new(self.source);
        let path = [yaml::Seg::Key(section.into()), yaml::Seg::Key(key.into())];
        let offset = if at_key {
            at.key(&path)
        } else {
            at.value(&path)
        };
        self.feed_problem_at(offset.unwrap_or(0), message, help);
    }

    pub(super) fn feed_problem_at(&mut self, offset: usize, message: String, help: Option<String>) {
        let mut d = Diagnostic::error(self.path, message).at_offset(self.source, offset);
        d.help = help;
        self.problems.push(d);
    }

    /// `feed.taxonomies`: a list of taxonomy names (or one name), each reported at its place
    /// when unknown.
    pub(super) fn feed_taxonomies(&mut self, value: &Value) -> Vec<Taxonomy> {
        let items: Vec<&Value> = match value {
            Value::Sequence(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            one => vec![one],
        };
        let at = yaml::Locator::new(self.source);
        let key = [
            yaml::Seg::Key("feed".into()),
            yaml::Seg::Key("taxonomies".into()),
        ];
        let names = Taxonomy::ALL.map(Taxonomy::id);
        let mut found = Vec::new();
        let mut previous = None;
        for (index, item) in items.into_iter().enumerate() {
            let name = yaml::as_text(item).unwrap_or_default();
            let offset = yaml::list_item_offset(self.source, &at, &key, index, &name, previous);
            previous = Some(offset);
            match Taxonomy::from_id(&name) {
                Some(taxonomy) => found.push(taxonomy),
                None => {
                    let help = crate::diag::did_you_mean(&name, names)
                        .map(|near| format!("did you mean `{near}`?"));
                    self.feed_problem_at(
                        offset,
                        format!(
                            "unknown taxonomy `{name}` in `feed.taxonomies` (known: {})",
                            names.join(", ")
                        ),
                        help,
                    );
                }
            }
        }
        found
    }

    pub(super) fn feed(&mut self) -> FeedSettings {
        let mut feed = FeedSettings::default();
        let map = match self.map.remove("feed") {
            None | Some(Value::Null) => return feed,
            Some(Value::Mapping(map)) => map,
            Some(_) => {
                self.problem(
                    "feed",
                    "`feed` must be a mapping such as `{content: summary, entries: 20, rss: true, taxonomies: [tags]}`".into(),
                );
                return feed;
            }
        };
        // `tags: true`, the shorthand for `taxonomies: [tags]`.
        let mut tags = None;
        for (key, value) in &map {
            let key = yaml::as_text(key).unwrap_or_default();
            match key.as_str() {
                "content" => match value.as_str() {
                    Some("summary") => feed.content = FeedContent::Summary,
                    Some("full") => feed.content = FeedContent::Full,
                    _ => {
                        let written = yaml::as_text(value).unwrap_or_default();
                        let help = crate::diag::did_you_mean(&written, ["full", "summary"])
                            .map(|near| format!("did you mean `{near}`?"));
                        self.feed_problem(
                            "content",
                            false,
                            format!("`feed.content` must be `full` or `summary`, not `{written}`"),
                            help,
                        );
                    }
                },
                "entries" => match value.as_u64().filter(|n| *n > 0) {
                    Some(n) => feed.entries = usize::try_from(n).unwrap_or(usize::MAX),
                    None => self.feed_problem(
                        "entries",
                        false,
                        "`feed.entries` must be a whole number of posts, at least 1".into(),
                        None,
                    ),
                },
                "taxonomies" => {
                    let listed = self.feed_taxonomies(value);
                    feed.taxonomies.extend(listed);
                }
                "rss" | "tags" => match value {
                    Value::Bool(b) if key == "rss" => feed.rss = *b,
                    Value::Bool(b) => tags = Some(*b),
                    _ => self.feed_problem(
                        &key,
                        false,
                        format!("`feed.{key}` must be true or false"),
                        None,
                    ),
                },
                _ => {
                    let help = crate::diag::did_you_mean(&key, FEED_KEYS.iter().copied())
                        .map(|near| format!("did you mean `{near}`?"));
                    self.feed_problem(
                        &key,
                        true,
                        format!(
                            "unknown feed setting `{key}` (known: {})",
                            FEED_KEYS.join(", ")
                        ),
                        help,
                    );
                }
            }
        }
        match tags {
            Some(true) => feed.taxonomies.push(Taxonomy::Tags),
            Some(false) if feed.taxonomies.contains(&Taxonomy::Tags) => self.feed_problem(
                "tags",
                false,
                "`feed.tags: false` contradicts `feed.taxonomies`, which lists `tags`".into(),
                Some("`tags: true` is short for `taxonomies: [tags]`: keep one of them".into()),
            ),
            _ => {}
        }
        feed.taxonomies.sort();
        feed.taxonomies.dedup();
        feed
    }

    pub(super) fn images(&mut self) -> ImageSettings {
        let mut images = ImageSettings::default();
        let map = match self.map.remove("images") {
            None | Some(Value::Null) => return images,
            Some(Value::Mapping(map)) => map,
            Some(_) => {
                self.problem(
                    "images",
                    "`images` must be a mapping such as `{widths: [480, 800, 1200, 1600], column: 704, webp: true, quality: 80, lazy: true}`".into(),
                );
                return images;
            }
        };
        let pixels = |value: &Value| {
            value
                .as_u64()
                .filter(|n| (16..=16_384).contains(n))
                .map(|n| n as u32)
        };
        for (key, value) in &map {
            let key = yaml::as_text(key).unwrap_or_default();
            let problem = |fields: &mut Self, message: &str| {
                fields.nested_problem("images", &key, false, message.into(), None)
            };
            match key.as_str() {
                "widths" => {
                    let widths: Option<Vec<u32>> = match value {
                        Value::Sequence(items) => items.iter().map(pixels).collect(),
                        _ => None,
                    };
                    match widths {
                        Some(mut widths) => {
                            widths.sort_unstable();
                            widths.dedup();
                            images.widths = widths;
                        }
                        None => problem(
                            self,
                            "`images.widths` must be a list of widths in pixels, each from 16 to 16384, such as `[480, 800, 1200, 1600]`",
                        ),
                    }
                }
                "column" => match pixels(value) {
                    Some(column) => images.column = column,
                    None => problem(
                        self,
                        "`images.column` must be the content column's width in CSS pixels, from 16 to 16384",
                    ),
                },
                "quality" => match value.as_u64().filter(|n| (1..=100).contains(n)) {
                    Some(quality) => images.quality = quality as u8,
                    None => problem(
                        self,
                        "`images.quality` must be a JPEG quality from 1 to 100",
                    ),
                },
                "webp" | "lazy" => match value {
                    Value::Bool(b) if key == "webp" => images.webp = *b,
                    Value::Bool(b) => images.lazy = *b,
                    _ => problem(self, &format!("`images.{key}` must be true or false")),
                },
                _ => {
                    let help = crate::diag::did_you_mean(&key, IMAGE_KEYS.iter().copied())
                        .map(|near| format!("did you mean `{near}`?"));
                    self.nested_problem(
                        "images",
                        &key,
                        true,
                        format!(
                            "unknown images setting `{key}` (known: {})",
                            IMAGE_KEYS.join(", ")
                        ),
                        help,
                    );
                }
            }
        }
        images
    }

    pub(super) fn highlight(&mut self) -> Highlight {
        let mut highlight = Highlight::default();
        match self.map.remove("highlight") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(theme)) => {
                for (key, slot) in [
                    ("light", &mut highlight.light),
                    ("dark", &mut highlight.dark),
                ] {
                    if let Some(name) = theme.get(key).and_then(yaml::as_text) {
                        *slot = name;
                    }
                }
            }
            Some(_) => self.problem(
                "highlight",
                "`highlight` must be a mapping with `light` and `dark` theme names".into(),
            ),
        }
        highlight
    }
}

//! The values layouts see: `site`, `page`, `series`, taxonomies and tables of contents, made
//! from the site's typed parts.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectExt, Serde};

use crate::blog::{self, Taxonomy};
use crate::card::Card;
use crate::config::Config;
use crate::markdown::{self, Rendered, TocEntry, escape_html as escape};
use crate::page::{Page, PageKind};
use crate::site::{Series, Site};
use crate::strings::Strings;

/// Reading speed for `page.reading_time`, in words per minute.
const WORDS_PER_MINUTE: usize = 230;

/// `site`: the settings, every other key of site.yaml, and `site.has_matrices` (whether the
/// site has /compare/ pages, which the navigation links to).
pub(super) fn site_value(config: &Config, has_matrices: bool) -> Value {
    let mut site: BTreeMap<String, Value> = config
        .extra
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), Value::from(Serde(v)))))
        .collect();
    let typed = Value::from(Serde(config));
    if let Ok(keys) = typed.try_iter() {
        for key in keys {
            if let (Some(name), Ok(value)) = (key.as_str(), typed.get_item(&key)) {
                site.insert(name.to_owned(), value);
            }
        }
    }
    site.insert("has_matrices".into(), Value::from(has_matrices));
    Value::from(site)
}

/// The `page` (with `body`) or `posts` entry (without) of templates.
/// Code in the summary gets the classes of `palette`; an author in `authors` is shared, not
/// made again (see [`author_values`]).
pub(super) fn page_value(
    page: &Page,
    site: &Site,
    body: Option<&Rendered>,
    palette: Option<&crate::highlight::Palette>,
    authors: &HashMap<String, Value>,
) -> Value {
    let texts = |items: &[String]| Value::from(items.to_vec());
    let authors: Vec<Value> = page
        .authors
        .iter()
        .map(|id| {
            authors
                .get(id)
                .cloned()
                .unwrap_or_else(|| author_value(site, id))
        })
        .collect();
    let mut fields = BTreeMap::from([
        (
            "kind",
            Value::from(match page.kind {
                PageKind::Post => "post",
                PageKind::Page => "page",
            }),
        ),
        ("title", Value::from(page.title.clone())),
        (
            "date",
            Value::from(page.date.map(|d| d.to_rfc3339()).unwrap_or_default()),
        ),
        (
            "updated",
            Value::from(page.updated.map(|d| d.to_rfc3339()).unwrap_or_default()),
        ),
        ("url", Value::from(page.url.clone())),
        ("slug", Value::from(page.slug.clone())),
        ("layout", Value::from(page.layout.clone())),
        ("authors", Value::from(authors)),
        ("tags", texts(&page.tags)),
        ("categories", texts(&page.categories)),
        ("draft", Value::from(page.draft)),
        (
            "source",
            Value::from(page.source.to_string_lossy().replace('\\', "/")),
        ),
        ("extra", Value::from(Serde(&page.extra))),
        ("word_count", Value::from(page.word_count)),
        (
            "reading_time",
            Value::from(page.word_count.div_ceil(WORDS_PER_MINUTE).max(1)),
        ),
    ]);
    let optional = [
        ("description", page.description.clone().map(Value::from)),
        ("image", page.image.as_ref().map(|i| Value::from(Serde(i)))),
        ("comments", page.comments.map(Value::from)),
        ("toc_enabled", page.toc.map(Value::from)),
    ];
    fields.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    if let Some(card) = Card::for_post(page, &site.config) {
        fields.insert("card", card_value(&card));
    }
    let summary = blog::summary_html(site, page, palette);
    if !summary.is_empty() {
        fields.insert("summary", Value::from_safe_string(summary));
    }
    if let Some((series, index)) = blog::series_of(site, &page.source) {
        fields.insert("series", series_value(site, series, Some(index)));
    }
    if let Some(body) = body {
        fields.insert("content", Value::from_safe_string(body.html.clone()));
        fields.insert("toc", toc_value(&body.toc));
    }
    Fields::value(fields)
}

/// The `page.authors` entry of every author a post names, made once: shared by the entries
/// of `posts`, which are all held at once (at 100,000 posts, one copy each is ~50 MiB).
pub(super) fn author_values(site: &Site) -> HashMap<String, Value> {
    let mut values = HashMap::new();
    for id in site.posts.iter().flat_map(|post| &post.authors) {
        if !values.contains_key(id) {
            values.insert(id.clone(), author_value(site, id));
        }
    }
    values
}

/// An entry of `page.authors`: the author's fields in data/authors.yaml, `id` and `name`.
fn author_value(site: &Site, id: &str) -> Value {
    let mut author: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(serde_yaml::Value::Mapping(fields)) = site.author(id) {
        for (key, value) in fields {
            if let Some(key) = key.as_str() {
                author.insert(key.to_owned(), Value::from(Serde(value)));
            }
        }
    }
    author.insert("id".into(), Value::from(id));
    // `first_name` and `last_name` make the name; an author missing from
    // data/authors.yaml (a warning) shows as the id.
    author
        .entry("name".into())
        .or_insert_with(|| Value::from(site.author_name(id)));
    Value::from(author)
}

/// A map of fixed keys in one sorted vector, read like a `BTreeMap`: every post's entry of
/// `posts` is held for the whole build, and this takes half a `BTreeMap`'s memory.
struct Fields(Vec<(&'static str, Value)>);

impl Fields {
    fn value(fields: BTreeMap<&'static str, Value>) -> Value {
        let mut sorted: Vec<(&'static str, Value)> = fields.into_iter().collect();
        sorted.shrink_to_fit();
        Value::from_object(Fields(sorted))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let found = self.0.binary_search_by(|(k, _)| (*k).cmp(key)).ok()?;
        Some(self.0[found].1.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.mapped_rev_key_value_enumerator(|this| {
            Box::new(this.0.iter().map(|(k, v)| (Value::from(*k), v.clone())))
        })
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// `page.card`: the social card drawn for a page without an `image:`.
pub(super) fn card_value(card: &Card) -> Value {
    Fields::value(BTreeMap::from([
        ("url", Value::from(card.url())),
        ("width", Value::from(crate::card::WIDTH)),
        ("height", Value::from(crate::card::HEIGHT)),
        ("alt", Value::from(card.alt())),
    ]))
}

/// `page.series` on a post of a series (`current` is its part index), `series` on /series/<id>/.
pub(super) fn series_value(site: &Site, series: &Series, current: Option<usize>) -> Value {
    let parts = blog::parts(site, series);
    let link = |i: usize| {
        let part = &parts[i];
        part.post.map(|post| {
            Value::from(BTreeMap::from([
                ("title", Value::from(part.title)),
                ("url", Value::from(post.url.clone())),
            ]))
        })
    };
    let none = || Value::from(());
    let mut fields = BTreeMap::from([
        ("id", Value::from(series.id.clone())),
        ("title", Value::from(series.title.clone())),
        ("url", Value::from(blog::series_path(&series.id))),
        ("feed_url", Value::from(blog::series_feed_path(&series.id))),
        ("total", Value::from(parts.len())),
        (
            "published",
            Value::from(parts.iter().filter(|p| p.post.is_some()).count()),
        ),
        (
            "summary",
            series.summary.clone().map_or_else(none, |s| {
                Value::from_safe_string(markdown::render_inline(
                    &s,
                    &site.config.base_path,
                    site.config.code_markup,
                ))
            }),
        ),
        (
            "parts",
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    Value::from(BTreeMap::from([
                        ("part", Value::from(i + 1)),
                        ("title", Value::from(part.title)),
                        (
                            "url",
                            part.post.map_or_else(none, |p| Value::from(p.url.clone())),
                        ),
                        ("planned", Value::from(part.post.is_none())),
                        ("summary", part.summary.map_or_else(none, Value::from)),
                        ("current", Value::from(current == Some(i))),
                        (
                            "date",
                            part.post
                                .and_then(|p| p.date)
                                .map_or_else(none, |d| Value::from(d.to_rfc3339())),
                        ),
                    ]))
                })
                .collect(),
        ),
    ]);
    if let Some(i) = current {
        fields.insert("part", Value::from(i + 1));
        let prev = (0..i).rev().find_map(link);
        let next = (i + 1..parts.len()).find_map(link);
        fields.insert("prev", prev.unwrap_or_else(none));
        fields.insert("next", next.unwrap_or_else(none));
    }
    Value::from(fields)
}

pub(super) fn taxonomy_value(taxonomy: Taxonomy, strings: &Strings) -> Value {
    Value::from(BTreeMap::from([
        ("id", Value::from(taxonomy.id())),
        ("title", Value::from(taxonomy_title(taxonomy, strings))),
        ("singular", Value::from(taxonomy.singular())),
    ]))
}

/// `Tags`, `Schlagwörter`: the title of a taxonomy's index in the site's language.
pub(super) fn taxonomy_title(taxonomy: Taxonomy, strings: &Strings) -> String {
    strings.plain(&format!("taxonomies.{}.title", taxonomy.id()), &[])
}

/// A plain list of posts with their dates, for pages rendered through `page.html`.
pub(super) fn post_list_html(config: &Config, posts: &[&Page]) -> String {
    let mut html = String::from("<ul class=\"term-posts\">");
    for post in posts {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a>",
            escape(&config.relative_url(&post.url)),
            escape(&post.title)
        ));
        if let Some(date) = post.date {
            html.push_str(&format!(
                " <time datetime=\"{}\">{}</time>",
                date.to_rfc3339(),
                date.civil.date()
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    html
}

fn toc_value(entries: &[TocEntry]) -> Value {
    entries
        .iter()
        .map(|entry| {
            Value::from(BTreeMap::from([
                ("level", Value::from(entry.level)),
                ("id", Value::from(entry.id.clone())),
                ("title", Value::from_safe_string(entry.title.clone())),
                ("children", toc_value(&entry.children)),
            ]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way a layout reads a map gives the same text from [`Fields`] as from the
    /// `BTreeMap` it replaces, so the entries of `posts` render as before.
    #[test]
    fn fields_read_like_the_map_they_replace() {
        let map = || {
            BTreeMap::from([
                ("title", Value::from("A <b>post</b>")),
                ("url", Value::from("/2024/01/02/a/")),
                ("tags", Value::from(vec!["rust", "web"])),
                ("word_count", Value::from(1200)),
                ("draft", Value::from(false)),
                ("summary", Value::from_safe_string("<p>Hi</p>".into())),
            ])
        };
        let template = "{{ p.title }}|{{ p['url'] }}|{{ p.summary }}|{{ p.missing is defined }}|\
            {{ p|length }}|{% for k, v in p|items %}{{ k }}={{ v }};{% endfor %}|\
            {% for k in p %}{{ k }},{% endfor %}|{{ p|dictsort }}|{{ p|tojson }}|\
            {{ p.tags|join(' ') }}|{{ 'title' in p }}|{{ 'nope' in p }}";
        let env = minijinja::Environment::new();
        let render = |p: Value| env.render_str(template, minijinja::context! { p }).unwrap();
        let from_map = render(Value::from(map()));
        let from_fields = render(Fields::value(map()));
        assert_eq!(from_fields, from_map);
        assert!(
            from_fields.starts_with("A <b>post</b>|/2024/01/02/a/|<p>Hi</p>|False|6|"),
            "{from_fields}"
        );
    }
}

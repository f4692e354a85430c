//! The values layouts see: `site`, `page`, `series`, taxonomies and tables of contents, made
//! from the site's typed parts.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectExt, Serde};

use crate::blog::{self, Taxonomy};
use crate::card::Card;
use crate::config::Config;
use crate::markdown::{self, Rendered, TocEntry, escape_html as escape};
use crate::page::{Page, PageKind};
use crate::site::{Series, Site, SourceLinks};
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

/// The `page` of templates (a page with its body, see [`Page::with_body`]): every field of
/// [`page_field`], its authors, summary and series, and with `body` its content and table of
/// contents. Code in the summary gets the classes
/// of `palette`; an author in `authors` is shared, not made again (see [`author_values`]).
pub(super) fn page_value(
    page: &Page,
    site: &Site,
    body: Option<&Rendered>,
    palette: Option<&crate::highlight::Palette>,
    authors: &HashMap<String, Value>,
) -> Value {
    let mut fields: BTreeMap<&'static str, Value> = PAGE_FIELDS
        .iter()
        .filter_map(|&key| Some((key, page_field(page, &site.config, key)?)))
        .collect();
    fields.insert("authors", authors_value(page, site, authors));
    // A page rendered has its body, so its summary needs no file.
    let source = page.summary_source().unwrap_or_default();
    let html = blog::summary_html(site.source_links(), &site.config, page, source, palette);
    if let Some(summary) = summary_value(html) {
        fields.insert("summary", summary);
    }
    if let Some(series) = page_series(page, site) {
        fields.insert("series", series);
    }
    if let Some(body) = body {
        fields.insert("content", Value::from_safe_string(body.html.clone()));
        fields.insert("toc", toc_value(&body.toc));
    }
    Fields::value(fields)
}

/// The fields of `page` made from the page and the settings alone, in sorted order; the
/// entries of `posts` make them when a layout reads them (see [`PostEntry`]).
const PAGE_FIELDS: [&str; 19] = [
    "card",
    "categories",
    "comments",
    "date",
    "description",
    "draft",
    "extra",
    "image",
    "kind",
    "layout",
    "reading_time",
    "slug",
    "source",
    "tags",
    "title",
    "toc_enabled",
    "updated",
    "url",
    "word_count",
];

/// The field `key` of [`PAGE_FIELDS`] of a page; None when the page has none (no
/// `description:`, no card) or `key` is not one of them.
fn page_field(page: &Page, config: &Config, key: &str) -> Option<Value> {
    let texts = |items: &[String]| Value::from(items.to_vec());
    let date = |date: Option<crate::page::PostDate>| {
        Value::from(date.map(|d| d.to_rfc3339()).unwrap_or_default())
    };
    Some(match key {
        "kind" => Value::from(match page.kind {
            PageKind::Post => "post",
            PageKind::Page => "page",
        }),
        "title" => Value::from(page.title.clone()),
        "date" => date(page.date),
        "updated" => date(page.updated),
        "url" => Value::from(page.url.clone()),
        "slug" => Value::from(page.slug.clone()),
        "layout" => Value::from(page.layout.clone()),
        "tags" => texts(&page.tags),
        "categories" => texts(&page.categories),
        "draft" => Value::from(page.draft),
        "source" => Value::from(page.source.to_string_lossy().replace('\\', "/")),
        "extra" => Value::from(Serde(&page.extra)),
        "word_count" => Value::from(page.word_count),
        "reading_time" => Value::from(page.word_count.div_ceil(WORDS_PER_MINUTE).max(1)),
        "description" => Value::from(page.description.clone()?),
        "image" => Value::from(Serde(page.image.as_ref()?)),
        "comments" => Value::from(page.comments?),
        "toc_enabled" => Value::from(page.toc?),
        "card" => card_value(&Card::for_post(page, config)?),
        _ => return None,
    })
}

/// `page.authors`: the entries of the authors a page names, shared ones from `authors`.
fn authors_value(page: &Page, site: &Site, authors: &HashMap<String, Value>) -> Value {
    let values: Vec<Value> = page
        .authors
        .iter()
        .map(|id| {
            authors
                .get(id)
                .cloned()
                .unwrap_or_else(|| author_value(site, id))
        })
        .collect();
    Value::from(values)
}

/// `page.summary`: the summary's HTML, or None when the page has none.
fn summary_value(html: String) -> Option<Value> {
    (!html.is_empty()).then(|| Value::from_safe_string(html))
}

/// `page.series` of a post in a series.
fn page_series(page: &Page, site: &Site) -> Option<Value> {
    let (series, index) = blog::series_of(site, &page.source)?;
    Some(series_value(site, series, Some(index)))
}

/// What the entries of `posts` read of the site when a layout reads their fields: one for
/// all entries.
pub(super) struct PostShared {
    /// The site's folder, where a post whose body was let go reads its summary again.
    pub(super) root: PathBuf,
    pub(super) config: Arc<Config>,
    pub(super) links: SourceLinks,
    pub(super) palette: Option<Arc<crate::highlight::Palette>>,
}

/// An entry of `posts` (of `paginator.posts`, `term.posts`): the fields of `page` but the
/// content, made when a layout reads them. Every entry is held for the whole build, so it
/// keeps only the page (kept anyway), its authors and series; the summary's HTML is made
/// once, on the first read (a listing that shows no summary never renders one).
pub(super) struct PostEntry {
    page: Arc<Page>,
    authors: Value,
    series: Option<Value>,
    shared: Arc<PostShared>,
    summary: OnceLock<Option<Value>>,
}

impl PostEntry {
    /// The entry of `page`, a post of `site`; authors in `authors` are shared.
    pub(super) fn value(
        page: &Arc<Page>,
        site: &Site,
        shared: &Arc<PostShared>,
        authors: &HashMap<String, Value>,
    ) -> Value {
        Value::from_object(PostEntry {
            page: Arc::clone(page),
            authors: authors_value(page, site, authors),
            series: page_series(page, site),
            shared: Arc::clone(shared),
            summary: OnceLock::new(),
        })
    }

    fn field(&self, key: &str) -> Option<Value> {
        match key {
            "authors" => Some(self.authors.clone()),
            "series" => self.series.clone(),
            "summary" => self
                .summary
                .get_or_init(|| {
                    let shared = &*self.shared;
                    let source = match self.page.summary_source_from(&shared.root) {
                        Ok(source) => source,
                        // The layout reading it fails with the reason, placed at the page.
                        Err(problem) => {
                            let kind = minijinja::ErrorKind::InvalidOperation;
                            return Some(Value::from(minijinja::Error::new(
                                kind,
                                problem.to_string(),
                            )));
                        }
                    };
                    let (page, palette) = (&self.page, shared.palette.as_deref());
                    let html =
                        blog::summary_html(&shared.links, &shared.config, page, &source, palette);
                    summary_value(html)
                })
                .clone(),
            _ => page_field(&self.page, &self.shared.config, key),
        }
    }

    /// The fields the entry has, in sorted order, as [`page_value`] would make them.
    fn pairs(&self) -> Vec<(Value, Value)> {
        let mut keys: Vec<&'static str> = PAGE_FIELDS.to_vec();
        keys.extend(["authors", "series", "summary"]);
        keys.sort_unstable();
        keys.into_iter()
            .filter_map(|key| Some((Value::from(key), self.field(key)?)))
            .collect()
    }
}

impl fmt::Debug for PostEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.pairs()).finish()
    }
}

impl Object for PostEntry {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.field(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.field(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.mapped_rev_key_value_enumerator(|this| Box::new(this.pairs().into_iter()))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.pairs().len())
    }
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

    /// A site of two posts written under `root`, for the entries of `posts`; with `shed`,
    /// their bodies let go as a build does.
    fn two_post_site(root: &std::path::Path, shed: bool) -> Site {
        use crate::config::{Overrides, from_source};
        use std::path::Path;
        let config =
            from_source(Path::new("site.yaml"), "title: T\n", &Overrides::default()).unwrap();
        let files = [
            (
                "content/posts/2024-01-02-new.md",
                "---\ntitle: New <one>\nauthors: [ann]\ntags: [rust, web]\ndescription: D\n\
                 comments: false\nmood: calm\n---\n\nSee [old](2023-01-01-old.md), [below](#x) \
                 and `code`.\n\n## X\n\nMore.\n",
            ),
            (
                "content/posts/2023-01-01-old.md",
                "---\ntitle: Old\n---\n\n",
            ),
        ];
        let pages = files
            .iter()
            .map(|(path, text)| {
                std::fs::create_dir_all(root.join("content/posts")).unwrap();
                std::fs::write(root.join(path), text).unwrap();
                let mut page =
                    crate::page::parse(Path::new(path), text.to_string(), PageKind::Post, &config)
                        .unwrap();
                if shed {
                    page.shed_body();
                }
                Arc::new(page)
            })
            .collect();
        let data = serde_yaml::from_str("authors: {ann: {name: Ann}}").unwrap();
        let matrices = crate::matrix::Matrices::default();
        Site::assemble(config, pages, data, matrices).0
    }

    /// An entry of `posts` reads, in every way a layout reads a map, as the `page` value of
    /// the same post without its content: the fields made when read are the ones a page has.
    #[test]
    fn post_entries_read_like_page_values() {
        let root = tempfile::tempdir().unwrap();
        let whole = two_post_site(root.path(), false);
        let site = two_post_site(root.path(), true);
        let shared = Arc::new(PostShared {
            root: root.path().to_path_buf(),
            config: Arc::new(site.config.clone()),
            links: site.source_links().clone(),
            palette: None,
        });
        let authors = author_values(&site);
        let template = "{{ p.title }}|{{ p['url'] }}|{{ p.summary }}|{{ p.missing is defined }}|\
            {{ p.date }}|{{ p.authors|map(attribute='name')|join(',') }}|{{ p.card is defined }}|{{ p.extra.mood }}|\
            {{ p|length }}|{% for k, v in p|items %}{{ k }}={{ v }};{% endfor %}|\
            {% for k in p %}{{ k }},{% endfor %}|{{ p|dictsort }}|{{ p|tojson }}|\
            {{ p.tags|join(' ') }}|{{ 'summary' in p }}|{{ 'content' in p }}|{{ p == p }}";
        let env = minijinja::Environment::new();
        let render = |p: Value| env.render_str(template, minijinja::context! { p }).unwrap();
        for (post, whole_post) in site.posts.iter().zip(&whole.posts) {
            let entry = render(PostEntry::value(post, &site, &shared, &authors));
            let page = render(page_value(whole_post, &whole, None, None, &authors));
            assert_eq!(entry, page);
        }
        let newest = render(PostEntry::value(&site.posts[0], &site, &shared, &authors));
        assert!(
            newest.starts_with(
                "New <one>|/2024/01/02/new/|<p>See <a href=\"/2023/01/01/old/\">old</a>, \
                 <a href=\"/2024/01/02/new/#x\">below</a> and <code>code</code>.</p>|False|\
                 2024-01-02"
            ),
            "{newest}"
        );
        let oldest = render(PostEntry::value(&site.posts[1], &site, &shared, &authors));
        assert!(oldest.ends_with("|False|False|True"), "{oldest}");

        // A file that changed since it was parsed fails the layout that reads its summary.
        let changed = "---\ntitle: New\n---\n\nOther text.\n";
        std::fs::write(root.path().join(&site.posts[0].source), changed).unwrap();
        let entry = PostEntry::value(&site.posts[0], &site, &shared, &authors);
        let err = env
            .render_str(
                "{{ p.title }} {{ p.summary }}",
                minijinja::context! { p => entry },
            )
            .unwrap_err();
        assert!(format!("{err:#}").contains("changed while"), "{err:#}");
    }
}

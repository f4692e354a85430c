//! The blog around the posts: series, taxonomies (tags, categories, authors), the paginated
//! home page, and the list of what the engine generates for them.
//!
//! Everything here is a pure function of the [`Site`] (or of the data files, for validation):
//! no I/O, no clock, every list sorted, so a rebuild of the same input is byte-identical and
//! an incremental build can recompute any output on its own.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::data::DataFile;
use crate::diag::{Diagnostic, did_you_mean};
use crate::markdown;
use crate::page::{self, Page, PageKind, slugify};
use crate::site::{Series, SeriesPart, Site, SourceLinks};
use crate::yaml::{self, Locator, Seg, Value};

pub const SERIES_FILE: &str = "data/series.yaml";

/// `/series/<id>/`.
pub fn series_path(id: &str) -> String {
    format!("/series/{id}/")
}

/// `/series/<id>/feed.xml`.
pub fn series_feed_path(id: &str) -> String {
    format!("/series/{id}/feed.xml")
}

/// Reads and checks `data/series.yaml` against every parsed page (drafts and future posts
/// included, so a part written but not yet published is still a known file).
pub fn load_series(files: &[DataFile], pages: &[&Page]) -> Result<Vec<Series>, Vec<Diagnostic>> {
    let Some(file) = files.iter().find(|f| f.path == Path::new(SERIES_FILE)) else {
        return Ok(Vec::new());
    };
    let mut report = Report {
        file,
        at: Locator::new(&file.text),
        problems: Vec::new(),
    };
    let map = match &file.value {
        Value::Null => return Ok(Vec::new()),
        Value::Mapping(map) => map,
        _ => {
            report.error(
                &[],
                false,
                "series.yaml must map series ids to `{title, summary, parts}`".into(),
            );
            return Err(report.problems);
        }
    };
    let posts: Vec<&Page> = pages
        .iter()
        .copied()
        .filter(|p| p.kind == PageKind::Post)
        .collect();
    let names: Vec<String> = posts.iter().map(|p| file_name(&p.source)).collect();
    // Post source → (series id, part number), for a post claimed twice.
    let mut claimed: HashMap<PathBuf, (String, usize)> = HashMap::new();
    let mut all = Vec::new();
    for (key, value) in map {
        let id = yaml::as_text(key).unwrap_or_default();
        let here = [Seg::Key(id.clone())];
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            report.error(&here, true, format!("series id `{id}` must be lowercase letters, digits and hyphens (it is the URL /series/<id>/)"));
            continue;
        }
        let Some(fields) = value.as_mapping() else {
            report.error(
                &here,
                false,
                format!("series `{id}` must be a mapping with `title` and `parts`"),
            );
            continue;
        };
        let key_path = |k: &str| [Seg::Key(id.clone()), Seg::Key(k.into())];
        for k in fields.keys() {
            let k = yaml::as_text(k).unwrap_or_default();
            if !["title", "summary", "parts"].contains(&k.as_str()) {
                let d = report.error(
                    &key_path(&k),
                    true,
                    format!("unknown key `{k}` in a series (known: title, summary, parts)"),
                );
                if let Some(near) = did_you_mean(&k, ["title", "summary", "parts"]) {
                    d.help = Some(format!("did you mean `{near}`?"));
                }
            }
        }
        let mut text = |k: &str| match fields.get(k) {
            None | Some(Value::Null) => None,
            Some(v) => match yaml::as_text(v).filter(|t| !t.trim().is_empty()) {
                Some(t) => Some(t),
                None => {
                    report.error(&key_path(k), false, format!("`{k}` must be non-empty text"));
                    None
                }
            },
        };
        let title = text("title");
        let summary = text("summary");
        if title.is_none() && !fields.contains_key("title") {
            report.error(&here, true, format!("missing `title` of series `{id}`"));
        }
        let items = match fields.get("parts") {
            Some(Value::Sequence(items)) if !items.is_empty() => items.as_slice(),
            None => {
                report.error(
                    &here,
                    true,
                    format!(
                        "missing `parts` of series `{id}`: its posts and planned posts, in order"
                    ),
                );
                &[]
            }
            Some(_) => {
                report.error(
                    &key_path("parts"),
                    false,
                    "`parts` must be a non-empty list".into(),
                );
                &[]
            }
        };
        let mut parts = Vec::new();
        let mut planned_titles: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let part_path = [
                Seg::Key(id.clone()),
                Seg::Key("parts".into()),
                Seg::Index(i),
            ];
            let field = |k: &str| {
                let mut p = part_path.to_vec();
                p.push(Seg::Key(k.into()));
                p
            };
            let Some(part) = item.as_mapping() else {
                report.error(&part_path, false, "a part is `post: <file name>` or a planned `title:` (with an optional `summary:`)".into());
                continue;
            };
            for k in part.keys() {
                let k = yaml::as_text(k).unwrap_or_default();
                if !["post", "title", "summary"].contains(&k.as_str()) {
                    let d = report.error(
                        &field(&k),
                        true,
                        format!("unknown key `{k}` in a part (known: post, title, summary)"),
                    );
                    if let Some(near) = did_you_mean(&k, ["post", "title", "summary"]) {
                        d.help = Some(format!("did you mean `{near}`?"));
                    }
                }
            }
            let get = |k: &str| {
                part.get(k)
                    .and_then(yaml::as_text)
                    .filter(|t| !t.trim().is_empty())
            };
            let (post, title, summary) = (get("post"), get("title"), get("summary"));
            let number = i + 1;
            match post {
                Some(name) => {
                    let found = posts
                        .iter()
                        .find(|p| file_name(&p.source) == name || p.source == Path::new(&name));
                    let Some(found) = found else {
                        let d = report.error(
                            &field("post"),
                            false,
                            format!(
                                "unknown post `{name}`: no file of that name in content/posts/"
                            ),
                        );
                        if let Some(near) = did_you_mean(&name, names.iter().map(String::as_str)) {
                            d.help = Some(format!("did you mean `{near}`?"));
                        }
                        continue;
                    };
                    if let Some((other, n)) = claimed.get(&found.source) {
                        let message = if other == &id {
                            format!("duplicate part: `{name}` is already part {n} of this series")
                        } else {
                            format!(
                                "`{name}` is already part {n} of series `{other}`: a post belongs to one series"
                            )
                        };
                        report.error(&field("post"), false, message);
                        continue;
                    }
                    claimed.insert(found.source.clone(), (id.clone(), number));
                    parts.push(SeriesPart {
                        post: Some(found.source.clone()),
                        title: title.unwrap_or_else(|| found.title.clone()),
                        summary: summary.or_else(|| found.description.clone()),
                    });
                }
                None => {
                    let Some(title) = title else {
                        report.error(&part_path, true, "missing `title`: a planned part needs a title (or `post:` once it is published)".into());
                        continue;
                    };
                    if let Some(first) = planned_titles.insert(title.to_lowercase(), number) {
                        report.error(
                            &field("title"),
                            false,
                            format!(
                                "duplicate part: `{title}` is already part {first} of this series"
                            ),
                        );
                        continue;
                    }
                    parts.push(SeriesPart {
                        post: None,
                        title,
                        summary,
                    });
                }
            }
        }
        all.push(Series {
            id,
            title: title.unwrap_or_default(),
            summary,
            parts,
        });
    }
    if report.problems.is_empty() {
        Ok(all)
    } else {
        Err(report.problems)
    }
}

/// Diagnostics placed in the series file.
struct Report<'a> {
    file: &'a DataFile,
    at: Locator<'a>,
    problems: Vec<Diagnostic>,
}

impl Report<'_> {
    /// At the value of `path`, or at its key (`key`): where a missing field belongs.
    fn error(&mut self, path: &[Seg], key: bool, message: String) -> &mut Diagnostic {
        let offset = if key {
            self.at.key(path)
        } else {
            self.at.value(path)
        };
        let text = &self.file.text;
        self.problems
            .push(Diagnostic::error(&self.file.path, message).at_offset(text, offset.unwrap_or(0)));
        self.problems.last_mut().expect("just pushed")
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One part as readers see it: linked when its post is in this build.
#[derive(Debug, Clone)]
pub struct PartView<'s> {
    pub title: &'s str,
    pub summary: Option<&'s str>,
    /// The post, when it is published in this build (not planned, not a left-out draft).
    pub post: Option<&'s Page>,
}

/// The parts of a series with their posts looked up among the built posts.
pub fn parts<'s>(site: &'s Site, series: &'s Series) -> Vec<PartView<'s>> {
    series
        .parts
        .iter()
        .map(|part| PartView {
            title: &part.title,
            summary: part.summary.as_deref(),
            post: part
                .post
                .as_ref()
                .and_then(|source| site.posts.iter().find(|p| &p.source == source))
                .map(|p| &**p),
        })
        .collect()
}

/// The series a page belongs to and its index among the parts.
pub fn series_of<'s>(site: &'s Site, source: &Path) -> Option<(&'s Series, usize)> {
    site.series.iter().find_map(|series| {
        let index = series
            .parts
            .iter()
            .position(|p| p.post.as_deref() == Some(source))?;
        Some((series, index))
    })
}

/// The published posts of a series, newest first (for its feed).
pub fn series_posts<'s>(site: &'s Site, series: &'s Series) -> Vec<&'s Page> {
    let mut posts: Vec<&Page> = parts(site, series).iter().filter_map(|p| p.post).collect();
    newest_first(&mut posts);
    posts
}

fn newest_first(posts: &mut [&Page]) {
    posts.sort_by(|a, b| {
        let key = |p: &Page| p.date.map_or(0, |d| d.sort_key());
        key(b).cmp(&key(a)).then_with(|| b.source.cmp(&a.source))
    });
}

/// The kinds of terms posts are grouped by (defined with the settings, which name them).
pub use crate::config::Taxonomy;

/// One tag, category or author with its posts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// As first written (oldest post first); an author's name from data/authors.yaml.
    pub name: String,
    pub slug: String,
    /// The author id (authors only): the key of data/authors.yaml.
    pub id: Option<String>,
    /// Indexes into `site.posts`, newest first: owned, so the terms can live beside the site,
    /// and indexes, so per-post values are found without hashing paths.
    pub posts: Vec<usize>,
}

impl Term {
    /// `/tags/aws/`.
    pub fn path(&self, taxonomy: Taxonomy) -> String {
        format!("/{}/{}/", taxonomy.id(), self.slug)
    }

    /// The posts, newest first.
    pub fn pages<'s>(&self, site: &'s Site) -> Vec<&'s Page> {
        self.posts.iter().map(|&i| &*site.posts[i]).collect()
    }
}

/// A term's title in the site's language, for its page and its feeds: `Tag: AWS`,
/// `Kategorie: Cloud`; an author's name.
pub fn term_title(site: &Site, taxonomy: Taxonomy, term: &Term) -> String {
    match taxonomy {
        Taxonomy::Authors => term.name.clone(),
        _ => {
            let key = format!("taxonomies.{}.term", taxonomy.id());
            site.strings.plain(&key, &[("name", &term.name)])
        }
    }
}

/// Every taxonomy's terms, computed once per build (listings, the sitemap and the list of
/// outputs all need them).
pub type Terms = BTreeMap<Taxonomy, Vec<Term>>;

/// The terms of every taxonomy, from one walk over the posts: at 10,000 posts, reading each
/// post's fields is most of the work (a preview server's tag edit does it all again).
pub fn all_terms(site: &Site) -> Terms {
    let mut found = Taxonomy::ALL.map(TermsFound::new);
    // Oldest first, so the first spelling wins; posts are then put newest first.
    for (index, post) in site.posts.iter().enumerate().rev() {
        for taxonomy in &mut found {
            let names: &[String] = match taxonomy.taxonomy {
                Taxonomy::Tags => &post.tags,
                Taxonomy::Categories => &post.categories,
                Taxonomy::Authors => &post.authors,
            };
            for name in names {
                taxonomy.add(site, name, index);
            }
        }
    }
    found.into_iter().map(|f| (f.taxonomy, f.terms())).collect()
}

/// The terms of one taxonomy as the posts are walked, oldest first: by slug, so "AWS" and
/// "aws" are one term, shown as first written; a slug that is empty (only punctuation) gets
/// no page.
struct TermsFound<'s> {
    taxonomy: Taxonomy,
    terms: Vec<Term>,
    by_slug: HashMap<String, usize>,
    /// Each spelling is slugified and found once, then known by its term's place (None: its
    /// slug is empty): a big site repeats a few names thousands of times.
    spellings: HashMap<&'s str, Option<usize>>,
}

impl<'s> TermsFound<'s> {
    fn new(taxonomy: Taxonomy) -> Self {
        TermsFound {
            taxonomy,
            terms: Vec::new(),
            by_slug: HashMap::new(),
            spellings: HashMap::new(),
        }
    }

    /// `name` on the post at `index` of `site.posts`.
    fn add(&mut self, site: &Site, name: &'s str, index: usize) {
        let (taxonomy, terms, by_slug) = (self.taxonomy, &mut self.terms, &mut self.by_slug);
        let place = *self.spellings.entry(name).or_insert_with(|| {
            let slug = slugify(name);
            if slug.is_empty() {
                return None;
            }
            let place = *by_slug.entry(slug.clone()).or_insert_with(|| {
                let (name, id) = match taxonomy {
                    Taxonomy::Authors => (site.author_name(name), Some(name.to_owned())),
                    _ => (name.to_owned(), None),
                };
                terms.push(Term {
                    name,
                    slug,
                    id,
                    posts: Vec::new(),
                });
                terms.len() - 1
            });
            Some(place)
        });
        let Some(term) = place.map(|i| &mut terms[i]) else {
            return;
        };
        // Posts come one at a time, so a repeat ("AWS" and "aws" on one post) is the last.
        if term.posts.last() != Some(&index) {
            term.posts.push(index);
        }
    }

    /// By slug; `site.posts` is newest first, so the reverse of the walk is too.
    fn terms(mut self) -> Vec<Term> {
        self.terms.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
        for term in &mut self.terms {
            term.posts.reverse();
        }
        self.terms
    }
}

/// The terms after posts came, went or moved, from `terms` as they were before, without
/// walking every post: the preview server's way to move one post of 10,000. `previous` is,
/// per post of `site.posts`, its index before (None: new); `edited` are posts (indexes now)
/// whose names may differ; `before` is how many posts there were. Equal to [`all_terms`].
pub fn moved_terms(
    site: &Site,
    terms: &Terms,
    previous: &[Option<usize>],
    edited: &[usize],
    before: usize,
) -> Terms {
    // Old index → new; edited and removed posts are taken out, and edited ones put back.
    let mut now: Vec<Option<usize>> = vec![None; before];
    for (i, from) in previous.iter().enumerate() {
        if let Some(j) = *from
            && edited.binary_search(&i).is_err()
        {
            now[j] = Some(i);
        }
    }
    let mut moved = Terms::new();
    for (&taxonomy, list) in terms {
        let mut list: Vec<Term> = list
            .iter()
            .filter_map(|term| {
                // Unedited posts keep their order, so the list stays newest first.
                let posts: Vec<usize> = term.posts.iter().filter_map(|&j| now[j]).collect();
                (!posts.is_empty()).then(|| Term {
                    name: term.name.clone(),
                    slug: term.slug.clone(),
                    id: term.id.clone(),
                    posts,
                })
            })
            .collect();
        for &i in edited {
            for name in names_of(&site.posts[i], taxonomy) {
                let slug = slugify(name);
                if slug.is_empty() {
                    continue;
                }
                let at = match list.binary_search_by(|t| t.slug.as_str().cmp(&slug)) {
                    Ok(at) => at,
                    Err(at) => {
                        let term = Term {
                            name: String::new(),
                            slug,
                            id: None,
                            posts: Vec::new(),
                        };
                        list.insert(at, term);
                        at
                    }
                };
                let posts = &mut list[at].posts;
                if let Err(place) = posts.binary_search(&i) {
                    posts.insert(place, i);
                }
            }
        }
        // A term is shown as its oldest post spells it: taken again from that post.
        for term in &mut list {
            let oldest = &site.posts[*term.posts.last().expect("a term has posts")];
            let spelled = names_of(oldest, taxonomy)
                .iter()
                .find(|n| slugify(n) == term.slug);
            let Some(spelled) = spelled else { continue };
            if term.id.as_ref().unwrap_or(&term.name) == spelled && !term.name.is_empty() {
                continue;
            }
            (term.name, term.id) = match taxonomy {
                Taxonomy::Authors => (site.author_name(spelled), Some(spelled.clone())),
                _ => (spelled.clone(), None),
            };
        }
        moved.insert(taxonomy, list);
    }
    moved
}

/// The names `post` gives in `taxonomy`.
fn names_of(post: &Page, taxonomy: Taxonomy) -> &[String] {
    match taxonomy {
        Taxonomy::Tags => &post.tags,
        Taxonomy::Categories => &post.categories,
        Taxonomy::Authors => &post.authors,
    }
}

/// One page of a paginated listing: the home page's posts, or a term's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pager {
    /// The first page's site path: `/`, `/tags/aws/`; the others are `<root>page/N/`.
    pub root: String,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// Indexes into the listed posts (`site.posts` for the home page, a term's posts).
    pub first: usize,
    pub end: usize,
}

impl Pager {
    pub fn path(&self) -> String {
        page_path_at(&self.root, self.page)
    }

    pub fn prev_path(&self) -> Option<String> {
        (self.page > 1).then(|| page_path_at(&self.root, self.page - 1))
    }

    pub fn next_path(&self) -> Option<String> {
        (self.page < self.pages).then(|| page_path_at(&self.root, self.page + 1))
    }
}

/// `/` for the first page, `/page/N/` after it.
pub fn page_path(page: usize) -> String {
    page_path_at("/", page)
}

/// `root` for the first page, `<root>page/N/` after it.
pub fn page_path_at(root: &str, page: usize) -> String {
    if page <= 1 {
        root.to_owned()
    } else {
        format!("{root}page/{page}/")
    }
}

/// The pages of the home listing: `size` posts each (0: all on one); always at least one.
pub fn paginate(posts: usize, size: usize) -> Vec<Pager> {
    paginate_at("/", posts, size)
}

/// The pages of a listing whose first page is at `root`.
pub fn paginate_at(root: &str, posts: usize, size: usize) -> Vec<Pager> {
    let size = if size == 0 { posts.max(1) } else { size };
    let pages = posts.div_ceil(size).max(1);
    (0..pages)
        .map(|i| Pager {
            root: root.to_owned(),
            page: i + 1,
            pages,
            first: i * size,
            end: ((i + 1) * size).min(posts),
        })
        .collect()
}

/// `/tags/<slug>/feed.xml`.
pub fn term_feed_path(taxonomy: Taxonomy, slug: &str) -> String {
    format!("/{}/{slug}/feed.xml", taxonomy.id())
}

/// `/tags/<slug>/rss.xml`, beside the Atom feed as `/rss.xml` is beside `/feed.xml`.
pub fn term_rss_path(taxonomy: Taxonomy, slug: &str) -> String {
    format!("/{}/{slug}/rss.xml", taxonomy.id())
}

/// The Atom feed, `/feed.xml`.
pub const FEED_PATH: &str = "/feed.xml";
/// The RSS 2.0 feed (`feed: {rss: true}`), `/rss.xml`.
pub const RSS_PATH: &str = "/rss.xml";

/// What the engine generates for the blog, each a pure function of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A page of the home listing (only when content/ has no home page).
    Home(Pager),
    TermIndex(Taxonomy),
    /// One page of a term's listing: the taxonomy, the term's slug and the page.
    Term(Taxonomy, String, Pager),
    /// A term's Atom feed (`feed: {taxonomies: [tags]}`).
    TermFeed(Taxonomy, String),
    /// A term's RSS 2.0 feed (`feed: {taxonomies: [tags], rss: true}`).
    TermRss(Taxonomy, String),
    /// The index into `site.series`.
    Series(usize),
    SeriesFeed(usize),
    Feed,
    /// The RSS 2.0 feed (`feed: {rss: true}`).
    Rss,
    Sitemap,
    Robots,
    NotFound,
}

impl Output {
    /// The site path: `/tags/aws/`, `/feed.xml`.
    pub fn path(&self, site: &Site) -> String {
        match self {
            Output::Home(pager) => pager.path(),
            Output::TermIndex(t) => t.path(),
            Output::Term(_, _, pager) => pager.path(),
            Output::TermFeed(t, slug) => term_feed_path(*t, slug),
            Output::TermRss(t, slug) => term_rss_path(*t, slug),
            Output::Series(i) => series_path(&site.series[*i].id),
            Output::SeriesFeed(i) => series_feed_path(&site.series[*i].id),
            Output::Feed => FEED_PATH.into(),
            Output::Rss => RSS_PATH.into(),
            Output::Sitemap => "/sitemap.xml".into(),
            Output::Robots => "/robots.txt".into(),
            Output::NotFound => "/404.html".into(),
        }
    }

    /// The file in the output folder.
    pub fn file(&self, site: &Site) -> PathBuf {
        page::output_file(&self.path(site))
    }
}

/// Everything the blog adds to a site, in a fixed order.
pub fn outputs(site: &Site, terms: &Terms) -> Vec<Output> {
    let mut out = Vec::new();
    if site.home().is_none() {
        out.extend(
            paginate(site.posts.len(), site.config.paginate)
                .into_iter()
                .map(Output::Home),
        );
    }
    for (taxonomy, terms) in terms {
        if !terms.is_empty() {
            out.push(Output::TermIndex(*taxonomy));
            for term in terms {
                let root = term.path(*taxonomy);
                let pages = paginate_at(&root, term.posts.len(), site.config.paginate_terms);
                out.extend(
                    pages
                        .into_iter()
                        .map(|pager| Output::Term(*taxonomy, term.slug.clone(), pager)),
                );
                if site.config.feed.of_terms(*taxonomy) {
                    out.push(Output::TermFeed(*taxonomy, term.slug.clone()));
                    if site.config.feed.rss {
                        out.push(Output::TermRss(*taxonomy, term.slug.clone()));
                    }
                }
            }
        }
    }
    for i in 0..site.series.len() {
        out.push(Output::Series(i));
        out.push(Output::SeriesFeed(i));
    }
    out.push(Output::Feed);
    if site.config.feed.rss {
        out.push(Output::Rss);
    }
    out.extend([Output::Sitemap, Output::Robots, Output::NotFound]);
    out
}

/// The summary of a page as HTML, from its Markdown `source` ([`Page::summary_source`]):
/// before `<!-- more -->`, else the first paragraph. Links to other sources are resolved
/// (`links`), relative links resolved against the page's URL and `#fragment` links point into
/// the page, so the summary works in a listing or a feed. Code gets the classes of `palette`,
/// the site's themes, as on the page itself.
pub fn summary_html(
    links: &SourceLinks,
    config: &Config,
    page: &Page,
    source: &str,
    palette: Option<&crate::highlight::Palette>,
) -> String {
    if source.is_empty() {
        return String::new();
    }
    let resolve = |target: &str| links.resolve(&page.source, target).map(str::to_owned);
    let options = markdown::Options {
        resolve_source_link: Some(&resolve),
        base_path: &config.base_path,
        relative_to: Some(&page.url),
        palette,
        code_markup: config.code_markup,
        ..markdown::Options::default()
    };
    let html = markdown::render(source, &options).html;
    let anchor = format!("href=\"{}#", config.relative_url(&page.url));
    html.replace("href=\"#", &anchor).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_boundaries() {
        assert_eq!(paginate(0, 10).len(), 1);
        assert_eq!(paginate(10, 10).len(), 1);
        let pages = paginate(11, 10);
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[1].first, pages[1].end), (10, 11));
        assert_eq!(pages[1].path(), "/page/2/");
        assert_eq!(pages[1].prev_path().as_deref(), Some("/"));
        assert_eq!(pages[0].next_path().as_deref(), Some("/page/2/"));
        assert_eq!(pages[1].next_path(), None);
        assert_eq!(paginate(25, 0).len(), 1);
        let term = paginate_at("/tags/aws/", 3, 2);
        assert_eq!(term[0].path(), "/tags/aws/");
        assert_eq!(term[1].path(), "/tags/aws/page/2/");
        assert_eq!(term[1].prev_path().as_deref(), Some("/tags/aws/"));
        assert_eq!((term[1].first, term[1].end), (2, 3));
    }

    /// Terms moved with the posts equal terms found again from every post: a post moved
    /// from oldest to newest (the term takes the next oldest spelling), one deleted, a new
    /// one with a new tag, one edited in place with other tags.
    #[test]
    fn moved_terms_equal_all_terms_found_again() {
        use std::sync::Arc;
        let config = crate::config::from_source(
            Path::new("site.yaml"),
            "",
            &crate::config::Overrides::default(),
        )
        .unwrap();
        let post = |name: &str, front: &str| {
            let path = format!("content/posts/{name}.md");
            let text = format!("---\n{front}\n---\nWords.\n");
            Arc::new(page::parse(Path::new(&path), text, PageKind::Post, &config).unwrap())
        };
        let posts = vec![
            post("2024-01-01-a", "tags: [AWS, Go]\nauthors: [ann]"),
            post("2024-01-02-b", "tags: [aws]\nauthors: [bo]"),
            post("2024-01-03-c", "tags: [Aws, rust]\nauthors: [ann]"),
            post("2024-01-04-d", "tags: [go]\ncategories: [Ops]"),
        ];
        let data: crate::yaml::Mapping =
            serde_yaml::from_str("authors: {ann: {name: Ann}, bo: {name: Bo}}").unwrap();
        let (mut site, _) = Site::assemble(config.clone(), posts.clone(), data, Default::default());
        let terms = all_terms(&site);
        let check =
            |site: &mut Site, terms: Terms, old: Option<&Arc<Page>>, new: Option<Arc<Page>>| {
                let before = site.posts.len();
                let mut previous: Vec<Option<usize>> = (0..before).map(Some).collect();
                let from = old
                    .and_then(|old| site.remove_post(old))
                    .and_then(|i| previous.remove(i));
                let mut edited = Vec::new();
                if let Some(new) = new {
                    let at = site.insert_post(new).unwrap();
                    previous.insert(at, from);
                    edited.push(at);
                }
                let terms = moved_terms(site, &terms, &previous, &edited, before);
                assert_eq!(terms, all_terms(site));
                terms
            };
        let oldest = Arc::clone(&posts[0]);
        let moved = post(
            "2024-01-01-a",
            "date: 2025-01-01\ntags: [AWS, Go]\nauthors: [ann]",
        );
        let terms = check(&mut site, terms, Some(&oldest), Some(moved));
        let aws = &terms[&Taxonomy::Tags][0];
        assert_eq!(aws.name, "aws", "the next oldest spelling");
        let terms = check(&mut site, terms, Some(&posts[1]), None);
        let new = post("2024-01-05-e", "tags: [new, AWS]\ncategories: [ops]");
        let terms = check(&mut site, terms, None, Some(new));
        let edited = post("2024-01-03-c", "tags: [Rust]\nauthors: [bo]");
        check(&mut site, terms, Some(&posts[2]), Some(edited));
    }
}

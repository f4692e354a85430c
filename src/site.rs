//! The whole site as data: pages sorted and cross-checked, no I/O, no HTML.
//!
//! Assembly is where facts that span files are checked: author ids against `data/authors.yaml`,
//! two pages claiming the same URL, links between Markdown sources.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::matrix::Matrices;
use crate::page::{Page, PageKind};
use crate::strings::Strings;
use crate::yaml::{Mapping, Value};

pub struct Site {
    pub config: Config,
    /// Posts, newest first. Shared, so the preview server re-assembles without copying them.
    pub posts: Vec<Arc<Page>>,
    /// Every other content page, in source order.
    pub pages: Vec<Arc<Page>>,
    /// The tree of `data/`.
    pub data: Mapping,
    /// The validated feature matrices of `data/`.
    pub matrices: Matrices,
    /// The series of `data/series.yaml`, validated (set by the pipeline after assembly).
    pub series: Vec<Series>,
    /// The words versus writes itself, in the site's language (set by the pipeline after
    /// assembly; English until then).
    pub strings: Strings,
    /// Source path (relative to the root) → site path, for links written to `.md` files.
    urls_by_source: SourceLinks,
    /// Output file → the first page written there, as an index into [`Site::all_pages`].
    by_output: HashMap<PathBuf, usize>,
}

/// Source path (relative to the root) → site path, for links written to `.md` files. Shared,
/// so the entries of `posts`, which make their summaries only when a layout reads them, can
/// resolve links after the site is gone.
#[derive(Debug, Clone, Default)]
pub struct SourceLinks(Arc<HashMap<PathBuf, String>>);

impl SourceLinks {
    /// See [`Site::source_link`].
    pub fn resolve(&self, from: &Path, target: &str) -> Option<&str> {
        let joined = from.parent().unwrap_or(Path::new("")).join(target);
        let mut normal = PathBuf::new();
        for part in joined.components() {
            match part {
                Component::ParentDir => {
                    normal.pop();
                }
                Component::CurDir => {}
                other => normal.push(other),
            }
        }
        self.0.get(&normal).map(String::as_str)
    }

    fn contains_key(&self, source: &Path) -> bool {
        self.0.contains_key(source)
    }

    /// A patch of the site changes its own map; entries made before keep the one they read.
    fn insert(&mut self, source: PathBuf, url: String) {
        Arc::make_mut(&mut self.0).insert(source, url);
    }

    fn remove(&mut self, source: &Path) {
        Arc::make_mut(&mut self.0).remove(source);
    }
}

/// A series of posts, declared once in `data/series.yaml` (checked by `blog::load_series`).
#[derive(Debug, Clone, Default, Hash)]
pub struct Series {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub summary: Option<String>,
    /// In reading order, published and planned.
    pub parts: Vec<SeriesPart>,
}

/// One part of a series: a post (by its source path), or a planned one.
#[derive(Debug, Clone, Default, Hash)]
pub struct SeriesPart {
    /// The post's source path; None for a part still planned.
    pub post: Option<PathBuf>,
    /// The data's title, else the post's.
    pub title: String,
    /// The data's line on what the part covers, else the post's description.
    pub summary: Option<String>,
}

impl Site {
    /// Sorts and checks the parsed pages. Problems are returned beside the site, so later
    /// stages can still report theirs.
    pub fn assemble(
        config: Config,
        all: Vec<Arc<Page>>,
        data: Mapping,
        matrices: Matrices,
    ) -> (Site, Vec<Diagnostic>) {
        let (mut posts, pages): (Vec<Arc<Page>>, Vec<Arc<Page>>) =
            all.into_iter().partition(|p| p.kind == PageKind::Post);
        posts.sort_by(|a, b| newest_first(a, b));
        let mut problems = Vec::new();
        let authors = data.get("authors").and_then(Value::as_mapping);
        for page in posts.iter().chain(&pages) {
            problems.extend(unknown_authors(page, authors));
        }
        let mut by_output: HashMap<PathBuf, usize> = HashMap::new();
        for (index, page) in posts.iter().chain(&pages).enumerate() {
            let first = *by_output.entry(page.output.clone()).or_insert(index);
            if first != index {
                let first = posts
                    .iter()
                    .chain(&pages)
                    .nth(first)
                    .expect("an earlier page");
                problems.push(
                    Diagnostic::error(
                        &page.source,
                        format!(
                            "`{}` is also the URL of {}",
                            page.url,
                            first.source.display()
                        ),
                    )
                    .at(&page.text, 1, 1)
                    .with_help("set a different `slug:` or `permalink:` in the front matter"),
                );
            }
        }
        let urls_by_source = SourceLinks(Arc::new(
            posts
                .iter()
                .chain(&pages)
                .map(|p| (p.source.clone(), p.url.clone()))
                .collect(),
        ));
        let site = Site {
            config,
            posts,
            pages,
            data,
            matrices,
            series: Vec::new(),
            strings: Strings::default(),
            urls_by_source,
            by_output,
        };
        (site, problems)
    }

    /// Puts `new` in the place of the page `old`, when everything assembly checked or sorted
    /// by is the same (kind, source, URL, output, date, authors, draft): the preview server's
    /// way to take an edit to a page's text without assembling 10,000 pages again. Returns
    /// the page's index in [`Site::all_pages`], or None (and changes nothing) when `old` is
    /// not in the site or `new` would need assembly.
    pub fn replace(&mut self, old: &Arc<Page>, new: Arc<Page>) -> Option<usize> {
        let same_place = (old.kind, &old.source, &old.url, &old.output, old.date)
            == (new.kind, &new.source, &new.url, &new.output, new.date)
            && (&old.authors, old.authors_key, old.draft)
                == (&new.authors, new.authors_key, new.draft)
            && old
                .aliases
                .iter()
                .map(|a| &a.path)
                .eq(new.aliases.iter().map(|a| &a.path));
        if !same_place {
            return None;
        }
        let posts = self.posts.len();
        let (list, offset) = match old.kind {
            PageKind::Post => (&mut self.posts, 0),
            PageKind::Page => (&mut self.pages, posts),
        };
        let index = list.iter().position(|p| Arc::ptr_eq(p, old))?;
        list[index] = new;
        Some(offset + index)
    }

    /// Takes the post `old` out of the site, for the preview server when a post is deleted,
    /// made a draft or moved. Returns its index in [`Site::all_pages`], or None (and changes
    /// nothing) when it is not in the site.
    pub fn remove_post(&mut self, old: &Arc<Page>) -> Option<usize> {
        let index = self.posts.iter().position(|p| Arc::ptr_eq(p, old))?;
        self.posts.remove(index);
        self.by_output.remove(&old.output);
        for at in self.by_output.values_mut() {
            if *at > index {
                *at -= 1;
            }
        }
        self.urls_by_source.remove(&old.source);
        Some(index)
    }

    /// Puts the post `new` in its place among the posts, as assembly sorts them: the preview
    /// server's way to take a new, moved or published post without assembling 10,000 pages
    /// again. Returns its index in [`Site::all_pages`], or None (and changes nothing) when
    /// assembly would report it: a URL of another page's, an unknown author.
    pub fn insert_post(&mut self, new: Arc<Page>) -> Option<usize> {
        let authors = self.data.get("authors").and_then(Value::as_mapping);
        let taken = |site: &Site| {
            site.by_output.contains_key(&new.output)
                || site.urls_by_source.contains_key(&new.source)
        };
        if new.kind != PageKind::Post || taken(self) || !unknown_authors(&new, authors).is_empty() {
            return None;
        }
        let index = self
            .posts
            .partition_point(|p| newest_first(p, &new).is_lt());
        for at in self.by_output.values_mut() {
            if *at >= index {
                *at += 1;
            }
        }
        self.by_output.insert(new.output.clone(), index);
        self.urls_by_source
            .insert(new.source.clone(), new.url.clone());
        self.posts.insert(index, new);
        Some(index)
    }

    /// The page written to `output` (relative to the output folder).
    pub fn page_at(&self, output: &Path) -> Option<&Page> {
        let index = *self.by_output.get(output)?;
        match index.checked_sub(self.posts.len()) {
            None => Some(&self.posts[index]),
            Some(i) => Some(&self.pages[i]),
        }
    }

    /// The site path of the page built from `target`, a link written in the page at `from`
    /// (both as in the source tree: `2023-08-11-a.md`, `../about.md`).
    pub fn source_link(&self, from: &Path, target: &str) -> Option<&str> {
        self.urls_by_source.resolve(from, target)
    }

    /// What [`Site::source_link`] resolves links with, to hold without the site.
    pub fn source_links(&self) -> &SourceLinks {
        &self.urls_by_source
    }

    /// The entry of `data/authors.yaml` for `id`.
    pub fn author(&self, id: &str) -> Option<&Value> {
        self.data.get("authors")?.as_mapping()?.get(id)
    }

    /// How an author is shown: `name` of data/authors.yaml, else `first_name` and `last_name`
    /// (as Jekyll themes' `_data/authors.yml` spell it), else the id.
    pub fn author_name(&self, id: &str) -> String {
        let author = self.author(id);
        let field = |key: &str| {
            author
                .and_then(|a| a.get(key))
                .and_then(crate::yaml::as_text)
        };
        if let Some(name) = field("name") {
            return name;
        }
        let parts: Vec<String> = ["first_name", "last_name"]
            .into_iter()
            .filter_map(field)
            .filter(|part| !part.trim().is_empty())
            .collect();
        match parts.is_empty() {
            true => id.to_owned(),
            false => parts.join(" "),
        }
    }

    pub fn all_pages(&self) -> impl Iterator<Item = &Page> {
        self.posts.iter().chain(&self.pages).map(|p| &**p)
    }

    /// Stale matrix claims: one warning per matrix file, at its first stale cell, naming each
    /// claim (a site whose claims all date from one review would otherwise print a page of them).
    pub fn stale_claims(&self) -> Vec<Diagnostic> {
        let limit = self.config.stale_before();
        let mut warnings = Vec::new();
        for area in &self.matrices.areas {
            let stale: Vec<(String, &crate::matrix::Cell)> = area
                .features
                .iter()
                .flat_map(|feature| {
                    let providers = self.matrices.providers.iter();
                    providers
                        .zip(&feature.cells)
                        .map(move |(p, cell)| (format!("{}/{}", p.id, feature.id), cell))
                })
                .filter(|(_, cell)| cell.verified.is_some_and(|v| v < limit))
                .collect();
            let Some(first) = stale.first() else {
                continue;
            };
            let oldest = stale
                .iter()
                .filter_map(|(_, c)| c.verified)
                .min()
                .unwrap_or(limit);
            let claims: Vec<&str> = stale.iter().map(|(name, _)| name.as_str()).collect();
            let message = format!(
                "{} stale claim(s), verified more than {} days ago (oldest {oldest}): {}",
                stale.len(),
                self.config.stale_after_days,
                claims.join(", ")
            );
            warnings.push(
                Diagnostic::warning(&area.source, message).at_offset(&area.text, first.1.offset),
            );
        }
        warnings
    }

    /// Whether a content page is the home page (else the engine makes one from `index`).
    pub fn home(&self) -> Option<&Page> {
        self.pages.iter().find(|p| p.url == "/").map(|p| &**p)
    }
}

/// The order of posts: newest first, then by source path (descending), so it is total.
fn newest_first(a: &Page, b: &Page) -> std::cmp::Ordering {
    let key = |p: &Page| p.date.map_or(0, |d| d.sort_key());
    key(b).cmp(&key(a)).then_with(|| b.source.cmp(&a.source))
}

/// A warning per author id of `page` that is not a key of data/authors.yaml (`authors`).
fn unknown_authors(page: &Page, authors: Option<&Mapping>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for id in &page.authors {
        if authors.is_some_and(|a| a.contains_key(id.as_str())) {
            continue;
        }
        let known = authors
            .into_iter()
            .flat_map(|a| a.keys())
            .filter_map(Value::as_str);
        // A warning, as on Jekyll: the page shows the id as the author's name.
        let message = format!("unknown author `{id}`: not a key of data/authors.yaml");
        let mut diagnostic = match page.authors_key {
            Some(key) => page.error_at_key(key, Some(id), message),
            None => Diagnostic::error(crate::config::FILE_NAME, message).with_help(format!(
                "the default `authors` of site.yaml apply to {}",
                page.source.display()
            )),
        };
        if let Some(near) = crate::diag::did_you_mean(id, known) {
            diagnostic = diagnostic.with_help(format!("did you mean `{near}`?"));
        }
        diagnostic.severity = crate::diag::Severity::Warning;
        problems.push(diagnostic);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Overrides, from_source};

    fn site(files: &[(&str, &str)]) -> (Site, Vec<Diagnostic>) {
        let config = from_source(Path::new("site.yaml"), "", &Overrides::default()).unwrap();
        let pages = files
            .iter()
            .map(|(path, text)| {
                let kind = if path.starts_with("content/posts/") {
                    PageKind::Post
                } else {
                    PageKind::Page
                };
                crate::page::parse(Path::new(path), text.to_string(), kind, &config).unwrap()
            })
            .map(Arc::new)
            .collect();
        let data: Mapping = serde_yaml::from_str("authors: {ann: {name: Ann}}").unwrap();
        Site::assemble(config, pages, data, Matrices::default())
    }

    #[test]
    fn posts_newest_first_and_source_links() {
        let (site, problems) = site(&[
            (
                "content/posts/2023-01-01-old.md",
                "---\nauthors: [ann]\n---\n",
            ),
            (
                "content/posts/2024-01-01-new.md",
                "---\nauthors: [ann]\n---\n",
            ),
            ("content/about.md", "---\ntitle: About\n---\n"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(site.posts[0].slug, "new");
        let from = Path::new("content/posts/2024-01-01-new.md");
        assert_eq!(
            site.source_link(from, "2023-01-01-old.md"),
            Some("/2023/01/01/old/")
        );
        assert_eq!(site.source_link(from, "../about.md"), Some("/about/"));
        assert_eq!(site.source_link(from, "nope.md"), None);
    }

    /// Found on a real Jekyll blog: authors given as `first_name` / `last_name` showed as ids.
    #[test]
    fn an_author_name_is_name_or_first_and_last_name_or_the_id() {
        let (mut site, _) = site(&[]);
        site.data = serde_yaml::from_str(
            "authors: {ann: {name: Ann}, bo: {first_name: Bo, last_name: \"Ek Lund\"}, cy: {last_name: Cy}, dee: {bio: x}}",
        )
        .unwrap();
        assert_eq!(site.author_name("ann"), "Ann");
        assert_eq!(site.author_name("bo"), "Bo Ek Lund");
        assert_eq!(site.author_name("cy"), "Cy");
        assert_eq!(site.author_name("dee"), "dee");
        assert_eq!(site.author_name("nobody"), "nobody");
    }

    #[test]
    fn unknown_author_and_duplicate_urls_are_errors() {
        let (_, problems) = site(&[
            (
                "content/posts/2023-01-01-a.md",
                "---\ntitle: x\nauthors: [ann, anne]\n---\n",
            ),
            (
                "content/posts/2023-01-01-b.md",
                "---\nslug: a\nauthors: [ann]\n---\n",
            ),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let author = problems
            .iter()
            .find(|p| p.message.contains("anne"))
            .unwrap();
        assert_eq!((author.line, author.col), (3, 16));
        assert_eq!(author.help.as_deref(), Some("did you mean `ann`?"));
        assert!(problems.iter().any(|p| p.message.contains("also the URL")));
    }
}

//! Templates: the minijinja environment built once from `layouts/`, and one page → one HTML
//! string.
//!
//! Values shared by every page (`site`, `data`, `posts`) are converted once and cloned per page
//! (a reference count), so rendering stays linear in the number of pages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use minijinja::value::Serde;

use minijinja::{Environment, Error, UndefinedBehavior, Value};
use rayon::prelude::*;

use crate::blog::{self, Output as BlogOutput, Pager, Taxonomy, Term};
use crate::diag::{self, Diagnostic};
use crate::markdown::{self, Rendered, escape_html as escape};
use crate::page::Page;
use crate::site::Site;
use crate::theme;

mod assets;
mod cache;
mod errors;
mod filters;
mod layouts;
mod values;

pub use assets::Assets;
pub use cache::{Bytes, PostReads, RenderCache, hash_of};
use cache::{
    LayoutKey, TrackedPosts, dates_key, fields_hash, layout_keys, links_key, listing_key,
    series_keys,
};

use errors::template_diagnostic;
use filters::{add_filters, add_matrix_function, readable_escape};
use layouts::{template_name, unfilled_parents};
use values::{
    card_value, page_value, post_list_html, series_value, site_value, taxonomy_title,
    taxonomy_value,
};

/// The compiled layouts, before the site is known (so template errors are found in the same
/// stage as front matter errors).
pub struct Templates {
    env: Environment<'static>,
    /// Template sources by name, to place template errors at line:col.
    sources: BTreeMap<String, String>,
    /// The names taken from the built-in theme: those the site's `layouts/` does not have.
    builtin: BTreeSet<String>,
    /// Built-in layouts that would render empty under the site's own parent layout.
    unfilled: BTreeMap<String, Diagnostic>,
}

impl Templates {
    /// Compiles every template under `layouts/` up front, so all syntax errors show at once,
    /// and the built-in theme's for every name the site does not have.
    pub fn load(root: &Path, layouts: &[PathBuf]) -> Result<Templates, Vec<Diagnostic>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_formatter(readable_escape);
        let mut sources = BTreeMap::new();
        let mut problems = Vec::new();
        for file in layouts {
            match crate::source::read_text(root, file) {
                Ok(text) => {
                    sources.insert(template_name(file), text);
                }
                Err(diagnostic) => problems.push(diagnostic),
            }
        }
        // A site layout that cannot be read is an error above, not a reason to use ours.
        let own: BTreeSet<String> = layouts.iter().map(|f| template_name(f)).collect();
        let mut builtin = BTreeSet::new();
        for (name, text) in theme::layouts() {
            if !own.contains(name) {
                sources.insert(name.to_owned(), text.to_owned());
                builtin.insert(name.to_owned());
            }
        }
        for (name, text) in &sources {
            if let Err(err) = env.add_template_owned(name.clone(), text.clone()) {
                problems.push(template_diagnostic(&err, &sources, &builtin));
            }
        }
        if problems.is_empty() {
            Ok(Templates {
                unfilled: unfilled_parents(&sources, &builtin),
                env,
                sources,
                builtin,
            })
        } else {
            Err(problems)
        }
    }

    /// Adds what depends on the site: filters that know the base URL, and the shared values.
    /// With a cache (the preview server), values and pages made from unchanged inputs are
    /// reused from the previous rebuild.
    pub fn for_site(self, site: &Site, cache: Option<&Arc<RenderCache>>) -> Renderer {
        let Templates {
            mut env,
            sources,
            builtin,
            unfilled,
        } = self;
        let config = Arc::new(site.config.clone());
        // Unknown themes are the pipeline's error to report; code is then coloured as by default.
        let palette =
            crate::highlight::Palette::new(&config.highlight.light, &config.highlight.dark)
                .ok()
                .map(Arc::new);
        add_filters(
            &mut env,
            &config,
            &Arc::new(site.strings.clone()),
            palette.clone(),
        );
        // Plain URLs until the build hands over its files (the preview server never does).
        assets::add_asset_filter(&mut env, &config, None);
        add_matrix_function(&mut env, site);
        let site_value = site_value(&site.config, !site.matrices.areas.is_empty());
        let data = Value::from(Serde(&site.data));
        // Everything shared that a page's value or a template can read, besides the page.
        // What every page reads: the settings and the day. The data a page reads (its
        // authors, its series, the matrices of its tables) is added per page, the rest of
        // `data` only for layouts that name it.
        let globals = hash_of(&(&site_value, site.config.today.to_string(), &site.strings));
        let matrices = data
            .get_attr("matrices")
            .ok()
            .map(|m| hash_of(&(m, data.get_attr("providers").ok())));
        let mut renderer = Renderer {
            layouts: layout_keys(&env, &sources),
            layout_keys: HashMap::new(),
            unknown_layout_key: 0,
            read_hashes: Mutex::default(),
            templates_key: hash_of(&sources),
            env,
            sources,
            builtin,
            unfilled,
            memo: cache.cloned(),
            globals,
            matrices,
            links_key: links_key(site),
            dates_key: dates_key(site),
            series_keys: series_keys(site),
            page_keys: Vec::new(),
            content_keys: Vec::new(),
            posts_key: 0,
            data_key: hash_of(&data),
            highlight_cache: None,
            palette,
            site: site_value,
            data,
            posts: Value::from(()),
            post_values: Vec::new(),
            listing_keys: Vec::new(),
        };
        renderer.page_keys = site
            .all_pages()
            .map(|page| renderer.inputs_key(site, page))
            .collect();
        renderer.post_values = site
            .posts
            .par_iter()
            .enumerate()
            .map(|(i, post)| renderer.post_value(site, i, post))
            .collect();
        renderer.listing_keys = site.posts.iter().map(|p| listing_key(p)).collect();
        renderer.update_layout_keys();
        renderer.content_keys = (site.all_pages().zip(&renderer.page_keys))
            .map(|(page, key)| renderer.content_key(*key, page))
            .collect();
        renderer.update_posts();
        renderer
    }
}

/// Renders pages; shared by all rendering threads.
pub struct Renderer {
    env: Environment<'static>,
    sources: BTreeMap<String, String>,
    builtin: BTreeSet<String>,
    unfilled: BTreeMap<String, Diagnostic>,
    site: Value,
    data: Value,
    posts: Value,
    /// The entries of `posts`, for listings of a few (a page of the home page, a tag).
    post_values: Vec<Value>,
    /// Per post, a hash of what a plain list of posts shows: its URL, title and date.
    listing_keys: Vec<u64>,
    /// The preview server's cache.
    memo: Option<Arc<RenderCache>>,
    /// Per page of `site.all_pages()` (posts first, so the posts' keys lead): a hash of what
    /// its value and Markdown are made of, but the list of posts and its layout.
    page_keys: Vec<u64>,
    /// Per page, the same with its layout's key, and whether the layout reads the list of
    /// posts (which [`Renderer::page_key`] adds): kept, so keying 10,000 unchanged pages
    /// costs no hashing.
    content_keys: Vec<(u64, bool)>,
    /// A hash of the settings and the day, which every page reads.
    globals: u64,
    /// A hash of the matrices, for pages whose text may embed a table.
    matrices: Option<u64>,
    /// A hash of every page's source and URL: what links between sources resolve to.
    links_key: u64,
    /// A hash of every page's date.
    dates_key: u64,
    /// Per series id, a hash of what its pages show of it.
    series_keys: HashMap<String, u64>,
    /// A hash of the list of posts.
    posts_key: u64,
    /// A hash of all of `data/`.
    data_key: u64,
    /// A hash of every template.
    templates_key: u64,
    /// Per layout (`post` for layouts/post.html): what it is made of and reads.
    layouts: HashMap<String, LayoutKey>,
    /// Per set of fields a page read of the posts, the hash of those fields of each post;
    /// kept up to date as posts change, so a page listing all posts is keyed in microseconds.
    read_hashes: Mutex<HashMap<std::collections::BTreeSet<String>, Vec<u64>>>,
    /// Per layout, [`Renderer::layout_base`].
    layout_keys: HashMap<String, (u64, bool)>,
    /// [`Renderer::layout_key`] of a layout that does not exist.
    unknown_layout_key: u64,
    highlight_cache: Option<crate::highlight::DiskCache>,
    /// The classes of highlighted code, from the site's light and dark themes.
    palette: Option<Arc<crate::highlight::Palette>>,
}

impl Renderer {
    /// A hash of what a page's template value and Markdown are made of: the page itself, the
    /// settings, its authors' entries, its series (the other parts' titles and URLs show),
    /// the matrices when its text may embed a table, the URLs of other sources when it may
    /// link to them.
    fn inputs_key(&self, site: &Site, page: &Page) -> u64 {
        let in_series =
            blog::series_of(site, &page.source).map(|(s, _)| self.series_keys.get(&s.id));
        let authors: Vec<Option<&crate::yaml::Value>> =
            page.authors.iter().map(|id| site.author(id)).collect();
        let tables = page.may_embed.then_some(self.matrices);
        let links = page.may_link_sources.then_some(self.links_key);
        hash_of(&(
            self.globals,
            page.fingerprint,
            in_series,
            authors,
            tables,
            links,
        ))
    }

    /// The `posts` entry of the post at `index`, from the cache when its key is unchanged.
    fn post_value(&self, site: &Site, index: usize, post: &Page) -> Value {
        match &self.memo {
            Some(cache) => cache.post_value(self.page_keys[index], || {
                page_value(post, site, None, self.palette())
            }),
            None => page_value(post, site, None, self.palette()),
        }
    }

    /// Recomputes what depends on every post's key: the key and value of the list of posts.
    fn update_posts(&mut self) {
        self.posts_key = hash_of(&self.page_keys[..self.post_values.len()]);
        self.posts = Value::from(self.post_values.clone());
    }

    /// The preview server replaced the pages at `changed` (indexes into `site.all_pages()`)
    /// with new text, each keeping its place, URL, date and authors: updates their keys and
    /// values, and those of the other parts of a series they belong to.
    pub fn replace_pages(&mut self, site: &Site, changed: &[usize]) {
        let series_keys = series_keys(site);
        let mut refresh: Vec<usize> = changed.to_vec();
        if series_keys != self.series_keys {
            // A part's title or text shows on every part: rare enough to redo every page.
            self.series_keys = series_keys;
            refresh = (0..self.page_keys.len()).collect();
        }
        let pages: Vec<&Page> = site.all_pages().collect();
        for i in refresh {
            let key = self.inputs_key(site, pages[i]);
            self.content_keys[i] = self.content_key(key, pages[i]);
            if self.page_keys[i] != key {
                self.page_keys[i] = key;
                if i < self.post_values.len() {
                    let value = self.post_value(site, i, pages[i]);
                    let known = self
                        .read_hashes
                        .get_mut()
                        .unwrap_or_else(|e| e.into_inner());
                    for (fields, hashes) in known.iter_mut() {
                        hashes[i] = fields_hash(&value, fields);
                    }
                    self.post_values[i] = value;
                    self.listing_keys[i] = listing_key(pages[i]);
                }
            }
        }
        self.update_posts();
    }

    /// Highlighted code from disk (build and serve); the renderer carries it to page rendering.
    pub fn set_highlight_cache(&mut self, cache: Option<crate::highlight::DiskCache>) {
        self.highlight_cache = cache;
    }

    pub fn highlight_cache(&self) -> Option<&crate::highlight::DiskCache> {
        self.highlight_cache.as_ref()
    }

    /// The classes highlighted code gets, matching the site's `highlight.css`.
    pub fn palette(&self) -> Option<&crate::highlight::Palette> {
        self.palette.as_deref()
    }

    /// A hash of everything a content page is rendered from (`index` is its place in
    /// `site.all_pages()`): equal keys, equal HTML.
    /// `reads`: what the page read of the list of posts when it was last rendered, if its
    /// layout reads `posts` (see [`Renderer::page_reading`]); None counts every post whole.
    pub fn page_key(&self, index: usize, reads: Option<&PostReads>) -> u64 {
        match self.content_keys[index] {
            (key, false) => key,
            (key, true) => {
                let posts = match reads {
                    Some(reads) => self.posts_read_key(reads),
                    None => self.posts_key,
                };
                hash_of(&(key, posts))
            }
        }
    }

    /// [`Renderer::content_keys`] of a page whose inputs hash to `key`.
    fn content_key(&self, key: u64, page: &Page) -> (u64, bool) {
        let (layout, reads_posts) = self.layout_base(&page.layout);
        (hash_of(&(key, layout)), reads_posts)
    }

    /// A hash of what a page rendered through `layout` reads besides the page: the layout
    /// and its templates, and the list of posts and `data` when they name them.
    fn layout_key(&self, layout: &str) -> u64 {
        let (key, reads_posts) = self.layout_base(layout);
        hash_of(&(key, reads_posts.then_some(self.posts_key)))
    }

    /// [`Renderer::layout_key`] but the list of posts, and whether the layout reads it.
    fn layout_base(&self, layout: &str) -> (u64, bool) {
        match self.layout_keys.get(layout) {
            Some(&key) => key,
            None => (self.unknown_layout_key, true),
        }
    }

    /// [`Renderer::layout_base`] for every layout, found once per build rather than once per
    /// page.
    fn update_layout_keys(&mut self) {
        self.layout_keys = self
            .layouts
            .iter()
            .map(|(name, l)| {
                let data = l.reads(&["data", "matrix"]).then_some(self.data_key);
                let key = hash_of(&(self.globals, l.templates, data));
                (name.clone(), (key, l.reads(&["posts"])))
            })
            .collect();
        self.unknown_layout_key = hash_of(&(self.globals, self.templates_key, self.data_key));
    }

    /// A hash of the fields `reads` names of every post (all of them when it read some post
    /// whole).
    fn posts_read_key(&self, reads: &PostReads) -> u64 {
        if reads.all {
            return self.posts_key;
        }
        let mut known = self.read_hashes.lock().unwrap_or_else(|e| e.into_inner());
        let hashes = known.entry(reads.fields.clone()).or_insert_with(|| {
            let posts = self.post_values.iter();
            posts.map(|post| fields_hash(post, &reads.fields)).collect()
        });
        hash_of(&(&reads.fields, hashes.as_slice()))
    }

    /// The page keys of the posts (`site.posts` order), for keys of what lists them.
    pub fn post_keys(&self) -> &[u64] {
        &self.page_keys[..self.post_values.len()]
    }

    /// A hash of the settings and of every page's source, URL and date, for what lists them
    /// all (the sitemap).
    pub fn urls_key(&self) -> u64 {
        hash_of(&(self.globals, self.links_key, self.dates_key))
    }

    /// Fingerprints `asset_url` links with the bytes of the build's files. Not for the preview
    /// server, whose cached pages do not depend on them.
    pub fn set_assets(&mut self, site: &Site, assets: Assets) {
        if self.memo.is_none() {
            let config = Arc::new(site.config.clone());
            assets::add_asset_filter(&mut self.env, &config, Some(assets));
        }
    }

    /// [`Renderer::memo`] for a value of a later stage (a post's search document): kept by the
    /// preview server under `key`, which must cover everything `make` reads.
    pub fn memo_value<T: std::any::Any + Send + Sync>(
        &self,
        key: u64,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        match &self.memo {
            Some(cache) => cache.value(key, make),
            None => Arc::new(make()),
        }
    }

    /// `make()`, or its result from the preview server's cache when made under `key` before.
    /// `key` must cover everything `make` reads. Shared bytes: the server keeps a page listing
    /// 10,000 posts without copying it on every rebuild.
    pub fn memo(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<Bytes, Diagnostic> {
        self.memo_bytes(key, || make().map(String::into_bytes))
    }

    /// [`Renderer::memo`] of an output that is not text (social cards).
    pub fn memo_bytes(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<Bytes, Diagnostic> {
        let make = || make().map(Arc::new);
        match &self.memo {
            Some(cache) => cache.rendered(key, make),
            None => make(),
        }
    }

    /// Whether `layouts/<layout>.html` exists, in the site or the built-in theme.
    pub fn has_layout(&self, layout: &str) -> bool {
        self.sources.contains_key(&format!("{layout}.html"))
    }

    /// Whether some layout's text names `file` (`style.css`): a built-in static file is copied
    /// only for layouts that link it.
    pub fn layouts_name(&self, file: &str) -> bool {
        self.sources.values().any(|text| text.contains(file))
    }

    pub fn layouts(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().filter_map(|k| k.strip_suffix(".html"))
    }

    /// Renders a content page through its layout.
    pub fn page(&self, page: &Page, site: &Site, body: &Rendered) -> Result<String, Diagnostic> {
        self.page_reading(page, site, body).map(|(html, _)| html)
    }

    /// [`Renderer::page`], and in the preview server what the page read of the list of posts
    /// (None: not tracked, as in a build).
    pub fn page_reading(
        &self,
        page: &Page,
        site: &Site,
        body: &Rendered,
    ) -> Result<(String, Option<PostReads>), Diagnostic> {
        let value = page_value(page, site, Some(body), self.palette());
        let (_, reads_posts) = self.layout_base(&page.layout);
        let tracked = (self.memo.is_some() && reads_posts).then(|| {
            let reads = Arc::new(Mutex::new(PostReads::default()));
            let posts = TrackedPosts {
                posts: self.posts.clone(),
                reads: Arc::clone(&reads),
            };
            (reads, Value::from_object(posts))
        });
        let posts = tracked.as_ref().map(|(_, posts)| posts.clone());
        let html = self
            .render_with(&page.layout, value, posts, Vec::new())
            .map_err(|d| {
                // A layout's error says which page it met; a help of its own says more.
                let rendering = format!("while rendering {}", page.source.display());
                let help = d
                    .help
                    .as_ref()
                    .map_or(rendering.clone(), |h| format!("{h} ({rendering})"));
                d.with_help(help)
            })?;
        let reads = tracked.map(|(reads, _)| {
            std::mem::take(&mut *reads.lock().unwrap_or_else(|e| e.into_inner()))
        });
        Ok((html, reads))
    }

    /// Renders a page the engine makes (/compare/) like a content page.
    pub fn generated(&self, page: &Generated) -> Result<Bytes, Diagnostic> {
        let key = hash_of(&(self.layout_key(&page.layout), page));
        self.memo(key, || self.generated_with(page, Vec::new()))
    }

    /// A generated page with more top-level variables (`paginator`, `term`, `series`).
    fn generated_with(
        &self,
        page: &Generated,
        extra: Vec<(&'static str, Value)>,
    ) -> Result<String, Diagnostic> {
        let empty = || Value::from(Vec::<Value>::new());
        let mut fields = BTreeMap::from([
            ("kind", Value::from(page.kind)),
            ("title", Value::from(page.title.clone())),
            ("description", Value::from(page.description.clone())),
            ("url", Value::from(page.url.clone())),
            ("layout", Value::from(page.layout.clone())),
            ("content", Value::from_safe_string(page.content.clone())),
            ("toc", empty()),
            ("tags", empty()),
            ("categories", empty()),
            ("authors", empty()),
            ("extra", Value::from(BTreeMap::<String, Value>::new())),
            (
                "feed",
                page.feed.clone().map_or(Value::from(()), Value::from),
            ),
        ]);
        if let Some(card) = &page.card {
            fields.insert("card", card_value(card));
        }
        self.render_with(&page.layout, Value::from(fields), None, extra)
    }

    /// The layout of a generated page: the first of `names`, then `fallback`, that the site's
    /// own `layouts/` has, else the first the built-in theme has. A site with its own
    /// `page.html` keeps its look on every generated page it wrote no layout for.
    pub fn pick_layout(&self, names: &[&str], fallback: &str) -> String {
        let candidates = || names.iter().chain([&fallback]);
        let own = candidates().find(|n| self.has_layout(n) && !self.is_builtin(n));
        own.or_else(|| candidates().find(|n| self.has_layout(n)))
            .copied()
            .unwrap_or(fallback)
            .to_owned()
    }

    /// Whether `layout` comes from the built-in theme rather than the site's `layouts/`.
    fn is_builtin(&self, layout: &str) -> bool {
        self.builtin.contains(&format!("{layout}.html"))
    }

    /// Per post listed (indexes into `site.posts`), a hash of what the listing shows of it:
    /// everything when the layout reads `variable` (which carries the posts' values), else
    /// the URL, title and date of the plain list in `page.content`.
    fn listed_keys(&self, layout: &str, variable: &str, posts: &[usize]) -> u64 {
        let full = self
            .layouts
            .get(layout)
            .is_none_or(|l| l.reads(&[variable]));
        let keys: Vec<u64> = posts
            .iter()
            .map(|&i| match full {
                true => self.page_keys[i],
                false => self.listing_keys[i],
            })
            .collect();
        hash_of(&keys)
    }

    /// Renders one of the blog's HTML pages (home pages, taxonomies, series, 404); None for
    /// the outputs that are not pages (feeds, sitemap, robots.txt).
    ///
    /// Each has a layout of its own when the theme has one (`term.html`, `series.html`, …),
    /// else `page.html` with an HTML listing as `page.content`, so any theme shows them. In
    /// the preview server, each is taken from the cache under a key of what it shows, found
    /// before anything is rendered: listing 10,000 posts is the costly part.
    pub fn blog_page(
        &self,
        site: &Site,
        output: &BlogOutput,
        terms: &blog::Terms,
    ) -> Option<Result<Bytes, Diagnostic>> {
        let config = &site.config;
        let generated =
            |kind: &'static str, layout: String, title: String, url: String| Generated {
                kind,
                layout,
                title,
                description: config.description.clone(),
                url,
                content: String::new(),
                card: None,
                feed: None,
            };
        let made = match output {
            BlogOutput::Home(pager) => {
                let posts: Vec<usize> = (pager.first.min(pager.end)..pager.end).collect();
                let listed = self.listed_keys("index", "paginator", &posts);
                let key = ("home", pager, listed, site.posts.len());
                self.memo(hash_of(&(self.layout_key("index"), key)), || {
                    let page =
                        generated("index", "index".into(), config.title.clone(), pager.path());
                    let posts = &self.post_values[pager.first.min(pager.end)..pager.end];
                    let paginator =
                        paginator_value(config, pager, posts.to_vec(), site.posts.len());
                    self.generated_with(&page, vec![("paginator", paginator)])
                })
            }
            BlogOutput::TermIndex(taxonomy) => {
                let list = terms.get(taxonomy).map_or(&[][..], Vec::as_slice);
                let layout = self.pick_layout(&[taxonomy.id(), "terms"], "page");
                let shown: Vec<_> = list
                    .iter()
                    .map(|t| {
                        (
                            &t.name,
                            &t.slug,
                            &t.id,
                            t.posts.len(),
                            self.author_of(site, t),
                        )
                    })
                    .collect();
                let key = hash_of(&(self.layout_key(&layout), "terms", taxonomy, shown));
                self.memo(key, || {
                    let mut page =
                        generated("terms", layout.clone(), taxonomy_title(*taxonomy, &site.strings), taxonomy.path());
                    let items: Vec<String> = list
                        .iter()
                        .map(|t| {
                            format!(
                                "<li><a href=\"{}\">{}</a> <span class=\"term-count\">({})</span></li>",
                                escape(&config.relative_url(&t.path(*taxonomy))),
                                escape(&t.name),
                                t.posts.len()
                            )
                        })
                        .collect();
                    page.content = format!("<ul class=\"terms\">{}</ul>", items.join(""));
                    let values: Vec<Value> = list
                        .iter()
                        .map(|t| self.term_value(site, *taxonomy, t, None))
                        .collect();
                    self.generated_with(
                        &page,
                        vec![
                            ("taxonomy", taxonomy_value(*taxonomy, &site.strings)),
                            ("terms", Value::from(values)),
                        ],
                    )
                })
            }
            BlogOutput::Term(taxonomy, slug, pager) => {
                let term = terms
                    .get(taxonomy)
                    .and_then(|list| list.iter().find(|t| &t.slug == slug))?;
                let layout = self.pick_layout(&[taxonomy.singular(), "term"], "page");
                let author = self.author_of(site, term);
                let shown_posts = &term.posts[pager.first.min(pager.end)..pager.end];
                let listed = (
                    self.listed_keys(&layout, "term", shown_posts),
                    self.listed_keys(&layout, "paginator", shown_posts),
                );
                let count = term.posts.len();
                let shown = (&term.name, &term.slug, &term.id, author, listed, count);
                let key = hash_of(&(self.layout_key(&layout), "term", taxonomy, shown, pager));
                self.memo(key, || {
                    self.term_page(site, *taxonomy, term, layout.clone(), pager)
                })
            }
            BlogOutput::Series(index) => {
                let series = &site.series[*index];
                let layout = self.pick_layout(&["series"], "page");
                let parts: Vec<Option<(&str, Option<String>)>> = blog::parts(site, series)
                    .iter()
                    .map(|p| {
                        p.post
                            .map(|p| (p.url.as_str(), p.date.map(|d| d.to_rfc3339())))
                    })
                    .collect();
                let key = hash_of(&(self.layout_key(&layout), "series", series, parts));
                self.memo(key, || {
                    let mut page = generated(
                        "series",
                        layout.clone(),
                        series.title.clone(),
                        blog::series_path(&series.id),
                    );
                    if let Some(summary) = &series.summary {
                        page.description = summary.clone();
                    }
                    let mut content = String::new();
                    if let Some(summary) = &series.summary {
                        content.push_str(
                            &markdown::render(
                                summary,
                                &markdown::Options {
                                    base_path: &config.base_path,
                                    palette: self.palette(),
                                    ..markdown::Options::default()
                                },
                            )
                            .html,
                        );
                    }
                    content.push_str("<ol class=\"series-parts\">");
                    for part in blog::parts(site, series) {
                        match part.post {
                            Some(post) => content.push_str(&format!(
                                "<li><a href=\"{}\">{}</a></li>",
                                escape(&config.relative_url(&post.url)),
                                escape(part.title)
                            )),
                            None => content.push_str(&format!(
                                "<li class=\"series-planned\">{} <span class=\"series-status\">{}</span></li>",
                                escape(part.title),
                                site.strings.html("series.planned", &[])
                            )),
                        }
                    }
                    content.push_str("</ol>");
                    page.content = content;
                    self.generated_with(&page, vec![("series", series_value(site, series, None))])
                })
            }
            BlogOutput::NotFound => {
                let layout = self.pick_layout(&["404"], "page");
                self.memo(hash_of(&(self.layout_key(&layout), "404")), || {
                    let mut page = generated(
                        "404",
                        layout.clone(),
                        site.strings.plain("not_found.title", &[]),
                        "/404.html".into(),
                    );
                    let strings = &site.strings;
                    let home = format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&config.relative_url("/")),
                        strings.html("not_found.home_page", &[])
                    );
                    page.content = format!(
                        "<p>{} {}</p>",
                        strings.html("not_found.text", &[]),
                        strings.html("not_found.try_home", &[("home", &home)])
                    );
                    self.generated_with(&page, Vec::new())
                })
            }
            BlogOutput::SeriesFeed(_)
            | BlogOutput::TermFeed(..)
            | BlogOutput::Rss
            | BlogOutput::Feed
            | BlogOutput::Sitemap
            | BlogOutput::Robots => return None,
        };
        Some(made)
    }

    /// The entry of data/authors.yaml for an author's term.
    fn author_of<'s>(&self, site: &'s Site, term: &Term) -> Option<&'s crate::yaml::Value> {
        term.id.as_deref().and_then(|id| site.author(id))
    }

    /// `/tags/aws/`, `/authors/ann/`: one page of the term's posts, and an author's bio and
    /// links.
    fn term_page(
        &self,
        site: &Site,
        taxonomy: Taxonomy,
        term: &Term,
        layout: String,
        pager: &Pager,
    ) -> Result<String, Diagnostic> {
        let config = &site.config;
        let title = match taxonomy {
            Taxonomy::Authors => term.name.clone(),
            _ => {
                let key = format!("taxonomies.{}.term", taxonomy.id());
                site.strings.plain(&key, &[("name", &term.name)])
            }
        };
        let mut content = String::new();
        if let Some(author) = self.author_of(site, term) {
            let field = |k: &str| author.get(k).and_then(crate::yaml::as_text);
            if let Some(bio) = field("bio") {
                content.push_str(&format!("<p class=\"author-bio\">{}</p>", escape(&bio)));
            }
            if let Some(serde_yaml::Value::Sequence(links)) = author.get("links") {
                content.push_str("<ul class=\"author-links\">");
                for link in links {
                    let get = |k: &str| {
                        link.get(k)
                            .and_then(crate::yaml::as_text)
                            .unwrap_or_default()
                    };
                    content.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(&get("url")),
                        escape(&get("title"))
                    ));
                }
                content.push_str("</ul>");
            }
        }
        let shown = &term.posts[pager.first.min(pager.end)..pager.end];
        let posts: Vec<&Page> = shown.iter().map(|&i| &*site.posts[i]).collect();
        content.push_str(&post_list_html(config, &posts));
        content.push_str(&pagination_html(config, pager));
        let feed = (config.feed.tags && taxonomy == Taxonomy::Tags)
            .then(|| blog::term_feed_path(taxonomy, &term.slug));
        let page = Generated {
            kind: "term",
            layout,
            title,
            description: config.description.clone(),
            url: pager.path(),
            content,
            card: None,
            feed,
        };
        let values: Vec<Value> = shown.iter().map(|&i| self.post_values[i].clone()).collect();
        let paginator = paginator_value(config, pager, values, term.posts.len());
        self.generated_with(
            &page,
            vec![
                ("taxonomy", taxonomy_value(taxonomy, &site.strings)),
                ("term", self.term_value(site, taxonomy, term, Some(shown))),
                ("paginator", paginator),
            ],
        )
    }

    /// A term's value; `posts`: the indexes of the posts it lists (on a term's page, those of
    /// the page shown).
    fn term_value(
        &self,
        site: &Site,
        taxonomy: Taxonomy,
        term: &Term,
        posts: Option<&[usize]>,
    ) -> Value {
        let mut fields = BTreeMap::from([
            ("name", Value::from(term.name.clone())),
            ("slug", Value::from(term.slug.clone())),
            ("url", Value::from(term.path(taxonomy))),
            ("count", Value::from(term.posts.len())),
        ]);
        if let Some(posts) = posts {
            let values: Vec<Value> = posts.iter().map(|&i| self.post_values[i].clone()).collect();
            fields.insert("posts", Value::from(values));
        }
        if let Some(id) = &term.id {
            fields.insert("id", Value::from(id.clone()));
            if let Some(author) = site.author(id) {
                fields.insert("author", Value::from(Serde(author)));
            }
        }
        Value::from(fields)
    }

    /// Expands a paragraph that is only `{{ matrix(...) }}`; other `{{ ... }}` stay text.
    /// `heading` is the text of the heading right above it, which a caption need not repeat.
    pub fn expand_embed(
        &self,
        source: &str,
        heading: Option<&str>,
    ) -> Option<Result<String, String>> {
        embedded_call(source)?;
        Some(
            self.env
                .render_str(source, minijinja::context! { embed_heading => heading })
                .map_err(|err| {
                    let mut innermost = &err;
                    while let Some(inner) =
                        std::error::Error::source(innermost).and_then(|e| e.downcast_ref::<Error>())
                    {
                        innermost = inner;
                    }
                    innermost
                        .detail()
                        .map_or_else(|| innermost.kind().to_string(), str::to_owned)
                }),
        )
    }

    /// Renders `layout` with `page`, the shared values (`posts` in its place when given) and
    /// `extra`.
    fn render_with(
        &self,
        layout: &str,
        page: Value,
        posts: Option<Value>,
        extra: Vec<(&'static str, Value)>,
    ) -> Result<String, Diagnostic> {
        if let Some(unfilled) = self.unfilled.get(&format!("{layout}.html")) {
            return Err(unfilled.clone());
        }
        let template = self
            .env
            .get_template(&format!("{layout}.html"))
            .map_err(|err| template_diagnostic(&err, &self.sources, &self.builtin))?;
        let mut context = BTreeMap::from([
            ("site", self.site.clone()),
            ("page", page),
            ("posts", posts.unwrap_or_else(|| self.posts.clone())),
            ("data", self.data.clone()),
        ]);
        context.extend(extra);
        let context = Value::from(context);
        template
            .render(context)
            .map_err(|err| template_diagnostic(&err, &self.sources, &self.builtin))
    }
}

/// The `paginator` of a page of a listing: `posts` are the values of the posts it shows,
/// `total` the posts of the whole listing.
fn paginator_value(
    config: &crate::config::Config,
    pager: &Pager,
    posts: Vec<Value>,
    total: usize,
) -> Value {
    let url = |path: Option<String>| path.map_or(Value::from(()), Value::from);
    Value::from(BTreeMap::from([
        ("page", Value::from(pager.page)),
        ("pages", Value::from(pager.pages)),
        ("per_page", Value::from(config.paginate)),
        ("total_posts", Value::from(total)),
        ("posts", Value::from(posts)),
        ("url", Value::from(pager.path())),
        ("prev_url", url(pager.prev_path())),
        ("next_url", url(pager.next_path())),
    ]))
}

/// Links to the previous and next page of a listing, for layouts that show only
/// `page.content`; empty for a listing of one page.
fn pagination_html(config: &crate::config::Config, pager: &Pager) -> String {
    if pager.pages <= 1 {
        return String::new();
    }
    let mut html = String::from("<nav class=\"pagination\" aria-label=\"Pages of posts\">");
    if let Some(prev) = pager.prev_path() {
        html.push_str(&format!(
            "<a class=\"pagination__prev\" href=\"{}\" rel=\"prev\">Newer posts</a>",
            escape(&config.relative_url(&prev))
        ));
    }
    html.push_str(&format!(
        "<span class=\"pagination__status\">Page {} of {}</span>",
        pager.page, pager.pages
    ));
    if let Some(next) = pager.next_path() {
        html.push_str(&format!(
            "<a class=\"pagination__next\" href=\"{}\" rel=\"next\">Older posts</a>",
            escape(&config.relative_url(&next))
        ));
    }
    html.push_str("</nav>");
    html
}

/// A page the engine makes rather than reads from `content/`.
#[derive(Hash)]
pub struct Generated {
    pub kind: &'static str,
    pub layout: String,
    pub title: String,
    pub description: String,
    /// Site path, like `page.url`.
    pub url: String,
    pub content: String,
    /// The social card drawn for it (area pages), shown as `page.card`.
    pub card: Option<crate::card::Card>,
    /// The site path of the page's own feed (a tag's), which its head links.
    pub feed: Option<String>,
}

/// The matrix id of an embed paragraph, `{{ matrix("encryption", ...) }}` → `encryption`.
pub fn embedded_call(source: &str) -> Option<&str> {
    let inner = source.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let args = inner
        .strip_prefix("matrix")?
        .trim_start()
        .strip_prefix('(')?
        .trim_start();
    let quote = args.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &args[1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// A diagnostic for a layout a page names but `layouts/` does not have.
pub fn unknown_layout(page: &Page, renderer: &Renderer) -> Diagnostic {
    let message = format!(
        "unknown layout `{}`: there is no layouts/{}.html",
        page.layout, page.layout
    );
    let diagnostic = page.error_at_key("layout", Some(&page.layout), message);
    let diagnostic = if diagnostic.line == 0 {
        diagnostic.at(&page.text, 1, 1)
    } else {
        diagnostic
    };
    match diag::did_you_mean(&page.layout, renderer.layouts()) {
        Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
        None => diagnostic,
    }
}

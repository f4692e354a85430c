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
mod blog_pages;
mod errors;
mod filters;
mod images;
mod layouts;
mod values;

use crate::incremental::{
    Bytes, LayoutKey, PostReads, RenderCache, TrackedPosts, dates_key, fields_hash, hash_of,
    layout_keys, links_key, listing_key, series_keys,
};
pub use assets::Assets;

use errors::template_diagnostic;
use filters::{add_filters, add_matrix_function, readable_escape};
use layouts::{template_name, unfilled_parents};
use values::{
    PostEntry, PostShared, author_values, card_value, page_value, post_list_html, series_value,
    site_value, taxonomy_title, taxonomy_value,
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
    /// The site's folder, where the entries of `posts` read their summaries again.
    root: PathBuf,
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
                root: root.to_path_buf(),
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
            root,
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
            post_shared: Arc::new(PostShared {
                root,
                config: Arc::clone(&config),
                links: site.source_links().clone(),
                palette: palette.clone(),
            }),
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
        let authors = author_values(site);
        renderer.post_values = site
            .posts
            .par_iter()
            .enumerate()
            .map(|(i, post)| renderer.post_value(site, i, post, &authors))
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

/// `old` rearranged: per new place, the entry at its `previous` index, or `fill` for a new one.
fn moved<T: Clone>(old: &[T], previous: &[Option<usize>], fill: T) -> Vec<T> {
    let entry = |from: &Option<usize>| from.and_then(|j| old.get(j)).unwrap_or(&fill).clone();
    previous.iter().map(entry).collect()
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
    /// What the entries of `posts` make their fields from, besides their page.
    post_shared: Arc<PostShared>,
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
    fn post_value(
        &self,
        site: &Site,
        index: usize,
        post: &Arc<Page>,
        authors: &HashMap<String, Value>,
    ) -> Value {
        let make = || PostEntry::value(post, site, &self.post_shared, authors);
        match &self.memo {
            Some(cache) => cache.post_value(self.page_keys[index], make),
            None => make(),
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
                    self.remake_post_value(site, i);
                }
            }
        }
        self.update_posts();
    }

    /// The preview server moved pages: posts came, went or changed places. `previous` is,
    /// per page of `site.all_pages()`, its index before (None: a new page); the pages at
    /// `changed` were edited. Kept keys and values move with their pages; those of new and
    /// edited pages are made, and of pages that show what moved (links, series).
    pub fn move_pages(&mut self, site: &Site, previous: &[Option<usize>], changed: &[usize]) {
        let posts = site.posts.len();
        let pages: Vec<&Page> = site.all_pages().collect();
        self.page_keys = moved(&self.page_keys, previous, 0);
        self.content_keys = moved(&self.content_keys, previous, (0, false));
        self.post_values = moved(&self.post_values, &previous[..posts], Value::from(()));
        self.listing_keys = moved(&self.listing_keys, &previous[..posts], 0);
        let known = self
            .read_hashes
            .get_mut()
            .unwrap_or_else(|e| e.into_inner());
        for hashes in known.values_mut() {
            *hashes = moved(hashes, &previous[..posts], 0);
        }
        self.dates_key = dates_key(site);
        let links_key = links_key(site);
        let links_moved = links_key != self.links_key;
        self.links_key = links_key;
        if links_moved {
            // Entries made from now on resolve their summaries' `.md` links with the new map.
            let shared = &self.post_shared;
            self.post_shared = Arc::new(PostShared {
                root: shared.root.clone(),
                config: Arc::clone(&shared.config),
                links: site.source_links().clone(),
                palette: shared.palette.clone(),
            });
        }
        let series_keys = series_keys(site);
        let series_moved = series_keys != self.series_keys;
        self.series_keys = series_keys;
        let mut refresh = vec![false; pages.len()];
        for &i in changed {
            refresh[i] = true;
        }
        for (i, page) in pages.iter().enumerate() {
            refresh[i] |=
                previous[i].is_none() || series_moved || (links_moved && page.may_link_sources);
        }
        for i in (0..pages.len()).filter(|&i| refresh[i]) {
            let key = self.inputs_key(site, pages[i]);
            self.content_keys[i] = self.content_key(key, pages[i]);
            let new = previous[i].is_none();
            if self.page_keys[i] == key && !new {
                continue;
            }
            self.page_keys[i] = key;
            if i < posts {
                self.remake_post_value(site, i);
            }
        }
        self.update_posts();
    }

    /// Makes the `posts` entry of the post at `i` again after its key changed, with the hashes
    /// of the fields layouts were seen to read and its listing key.
    fn remake_post_value(&mut self, site: &Site, i: usize) {
        let value = self.post_value(site, i, &site.posts[i], &HashMap::new());
        let known = self
            .read_hashes
            .get_mut()
            .unwrap_or_else(|e| e.into_inner());
        for (fields, hashes) in known.iter_mut() {
            hashes[i] = fields_hash(&value, fields);
        }
        self.post_values[i] = value;
        self.listing_keys[i] = listing_key(&site.posts[i]);
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

    /// Gives layouts `image_meta` and `resize_image` on the build's images.
    pub fn set_images(&mut self, site: &Site, images: &Arc<crate::image::Images>) {
        let config = Arc::new(site.config.clone());
        images::add_image_functions(&mut self.env, &config, images);
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

    /// [`Renderer::memo_value`] for many keys: `make(i)` makes the value of `keys[i]`.
    pub fn memo_values<T: std::any::Any + Send + Sync>(
        &self,
        keys: &[u64],
        make: impl Fn(usize) -> T + Sync,
    ) -> Vec<Arc<T>> {
        match &self.memo {
            Some(cache) => cache.values(keys, make),
            None => (0..keys.len())
                .into_par_iter()
                .map(|i| Arc::new(make(i)))
                .collect(),
        }
    }

    /// A content page's body (its Markdown as HTML), from the preview server's cache when
    /// made from the same inputs before: everything but the layout, which a layout edit
    /// changes for every page.
    pub fn memo_body<T: std::any::Any + Send + Sync>(
        &self,
        site: &Site,
        page: &Page,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        match &self.memo {
            Some(cache) => cache.body(self.inputs_key(site, page), make),
            None => Arc::new(make()),
        }
    }

    /// The keys the bodies of the current pages are kept under.
    pub fn body_keys(&self) -> &[u64] {
        &self.page_keys
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
        // The layouts' keys are by name: no `x.html` made per generated page.
        self.layouts.contains_key(layout)
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
        let value = self.page_value(page, site, body);
        self.page_reading(page, value).map(|(html, _, _)| html)
    }

    /// A content page's `page` in its layout, of its `body`: made from the same inputs as the
    /// body, so the preview server keeps it with the body (a layout edit at 10,000 posts spent
    /// a third of its time making these again, their summaries most).
    pub fn page_value(&self, page: &Page, site: &Site, body: &Rendered) -> Value {
        page_value(page, site, Some(body), self.palette(), &HashMap::new())
    }

    /// [`Renderer::page`] with the page's [`Renderer::page_value`], and in the preview server
    /// what the page read of the list of posts (None: not tracked, as in a build).
    pub fn page_reading(&self, page: &Page, value: Value) -> Result<PageRendered, Diagnostic> {
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
        let collected = Arc::new(images::Collected::default());
        let extra = vec![(images::COLLECTED, Value::from_dyn_object(collected.clone()))];
        let html = self
            .render_with(&page.layout, value, posts, extra)
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
        let pictures =
            std::mem::take(&mut *collected.pictures.lock().unwrap_or_else(|e| e.into_inner()));
        Ok((html, reads, pictures))
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
        ]);
        let feeds = page.feed.as_ref();
        let atom = feeds.map(|f| f.atom.clone());
        let rss = feeds.and_then(|f| f.rss.clone());
        fields.insert("feed", atom.map_or(Value::from(()), Value::from));
        fields.insert("rss", rss.map_or(Value::from(()), Value::from));
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
        let named = |name: &String| name.strip_suffix(".html") == Some(layout);
        self.builtin.iter().any(named)
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

/// A content page through its layout: its HTML, what it read of the list of posts (preview
/// server only), and the pictures the layout asked for.
pub type PageRendered = (String, Option<PostReads>, Vec<Arc<crate::image::Picture>>);

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
    /// The page's own feeds (a term's), which its head links.
    pub feed: Option<PageFeeds>,
}

/// The site paths of a page's own feeds: `page.feed` (Atom) and `page.rss` in layouts.
#[derive(Hash)]
pub struct PageFeeds {
    pub atom: String,
    /// With `feed: {rss: true}`.
    pub rss: Option<String>,
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

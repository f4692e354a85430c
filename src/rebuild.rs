//! Incremental rebuilds for `versus serve`: the stages of a clean build, run again on every
//! change, with what they made kept in between so a one-post edit of a 10,000-post site stays
//! in milliseconds:
//!
//! - the scan of the source folders, while no file but a post comes or goes;
//! - parsed pages, re-parsed only when their file changed;
//! - the assembled site: an edit to the text of existing pages (the usual save), and a post
//!   that comes, goes or moves (a new date, a draft, a new, deleted or renamed file), patch it
//!   in place instead of loading and assembling everything again ([`Rebuild::patch`]);
//! - each content page's output with the key of everything it was rendered from, re-rendered
//!   only when its key changes, and the render cache for generated pages and feeds;
//! - the search index, made from every post, only when a search file is asked for
//!   ([`DeferredIndex`]).
//!
//! Keys cover every input, so the result is exactly what a clean build writes (the serve tests
//! compare the two after random edits).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::diag::Diagnostic;
use crate::incremental::{PostReads, RenderCache};
use crate::page::{self, Page, PageKind};
use crate::pipeline::{self, BuildOptions, Failure, Prepared};
use crate::source::{self, Kind, Sources};
use crate::write::{self, Sink, WriteError};
use crate::{blog, config, redirect, search};

/// The built site: output path (with `/`) → bytes.
pub type Outputs = HashMap<String, Arc<Vec<u8>>>;

/// The outputs as served: a rebuild applies its changes under the write lock, so a request
/// sees the whole of one build or of the next, and 10,000 unchanged pages are not copied.
pub type SharedOutputs = Arc<RwLock<Outputs>>;

pub struct Rebuild {
    options: BuildOptions,
    /// Parsed content files by source path, drafts and future posts included.
    parsed: HashMap<PathBuf, Arc<Page>>,
    /// Content files that did not parse, with their problems, until they change.
    broken: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The `site.yaml` the pages were parsed with (it sets their URLs and defaults).
    config_text: Option<String>,
    cache: Arc<RenderCache>,
    /// The last scan of the source folders; None when files may have come or gone since.
    sources: Option<Sources>,
    /// The site as last assembled; None after a rebuild that failed before assembly (the next
    /// one assembles again).
    prepared: Option<Prepared>,
    /// Per content page of `prepared`, in `site.all_pages()` order: what its output was made
    /// from.
    made: Vec<Made>,
    /// Outputs of content pages a patch took out of the site (deleted, moved), to be taken
    /// out of [`Rebuild::outputs`] unless something else is made there now.
    gone: Vec<String>,
    outputs: SharedOutputs,
    /// The outputs of the last successful rebuild that were not content pages: generated
    /// pages and files, static files.
    generated: std::collections::HashSet<String>,
    /// Pages of the last successful rebuild, generated ones included.
    pages: usize,
    /// The search index of the last successful rebuild, made when first asked for.
    search_index: Arc<DeferredIndex>,
    /// The key of the documents it is made of (None: the site has no search).
    search_key: Option<u64>,
    /// The post documents it is made of, for the next rebuild.
    search_documents: pipeline::KeptDocuments,
    /// How many times the site was assembled, for tests of what a rebuild redoes.
    assemblies: usize,
    /// After [`Rebuild::update_open_first`]: the rest is to render (the flag is `patched`).
    second_pass: Option<bool>,
}

/// The files of the search index, made on the first request for one of them after the
/// documents changed rather than by every rebuild: the index is made from every post (about
/// half a second at 10,000), and a save of one post need not wait for it. The files are those
/// a clean build writes.
#[derive(Default)]
pub struct DeferredIndex {
    slot: Mutex<IndexSlot>,
}

#[derive(Default)]
struct IndexSlot {
    /// Counts [`DeferredIndex::replace`] calls, so an index made from older documents
    /// while a rebuild replaced them is not kept.
    generation: u64,
    /// What the index is made of; None when the site has no search.
    documents: Option<Arc<Vec<Arc<search::Document>>>>,
    made: Option<Arc<Outputs>>,
    /// How many times the index was made, for tests of what a rebuild redoes.
    makes: usize,
}

impl DeferredIndex {
    fn slot(&self) -> std::sync::MutexGuard<'_, IndexSlot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// New documents: the index is made again on the next request.
    fn replace(&self, documents: Option<Vec<Arc<search::Document>>>) {
        let mut slot = self.slot();
        slot.generation += 1;
        slot.documents = documents.map(Arc::new);
        slot.made = None;
    }

    /// The bytes of the index file `output` (`search/t/3.json`), making the index first if
    /// the documents changed since it was last made; None for any other output. Made outside
    /// the lock, so a rebuild never waits for it.
    pub fn get(&self, output: &str) -> Option<Arc<Vec<u8>>> {
        if !search::is_index_file(output) {
            return None;
        }
        let (generation, documents) = {
            let slot = self.slot();
            if let Some(made) = &slot.made {
                return made.get(output).cloned();
            }
            (slot.generation, Arc::clone(slot.documents.as_ref()?))
        };
        let files = pipeline::search_files(&documents);
        let made: Outputs = files.into_iter().map(|(p, b)| (key_of(&p), b)).collect();
        let made = Arc::new(made);
        let mut slot = self.slot();
        if slot.generation == generation {
            slot.made = Some(Arc::clone(&made));
            slot.makes += 1;
        }
        made.get(output).cloned()
    }

    /// How many times the index was made so far.
    pub fn makes(&self) -> usize {
        self.slot().makes
    }
}

/// What a content page's current output was rendered from.
struct Made {
    source: PathBuf,
    /// The page's key when it was rendered; None before it was.
    key: Option<u64>,
    /// The output's key in [`Outputs`].
    output: String,
    /// The matrices its text embeds, for the area pages.
    embeds: Vec<String>,
    /// The images it shows, whose variants are written with the generated files.
    pictures: Vec<Arc<crate::image::Picture>>,
    /// What it read of the list of posts, when its layout reads it.
    reads: Option<PostReads>,
}

impl Made {
    /// Nothing made yet for `page`.
    fn fresh(page: &Page) -> Made {
        Made {
            source: page.source.clone(),
            key: None,
            output: key_of(&page.output),
            embeds: Vec::new(),
            pictures: Vec::new(),
            reads: None,
        }
    }
}

/// A changed page: as parsed before (None: a new file), and now (None: deleted).
type Edit = (Option<Arc<Page>>, Option<Arc<Page>>);

/// Sites up to this many pages are checked (`versus check`) after every rebuild; larger ones
/// would wait too long for it, and say so.
const CHECK_UP_TO_PAGES: usize = 2_000;

/// The outputs that the second pass of [`Rebuild::update_open_first`] may still change:
/// until it is done, a request for one of them, or for an output not yet made, waits.
#[derive(Debug, Default)]
pub struct Pending {
    pub outputs: HashSet<String>,
    /// Whether the search index may change.
    pub search: bool,
}

impl Pending {
    /// Whether a request for `output` must wait; `served`: whether it is among the outputs.
    pub fn holds(&self, output: &str, served: impl FnOnce() -> bool) -> bool {
        if search::is_index_file(output) {
            return self.search;
        }
        self.outputs.contains(output) || !served()
    }
}

/// The first pass of [`Rebuild::update_open_first`].
pub struct FirstPass {
    pub updated: Updated,
    /// What the second pass ([`Rebuild::finish`]) may change; None when there is none.
    pub pending: Option<Pending>,
}

/// A successful rebuild.
pub struct Updated {
    /// The outputs whose bytes changed, came or went.
    pub changed: BTreeSet<String>,
    /// Pages in the site, generated ones included.
    pub pages: usize,
    /// Content pages rendered this time (the others were unchanged).
    pub rendered: usize,
    pub warnings: Vec<Diagnostic>,
}

impl Rebuild {
    pub fn new(options: BuildOptions) -> Rebuild {
        Rebuild {
            options,
            parsed: HashMap::new(),
            broken: HashMap::new(),
            config_text: None,
            cache: Arc::default(),
            sources: None,
            prepared: None,
            made: Vec::new(),
            gone: Vec::new(),
            outputs: Arc::default(),
            generated: Default::default(),
            pages: 0,
            search_index: Arc::default(),
            search_key: None,
            search_documents: pipeline::KeptDocuments::default(),
            assemblies: 0,
            second_pass: None,
        }
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// The outputs of the last successful rebuild, kept up to date by later ones.
    pub fn outputs(&self) -> SharedOutputs {
        Arc::clone(&self.outputs)
    }

    /// The files of the search index, which are not among [`Rebuild::outputs`].
    pub fn search_index(&self) -> Arc<DeferredIndex> {
        Arc::clone(&self.search_index)
    }

    /// Rebuilds after `changed` (paths relative to the root), or after anything (None: the
    /// first build, or a rescan). On failure the previous outputs stay as they were.
    pub fn update(
        &mut self,
        changed: Option<&BTreeSet<PathBuf>>,
    ) -> Result<Updated, Vec<Diagnostic>> {
        let patched = self.take_in(changed)?;
        self.render(patched, None).inspect(|done| self.tidy(patched, done))
    }

    /// [`Rebuild::update`] in two passes, so that a page open in the browser reloads as soon
    /// as it is current, not after all 10,000 (a new date changes a thousand listing pages):
    /// this renders the stale pages among `open` (outputs), and the generated outputs if one
    /// of them is open, publishes those, and returns what is left; [`Rebuild::finish`]
    /// renders the rest. A rebuild after a rescan or a static file's change is one pass.
    pub fn update_open_first(
        &mut self,
        changed: Option<&BTreeSet<PathBuf>>,
        open: &HashSet<String>,
    ) -> Result<FirstPass, Vec<Diagnostic>> {
        let statics = changed.is_none_or(|c| c.iter().any(|p| Kind::of(p) == Kind::Static));
        if open.is_empty() || statics {
            let updated = self.update(changed)?;
            return Ok(FirstPass {
                updated,
                pending: None,
            });
        }
        let patched = self.take_in(changed)?;
        let mut pending = Pending::default();
        let updated = self.render(patched, Some((open, &mut pending)))?;
        self.second_pass = Some(patched);
        Ok(FirstPass {
            updated,
            pending: Some(pending),
        })
    }

    /// The second pass after [`Rebuild::update_open_first`]: every other stale output, as
    /// [`Rebuild::update`] renders them. None when there is none to do.
    pub fn finish(&mut self) -> Option<Result<Updated, Vec<Diagnostic>>> {
        let patched = self.second_pass.take()?;
        Some(self.render(patched, None).inspect(|done| self.tidy(patched, done)))
    }

    /// Takes `changed` into the site (patched in place, or assembled again); whether patched.
    fn take_in(&mut self, changed: Option<&BTreeSet<PathBuf>>) -> Result<bool, Vec<Diagnostic>> {
        // An unfinished two-pass rebuild is finished first: its outputs must not stay stale.
        if let Some(Err(problems)) = self.finish() {
            return Err(problems);
        }
        let root = self.options.root.clone();
        let config_text = source::read_text(&root, Path::new(config::FILE_NAME)).ok();
        let config_changed = config_text != self.config_text;
        // Settings and Liquid includes go into every page's parse.
        let include_changed =
            changed.is_some_and(|c| c.iter().any(|p| Kind::of(p) == Kind::Include));
        self.config_text = config_text;
        let changed = changed.filter(|_| !config_changed);
        let beside = changed.map(|c| self.with_pages_reading_beside(c));
        let changed = beside.as_ref();
        let same_files = changed.is_some_and(|c| self.same_files(c));
        self.cache.begin();
        // A patch keeps the scan up to date with the posts that come and go.
        let patched = changed.is_some_and(|c| self.patch(c));
        if !patched {
            if !same_files {
                self.sources = None;
            }
            self.assemble(changed, config_changed || include_changed)?;
        }
        // Pages keep the size and variants of the images they show: those that show a
        // changed one are made again, from the image read again.
        let images: BTreeSet<PathBuf> = changed
            .into_iter()
            .flatten()
            .filter(|p| Kind::of(p) == Kind::Static)
            .cloned()
            .collect();
        self.forget_pages_showing(&images);
        Ok(patched)
    }

    /// After a successful rebuild, drops what it did not use from the render cache.
    fn tidy(&self, patched: bool, done: &Updated) {
        // A patch asks only for the values of the posts it changed; the others are kept.
        self.cache.sweep(!patched);
        // A body's key changes only with its page's, which renders it again.
        let bodies_changed = done.rendered > 0 || !patched;
        if let Some(prepared) = self.prepared.as_ref().filter(|_| bodies_changed) {
            self.cache.retain_bodies(prepared.renderer.body_keys());
        }
    }

    /// Makes the pages that show one of `images` (static files that changed) render again
    /// from a fresh read of it: their key and kept body are forgotten, and so is the image.
    fn forget_pages_showing(&mut self, images: &BTreeSet<PathBuf>) {
        let Some(prepared) = &self.prepared else {
            return;
        };
        if images.is_empty() {
            return;
        }
        for image in images {
            prepared.images.forget(image);
        }
        let body_keys = prepared.renderer.body_keys();
        let base_path = &prepared.site.config.base_path;
        // The front-matter `image:` is checked with the page, whether or not it shows.
        let front_matter_image = |page: &Page| {
            let src = page.image.as_ref().and_then(crate::yaml::as_text)?;
            crate::image::static_file_of(&src, &page.url, base_path)
        };
        let pages = prepared.site.all_pages();
        for (i, (made, page)) in self.made.iter_mut().zip(pages).enumerate() {
            let shows = |file: &PathBuf| images.contains(file);
            if made.pictures.iter().any(|p| shows(&p.file))
                || front_matter_image(page).is_some_and(|f| shows(&f))
            {
                made.key = None;
                if let Some(&key) = body_keys.get(i) {
                    self.cache.forget_body(key);
                }
            }
        }
    }

    /// `changed` with a file beside the pages under `content/` (one that is no page itself)
    /// replaced by the pages that may read it with Liquid's `include_relative`: those in its
    /// folder or a folder above it. Without Liquid nothing reads it.
    fn with_pages_reading_beside(&self, changed: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
        let beside = |p: &PathBuf| Kind::of(p) == Kind::Ignored && p.starts_with("content");
        let liquid = self.prepared.as_ref().is_some_and(|p| p.liquid.is_some());
        let mut pages: BTreeSet<PathBuf> = changed.iter().filter(|p| !beside(p)).cloned().collect();
        for file in changed.iter().filter(|p| beside(p)) {
            if !liquid {
                continue;
            }
            let reading = self
                .parsed
                .keys()
                .filter(|page| page.parent().is_some_and(|folder| file.starts_with(folder)));
            pages.extend(reading.cloned());
        }
        pages
    }

    /// Whether the scan still lists exactly the source files there are: each changed path
    /// was listed if and only if it is still a file.
    fn same_files(&self, changed: &BTreeSet<PathBuf>) -> bool {
        changed.iter().all(|path| self.listed_as_on_disk(path))
    }

    /// Whether `path` is listed by the last scan if and only if it is a file.
    fn listed_as_on_disk(&self, path: &Path) -> bool {
        let Some(sources) = &self.sources else {
            return false;
        };
        let list = match Kind::of(path) {
            Kind::Post => &sources.posts,
            Kind::Page => &sources.pages,
            Kind::Data => &sources.data,
            Kind::Layout => &sources.layouts,
            Kind::Static => &sources.statics,
            Kind::Include => &sources.includes,
            Kind::Config => return true,
            Kind::Ignored => return false,
        };
        // Compared as bytes: comparing `Path`s parses them, 10,000 times here.
        let listed = list.iter().any(|p| p.as_os_str() == path.as_os_str());
        let is_file = self
            .options
            .root
            .join(path)
            .symlink_metadata()
            .is_ok_and(|m| m.is_file());
        listed == is_file
    }

    /// Takes edits to pages (and static files) into the site as last assembled, without
    /// loading and assembling it again: edits to a page's text, and posts that come, go or
    /// move (a new date, a draft, a rename). Only when each edited page parses, has a known
    /// layout, and nothing it changes needs checking again that is not checked here; otherwise
    /// returns false, and [`Rebuild::assemble`] does the full work (and reports what is wrong).
    fn patch(&mut self, changed: &BTreeSet<PathBuf>) -> bool {
        // Posts may come and go (the scan is kept up to date below); other files only with a
        // new scan.
        let not_posts = |p: &&PathBuf| Kind::of(p) != Kind::Post;
        if !changed
            .iter()
            .filter(not_posts)
            .all(|p| self.listed_as_on_disk(p))
        {
            return false;
        }
        let (Some(prepared), Some(sources)) = (self.prepared.as_mut(), self.sources.as_mut())
        else {
            return false;
        };
        if !self.broken.is_empty() {
            return false;
        }
        let mut edits: Vec<Edit> = Vec::new();
        for path in changed {
            let kind = match Kind::of(path) {
                Kind::Static => continue,
                Kind::Post => PageKind::Post,
                Kind::Page => PageKind::Page,
                _ => return false,
            };
            let old = self.parsed.get(path).cloned();
            let is_file =
                (self.options.root.join(path).symlink_metadata()).is_ok_and(|m| m.is_file());
            let new = match is_file {
                false => None,
                true => {
                    let Ok(text) = source::read_text(&self.options.root, path) else {
                        return false;
                    };
                    let config = &prepared.site.config;
                    match page::parse_with(path, text, kind, config, prepared.liquid.as_ref()) {
                        Ok(new) if prepared.renderer.has_layout(&new.layout) => Some(new),
                        _ => return false,
                    }
                }
            };
            // Pages other than posts keep their source order: one that comes or goes takes
            // the full path.
            if kind == PageKind::Page && (old.is_none() || new.is_none()) {
                return false;
            }
            // Warnings point into a page's text (and unknown authors are found in assembly):
            // a page with any takes the full path, which places them again.
            let warned = |p: &Page| {
                !p.warnings.is_empty() || prepared.warnings.iter().any(|w| w.path == p.source)
            };
            if old.as_deref().is_some_and(warned) || new.as_ref().is_some_and(warned) {
                return false;
            }
            // Other bodies' Liquid sees this page's front matter (`site.posts`, `post_url`):
            // a change to it, or a page that comes or goes, parses them all again.
            if prepared.liquid.is_some() {
                match (&old, &new) {
                    (Some(old), Some(new)) if page::liquid_page(old) == page::liquid_page(new) => {}
                    _ => return false,
                }
            }
            if old.is_some() || new.is_some() {
                edits.push((old, new.map(Arc::new)));
            }
        }
        // From here the site changes; if a step refuses, assembly replaces it all.
        let site = &mut prepared.site;
        let today = site.config.today;
        let (drafts, future) = (self.options.drafts, self.options.future);
        let shown = |p: &Page| (drafts || !p.draft) && (future || !p.is_future(today));
        // Per page of `site.all_pages()`, its index before the patch (None: new to the site).
        let mut previous: Vec<Option<usize>> =
            (0..site.posts.len() + site.pages.len()).map(Some).collect();
        let posts_before = site.posts.len();
        let mut indexes = Vec::new();
        let mut moved = false;
        let mut terms_changed = false;
        for (old, new) in &edits {
            let terms = |p: &Page| (p.tags.clone(), p.categories.clone());
            terms_changed |= old.as_deref().map(terms) != new.as_deref().map(terms);
            if let (Some(old), Some(new)) = (old, new)
                && let Some(index) = site.replace(old, Arc::clone(new))
            {
                indexes.push(index);
                continue;
            }
            // A post comes, goes or moves.
            if [old, new]
                .into_iter()
                .flatten()
                .any(|p| p.kind != PageKind::Post)
            {
                return false;
            }
            moved = true;
            let from = old
                .as_ref()
                .and_then(|old| site.remove_post(old))
                .and_then(|index| previous.remove(index));
            if let Some(new) = new.as_ref().filter(|new| shown(new)) {
                let Some(index) = site.insert_post(Arc::clone(new)) else {
                    return false;
                };
                previous.insert(index, from);
            }
        }
        for (old, new) in &edits {
            let source = match (old, new) {
                (_, Some(new)) => &new.source,
                (Some(old), None) => &old.source,
                (None, None) => continue,
            };
            let list = match Kind::of(source) {
                Kind::Post => &mut sources.posts,
                _ => &mut sources.pages,
            };
            // The scan's order: file names sorted within each folder, as `Path`s compare.
            let at = list.binary_search_by(|p| p.as_path().cmp(source));
            match (new, at) {
                (Some(new), Ok(_)) => {
                    self.parsed.insert(new.source.clone(), Arc::clone(new));
                }
                (Some(new), Err(at)) => {
                    list.insert(at, new.source.clone());
                    self.parsed.insert(new.source.clone(), Arc::clone(new));
                }
                (None, Ok(at)) => {
                    list.remove(at);
                    self.parsed.remove(source);
                }
                (None, Err(_)) => {
                    self.parsed.remove(source);
                }
            }
        }
        // Series take their parts' titles from the posts.
        if prepared
            .files
            .iter()
            .any(|f| f.path == Path::new(blog::SERIES_FILE))
        {
            let all: Vec<&Page> = (sources.posts.iter().chain(&sources.pages))
                .filter_map(|path| self.parsed.get(path).map(|p| &**p))
                .collect();
            match blog::load_series(&prepared.files, &all) {
                Ok(series) => site.series = series,
                Err(_) => return false,
            }
        }
        let edited: Vec<&Arc<Page>> = edits.iter().filter_map(|(_, new)| new.as_ref()).collect();
        let is_edited = |page: &Page| edited.iter().any(|e| std::ptr::eq(&***e, page));
        let edited: Vec<usize> = (site.all_pages().enumerate())
            .filter(|(_, page)| is_edited(page))
            .map(|(i, _)| i)
            .collect();
        if terms_changed || moved {
            let posts = &previous[..site.posts.len()];
            let edited = edited.iter().copied().filter(|&i| i < posts.len());
            let edited: Vec<usize> = edited.collect();
            let terms = blog::moved_terms(site, &prepared.terms, posts, &edited, posts_before);
            let mut generated = pipeline::generated_outputs(site, &terms);
            // A new term's page may not take a content page's place, nor an alias's; a
            // moved page may not take an alias's place.
            if generated.iter().any(|g| site.page_at(g).is_some()) {
                return false;
            }
            let Ok(redirects) = redirect::redirects(site, &generated, &prepared.statics) else {
                return false;
            };
            // The site's own `_redirects` comes with a warning counting the aliases.
            let own_file = pipeline::has_own_redirects_file(&prepared.statics);
            if moved && own_file && (!redirects.is_empty() || !prepared.redirects.is_empty()) {
                return false;
            }
            if moved {
                prepared.redirects = redirects;
            }
            generated.extend(pipeline::redirect_outputs(
                &prepared.redirects,
                &prepared.statics,
            ));
            prepared.terms = terms;
            prepared.generated = generated;
        }
        if !moved {
            prepared.renderer.replace_pages(site, &indexes);
            return true;
        }
        prepared.renderer.move_pages(site, &previous, &edited);
        // What each page was made from moves with it; an edited page's output may be new.
        let mut before: Vec<Option<Made>> = std::mem::take(&mut self.made)
            .into_iter()
            .map(Some)
            .collect();
        let mut made = Vec::with_capacity(previous.len());
        for (i, (from, page)) in previous.iter().zip(site.all_pages()).enumerate() {
            let kept = from.and_then(|j| before[j].take());
            match kept {
                Some(kept) if edited.binary_search(&i).is_err() => made.push(kept),
                Some(kept) if kept.output == key_of(&page.output) => made.push(kept),
                kept => {
                    self.gone.extend(kept.map(|m| m.output));
                    made.push(Made::fresh(page));
                }
            }
        }
        self.gone
            .extend(before.into_iter().flatten().map(|m| m.output));
        self.made = made;
        true
    }

    /// Loads and assembles the site again, re-parsing only the files that changed: those in
    /// `changed`, or after a rescan (None) those whose text differs; every file after a change
    /// to `site.yaml` (`reparse_all`), which sets URLs and defaults.
    fn assemble(
        &mut self,
        changed: Option<&BTreeSet<PathBuf>>,
        reparse_all: bool,
    ) -> Result<(), Vec<Diagnostic>> {
        self.assemblies += 1;
        let root = self.options.root.clone();
        let sources = match self.sources.take() {
            Some(sources) => sources,
            None => source::scan(&root)?,
        };
        let (parsed, broken) = (&mut self.parsed, &mut self.broken);
        let prepared = pipeline::prepare_from(
            &root,
            &sources,
            &self.options,
            Some(&self.cache),
            |sources, config, liquid, problems| {
                let files = sources
                    .posts
                    .iter()
                    .map(|p| (p, PageKind::Post))
                    .chain(sources.pages.iter().map(|p| (p, PageKind::Page)));
                let mut pages = Vec::new();
                let mut kept = HashMap::new();
                let mut still_broken = HashMap::new();
                for (path, kind) in files {
                    let unchanged = !reparse_all && changed.is_some_and(|c| !c.contains(path));
                    if unchanged {
                        if let Some(page) = parsed.get(path) {
                            pages.push(Arc::clone(page));
                            kept.insert(path.clone(), Arc::clone(page));
                            continue;
                        }
                        if let Some(diagnostics) = broken.get(path) {
                            problems.extend(diagnostics.iter().cloned());
                            still_broken.insert(path.clone(), diagnostics.clone());
                            continue;
                        }
                    }
                    let text = source::read_text(&root, path).map_err(|d| vec![d]);
                    // After a rescan, includes may have changed: with Liquid, parse again.
                    let same = |page: &&Arc<Page>| text.as_ref().is_ok_and(|t| &page.text == t);
                    let reuse = !reparse_all && liquid.is_none();
                    if let Some(page) = parsed.get(path).filter(same).filter(|_| reuse) {
                        pages.push(Arc::clone(page));
                        kept.insert(path.clone(), Arc::clone(page));
                        continue;
                    }
                    match text.and_then(|text| page::parse_with(path, text, kind, config, liquid)) {
                        Ok(page) => {
                            let page = Arc::new(page);
                            pages.push(Arc::clone(&page));
                            kept.insert(path.clone(), page);
                        }
                        Err(diagnostics) => {
                            problems.extend(diagnostics.iter().cloned());
                            still_broken.insert(path.clone(), diagnostics);
                        }
                    }
                }
                *parsed = kept;
                *broken = still_broken;
                pages
            },
        );
        self.sources = Some(sources);
        let mut prepared = match prepared {
            Ok(prepared) => prepared,
            Err(Failure::Content(d) | Failure::Usage(d)) => {
                self.prepared = None;
                return Err(d);
            }
        };
        // The pages may have moved: find what each was last made from by its source.
        let mut previous: HashMap<PathBuf, Made> = std::mem::take(&mut self.made)
            .into_iter()
            .map(|m| (m.source.clone(), m))
            .collect();
        self.made = prepared
            .site
            .all_pages()
            .map(|page| {
                let output = key_of(&page.output);
                match previous.remove(&page.source) {
                    Some(made) if made.output == output => made,
                    _ => Made::fresh(page),
                }
            })
            .collect();
        prepared.defer_search_index = true;
        self.prepared = Some(prepared);
        Ok(())
    }

    /// Renders the pages whose keys changed and the generated outputs; on success, the new
    /// outputs. `patched`: the site kept its pages in place since the last rebuild. `first`:
    /// the first of two passes, which renders and publishes only the `open` outputs (and
    /// says in `pending` which outputs the second may change).
    fn render(
        &mut self,
        patched: bool,
        mut first: Option<(&HashSet<String>, &mut Pending)>,
    ) -> Result<Updated, Vec<Diagnostic>> {
        let prepared = self.prepared.as_ref().expect("assembled or patched");
        let (site, renderer) = (&prepared.site, &prepared.renderer);
        let pages: Vec<&Page> = site.all_pages().collect();
        let key = |i: usize, reads: Option<&PostReads>| renderer.page_key(i, reads);
        let mut keys: Vec<u64> = (0..pages.len())
            .map(|i| key(i, self.made[i].reads.as_ref()))
            .collect();
        debug_assert!(
            self.made
                .iter()
                .zip(&pages)
                .all(|(m, p)| m.source == p.source)
        );
        let mut stale: Vec<usize> = (0..pages.len())
            .filter(|&i| self.made[i].key != Some(keys[i]))
            .collect();
        let open = first.as_ref().map(|(open, _)| *open);
        let generated_keys = || prepared.generated.iter().map(|g| key_of(g));
        let mut with_generated = true;
        if let Some((open, pending)) = first.as_mut() {
            let (now, later): (Vec<usize>, Vec<usize>) =
                (stale.iter()).partition(|&&i| open.contains(&self.made[i].output));
            pending.outputs = self.left_for_second_pass(&later, patched);
            pending.search = site.config.search && !stale.is_empty();
            with_generated = generated_keys().any(|g| open.contains(&g));
            stale = now;
        }
        let page_sink = MemorySink::default();
        let stale_pages: Vec<&Page> = stale.iter().map(|&i| pages[i]).collect();
        // The generated outputs depend on the pages only through the matrices they embed and
        // the images they show, which an edit seldom changes: they are made from those of the
        // last rebuild while the pages render (a page listing 10,000 posts keeps one core
        // busy), and made again in the rare case that the rendered pages differ in them.
        let made = &self.made;
        let generate = |embeds: Vec<&[String]>, pictures: Vec<&[Arc<crate::image::Picture>]>| {
            let mentions = pipeline::mentions_by_matrix(pages.iter().copied().zip(embeds));
            let pictures: Vec<_> = pictures.into_iter().flatten().cloned().collect();
            let sink = MemorySink::default();
            let mut problems = Vec::new();
            let (written, _) =
                pipeline::write_generated(prepared, &mentions, &pictures, &sink, &mut problems);
            (sink, problems, written)
        };
        let embeds_before = || made.iter().map(|m| m.embeds.as_slice()).collect::<Vec<_>>();
        let pictures_before = || {
            made.iter()
                .map(|m| m.pictures.as_slice())
                .collect::<Vec<_>>()
        };
        // The search documents, which no rendered page changes, are made meanwhile too.
        // (Not in a first pass, whose second makes them.)
        let kept_documents = &mut self.search_documents;
        let with_documents = site.config.search && first.is_none();
        let ((mut problems, rendered), (early, documents)) = rayon::join(
            || pipeline::render_pages_reading(&stale_pages, prepared, &page_sink),
            || {
                let early = with_generated.then(|| generate(embeds_before(), pictures_before()));
                let documents = with_documents
                    .then(|| pipeline::search_documents_keeping(prepared, kept_documents));
                (early, documents)
            },
        );
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        let same_pictures = |a: &[Arc<crate::image::Picture>], b: &[Arc<crate::image::Picture>]| {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| Arc::ptr_eq(a, b))
        };
        let as_before = stale.iter().zip(&rendered).all(|(&i, page)| {
            page.embeds == made[i].embeds && same_pictures(&page.pictures, &made[i].pictures)
        });
        let (generated_sink, pages_written) = match early {
            // A first pass with no generated output open leaves them all to the second.
            None => (MemorySink::default(), self.pages),
            Some(early) => {
                let (sink, generated_problems, written) = if as_before {
                    early
                } else {
                    let mut embeds = embeds_before();
                    let mut pictures = pictures_before();
                    for (&i, page) in stale.iter().zip(&rendered) {
                        embeds[i] = &page.embeds;
                        pictures[i] = &page.pictures;
                    }
                    generate(embeds, pictures)
                };
                problems.extend(generated_problems);
                (sink, written)
            }
        };
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }

        // The new outputs: the previous ones, less generated files no longer made, and what
        // was made now; after assembly, a new set made from the current pages.
        let generated = generated_sink.into_outputs();
        let mut changed = BTreeSet::new();
        if let Some((open, pending)) = first {
            // The first pass: only the open outputs, the rest left to the second; they are
            // current, and served at once.
            let made = (page_sink.into_outputs().into_iter()).chain(generated.clone());
            let mut outputs = self.outputs.write().unwrap_or_else(|e| e.into_inner());
            for (path, bytes) in made.filter(|(path, _)| open.contains(path)) {
                pending.outputs.remove(&path);
                if outputs.get(&path).is_none_or(|old| old != &bytes) {
                    changed.insert(path.clone());
                    outputs.insert(path, bytes);
                }
            }
        } else {
            let mut outputs = self.outputs.write().unwrap_or_else(|e| e.into_inner());
            for gone in std::mem::take(&mut self.gone) {
                let made_now = site.page_at(Path::new(&gone)).is_some();
                if !made_now && !generated.contains_key(&gone) && outputs.remove(&gone).is_some() {
                    changed.insert(gone);
                }
            }
            if !patched {
                let mut kept = Outputs::with_capacity(self.made.len() + generated.len());
                let current = self.made.iter().map(|m| &m.output).chain(generated.keys());
                for key in current {
                    if let Some(bytes) = outputs.get(key) {
                        kept.insert(key.clone(), Arc::clone(bytes));
                    }
                }
                let gone = outputs.keys().filter(|k| !kept.contains_key(*k));
                changed.extend(gone.cloned());
                *outputs = kept;
            }
            for gone in self
                .generated
                .iter()
                .filter(|k| !generated.contains_key(*k))
            {
                if outputs.remove(gone).is_some() {
                    changed.insert(gone.clone());
                }
            }
            // Unchanged bytes keep their previous copy, so nothing reloads for them.
            for (path, bytes) in page_sink.into_outputs() {
                if outputs.get(&path).is_none_or(|old| old != &bytes) {
                    changed.insert(path.clone());
                    outputs.insert(path, bytes);
                }
            }
            // Most generated outputs are the very bytes served (the cache's): compared by
            // address, and their paths not copied.
            for (path, bytes) in &generated {
                if outputs.get(path).is_none_or(|old| old != bytes) {
                    changed.insert(path.clone());
                    outputs.insert(path.clone(), Arc::clone(bytes));
                }
            }
            drop(outputs);
            self.generated = generated.into_keys().collect();

            // The search index: made again on request when what it is made of changed.
            // The server keeps every body, so none is read again (nor fails to read).
            let search_key = documents.as_ref().map(|(key, _, _)| *key);
            if search_key != self.search_key {
                self.search_index.replace(documents.map(|(_, d, _)| d));
                self.search_key = search_key;
                changed.insert(format!("{}/index.json", search::DIR));
            }
        }

        // What each page was made from, for the next rebuild.
        for (&i, page) in stale.iter().zip(rendered) {
            if page.reads.is_some() {
                keys[i] = key(i, page.reads.as_ref());
            }
            self.made[i].embeds = page.embeds;
            self.made[i].pictures = page.pictures;
            self.made[i].reads = page.reads;
        }
        match open {
            // The pages not rendered yet stay stale for the second pass.
            Some(_) => {
                for &i in &stale {
                    self.made[i].key = Some(keys[i]);
                }
            }
            None => {
                for (made, key) in self.made.iter_mut().zip(keys) {
                    made.key = Some(key);
                }
            }
        }
        let mut warnings = prepared.warnings.clone();
        warnings.extend(problems);
        self.pages = pages_written;
        Ok(Updated {
            changed,
            pages: pages_written,
            rendered: stale.len(),
            warnings,
        })
    }

    /// The outputs a second pass may change, with the content pages of `later` (indexes of
    /// [`Rebuild::made`]) left to it: those pages', what versus generates (listings, feeds,
    /// cards) and outputs that go. Static files are as they were: a change to one is rebuilt
    /// in one pass.
    fn left_for_second_pass(&self, later: &[usize], patched: bool) -> HashSet<String> {
        let Some(prepared) = &self.prepared else {
            return HashSet::new();
        };
        let statics: HashSet<String> = (prepared.statics.iter())
            .map(|file| key_of(file.strip_prefix("static").unwrap_or(file)))
            .chain(crate::theme::statics().map(|(name, _)| name.to_owned()))
            .collect();
        let made_by_versus = self.generated.iter().filter(|k| !statics.contains(*k));
        let mut left: HashSet<String> = (later.iter().map(|&i| self.made[i].output.clone()))
            .chain(prepared.generated.iter().map(|g| key_of(g)))
            .chain(made_by_versus.cloned())
            .chain(self.gone.iter().cloned())
            .collect();
        if !patched {
            // After assembly the second pass drops outputs neither a page's nor generated.
            let current: HashSet<&str> = (self.made.iter().map(|m| m.output.as_str()))
                .chain(self.generated.iter().map(String::as_str))
                .collect();
            let outputs = self.outputs.read().unwrap_or_else(|e| e.into_inner());
            let going = outputs.keys().filter(|k| !current.contains(k.as_str()));
            left.extend(going.cloned());
        }
        left
    }

    /// `versus check` on the last successful rebuild: (errors, warnings), or None for a site
    /// too large to check on every save. Run after the pages are served, so it never delays
    /// a reload.
    pub fn check(&self) -> Option<(usize, usize)> {
        let prepared = self.prepared.as_ref()?;
        (self.pages <= CHECK_UP_TO_PAGES).then(|| {
            let outputs = self.outputs.read().unwrap_or_else(|e| e.into_inner());
            let findings =
                crate::check::run(&self.options.root, prepared, &outputs, &Default::default());
            let errors = findings.iter().filter(|f| f.is_error()).count();
            (errors, findings.len() - errors)
        })
    }
}

/// `2023/08/11/a/index.html` as an output key, `/` separated on every platform.
fn key_of(relative: &Path) -> String {
    // Most paths are their own key: plain names, each after one `/` (no parse, one copy).
    if cfg!(unix)
        && let Some(text) = relative.to_str()
        && text.split('/').all(|name| !name.is_empty() && name != ".")
    {
        return text.to_owned();
    }
    relative
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Collects a build's files in memory.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Outputs>,
}

impl MemorySink {
    pub fn into_outputs(self) -> Outputs {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, relative: &Path, bytes: Arc<Vec<u8>>) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(key_of(relative), bytes);
    }
}

impl Sink for MemorySink {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        self.insert(relative, Arc::new(bytes.to_vec()));
        Ok(())
    }

    fn put_shared(&self, relative: &Path, bytes: Arc<Vec<u8>>) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        self.insert(relative, bytes);
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        let io = |source| WriteError::Io {
            path: from.to_path_buf(),
            source,
        };
        // A static file replaced by a FIFO since the last scan would block the server.
        let file_type = std::fs::metadata(from).map_err(io)?.file_type();
        if let Some(what) = source::not_regular(&file_type) {
            let message = source::ReadError::NotRegular(what).to_string();
            return Err(io(std::io::Error::other(message)));
        }
        let bytes = std::fs::read(from).map_err(io)?;
        self.insert(relative, Arc::new(bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The site under `root` prepared as a clean `versus build` prepares it.
    fn clean_build(root: &Path) -> pipeline::Prepared {
        let parse = |sources: &_, config: &_, liquid: Option<&_>, problems: &mut _| {
            pipeline::parse_pages(
                root,
                sources,
                config,
                liquid,
                &crate::progress::Silent,
                problems,
            )
        };
        let Ok(prepared) = pipeline::prepare(root, &options(root), None, parse) else {
            panic!("a clean build");
        };
        prepared
    }

    fn options(root: &Path) -> BuildOptions {
        BuildOptions {
            root: root.to_path_buf(),
            output: None,
            overrides: config::Overrides {
                base_url: None,
                today: Some(jiff::civil::date(2026, 11, 25)),
            },
            drafts: false,
            future: false,
            force: false,
            highlight_cache: None,
            card_cache: None,
            image_cache: None,
            progress: None,
        }
    }

    /// An image replaced on disk renders again the pages that show it, and only those: the
    /// others keep their output (at 10,000 posts a change to one image must not render all).
    #[test]
    fn a_changed_image_renders_again_only_the_pages_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("site.yaml"), "title: T\n").unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        let png = |width: u32| {
            let picture = image::RgbImage::from_pixel(width, 10, image::Rgb([1, 2, 3]));
            let mut bytes = std::io::Cursor::new(Vec::new());
            picture
                .write_to(&mut bytes, image::ImageFormat::Png)
                .unwrap();
            std::fs::write(root.join("static/a.png"), bytes.into_inner()).unwrap();
        };
        png(40);
        for (name, text) in [
            ("2024-01-01-a.md", "![Chart](/a.png)"),
            ("2024-01-02-b.md", "Words."),
        ] {
            let text = format!("---\ntitle: {name}\n---\n{text}\n");
            std::fs::write(root.join("content/posts").join(name), text).unwrap();
        }
        let mut rebuild = Rebuild::new(options(root));
        rebuild.update(None).unwrap();
        let shown = |rebuild: &Rebuild| {
            let outputs = rebuild.outputs();
            let outputs = outputs.read().unwrap();
            let page = &outputs["2024/01/01/a/index.html"];
            String::from_utf8_lossy(page).contains("width=\"40\"")
        };
        assert!(shown(&rebuild));
        png(30);
        let changed = BTreeSet::from([PathBuf::from("static/a.png")]);
        let updated = rebuild.update(Some(&changed)).unwrap();
        assert_eq!(updated.rendered, 1, "only the post showing it");
        assert!(updated.changed.contains("2024/01/01/a/index.html"));
        assert!(!shown(&rebuild), "the new size shows");
    }

    /// A save of one post must not wait for an index of every post (at 10,000 posts it took
    /// a text edit from 15 ms to 600 ms): the index is made when a search file is asked for,
    /// again only after what it is made of changed, and equals a clean build's.
    #[test]
    fn the_search_index_is_made_on_request_and_only_after_its_documents_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.yaml"),
            "title: T\nbase_url: https://example.org\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        let post = |name: &str, text: &str| {
            let path = Path::new("content/posts").join(name);
            std::fs::write(
                root.join(&path),
                format!("---\ntitle: {name}\n---\n{text}\n"),
            )
            .unwrap();
            path
        };
        post("2024-01-01-a.md", "Alpha words.");
        let b = post("2024-01-02-b.md", "Bravo words.");
        let mut rebuild = Rebuild::new(options(root));
        rebuild.update(None).unwrap();
        let index = rebuild.search_index();
        assert_eq!(index.makes(), 0, "made before anyone asked");
        assert!(
            !rebuild
                .outputs()
                .read()
                .unwrap()
                .contains_key("search/index.json")
        );
        let meta = index.get("search/index.json").expect("served on request");
        for file in ["search/t/0.json", "search/d/0.json"] {
            assert!(index.get(file).is_some(), "{file}");
        }
        assert_eq!(
            index.get("search/index.html"),
            None,
            "the page is an output"
        );
        assert_eq!(index.makes(), 1, "made once for all its files");

        // Nothing it is made of changes: not made again, not reloaded.
        std::fs::write(root.join("static.css"), "x").unwrap();
        let layout = Path::new("layouts/post.html");
        std::fs::create_dir_all(root.join("layouts")).unwrap();
        std::fs::write(root.join(layout), "{{ page.content }}").unwrap();
        let updated = rebuild.update(Some(&BTreeSet::from([layout.to_path_buf()])));
        assert!(!updated.unwrap().changed.contains("search/index.json"));
        assert_eq!(index.get("search/index.json"), Some(Arc::clone(&meta)));
        assert_eq!(index.makes(), 1);

        // A post's text is: the next request makes it again, as a clean build would.
        post("2024-01-02-b.md", "Bravo and zulu words.");
        let updated = rebuild.update(Some(&BTreeSet::from([b]))).unwrap();
        assert!(updated.changed.contains("search/index.json"));
        assert_eq!(index.makes(), 1, "not made by the rebuild");
        let (_, documents, _) = pipeline::search_documents(&clean_build(root));
        for (path, bytes) in pipeline::search_files(&documents) {
            assert_eq!(index.get(&key_of(&path)), Some(bytes), "{}", path.display());
        }
        assert_eq!(index.makes(), 2);
        assert_ne!(index.get("search/index.json"), Some(meta));
    }

    /// The server keeps each post's search document between rebuilds: after an edit, a new
    /// post ahead of the others and a deletion, the documents equal a clean build's, and those
    /// of unchanged posts are the ones kept (not made or looked up again).
    #[test]
    fn kept_search_documents_equal_a_clean_builds_and_reuse_unchanged_posts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.yaml"),
            "title: T\nbase_url: https://example.org\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        let post = |name: &str, text: &str| {
            let path = root.join("content/posts").join(name);
            std::fs::write(path, format!("---\ntitle: {name}\n---\n{text}\n")).unwrap();
        };
        let prepare = || clean_build(root);
        post("2024-01-01-a.md", "Alpha words.");
        post("2024-01-02-b.md", "Bravo words.");
        post("2024-01-03-c.md", "Charlie words.");
        post("2024-01-04-d.md", "Delta words.");
        let mut kept = pipeline::KeptDocuments::default();
        let (first_key, first, _) = pipeline::search_documents_keeping(&prepare(), &mut kept);
        let title = |d: &search::Document| format!("{d:?}");
        let find = |documents: &[Arc<search::Document>], name: &str| {
            let found = documents.iter().find(|d| title(d).contains(name));
            Arc::clone(found.unwrap_or_else(|| panic!("no document of {name}")))
        };

        post("2024-01-02-b.md", "Bravo and zulu words.");
        post("2024-01-05-e.md", "Echo words, the newest post.");
        std::fs::remove_file(root.join("content/posts/2024-01-03-c.md")).unwrap();
        let prepared = prepare();
        let (key, documents, _) = pipeline::search_documents_keeping(&prepared, &mut kept);
        let (clean_key, clean, _) = pipeline::search_documents(&prepared);
        let values =
            |d: &[Arc<search::Document>]| d.iter().map(|d| (**d).clone()).collect::<Vec<_>>();
        assert_eq!(values(&documents), values(&clean));
        assert_eq!(key, clean_key);
        assert_ne!(key, first_key);
        assert!(title(&find(&documents, "2024-01-02-b")).contains("zulu"));
        for unchanged in ["2024-01-01-a", "2024-01-04-d"] {
            let (now, before) = (find(&documents, unchanged), find(&first, unchanged));
            assert!(Arc::ptr_eq(&now, &before), "{unchanged} made again");
        }
    }

    /// Posts that come, go or move (a new date, a draft and back, a new file, a deleted one,
    /// a renamed one) are patched into the site without assembling it again (at 10,000 posts,
    /// assembling took 0.3-0.6 s of each), and every output then equals a fresh build's:
    /// listings, paginated term pages, feeds, the sitemap, the search index.
    #[test]
    fn posts_that_come_go_or_move_are_patched_and_equal_a_clean_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.yaml"),
            "title: T\nbase_url: https://example.org\nsearch: true\npaginate: 2\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        let posts = root.join("content/posts");
        let post = |name: &str, front: &str| {
            let text =
                format!("---\ntitle: {name}\ntags: [rust, web]\n{front}---\nWords of {name}.\n");
            std::fs::write(posts.join(name), text).unwrap();
            Path::new("content/posts").join(name)
        };
        for day in 1..=6 {
            post(&format!("2024-01-0{day}-p{day}.md"), "");
        }
        let mut rebuild = Rebuild::new(options(root));
        rebuild.update(None).unwrap();
        let assert_clean = |rebuild: &mut Rebuild, changed: &[&PathBuf], what: &str| {
            let changed: BTreeSet<PathBuf> = changed.iter().map(|p| p.to_path_buf()).collect();
            let updated = rebuild.update(Some(&changed));
            assert!(updated.is_ok(), "{what}: {:?}", updated.err());
            assert_eq!(rebuild.assemblies, 1, "{what}: assembled again");
            // The server's own clean build: a fresh one of the same files.
            let mut fresh = Rebuild::new(options(root));
            assert!(fresh.update(None).is_ok(), "{what}: a clean build");
            let clean = fresh.outputs();
            let clean = clean.read().unwrap();
            let outputs = rebuild.outputs();
            let outputs = outputs.read().unwrap();
            for (key, bytes) in clean.iter() {
                let text =
                    |b: Option<&Arc<Vec<u8>>>| b.map(|b| String::from_utf8_lossy(b).into_owned());
                assert_eq!(text(outputs.get(key)), text(Some(bytes)), "{what}: {key}");
            }
            for file in ["search/index.json", "search/t/0.json", "search/d/0.json"] {
                let (index, clean) = (rebuild.search_index(), fresh.search_index());
                assert_eq!(index.get(file), clean.get(file), "{what}: {file}");
            }
            let extra: Vec<&String> = outputs.keys().filter(|k| !clean.contains_key(*k)).collect();
            assert!(extra.is_empty(), "{what}: served but not built: {extra:?}");
        };
        let p3 = post("2024-01-03-p3.md", "date: 2024-02-01\n");
        assert_clean(&mut rebuild, &[&p3], "a new date, first");
        post("2024-01-03-p3.md", "date: 2023-12-01\n");
        assert_clean(&mut rebuild, &[&p3], "a new date, last");
        let p5 = post("2024-01-05-p5.md", "draft: true\n");
        assert_clean(&mut rebuild, &[&p5], "made a draft");
        post("2024-01-05-p5.md", "");
        assert_clean(&mut rebuild, &[&p5], "published again");
        let new = post("2024-01-04-new.md", "description: New.\n");
        assert_clean(&mut rebuild, &[&new], "a new post");
        std::fs::remove_file(root.join(&new)).unwrap();
        assert_clean(&mut rebuild, &[&new], "a deleted post");
        // A summary that links to the post renamed next: listings show its new URL.
        let p1 = Path::new("content/posts/2024-01-01-p1.md").to_path_buf();
        let linking = "---\ntitle: p1\n---\nSee [the second](2024-01-02-p2.md).\n";
        std::fs::write(root.join(&p1), linking).unwrap();
        assert_clean(&mut rebuild, &[&p1], "a link to another post");
        let p2 = post("2024-01-02-p2.md", "date: 2024-03-01\n");
        assert_clean(&mut rebuild, &[&p2], "the linked post's date, so its URL");
        post("2024-01-02-p2.md", "");
        assert_clean(&mut rebuild, &[&p2], "its date back");
        let renamed = Path::new("content/posts/2024-01-02-renamed.md").to_path_buf();
        std::fs::rename(root.join(&p2), root.join(&renamed)).unwrap();
        std::fs::write(root.join(&p1), linking.replace("p2.md", "renamed.md")).unwrap();
        assert_clean(&mut rebuild, &[&p2, &renamed, &p1], "a renamed post");
    }

    #[cfg(unix)]
    #[test]
    fn copying_a_fifo_into_memory_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("live.css");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let err = MemorySink::default()
            .copy(&fifo, Path::new("live.css"))
            .unwrap_err();
        assert!(
            err.to_string().contains("not a regular file (a FIFO)"),
            "{err}"
        );
    }
}

//! The order of the stages: load and parse everything, assemble the site, render each page
//! straight to the staging folder, then swap it in as the output.
//!
//! Each stage reports every problem it finds and the build stops between stages when there are
//! errors, so one run shows all errors of a kind without cascades of follow-on errors.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::card::{self, Card};
use crate::config::{self, Config, Overrides};
use crate::diag::Diagnostic;
use crate::incremental;
use crate::page::{self, Page, PageKind};
use crate::progress::{Progress, Silent, Stage};
use crate::render::{self, Generated, Renderer};
use crate::site::Site;
use crate::table::{Staleness, TableOptions};
use crate::write::{self, Sink};
use crate::{
    blog, compare, data, feed, highlight, image, liquid, markdown, matrix, redirect, search,
    source, theme,
};

mod generate;
mod pages;
mod statics;

use generate::*;
pub use generate::{
    KeptDocuments, generated_outputs, has_own_redirects_file, redirect_outputs, search_documents,
    search_documents_keeping, search_files,
};
use pages::*;
pub use pages::{parse_pages, render_page};
use statics::*;

/// What `versus build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub overrides: Overrides,
    pub drafts: bool,
    /// Include posts dated after `config.today`.
    pub future: bool,
    pub force: bool,
    /// Where highlighted code is kept between builds (None: highlight everything afresh).
    pub highlight_cache: Option<PathBuf>,
    /// Where drawn social cards are kept between builds (None: draw every card afresh).
    pub card_cache: Option<PathBuf>,
    /// Where image variants are kept between builds (None: encode every variant afresh).
    pub image_cache: Option<PathBuf>,
    /// Told of each stage and item (None: no one is watching).
    pub progress: Option<Arc<dyn Progress>>,
}

impl BuildOptions {
    /// Where the stages report: the caller's [`Progress`], or [`Silent`].
    pub fn progress(&self) -> &dyn Progress {
        self.progress.as_deref().unwrap_or(&Silent)
    }
}

/// What a successful build did, and its warnings.
#[derive(Debug)]
pub struct Report {
    pub pages: usize,
    pub copied: usize,
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
}

/// Why a build failed: content errors (exit 1) or a problem with how it was run (exit 2).
#[derive(Debug)]
pub enum Failure {
    Content(Vec<Diagnostic>),
    Usage(Vec<Diagnostic>),
}

/// The stylesheet for highlighted code, light and dark.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

pub fn build(options: &BuildOptions) -> Result<Report, Failure> {
    let root = options.root.as_path();
    if !root.is_dir() {
        let message = "site root not found: not a folder";
        return Err(Failure::Usage(vec![Diagnostic::error(root, message)]));
    }
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join("public"));
    let staging = write::prepare(root, &output, options.force, options.progress())
        .map_err(|err| Failure::Usage(vec![Diagnostic::error(&output, err.to_string())]))?;
    let result = build_into(&staging, root, options);
    let written = staging.written();
    let finish = match &result {
        Ok(_) => {
            options.progress().begin(Stage::Write, 0);
            staging.commit()
        }
        Err(_) => staging.abandon().map(|()| Vec::new()),
    };
    let (pages, copied, mut warnings) = result?;
    let notices =
        finish.map_err(|err| Failure::Usage(vec![Diagnostic::error(&output, err.to_string())]))?;
    options.progress().end(Stage::Write, &[("files", written)]);
    warnings.extend(notices.into_iter().map(|n| Diagnostic::warning(&output, n)));
    Ok(Report {
        pages,
        copied,
        output,
        warnings,
    })
}

/// Stops the build when a stage found errors; warnings travel on. A file that could not be
/// read makes the whole failure a usage one (exit 2), its content errors shown with it.
fn checkpoint(problems: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    if !problems.iter().any(Diagnostic::is_error) {
        return Ok(());
    }
    let unreadable = problems.iter().any(Diagnostic::is_unreadable);
    let problems = finish_diagnostics(std::mem::take(problems));
    Err(if unreadable {
        Failure::Usage(problems)
    } else {
        Failure::Content(problems)
    })
}

/// Sorted, without the repeats one broken layout causes on every page using it.
fn finish_diagnostics(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    crate::diag::sort(&mut diagnostics);
    diagnostics.dedup_by(|a, b| {
        (&a.path, a.line, a.col, &a.message) == (&b.path, b.line, b.col, &b.message)
    });
    diagnostics
}

/// Builds the site at `options.root` into `sink`: the staging folder of a build, or the
/// memory of the preview server. Returns pages written, files copied and warnings.
pub fn build_into(
    staging: &dyn Sink,
    root: &Path,
    options: &BuildOptions,
) -> Result<(usize, usize, Vec<Diagnostic>), Failure> {
    // Each page is rendered once, so its body is read again then rather than held.
    let prepared = prepare(root, options, None, |sources, config, liquid, problems| {
        let progress = options.progress();
        parse_pages_keeping(root, sources, config, liquid, progress, problems, false)
    })?;
    let site = &prepared.site;
    let mut problems = Vec::new();

    // Render each page and write it at once, so memory does not grow with the site.
    let pages: Vec<&Page> = site.all_pages().collect();
    let (render_problems, mentions, pictures) = render_pages(&pages, &prepared, staging);
    problems.extend(render_problems);
    let mentions = mentions_by_matrix(mentions.iter().map(|(p, ids)| (*p, ids.as_slice())));
    let (pages_written, copied) =
        write_generated(&prepared, &mentions, &pictures, staging, &mut problems);
    checkpoint(&mut problems)?;
    // Every page was rendered: what the caches hold beyond that is no longer in the site.
    if let Some(cache) = prepared.renderer.highlight_cache() {
        cache.prune();
    }
    if let Some(cache) = prepared.images.cache() {
        cache.prune();
    }
    problems.extend(moved_pages(site, &staging.previous_pages()));
    staging.record_pages(
        site.all_pages()
            .map(|p| (p.url.clone(), p.source.to_string_lossy().replace('\\', "/")))
            .collect(),
    );
    let mut warnings = prepared.warnings;
    warnings.extend(problems);
    Ok((pages_written, copied, finish_diagnostics(warnings)))
}

/// A warning per page whose URL is not the one the previous build of the same output gave it
/// (`previous`, as (URL, source)), unless the old URL is still served (an alias, another page).
fn moved_pages(site: &Site, previous: &[write::PageRecord]) -> Vec<Diagnostic> {
    if previous.is_empty() {
        return Vec::new();
    }
    let served: std::collections::HashSet<&str> = site
        .all_pages()
        .flat_map(|p| {
            std::iter::once(p.url.as_str()).chain(p.aliases.iter().map(|a| a.path.as_str()))
        })
        .collect();
    let before: HashMap<&str, &str> = previous
        .iter()
        .map(|(url, source)| (source.as_str(), url.as_str()))
        .collect();
    site.all_pages()
        .filter_map(|page| {
            let source = page.source.to_string_lossy().replace('\\', "/");
            let old = *before.get(source.as_str())?;
            (old != page.url && !served.contains(old)).then(|| {
                Diagnostic::warning(
                    &page.source,
                    format!(
                        "its URL changed from {old} to {}; add `aliases: [{old}]` to keep old links working",
                        page.url
                    ),
                )
            })
        })
        .collect()
}

/// A site read, checked and assembled, ready to render.
pub struct Prepared {
    pub site: Site,
    pub renderer: Renderer,
    /// The terms of every taxonomy, found once.
    pub terms: blog::Terms,
    /// The data files, which the preview server reads again when a page changes (series).
    pub files: Vec<data::DataFile>,
    /// The Liquid of post bodies, which the preview server parses changed pages with.
    pub liquid: Option<liquid::Env>,
    /// The highlighting stylesheet.
    pub css: Option<String>,
    /// Where drawn social cards are kept between builds.
    pub card_cache: Option<card::DiskCache>,
    /// The site's images, each read and made into variants once.
    pub images: Arc<image::Images>,
    /// The outputs versus makes itself.
    pub generated: Vec<PathBuf>,
    /// The old URLs of pages and areas, each written as a redirect page.
    pub redirects: Vec<redirect::Redirect>,
    pub statics: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
    /// Leave the search index out of the generated outputs: the preview server makes it when
    /// a search file is asked for, so a save of one post does not wait for an index of all.
    pub defer_search_index: bool,
    root: PathBuf,
    progress: Option<Arc<dyn Progress>>,
}

impl Prepared {
    fn progress(&self) -> &dyn Progress {
        self.progress.as_deref().unwrap_or(&Silent)
    }
}

/// What supplies the parsed content files to [`prepare`]: from the scan, the settings and the
/// site's Liquid (if it runs any), reporting problems as it goes.
pub trait ParsePages:
    FnOnce(&source::Sources, &Config, Option<&liquid::Env>, &mut Vec<Diagnostic>) -> Vec<Arc<Page>>
{
}

impl<F> ParsePages for F where
    F: FnOnce(
        &source::Sources,
        &Config,
        Option<&liquid::Env>,
        &mut Vec<Diagnostic>,
    ) -> Vec<Arc<Page>>
{
}

/// Stages 1 and 2: load and parse everything, then assemble and check the site. `pages`
/// supplies the parsed content files (a clean build parses them all; the preview server keeps
/// them between rebuilds).
pub fn prepare(
    root: &Path,
    options: &BuildOptions,
    cache: Option<&Arc<incremental::RenderCache>>,
    pages: impl ParsePages,
) -> Result<Prepared, Failure> {
    let progress = options.progress();
    progress.begin(Stage::Scan, 0);
    let sources = source::scan(root).map_err(Failure::Usage)?;
    progress.end(
        Stage::Scan,
        &[
            ("content files", sources.posts.len() + sources.pages.len()),
            ("data files", sources.data.len()),
            ("layouts", sources.layouts.len()),
            ("static files", sources.statics.len()),
        ],
    );
    prepare_from(root, &sources, options, cache, pages)
}

/// [`prepare`] from a scan already made (the preview server keeps it while no file comes or
/// goes).
pub fn prepare_from(
    root: &Path,
    sources: &source::Sources,
    options: &BuildOptions,
    cache: Option<&Arc<incremental::RenderCache>>,
    pages: impl ParsePages,
) -> Result<Prepared, Failure> {
    let mut problems = Vec::new();
    let progress = options.progress();

    // Load and parse: settings, data and matrices, templates, pages.
    progress.begin(Stage::Read, sources.posts.len() + sources.pages.len());
    let p = &mut problems;
    let config = keep(config::load(root, &options.overrides), p);
    let files = keep(data::load(root, &sources.data), p).unwrap_or_default();
    let tree = keep(data::tree(&files), p);
    let matrices = keep(matrix::load(&files), p);
    let strings = config
        .as_ref()
        .and_then(|config| keep(crate::strings::load(&config.language, &files), p));
    let templates = keep(render::Templates::load(root, &sources.layouts), p);
    let mut liquid = config
        .as_ref()
        .and_then(|config| keep(liquid::Env::load(root, config, &sources.includes), p))
        .flatten();
    if let (Some(env), Some(config)) = (liquid.as_mut(), config.as_ref()) {
        env.set_pages(liquid_pages(root, sources, config, options));
    }
    let pages = config
        .as_ref()
        .map(|config| pages(sources, config, liquid.as_ref(), &mut problems));
    checkpoint(&mut problems)?;
    let (Some(config), Some(tree), Some(matrices), Some(strings), Some(templates), Some(mut pages)) =
        (config, tree, matrices, strings, templates, pages)
    else {
        unreachable!("every stage either succeeded or reported an error");
    };
    progress.end(
        Stage::Read,
        &[
            ("content files", pages.len()),
            ("data files", files.len()),
            ("layouts", sources.layouts.len()),
        ],
    );
    progress.begin(Stage::Assemble, 0);
    // Series name post files, drafts and future posts included: a part written but not yet
    // published is still a known file (and shown as planned).
    let all: Vec<&Page> = pages.iter().map(|p| &**p).collect();
    let series = keep(crate::blog::load_series(&files, &all), &mut problems);
    if !options.drafts {
        pages.retain(|p| !p.draft);
    }
    if !options.future {
        pages.retain(|p| !p.is_future(config.today));
    }

    // Assemble: facts across files.
    let (mut site, assembly_problems) = Site::assemble(config, pages, tree, matrices);
    site.series = series.unwrap_or_default();
    site.strings = strings;
    problems.extend(assembly_problems);
    let css = highlight_css(root, &site.config, &mut problems);
    let images = Arc::new(image::Images::new(
        root,
        &sources.statics,
        &site.config.images,
        options.image_cache.clone().map(image::DiskCache::new),
    ));
    let mut renderer = templates.for_site(&site, cache);
    renderer.set_assets(
        &site,
        render::Assets::new(root, &sources.statics, css.as_deref()),
    );
    renderer.set_images(&site, &images);
    renderer.set_highlight_cache(
        options
            .highlight_cache
            .clone()
            .map(highlight::DiskCache::new),
    );
    for page in site.all_pages() {
        if !renderer.has_layout(&page.layout) {
            problems.push(render::unknown_layout(page, &renderer));
        }
    }
    let terms = blog::all_terms(&site);
    let mut generated = generated_outputs(&site, &terms);
    // A set: a site of 10,000 posts has ~1,000 generated pages (pagination) to check against.
    let reserved: std::collections::HashSet<&Path> =
        generated.iter().map(PathBuf::as_path).collect();
    for page in site.all_pages() {
        if reserved.contains(page.output.as_path()) {
            let message = format!("`{}` is a URL versus generates itself", page.url);
            problems.push(page.error_at_key("permalink", None, message));
        }
    }
    let redirects = keep(
        redirect::redirects(&site, &generated, &sources.statics),
        &mut problems,
    )
    .unwrap_or_default();
    if !redirects.is_empty() && has_own_redirects_file(&sources.statics) {
        let lines = redirect::redirects_file(&site.config, &redirects);
        let lines: Vec<&str> = lines.lines().skip(1).collect();
        problems.push(
            Diagnostic::warning(
                Path::new("static").join(redirect::REDIRECTS_FILE),
                format!(
                    "the site's own _redirects is published as written: versus adds none of the {} redirects of `aliases:` to it (their redirect pages are written)",
                    redirects.len()
                ),
            )
            .with_help(format!("to have the host redirect them too, add: {}", lines.join("; "))),
        );
    }
    generated.extend(redirect_outputs(&redirects, &sources.statics));
    if site.home().is_none() && !renderer.has_layout("index") {
        problems.push(Diagnostic::error(
            "layouts/index.html",
            "missing: the home page is rendered from layouts/index.html (or write content/index.md)",
        ));
    }
    checkpoint(&mut problems)?;
    progress.end(
        Stage::Assemble,
        &[
            ("posts", site.posts.len()),
            ("pages", site.pages.len()),
            ("matrices", site.matrices.areas.len()),
            ("series", site.series.len()),
        ],
    );
    // What is left after the checkpoint are warnings (unknown authors).
    let mut warnings = problems;
    warnings.extend(
        site.all_pages()
            .flat_map(|page| page.warnings.iter().cloned()),
    );
    warnings.extend(site.stale_claims());
    warnings.extend(site.config.warnings.iter().cloned());
    Ok(Prepared {
        site,
        renderer,
        terms,
        files,
        liquid,
        css,
        card_cache: options.card_cache.clone().map(card::DiskCache::new),
        images,
        generated,
        redirects,
        statics: sources.statics.clone(),
        warnings,
        defer_search_index: false,
        root: root.to_path_buf(),
        progress: options.progress.clone(),
    })
}

/// Pages rendered: per page, the matrices it embeds.
pub type Embeds<'p> = Vec<(&'p Page, Vec<String>)>;

/// Stage 3 for content: renders `pages` in parallel, each written to `sink` at once. Returns
/// the problems, per page rendered the matrices it embeds, and the pictures they show.
pub fn render_pages<'p>(
    pages: &[&'p Page],
    prepared: &Prepared,
    sink: &dyn Sink,
) -> (Vec<Diagnostic>, Embeds<'p>, Vec<Arc<image::Picture>>) {
    let (problems, rendered) = render_pages_reading(pages, prepared, sink);
    let mut pictures = Vec::new();
    let mut embeds = Vec::with_capacity(rendered.len());
    for page in rendered {
        pictures.extend(page.pictures);
        embeds.push((page.page, page.embeds));
    }
    (problems, embeds, pictures)
}

/// A content page rendered: what else its HTML was made from.
pub struct RenderedPage<'p> {
    pub page: &'p Page,
    /// The matrices its text embeds.
    pub embeds: Vec<String>,
    /// The images of the site it shows, whose variants are written with the generated files.
    pub pictures: Vec<Arc<image::Picture>>,
    /// What it read of the list of posts (preview server only).
    pub reads: Option<incremental::PostReads>,
    /// What the build reports but still writes: code too expensive to highlight.
    pub warnings: Vec<Diagnostic>,
}

/// [`render_pages`], with what each page read of the list of posts; in `pages` order.
pub fn render_pages_reading<'p>(
    pages: &[&'p Page],
    prepared: &Prepared,
    sink: &dyn Sink,
) -> (Vec<Diagnostic>, Vec<RenderedPage<'p>>) {
    let progress = prepared.progress();
    progress.begin(Stage::Render, pages.len());
    let cached_before = prepared.renderer.highlight_cache().map(|c| c.counts());
    let results: Vec<Result<RenderedPage, Vec<Diagnostic>>> = pages
        .par_iter()
        .map(|page| {
            let rendered = render_page(page, prepared);
            progress.advance(1);
            let (html, done) = rendered?;
            // Shared, not copied: the preview server keeps the bytes as they are.
            sink.put_shared(&page.output, Arc::new(html.into_bytes()))
                .map_err(|err| vec![Diagnostic::error(&page.source, err.to_string())])?;
            Ok(done)
        })
        .collect();
    let mut problems = Vec::new();
    let mut rendered = Vec::new();
    for result in results {
        match result {
            Ok(mut done) => {
                problems.append(&mut done.warnings);
                rendered.push(done);
            }
            Err(diagnostics) => problems.extend(diagnostics),
        }
    }
    if !problems.iter().any(Diagnostic::is_error) {
        let mut counts = vec![("pages", rendered.len())];
        let cache = prepared.renderer.highlight_cache();
        if let (Some((hits, misses)), Some((hits_before, misses_before))) =
            (cache.map(|c| c.counts()), cached_before)
        {
            counts.push(("code blocks from the cache", hits - hits_before));
            counts.push(("code blocks highlighted", misses - misses_before));
        }
        progress.end(Stage::Render, &counts);
    }
    (problems, rendered)
}

/// Matrix id → the pages that embed it, for the area pages' "Discussed in".
pub fn mentions_by_matrix<'p>(
    embeds: impl Iterator<Item = (&'p Page, &'p [String])>,
) -> BTreeMap<String, Vec<&'p Page>> {
    let mut mentions: BTreeMap<String, Vec<&Page>> = BTreeMap::new();
    for (page, ids) in embeds {
        for id in ids {
            mentions.entry(id.clone()).or_default().push(page);
        }
    }
    mentions
}

/// Stage 3 for everything else: generated pages and files, social cards, the code stylesheet,
/// the variants of the `pictures` pages show (and of those layouts asked for), static files.
/// Returns (pages written, files copied), counting content pages too.
pub fn write_generated(
    prepared: &Prepared,
    mentions: &BTreeMap<String, Vec<&Page>>,
    pictures: &[Arc<image::Picture>],
    sink: &dyn Sink,
    problems: &mut Vec<Diagnostic>,
) -> (usize, usize) {
    let site = &prepared.site;
    let progress = prepared.progress();
    progress.begin(Stage::Generate, 0);
    let mut pages_written = site.all_pages().count();
    let mut generated = [0, 0];
    for (output, problem) in generate(prepared, mentions, sink) {
        problems.extend(problem);
        if output.extension().is_some_and(|e| e == "html") {
            pages_written += 1;
            generated[0] += 1;
        } else {
            generated[1] += 1;
        }
    }
    problems.extend(write_cards(prepared, sink));
    let variants = write_variants(prepared, pictures, sink, problems);
    generated[1] += variants;
    if let Some(css) = &prepared.css {
        put(sink, Path::new(HIGHLIGHT_CSS), css.as_bytes(), problems);
        generated[1] += 1;
    }
    let (encoded, reused) = prepared.images.counts();
    progress.end(
        Stage::Generate,
        &[
            ("pages", generated[0]),
            ("other files", generated[1]),
            ("image variants", variants),
            ("image variants encoded", encoded),
            ("image variants from the cache", reused),
        ],
    );
    progress.begin(Stage::Copy, prepared.statics.len());
    let mut copied = copy_static(
        sink,
        &prepared.root,
        &prepared.statics,
        site,
        &prepared.generated,
        progress,
        problems,
    );
    copied += copy_builtin_static(prepared, sink, problems);
    progress.end(Stage::Copy, &[("files", copied)]);
    (pages_written, copied)
}

/// The value of a stage that worked; the problems of one that did not.
fn keep<T>(result: Result<T, Vec<Diagnostic>>, problems: &mut Vec<Diagnostic>) -> Option<T> {
    result.map_err(|e| problems.extend(e)).ok()
}

/// The stylesheet for highlighted code, or the problem with the configured themes.
fn highlight_css(root: &Path, config: &Config, problems: &mut Vec<Diagnostic>) -> Option<String> {
    let (light, dark) = (&config.highlight.light, &config.highlight.dark);
    let css = match config.code_markup {
        config::CodeMarkup::Versus => highlight::theme_css(light, dark),
        config::CodeMarkup::Jekyll => highlight::rouge_theme_css(light, dark),
    };
    match css {
        Ok(css) => Some(css),
        Err(err) => {
            let mut d = Diagnostic::error(config::FILE_NAME, err.to_string());
            if let Ok(text) = source::read_text(root, Path::new(config::FILE_NAME)) {
                let offset =
                    crate::yaml::key_offset(&text, "highlight", Some(&err.name)).unwrap_or(0);
                d = d.at_offset(&text, offset);
            }
            if let Some(near) =
                crate::diag::did_you_mean(&err.name, err.known.iter().map(String::as_str))
            {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            problems.push(d);
            None
        }
    }
}

fn put(staging: &dyn Sink, path: &Path, bytes: &[u8], problems: &mut Vec<Diagnostic>) {
    if let Err(err) = staging.put(path, bytes) {
        problems.push(Diagnostic::error(path, err.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Counts;

    /// One stage as reported: (stage, items announced, items advanced, counts at its end).
    type Call = (Stage, usize, usize, Vec<(String, usize)>);

    /// Every stage reported, in order.
    #[derive(Debug, Default)]
    struct Recorder {
        calls: Mutex<Vec<Call>>,
    }

    impl Progress for Recorder {
        fn begin(&self, stage: Stage, items: usize) {
            let mut calls = self.calls.lock().unwrap();
            calls.push((stage, items, 0, Vec::new()));
        }
        fn advance(&self, items: usize) {
            self.calls.lock().unwrap().last_mut().unwrap().2 += items;
        }
        fn end(&self, stage: Stage, counts: Counts) {
            let mut calls = self.calls.lock().unwrap();
            let last = calls.last_mut().unwrap();
            assert_eq!(
                last.0, stage,
                "a stage ends after it began, before the next"
            );
            last.3 = counts.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect();
        }
    }

    fn count(calls: &[Call], stage: Stage, name: &str) -> usize {
        let (_, _, _, counts) = calls.iter().find(|c| c.0 == stage).unwrap();
        counts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{stage} {name}: {counts:?}"))
            .1
    }

    #[test]
    fn a_build_reports_each_stage_with_its_counts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/basic");
        let out = tempfile::tempdir().unwrap();
        let recorder = Arc::new(Recorder::default());
        let options = BuildOptions {
            root,
            output: Some(out.path().join("public")),
            overrides: Overrides {
                base_url: None,
                today: Some(jiff::civil::date(2026, 11, 25)),
            },
            drafts: false,
            future: false,
            force: false,
            highlight_cache: Some(out.path().join("cache")),
            card_cache: None,
            image_cache: None,
            progress: Some(recorder.clone()),
        };
        let report = build(&options).unwrap();
        let calls = std::mem::take(&mut *recorder.calls.lock().unwrap());
        let stages: Vec<Stage> = calls.iter().map(|c| c.0).collect();
        use Stage::*;
        assert_eq!(
            stages,
            [Scan, Read, Assemble, Render, Generate, Copy, Write]
        );
        // Three content files (two posts, the about page), each parsed and rendered once.
        assert_eq!(count(&calls, Scan, "content files"), 3);
        assert_eq!(count(&calls, Scan, "static files"), 1);
        assert_eq!((calls[1].1, calls[1].2), (3, 3), "read: announced and done");
        assert_eq!(count(&calls, Assemble, "posts"), 2);
        assert_eq!(count(&calls, Assemble, "pages"), 1);
        assert_eq!(
            (calls[3].1, calls[3].2),
            (3, 3),
            "render: announced and done"
        );
        assert_eq!(count(&calls, Render, "pages"), 3);
        let highlighted = count(&calls, Render, "code blocks highlighted");
        assert!(highlighted > 0, "the first post has code");
        assert_eq!(count(&calls, Render, "code blocks from the cache"), 0);
        let generated = count(&calls, Generate, "pages");
        assert_eq!(report.pages, 3 + generated, "the summary line's pages");
        assert_eq!((calls[5].1, calls[5].2), (1, 1), "copy: announced and done");
        assert_eq!(count(&calls, Copy, "files"), report.copied);
        let files = walkdir::WalkDir::new(out.path().join("public"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .count();
        // The output marker is written at the swap, after the count.
        assert_eq!(count(&calls, Write, "files") + 1, files);

        // Again: the code comes from the cache.
        build(&options).unwrap();
        let calls = std::mem::take(&mut *recorder.calls.lock().unwrap());
        assert_eq!(
            count(&calls, Render, "code blocks from the cache"),
            highlighted
        );
        assert_eq!(count(&calls, Render, "code blocks highlighted"), 0);
    }

    #[test]
    fn image_sources_name_files_under_static() {
        let of = |src, page, base| image::static_file_of(src, page, base);
        let file = |p: &str| Some(PathBuf::from(p));
        assert_eq!(
            of("/img/a.png", "/2024/01/02/x/", ""),
            file("static/img/a.png")
        );
        assert_eq!(
            of("/blog/img/a.png", "/x/", "/blog"),
            file("static/img/a.png")
        );
        assert_eq!(
            of("/blogs/a.png", "/x/", "/blog"),
            file("static/blogs/a.png")
        );
        assert_eq!(
            of("a.png?v=2#top", "/2024/x/", ""),
            file("static/2024/x/a.png")
        );
        assert_eq!(of("../a.png", "/2024/x/", ""), file("static/2024/a.png"));
        assert_eq!(
            of("/img/my%20cat.png", "/", ""),
            file("static/img/my cat.png")
        );
        for outside in [
            "https://example.org/a.png",
            "//cdn.example.org/a.png",
            "data:image/png;base64,iVBOR",
            "../../a.png",
            "/../a.png",
            "",
            "/",
        ] {
            assert_eq!(of(outside, "/x/", ""), None, "{outside}");
        }
    }
}

//! The order of the stages: load and parse everything, assemble the site, render each page
//! straight to the staging folder, then swap it in as the output.
//!
//! Each stage reports every problem it finds and the build stops between stages when there are
//! errors, so one run shows all errors of a kind without cascades of follow-on errors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::{self, Config, Overrides};
use crate::diag::Diagnostic;
use crate::page::{self, Page, PageKind};
use crate::render::{self, Renderer};
use crate::site::Site;
use crate::write::{self, Staging};
use crate::{data, highlight, markdown, source};

/// What `versus build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub overrides: Overrides,
    pub drafts: bool,
    pub force: bool,
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
    let staging = write::prepare(root, &output, options.force)
        .map_err(|err| Failure::Usage(vec![Diagnostic::error(&output, err.to_string())]))?;
    let result = build_into(&staging, root, options);
    let finish = match &result {
        Ok(_) => staging.commit(),
        Err(_) => staging.abandon(),
    };
    let (pages, copied, warnings) = result?;
    finish.map_err(|err| Failure::Usage(vec![Diagnostic::error(&output, err.to_string())]))?;
    Ok(Report {
        pages,
        copied,
        output,
        warnings,
    })
}

/// Stops the build when a stage found errors; warnings travel on.
fn checkpoint(problems: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    if problems.iter().any(Diagnostic::is_error) {
        Err(Failure::Content(finish_diagnostics(std::mem::take(
            problems,
        ))))
    } else {
        Ok(())
    }
}

/// Sorted, without the repeats one broken layout causes on every page using it.
fn finish_diagnostics(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    crate::diag::sort(&mut diagnostics);
    diagnostics.dedup_by(|a, b| {
        (&a.path, a.line, a.col, &a.message) == (&b.path, b.line, b.col, &b.message)
    });
    diagnostics
}

fn build_into(
    staging: &Staging,
    root: &Path,
    options: &BuildOptions,
) -> Result<(usize, usize, Vec<Diagnostic>), Failure> {
    let mut problems = Vec::new();

    // Load and parse: settings, sources, data, templates, pages.
    let sources = source::scan(root).map_err(Failure::Usage)?;
    let config = config::load(root, &options.overrides)
        .map_err(|e| problems.extend(e))
        .ok();
    let data = data::load(root, &sources.data)
        .map_err(|e| problems.extend(e))
        .ok();
    let templates = render::Templates::load(root, &sources.layouts)
        .map_err(|e| problems.extend(e))
        .ok();
    let pages = config
        .as_ref()
        .map(|config| parse_pages(root, &sources, config, &mut problems));
    checkpoint(&mut problems)?;
    let (Some(config), Some(data), Some(templates), Some(mut pages)) =
        (config, data, templates, pages)
    else {
        unreachable!("every stage either succeeded or reported an error");
    };
    if !options.drafts {
        pages.retain(|p| !p.draft);
    }

    // Assemble: facts across files.
    let (site, assembly_problems) = Site::assemble(config, pages, data);
    problems.extend(assembly_problems);
    let css = highlight::theme_css(&site.config.highlight.light, &site.config.highlight.dark);
    if let Err(err) = &css {
        let mut d = Diagnostic::error(config::FILE_NAME, err.to_string());
        if let Ok(text) = std::fs::read_to_string(root.join(config::FILE_NAME)) {
            let offset = crate::yaml::key_offset(&text, "highlight", Some(&err.name)).unwrap_or(0);
            d = d.at_offset(&text, offset);
        }
        if let Some(near) =
            crate::diag::did_you_mean(&err.name, err.known.iter().map(String::as_str))
        {
            d = d.with_help(format!("did you mean `{near}`?"));
        }
        problems.push(d);
    }
    let renderer = templates.for_site(&site);
    for page in site.all_pages() {
        if !renderer.has_layout(&page.layout) {
            problems.push(render::unknown_layout(page, &renderer));
        }
    }
    if site.home().is_none() && !renderer.has_layout("index") {
        problems.push(Diagnostic::error(
            "layouts/index.html",
            "missing: the home page is rendered from layouts/index.html (or write content/index.md)",
        ));
    }
    checkpoint(&mut problems)?;

    // Render each page and write it at once, so memory does not grow with the site.
    let render_problems = Mutex::new(Vec::new());
    let report = |d: Diagnostic| {
        render_problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(d)
    };
    site.all_pages()
        .collect::<Vec<_>>()
        .par_iter()
        .for_each(|page| match render_page(page, &site, &renderer) {
            Ok(html) => {
                if let Err(err) = staging.put(&page.output, html.as_bytes()) {
                    report(Diagnostic::error(&page.source, err.to_string()));
                }
            }
            Err(diagnostics) => diagnostics.into_iter().for_each(report),
        });
    let mut pages_written = site.all_pages().count();
    if site.home().is_none() {
        match renderer.home(&site.config) {
            Ok(html) => put(
                staging,
                Path::new("index.html"),
                html.as_bytes(),
                &mut problems,
            ),
            Err(d) => problems.push(d),
        }
        pages_written += 1;
    }
    problems.extend(
        render_problems
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
    );
    if let Ok(css) = css {
        put(
            staging,
            Path::new(HIGHLIGHT_CSS),
            css.as_bytes(),
            &mut problems,
        );
    }
    let copied = copy_static(staging, root, &sources.statics, &site, &mut problems);
    checkpoint(&mut problems)?;
    Ok((pages_written, copied, finish_diagnostics(problems)))
}

fn put(staging: &Staging, path: &Path, bytes: &[u8], problems: &mut Vec<Diagnostic>) {
    if let Err(err) = staging.put(path, bytes) {
        problems.push(Diagnostic::error(path, err.to_string()));
    }
}

/// Reads and parses every post and page in parallel.
fn parse_pages(
    root: &Path,
    sources: &source::Sources,
    config: &Config,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Page> {
    let files = sources
        .posts
        .iter()
        .map(|p| (p, PageKind::Post))
        .chain(sources.pages.iter().map(|p| (p, PageKind::Page)));
    let results: Vec<Result<Page, Vec<Diagnostic>>> = files
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(path, kind)| {
            let text = std::fs::read_to_string(root.join(path))
                .map_err(|err| vec![Diagnostic::error(path, format!("cannot read: {err}"))])?;
            page::parse(path, text, kind, config)
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(page) => pages.push(page),
            Err(diagnostics) => problems.extend(diagnostics),
        }
    }
    pages
}

/// Markdown to HTML, then through the page's layout.
fn render_page(page: &Page, site: &Site, renderer: &Renderer) -> Result<String, Vec<Diagnostic>> {
    let resolve = |target: &str| {
        site.source_link(&page.source, target)
            .map(|url| site.config.relative_url(url))
    };
    let body = markdown::render(
        page.body(),
        &markdown::Options {
            resolve_source_link: &resolve,
        },
    );
    let mut problems: Vec<Diagnostic> = body
        .problems
        .iter()
        .map(|p| page.error_in_body(p.offset, p.message.clone()))
        .collect();
    match renderer.page(page, site, &body) {
        Ok(html) if problems.is_empty() => Ok(html),
        Ok(_) => Err(problems),
        Err(d) => {
            problems.push(d);
            Err(problems)
        }
    }
}

/// Copies `static/` into the output; a static file may not take a page's place.
fn copy_static(
    staging: &Staging,
    root: &Path,
    statics: &[PathBuf],
    site: &Site,
    problems: &mut Vec<Diagnostic>,
) -> usize {
    let pages: std::collections::HashMap<&Path, &Page> =
        site.all_pages().map(|p| (p.output.as_path(), p)).collect();
    let results: Vec<Option<Diagnostic>> = statics
        .par_iter()
        .map(|file| {
            let relative = file.strip_prefix("static").unwrap_or(file);
            if let Some(page) = pages.get(relative) {
                let message = format!(
                    "would overwrite the page built from {} at /{}",
                    page.source.display(),
                    relative.display()
                );
                return Some(Diagnostic::error(file, message));
            }
            if site.home().is_none() && relative == Path::new("index.html") {
                return Some(Diagnostic::error(file, "would overwrite the home page"));
            }
            staging
                .copy(&root.join(file), relative)
                .err()
                .map(|err| Diagnostic::error(file, err.to_string()))
        })
        .collect();
    let failed = results.iter().flatten().count();
    problems.extend(results.into_iter().flatten());
    statics.len() - failed
}

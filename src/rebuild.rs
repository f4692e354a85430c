//! Incremental rebuilds for `versus serve`: the stages of a clean build, run again on every
//! change, with three things kept in between so a one-post edit stays in milliseconds:
//! parsed pages (re-parsed only when their file changed), each content page's output with a
//! hash of everything it was rendered from (re-rendered only when that hash changes), and the
//! render cache for generated pages. Keys cover every input, so the result is exactly what a
//! clean build writes (the serve tests compare the two after random edits).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::Diagnostic;
use crate::page::{self, Page, PageKind};
use crate::pipeline::{self, BuildOptions, Failure};
use crate::render::{RenderCache, hash_of};
use crate::write::{self, Sink, WriteError};

/// The built site: output path (with `/`) → bytes.
pub type Outputs = HashMap<String, Arc<Vec<u8>>>;

pub struct Rebuild {
    options: BuildOptions,
    /// Parsed content files by source path, drafts and future posts included.
    parsed: HashMap<PathBuf, Arc<Page>>,
    /// Content files that did not parse, with their problems, until they change.
    broken: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The `site.yaml` the pages were parsed with (it sets their URLs and defaults).
    config_text: Option<String>,
    cache: Arc<RenderCache>,
    /// Per content page: the key its current output was rendered from, and that output.
    made_from: HashMap<PathBuf, (u64, String)>,
    /// Per content page: the matrices it embeds, for the area pages.
    embeds: HashMap<PathBuf, Vec<String>>,
    outputs: Outputs,
}

/// Sites up to this many pages are checked (`versus check`) after every rebuild; larger ones
/// would wait too long for it, and say so.
const CHECK_UP_TO_PAGES: usize = 2_000;

/// A successful rebuild.
pub struct Updated {
    /// The site as built, for [`Updated::check`].
    prepared: pipeline::Prepared,
    pub outputs: Outputs,
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
            made_from: HashMap::new(),
            embeds: HashMap::new(),
            outputs: Outputs::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Rebuilds after `changed` (paths relative to the root), or after anything (None: the
    /// first build, or a rescan). On failure the previous outputs stay as they were.
    pub fn update(
        &mut self,
        changed: Option<&BTreeSet<PathBuf>>,
    ) -> Result<Updated, Vec<Diagnostic>> {
        let root = self.options.root.clone();
        let config_text = std::fs::read_to_string(root.join(crate::config::FILE_NAME)).ok();
        // Settings and Liquid includes go into every page's parse.
        let include_changed = changed.is_some_and(|c| {
            c.iter()
                .any(|p| crate::source::Kind::of(p) == crate::source::Kind::Include)
        });
        let reparse_all = changed.is_none() || config_text != self.config_text || include_changed;
        self.config_text = config_text;
        self.cache.begin();

        let (parsed, broken) = (&mut self.parsed, &mut self.broken);
        let prepared = pipeline::prepare(
            &root,
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
                    let unchanged = !reparse_all && !changed.is_some_and(|c| c.contains(path));
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
                    let text = std::fs::read_to_string(root.join(path)).map_err(|err| {
                        vec![Diagnostic::error(path, format!("cannot read: {err}"))]
                    });
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
        let mut prepared = prepared.map_err(|failure| match failure {
            Failure::Content(d) | Failure::Usage(d) => d,
        })?;
        let site = &prepared.site;

        // Content pages whose inputs changed: their own text, layout and the shared values
        // (settings, data and matrices: the page key), and the URLs their `.md` links name.
        let link_targets = hash_of(
            &site
                .all_pages()
                .map(|p| (&p.source, &p.url))
                .collect::<Vec<_>>(),
        );
        let keys: HashMap<&Path, u64> = site
            .all_pages()
            .map(|page| {
                let links = page.may_link_sources.then_some(link_targets);
                let key = hash_of(&(prepared.renderer.page_key(page), &page.output, links));
                (page.source.as_path(), key)
            })
            .collect();
        let stale: Vec<&Page> = site
            .all_pages()
            .filter(|page| {
                self.made_from
                    .get(&page.source)
                    .is_none_or(|(key, _)| *key != keys[page.source.as_path()])
            })
            .collect();
        let sink = MemorySink::default();
        let (mut problems, embedded) = pipeline::render_pages(&stale, &prepared, &sink);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        let rendered = embedded.len();
        let mut embeds: HashMap<PathBuf, Vec<String>> = site
            .all_pages()
            .filter_map(|p| Some((p.source.clone(), self.embeds.get(&p.source)?.clone())))
            .collect();
        for (page, ids) in embedded {
            embeds.insert(page.source.clone(), ids);
        }
        let mentions = pipeline::mentions_by_matrix(
            site.all_pages()
                .filter_map(|p| Some((p, embeds.get(&p.source)?.as_slice()))),
        );
        let (pages, _) = pipeline::write_generated(&prepared, &mentions, &sink, &mut problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }

        // The new outputs: what was rendered now, and the unchanged pages' previous outputs.
        let mut outputs = sink.into_outputs();
        let mut made_from = HashMap::new();
        for page in site.all_pages() {
            let output = key_of(&page.output);
            let key = keys[page.source.as_path()];
            if !outputs.contains_key(&output) {
                if let Some(bytes) = self.outputs.get(&output) {
                    outputs.insert(output.clone(), Arc::clone(bytes));
                }
            }
            made_from.insert(page.source.clone(), (key, output));
        }
        self.cache.sweep();
        self.made_from = made_from;
        self.embeds = embeds;
        self.outputs = outputs.clone();
        let mut warnings = std::mem::take(&mut prepared.warnings);
        warnings.extend(problems);
        Ok(Updated {
            prepared,
            outputs,
            pages,
            rendered,
            warnings,
        })
    }
}

impl Updated {
    /// `versus check` on the result: (errors, warnings), or None for a site too large to check
    /// on every save. Run after the pages are served, so it never delays a reload.
    pub fn check(&self, root: &Path) -> Option<(usize, usize)> {
        (self.pages <= CHECK_UP_TO_PAGES).then(|| {
            let findings =
                crate::check::run(root, &self.prepared, &self.outputs, &Default::default());
            let errors = findings.iter().filter(|f| f.is_error()).count();
            (errors, findings.len() - errors)
        })
    }
}

/// `2023/08/11/a/index.html` as an output key, `/` separated on every platform.
fn key_of(relative: &Path) -> String {
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

    fn insert(&self, relative: &Path, bytes: Vec<u8>) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(key_of(relative), Arc::new(bytes));
    }
}

impl Sink for MemorySink {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        self.insert(relative, bytes.to_vec());
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        let bytes = std::fs::read(from).map_err(|source| WriteError::Io {
            path: from.to_path_buf(),
            source,
        })?;
        self.insert(relative, bytes);
        Ok(())
    }
}

//! Loading and assembling the site again, re-parsing only the files that changed.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use super::{Made, Rebuild, key_of};
use crate::diag::Diagnostic;
use crate::page::{self, Page, PageKind};
use crate::pipeline::{self, Failure};
use crate::source;

impl Rebuild {
    /// Loads and assembles the site again, re-parsing only the files that changed: those in
    /// `changed`, or after a rescan (None) those whose text differs; every file after a change
    /// to `site.yaml` (`reparse_all`), which sets URLs and defaults.
    pub(super) fn assemble(
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
}

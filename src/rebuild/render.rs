//! Rendering what the keys say is stale, in one pass or in two (open pages first).

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::{FirstPublished, MemorySink, Outputs, Pending, Rebuild, Updated, key_of};
use crate::diag::Diagnostic;
use crate::incremental::PostReads;
use crate::page::Page;
use crate::{pipeline, search};

impl Rebuild {
    /// Renders the pages whose keys changed and the generated outputs; on success, the new
    /// outputs. `patched`: the site kept its pages in place since the last rebuild. `first`:
    /// the first of two passes, which renders and publishes only the `open` outputs (and
    /// says in `pending` which outputs the second may change).
    pub(super) fn render(
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
            let mut before = Vec::new();
            for (path, bytes) in made.filter(|(path, _)| open.contains(path)) {
                pending.outputs.remove(&path);
                if outputs.get(&path).is_none_or(|old| old != &bytes) {
                    changed.insert(path.clone());
                    before.push((path.clone(), outputs.insert(path, bytes)));
                }
            }
            // An open page that is gone for good (a post set to draft, deleted or moved, whose
            // URL nothing else takes) goes now, so it reloads into the 404 at once instead of
            // after everything else is made; a failed second pass puts it back.
            let taken = |path: &str| {
                site.page_at(Path::new(path)).is_some()
                    || prepared.generated.iter().any(|g| key_of(g) == path)
            };
            for gone in self.gone.iter().filter(|g| open.contains(*g) && !taken(g)) {
                if let Some(old) = outputs.remove(gone) {
                    pending.outputs.remove(gone);
                    pending.gone.insert(gone.clone());
                    changed.insert(gone.clone());
                    before.push((gone.clone(), Some(old)));
                }
            }
            self.first_published = FirstPublished {
                before,
                pages: stale.clone(),
            };
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
    pub(super) fn left_for_second_pass(&self, later: &[usize], patched: bool) -> HashSet<String> {
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
}

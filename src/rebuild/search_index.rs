//! The search index of the preview server, made on request.

use std::sync::{Arc, Mutex};

use super::{Outputs, key_of};
use crate::{pipeline, search};

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
    pub(super) fn replace(&self, documents: Option<Vec<Arc<search::Document>>>) {
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

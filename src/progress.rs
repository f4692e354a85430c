//! How a build tells how far it got. The pipeline calls a [`Progress`] at each stage and
//! each item; what a user sees of it (a progress line on a terminal, `--verbose` timings, or
//! nothing) is the binary's choice, so the library holds no terminal code.

use std::fmt;

/// The stages of a build, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Walking the site folders for content, data, layouts and static files.
    Scan,
    /// Reading and parsing settings, data, layouts and every content file.
    Read,
    /// Putting the pages together: authors, URLs, layouts, series.
    Assemble,
    /// Markdown and layouts, page by page.
    Render,
    /// What versus makes itself: listings, feeds, comparison pages and exports.
    Generate,
    /// `static/` into the output.
    Copy,
    /// The new output swapped in for the old one.
    Write,
    /// `versus check`'s passes over a site built into memory.
    Check,
}

impl Stage {
    /// The stage's name as the command line shows it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Scan => "scan",
            Stage::Read => "read",
            Stage::Assemble => "assemble",
            Stage::Render => "render",
            Stage::Generate => "generate",
            Stage::Copy => "copy",
            Stage::Write => "write",
            Stage::Check => "check",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one stage did, as counts with their names: `[("pages", 12), ("files", 3)]`.
pub type Counts<'a> = &'a [(&'a str, usize)];

/// Receives a build's progress. Items are announced from worker threads, so implementations
/// must be cheap and thread-safe; every method does nothing unless overridden.
pub trait Progress: Send + Sync + fmt::Debug {
    /// `stage` begins and will go through `items` things one [`advance`](Progress::advance)
    /// each (0: it is not counted item by item).
    fn begin(&self, _stage: Stage, _items: usize) {}
    /// `items` more things of the current stage are done.
    fn advance(&self, _items: usize) {}
    /// `stage` is done, having done `counts`. A stage that found errors does not end: the
    /// build stops there.
    fn end(&self, _stage: Stage, _counts: Counts) {}
    /// The build is about to wait for something outside it (`why`: another build holding
    /// the output's lock), which may take a while.
    fn waiting(&self, _why: &str) {}
}

/// Reports nothing: the default when no one is watching.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

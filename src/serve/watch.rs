//! Watching the site's folders: notify events become batches of changed source paths.
//!
//! Folders are watched, never single files (editors that save by write-and-rename replace the
//! file, which would end a watch on it). Events are debounced: a batch closes after a short
//! quiet spell, so a `git checkout` gives one rebuild and a single save costs a few ms.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::source::Kind;

/// The folders whose changes matter; the site root itself is watched for `site.yaml` and for
/// these folders appearing.
pub const WATCHED: [&str; 5] = ["content", "layouts", "data", "static", "includes"];

/// How long a batch waits for more events after the last one: the events of one save (a
/// write, or a write and a rename) come within microseconds, those of a checkout well within.
const QUIET: Duration = Duration::from_millis(3);
/// The longest a batch stays open while events keep coming.
const MAX_BATCH: Duration = Duration::from_millis(300);

pub struct Watcher {
    root: PathBuf,
    inner: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    watching: BTreeSet<&'static str>,
}

/// The source files a batch of events touched, relative to the root.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub paths: BTreeSet<PathBuf>,
    /// Events were lost or a folder appeared: rescan everything.
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }
}

impl Watcher {
    pub fn new(root: &Path) -> Result<Watcher, String> {
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let (tx, events) = channel();
        let inner = notify::recommended_watcher(tx).map_err(|e| {
            format!(
                "cannot watch files: {e} (on Linux, raise the inotify limit: sudo sysctl fs.inotify.max_user_instances=512)"
            )
        })?;
        let mut watcher = Watcher {
            root,
            inner,
            events,
            watching: BTreeSet::new(),
        };
        watcher
            .inner
            .watch(&watcher.root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", watcher.root.display()))?;
        watcher.watch_folders();
        Ok(watcher)
    }

    /// Starts watching source folders that exist now (they may appear after start).
    fn watch_folders(&mut self) {
        for folder in WATCHED {
            let path = self.root.join(folder);
            if !self.watching.contains(folder)
                && path.is_dir()
                && self.inner.watch(&path, RecursiveMode::Recursive).is_ok()
            {
                self.watching.insert(folder);
            }
        }
    }

    /// Blocks until something relevant changed, then returns the debounced batch. None when
    /// the watcher is gone.
    pub fn next_changes(&mut self) -> Option<Changes> {
        loop {
            let first = self.events.recv().ok()?;
            let mut changes = Changes::default();
            self.add(first, &mut changes);
            let opened = Instant::now();
            loop {
                let left = MAX_BATCH.saturating_sub(opened.elapsed());
                match self.events.recv_timeout(QUIET.min(left)) {
                    Ok(event) if !left.is_zero() => self.add(event, &mut changes),
                    Ok(event) => {
                        self.add(event, &mut changes);
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            if changes.rescan {
                self.watch_folders();
            }
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }

    fn add(&self, event: notify::Result<notify::Event>, changes: &mut Changes) {
        let event = match event {
            Ok(event) => event,
            Err(_) => {
                changes.rescan = true;
                return;
            }
        };
        if event.need_rescan() {
            changes.rescan = true;
        }
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            let Ok(relative) = path.strip_prefix(&self.root) else {
                continue;
            };
            if let Some(change) = relevant(relative, path.is_dir()) {
                match change {
                    Relevant::File => {
                        changes.paths.insert(relative.to_path_buf());
                    }
                    Relevant::Folder => changes.rescan = true,
                }
            }
        }
    }
}

enum Relevant {
    File,
    Folder,
}

/// Whether a changed path matters: a source file, or a folder inside (or being) a watched
/// folder, whose files may have come or gone without events of their own.
fn relevant(relative: &Path, is_dir: bool) -> Option<Relevant> {
    let top = relative.iter().next()?.to_string_lossy();
    if !WATCHED.contains(&top.as_ref()) && top != crate::config::FILE_NAME {
        return None;
    }
    match Kind::of(relative) {
        Kind::Ignored if is_dir || relative.extension().is_none() => {
            let hidden = relative
                .iter()
                .any(|p| p.to_string_lossy().starts_with('.'));
            (!hidden).then_some(Relevant::Folder)
        }
        // A file beside the pages (not one itself) may be read by `include_relative`.
        Kind::Ignored if top == "content" && !is_hidden_or_temp(relative) => Some(Relevant::File),
        Kind::Ignored => None,
        _ => Some(Relevant::File),
    }
}

/// Whether any part of `relative` is a dotfile or an editor's temp file.
fn is_hidden_or_temp(relative: &Path) -> bool {
    relative
        .iter()
        .any(|part| crate::source::is_hidden_or_temp(&part.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_paths() {
        let file = |p: &str| matches!(relevant(Path::new(p), false), Some(Relevant::File));
        assert!(file("content/posts/2023-08-11-a.md"));
        assert!(file("site.yaml"));
        assert!(file("static/style.css"));
        assert!(!file("content/posts/.a.md.swp"));
        assert!(!file("content/posts/a.md~"));
        assert!(file("content/posts/aside.txt"), "include_relative reads it");
        assert!(!file("content/posts/.aside.txt.swp"));
        assert!(relevant(Path::new("public/index.html"), false).is_none());
        assert!(relevant(Path::new("target/debug/x"), false).is_none());
        assert!(matches!(
            relevant(Path::new("content/drafts"), true),
            Some(Relevant::Folder)
        ));
        assert!(matches!(
            relevant(Path::new("static"), true),
            Some(Relevant::Folder)
        ));
    }
}

//! Variants kept on disk between builds, like highlighted code (see `highlight::cache`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Encoded variants kept on disk between builds under `<key>-<width>w.<ext>`, where the key
/// is a hash of the source image's bytes, the encoder's version and the settings that change
/// the bytes (see `variants::key`); `<key>.ok` marks an image decoded without error, so a
/// warm build neither decodes nor encodes it. Files are written atomically (temp file, then
/// rename), so concurrent builds never read half a file.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    /// The keys this build read or wrote, so [`DiskCache::prune`] can drop the others.
    used: Arc<Mutex<HashSet<String>>>,
}

impl DiskCache {
    pub fn new(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache {
            dir: dir.into(),
            used: Arc::default(),
        }
    }

    /// Where the file `name` (`800w.webp`, `ok`) of the image under `key` is kept.
    pub(super) fn path(&self, key: &str, name: &str) -> PathBuf {
        let separator = if name == "ok" { '.' } else { '-' };
        self.dir
            .join(&key[..2])
            .join(format!("{}{separator}{name}", &key[2..]))
    }

    /// Notes that this build uses the entries of `key`.
    pub(super) fn use_key(&self, key: &str) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.insert(key.to_owned());
    }

    /// Writes `bytes` at `path` atomically; a cache that cannot be written only costs speed,
    /// and the caller then keeps the bytes itself (false).
    pub(super) fn store(&self, path: &Path, bytes: &[u8]) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        // Unique per process and thread: two builds may write the same entry at once.
        let thread = format!("{:?}", std::thread::current().id());
        let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temp = parent.join(format!("{name}.tmp-{}-{thread}", std::process::id()));
        let written = std::fs::create_dir_all(parent)
            .and_then(|()| std::fs::write(&temp, bytes))
            .and_then(|()| std::fs::rename(&temp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written.is_ok()
    }

    /// After a build that rendered every page: removes the entries of images it did not use
    /// (since edited or deleted, other settings, an older encoder), so the cache stays the
    /// size of the site. Only files named as entries (`ab/` + 62 hex digits + `-…` or `.ok`)
    /// are touched, and a temporary file only when a day old (a killed build's). Returns the
    /// files removed.
    pub fn prune(&self) -> usize {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        crate::highlight::prune_entries(&self.dir, &used, |name| {
            let stem = name
                .get(..62)
                .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))?;
            matches!(name.as_bytes().get(62), Some(b'-' | b'.'))
                .then_some((stem, name.contains(".tmp-")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_used_entries_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let used = "a".repeat(64);
        let unused = "b".repeat(64);
        for key in [&used, &unused] {
            assert!(cache.store(&cache.path(key, "800w.png"), b"x"));
            assert!(cache.store(&cache.path(key, "ok"), b""));
        }
        let foreign = dir.path().join("aa").join("notes.txt");
        std::fs::write(&foreign, "mine").unwrap();
        cache.use_key(&used);
        assert_eq!(cache.prune(), 2);
        assert!(cache.path(&used, "800w.png").is_file());
        assert!(cache.path(&used, "ok").is_file());
        assert!(!cache.path(&unused, "800w.png").exists());
        assert!(!dir.path().join("bb").exists(), "an emptied shard goes");
        assert!(foreign.is_file());
    }
}

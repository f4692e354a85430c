//! Highlighted blocks kept on disk between builds.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{Classes, NotHighlighted, check_size, find_syntax, highlight_checked};

/// Highlighted code kept on disk between builds, one small file per block, named by a hash of
/// the versus version, the class style and its markup version, the themes (for versus's
/// classes), the language and the code. Highlighting is most of a build's work;
/// with the cache, a rebuild highlights only the blocks that changed. Files are written
/// atomically (temp file, then rename), so concurrent builds never read half an entry.
/// Only highlighted code is kept: a block over the size budget is refused before the cache is
/// read, so its warning comes on every build, and one given up on time is tried again.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: std::path::PathBuf,
    /// Blocks read from the cache and blocks highlighted afresh, for `--verbose`; shared by
    /// the clones the render threads use.
    counts: Arc<[AtomicUsize; 2]>,
    /// The entries this build read or wrote, so [`DiskCache::prune`] can drop the others.
    used: Arc<Mutex<HashSet<String>>>,
}

impl DiskCache {
    pub fn new(dir: impl Into<std::path::PathBuf>) -> DiskCache {
        DiskCache {
            dir: dir.into(),
            counts: Arc::default(),
            used: Arc::default(),
        }
    }

    /// (blocks read from the cache, blocks highlighted and stored) since this cache was made.
    pub fn counts(&self) -> (usize, usize) {
        let [hits, misses] = &*self.counts;
        (hits.load(Ordering::Relaxed), misses.load(Ordering::Relaxed))
    }

    /// [`highlight`](super::highlight), from the cache when this block was highlighted before.
    pub fn highlight(&self, lang: &str, code: &str) -> Result<String, NotHighlighted> {
        self.highlight_with(
            lang,
            code,
            Classes::Versus(super::Palette::default_themes()),
        )
    }

    /// [`highlight_with`](super::highlight_with), from the cache when this block was
    /// highlighted in this class style before.
    pub fn highlight_with(
        &self,
        lang: &str,
        code: &str,
        classes: Classes<'_>,
    ) -> Result<String, NotHighlighted> {
        check_size(lang, code)?;
        let mut hasher = blake3::Hasher::new();
        let mut parts = vec![env!("CARGO_PKG_VERSION")];
        parts.extend(classes.key_parts());
        parts.extend([lang, code]);
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        let path = self.dir.join(&key[..2]).join(&key[2..]);
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string());
        if let Ok(html) = std::fs::read_to_string(&path) {
            self.counts[0].fetch_add(1, Ordering::Relaxed);
            return Ok(html);
        }
        let syntax = find_syntax(lang).ok_or(NotHighlighted::UnknownLanguage)?;
        let html = highlight_checked(syntax, code, classes)?;
        self.counts[1].fetch_add(1, Ordering::Relaxed);
        // A cache that cannot be written only costs speed.
        if let Some(parent) = path.parent() {
            // Unique per process and thread: two pages with the same block are highlighted
            // at once, and one writer's rename must never publish another's half-written file.
            let thread = format!("{:?}", std::thread::current().id());
            let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
            let temp = path.with_extension(format!("tmp-{}-{thread}", std::process::id()));
            let written = std::fs::create_dir_all(parent)
                .and_then(|()| std::fs::write(&temp, &html))
                .and_then(|()| std::fs::rename(&temp, &path));
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
        }
        Ok(html)
    }
}

impl DiskCache {
    /// After a build that rendered every page: removes the entries it did not use (code since
    /// edited or deleted, an older versus's), so the cache stays the size of the site. Only
    /// files named as entries (`ab/cdef…`, 64 hex digits in all) are touched, and a temporary
    /// file only when a day old (a killed build's). Returns the entries removed.
    pub fn prune(&self) -> usize {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        prune_entries(&self.dir, &used, |name| {
            let (stem, temporary) = match name.split_once(".tmp-") {
                Some((stem, _)) => (stem, true),
                None => (name, false),
            };
            (stem.len() == 62 && is_hex(stem)).then_some((stem, temporary))
        })
    }
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The walk both on-disk caches prune with (shards `ab/`, each holding entries named after the
/// rest of a 64-hex-digit key): `entry` reads a file name as `(rest of the key, temporary)`,
/// or None for a file that is not an entry, which stays. A used entry stays; a temporary file
/// goes only when a day old (a killed build's). Returns the files removed.
pub fn prune_entries(
    dir: &Path,
    used: &HashSet<String>,
    entry: impl Fn(&str) -> Option<(&str, bool)>,
) -> usize {
    let Ok(shards) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for shard in shards.flatten() {
        let shard_name = shard.file_name().to_string_lossy().into_owned();
        if shard_name.len() != 2 || !is_hex(&shard_name) || !shard.path().is_dir() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(shard.path()) else {
            continue;
        };
        for file in entries.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let Some((stem, temporary)) = entry(&name) else {
                continue;
            };
            let stale = if temporary {
                older_than(&file.path(), Duration::from_secs(24 * 60 * 60))
            } else {
                !used.contains(&format!("{shard_name}{stem}"))
            };
            if stale && std::fs::remove_file(file.path()).is_ok() {
                removed += 1;
            }
        }
        // An emptied shard goes too; one still holding entries stays (remove_dir refuses).
        let _ = std::fs::remove_dir(shard.path());
    }
    removed
}

fn older_than(path: &Path, age: Duration) -> bool {
    let modified = std::fs::metadata(path).and_then(|m| m.modified());
    modified.is_ok_and(|m| SystemTime::now().duration_since(m).is_ok_and(|d| d > age))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::{Classes, highlight, highlight_with};

    #[test]
    fn disk_cache_keeps_class_styles_apart() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let code = "def f():\n    return 1\n";
        for _ in 0..2 {
            assert_eq!(cache.highlight("python", code), highlight("python", code));
            assert_eq!(
                cache.highlight_with("python", code, Classes::Rouge),
                highlight_with("python", code, Classes::Rouge)
            );
        }
        assert_ne!(
            cache.highlight("python", code),
            cache.highlight_with("python", code, Classes::Rouge)
        );
        let entries = walk_files(dir.path());
        assert_eq!(entries, 2, "one entry per class style");
        assert_eq!(
            cache.clone().counts(),
            (4, 2),
            "two highlighted, then read back (twice in the last assert)"
        );
    }

    /// A cache filled by a build before the Rouge class map changed (same crate version) must
    /// not serve its old markup: an upgraded binary's classes would otherwise never show.
    #[test]
    fn disk_cache_ignores_markup_from_before_the_class_map_changed() {
        let dir = tempfile::tempdir().unwrap();
        let code = "class A {}\n";
        // The key before the markup's revision was part of it: version, style, language, code.
        let mut hasher = blake3::Hasher::new();
        for part in [env!("CARGO_PKG_VERSION"), "rouge", "java", code] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        let stale = dir.path().join(&key[..2]).join(&key[2..]);
        std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
        std::fs::write(&stale, "<span class=\"kt\">class</span> A {}\n").unwrap();
        let cache = DiskCache::new(dir.path());
        assert_eq!(
            cache.highlight_with("java", code, Classes::Rouge),
            highlight_with("java", code, Classes::Rouge)
        );
    }

    #[test]
    fn disk_cache_refuses_over_budget_code_every_time_and_keeps_none() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let code = format!("echo {}\n", "a".repeat(crate::highlight::MAX_LINE_BYTES));
        for _ in 0..2 {
            assert_eq!(
                cache.highlight("no-such-language", &code),
                Err(NotHighlighted::UnknownLanguage)
            );
            assert!(matches!(
                cache.highlight("sh", &code),
                Err(NotHighlighted::OverBudget(
                    crate::highlight::OverBudget::LongLine { line: 1, .. }
                ))
            ));
        }
        assert!(!dir.path().exists() || walk_files(dir.path()) == 0);
        assert_eq!(cache.counts(), (0, 0), "refused blocks are neither");
    }

    #[test]
    fn prune_keeps_what_the_build_used_and_only_touches_entries() {
        let dir = tempfile::tempdir().unwrap();
        let first = DiskCache::new(dir.path());
        first.highlight("python", "a = 1\n").unwrap();
        first.highlight("python", "b = 2\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        std::fs::create_dir_all(dir.path().join("zz")).unwrap();
        std::fs::write(dir.path().join("zz/keep"), "mine").unwrap();
        assert_eq!(walk_files(dir.path()), 4);
        // The next build uses one of the two blocks.
        let next = DiskCache::new(dir.path());
        next.highlight("python", "a = 1\n").unwrap();
        assert_eq!(next.counts(), (1, 0));
        assert_eq!(next.prune(), 1);
        assert_eq!(
            walk_files(dir.path()),
            3,
            "the used entry and the two foreign files"
        );
        assert!(dir.path().join("notes.txt").exists() && dir.path().join("zz/keep").exists());
        let again = DiskCache::new(dir.path());
        again.highlight("python", "a = 1\n").unwrap();
        assert_eq!(again.counts(), (1, 0), "still cached");
    }

    fn walk_files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                if path.is_dir() { walk_files(&path) } else { 1 }
            })
            .sum()
    }
}

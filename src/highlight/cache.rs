//! Highlighted blocks kept on disk between builds.

use super::{Classes, NotHighlighted, check_size, find_syntax, highlight_checked};

/// Highlighted code kept on disk between builds, one small file per block, named by a hash of
/// the versus version, the class style, the language and the code. Highlighting is most of a build's work;
/// with the cache, a rebuild highlights only the blocks that changed. Files are written
/// atomically (temp file, then rename), so concurrent builds never read half an entry.
/// Only highlighted code is kept: a block over the size budget is refused before the cache is
/// read, so its warning comes on every build, and one given up on time is tried again.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: std::path::PathBuf,
}

impl DiskCache {
    pub fn new(dir: impl Into<std::path::PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// [`highlight`](super::highlight), from the cache when this block was highlighted before.
    pub fn highlight(&self, lang: &str, code: &str) -> Result<String, NotHighlighted> {
        self.highlight_with(lang, code, Classes::Versus)
    }

    /// [`highlight_with`](super::highlight_with), from the cache when this block was
    /// highlighted in this class style before.
    pub fn highlight_with(
        &self,
        lang: &str,
        code: &str,
        classes: Classes,
    ) -> Result<String, NotHighlighted> {
        check_size(lang, code)?;
        let mut hasher = blake3::Hasher::new();
        for part in [env!("CARGO_PKG_VERSION"), classes.name(), lang, code] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        let path = self.dir.join(&key[..2]).join(&key[2..]);
        if let Ok(html) = std::fs::read_to_string(&path) {
            return Ok(html);
        }
        let syntax = find_syntax(lang).ok_or(NotHighlighted::UnknownLanguage)?;
        let html = highlight_checked(syntax, code, classes)?;
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

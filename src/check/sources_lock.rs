//! `data/sources.lock`: what each cited documentation page said when it was last recorded, so
//! `versus check --external` can tell when a page changed after the claims that cite it were
//! verified. Committed with the site; JSON sorted by URL, so a refresh that finds nothing new
//! leaves it byte for byte as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

use super::fingerprint::Section;

/// Where the lock lives, relative to the site root.
pub const SOURCES_LOCK: &str = "data/sources.lock";

pub fn sources_lock_file(root: &Path) -> PathBuf {
    root.join(SOURCES_LOCK)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourcesLock {
    pub(super) version: u32,
    #[serde(default)]
    pub(super) sources: BTreeMap<String, Recorded>,
}

impl Default for SourcesLock {
    fn default() -> Self {
        SourcesLock {
            version: 1,
            sources: BTreeMap::new(),
        }
    }
}

/// One page as last recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Recorded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) title: Option<String>,
    /// Where the URL led, when it redirected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) final_url: Option<String>,
    /// The day this text was recorded.
    pub(super) recorded: Date,
    /// The day a refresh found this text in place of a different one (none for a first record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) changed: Option<Date>,
    /// What changed then, in a line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) change: Option<String>,
    pub(super) hash: String,
    pub(super) outline: Vec<Section>,
}

/// Reads the lock; a missing file is an empty lock, a malformed one an error at its line:col.
pub(super) fn read(root: &Path) -> Result<SourcesLock, Diagnostic> {
    let path = sources_lock_file(root);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SourcesLock::default()),
        Err(e) => return Err(Diagnostic::error(SOURCES_LOCK, format!("cannot read: {e}"))),
    };
    let lock: SourcesLock = serde_json::from_str(&text).map_err(|e| {
        let (line, col) = token_at(&text, e.line().max(1), e.column().max(1));
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        Diagnostic::error(SOURCES_LOCK, format!("malformed sources lock: {message}"))
            .at(&text, line, col)
            .with_help("refresh it with `versus check --external --update-sources`")
    })?;
    if lock.version != 1 {
        return Err(Diagnostic::error(
            SOURCES_LOCK,
            format!(
                "sources lock version {} is not known: expected 1",
                lock.version
            ),
        ));
    }
    Ok(lock)
}

/// serde_json may point at the space before the token it refused: move on to the token.
fn token_at(text: &str, line: usize, col: usize) -> (usize, usize) {
    let Some(row) = text.lines().nth(line - 1) else {
        return (line, col);
    };
    let skipped = row
        .chars()
        .skip(col - 1)
        .take_while(|c| c.is_whitespace())
        .count();
    (line, col + skipped)
}

/// The lock's text: pretty JSON with a final newline.
pub(super) fn to_text(lock: &SourcesLock) -> String {
    let mut text = serde_json::to_string_pretty(lock).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the lock atomically (a temporary file beside it, then a rename), and only when its
/// text differs, so an unchanged lock keeps its bytes and its modification time.
pub(super) fn write(root: &Path, lock: &SourcesLock) -> std::io::Result<bool> {
    let path = sources_lock_file(root);
    let text = to_text(lock);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = path.with_extension(format!("lock.tmp-{}", std::process::id()));
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_byte_identical_and_malformed_is_positioned() {
        let dir = tempfile::tempdir().unwrap();
        let mut lock = SourcesLock::default();
        lock.sources.insert(
            "https://docs.example.org/b".into(),
            Recorded {
                title: Some("B".into()),
                final_url: None,
                recorded: "2026-12-02".parse().unwrap(),
                changed: None,
                change: None,
                hash: "ab".into(),
                outline: vec![Section {
                    heading: "# B".into(),
                    paragraphs: "0a1b2c3d".into(),
                }],
            },
        );
        assert!(write(dir.path(), &lock).unwrap());
        let first = std::fs::read(sources_lock_file(dir.path())).unwrap();
        assert_eq!(read(dir.path()).unwrap(), lock);
        assert!(!write(dir.path(), &read(dir.path()).unwrap()).unwrap());
        assert_eq!(std::fs::read(sources_lock_file(dir.path())).unwrap(), first);

        std::fs::write(
            sources_lock_file(dir.path()),
            "{\"version\": 1,\n \"sources\": [}\n",
        )
        .unwrap();
        let d = read(dir.path()).unwrap_err();
        assert_eq!((d.line, d.col), (2, 13), "at the `[`: {d:?}");
    }
}

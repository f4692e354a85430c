//! Cards kept on disk between builds.

use std::path::PathBuf;

use super::{Card, CardError};

/// Bumped whenever [`super::draw`] draws differently, so no card of an older look is reused.
const STYLE: &str = "card-style-1";

/// The last 12 bytes of every PNG: the empty IEND chunk and its checksum.
const PNG_END: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82];
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Drawn cards, one file per card under a hash of the versus version, the card style and the
/// texts the card shows (not where it goes: two pages showing the same share one). A card is
/// ~1 ms to draw, but a site of 10,000 posts has 10,000 of them. Files are written atomically
/// (temp file, then rename), so concurrent builds never read half a card.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    pub fn new(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// Where the card showing what `card` shows is kept.
    fn path(&self, card: &Card) -> PathBuf {
        let mut hasher = blake3::Hasher::new();
        let parts = [env!("CARGO_PKG_VERSION"), STYLE];
        let shown = [&card.site_title, &card.title, &card.detail];
        for part in parts.into_iter().chain(shown.iter().map(|s| s.as_str())) {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        self.dir.join(&key[..2]).join(format!("{}.png", &key[2..]))
    }

    /// [`Card::png`], from the cache when a card showing the same was drawn before.
    pub fn png(&self, card: &Card) -> Result<Vec<u8>, CardError> {
        let path = self.path(card);
        // Anything but a whole PNG (a disk that lost part of it) is drawn again.
        if let Ok(bytes) = std::fs::read(&path)
            && bytes.starts_with(&PNG_SIGNATURE)
            && bytes.ends_with(&PNG_END)
        {
            return Ok(bytes);
        }
        let bytes = card.png()?;
        // A cache that cannot be written only costs speed.
        if let Some(parent) = path.parent() {
            // Unique per process and thread: two pages may show the same card and be drawn
            // at once; one writer's rename must never publish another's half-written file.
            let thread = format!("{:?}", std::thread::current().id());
            let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
            let temp = path.with_extension(format!("tmp-{}-{thread}", std::process::id()));
            let written = std::fs::create_dir_all(parent)
                .and_then(|()| std::fs::write(&temp, &bytes))
                .and_then(|()| std::fs::rename(&temp, &path));
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str, output: &str) -> Card {
        Card {
            output: PathBuf::from(output),
            site_title: "Site".into(),
            title: title.into(),
            detail: "March 2, 2025".into(),
        }
    }

    fn files(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            match path.is_dir() {
                true => found.extend(files(&path)),
                false => found.push(path),
            }
        }
        found
    }

    #[test]
    fn a_card_is_drawn_once_and_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let first = cache.png(&card("A", "a/card.png")).unwrap();
        assert_eq!(first, card("A", "a/card.png").png().unwrap());
        let kept = files(dir.path());
        assert_eq!(kept.len(), 1);
        // What is read back is the file: a marked copy of it proves it was not drawn again.
        let mut marked = first.clone();
        marked.splice(8..8, *b"\0\0\0\0tEXt\0\0\0\0");
        std::fs::write(&kept[0], &marked).unwrap();
        assert_eq!(cache.png(&card("A", "b/card.png")).unwrap(), marked);
        // Another title is another card.
        let other = cache.png(&card("B", "a/card.png")).unwrap();
        assert_ne!(other, first);
        assert_eq!(files(dir.path()).len(), 2);
    }

    #[test]
    fn a_damaged_entry_is_drawn_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let whole = cache.png(&card("A", "a/card.png")).unwrap();
        let kept = files(dir.path());
        std::fs::write(&kept[0], &whole[..whole.len() / 2]).unwrap();
        assert_eq!(cache.png(&card("A", "a/card.png")).unwrap(), whole);
        assert_eq!(std::fs::read(&kept[0]).unwrap(), whole);
    }
}

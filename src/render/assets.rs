//! `asset_url`: a static file's URL with a fingerprint of its bytes (`/style.css?v=1a2b3c4d5e`),
//! so a host may cache it for a year (see `static/_headers`) and a changed file is still fetched
//! at once. The preview server leaves the fingerprint out: its pages are reused across
//! rebuilds without reading the files.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use minijinja::{Environment, Error, ErrorKind};

use crate::config::Config;
use crate::theme;

/// The files `asset_url` can fingerprint: the site's `static/`, then the built-in theme's,
/// then the generated `highlight.css`.
pub struct Assets {
    root: PathBuf,
    /// The site's static files, relative to `static/`.
    own: HashSet<PathBuf>,
    highlight_css: Option<String>,
    /// Fingerprints found so far: each file is read once per build, however many pages.
    known: Mutex<HashMap<String, Option<String>>>,
}

impl Assets {
    pub fn new(root: &Path, statics: &[PathBuf], highlight_css: Option<&str>) -> Assets {
        Assets {
            root: root.to_owned(),
            own: statics
                .iter()
                .map(|f| f.strip_prefix("static").unwrap_or(f).to_owned())
                .collect(),
            highlight_css: highlight_css.map(str::to_owned),
            known: Mutex::default(),
        }
    }

    /// The first ten hex digits of the BLAKE3 hash of the file at site path `path`.
    fn fingerprint(&self, path: &str) -> Option<String> {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let hash = |bytes: &[u8]| blake3::hash(bytes).to_hex()[..10].to_owned();
        known
            .entry(path.to_owned())
            .or_insert_with(|| {
                let relative = path.trim_start_matches('/');
                if self.own.contains(Path::new(relative)) {
                    let bytes = std::fs::read(self.root.join("static").join(relative)).ok()?;
                    return Some(hash(&bytes));
                }
                if let Some((_, bytes)) = theme::statics().find(|(name, _)| *name == relative) {
                    return Some(hash(bytes));
                }
                let css = self
                    .highlight_css
                    .as_ref()
                    .filter(|_| relative == "highlight.css")?;
                Some(hash(css.as_bytes()))
            })
            .clone()
    }
}

/// `asset_url` with fingerprints (`Some`), or the plain URL of `relative_url` (`None`).
pub(super) fn add_asset_filter(
    env: &mut Environment<'static>,
    config: &Arc<Config>,
    assets: Option<Assets>,
) {
    let config = Arc::clone(config);
    env.add_filter("asset_url", move |path: &str| -> Result<String, Error> {
        let url = config.relative_url(path);
        let Some(assets) = &assets else {
            return Ok(url);
        };
        match assets.fingerprint(path) {
            Some(hash) => Ok(format!("{url}?v={hash}")),
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("asset_url: `{path}` is no file of static/, of the built-in theme, nor highlight.css"),
            )),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_file_comes_first_then_the_theme_then_highlight_css() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/app.js"), "one").unwrap();
        let assets = Assets::new(
            dir.path(),
            &[PathBuf::from("static/app.js")],
            Some("pre {}"),
        );
        let first = assets.fingerprint("/app.js").unwrap();
        assert_eq!(first, blake3::hash(b"one").to_hex()[..10]);
        let style = theme::statics().find(|(n, _)| *n == "style.css").unwrap().1;
        assert_eq!(
            assets.fingerprint("/style.css").unwrap(),
            blake3::hash(style).to_hex()[..10]
        );
        assert_eq!(
            assets.fingerprint("/highlight.css").unwrap(),
            blake3::hash(b"pre {}").to_hex()[..10]
        );
        assert_eq!(assets.fingerprint("/nope.css"), None);
    }
}

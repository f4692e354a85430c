//! A page's images read at build time: each file of `static/` a page shows is read once per
//! build (however many pages show it), measured for `width`/`height`, checked to decode, and,
//! when it is a PNG or JPEG wider than the content column, made into smaller variants for
//! `srcset` (and WebP beside PNG). Variants are kept in a disk cache by content and settings,
//! so a warm build encodes nothing it encoded before.

mod cache;
mod variants;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::ImageSettings;

pub use cache::DiskCache;

/// The folder of the output the variants are written to: `/_img/<hash>-<width>w.<ext>`.
pub const OUTPUT_DIR: &str = "_img";

/// The raster formats versus resizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Jpeg,
    WebP,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::WebP => "webp",
        }
    }

    /// The `type` of a `<source>` in this format.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::WebP => "image/webp",
        }
    }
}

/// One resized (or re-encoded) copy of an image.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// Where it goes, relative to the output folder (`_img/1a2b…-800w.webp`).
    pub output: PathBuf,
    /// Where its bytes are.
    pub data: VariantData,
}

/// A variant's bytes: a file of the disk cache, or (a build without a cache) in memory.
#[derive(Debug, Clone)]
pub enum VariantData {
    Cached(PathBuf),
    Encoded(Arc<Vec<u8>>),
}

/// An image of the site as pages show it.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The file, relative to the site root (`static/img/a.png`).
    pub file: PathBuf,
    /// Its size in pixels; None for an image versus does not measure (SVG).
    pub size: Option<(u32, u32)>,
    /// The format it is in, when versus resizes that format.
    pub format: Option<Format>,
    /// Smaller copies in its own format, then WebP copies (the widest at its own width),
    /// each ascending by width; empty for an image no wider than the content column.
    pub variants: Vec<Variant>,
}

impl Picture {
    /// The variants in `format`, narrowest first.
    pub fn variants_in(&self, format: Format) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The `srcset` of its variants in its own format, then of itself (`src`, as a page names
    /// it) at its own width; None without variants.
    pub fn srcset(&self, src: &str, base_path: &str) -> Option<String> {
        let format = self.format.filter(|_| !self.variants.is_empty())?;
        let mut candidates: Vec<String> = self
            .variants_in(format)
            .map(|v| v.candidate(base_path))
            .collect();
        if let Some((width, _)) = self.size {
            candidates.push(format!("{src} {width}w"));
        }
        Some(candidates.join(", "))
    }

    /// The `srcset` of its WebP variants, for a `<source type="image/webp">`; None without.
    pub fn webp_srcset(&self, base_path: &str) -> Option<String> {
        if self.format == Some(Format::WebP) {
            return None;
        }
        let candidates: Vec<String> = self
            .variants_in(Format::WebP)
            .map(|v| v.candidate(base_path))
            .collect();
        (!candidates.is_empty()).then(|| candidates.join(", "))
    }
}

impl Variant {
    /// Its URL under `base_path`.
    pub fn url(&self, base_path: &str) -> String {
        let output = self.output.to_string_lossy().replace('\\', "/");
        format!("{base_path}/{output}")
    }

    /// `<url> <width>w`, for a `srcset`.
    fn candidate(&self, base_path: &str) -> String {
        format!("{} {}w", self.url(base_path), self.width)
    }
}

/// Why an image a page shows cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageError {
    #[error("no file {} in the site", .0.display())]
    Missing(PathBuf),
    #[error("{} cannot be read: {why}", file.display())]
    Unreadable { file: PathBuf, why: String },
    #[error("{} is not an image that can be decoded: {why}", file.display())]
    Undecodable { file: PathBuf, why: String },
}

/// A picture made by the first to ask for it.
type Once = Arc<OnceLock<Result<Arc<Picture>, ImageError>>>;

/// The site's images for one build: each file read, checked and made into variants once,
/// whichever page (or layout) asks first; the others wait for that one and share the result.
pub struct Images {
    root: PathBuf,
    statics: HashSet<PathBuf>,
    settings: ImageSettings,
    cache: Option<DiskCache>,
    /// By file, and the width a layout asked for (`resize_image`) if it did.
    known: Mutex<HashMap<(PathBuf, Option<u32>), Once>>,
    /// Variants encoded afresh and variants reused from the cache.
    counts: [AtomicUsize; 2],
}

impl Images {
    pub fn new(
        root: &Path,
        statics: &[PathBuf],
        settings: &ImageSettings,
        cache: Option<DiskCache>,
    ) -> Images {
        Images {
            root: root.to_owned(),
            statics: statics.iter().cloned().collect(),
            settings: settings.clone(),
            cache,
            known: Mutex::default(),
            counts: Default::default(),
        }
    }

    pub fn settings(&self) -> &ImageSettings {
        &self.settings
    }

    pub fn cache(&self) -> Option<&DiskCache> {
        self.cache.as_ref()
    }

    /// (variants encoded, variants reused from the cache) so far.
    pub fn counts(&self) -> (usize, usize) {
        let [encoded, reused] = &self.counts;
        (
            encoded.load(Ordering::Relaxed),
            reused.load(Ordering::Relaxed),
        )
    }

    /// The image at `file` (relative to the root, under `static/`), with its variants at the
    /// configured widths.
    pub fn picture(&self, file: &Path) -> Result<Arc<Picture>, ImageError> {
        self.once(file, None)
    }

    /// The image at `file` resized to `width` (a layout's `resize_image`): its variants at
    /// that width, or none when it is no wider.
    pub fn resized(&self, file: &Path, width: u32) -> Result<Arc<Picture>, ImageError> {
        self.once(file, Some(width))
    }

    /// [`Images::picture`] (`width` None) or [`Images::resized`], made once per build.
    fn once(&self, file: &Path, width: Option<u32>) -> Result<Arc<Picture>, ImageError> {
        let cell = {
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(known.entry((file.to_owned(), width)).or_default())
        };
        // Made outside the lock; another page asking for the same waits for the first.
        cell.get_or_init(|| {
            let made = match width {
                None => self.make(file, &self.settings.widths, self.settings.column),
                Some(width) => self.make(file, &[width], 0),
            };
            made.map(Arc::new)
        })
        .clone()
    }

    /// Forgets what was made of `file`, which changed on disk: the next page to show it reads
    /// it again (the preview server keeps one `Images` while only static files change).
    pub fn forget(&self, file: &Path) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.retain(|(known_file, _), _| known_file != file);
    }

    /// What layouts asked for so far, to be written with the pages' images.
    pub fn requested(&self) -> Vec<Arc<Picture>> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known
            .iter()
            .filter(|((_, width), _)| width.is_some())
            .filter_map(|(_, cell)| cell.get()?.as_ref().ok().cloned())
            .collect()
    }

    /// Reads `file` and makes its variants at `widths` below its own width, when it is wider
    /// than `column` (0: whatever its width).
    fn make(&self, file: &Path, widths: &[u32], column: u32) -> Result<Picture, ImageError> {
        if !self.statics.contains(file) {
            return Err(ImageError::Missing(file.to_owned()));
        }
        let bytes = std::fs::read(self.root.join(file)).map_err(|err| ImageError::Unreadable {
            file: file.to_owned(),
            why: err.to_string(),
        })?;
        let made = variants::make(
            file,
            &bytes,
            widths,
            column,
            &self.settings,
            self.cache.as_ref(),
        )?;
        self.counts[0].fetch_add(made.encoded, Ordering::Relaxed);
        self.counts[1].fetch_add(made.reused, Ordering::Relaxed);
        Ok(made.picture)
    }
}

/// The file under `static/` that an image `src` written on the page at `page_url` names: a
/// site path (`/img/a.png`, with or without the site's `base_path`) or one relative to the
/// page (`a.png`, `../a.png`). None for another host, a `data:` URL or a path above the site.
pub fn static_file_of(src: &str, page_url: &str, base_path: &str) -> Option<PathBuf> {
    let src = src.split(['?', '#']).next().unwrap_or(src);
    if src.is_empty() || src.starts_with("//") || src.contains(':') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(src)
        .decode_utf8()
        .ok()?;
    let site_path = match decoded.strip_prefix('/') {
        Some(_) => match decoded.strip_prefix(base_path) {
            Some(rest) if !base_path.is_empty() && rest.starts_with('/') => rest.to_owned(),
            _ => decoded.into_owned(),
        },
        None => format!("{}{decoded}", &page_url[..=page_url.rfind('/')?]),
    };
    let mut file = PathBuf::from("static");
    let mut depth = 0usize;
    for part in site_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth = depth.checked_sub(1)?;
                file.pop();
            }
            part => {
                depth += 1;
                file.push(part);
            }
        }
    }
    (depth > 0).then_some(file)
}

/// The formats `file`'s name says versus decodes and checks; other files (SVG, GIF, AVIF)
/// are only measured from their header.
pub fn decoded_format(file: &Path) -> Option<Format> {
    let extension = file.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "png" => Some(Format::Png),
        "jpg" | "jpeg" => Some(Format::Jpeg),
        "webp" => Some(Format::WebP),
        _ => None,
    }
}

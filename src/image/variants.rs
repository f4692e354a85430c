//! One image decoded, resized and encoded into its variants, or found in the cache.
//!
//! Encoders are the `image` crate's, in pure Rust: JPEG at the configured quality, PNG at the
//! default compression, WebP lossless (the only WebP `image` encodes; lossy WebP needs the C
//! libwebp). A lossless WebP of a photograph is several times its JPEG, so WebP is made beside
//! PNG only, where it is the smaller file.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader};

use super::{DiskCache, Format, ImageError, OUTPUT_DIR, Picture, Variant, VariantData};
use crate::config::ImageSettings;

/// Bumped whenever the variants come out differently (filter, encoders, crate version), so
/// no variant of an older make is reused.
const ENCODING: &str = "image-0.25/catmull-rom/1";

/// A picture and what making it took.
pub(super) struct Made {
    pub(super) picture: Picture,
    /// Variants encoded afresh.
    pub(super) encoded: usize,
    /// Variants found in the cache.
    pub(super) reused: usize,
}

/// The variant plan: (width, height, format) of each, narrowest first per format.
fn plan(
    size: (u32, u32),
    format: Format,
    widths: &[u32],
    column: u32,
    webp: bool,
) -> Vec<(u32, u32, Format)> {
    let (width, height) = size;
    if width <= column || format == Format::WebP {
        return Vec::new();
    }
    let height_at = |w: u32| {
        let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width);
        (h as u32).max(1)
    };
    let below: Vec<u32> = widths.iter().copied().filter(|&w| w < width).collect();
    let mut plan: Vec<(u32, u32, Format)> =
        below.iter().map(|&w| (w, height_at(w), format)).collect();
    if webp && format == Format::Png {
        plan.extend(below.iter().map(|&w| (w, height_at(w), Format::WebP)));
        plan.push((width, height, Format::WebP));
    }
    plan
}

/// The cache key of an image: its bytes and what shapes its variants' bytes. The JPEG
/// quality shapes only a JPEG's (PNG and WebP variants are lossless), so another quality
/// leaves a PNG's variants, and their URLs, as they were.
fn key(bytes: &[u8], format: Format, settings: &ImageSettings) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [env!("CARGO_PKG_VERSION").as_bytes(), ENCODING.as_bytes()] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    if format == Format::Jpeg {
        hasher.update(&[settings.quality]);
    }
    hasher.update(bytes);
    hasher.finalize().to_hex().to_string()
}

/// `file`'s picture from its `bytes`: measured, decoded unless the cache says it decoded
/// before, and its variants at `widths` (when wider than `column`) encoded or reused.
pub(super) fn make(
    file: &Path,
    bytes: &[u8],
    widths: &[u32],
    column: u32,
    settings: &ImageSettings,
    cache: Option<&DiskCache>,
) -> Result<Made, ImageError> {
    let undecodable = |why: String| ImageError::Undecodable {
        file: file.to_owned(),
        why,
    };
    let Some(format) = super::decoded_format(file) else {
        // Measured from the header only (GIF, AVIF, …); SVG and others get no size.
        let size = imagesize::blob_size(bytes).ok().and_then(|s| {
            let width = u32::try_from(s.width).ok().filter(|&w| w > 0)?;
            let height = u32::try_from(s.height).ok().filter(|&h| h > 0)?;
            Some((width, height))
        });
        let picture = Picture {
            file: file.to_owned(),
            size,
            format: None,
            variants: Vec::new(),
        };
        return Ok(Made {
            picture,
            encoded: 0,
            reused: 0,
        });
    };
    let image_format = match format {
        Format::Png => ImageFormat::Png,
        Format::Jpeg => ImageFormat::Jpeg,
        Format::WebP => ImageFormat::WebP,
    };
    let size = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_dimensions()
        .map_err(|err| undecodable(err.to_string()))?;
    if size.0 == 0 || size.1 == 0 {
        return Err(undecodable("it has no pixels".into()));
    }
    let key = key(bytes, format, settings);
    let output = |w: u32, f: Format| {
        PathBuf::from(OUTPUT_DIR).join(format!("{}-{w}w.{}", &key[..20], f.extension()))
    };
    let planned = plan(size, format, widths, column, settings.webp);
    if let Some(cache) = cache {
        cache.use_key(&key);
        let cached = |w: u32, f: Format| cache.path(&key, &format!("{w}w.{}", f.extension()));
        let all_there = cache.path(&key, "ok").is_file()
            && planned.iter().all(|&(w, _, f)| cached(w, f).is_file());
        if all_there {
            let variants = planned
                .iter()
                .map(|&(width, height, format)| Variant {
                    width,
                    height,
                    format,
                    output: output(width, format),
                    data: VariantData::Cached(cached(width, format)),
                })
                .collect();
            let picture = Picture {
                file: file.to_owned(),
                size: Some(size),
                format: Some(format),
                variants,
            };
            return Ok(Made {
                picture,
                encoded: 0,
                reused: planned.len(),
            });
        }
    }
    let image = image::load_from_memory_with_format(bytes, image_format)
        .map_err(|err| undecodable(err.to_string()))?;
    let mut variants = Vec::with_capacity(planned.len());
    for &(width, height, target) in &planned {
        let resized = match width == size.0 {
            true => image.clone(),
            false => image.resize_exact(width, height, FilterType::CatmullRom),
        };
        let encoded = encode(&resized, target, settings.quality)
            .map_err(|err| undecodable(err.to_string()))?;
        let data = match cache {
            Some(cache) => {
                let path = cache.path(&key, &format!("{width}w.{}", target.extension()));
                match cache.store(&path, &encoded) {
                    true => VariantData::Cached(path),
                    false => VariantData::Encoded(Arc::new(encoded)),
                }
            }
            None => VariantData::Encoded(Arc::new(encoded)),
        };
        variants.push(Variant {
            width,
            height,
            format: target,
            output: output(width, target),
            data,
        });
    }
    if let Some(cache) = cache {
        cache.store(&cache.path(&key, "ok"), b"");
    }
    let encoded = variants.len();
    let picture = Picture {
        file: file.to_owned(),
        size: Some(size),
        format: Some(format),
        variants,
    };
    Ok(Made {
        picture,
        encoded,
        reused: 0,
    })
}

/// `image` encoded in `format`.
fn encode(image: &DynamicImage, format: Format, quality: u8) -> image::ImageResult<Vec<u8>> {
    let mut bytes = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality))?;
        }
        Format::Png => {
            let encoder = PngEncoder::new_with_quality(
                &mut bytes,
                CompressionType::Default,
                PngFilter::Adaptive,
            );
            image.write_with_encoder(encoder)?;
        }
        Format::WebP => {
            let pixels = match image.color().has_alpha() {
                true => DynamicImage::ImageRgba8(image.to_rgba8()),
                false => DynamicImage::ImageRgb8(image.to_rgb8()),
            };
            pixels.write_with_encoder(WebPEncoder::new_lossless(&mut bytes))?;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_planned_below_the_width_of_images_wider_than_the_column() {
        let widths = [480, 800, 1200, 1600];
        assert_eq!(
            plan((1000, 500), Format::Jpeg, &widths, 704, true),
            [(480, 240, Format::Jpeg), (800, 400, Format::Jpeg)]
        );
        assert_eq!(
            plan((1000, 500), Format::Png, &widths, 704, true),
            [
                (480, 240, Format::Png),
                (800, 400, Format::Png),
                (480, 240, Format::WebP),
                (800, 400, Format::WebP),
                (1000, 500, Format::WebP)
            ]
        );
        assert_eq!(plan((704, 300), Format::Png, &widths, 704, true), []);
        assert_eq!(plan((2000, 900), Format::WebP, &widths, 704, true), []);
        assert_eq!(
            plan((1000, 3), Format::Png, &[480], 704, false),
            [(480, 1, Format::Png)],
            "never less than a pixel high"
        );
    }
}

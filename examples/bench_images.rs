//! Draws the images of `bench/images.sh` into a folder: `COUNT` PNG diagrams of 1600 × 900
//! (flat shapes on a gradient, as a diagram compresses) and `COUNT` JPEG photographs of
//! 2000 × 1333 (smooth noise at quality 90, as a photograph compresses), each different.
//!
//! ```text
//! cargo run --example bench_images -- DIR COUNT
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: bench_images DIR COUNT");
        return ExitCode::from(2);
    };
    let (dir, Ok(count)) = (PathBuf::from(dir), count.parse::<u32>()) else {
        eprintln!("bench_images: COUNT must be a whole number");
        return ExitCode::from(2);
    };
    if let Err(err) = std::fs::create_dir_all(&dir) {
        eprintln!("bench_images: {}: {err}", dir.display());
        return ExitCode::from(2);
    }
    for k in 0..count {
        let diagram = image::RgbImage::from_fn(1600, 900, |x, y| {
            let boxed = (100 + k * 10..700 + k * 20).contains(&x) && (200..700).contains(&y);
            match boxed {
                true => image::Rgb([32, 64, 128]),
                false => image::Rgb([(x / 8) as u8, (k * 12) as u8, 200 - (y / 8) as u8]),
            }
        });
        // A cheap smooth noise: a few sines of the position, different per image.
        let photo = image::RgbImage::from_fn(2000, 1333, |x, y| {
            let (fx, fy, fk) = (x as f32, y as f32, k as f32 + 1.0);
            let wave = |a: f32, b: f32| ((fx * a + fy * b + fk).sin() * 0.5 + 0.5) * 255.0;
            image::Rgb([
                wave(0.013 * fk, 0.007) as u8,
                wave(0.005, 0.011 * fk) as u8,
                (wave(0.021, 0.017) * 0.5 + ((x * 7 + y * 13) % 23) as f32) as u8,
            ])
        });
        let saved = diagram
            .save(dir.join(format!("diagram-{k}.png")))
            .and_then(|()| {
                let file = std::fs::File::create(dir.join(format!("photo-{k}.jpg")))?;
                let mut out = std::io::BufWriter::new(file);
                photo.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                    &mut out, 90,
                ))
            });
        if let Err(err) = saved {
            eprintln!("bench_images: {}: {err}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

//! Issue #17: images of posts and pages, measured and resized at build time.

use std::path::Path;

use scraper::{Html, Selector};

use crate::harness::*;

/// The images of the `images` fixture, drawn here rather than committed: a 1600 × 900 PNG
/// diagram, a 1200 × 800 JPEG photograph (both wider than the 704px column) and a 64 × 64
/// PNG icon. Gradients, so a resize has something to average.
fn images_site() -> TestSite {
    let site = TestSite::bare("images");
    let dir = site.root().join("static/img");
    std::fs::create_dir_all(&dir).unwrap();
    let png = image::RgbaImage::from_fn(1600, 900, |x, y| {
        image::Rgba([(x / 7) as u8, (y / 4) as u8, 128, 255])
    });
    png.save(dir.join("wide.png")).unwrap();
    let jpeg = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x / 5) as u8, (y / 4) as u8, ((x + y) / 8) as u8])
    });
    jpeg.save(dir.join("photo.jpg")).unwrap();
    let icon = image::RgbImage::from_fn(64, 64, |x, _| image::Rgb([x as u8 * 4, 0, 0]));
    icon.save(dir.join("icon.png")).unwrap();
    site
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

/// Every (URL, claimed width) of a `srcset`.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|candidate| {
            let (url, width) = candidate.rsplit_once(' ').unwrap();
            let width = width.strip_suffix('w').unwrap().parse().unwrap();
            (url.to_owned(), width)
        })
        .collect()
}

/// The file under `public/` that `url` (under `base_path`) names, decoded.
fn decoded(public: &Path, base_path: &str, url: &str) -> image::DynamicImage {
    let path = url
        .strip_prefix(base_path)
        .unwrap_or_else(|| panic!("{url}"));
    let file = public.join(path.trim_start_matches('/'));
    image::open(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Checks every `srcset` candidate of the page's pictures decodes at the width it claims, and
/// returns the (img, its WebP srcset) of each.
fn check_pictures(site: &TestSite, page: &str, base_path: &str) -> Html {
    let public = site.root().join("public");
    let html = Html::parse_document(&site.read(page));
    for element in select(&html, "img[srcset], source[srcset]") {
        let srcset = element.attr("srcset").unwrap();
        let claimed = candidates(srcset);
        assert!(claimed.len() >= 2, "{srcset}");
        for (url, width) in claimed {
            let image = decoded(&public, base_path, &url);
            assert_eq!(image.width(), width, "{url} in {srcset}");
            let is_webp = url.ends_with(".webp");
            assert_eq!(
                is_webp,
                element.value().name() == "source",
                "WebP in the <source>, the original format in the <img>: {url}"
            );
        }
        assert_eq!(
            element.attr("sizes"),
            Some("(max-width: 704px) 100vw, 704px")
        );
    }
    html
}

#[test]
fn wide_png_and_jpeg_get_srcsets_of_files_that_decode_at_the_width_claimed() {
    let site = images_site();
    site.build_ok();
    let html = check_pictures(&site, "2024/01/01/photos/index.html", "");
    let images = select(&html, ".post-content img");
    let attrs = |i: usize, key: &str| images[i].attr(key).map(str::to_owned);
    // The diagram: a PNG, in a <picture> with WebP, its size from the file, not lazy (first).
    assert_eq!(attrs(0, "src").as_deref(), Some("/img/wide.png"));
    assert_eq!(
        (attrs(0, "width"), attrs(0, "height")),
        (Some("1600".into()), Some("900".into()))
    );
    assert_eq!(attrs(0, "loading"), None, "the first image may be the LCP");
    let diagram = candidates(&attrs(0, "srcset").unwrap());
    let widths: Vec<u32> = diagram.iter().map(|(_, w)| *w).collect();
    assert_eq!(widths, [480, 800, 1200, 1600]);
    assert_eq!(
        diagram[3].0, "/img/wide.png",
        "the original at its own width"
    );
    let sources = select(&html, ".post-content picture > source[type=\"image/webp\"]");
    assert_eq!(sources.len(), 1, "WebP beside the PNG only");
    let webp: Vec<u32> = candidates(sources[0].attr("srcset").unwrap())
        .iter()
        .map(|(_, w)| *w)
        .collect();
    assert_eq!(webp, [480, 800, 1200, 1600]);
    // The photograph: JPEG variants below its 1200px, lazy, the author's class and title kept.
    assert_eq!(attrs(1, "src").as_deref(), Some("/img/photo.jpg"));
    assert_eq!(
        (attrs(1, "width"), attrs(1, "height")),
        (Some("1200".into()), Some("800".into()))
    );
    let photo = candidates(&attrs(1, "srcset").unwrap());
    let widths: Vec<u32> = photo.iter().map(|(_, w)| *w).collect();
    assert_eq!(widths, [480, 800, 1200]);
    assert!(photo[0].0.starts_with("/_img/") && photo[0].0.ends_with("-480w.jpg"));
    let resized = decoded(&site.root().join("public"), "", &photo[0].0);
    assert_eq!(resized.height(), 320, "its proportions kept");
    assert_eq!(attrs(1, "class").as_deref(), Some("photo"));
    assert_eq!(attrs(1, "title").as_deref(), Some("Sunset"));
    assert_eq!(attrs(1, "loading").as_deref(), Some("lazy"));
    assert_eq!(attrs(1, "decoding").as_deref(), Some("async"));
    // The icon is narrower than the column: its size, no variants.
    assert_eq!(
        (attrs(2, "width"), attrs(2, "height")),
        (Some("64".into()), Some("64".into()))
    );
    assert_eq!(attrs(2, "srcset"), None);
    // Another host's image is left as written, but for loading lazily.
    assert_eq!(attrs(3, "width"), None);
    assert_eq!(attrs(3, "loading").as_deref(), Some("lazy"));

    // The second page shows the same photograph with the same variants, made once.
    let again = check_pictures(&site, "2024/01/02/again/index.html", "");
    let img = &select(&again, ".post-content img")[0];
    assert_eq!(candidates(img.attr("srcset").unwrap()), photo);
    assert_eq!(img.attr("loading"), None, "the first image of its page");
    let variants = std::fs::read_dir(site.root().join("public/_img"))
        .unwrap()
        .count();
    // 3 PNG + 4 WebP of the diagram, 2 JPEG of the photograph.
    assert_eq!(variants, 9);
}

#[test]
fn variants_live_under_a_subpath_base_url() {
    let site = images_site();
    let run = site.build(&["--base-url", "https://example.org/blog/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = check_pictures(&site, "2024/01/01/photos/index.html", "/blog");
    let img = &select(&html, ".post-content img")[0];
    assert_eq!(img.attr("src"), Some("/blog/img/wide.png"));
    assert!(
        img.attr("srcset").unwrap().starts_with("/blog/_img/"),
        "{:?}",
        img.attr("srcset")
    );
}

/// The cache's files, with when each was last written.
fn cache_files(site: &TestSite) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(site.root().join(".versus-cache/images"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_second_build_reuses_the_variants_and_a_changed_image_is_made_again() {
    let site = images_site();
    site.build_ok();
    let first = cache_files(&site);
    // 9 variants and a mark per decoded image (diagram, photograph, icon).
    assert_eq!(first.len(), 12, "{first:?}");
    let built = site.snapshot();
    let run = site.build(&["--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(cache_files(&site), first, "nothing written again");
    assert_eq!(site.snapshot(), built, "the same output");
    assert_has(&run.stderr, "image variants encoded 0,");
    assert_has(&run.stderr, "image variants from the cache 9");

    // Another photograph under the same name: its variants are made, the old ones pruned.
    let jpeg = image::RgbImage::from_fn(1000, 500, |x, _| image::Rgb([0, (x / 4) as u8, 0]));
    jpeg.save(site.root().join("static/img/photo.jpg")).unwrap();
    site.build_ok();
    let after = cache_files(&site);
    // The diagram's 7 and the icon's mark are kept; the photograph's 2 and mark are new.
    assert_eq!(after.len(), 7 + 1 + 1 + 2 + 1, "{after:?}");
    let kept = after.iter().filter(|f| first.contains(f)).count();
    assert_eq!(kept, 9);
}

#[test]
fn an_image_that_does_not_decode_fails_the_build_at_its_path() {
    let site = images_site();
    site.write("static/img/photo.jpg", "not a JPEG at all");
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "content/posts/2024-01-01-photos.md:9:1: error: image `/img/photo.jpg`: static/img/photo.jpg is not an image that can be decoded",
    );
    assert_has(
        &errors,
        "content/posts/2024-01-02-again.md:6:1: error: image `/img/photo.jpg`: static/img/photo.jpg",
    );
    // A file cut short after a valid header is found out too.
    let site = images_site();
    let whole = std::fs::read(site.root().join("static/img/wide.png")).unwrap();
    std::fs::write(site.root().join("static/img/wide.png"), &whole[..200]).unwrap();
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "content/posts/2024-01-01-photos.md:7:1: error: image `/img/wide.png`: static/img/wide.png is not an image that can be decoded",
    );
}

#[test]
fn a_missing_image_is_an_error_at_its_line_and_column() {
    let site = images_site();
    site.write(
        "content/posts/2024-01-03-missing.md",
        "---\ntitle: Missing\nimage: /img/header.png\n---\nText, then ![gone](/img/gone.png) inline.\n\nAnd <b>raw</b> ![beside](beside.png).\n",
    );
    let errors = errors_of(&site);
    let post = "content/posts/2024-01-03-missing.md";
    assert_has(
        &errors,
        &format!(
            "{post}:5:12: error: image `/img/gone.png`: no file static/img/gone.png in the site"
        ),
    );
    assert_has(
        &errors,
        &format!(
            "{post}:7:16: error: image `beside.png`: no file static/2024/01/03/missing/beside.png in the site"
        ),
    );
    assert_has(
        &errors,
        &format!("{post}:3:1: error: image `/img/header.png`: no file static/img/header.png"),
    );
}

#[test]
fn image_settings_are_checked_at_their_key() {
    let site = images_site();
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}images:\n  widths: [480, big]\n  quality: 120\n  lazzy: false\n"),
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "site.yaml:6:11: error: `images.widths` must be a list of widths in pixels",
    );
    assert_has(
        &errors,
        "site.yaml:7:12: error: `images.quality` must be a JPEG quality from 1 to 100",
    );
    assert_has(
        &errors,
        "site.yaml:8:3: error: unknown images setting `lazzy`",
    );
}

#[test]
fn settings_change_the_variants_and_the_loading() {
    let site = images_site();
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}images: {{widths: [600], column: 500, webp: false, lazy: false}}\n"),
    );
    site.build_ok();
    let html = Html::parse_document(&site.read("2024/01/01/photos/index.html"));
    let images = select(&html, ".post-content img");
    assert_eq!(
        images[0].attr("srcset"),
        images[0]
            .attr("srcset")
            .filter(|s| s.ends_with("-600w.png 600w, /img/wide.png 1600w"))
    );
    assert_eq!(
        images[0].attr("sizes"),
        Some("(max-width: 500px) 100vw, 500px")
    );
    assert!(select(&html, ".post-content source").is_empty(), "no WebP");
    assert!(images.iter().all(|img| img.attr("loading").is_none()));
}

#[test]
fn the_header_image_gets_its_size_and_variants() {
    let site = images_site();
    site.build_ok();
    let html = check_pictures(&site, "2024/01/01/photos/index.html", "");
    let header = &select(&html, ".post-image img")[0];
    assert_eq!(header.attr("width"), Some("1600"));
    assert_eq!(header.attr("height"), Some("900"));
    assert_eq!(header.attr("loading"), None, "above the fold");
    let srcset = candidates(header.attr("srcset").unwrap());
    assert_eq!(srcset.last().unwrap(), &("/img/wide.png".to_owned(), 1600));
    assert_eq!(select(&html, ".post-image picture > source").len(), 1);
}

/// A layout asks for a size itself, as with Zola's `resize_image` or Hugo's `.Resize`; what it
/// asks wrongly is an error at the layout's line.
#[test]
fn a_layout_resizes_an_image_itself() {
    let site = images_site();
    site.write(
        "layouts/page.html",
        "{% extends \"base.html\" %}{% block content %}\
         {% set thumb = resize_image(\"/img/photo.jpg\", width=300) %}\
         {% set big = resize_image(\"/img/icon.png\", width=500) %}\
         <img class=\"thumb\" src=\"{{ thumb.url }}\" width=\"{{ thumb.width }}\" height=\"{{ thumb.height }}\" alt=\"\">\
         <img class=\"big\" src=\"{{ big.url }}\" width=\"{{ big.width }}\" alt=\"\">\
         {{ page.content }}{% endblock %}\n",
    );
    site.write("content/about.md", "---\ntitle: About\n---\nAbout.\n");
    site.build_ok();
    let html = Html::parse_document(&site.read("about/index.html"));
    let thumb = &select(&html, "img.thumb")[0];
    assert_eq!(
        (thumb.attr("width"), thumb.attr("height")),
        (Some("300"), Some("200"))
    );
    let url = thumb.attr("src").unwrap();
    assert!(
        url.starts_with("/_img/") && url.ends_with("-300w.jpg"),
        "{url}"
    );
    let file = decoded(&site.root().join("public"), "", url);
    assert_eq!((file.width(), file.height()), (300, 200));
    // No wider than it is: the file itself.
    let big = &select(&html, "img.big")[0];
    assert_eq!(
        (big.attr("src"), big.attr("width")),
        (Some("/img/icon.png"), Some("64"))
    );

    site.write(
        "layouts/page.html",
        "{% extends \"base.html\" %}{% block content %}\n\
         {{ resize_image(\"/img/nope.png\", width=300).url }}{% endblock %}\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "layouts/page.html:2:4: error: invalid operation: resize_image: no file static/img/nope.png in the site",
    );
}

/// Raw HTML `<img>` in a post gets what a Markdown image gets; what the author wrote wins.
#[test]
fn raw_html_images_get_their_size_variants_and_lazy_loading() {
    let site = images_site();
    site.write(
        "content/posts/2024-01-03-raw.md",
        "---\ntitle: Raw\n---\nInline <img src=\"/img/photo.jpg\" alt=\"photo\"> first.\n\n\
         <div class=\"figure\">\n<img class=\"diagram\" src=\"/img/wide.png\" alt=\"diagram\">\n</div>\n\n\
         <p><img src=\"/img/icon.png\" alt=\"own\" width=\"32\" loading=\"eager\"></p>\n",
    );
    site.write(
        "content/posts/2024-01-04-art.md",
        "---\ntitle: Art\n---\n<picture><source srcset=\"/img/icon.png\" media=\"(min-width: 900px)\"><img src=\"/img/wide.png\" alt=\"art\"></picture>\n",
    );
    site.build_ok();
    let html = check_pictures(&site, "2024/01/03/raw/index.html", "");
    let images = select(&html, ".post-content img");
    assert_eq!(images.len(), 3);
    let photo = &images[0];
    assert_eq!(
        (photo.attr("width"), photo.attr("height")),
        (Some("1200"), Some("800"))
    );
    assert_eq!(photo.attr("loading"), None, "the first image of the page");
    let widths: Vec<u32> = candidates(photo.attr("srcset").unwrap())
        .iter()
        .map(|(_, w)| *w)
        .collect();
    assert_eq!(widths, [480, 800, 1200]);
    // The diagram in an HTML block: in a <picture> with WebP, lazy, its class kept.
    let diagram = &select(&html, ".figure picture > img.diagram")[0];
    assert_eq!(
        (diagram.attr("width"), diagram.attr("height")),
        (Some("1600"), Some("900"))
    );
    assert_eq!(diagram.attr("loading"), Some("lazy"));
    assert_eq!(diagram.attr("decoding"), Some("async"));
    assert_eq!(
        select(&html, ".figure picture > source[type=\"image/webp\"]").len(),
        1
    );
    // The author's width and loading win.
    let own = &images[2];
    assert_eq!((own.attr("width"), own.attr("height")), (Some("32"), None));
    assert_eq!(own.attr("loading"), Some("eager"));
    // In the author's own <picture>: sized, no second <picture> or <source> of ours.
    let html = Html::parse_document(&site.read("2024/01/04/art/index.html"));
    let art = &select(&html, ".post-content picture > img")[0];
    assert_eq!(art.attr("width"), Some("1600"));
    assert_eq!(art.attr("srcset"), None);
    assert_eq!(select(&html, ".post-content picture").len(), 1);
    assert_eq!(select(&html, ".post-content source").len(), 1);
}

#[test]
fn a_missing_raw_html_image_is_an_error_at_its_line_and_column() {
    let site = images_site();
    site.write(
        "content/posts/2024-01-03-raw.md",
        "---\ntitle: Raw\n---\nText <img src=\"/img/gone.png\"> inline.\n\n<div>\n  <img alt=\"x\" src=\"/img/lost.jpg\">\n</div>\n",
    );
    let errors = errors_of(&site);
    let post = "content/posts/2024-01-03-raw.md";
    assert_has(
        &errors,
        &format!(
            "{post}:4:6: error: image `/img/gone.png`: no file static/img/gone.png in the site"
        ),
    );
    assert_has(
        &errors,
        &format!(
            "{post}:7:3: error: image `/img/lost.jpg`: no file static/img/lost.jpg in the site"
        ),
    );
}

/// One fault, one error: an undecodable header image is reported at the front matter, not
/// again by the theme's `image_meta`, which a layout's own call of it still is.
#[test]
fn an_undecodable_header_image_is_reported_once_at_the_front_matter() {
    let site = images_site();
    site.write("static/img/wide.png", "not a PNG");
    let errors = errors_of(&site);
    let faults: Vec<&str> = errors
        .lines()
        .filter(|line| line.contains("static/img/wide.png is not an image"))
        .collect();
    assert_eq!(
        faults.len(),
        2,
        "the header and the body's diagram, once each:\n{errors}"
    );
    assert_has(
        &errors,
        "content/posts/2024-01-01-photos.md:3:1: error: image `/img/wide.png`: static/img/wide.png is not an image that can be decoded",
    );
    assert_has(
        &errors,
        "content/posts/2024-01-01-photos.md:7:1: error: image `/img/wide.png`",
    );

    // A layout asking for another image than the page's own still gets the error.
    site.write("layouts/page.html", "{% extends \"base.html\" %}{% block content %}\n{{ image_meta(\"/img/wide.png\").url }}{% endblock %}\n");
    site.write("content/about.md", "---\ntitle: About\n---\nAbout.\n");
    assert_has(
        &errors_of(&site),
        "layouts/page.html:2:4: error: invalid operation: image_meta: static/img/wide.png is not an image that can be decoded",
    );
}

/// The cache is keyed by settings as well as content: another JPEG quality makes the JPEG
/// variants again and keeps the PNG and WebP ones.
#[test]
fn another_quality_makes_the_jpeg_variants_again_and_only_them() {
    let site = images_site();
    site.build_ok();
    let first = cache_files(&site);
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}images: {{quality: 60}}\n"));
    let run = site.build(&["--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_has(&run.stderr, "image variants encoded 2,");
    assert_has(&run.stderr, "image variants from the cache 7");
    let after = cache_files(&site);
    let kept = after.iter().filter(|f| first.contains(f)).count();
    let jpegs = |files: &[(std::path::PathBuf, std::time::SystemTime)]| {
        files
            .iter()
            .filter(|(path, _)| path.extension().is_some_and(|e| e == "jpg"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(jpegs(&after).len(), 2);
    assert!(
        jpegs(&after).iter().all(|f| !first.contains(f)),
        "{after:?}"
    );
    assert!(kept >= 7, "the PNG and WebP variants kept: {after:?}");
}

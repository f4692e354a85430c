//! Images as the site knows them: `width` and `height` so a page does not shift as it loads,
//! `srcset` and `sizes` (and a WebP `<source>` in a `<picture>`) so a phone does not fetch a
//! desktop's pixels, and `loading="lazy"` below the first image.

use pulldown_cmark::{Event, Tag};

use super::attributes::push_attr;
use super::doc::Doc;
use super::{ImageLookup, Problem};

/// Gives each image what the site knows of it, after the author's own attributes, which win:
/// an image the author sized (either attribute) keeps just what they wrote, as the browser
/// keeps its proportions; an author's `srcset`, `sizes`, `loading` or `decoding` stays as
/// written. An image the site cannot use is a problem at the image.
pub(super) fn size_images(
    doc: &mut Doc,
    lookup: ImageLookup,
    lazy: bool,
    problems: &mut Vec<Problem>,
) {
    let mut seen = 0;
    let mut sources = Vec::new();
    let mut open_pictures = 0;
    let mut i = 0;
    while i < doc.items.len() {
        match &doc.items[i].event {
            Event::Start(Tag::HtmlBlock) => {
                let end = doc.partner[i];
                let html = doc.html_block_text(i);
                let found = super::raw_html::raw_images(&html, open_pictures);
                open_pictures = found.1;
                let starts: Vec<(usize, usize)> = doc.items[i + 1..end]
                    .iter()
                    .filter_map(|item| match &item.event {
                        Event::Html(h) => Some((h.len(), item.range.start)),
                        _ => None,
                    })
                    .collect();
                // An offset in the block's text → its offset in the body.
                let in_body = |offset: usize| {
                    let mut before = 0;
                    for &(len, start) in &starts {
                        if offset < before + len {
                            return start + offset - before;
                        }
                        before += len;
                    }
                    doc.items[i].range.start
                };
                let sized =
                    size_raw_images(&html, found.0, &in_body, lookup, lazy, &mut seen, problems);
                if let Some(sized) = sized {
                    doc.replace_html_block(i, sized);
                }
                i = end + 1;
                continue;
            }
            Event::InlineHtml(h) => {
                let found = super::raw_html::raw_images(h, open_pictures);
                open_pictures = found.1;
                let start = doc.items[i].range.start;
                let sized = size_raw_images(
                    h,
                    found.0,
                    &|offset| start + offset,
                    lookup,
                    lazy,
                    &mut seen,
                    problems,
                );
                if let Some(sized) = sized {
                    doc.items[i].event = Event::InlineHtml(sized.into());
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        let item = &mut doc.items[i];
        i += 1;
        let Event::Start(Tag::Image { dest_url, .. }) = &item.event else {
            continue;
        };
        let first = seen == 0;
        seen += 1;
        let info = match lookup(dest_url) {
            None => None,
            Some(Ok(info)) => Some(info),
            Some(Err(message)) => {
                problems.push(Problem {
                    offset: item.range.start,
                    message,
                });
                None
            }
        };
        let attrs = item.attrs.get_or_insert_with(Box::default);
        let written = |attrs: &super::attributes::Attrs, key: &str| {
            attrs
                .pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        if let Some(info) = info {
            let authors_width = written(attrs, "width");
            let sized = authors_width.is_some() || written(attrs, "height").is_some();
            if let (false, Some((width, height))) = (sized, info.size) {
                attrs.pairs.push(("width".into(), width.to_string()));
                attrs.pairs.push(("height".into(), height.to_string()));
            }
            if let (None, Some(srcset)) = (written(attrs, "srcset"), &info.srcset) {
                // Shown at most as wide as the column, or as the author sized it.
                let shown = authors_width
                    .and_then(|w| w.trim_end_matches("px").parse::<u32>().ok())
                    .map_or(info.column, |w| w.min(info.column));
                let sizes = written(attrs, "sizes")
                    .unwrap_or_else(|| format!("(max-width: {shown}px) 100vw, {shown}px"));
                attrs.pairs.push(("srcset".into(), srcset.clone()));
                if !attrs.pairs.iter().any(|(k, _)| k == "sizes") {
                    attrs.pairs.push(("sizes".into(), sizes.clone()));
                }
                if let Some(webp) = &info.webp_srcset {
                    let mut source = String::from("<source type=\"image/webp\"");
                    push_attr(&mut source, "srcset", webp);
                    push_attr(&mut source, "sizes", &sizes);
                    source.push_str(" />");
                    sources.push((i - 1, source));
                }
            }
        }
        if lazy && !first && written(attrs, "loading").is_none() {
            attrs.pairs.push(("loading".into(), "lazy".into()));
            if written(attrs, "decoding").is_none() {
                attrs.pairs.push(("decoding".into(), "async".into()));
            }
        }
        if attrs.pairs.is_empty() && attrs.classes.is_empty() && attrs.id.is_none() && !attrs.toc {
            item.attrs = None;
        }
    }
    doc.picture_sources.extend(sources);
}

/// `html` with its `<img>`s given what the site knows of them, as [`size_images`] gives a
/// Markdown image, the author's attributes winning; None if nothing changed. A wide image goes
/// in a `<picture>` with a WebP `<source>` unless it is already in the author's own, whose
/// sources are theirs (a second `<picture>` inside it would be invalid HTML).
fn size_raw_images(
    html: &str,
    images: Vec<super::raw_html::RawImage>,
    in_body: &dyn Fn(usize) -> usize,
    lookup: ImageLookup,
    lazy: bool,
    seen: &mut usize,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    // (offset, text) to insert, in order.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for image in images {
        let first = *seen == 0;
        *seen += 1;
        let written = |key: &str| {
            image
                .attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let info = match written("src").map(|src| lookup(src.trim())) {
            None | Some(None) => None,
            Some(Some(Ok(info))) => Some(info),
            Some(Some(Err(message))) => {
                problems.push(Problem {
                    offset: in_body(image.range.start),
                    message,
                });
                None
            }
        };
        let mut added = String::new();
        let mut picture = None;
        if let Some(info) = &info {
            let authors_width = written("width");
            if let (None, None, Some((width, height))) =
                (authors_width, written("height"), info.size)
            {
                push_attr(&mut added, "width", &width.to_string());
                push_attr(&mut added, "height", &height.to_string());
            }
            if let (None, false, Some(srcset)) = (written("srcset"), image.in_picture, &info.srcset)
            {
                let shown = authors_width
                    .and_then(|w| w.trim().trim_end_matches("px").parse::<u32>().ok())
                    .map_or(info.column, |w| w.min(info.column));
                let sizes = written("sizes")
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("(max-width: {shown}px) 100vw, {shown}px"));
                push_attr(&mut added, "srcset", srcset);
                if written("sizes").is_none() {
                    push_attr(&mut added, "sizes", &sizes);
                }
                if let Some(webp) = &info.webp_srcset {
                    let mut source = String::from("<picture><source type=\"image/webp\"");
                    push_attr(&mut source, "srcset", webp);
                    push_attr(&mut source, "sizes", &sizes);
                    source.push_str(" />");
                    picture = Some(source);
                }
            }
        }
        if lazy && !first && written("loading").is_none() {
            push_attr(&mut added, "loading", "lazy");
            if written("decoding").is_none() {
                push_attr(&mut added, "decoding", "async");
            }
        }
        if let Some(source) = &picture {
            inserts.push((image.range.start, source.clone()));
        }
        if !added.is_empty() {
            inserts.push((image.insert_at, added));
        }
        if picture.is_some() {
            inserts.push((image.range.end, "</picture>".into()));
        }
    }
    if inserts.is_empty() {
        return None;
    }
    let mut out =
        String::with_capacity(html.len() + inserts.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut from = 0;
    for (at, text) in inserts {
        out.push_str(&html[from..at]);
        out.push_str(&text);
        from = at;
    }
    out.push_str(&html[from..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::{ImageInfo, Options, Rendered, render};

    fn render_with_images(body: &str) -> Rendered {
        let lookup = |src: &str| match src {
            "/img/cat.png" => Some(Ok(ImageInfo {
                size: Some((640, 480)),
                column: 704,
                ..ImageInfo::default()
            })),
            "/img/wide.png" => Some(Ok(ImageInfo {
                size: Some((1600, 900)),
                srcset: Some("/_img/a-800w.png 800w, /img/wide.png 1600w".into()),
                webp_srcset: Some("/_img/a-800w.webp 800w, /_img/a-1600w.webp 1600w".into()),
                column: 704,
            })),
            "/img/gone.png" => Some(Err("no file static/img/gone.png in the site".into())),
            _ => None,
        };
        render(
            body,
            &Options {
                images: Some(&lookup),
                lazy_images: true,
                ..Options::default()
            },
        )
    }

    /// Issue #14: images the site can measure get their width and height, so the page does
    /// not shift as it loads; the author's own size wins, an unknown image gets none.
    #[test]
    fn measured_images_get_width_and_height() {
        let html = |body: &str| render_with_images(body).html;
        assert_eq!(
            html("![A cat](/img/cat.png)\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" width=\"640\" height=\"480\" /></p>\n"
        );
        assert_eq!(
            html("![A cat](/img/cat.png){: .wide width=\"300\"}\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" class=\"wide\" width=\"300\" /></p>\n"
        );
        assert_eq!(
            html("![A dog](/img/dog.png)\n"),
            "<p><img src=\"/img/dog.png\" alt=\"A dog\" /></p>\n"
        );
    }

    /// Issue #17: a wide image gets `srcset` and `sizes` and a WebP `<source>`; images after
    /// the first load lazily; what the author wrote wins.
    #[test]
    fn wide_images_get_a_picture_and_later_images_load_lazily() {
        let html = render_with_images(
            "![First](/img/wide.png)\n\n![Second](/img/wide.png){: .x}\n\n![Remote](https://example.org/a.png)\n\n![Own](/img/wide.png){: loading=\"eager\" srcset=\"/mine.png 2x\" width=\"400\"}\n",
        )
        .html;
        let sizes = "(max-width: 704px) 100vw, 704px";
        let webp = format!(
            "<source type=\"image/webp\" srcset=\"/_img/a-800w.webp 800w, /_img/a-1600w.webp 1600w\" sizes=\"{sizes}\" />"
        );
        let srcset = "srcset=\"/_img/a-800w.png 800w, /img/wide.png 1600w\"";
        assert_eq!(
            html,
            format!(
                "<p><picture>{webp}<img src=\"/img/wide.png\" alt=\"First\" width=\"1600\" height=\"900\" {srcset} sizes=\"{sizes}\" /></picture></p>\n\
                 <p><picture>{webp}<img src=\"/img/wide.png\" alt=\"Second\" class=\"x\" width=\"1600\" height=\"900\" {srcset} sizes=\"{sizes}\" loading=\"lazy\" decoding=\"async\" /></picture></p>\n\
                 <p><img src=\"https://example.org/a.png\" alt=\"Remote\" loading=\"lazy\" decoding=\"async\" /></p>\n\
                 <p><img src=\"/img/wide.png\" alt=\"Own\" loading=\"eager\" srcset=\"/mine.png 2x\" width=\"400\" /></p>\n"
            )
        );
        // An image sized narrower than the column is chosen for that width.
        let html = render_with_images("![Small](/img/wide.png){: width=\"300\"}\n").html;
        assert!(
            html.contains("sizes=\"(max-width: 300px) 100vw, 300px\""),
            "{html}"
        );
    }

    #[test]
    fn an_image_the_site_lacks_is_a_problem_at_the_image() {
        let rendered = render_with_images("Text.\n\nSee ![gone](/img/gone.png).\n");
        assert_eq!(rendered.problems.len(), 1);
        assert_eq!(rendered.problems[0].offset, 11);
        assert_eq!(
            rendered.problems[0].message,
            "no file static/img/gone.png in the site"
        );
    }

    /// Issue #17: a raw `<img>` gets what a Markdown image gets, its own attributes winning and
    /// its text otherwise as written; inside the author's `<picture>` it gets no sources of ours.
    #[test]
    fn raw_html_images_are_sized_like_markdown_ones() {
        let rendered = render_with_images(
            "A <IMG SRC='/img/cat.png' alt=x/> then

<div>
<img src=\"/img/wide.png\" class=\"d\">\n</div>\n\n<picture><source srcset=\"/a.avif\"><img src=\"/img/wide.png\" loading=eager></picture> <img src=\"/img/gone.png\" />\n",
        );
        let sizes = "(max-width: 704px) 100vw, 704px";
        assert_eq!(
            rendered.html,
            format!(
                "<p>A <IMG SRC='/img/cat.png' alt=x/ width=\"640\" height=\"480\"> then</p>\n\
                 <div>\n<picture><source type=\"image/webp\" srcset=\"/_img/a-800w.webp 800w, /_img/a-1600w.webp 1600w\" sizes=\"{sizes}\" /><img src=\"/img/wide.png\" class=\"d\" width=\"1600\" height=\"900\" srcset=\"/_img/a-800w.png 800w, /img/wide.png 1600w\" sizes=\"{sizes}\" loading=\"lazy\" decoding=\"async\"></picture>\n</div>\n\
                 <p><picture><source srcset=\"/a.avif\"><img src=\"/img/wide.png\" loading=eager width=\"1600\" height=\"900\"></picture> <img src=\"/img/gone.png\" loading=\"lazy\" decoding=\"async\" /></p>\n"
            )
        );
        assert_eq!(rendered.problems.len(), 1);
        let gone = rendered.problems[0].offset;
        assert_eq!(
            &"A <IMG SRC='/img/cat.png' alt=x/> then\n\n<div>\n<img src=\"/img/wide.png\" class=\"d\">\n</div>\n\n<picture><source srcset=\"/a.avif\"><img src=\"/img/wide.png\" loading=eager></picture> <img src=\"/img/gone.png\" />\n"
                [gone..gone + 5],
            "<img "
        );
    }

    /// A raw `src` is read as the browser reads it: its character references decoded.
    #[test]
    fn a_raw_image_source_with_character_references_is_found() {
        let rendered = render_with_images("<img src=\"/img/c&#97;t.png\" alt=\"A &amp; B\">\n");
        assert!(
            rendered.problems.is_empty(),
            "{:?}",
            rendered.problems.len()
        );
        assert_eq!(
            rendered.html,
            "<p><img src=\"/img/c&#97;t.png\" alt=\"A &amp; B\" width=\"640\" height=\"480\"></p>\n"
        );
    }
}

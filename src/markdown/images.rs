//! Width and height on images the site can measure, so a page does not shift as it loads.

use pulldown_cmark::{Event, Tag};

use super::ImageSize;
use super::doc::Doc;

/// Gives each image the site can measure its `width` and `height`, after the author's own
/// attributes; an image the author sized (either attribute) keeps just what they wrote, as
/// the browser keeps its proportions.
pub(super) fn size_images(doc: &mut Doc, size: ImageSize) {
    for item in &mut doc.items {
        let Event::Start(Tag::Image { dest_url, .. }) = &item.event else {
            continue;
        };
        let sized = item.attrs.as_ref().is_some_and(|attrs| {
            attrs
                .pairs
                .iter()
                .any(|(key, _)| key == "width" || key == "height")
        });
        if sized {
            continue;
        }
        if let Some((width, height)) = size(dest_url) {
            let attrs = item.attrs.get_or_insert_with(Box::default);
            attrs.pairs.push(("width".into(), width.to_string()));
            attrs.pairs.push(("height".into(), height.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, render};

    /// Issue #14: images the site can measure get their width and height, so the page does
    /// not shift as they load; the author's own size wins, an unknown image gets none.
    #[test]
    fn measured_images_get_width_and_height() {
        let size = |src: &str| (src == "/img/cat.png").then_some((640, 480));
        let render_sized = |body: &str| {
            render(
                body,
                &Options {
                    image_size: Some(&size),
                    ..Options::default()
                },
            )
            .html
        };
        assert_eq!(
            render_sized("![A cat](/img/cat.png)\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" width=\"640\" height=\"480\" /></p>\n"
        );
        assert_eq!(
            render_sized("![A cat](/img/cat.png){: .wide width=\"300\"}\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" class=\"wide\" width=\"300\" /></p>\n"
        );
        assert_eq!(
            render_sized("![A dog](/img/dog.png)\n"),
            "<p><img src=\"/img/dog.png\" alt=\"A dog\" /></p>\n"
        );
    }
}

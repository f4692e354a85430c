//! Raw HTML written in Markdown: root-relative URLs in its attributes (`href`, `src`, each URL
//! of a `srcset`, ...) take the base path, as Markdown links do ([`under_base_path`]). Only the
//! attributes of tags are read; CSS is not parsed, so its `url(...)`s stay as written and are
//! listed by [`unrewritten_root_links`] for `versus check`.

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

use super::doc::Doc;
use super::links::{escape_href, under_base_path};

/// Attributes whose whole value is one URL: rewritten.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "poster",
    "action",
    "formaction",
    "cite",
    "data",
];

/// Elements whose text is not HTML (CSS, a script): their text is never read as tags.
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "textarea", "title", "xmp"];

/// One start tag: its name and attributes (lowercased names, value ranges without quotes), and
/// for a raw text element the range of its text.
struct StartTag {
    /// Byte range of the whole tag, `<` to `>` included.
    range: Range<usize>,
    name: String,
    attributes: Vec<(String, Range<usize>)>,
    text: Option<Range<usize>>,
}

/// The start tags of an HTML fragment, as a browser's tokenizer would find them; comments and
/// the text of `<script>` and `<style>` are skipped.
fn start_tags(html: &str) -> Vec<StartTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Bytes, not `str`: `i` steps over the bytes of multibyte characters.
        if bytes[i..].starts_with(b"<!--") {
            i = html[i + 4..]
                .find("-->")
                .map_or(bytes.len(), |e| i + 4 + e + 3);
            continue;
        }
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let tag_start = i;
        let name_start = i + 1;
        i = name_start;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i = (i + 1).min(bytes.len());
                break;
            }
            let attr_start = i;
            while i < bytes.len()
                && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>' | b'=')
            {
                i += 1;
            }
            let attr = html[attr_start..i].to_ascii_lowercase();
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                attributes.push((attr, i..i));
                continue;
            }
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            let value = match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = html[start..]
                        .find(quote as char)
                        .map_or(bytes.len(), |e| start + e);
                    i = (end + 1).min(bytes.len());
                    start..end
                }
                _ => {
                    let start = i;
                    while i < bytes.len()
                        && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'>')
                    {
                        i += 1;
                    }
                    start..i
                }
            };
            attributes.push((attr, value));
        }
        let range = tag_start..i;
        let text = RAW_TEXT_ELEMENTS.contains(&name.as_str()).then(|| {
            let start = i.min(bytes.len());
            let end = find_ignoring_case(&html[start..], &format!("</{name}"))
                .map_or(bytes.len(), |e| start + e);
            i = end;
            start..end
        });
        tags.push(StartTag {
            range,
            name,
            attributes,
            text,
        });
    }
    tags
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `html` with the root-relative URLs of its URL attributes under `base_path`; None if none.
fn rewrite(html: &str, base_path: &str) -> Option<String> {
    let mut prefix = String::new();
    escape_href(&mut prefix, base_path.trim_end_matches('/'));
    prefix_urls(html, &prefix, |url| {
        under_base_path(url, base_path).is_some()
    })
}

/// `html` with `prefix` (HTML-escaped) before each URL of its URL attributes and `srcset`s that
/// `wanted` picks; None if none.
fn prefix_urls(html: &str, prefix: &str, wanted: impl Fn(&str) -> bool) -> Option<String> {
    let mut inserts = Vec::new();
    for tag in start_tags(html) {
        for (name, value) in &tag.attributes {
            let written = &html[value.clone()];
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                // Browsers strip spaces around a URL: the prefix goes before its first
                // character.
                let url = written.trim_start();
                if wanted(url) {
                    inserts.push(value.start + written.len() - url.len());
                }
            } else if matches!(name.as_str(), "srcset" | "imagesrcset") {
                for (offset, url) in srcset_urls(written) {
                    if wanted(url) {
                        inserts.push(value.start + offset);
                    }
                }
            }
        }
    }
    if inserts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len() + inserts.len() * prefix.len());
    let mut from = 0;
    for at in inserts {
        out.push_str(&html[from..at]);
        out.push_str(prefix);
        from = at;
    }
    out.push_str(&html[from..]);
    Some(out)
}

/// `html` with each URL of its tags' URL attributes (and each URL of a `srcset`) replaced by
/// what `map` returns for it (None keeps it). For feeds, whose readers need absolute URLs.
pub fn map_urls(html: &str, map: &dyn Fn(&str) -> Option<String>) -> String {
    let mut replaced: Vec<(Range<usize>, String)> = Vec::new();
    for tag in start_tags(html) {
        for (name, value) in &tag.attributes {
            let written = &html[value.clone()];
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let url = written.trim();
                let start = value.start + written.len() - written.trim_start().len();
                if let Some(new) = map(url) {
                    replaced.push((start..start + url.len(), new));
                }
            } else if matches!(name.as_str(), "srcset" | "imagesrcset") {
                for (offset, url) in srcset_urls(written) {
                    if let Some(new) = map(url) {
                        let start = value.start + offset;
                        replaced.push((start..start + url.len(), new));
                    }
                }
            }
        }
    }
    let mut out = String::with_capacity(html.len() + replaced.len() * 32);
    let mut from = 0;
    for (range, new) in replaced {
        out.push_str(&html[from..range.start]);
        out.push_str(&new);
        from = range.end;
    }
    out.push_str(&html[from..]);
    out
}

/// An `<img>` tag of raw HTML, for [`super::images`].
pub(super) struct RawImage {
    /// Byte range of the tag, `<` to `>`.
    pub(super) range: Range<usize>,
    /// Where attributes can be added: before the `>` or `/>` that ends the tag.
    pub(super) insert_at: usize,
    /// Attributes as written: lowercased name, value without quotes.
    pub(super) attributes: Vec<(String, String)>,
    /// Inside an author's `<picture>`, whose sources are theirs.
    pub(super) in_picture: bool,
}

/// The `<img>` tags of `html`, given how many `<picture>`s are open before it (inline HTML
/// comes one tag at a time); returns them and how many are open after it.
pub(super) fn raw_images(html: &str, mut open_pictures: usize) -> (Vec<RawImage>, usize) {
    let lower = html.to_ascii_lowercase();
    let mut closes: Vec<usize> = lower.match_indices("</picture").map(|(at, _)| at).collect();
    closes.reverse();
    let mut images = Vec::new();
    for tag in start_tags(html) {
        while closes.last().is_some_and(|&at| at < tag.range.start) {
            closes.pop();
            open_pictures = open_pictures.saturating_sub(1);
        }
        match tag.name.as_str() {
            "picture" => open_pictures += 1,
            "img" => {
                let closed = html[..tag.range.end].ends_with('>');
                let mut insert_at = tag.range.end - usize::from(closed);
                // `alt=x/>`: the slash belongs to the unquoted value, not to a `/>`.
                let slash_in_value = tag
                    .attributes
                    .last()
                    .is_some_and(|(_, value)| !value.is_empty() && value.end == insert_at);
                if closed && !slash_in_value && html[..insert_at].ends_with('/') {
                    insert_at -= 1;
                }
                let insert_at = html[..insert_at].trim_end().len();
                images.push(RawImage {
                    range: tag.range.clone(),
                    insert_at,
                    attributes: tag
                        .attributes
                        .iter()
                        .map(|(name, value)| (name.clone(), decoded(&html[value.clone()])))
                        .collect(),
                    in_picture: open_pictures > 0,
                });
            }
            _ => {}
        }
    }
    open_pictures = open_pictures.saturating_sub(closes.len());
    (images, open_pictures)
}

/// An attribute value as the browser reads it: `&amp;`, `&#38;` and the named references decoded.
fn decoded(value: &str) -> String {
    html_escape::decode_html_entities(value).into_owned()
}

/// Rewrites the author's raw HTML, before embeds and code add HTML of their own. An HTML block
/// is read whole (a tag may span its lines); an inline tag is one event.
pub(super) fn rewrite_raw_html(doc: &mut Doc, base_path: &str) {
    let mut i = 0;
    while i < doc.items.len() {
        match &doc.items[i].event {
            Event::Start(Tag::HtmlBlock) => {
                let end = doc.partner[i];
                let html = doc.html_block_text(i);
                if let Some(rewritten) = rewrite(&html, base_path) {
                    doc.replace_html_block(i, rewritten);
                }
                i = end;
            }
            Event::InlineHtml(h) => {
                if let Some(rewritten) = rewrite(h, base_path) {
                    doc.items[i].event = Event::InlineHtml(rewritten.into());
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// A root-relative URL in raw HTML that the build leaves as written, so that under a base path
/// it points outside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrewritten {
    /// Byte offset of the URL in the HTML.
    pub offset: usize,
    pub url: String,
    /// Where it is written: "a `style` attribute", "a `<style>` element".
    pub place: &'static str,
}

/// The root-relative URLs of `html` (raw HTML from Markdown) that do not get the base path: CSS
/// `url(...)` in a `style` attribute or a `<style>` element. Rewriting CSS safely needs a CSS
/// parser (comments, strings, `@import`, escapes), and the rewrite reads only attributes.
pub fn unrewritten_root_links(html: &str, base_path: &str) -> Vec<Unrewritten> {
    let mut found = Vec::new();
    let mut push = |offset: usize, url: &str, place| {
        if under_base_path(url, base_path).is_some() {
            found.push(Unrewritten {
                offset,
                url: url.to_owned(),
                place,
            });
        }
    };
    for tag in start_tags(html) {
        for (name, value) in &tag.attributes {
            if name == "style" {
                for (offset, url) in css_urls(&html[value.clone()]) {
                    push(value.start + offset, url, "a `style` attribute");
                }
            }
        }
        if let (Some(text), "style") = (&tag.text, tag.name.as_str()) {
            for (offset, url) in css_urls(&html[text.clone()]) {
                push(text.start + offset, url, "a `<style>` element");
            }
        }
    }
    found
}

/// The URLs of a `srcset` value with their offsets, as the HTML standard splits it: a URL runs
/// to whitespace (commas inside it belong to it, trailing ones end it), descriptors to a comma.
fn srcset_urls(srcset: &str) -> Vec<(usize, &str)> {
    let bytes = srcset.as_bytes();
    let mut urls = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            return urls;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let url = srcset[start..i].trim_end_matches(',');
        urls.push((start, url));
        if url.len() == i - start {
            // Descriptors (`2x`, `300w`) up to the next comma outside parentheses.
            let mut depth = 0usize;
            while i < bytes.len() && !(bytes[i] == b',' && depth == 0) {
                match bytes[i] {
                    b'(' => depth += 1,
                    b')' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
            }
        }
    }
}

/// The URLs of `url(...)` in CSS text, with their offsets.
fn css_urls(css: &str) -> Vec<(usize, &str)> {
    let mut urls = Vec::new();
    let mut from = 0;
    while let Some(at) = find_ignoring_case(&css[from..], "url(").map(|a| from + a + 4) {
        let rest = &css[at..];
        let inner = rest.trim_start_matches([' ', '\t', '\n']);
        let quote = inner.chars().next().filter(|q| matches!(q, '"' | '\''));
        let start = at + (rest.len() - inner.len()) + usize::from(quote.is_some());
        let end = css[start..]
            .find(|c: char| {
                Some(c) == quote || (quote.is_none() && (c == ')' || c.is_whitespace()))
            })
            .map_or(css.len(), |e| start + e);
        urls.push((start, &css[start..end]));
        from = end;
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{Options, render};

    fn under_blog(body: &str) -> String {
        let options = Options {
            base_path: "/blog",
            ..Options::default()
        };
        render(body, &options).html
    }

    #[test]
    fn raw_html_attributes_take_the_base_path() {
        assert_eq!(
            under_blog(
                "<p><a href=\"/a/\">a</a> <img src='/i.png' alt=\"\"> <a href=/u/>u</a></p>\n"
            ),
            "<p><a href=\"/blog/a/\">a</a> <img src='/blog/i.png' alt=\"\"> <a href=/blog/u/>u</a></p>\n"
        );
        // A tag over several lines of a block; inline HTML in a paragraph.
        assert_eq!(
            under_blog("<div>\n<img\n  src=\"/i.png\">\n</div>\n\nSee <a HREF=\" /x\">x</a>.\n"),
            "<div>\n<img\n  src=\"/blog/i.png\">\n</div>\n<p>See <a HREF=\" /blog/x\">x</a>.</p>\n"
        );
    }

    /// Found by the Jekyll fixture: the scan stepped into a multibyte character and panicked.
    #[test]
    fn raw_html_with_multibyte_text_is_read() {
        assert_eq!(
            under_blog("<p>Café – <a href=\"/é/\">é</a><!-- ü --></p>\n"),
            "<p>Café – <a href=\"/blog/é/\">é</a></p>\n"
        );
        assert_eq!(
            unrewritten_root_links("<p>ü</p><div style=\"x: url(/ä.png)\">", "/blog")[0].url,
            "/ä.png"
        );
    }

    #[test]
    fn raw_html_left_alone() {
        let body = "<p><a href=\"//cdn.x/a\">c</a> <a href=\"/blog/a/\">b</a> <a href=\"a/\">r</a> <a href=\"https://x.org/\">x</a> <span title=\"/not/a/url\">t</span></p>\n\n<script>\nlet s = '<a href=\"/x\">';\n</script>\n";
        assert_eq!(under_blog(body), body.replace("\n\n<script>", "\n<script>"));
        // Text that only looks like a tag, and code, stay as written.
        let out = under_blog("`<a href=\"/x\">`\n\n```html\n<a href=\"/x\">\n```\n");
        assert!(!out.contains("/blog/"), "{out}");
        // Without a base path nothing changes.
        let out = render("<a href=\"/x\">x</a>\n", &Options::default()).html;
        assert_eq!(out, "<p><a href=\"/x\">x</a></p>\n");
    }

    #[test]
    fn map_urls_reaches_every_url_attribute_and_srcset_but_not_text_or_scripts() {
        let html = "<p><a href=\"a/\">a/</a> <img src = ' /i.png ' srcset=\"/s.png 1x, t.png 2x\"></p><script>'<a href=\"x\">'</script><code>&lt;a href=\"y\"&gt;</code>";
        let out = map_urls(html, &|url| Some(format!("[{url}]")));
        assert_eq!(
            out,
            "<p><a href=\"[a/]\">a/</a> <img src = ' [/i.png] ' srcset=\"[/s.png] 1x, [t.png] 2x\"></p><script>'<a href=\"x\">'</script><code>&lt;a href=\"y\"&gt;</code>"
        );
        assert_eq!(map_urls(html, &|_| None), html);
    }

    #[test]
    fn srcset_urls_split_as_browsers_do_and_take_the_base_path() {
        let urls: Vec<_> = srcset_urls(" /a.png 1x,/b,c.png 2x, //cdn/c.png (x, y) 3x,/d.png,")
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        assert_eq!(urls, ["/a.png", "/b,c.png", "//cdn/c.png", "/d.png"]);
        assert_eq!(
            under_blog("<img srcset=\"/a.png 1x, /b.png 2x, //cdn/c.png 3x\" src=\"/a.png\">\n"),
            "<p><img srcset=\"/blog/a.png 1x, /blog/b.png 2x, //cdn/c.png 3x\" src=\"/blog/a.png\"></p>\n"
        );
    }

    #[test]
    fn css_urls_are_listed_not_rewritten() {
        let html = "<div style=\"background: url('/bg.png')\"></div><div style=\"background: URL( /b.png )\"></div><style>p { background: url(/p.png) } q { background: url(//cdn/q.png) }</style>";
        let found = unrewritten_root_links(html, "/blog");
        let urls: Vec<(&str, &str)> = found.iter().map(|u| (u.url.as_str(), u.place)).collect();
        assert_eq!(
            urls,
            [
                ("/bg.png", "a `style` attribute"),
                ("/b.png", "a `style` attribute"),
                ("/p.png", "a `<style>` element"),
            ]
        );
        for u in &found {
            assert!(html[u.offset..].starts_with(&u.url), "{u:?}");
        }
        assert!(unrewritten_root_links(html, "").is_empty());
        // What is listed is what the build leaves as written.
        let out = under_blog(html);
        assert!(
            out.contains("url('/bg.png')") && out.contains("url(/p.png)"),
            "{out}"
        );
    }
}

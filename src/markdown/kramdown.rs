//! kramdown's block habits that CommonMark reads otherwise, rewritten before parsing:
//! attribute list definitions, the end of an HTML block, and lines that start with span-level
//! HTML (a paragraph in kramdown, an HTML block in CommonMark).

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::Event;

use super::attributes::{Attrs, parse_ial};
use super::doc::Doc;

/// The body as pulldown-cmark is given it: kramdown's block habits that CommonMark reads
/// otherwise are rewritten first. Attribute list definitions (`{:name: .class}`) are read and
/// their lines blanked (same length, so offsets hold); an HTML block ends at its closing tag,
/// so a blank line goes after it when Markdown follows (CommonMark runs it to a blank line); a
/// line that starts with a span-level tag (`<img …>`, `<a …>`, `<br/>`) gets [`SPAN_LINE_MARK`]
/// before the tag, so that it is text to CommonMark as to kramdown, and the mark is taken out
/// of the parsed events again by [`KramdownSource::unmark`].
pub(super) struct KramdownSource {
    pub(super) text: String,
    /// Offsets in `text` of the bytes added (newlines and marks), ascending.
    pub(super) inserted: Vec<usize>,
    /// Offsets in `text` of the [`SPAN_LINE_MARK`]s added, ascending.
    marks: Vec<usize>,
    /// Ranges in `text` of `markdown="…"` attributes turned into spaces, cut from the HTML.
    blanked: Vec<Range<usize>>,
    pub(super) alds: HashMap<String, Attrs>,
    /// kramdown abbreviation definitions (`*[HTML]: Hyper Text Markup Language`), their lines
    /// blanked like those of ALDs: the word → its title (empty for `*[HTML]:`).
    pub(super) abbreviations: HashMap<String, String>,
}

/// Put before a span-level tag that starts a line: CommonMark starts an HTML block only at a
/// `<`, so the line becomes a paragraph, as in kramdown. A Unicode noncharacter, which is meant
/// for a program's internal use and so is not in a text.
pub(super) const SPAN_LINE_MARK: char = '\u{FDD0}';

/// kramdown's span-level HTML elements (`HTML_SPAN_ELEMENTS` of kramdown 2.4's
/// `parser/html.rb`): a line that starts with one of them is a paragraph, not an HTML block.
const HTML_SPAN_TAGS: &[&str] = &[
    "a", "abbr", "acronym", "b", "big", "bdo", "br", "button", "cite", "code", "del", "dfn", "em",
    "i", "img", "input", "ins", "kbd", "label", "mark", "option", "q", "rb", "rbc", "rp", "rt",
    "rtc", "ruby", "samp", "select", "small", "span", "strong", "sub", "sup", "tt", "u", "var",
];

/// Block-level HTML elements (CommonMark's HTML block type 6, as kramdown's block elements).
const HTML_BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "dialog",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "table",
    "ul",
    "video",
    "center",
];

impl KramdownSource {
    pub(super) fn new(body: &str) -> KramdownSource {
        let mut text = String::with_capacity(body.len() + 16);
        let mut inserted = Vec::new();
        let mut marks = Vec::new();
        let mut blanked = Vec::new();
        // The open elements whose content is Markdown (`<div markdown="1">`).
        let mut markdown_blocks: Vec<&str> = Vec::new();
        let mut alds: HashMap<String, Attrs> = HashMap::new();
        let mut abbreviations: HashMap<String, String> = HashMap::new();
        let mut fence: Option<(char, usize)> = None;
        // The open HTML block: its tag and how many of it are open.
        let mut html: Option<(&str, usize)> = None;
        let mut lines = body.split_inclusive('\n').peekable();
        while let Some(line) = lines.next() {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if let Some((mark, len)) = fence {
                text.push_str(line);
                let run = trimmed.len() - trimmed.trim_start_matches(mark).len();
                if indent < 4 && run >= len && trimmed[run..].trim().is_empty() {
                    fence = None;
                }
                continue;
            }
            let run_of = |c: char| trimmed.len() - trimmed.trim_start_matches(c).len();
            if indent < 4 && html.is_none() && (run_of('`') >= 3 || run_of('~') >= 3) {
                let mark = if run_of('`') >= 3 { '`' } else { '~' };
                fence = Some((mark, run_of(mark)));
                text.push_str(line);
                continue;
            }
            if indent < 4
                && html.is_none()
                && let Some((name, attrs)) = parse_ald(trimmed.trim_end(), &alds)
            {
                alds.insert(name, attrs);
                text.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
                continue;
            }
            // Not in a paragraph: kramdown reads such a line there as the paragraph's text.
            if indent < 4
                && html.is_none()
                && at_block_start(&text)
                && let Some((word, title)) = parse_abbreviation(trimmed)
            {
                abbreviations.insert(word, title);
                text.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
                continue;
            }
            if html.is_none() {
                let underlined = lines.peek().is_some_and(|next| is_setext_underline(next));
                let at_start = span_tag_start(line);
                let at_end = (trimmed.starts_with('#') || underlined)
                    .then(|| trailing_ial_end(line))
                    .flatten();
                if at_start.is_some() || at_end.is_some() {
                    let mut from = 0;
                    for at in at_start.into_iter().chain(at_end) {
                        text.push_str(&line[from..at]);
                        marks.push(text.len());
                        inserted.extend(text.len()..text.len() + SPAN_LINE_MARK.len_utf8());
                        text.push(SPAN_LINE_MARK);
                        from = at;
                    }
                    text.push_str(&line[from..]);
                    continue;
                }
            }
            if html.is_none()
                && indent < 4
                && let Some(&tag) = markdown_blocks.last()
                && trimmed
                    .trim_end()
                    .eq_ignore_ascii_case(&format!("</{tag}>"))
            {
                // The end of a `markdown="1"` element: its own HTML block.
                if !text.ends_with("\n\n") && !text.is_empty() {
                    inserted.push(text.len());
                    text.push('\n');
                }
                text.push_str(line);
                markdown_blocks.pop();
                if lines.peek().is_some_and(|l| !l.trim().is_empty()) {
                    if !text.ends_with('\n') {
                        inserted.push(text.len());
                        text.push('\n');
                    }
                    inserted.push(text.len());
                    text.push('\n');
                }
                continue;
            }
            if html.is_none() && indent < 4 {
                html = HTML_BLOCK_TAGS
                    .iter()
                    .find(|tag| opens_tag(trimmed, tag))
                    .map(|tag| (*tag, 0));
                if let Some((tag, _)) = html
                    && let Some((attr, parse)) = markdown_attribute(line, tag)
                {
                    // kramdown's `markdown="1"`: the attribute goes (its bytes are blanked
                    // here and cut from the HTML after parsing); with "1" the element's
                    // content is Markdown, so the tag ends its HTML block.
                    let at = text.len();
                    text.push_str(&line[..attr.start]);
                    text.extend(std::iter::repeat_n(' ', attr.len()));
                    text.push_str(&line[attr.end..]);
                    blanked.push(at + attr.start..at + attr.end);
                    if parse {
                        if !text.ends_with('\n') {
                            inserted.push(text.len());
                            text.push('\n');
                        }
                        inserted.push(text.len());
                        text.push('\n');
                        markdown_blocks.push(tag);
                        html = None;
                        continue;
                    }
                    // Raw content: the line as written; the range still cuts the attribute.
                    text.truncate(at);
                }
            }
            text.push_str(line);
            if let Some((tag, depth)) = &mut html {
                let opened = count_tags(line, tag, false);
                let closed = count_tags(line, tag, true);
                *depth = (*depth + opened).saturating_sub(closed);
                let blank_next = lines.peek().is_none_or(|l| l.trim().is_empty());
                if *depth == 0 || line.trim().is_empty() {
                    if *depth == 0 && closed > 0 && !blank_next && !line.trim().is_empty() {
                        if !text.ends_with('\n') {
                            text.push('\n');
                            inserted.push(text.len() - 1);
                        }
                        inserted.push(text.len());
                        text.push('\n');
                    }
                    html = None;
                }
            }
        }
        KramdownSource {
            text,
            inserted,
            marks,
            blanked,
            alds,
            abbreviations,
        }
    }

    /// Takes the [`SPAN_LINE_MARK`]s out of the parsed events: from text, code and HTML, where
    /// ever the line ended up (a paragraph, code, an HTML block of another kind).
    pub(super) fn unmark(&self, doc: &mut Doc) {
        for item in &mut doc.items {
            let range = item.range.clone();
            let Event::Html(html) = &mut item.event else {
                continue;
            };
            let inside: Vec<&Range<usize>> = self
                .blanked
                .iter()
                .filter(|b| b.start >= range.start && b.end <= range.end)
                .collect();
            if inside.is_empty() || html.len() != range.len() {
                continue;
            }
            let mut kept = String::with_capacity(html.len());
            let mut from = 0;
            for b in inside {
                kept.push_str(&html[from..b.start - range.start]);
                from = b.end - range.start;
            }
            kept.push_str(&html[from..]);
            *html = kept.into();
        }
        if self.marks.is_empty() {
            return;
        }
        let mark_len = SPAN_LINE_MARK.len_utf8();
        for item in &mut doc.items {
            let range = item.range.clone();
            let first = self.marks.partition_point(|&m| m < range.start);
            if self.marks.get(first).is_none_or(|&m| m >= range.end) {
                continue;
            }
            let (Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t)) =
                &mut item.event
            else {
                continue;
            };
            if !t.contains(SPAN_LINE_MARK) {
                continue;
            }
            let starts_with_mark = t.starts_with(SPAN_LINE_MARK);
            let ends_with_mark = t.ends_with(SPAN_LINE_MARK);
            *t = t.replace(SPAN_LINE_MARK, "").into();
            let mut range = range;
            if starts_with_mark && self.marks[first] == range.start {
                range.start += mark_len;
            }
            if ends_with_mark && self.marks.binary_search(&(range.end - mark_len)).is_ok() {
                range.end -= mark_len;
            }
            item.range = range;
        }
    }

    /// The offset in the body of an offset in `text`.
    pub(super) fn body_offset(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&i| i < offset)
    }
}

/// Where the span-level tag starts that begins `line` (`<img`, `</span`), after indentation and
/// the markers of quotes and list items; None if the line does not start with one.
fn span_tag_start(line: &str) -> Option<usize> {
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let after_marker = trimmed
            .strip_prefix('>')
            .or_else(|| {
                let marker = trimmed.strip_prefix(['*', '-', '+'])?;
                marker.starts_with([' ', '\t']).then_some(marker)
            })
            .or_else(|| {
                let digits = trimmed.len()
                    - trimmed
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .len();
                let marker = trimmed[digits..].strip_prefix(['.', ')'])?;
                (digits > 0 && marker.starts_with([' ', '\t'])).then_some(marker)
            });
        match after_marker {
            Some(after) => rest = after,
            None => {
                rest = trimmed;
                break;
            }
        }
    }
    let tag = rest.strip_prefix('<')?;
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let name_len = tag
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    let delimited = tag[name_len..].starts_with([' ', '\t', '\n', '\r', '>', '/']);
    let name = &tag[..name_len];
    (delimited && HTML_SPAN_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)))
        .then(|| line.len() - rest.len())
}

/// The range of a `markdown="…"` attribute (with the space before it) in the opening tag of
/// block element `tag` that is alone on `line`, and whether its value makes the content
/// Markdown ("1", "block"; "0" and "span" leave it raw).
fn markdown_attribute(line: &str, tag: &str) -> Option<(Range<usize>, bool)> {
    let content = line.trim_end();
    if !content.ends_with('>') || count_tags(content, tag, true) > 0 {
        return None;
    }
    let lower = content.to_ascii_lowercase();
    let at = lower.find(" markdown=")?;
    let value_start = at + " markdown=".len();
    let rest = &content[value_start..];
    let (value, len) = match rest.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = rest[1..].find(quote)?;
            (&rest[1..1 + end], end + 2)
        }
        _ => {
            let end = rest.find([' ', '>', '/']).unwrap_or(rest.len());
            (&rest[..end], end)
        }
    };
    Some((at..value_start + len, matches!(value, "1" | "block")))
}

/// Where a kramdown IAL that ends a heading line ends (`## by [x](u){:target="_blank"}`), so
/// that a mark after it keeps CommonMark's heading attributes (`{#id .class}`) from taking it:
/// kramdown puts it on the span before it.
fn trailing_ial_end(line: &str) -> Option<usize> {
    let content = line.trim_end();
    let open = content.strip_suffix('}')?.rfind('{')?;
    content[open..].starts_with("{:").then_some(content.len())
}

/// Whether `line` underlines a setext heading (`===` or `---`).
fn is_setext_underline(line: &str) -> bool {
    let trimmed = line.trim();
    let indent = line.len() - line.trim_start_matches(' ').len();
    indent < 4
        && !trimmed.is_empty()
        && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'))
}

/// Whether `line` starts with `<tag` followed by whitespace, `>` or `/`.
fn opens_tag(line: &str, tag: &str) -> bool {
    line.strip_prefix('<')
        .and_then(|rest| {
            rest.get(..tag.len())
                .filter(|t| t.eq_ignore_ascii_case(tag))
                .map(|_| &rest[tag.len()..])
        })
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r', '>', '/']))
}

/// How many `<tag` (or `</tag`) a line holds.
fn count_tags(line: &str, tag: &str, closing: bool) -> usize {
    let prefix = if closing { "</" } else { "<" };
    let lower = line.to_ascii_lowercase();
    lower
        .match_indices(prefix)
        .filter(|(i, _)| {
            let rest = &lower[i + prefix.len()..];
            rest.starts_with(tag)
                && rest[tag.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || c == '>' || c == '/')
        })
        .count()
}

/// Whether a block may start after `text` (so far): at the start, or after a blank line (or a
/// blanked definition).
fn at_block_start(text: &str) -> bool {
    let done = text.strip_suffix('\n').unwrap_or(text);
    let last_line = &done[done.rfind('\n').map_or(0, |n| n + 1)..];
    text.is_empty() || last_line.trim().is_empty()
}

/// A kramdown abbreviation definition line (without its indentation), `*[HTML]: Hyper Text
/// Markup Language` → (`HTML`, `Hyper Text Markup Language`); the word runs to the first
/// `]:`, as kramdown 2.4's `ABBREV_DEFINITION_START` reads it.
fn parse_abbreviation(line: &str) -> Option<(String, String)> {
    let line = line.trim_end_matches(['\n', '\r']);
    let rest = line.strip_prefix("*[")?;
    let end = rest.get(1..)?.find("]:")? + 1;
    Some((rest[..end].to_owned(), rest[end + 2..].trim().to_owned()))
}

/// A kramdown attribute list definition line, `{:name: .class key="value"}`.
pub(super) fn parse_ald(line: &str, alds: &HashMap<String, Attrs>) -> Option<(String, Attrs)> {
    let inner = line.strip_prefix("{:")?;
    let (name, rest) = inner.split_once(':')?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid || !rest.starts_with([' ', '\t']) {
        return None;
    }
    let ial = format!("{{:{rest}");
    let (attrs, len) = parse_ial(&ial, alds)?;
    (len == ial.len()).then(|| (name.to_owned(), attrs))
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn markdown_after_an_html_block_is_markdown() {
        let body = "<div class=\"box\">\n<p>raw</p>\n</div>\n**bold** after, [x](gone.md)\n";
        let resolve = |_: &str| None;
        let r = render_with(body, &resolve);
        assert!(
            r.html.contains("</div>\n<p><strong>bold</strong> after"),
            "{}",
            r.html
        );
        // Offsets still point into the body as written.
        assert_eq!(r.problems[0].offset, body.find("gone.md").unwrap() - 4);
    }

    /// Found on a real Jekyll blog: a line that starts with span-level HTML was an HTML block
    /// to the next blank line, so the Markdown in it and the IAL under it stayed literal.
    #[test]
    fn a_line_that_starts_with_span_html_is_a_paragraph() {
        let body = "<img src=\"a.png\">\n## After *the* image\n\n{:c: style=\"text-align: center\"}\n<img src=\"b.png\" />\n{: c}\n\n<span class=\"x\">\n*em* \"q\"\n</span>\n\n<br/>\n**after**\n";
        assert_eq!(
            html(body),
            "<p><img src=\"a.png\"></p>\n<h2 id=\"after-the-image\">After <em>the</em> image</h2>\n<p style=\"text-align: center\"><img src=\"b.png\" /></p>\n<p><span class=\"x\">\n<em>em</em> “q”\n</span></p>\n<p><br/>\n<strong>after</strong></p>\n"
        );
        // In a list item and a quote too; block-level tags still start an HTML block.
        assert_eq!(
            html("* <a href=\"u\">x</a>\n\n> <b>y</b>\n> *z*\n\n<div>\n*raw*\n</div>\n"),
            "<ul>\n<li><a href=\"u\">x</a></li>\n</ul>\n<blockquote>\n<p><b>y</b>\n<em>z</em></p>\n</blockquote>\n<div>\n*raw*\n</div>\n"
        );
    }

    #[test]
    fn the_mark_before_span_html_leaves_no_trace() {
        // In code (indented, or a fence the pre-pass does not see) and in offsets.
        let body = "    <span>code</span>\n\n* item\n\n      ```\n      <b>x</b>\n      ```\n\n<a href=\"gone.md\">x</a> [y](gone.md)\n";
        let r = render_with(body, &no_sources);
        assert!(!r.html.contains(super::SPAN_LINE_MARK), "{}", r.html);
        assert!(
            r.html.contains(
                "<pre class=\"highlight\" tabindex=\"0\"><code>&lt;span&gt;code&lt;/span&gt;\n</code></pre>"
            ),
            "{}",
            r.html
        );
        assert_eq!(r.problems[0].offset, body.rfind("gone.md").unwrap() - 4);
    }

    #[test]
    fn markdown_1_makes_the_content_of_a_block_element_markdown() {
        let body = "<div class=\"box\" markdown=\"1\">\n## Inside\n\n*em* and [a](gone.md)\n</div>\nAfter *x*\n\n<div markdown='0'>\n*raw*\n</div>\n";
        let r = render_with(body, &no_sources);
        assert_eq!(
            r.html,
            "<div class=\"box\">\n<h2 id=\"inside\">Inside</h2>\n<p><em>em</em> and <a href=\"gone.md\">a</a></p>\n</div>\n<p>After <em>x</em></p>\n<div>\n*raw*\n</div>\n"
        );
        assert_eq!(r.problems[0].offset, body.find("gone.md").unwrap() - 4);
    }

    /// Found on a real Jekyll blog: CommonMark's heading attributes took the link's IAL, so the
    /// link lost `target` and the heading got `:target="&quot;_blank&quot;"`.
    #[test]
    fn a_link_ial_at_the_end_of_a_heading_is_the_links() {
        let out = html(
            "## by [Name](https://x.org){:target=\"_blank\" rel=\"noopener\"}\n\nTitle [a](u){: .c}\n---\n\n## Own id {#mine}\n",
        );
        assert_eq!(
            out,
            "<h2 id=\"by-name\">by <a href=\"https://x.org\" target=\"_blank\" rel=\"noopener\">Name</a></h2>\n<h2 id=\"title-a\">Title <a href=\"u\" class=\"c\">a</a></h2>\n<h2 id=\"mine\">Own id</h2>\n"
        );
    }
}

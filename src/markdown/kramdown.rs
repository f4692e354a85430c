//! kramdown's block habits that CommonMark reads otherwise, rewritten before parsing:
//! attribute list definitions and the end of an HTML block.

use std::collections::HashMap;

use super::attributes::{Attrs, parse_ial};

/// The body as pulldown-cmark is given it: kramdown's block habits that CommonMark reads
/// otherwise are rewritten first. Attribute list definitions (`{:name: .class}`) are read and
/// their lines blanked (same length, so offsets hold); an HTML block ends at its closing tag,
/// so a blank line goes after it when Markdown follows (CommonMark runs it to a blank line).
pub(super) struct KramdownSource {
    pub(super) text: String,
    /// Offsets in `text` of the newlines added, ascending.
    pub(super) inserted: Vec<usize>,
    pub(super) alds: HashMap<String, Attrs>,
}

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
        let mut alds: HashMap<String, Attrs> = HashMap::new();
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
            if html.is_none() && indent < 4 {
                html = HTML_BLOCK_TAGS
                    .iter()
                    .find(|tag| opens_tag(trimmed, tag))
                    .map(|tag| (*tag, 0));
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
            alds,
        }
    }

    /// The offset in the body of an offset in `text`.
    pub(super) fn body_offset(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&i| i < offset)
    }
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
}

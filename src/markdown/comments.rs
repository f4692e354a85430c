//! Pass 1: HTML comments are notes to the author, dropped from the output.

use pulldown_cmark::{Event, Tag};

use super::doc::Doc;

/// Comments are notes to the author, not to readers; everything else in raw
/// HTML is passed through unchanged.
pub(super) fn strip_html_comments(doc: &mut Doc) {
    let mut i = 0;
    while i < doc.items.len() {
        match &doc.items[i].event {
            Event::Start(Tag::HtmlBlock) => {
                let end = doc.partner[i];
                let html = doc.html_block_text(i);
                if html.contains("<!--") {
                    let stripped = without_comments(&html);
                    let keep_block = !stripped.trim().is_empty();
                    for j in i + 1..end {
                        doc.remove(j);
                    }
                    if keep_block {
                        doc.items[i + 1].event = Event::Html(stripped.into());
                    } else {
                        doc.remove(i);
                        doc.remove(end);
                    }
                }
                i = end;
            }
            Event::InlineHtml(h) | Event::Html(h) if h.starts_with("<!--") => {
                doc.remove(i);
            }
            _ => {}
        }
        i += 1;
    }
}

/// `html` without `<!-- ... -->`; an unterminated comment runs to the end.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        rest = match after.find("-->") {
            Some(end) => {
                let tail = &after[end + 3..];
                // A comment alone on its line takes its line break with it.
                if out.ends_with('\n') || out.is_empty() {
                    tail.strip_prefix('\n').unwrap_or(tail)
                } else {
                    tail
                }
            }
            None => "",
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn html_comments_are_removed() {
        let out = html(
            "<!-- only a comment -->\n\ntext <!-- inline --> more\n\n<div>\n<!-- hidden -->\n<p>kept</p>\n</div>\n",
        );
        assert_eq!(out, "<p>text  more</p>\n<div>\n<p>kept</p>\n</div>\n");
        let out = html("<span class=\"x\">raw</span> inline\n");
        assert_eq!(out, "<p><span class=\"x\">raw</span> inline</p>\n");
    }
}

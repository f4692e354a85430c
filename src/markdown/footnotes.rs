//! Pass 8: footnote references numbered in order of first use.

use pulldown_cmark::Event;

use super::attributes::push_attr;
use super::doc::Doc;
use super::push_escaped;

/// Footnote labels in order of first reference; definitions are written at the end.
pub(super) fn number_footnotes(doc: &mut Doc) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for item in &mut doc.items {
        let Event::FootnoteReference(label) = &item.event else {
            continue;
        };
        let first = !order.iter().any(|l| l == &label[..]);
        if first {
            order.push(label.to_string());
        }
        let number = order.iter().position(|l| l == &label[..]).unwrap_or(0) + 1;
        let mut html = String::from("<sup class=\"footnote-reference\"");
        if first {
            push_attr(&mut html, "id", &format!("fnref-{label}"));
        }
        html.push_str("><a href=\"#");
        push_escaped(&mut html, label);
        html.push_str(&format!("\">{number}</a></sup>"));
        item.event = Event::InlineHtml(html.into());
    }
    order
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn footnotes_at_the_end_in_order_of_reference() {
        let body =
            "First[^b] and second[^a] and again[^b].\n\n[^a]: Note A.\n[^b]: Note *B*.\n\nAfter.\n";
        let out = html(body);
        assert!(out.starts_with("<p>First<sup class=\"footnote-reference\" id=\"fnref-b\"><a href=\"#b\">1</a></sup> and second<sup class=\"footnote-reference\" id=\"fnref-a\"><a href=\"#a\">2</a></sup> and again<sup class=\"footnote-reference\"><a href=\"#b\">1</a></sup>.</p>\n<p>After.</p>\n"), "{out}");
        assert!(out.ends_with("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n<li id=\"b\"><p>Note <em>B</em>. <a href=\"#fnref-b\" class=\"footnote-backref\" aria-label=\"Back to reference 1\">↩</a></p>\n</li>\n<li id=\"a\"><p>Note A. <a href=\"#fnref-a\" class=\"footnote-backref\" aria-label=\"Back to reference 2\">↩</a></p>\n</li>\n</ol>\n</section>\n"), "{out}");
    }
}

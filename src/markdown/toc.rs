//! The table of contents: nested from the headings, and kramdown's `{:toc}` markup.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::TocEntry;
use super::attributes::push_attr;
use super::code::jekyll_inline_code;
use super::doc::Item;
use super::push_escaped;
use crate::config::CodeMarkup;

/// Stands in for the `{:toc}` list until the TOC is known; pulldown never emits NUL.
pub(super) const TOC_PLACEHOLDER: &str = "\0toc\0\n";

/// A heading's inline HTML without links, so it can sit inside a TOC link.
pub(super) fn title_html(items: &[Item], code_markup: CodeMarkup) -> String {
    let events = items.iter().filter_map(|item| match &item.event {
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => None,
        Event::FootnoteReference(_) => None,
        Event::Start(Tag::Image { .. }) if item.attrs.is_some() => None,
        Event::Code(code) if code_markup == CodeMarkup::Jekyll => {
            Some(Event::InlineHtml(jekyll_inline_code(code).into()))
        }
        event => Some(event.clone()),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Nests a flat heading list: each entry goes under the nearest earlier entry of
/// a smaller level, so skipped levels and a deep first heading are fine.
pub(super) fn nest_toc(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots = Vec::new();
    let mut stack: Vec<TocEntry> = Vec::new();
    fn close(stack: &mut Vec<TocEntry>, roots: &mut Vec<TocEntry>) {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
    for entry in flat {
        while stack.last().is_some_and(|top| top.level >= entry.level) {
            close(&mut stack, &mut roots);
        }
        stack.push(entry);
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

/// What replaces kramdown's `{:toc}` list: kramdown's own markup (`ul#markdown-toc`, links
/// with `markdown-toc-` ids), so Jekyll themes' styles and links to the entries keep working.
pub(super) fn toc_html(toc: &[TocEntry]) -> String {
    if toc.is_empty() {
        return String::new();
    }
    fn list(out: &mut String, entries: &[TocEntry]) {
        for entry in entries {
            out.push_str("<li><a href=\"#");
            push_escaped(out, &entry.id);
            out.push('"');
            push_attr(out, "id", &format!("markdown-toc-{}", entry.id));
            out.push('>');
            out.push_str(&entry.title);
            out.push_str("</a>");
            if !entry.children.is_empty() {
                out.push_str("<ul>\n");
                list(out, &entry.children);
                out.push_str("</ul>\n");
            }
            out.push_str("</li>\n");
        }
    }
    let mut out = String::from("<ul id=\"markdown-toc\">\n");
    list(&mut out, toc);
    out.push_str("</ul>\n");
    out
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn toc_marker_and_nesting() {
        let body = "* TOC\n{:toc}\n\n### Deep first\n\n## A\n\n#### A.1.1\n\n### A.2\n\n## B *em*\n{: .no_toc}\n\n## C [link](x)\n";
        let r = render_with(body, &no_sources);
        let shape: Vec<_> = r
            .toc
            .iter()
            .map(|e| (e.id.as_str(), e.children.len()))
            .collect();
        assert_eq!(shape, [("deep-first", 0), ("a", 2), ("c-link", 0)]);
        assert_eq!(r.toc[1].children[0].id, "a11");
        assert_eq!(r.toc[2].title, "C link");
        assert!(r.html.starts_with(
            "<ul id=\"markdown-toc\">\n<li><a href=\"#deep-first\" id=\"markdown-toc-deep-first\">Deep first</a></li>\n<li><a href=\"#a\" id=\"markdown-toc-a\">A</a><ul>\n<li><a href=\"#a11\" id=\"markdown-toc-a11\">A.1.1</a></li>\n<li><a href=\"#a2\" id=\"markdown-toc-a2\">A.2</a></li>\n</ul>\n</li>\n<li><a href=\"#c-link\" id=\"markdown-toc-c-link\">C link</a></li>\n</ul>\n<h3"
        ), "{}", r.html);
        assert!(!r.html.contains("TOC"), "{}", r.html);
        assert_eq!(html("* TOC\n{:toc}\n\ntext\n"), "<p>text</p>\n");
    }

    /// Found by the fuzzer: every `{:toc}` got the whole TOC, so 5,400 markers over 5,400
    /// headings needed gigabytes. kramdown makes only the first one the TOC.
    #[test]
    fn only_the_first_toc_marker_becomes_the_toc() {
        let out = html("* TOC\n{:toc}\n\n## A\n\n* TOC\n{:toc}\n\n## B\n");
        assert_eq!(out.matches("markdown-toc\"").count(), 1, "{out}");
        assert!(out.contains("<ul>\n<li>TOC</li>\n</ul>"), "{out}");
        let many = "## Part\n\n* TOC\n{:toc}\n\n".repeat(2_000);
        let out = html(&many);
        assert!(out.len() < many.len() * 20, "{} bytes", out.len());
    }
}

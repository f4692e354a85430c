//! Pass 9: the event vector written as HTML, links and attributes by hand, footnotes at the end.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::attributes::{Attrs, push_attr};
use super::doc::Doc;
use super::links::escape_href;
use super::toc::{TOC_PLACEHOLDER, toc_html};
use super::{TocEntry, push_escaped};

pub(super) fn write_html(doc: &Doc, toc: &[TocEntry], footnotes: &[String]) -> String {
    let mut definitions: HashMap<&str, Range<usize>> = HashMap::new();
    let mut events = Vec::with_capacity(doc.items.len());
    let mut i = 0;
    while i < doc.items.len() {
        if let Event::Start(Tag::FootnoteDefinition(label)) = &doc.items[i].event {
            let end = doc.partner[i];
            definitions.entry(label).or_insert(i + 1..end);
            i = end + 1;
            continue;
        }
        i = convert(doc, i, &mut events);
    }
    let mut html = String::with_capacity(doc.body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if html.contains(TOC_PLACEHOLDER) {
        html = html.replace(TOC_PLACEHOLDER, &toc_html(toc));
    }

    let referenced: Vec<_> = footnotes
        .iter()
        .filter_map(|label| Some((label, definitions.get(label.as_str())?)))
        .collect();
    if !referenced.is_empty() {
        html.push_str("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
        for (number, (label, range)) in (1..).zip(referenced) {
            let mut events = Vec::new();
            let mut k = range.start;
            while k < range.end {
                k = convert(doc, k, &mut events);
            }
            let mut content = String::new();
            pulldown_cmark::html::push_html(&mut content, events.into_iter());
            let mut backref = String::from(" <a href=\"#");
            push_escaped(&mut backref, &format!("fnref-{label}"));
            // The arrow alone reads as "leftwards arrow with hook": the name says where it goes.
            backref.push_str(&format!(
                "\" class=\"footnote-backref\" aria-label=\"Back to reference {number}\">↩</a>"
            ));
            // The back link reads best at the end of the last paragraph.
            let trimmed = content.trim_end();
            if let Some(before) = trimmed.strip_suffix("</p>") {
                content = format!("{before}{backref}</p>\n");
            } else {
                content.push_str(&backref);
            }
            html.push_str("<li");
            push_attr(&mut html, "id", label);
            html.push('>');
            html.push_str(&content);
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</section>\n");
    }
    html
}

/// Appends the events for item `i` (one item, or a whole block when it has to be
/// rendered as a unit) and returns the index of the next item.
pub(super) fn convert<'a>(doc: &Doc<'a>, i: usize, out: &mut Vec<Event<'a>>) -> usize {
    let item = &doc.items[i];
    if doc.is_removed(i) {
        return i + 1;
    }
    // Links and images are always written here: pulldown percent-encodes non-ASCII in URLs,
    // kramdown keeps them as written (`#résumé`), and deep links must match.
    let no_attrs = Attrs::default();
    let attrs = match (&item.attrs, &item.event) {
        (Some(attrs), _) => attrs,
        (None, Event::Start(Tag::Link { .. } | Tag::Image { .. })) => &no_attrs,
        (None, Event::Start(Tag::Table(_))) if doc.wrap_tables => &no_attrs,
        (None, Event::End(TagEnd::Link)) => {
            out.push(Event::InlineHtml("</a>".into()));
            return i + 1;
        }
        (None, event) => {
            out.push(event.clone());
            return i + 1;
        }
    };
    let mut tag = String::new();
    match &item.event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            ..
        }) => {
            tag.push_str("<a href=\"");
            if *link_type == LinkType::Email {
                tag.push_str("mailto:");
            }
            escape_href(&mut tag, dest_url);
            tag.push('"');
            if !title.is_empty() {
                push_attr(&mut tag, "title", title);
            }
            attrs.write(&mut tag, None);
            tag.push('>');
            out.push(Event::InlineHtml(tag.into()));
        }
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            let end = doc.partner[i];
            let mut alt = String::new();
            for inner in &doc.items[i + 1..end] {
                if let Event::Text(t) | Event::Code(t) = &inner.event {
                    alt.push_str(t);
                }
            }
            if let Some(source) = doc.picture_sources.get(&i) {
                tag.push_str("<picture>");
                tag.push_str(source);
            }
            tag.push_str("<img src=\"");
            escape_href(&mut tag, dest_url);
            tag.push('"');
            push_attr(&mut tag, "alt", &alt);
            if !title.is_empty() {
                push_attr(&mut tag, "title", title);
            }
            attrs.write(&mut tag, None);
            tag.push_str(" />");
            if doc.picture_sources.contains_key(&i) {
                tag.push_str("</picture>");
            }
            out.push(Event::InlineHtml(tag.into()));
            return end + 1;
        }
        Event::Start(Tag::Heading { level, .. }) => {
            tag.push_str(&format!("<{level}"));
            attrs.write(&mut tag, None);
            tag.push('>');
            out.push(Event::Html(tag.into()));
        }
        Event::Start(Tag::Paragraph) => {
            tag.push_str("<p");
            attrs.write(&mut tag, None);
            tag.push('>');
            out.push(Event::Html(tag.into()));
        }
        Event::Start(Tag::Item) => {
            tag.push_str("<li");
            attrs.write(&mut tag, None);
            tag.push('>');
            out.push(Event::Html(tag.into()));
        }
        Event::Start(Tag::BlockQuote(_)) => {
            tag.push_str("<blockquote");
            attrs.write(&mut tag, None);
            tag.push_str(">\n");
            out.push(Event::Html(tag.into()));
        }
        Event::Start(Tag::List(start)) => {
            tag.push_str(if start.is_some() { "<ol" } else { "<ul" });
            if let Some(n) = start.filter(|n| *n != 1) {
                tag.push_str(&format!(" start=\"{n}\""));
            }
            attrs.write(&mut tag, None);
            tag.push_str(">\n");
            out.push(Event::Html(tag.into()));
        }
        Event::Start(Tag::Table(_)) => {
            // Tables keep state in pulldown's writer, so render the whole table
            // and add the attributes to its first tag.
            let end = doc.partner[i];
            let mut inner = vec![item.event.clone()];
            let mut k = i + 1;
            while k <= end {
                k = convert(doc, k, &mut inner);
            }
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, inner.into_iter());
            let mut attr_text = String::new();
            attrs.write(&mut attr_text, None);
            if let Some(rest) = html.strip_prefix("<table") {
                html = format!("<table{attr_text}{rest}");
            }
            if doc.wrap_tables {
                // A wide table scrolls inside this region, which a keyboard can reach; its
                // name is the header row, as a screen reader announces the region.
                let mut region =
                    String::from("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\"");
                push_attr(&mut region, "aria-label", &table_label(doc, i, end));
                region.push_str(">\n");
                html = format!("{region}{html}</div>\n");
            }
            out.push(Event::Html(html.into()));
            return end + 1;
        }
        event => out.push(event.clone()),
    }
    i + 1
}

/// "Table: Feature, EKS, AKS": the text of the header cells of the table from item `start`
/// to `end`; "Table" when they are empty.
fn table_label(doc: &Doc, start: usize, end: usize) -> String {
    let mut cells: Vec<String> = Vec::new();
    let mut in_head = false;
    for item in &doc.items[start..end] {
        match &item.event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => break,
            Event::Start(Tag::TableCell) if in_head => cells.push(String::new()),
            Event::Text(text) | Event::Code(text) if in_head => {
                if let Some(cell) = cells.last_mut() {
                    cell.push_str(text);
                }
            }
            _ => {}
        }
    }
    let cells: Vec<&str> = cells
        .iter()
        .map(|cell| cell.trim())
        .filter(|cell| !cell.is_empty())
        .collect();
    if cells.is_empty() {
        "Table".to_owned()
    } else {
        format!("Table: {}", cells.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;
    use crate::markdown::{CodeMarkup, Options, render};

    /// Issue #14: a wide table scrolls inside a region a keyboard can reach, named by its
    /// header row; Jekyll's markup stays as kramdown writes it.
    #[test]
    fn tables_scroll_in_a_labelled_focusable_region() {
        let table = "| Feature | `EKS` | *AKS* |\n|---|---|---|\n| a | b | c |\n";
        let out = html(table);
        assert!(out.starts_with("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table: Feature, EKS, AKS\">\n<table><thead>"), "{out}");
        assert!(out.ends_with("</table>\n</div>\n"), "{out}");
        let out = html("| | |\n|---|---|\n| a | b |\n");
        assert!(out.contains("aria-label=\"Table\">"), "{out}");
        let jekyll = render(
            table,
            &Options {
                code_markup: CodeMarkup::Jekyll,
                ..Options::default()
            },
        );
        assert!(jekyll.html.starts_with("<table>"), "{}", jekyll.html);
    }

    #[test]
    fn gfm_tables_strikethrough_tasklists() {
        let out = html("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n");
        assert!(
            out.contains("<table><thead><tr><th style=\"text-align: left\">a</th>"),
            "{out}"
        );
        assert!(
            out.contains("<td style=\"text-align: right\">2</td>"),
            "{out}"
        );
        assert!(out.contains("<del>gone</del>"), "{out}");
        assert!(
            out.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone"),
            "{out}"
        );
    }
}

//! Lists as kramdown writes them: definition lists (`Term` then `: definition` lines), on for
//! every site, and, on Jekyll sites, ordered lists without a `start`.
//!
//! pulldown-cmark reads the same definition list syntax as kramdown (and Goldmark), but writes
//! every definition's text in a `<p>` and the term lines above one definition as one `<dt>`.
//! kramdown writes a `<dt>` per line, and a definition's first paragraph bare unless a blank
//! line comes before its `:` line, as PHP Markdown Extra and Goldmark do.

use pulldown_cmark::{CowStr, Event, Tag};

use super::doc::Doc;

/// Gives every term line its own `<dt>` and leaves out the `<p>` of a definition's first
/// paragraph when no blank line comes before the definition.
pub(super) fn kramdown_definition_lists(doc: &mut Doc) {
    for i in 0..doc.items.len() {
        match &doc.items[i].event {
            Event::Start(Tag::DefinitionListTitle) => {
                for k in i + 1..doc.partner[i] {
                    if doc.parent[k] == Some(i) && matches!(doc.items[k].event, Event::SoftBreak) {
                        doc.items[k].event = Event::InlineHtml(CowStr::Borrowed("</dt>\n<dt>"));
                    }
                }
            }
            Event::Start(Tag::DefinitionListDefinition) => {
                let (first, end) = (i + 1, doc.partner[i]);
                let spaced = blank_line_before(doc.body, doc.items[i].range.start);
                let paragraph =
                    first < end && matches!(doc.items[first].event, Event::Start(Tag::Paragraph));
                if paragraph && !spaced && doc.items[first].attrs.is_none() {
                    let paragraph_end = doc.partner[first];
                    doc.remove(first);
                    doc.remove(paragraph_end);
                } else if !paragraph && spaced && only_inline(doc, i) {
                    // pulldown gives a definition no paragraph when it takes the list as tight
                    // (in a quote, say); kramdown's blank line still makes one.
                    doc.items[i].event = Event::Html(CowStr::Borrowed("<dd><p>"));
                    doc.items[end].event = Event::Html(CowStr::Borrowed("</p></dd>\n"));
                }
            }
            _ => {}
        }
    }
}

/// Whether the content of the block that starts at `start` is all inline (no paragraph, list,
/// code block or other block in it).
fn only_inline(doc: &Doc, start: usize) -> bool {
    (start + 1..doc.partner[start]).all(|k| {
        doc.parent[k] != Some(start)
            || !matches!(
                doc.items[k].event,
                Event::Start(
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::BlockQuote(_)
                        | Tag::CodeBlock(_)
                        | Tag::HtmlBlock
                        | Tag::List(_)
                        | Tag::Table(_)
                        | Tag::DefinitionList
                        | Tag::FootnoteDefinition(_)
                ) | Event::Rule
            )
    })
}

/// Whether the line above the one holding `offset` is blank (quote markers aside).
fn blank_line_before(body: &str, offset: usize) -> bool {
    let line_start = body[..offset].rfind('\n').map_or(0, |n| n + 1);
    if line_start == 0 {
        return false;
    }
    let above = &body[..line_start - 1];
    let above_start = above.rfind('\n').map_or(0, |n| n + 1);
    above[above_start..]
        .chars()
        .all(|c| c.is_whitespace() || c == '>')
}

/// kramdown numbers every ordered list from 1 (`2.` first still gives `<ol>`), so on a Jekyll
/// site the list starts where Jekyll starts it.
pub(super) fn ordered_lists_from_one(doc: &mut Doc) {
    for item in &mut doc.items {
        if let Event::Start(Tag::List(Some(start))) = &mut item.event {
            *start = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::CodeMarkup;
    use crate::markdown::tests::*;
    use crate::markdown::{Options, render};

    #[test]
    fn definition_lists_are_written_as_kramdown_writes_them() {
        let body = "Term one\n: First.\n: Second,\n  on two lines.\n\nTerm two\nTerm three\n: Shared.\n\nSpaced\n\n: A paragraph.\n\n  Another.\n\nTight\n: Bare first.\n\n  Then a paragraph.\n";
        assert_eq!(
            html(body),
            "<dl>\n<dt>Term one</dt>\n<dd>First.</dd>\n<dd>Second,\non two lines.</dd>\n\
             <dt>Term two</dt>\n<dt>Term three</dt>\n<dd>Shared.</dd>\n\
             <dt>Spaced</dt>\n<dd>\n<p>A paragraph.</p>\n<p>Another.</p>\n</dd>\n\
             <dt>Tight</dt>\n<dd>Bare first.\n<p>Then a paragraph.</p>\n</dd>\n</dl>\n"
        );
    }

    #[test]
    fn a_definition_in_a_quote_looks_past_the_quote_marker() {
        assert_eq!(
            html("> Term\n>\n> : Spaced.\n"),
            "<blockquote>\n<dl>\n<dt>Term</dt>\n<dd><p>Spaced.</p></dd>\n</dl>\n</blockquote>\n"
        );
    }

    #[test]
    fn ordered_lists_start_at_one_on_jekyll_sites_only() {
        let body = "3. three\n4. four\n";
        assert!(html(body).starts_with("<ol start=\"3\">"), "{}", html(body));
        let jekyll = Options {
            code_markup: CodeMarkup::Jekyll,
            ..Options::default()
        };
        assert!(render(body, &jekyll).html.starts_with("<ol>\n<li>three"));
    }
}

//! A body's prose as plain text, for the search index: what a reader sees as words, without
//! Markdown or HTML markup, code blocks, embedded tables or kramdown attribute lists.
//!
//! It runs the passes that decide what is text (comments, embeds, attribute lists) on the same
//! parse as [`super::render`], so the index holds the words the page shows.

use html5gum::{Token, Tokenizer};
use pulldown_cmark::{Event, Tag, TagEnd};

use super::attributes::{apply_block_ials, apply_span_ials};
use super::comments::strip_html_comments;
use super::doc::Doc;
use super::embeds::expand_embeds;
use super::kramdown::KramdownSource;
use super::typography::kramdown_quotes;

/// The words of a Markdown body as plain text: blocks end in a newline, code blocks, raw
/// HTML's tags, scripts and styles, `{{ embed }}` paragraphs and `{: ...}` lists are left out.
pub fn plain_text(body: &str) -> String {
    let mut source = KramdownSource::new(body);
    let alds = std::mem::take(&mut source.alds);
    let mut doc = Doc::parse(&source.text, alds);
    strip_html_comments(&mut doc);
    kramdown_quotes(&mut doc);
    // A table is indexed as the matrix feature it shows, not as the text of every post
    // embedding it.
    expand_embeds(&mut doc, &|_, _| Some(Ok(String::new())), &mut Vec::new());
    apply_span_ials(&mut doc);
    apply_block_ials(&mut doc);
    let mut text = String::with_capacity(body.len());
    let mut in_code_block = 0usize;
    let mut html = String::new();
    for item in &doc.items {
        match &item.event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block += 1,
            Event::End(TagEnd::CodeBlock) => in_code_block = in_code_block.saturating_sub(1),
            _ if in_code_block > 0 => {}
            Event::Html(h) | Event::InlineHtml(h) => html.push_str(h),
            event => {
                if !html.is_empty() {
                    push_html_text(&mut text, &std::mem::take(&mut html));
                }
                match event {
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    Event::SoftBreak | Event::HardBreak => text.push(' '),
                    Event::End(end) if is_block(end) => text.push('\n'),
                    Event::End(TagEnd::TableCell) => text.push(' '),
                    _ => {}
                }
            }
        }
    }
    if !html.is_empty() {
        push_html_text(&mut text, &html);
    }
    text
}

fn is_block(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableRow
            | TagEnd::TableHead
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::HtmlBlock
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

/// The text of raw HTML (entities decoded), without its tags and without script or style.
fn push_html_text(text: &mut String, html: &str) {
    let mut skipping = 0usize;
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) if !tag.self_closing && is_skipped(&tag.name) => skipping += 1,
            Token::EndTag(tag) if is_skipped(&tag.name) => skipping = skipping.saturating_sub(1),
            // A tag separates words: `<td>a</td><td>b</td>` is two.
            Token::StartTag(_) | Token::EndTag(_) => text.push(' '),
            Token::String(s) if skipping == 0 => text.push_str(&String::from_utf8_lossy(&s)),
            _ => {}
        }
    }
}

fn is_skipped(name: &[u8]) -> bool {
    ["script", "style", "template"]
        .iter()
        .any(|skip| name.eq_ignore_ascii_case(skip.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(body: &str) -> Vec<String> {
        plain_text(body)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// Terms and definitions are words apart, and abbreviation definitions are no words.
    #[test]
    fn definition_lists_and_abbreviations() {
        assert_eq!(
            words(
                "*[SQS]: Simple Queue Service\n\nDelivery\n: Once or twice.\n> Term\n>\n> : Spaced.\n"
            ),
            ["Delivery", "Once", "or", "twice.", "Term", "Spaced."]
        );
    }

    #[test]
    fn prose_is_kept_and_markup_is_not() {
        let body = "## A *bold* heading {#custom}\n\nSome `inline code` and a [link](https://x.org \"t\").\n{: .note}\n\n| a | b |\n|---|---|\n| cell | other |\n";
        assert_eq!(
            words(body),
            [
                "A", "bold", "heading", "Some", "inline", "code", "and", "a", "link.", "a", "b",
                "cell", "other"
            ]
        );
    }

    #[test]
    fn code_blocks_comments_and_embeds_are_left_out() {
        let body = "Before.\n\n```rust\nfn hidden() {}\n```\n\n<!-- a note -->\n\n{{ matrix(\"storage\") }}\n\nAfter.\n";
        assert_eq!(words(body), ["Before.", "After."]);
    }

    #[test]
    fn raw_html_gives_its_text_with_entities_decoded() {
        let body = "<div class=\"box\"><p>Fish &amp; chips</p><script>var secret = 1;</script><td>a</td><td>b</td></div>\n\nInline <b>bold</b>.\n";
        let text = plain_text(body);
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            ["Fish", "&", "chips", "a", "b", "Inline", "bold", "."],
            "{text:?}"
        );
        assert!(
            !text.contains("class") && !text.contains("secret"),
            "{text}"
        );
    }
}

//! kramdown abbreviations: after `*[HTML]: Hyper Text Markup Language` (a line of its own,
//! anywhere in the body, read and blanked by [`super::kramdown`]), every `HTML` of the text is
//! `<abbr title="Hyper Text Markup Language">HTML</abbr>`, as kramdown 2.4 writes it.
//!
//! As in kramdown: only whole words (no ASCII letter, digit or `_` right before or after, so
//! not `HTMLs`), the longest word first where two start alike, case as written, in text only
//! (not in code, URLs or image alt text), and an empty definition gives a bare `<abbr>`. Runs
//! after heading ids, which come from the heading's text alone, as in kramdown.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag};

use super::attributes::push_attr;
use super::doc::Doc;
use super::push_escaped;

/// Wraps every defined word of the text in `<abbr>`.
pub(super) fn mark_abbreviations(doc: &mut Doc, abbreviations: &HashMap<String, String>) {
    if abbreviations.is_empty() {
        return;
    }
    let mut words: Vec<(&str, &str)> = abbreviations
        .iter()
        .map(|(word, title)| (word.as_str(), title.as_str()))
        .collect();
    words.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    for i in 0..doc.items.len() {
        let Event::Text(text) = &doc.items[i].event else {
            continue;
        };
        if text.is_empty() || !in_prose(doc, i) {
            continue;
        }
        if let Some(html) = with_abbreviations(text, &words) {
            doc.items[i].event = Event::InlineHtml(CowStr::from(html));
        }
    }
}

/// Whether the text at item `i` is shown as text: not in code or an image's alt text.
fn in_prose(doc: &Doc, i: usize) -> bool {
    let mut at = doc.parent[i];
    while let Some(p) = at {
        if matches!(
            doc.items[p].event,
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. } | Tag::MetadataBlock(_))
        ) {
            return false;
        }
        at = doc.parent[p];
    }
    true
}

/// ASCII letters, digits and `_`: Ruby's `\w`, which bounds kramdown's abbreviations.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `text` as HTML with the abbreviations marked, or None when it holds none.
fn with_abbreviations(text: &str, words: &[(&str, &str)]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut html = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let bounded_before = at == 0 || !is_word_byte(bytes[at - 1]);
        let found = bounded_before
            .then(|| {
                words.iter().find(|(word, _)| {
                    text[at..].starts_with(word)
                        && bytes.get(at + word.len()).is_none_or(|&b| !is_word_byte(b))
                })
            })
            .flatten();
        match found {
            Some((word, title)) => {
                push_escaped(&mut html, &text[copied..at]);
                html.push_str("<abbr");
                if !title.is_empty() {
                    push_attr(&mut html, "title", title);
                }
                html.push('>');
                push_escaped(&mut html, word);
                html.push_str("</abbr>");
                at += word.len();
                copied = at;
            }
            None => at += text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if copied == 0 {
        return None;
    }
    push_escaped(&mut html, &text[copied..]);
    Some(html)
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn defined_words_become_abbr_and_the_definitions_vanish() {
        let body = "*[HTML]: Hyper Text Markup Language\n*[HTML5]: the fifth\n*[CSS]:\n\nHTML, HTML5 and CSS; not HTMLs, xHTML, `HTML` or [HTML](https://x.org/HTML \"HTML\").\n\n## Why HTML\n\n![HTML](a.png)\n\n    HTML\n";
        assert_eq!(
            html(body),
            "<p><abbr title=\"Hyper Text Markup Language\">HTML</abbr>, <abbr title=\"the fifth\">HTML5</abbr> and <abbr>CSS</abbr>; not HTMLs, xHTML, <code>HTML</code> or <a href=\"https://x.org/HTML\" title=\"HTML\"><abbr title=\"Hyper Text Markup Language\">HTML</abbr></a>.</p>\n\
             <h2 id=\"why-html\">Why <abbr title=\"Hyper Text Markup Language\">HTML</abbr></h2>\n\
             <p><img src=\"a.png\" alt=\"HTML\" /></p>\n\
             <pre class=\"highlight\" tabindex=\"0\"><code>HTML\n</code></pre>\n"
        );
    }

    #[test]
    fn a_definition_line_inside_a_paragraph_is_its_text() {
        // kramdown reads it as a definition only where a block may start.
        assert_eq!(
            html("Some text\n*[SQS]: Simple Queue Service\n\nSQS\n"),
            "<p>Some text\n*[SQS]: Simple Queue Service</p>\n<p>SQS</p>\n"
        );
        // Nor in a fenced code block.
        assert_eq!(
            html("```\n*[SQS]: x\n```\nSQS\n"),
            "<pre class=\"highlight\" tabindex=\"0\"><code>*[SQS]: x\n</code></pre>\n<p>SQS</p>\n"
        );
    }
}

//! The event vector every pass rewrites: pulldown-cmark's events with their source ranges.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options as ParseOptions, Parser};

use super::attributes::Attrs;

/// One parser event with its source range and any attributes a pass gave it.
pub(super) struct Item<'a> {
    pub(super) event: Event<'a>,
    pub(super) range: Range<usize>,
    pub(super) attrs: Option<Box<Attrs>>,
}

/// A parsed body: the items plus, for every `Start`, the index of its `End`.
pub(super) struct Doc<'a> {
    pub(super) body: &'a str,
    /// kramdown attribute list definitions, for `{: name}` references.
    pub(super) alds: HashMap<String, Attrs>,
    pub(super) items: Vec<Item<'a>>,
    /// For a `Start` at `i`, `end[i]` is its `End`; for an `End`, its `Start`.
    pub(super) partner: Vec<usize>,
    /// Index of the innermost enclosing `Start`, if any.
    pub(super) parent: Vec<Option<usize>>,
    /// Whether a `{:toc}` list has become the table of contents (kramdown makes only the first).
    pub(super) toc_placed: bool,
    /// The Markdown parser failed on this body, which was parsed again without heading ids.
    pub(super) parser_failed: bool,
    /// Tables go in a focusable, labelled scroll region (versus's markup, not Jekyll's).
    pub(super) wrap_tables: bool,
    /// Images written inside a `<picture>`, by item index: the `<source>` tag before them.
    pub(super) picture_sources: HashMap<usize, String>,
}

impl<'a> Doc<'a> {
    pub(super) fn parse(body: &'a str, alds: HashMap<String, Attrs>) -> Self {
        let opts = ParseOptions::ENABLE_TABLES
            | ParseOptions::ENABLE_FOOTNOTES
            | ParseOptions::ENABLE_STRIKETHROUGH
            | ParseOptions::ENABLE_TASKLISTS
            | ParseOptions::ENABLE_DEFINITION_LIST
            | ParseOptions::ENABLE_HEADING_ATTRIBUTES
            | ParseOptions::ENABLE_SMART_PUNCTUATION;
        let events = |opts| {
            Parser::new_ext(body, opts)
                .into_offset_iter()
                .map(|(event, range)| Item {
                    event,
                    range,
                    attrs: None,
                })
                .collect::<Vec<Item>>()
        };
        // pulldown-cmark 0.13.6 panics on some inputs with heading attributes on (found by the
        // fuzzer: `>]\n`\n> {}\n>-`); such a body is parsed again without them.
        let (items, parser_failed) = match std::panic::catch_unwind(|| events(opts)) {
            Ok(items) => (items, false),
            Err(_) => {
                let plain = opts - ParseOptions::ENABLE_HEADING_ATTRIBUTES;
                let items = std::panic::catch_unwind(|| events(plain)).unwrap_or_else(|_| {
                    vec![Item {
                        event: Event::Text(CowStr::Borrowed(body)),
                        range: 0..body.len(),
                        attrs: None,
                    }]
                });
                (items, true)
            }
        };
        let mut partner = vec![usize::MAX; items.len()];
        let mut parent = vec![None; items.len()];
        let mut open = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let (Event::End(_), Some(start)) = (&item.event, open.last().copied()) {
                open.pop();
                partner[start] = i;
                partner[i] = start;
            }
            parent[i] = open.last().copied();
            if let Event::Start(_) = item.event {
                open.push(i);
            }
        }
        Doc {
            body,
            alds,
            items,
            partner,
            parent,
            toc_placed: false,
            parser_failed,
            wrap_tables: false,
            picture_sources: HashMap::new(),
        }
    }

    /// Turns an item into nothing: empty text renders as nothing and counts no words.
    pub(super) fn remove(&mut self, i: usize) {
        let item = &mut self.items[i];
        item.event = Event::Text(CowStr::Borrowed(""));
        item.range = item.range.start..item.range.start;
        item.attrs = None;
    }

    /// The raw HTML of the HTML block that starts at item `start`: its `Html` events, joined.
    pub(super) fn html_block_text(&self, start: usize) -> String {
        let mut html = String::new();
        for item in &self.items[start + 1..self.partner[start]] {
            if let Event::Html(h) = &item.event {
                html.push_str(h);
            }
        }
        html
    }

    /// Puts `html` in place of the raw HTML of the HTML block that starts at item `start`: its
    /// first `Html` event gets it, the other events of the block are removed.
    pub(super) fn replace_html_block(&mut self, start: usize, html: String) {
        let end = self.partner[start];
        let first = (start + 1..end).find(|&j| matches!(self.items[j].event, Event::Html(_)));
        if let Some(first) = first {
            for j in first + 1..end {
                self.remove(j);
            }
            self.items[first].event = Event::Html(html.into());
        }
    }

    pub(super) fn is_removed(&self, i: usize) -> bool {
        matches!(&self.items[i].event, Event::Text(t) if t.is_empty())
    }

    /// The source text of an item.
    pub(super) fn source(&self, i: usize) -> &'a str {
        self.body.get(self.items[i].range.clone()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    /// Found by the fuzzer: pulldown-cmark 0.13.6 itself panics on this body with heading
    /// attributes on; versus renders it without them and warns.
    #[test]
    fn a_body_the_parser_fails_on_is_rendered_with_a_warning() {
        let r = render_with(">]\n`\n> {}\n>-", &no_sources);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].message.contains("pulldown-cmark"));
        assert!(r.html.contains("<blockquote>"), "{}", r.html);
    }
}

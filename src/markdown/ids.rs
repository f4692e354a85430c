//! Pass 7: heading ids as kramdown's GFM parser makes them, so anchors written for Jekyll hold.

use std::collections::HashMap;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::attributes::Attrs;
use super::doc::Doc;
use super::toc::{nest_toc, title_html};
use super::{Heading, TocEntry};
use crate::config::CodeMarkup;

/// The kramdown GFM automatic id of a heading text, before making it unique.
pub fn heading_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c == ' ' || c == '\t' {
            id.push('-');
        } else if c == '-' || c == '_' || is_word_char(c) {
            id.push(c);
        }
    }
    if id.is_empty() {
        id.push_str("section");
    }
    id
}

/// Ruby's `\p{Word}` (letter, mark, number, connector punctuation), approximated
/// with what `std` offers: alphanumerics plus the common combining-mark blocks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c,
            '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0900}'..='\u{0903}'
            | '\u{093A}'..='\u{094F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
            | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}'
            | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}')
}

/// Gives every Markdown heading a unique id (kramdown GFM style, so anchors written
/// for Jekyll keep working) and builds the flat list and the nested TOC.
pub(super) fn assign_heading_ids(
    doc: &mut Doc,
    code_markup: CodeMarkup,
) -> (Vec<Heading>, Vec<TocEntry>) {
    let mut starts = Vec::new();
    for (i, item) in doc.items.iter_mut().enumerate() {
        let Event::Start(Tag::Heading {
            id, classes, attrs, ..
        }) = &mut item.event
        else {
            continue;
        };
        // Fold pulldown's `{#id .class key=value}` into ours; a block IAL wins.
        let mut merged = Attrs {
            id: id.take().map(|s| s.to_string()),
            classes: classes.drain(..).map(|c| c.to_string()).collect(),
            pairs: attrs
                .drain(..)
                .map(|(k, v)| (k.to_string(), v.map(|v| v.to_string()).unwrap_or_default()))
                .collect(),
            toc: false,
        };
        if let Some(ial) = item.attrs.take() {
            merged.merge(*ial);
        }
        item.attrs = Some(Box::new(merged));
        starts.push(i);
    }

    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut headings = Vec::with_capacity(starts.len());
    let mut flat_toc = Vec::new();
    for i in starts {
        let end = doc.partner[i];
        let Event::Start(Tag::Heading { level, .. }) = doc.items[i].event else {
            continue;
        };
        let level = heading_level(level);
        let mut id_text = String::new();
        let mut text = String::new();
        let mut image_depth = 0;
        for k in i + 1..end {
            match &doc.items[k].event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => image_depth -= 1,
                Event::Text(t) => {
                    text.push_str(t);
                    if image_depth == 0 {
                        // Typographic text, as kramdown's GFM parser feeds its ids: `--` is an
                        // en dash here, then dropped as a non-word character.
                        id_text.push_str(t);
                    }
                }
                Event::Code(c) => {
                    text.push_str(c);
                    if image_depth == 0 {
                        id_text.push_str(c);
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    text.push(' ');
                    id_text.push(' ');
                }
                _ => {}
            }
        }
        let attrs = doc.items[i].attrs.get_or_insert_with(Box::default);
        let id = match &attrs.id {
            Some(id) => id.clone(),
            None => {
                // As kramdown: the nth repeat of a text gets `-n`, whatever other ids exist
                // (so a deep link written for Jekyll lands where it did there).
                let base = heading_id(&id_text);
                let counter = counters.entry(base.clone()).or_insert(0);
                let id = match *counter {
                    0 => base,
                    n => format!("{base}-{n}"),
                };
                *counter += 1;
                attrs.id = Some(id.clone());
                id
            }
        };
        if !attrs.classes.iter().any(|c| c == "no_toc") {
            flat_toc.push(TocEntry {
                level,
                id: id.clone(),
                title: title_html(&doc.items[i + 1..end], code_markup),
                children: Vec::new(),
            });
        }
        headings.push(Heading {
            level,
            id,
            text,
            offset: doc.items[i].range.start,
        });
    }
    (headings, nest_toc(flat_toc))
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::*;

    #[test]
    fn heading_ids_follow_kramdown_gfm() {
        let cases = [
            (
                "How managed is the managed service?",
                "how-managed-is-the-managed-service",
            ),
            (
                "Architectural components for kuberentes setup",
                "architectural-components-for-kuberentes-setup",
            ),
            ("1. Step one", "1-step-one"),
            ("Über café", "über-café"),
            ("C++ & Rust: a -- b", "c--rust-a----b"),
            ("snake_case and  two", "snake_case-and--two"),
            ("!!!", "section"),
        ];
        for (text, id) in cases {
            assert_eq!(heading_id(text), id, "{text}");
        }
    }

    #[test]
    fn heading_ids_in_html_use_typographic_text_as_jekyll_does() {
        let out = html("## C++ & Rust: a -- b\n\n## \"Quoted\" it's...\n");
        assert!(
            out.contains("<h2 id=\"c--rust-a--b\">C++ &amp; Rust: a – b</h2>"),
            "{out}"
        );
        assert!(out.contains("<h2 id=\"quoted-its\">"), "{out}");
    }

    #[test]
    fn heading_ids_keep_link_text_and_code_but_drop_urls_and_alt() {
        let out = html("# See [the docs](http://x.org/a) and `fn_x` ![logo](l.png)\n");
        assert!(out.contains("<h1 id=\"see-the-docs-and-fn_x-\">"), "{out}");
    }

    #[test]
    fn heading_ids_repeat_as_on_kramdown_and_custom_ids_win() {
        let r = render_with(
            "# Foo\n\n# Foo\n\n# Foo {#foo-1}\n\n# Foo\n\n# Bar {#bar}\n",
            &no_sources,
        );
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        // kramdown counts repeats of each text and does not look at other ids.
        assert_eq!(ids, ["foo", "foo-1", "foo-1", "foo-2", "bar"]);
        assert!(r.html.contains("<h1 id=\"foo-1\">Foo</h1>"), "{}", r.html);
        assert_eq!(r.headings[0].offset, 0);
        assert_eq!(r.headings[1].offset, 7);
    }

    #[test]
    fn raw_html_headings_get_no_id() {
        let r = render_with("<h2>Raw</h2>\n\n## Md\n", &no_sources);
        assert!(r.html.contains("<h2>Raw</h2>"), "{}", r.html);
        assert_eq!(r.headings.len(), 1);
    }
}

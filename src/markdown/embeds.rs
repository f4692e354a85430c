//! Pass 2: a paragraph that is only `{{ matrix(...) }}` becomes a generated table.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::doc::Doc;
use super::{ExpandEmbed, Problem};

/// A paragraph that is nothing but `{{ ... }}` may be an embed (a generated table). Code blocks
/// and inline code are never paragraphs of that shape, so the same text stays literal there.
pub(super) fn expand_embeds(doc: &mut Doc, expand: ExpandEmbed, problems: &mut Vec<Problem>) {
    for i in 0..doc.items.len() {
        if !matches!(doc.items[i].event, Event::Start(Tag::Paragraph)) {
            continue;
        }
        let source = doc.source(i).trim();
        let is_call = source.starts_with("{{")
            && source.ends_with("}}")
            && !source[2..source.len() - 2].contains("}}");
        if !is_call {
            continue;
        }
        let heading = heading_before(doc, i);
        match expand(source, heading.as_deref()) {
            None => {}
            Some(Ok(html)) => {
                let end = doc.partner[i];
                for k in i + 1..=end {
                    doc.remove(k);
                }
                doc.items[i].event = Event::Html(format!("{html}\n").into());
            }
            Some(Err(message)) => problems.push(Problem {
                offset: doc.items[i].range.start,
                message,
            }),
        }
    }
}

/// The plain text of the heading right before the block that starts at `i`, if that is one.
fn heading_before(doc: &Doc, i: usize) -> Option<String> {
    let end = (0..i).rev().find(|&k| !doc.is_removed(k))?;
    if !matches!(doc.items[end].event, Event::End(TagEnd::Heading(_))) {
        return None;
    }
    let mut text = String::new();
    for item in &doc.items[doc.partner[end] + 1..end] {
        match &item.event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::{Options, render};

    #[test]
    fn an_embed_is_told_the_heading_right_above_it() {
        let seen = std::sync::Mutex::new(Vec::new());
        let expand = |source: &str, heading: Option<&str>| {
            seen.lock().unwrap().push(heading.map(str::to_owned));
            Some(Ok(format!("<table>{source}</table>")))
        };
        let options = Options {
            expand_embed: Some(&expand),
            ..Options::default()
        };
        let body = "## JSON *columns*\n\n{{ matrix(\"a\") }}\n\nText.\n\n{{ matrix(\"b\") }}\n";
        let out = render(body, &options);
        assert!(out.html.contains("<table>{{ matrix(\"b\") }}</table>"));
        assert_eq!(*seen.lock().unwrap(), [Some("JSON columns".into()), None]);
    }
}

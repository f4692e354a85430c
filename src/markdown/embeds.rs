//! Pass 2: a paragraph that is only `{{ matrix(...) }}` becomes a generated table.

use pulldown_cmark::{Event, Tag};

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
        match expand(source) {
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

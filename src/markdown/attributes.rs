//! kramdown inline attribute lists (`{: .class #id key="v"}`): parsing, and passes 4 and 5,
//! which put them on the span or block they follow.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag};

use super::doc::Doc;
use super::push_escaped;
use super::toc::TOC_PLACEHOLDER;

/// What a kramdown IAL (`{: .class #id key="value"}`) sets.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Attrs {
    pub(super) id: Option<String>,
    pub(super) classes: Vec<String>,
    pub(super) pairs: Vec<(String, String)>,
    /// The bare `toc` reference of kramdown's `{:toc}` marker.
    pub(super) toc: bool,
}

impl Attrs {
    pub(super) fn merge(&mut self, other: Attrs) {
        if other.id.is_some() {
            self.id = other.id;
        }
        self.classes.extend(other.classes);
        self.pairs.extend(other.pairs);
        self.toc |= other.toc;
    }

    /// ` id="…" class="…" key="…"`, escaped, for an opening tag.
    pub(super) fn write(&self, out: &mut String, extra_class: Option<&str>) {
        if let Some(id) = &self.id {
            push_attr(out, "id", id);
        }
        let mut classes: Vec<&str> = extra_class.into_iter().collect();
        classes.extend(self.classes.iter().map(String::as_str));
        if !classes.is_empty() {
            push_attr(out, "class", &classes.join(" "));
        }
        for (key, value) in &self.pairs {
            push_attr(out, key, value);
        }
    }
}

pub(super) fn push_attr(out: &mut String, key: &str, value: &str) {
    out.push(' ');
    out.push_str(key);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// Parses an IAL at the start of `s`, returning it and its length in bytes; bare names refer
/// to attribute list definitions (`alds`). `None` for anything else kramdown-ish
/// (`{::comment}`, unknown references), which then stays visible as text.
pub(super) fn parse_ial(s: &str, alds: &HashMap<String, Attrs>) -> Option<(Attrs, usize)> {
    let mut rest = s.strip_prefix("{:")?;
    if rest.starts_with(':') {
        return None;
    }
    let mut attrs = Attrs::default();
    let mut any = false;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix('}') {
            let len = s.len() - after.len();
            return any.then_some((attrs, len));
        }
        let token_end = rest.find([' ', '\t', '}', '=', '\n']).unwrap_or(rest.len());
        let (token, after) = rest.split_at(token_end);
        if let Some(class) = token.strip_prefix('.') {
            if !is_name(class) {
                return None;
            }
            attrs.classes.push(class.to_owned());
            rest = after;
        } else if let Some(id) = token.strip_prefix('#') {
            if !is_name(id) {
                return None;
            }
            attrs.id = Some(id.to_owned());
            rest = after;
        } else if let Some(value_and_rest) = after.strip_prefix('=') {
            if !is_name(token) {
                return None;
            }
            let quote = value_and_rest
                .chars()
                .next()
                .filter(|q| *q == '"' || *q == '\'')?;
            let (value, after_value) = parse_quoted(&value_and_rest[1..], quote)?;
            attrs.pairs.push((token.to_owned(), value));
            rest = after_value;
        } else if token == "toc" {
            attrs.toc = true;
            rest = after;
        } else if let Some(defined) = alds.get(token) {
            attrs.merge(defined.clone());
            rest = after;
        } else {
            return None;
        }
        any = true;
    }
}

/// Reads a quoted value up to the closing `quote` (backslash escapes it).
fn parse_quoted(s: &str, quote: char) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, next) = chars.next()?;
                if next != quote && next != '\\' {
                    value.push('\\');
                }
                value.push(next);
            }
            c if c == quote => return Some((value, &s[i + c.len_utf8()..])),
            '\n' => return None,
            c => value.push(c),
        }
    }
    None
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

// Pass 4: span IALs

/// `[text](url){:target="_blank"}`: the attributes go on the `<a>` or `<img>`
/// and the IAL text (split into several events by smart punctuation) is removed.
pub(super) fn apply_span_ials(doc: &mut Doc) {
    for i in 0..doc.items.len() {
        if !matches!(
            doc.items[i].event,
            Event::Start(Tag::Link { .. } | Tag::Image { .. })
        ) {
            continue;
        }
        let after = doc.items[i].range.end;
        let Some((attrs, len)) = doc.body.get(after..).and_then(|s| parse_ial(s, &doc.alds)) else {
            continue;
        };
        let ial_end = after + len;
        // The IAL must consist of plain text events directly after the link.
        let mut j = doc.partner[i] + 1;
        let mut last = None;
        while j < doc.items.len() && doc.items[j].range.start < ial_end {
            if !matches!(doc.items[j].event, Event::Text(_)) || doc.items[j].range.start < after {
                break;
            }
            last = Some(j);
            j += 1;
        }
        let Some(last) = last else { continue };
        if doc.items[last].range.end < ial_end {
            continue;
        }
        for k in doc.partner[i] + 1..last {
            doc.remove(k);
        }
        trim_text_start(doc, last, ial_end);
        doc.items[i].attrs = Some(Box::new(attrs));
    }
}

/// Drops the part of text item `i` before source offset `from`.
fn trim_text_start(doc: &mut Doc, i: usize, from: usize) {
    let range = doc.items[i].range.clone();
    if from >= range.end {
        doc.remove(i);
        return;
    }
    let source = doc.source(i);
    let Event::Text(text) = &doc.items[i].event else {
        return;
    };
    // Verbatim text can be cut at the same place; otherwise fall back to the source.
    let kept = if &text[..] == source {
        text[from - range.start..].to_owned()
    } else {
        doc.body.get(from..range.end).unwrap_or("").to_owned()
    };
    doc.items[i].event = Event::Text(kept.into());
    doc.items[i].range = from..range.end;
}

// Pass 5: block IALs

/// A `{:...}` line directly after a block applies to that block. After a paragraph
/// (or a tight list item's text, or lazily after a list or quote) the line is part
/// of the paragraph in CommonMark, so it is cut off; after a heading, table or
/// code block it is a paragraph of its own, which disappears.
pub(super) fn apply_block_ials(doc: &mut Doc) {
    for i in 0..doc.items.len() {
        let is_text_block = match &doc.items[i].event {
            Event::Start(Tag::Paragraph) => true,
            Event::Start(Tag::Item) => false,
            Event::Start(Tag::TableRow) => {
                table_row_ial(doc, i);
                continue;
            }
            _ => continue,
        };
        if is_text_block {
            leading_ial(doc, i);
        }
        let end = doc.partner[i];
        // Walk back over the trailing text events to the line break before them.
        let mut first = end;
        while first > i + 1 && matches!(doc.items[first - 1].event, Event::Text(_)) {
            first -= 1;
        }
        if first == end {
            continue;
        }
        let Some(attrs) = ial_of(doc, first, end) else {
            continue;
        };
        let before = &doc.items[first - 1].event;
        if matches!(before, Event::SoftBreak | Event::HardBreak) {
            let target = lazy_target(doc, i, doc.items[first].range.start);
            if attach(doc, target, attrs) {
                for k in first - 1..end {
                    doc.remove(k);
                }
            }
        } else if is_text_block && first == i + 1 {
            // A paragraph holding only the IAL: it belongs to the block before, or when it
            // follows none (a blank line or the start comes first), to the block after.
            let target = previous_block(doc, i).or_else(|| next_block(doc, i));
            if target.is_some_and(|target| attach(doc, target, attrs)) {
                for k in i..=end {
                    doc.remove(k);
                }
            }
        }
    }
}

/// `{: .lead}` as the first line of a paragraph (`{: .lead}\nText`): kramdown reads the line
/// as an IAL of its own, for the block just before it, or for this paragraph when none is.
fn leading_ial(doc: &mut Doc, para: usize) {
    let end = doc.partner[para];
    let mut brk = para + 1;
    while brk < end && matches!(doc.items[brk].event, Event::Text(_)) {
        brk += 1;
    }
    if brk == para + 1 || brk == end || !matches!(doc.items[brk].event, Event::SoftBreak) {
        return;
    }
    let line_start = doc.items[para + 1].range.start;
    let at_line_start = doc.body[..line_start]
        .chars()
        .next_back()
        .is_none_or(|c| c == '\n' || c == ' ' || c == '>');
    let Some(attrs) = ial_of(doc, para + 1, brk).filter(|_| at_line_start) else {
        return;
    };
    let target = previous_block(doc, para).unwrap_or(para);
    if attach(doc, target, attrs) {
        for k in para + 1..=brk {
            doc.remove(k);
        }
    }
}

/// The block that starts right after the block ending at `partner[i]`, within the same parent.
fn next_block(doc: &Doc, i: usize) -> Option<usize> {
    let mut next = doc.partner[i] + 1;
    while next < doc.items.len() && doc.is_removed(next) {
        next += 1;
    }
    let starts_block = matches!(doc.items.get(next)?.event, Event::Start(_));
    (starts_block && doc.parent[next] == doc.parent[i]).then_some(next)
}

/// GFM makes an IAL line after a table the table's last row; take it back.
fn table_row_ial(doc: &mut Doc, row: usize) {
    let end = doc.partner[row];
    let Some(table) = doc.parent[row] else { return };
    if doc.partner[table] != end + 1 {
        return;
    }
    let source = doc.source(row).trim();
    let Some((attrs, len)) = parse_ial(source, &doc.alds) else {
        return;
    };
    if len == source.len() && attach(doc, table, attrs) {
        for k in row..=end {
            doc.remove(k);
        }
    }
}

/// The IAL spelled by text items `first..end`, if they hold exactly one.
fn ial_of(doc: &Doc, first: usize, end: usize) -> Option<Attrs> {
    let start = doc.items[first].range.start;
    let stop = doc.items[end - 1].range.end;
    let source = doc.body.get(start..stop)?.trim_end();
    let (attrs, len) = parse_ial(source, &doc.alds)?;
    (len == source.len()).then_some(attrs)
}

/// The block an IAL line ending paragraph `para` applies to: the paragraph itself,
/// or, when the line is a lazy continuation at column 0 and the paragraph ends a
/// list or quote, the outermost such list or quote (as kramdown, where that line
/// ends the list or quote).
fn lazy_target(doc: &Doc, para: usize, ial_start: usize) -> usize {
    let line_start = doc.body[..ial_start].rfind('\n').map_or(0, |n| n + 1);
    let mut target = para;
    if line_start != ial_start {
        return target;
    }
    let mut node = para;
    while let Some(parent) = doc.parent[node] {
        if doc.partner[node] + 1 != doc.partner[parent] {
            break;
        }
        match doc.items[parent].event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_)) => target = parent,
            Event::Start(Tag::Item) => {}
            _ => break,
        }
        node = parent;
    }
    target
}

/// The block ending on the line just before the one starting at item `i`.
fn previous_block(doc: &Doc, i: usize) -> Option<usize> {
    let mut prev = i.checked_sub(1)?;
    while doc.is_removed(prev) {
        prev = prev.checked_sub(1)?;
    }
    let Event::End(_) = doc.items[prev].event else {
        return None;
    };
    let start = doc.partner[prev];
    let line_start = doc.body[..doc.items[i].range.start].rfind('\n')? + 1;
    let prev_line_start = doc.body[..line_start - 1].rfind('\n').map_or(0, |n| n + 1);
    let prev_line = &doc.body[prev_line_start..line_start - 1];
    let prev_line_blank = prev_line
        .trim_matches(|c: char| c.is_whitespace() || c == '>')
        .is_empty();
    (!prev_line_blank && doc.items[start].range.end > prev_line_start).then_some(start)
}

/// Puts `attrs` on block `target`; false if that block cannot take them (then
/// the IAL stays visible).
fn attach(doc: &mut Doc, target: usize, mut attrs: Attrs) -> bool {
    let event = &doc.items[target].event;
    // As kramdown, only the first `{:toc}` list becomes the table of contents; a later one
    // stays the list it is (and a page cannot repeat the TOC until it fills the memory).
    attrs.toc &= !doc.toc_placed;
    if attrs.toc {
        // kramdown's `* TOC` + `{:toc}`: the whole list becomes the TOC.
        if !matches!(event, Event::Start(Tag::List(_))) {
            return false;
        }
        doc.toc_placed = true;
        let end = doc.partner[target];
        for k in target + 1..=end {
            doc.remove(k);
        }
        doc.items[target].event = Event::Html(CowStr::Borrowed(TOC_PLACEHOLDER));
        return true;
    }
    let fits = matches!(
        event,
        Event::Start(
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::List(_)
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::Table(_)
                | Tag::CodeBlock(_)
        )
    );
    if fits {
        match &mut doc.items[target].attrs {
            Some(existing) => existing.merge(attrs),
            slot => *slot = Some(Box::new(attrs)),
        }
    }
    fits
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn span_ial_on_link() {
        let out = html(
            "Go [here](https://x.org/?a=1&b=2 \"T\"){:target=\"_blank\" rel=\"noopener noreferrer\"} now.\n",
        );
        assert_eq!(
            out,
            "<p>Go <a href=\"https://x.org/?a=1&amp;b=2\" title=\"T\" target=\"_blank\" rel=\"noopener noreferrer\">here</a> now.</p>\n"
        );
    }

    #[test]
    fn span_ial_variants() {
        let out = html("[a](u){: target=\"_blank\" } and [b](v){:.cls #ident key='v'}\n");
        assert!(
            out.contains("<a href=\"u\" target=\"_blank\">a</a> and "),
            "{out}"
        );
        assert!(
            out.contains("<a href=\"v\" id=\"ident\" class=\"cls\" key=\"v\">b</a>"),
            "{out}"
        );
        assert!(!out.contains('{'), "{out}");
    }

    #[test]
    fn span_ial_on_image() {
        let out = html("![A *cat*](cat.png){:.wide width=\"300\"}\n");
        assert_eq!(
            out,
            "<p><img src=\"cat.png\" alt=\"A cat\" class=\"wide\" width=\"300\" /></p>\n"
        );
    }

    #[test]
    fn span_ial_in_heading_is_not_in_id() {
        let r = render_with(
            "## Read [this](https://a.b){:target=\"_blank\"} first\n",
            &no_sources,
        );
        assert_eq!(r.headings[0].id, "read-this-first");
        assert!(
            r.html
                .contains("<a href=\"https://a.b\" target=\"_blank\">this</a> first</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc[0].title, "Read this first");
    }

    #[test]
    fn block_ial_after_paragraph() {
        assert_eq!(
            html("Some text\nmore.\n{: .note #n1}\n"),
            "<p id=\"n1\" class=\"note\">Some text\nmore.</p>\n"
        );
        assert_eq!(html("Hi\n{: key=\"v\"}\n"), "<p key=\"v\">Hi</p>\n");
    }

    #[test]
    fn block_ial_after_heading_and_no_toc() {
        let r = render_with(
            "# Title\n{: .no_toc}\n\n## Intro\n{:#start}\n\ntext\n",
            &no_sources,
        );
        assert!(
            r.html
                .contains("<h1 id=\"title\" class=\"no_toc\">Title</h1>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"start\">Intro</h2>"), "{}", r.html);
        assert!(!r.html.contains('{'), "{}", r.html);
        assert_eq!(r.toc.len(), 1);
        assert_eq!(r.toc[0].id, "start");
        assert_eq!(r.headings.len(), 2);
    }

    #[test]
    fn block_ial_after_list_quote_table_and_code() {
        let out = html("* a\n* b\n{: .list}\n");
        assert!(
            out.starts_with("<ul class=\"list\">\n<li>a</li>\n<li>b</li>\n</ul>"),
            "{out}"
        );
        let out = html("> quoted\n{: .q}\n");
        assert!(
            out.starts_with("<blockquote class=\"q\">\n<p>quoted</p>\n</blockquote>"),
            "{out}"
        );
        let out = html("| a |\n|---|\n| b |\n{: .t}\n");
        assert!(out.starts_with("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table: a\">\n<table class=\"t\"><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>b</td></tr>\n</tbody></table>\n</div>"), "{out}");
        let out = html("```\nx\n```\n{: .c}\n");
        assert_eq!(
            out,
            "<pre class=\"highlight c\" tabindex=\"0\"><code>x\n</code></pre>\n"
        );
    }

    /// Found on a real Jekyll blog: `{:.no_toc}` on the line before a list stayed text.
    #[test]
    fn block_ial_before_a_block_applies_to_it() {
        let out = html("Intro.\n\n{:.no_toc}\n* a\n* b\n");
        assert!(
            out.starts_with("<p>Intro.</p>\n<ul class=\"no_toc\">\n<li>a</li>"),
            "{out}"
        );
        // As the first line of a paragraph, or with a blank line before the block.
        let out = html("{: .lead}\nText\nmore.\n\n{: #q}\n\n> quoted\n");
        assert!(
            out.starts_with("<p class=\"lead\">Text\nmore.</p>\n<blockquote id=\"q\">"),
            "{out}"
        );
        // Right after a block it is still that block's.
        let out = html("## Head\n{: .h}\nText\n");
        assert!(
            out.starts_with("<h2 id=\"head\" class=\"h\">Head</h2>\n<p>Text</p>"),
            "{out}"
        );
    }

    #[test]
    fn block_ial_inside_list_item() {
        let out = html("* a\n  {: .item}\n* b\n");
        assert!(
            out.starts_with("<ul>\n<li class=\"item\">a</li>\n<li>b</li>"),
            "{out}"
        );
    }

    #[test]
    fn text_after_span_ial_keeps_smart_punctuation() {
        let out = html("[a](u){:rel=\"x\"}'s \"b\"\n");
        assert_eq!(out, "<p><a href=\"u\" rel=\"x\">a</a>’s “b”</p>\n");
    }

    #[test]
    fn kramdownish_text_that_is_not_an_ial_stays() {
        let out = html("para\n\n{::comment}\nx\n{:/comment}\n\n[a](b){:nope}\n\n{: .orphan}\n");
        assert!(out.ends_with("<p>{: .orphan}</p>\n"), "{out}");
        assert!(out.contains("{::comment}"), "{out}");
        assert!(out.contains("<a href=\"b\">a</a>{:nope}"), "{out}");
    }

    #[test]
    fn attribute_list_definitions_apply_where_referenced() {
        let body = "{:note: .note style=\"color: red\"}\n{:wide: #w}\n\nText.\n{: note}\n\n| a |\n|---|\n| 1 |\n{: wide .x}\n\n[l](u){: note}\n\n```\n{:code: .c}\n```\n";
        let out = html(body);
        assert!(
            out.starts_with(
                "<p class=\"note\" style=\"color: red\">Text.</p>\n<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table: a\">\n<table id=\"w\" class=\"x\">"
            ),
            "{out}"
        );
        assert!(
            out.contains("<a href=\"u\" class=\"note\" style=\"color: red\">l</a>"),
            "{out}"
        );
        assert!(!out.contains("{:note:"), "{out}");
        // Inside code a definition is just code.
        assert!(out.contains("{:code: .c}"), "{out}");
    }
}

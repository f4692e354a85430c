//! Markdown body → HTML, table of contents and problems.
//!
//! The body is parsed once with pulldown-cmark (`into_offset_iter`, so every event
//! knows its byte range in the body) into a vector of [`Item`]s. Small passes then
//! rewrite that vector in place; removed events become empty text so indices stay
//! stable. In order:
//!
//! 1. [`strip_html_comments`]: drop `<!-- -->` from raw HTML.
//! 2. [`expand_embeds`]: a paragraph that is only `{{ matrix(...) }}` → a generated table.
//! 3. [`resolve_source_links`]: `foo.md` links → page URLs (or a [`Problem`]).
//! 4. [`apply_span_ials`]: kramdown `{:...}` right after a link or image.
//! 5. [`apply_block_ials`]: kramdown `{:...}` lines after a block; the `{:toc}` marker.
//! 6. [`render_code_blocks`]: highlighted `<pre>` blocks.
//! 7. [`assign_heading_ids`]: Jekyll-compatible ids, the flat heading list and the TOC.
//! 8. [`number_footnotes`]: footnote references in order of first use.
//! 9. [`write_html`] (pulldown's `push_html` plus the footnotes section).
//!
//! IALs are always read from the source text, never from `Text` events, because
//! smart punctuation rewrites quotes and dashes in those events.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options as ParseOptions, Parser, Tag,
    TagEnd,
};
use serde::Serialize;

use crate::config::CodeMarkup;
pub use crate::text::{escape_html, push_escaped};

/// Turns a relative link to a Markdown source (as written, without `#fragment`: "2023-08-11-foo.md",
/// "../about.md") into the URL of the page built from it; None if no such source exists.
pub type ResolveSourceLink<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Expands a paragraph that is only a `{{ call(...) }}` (a matrix table): None leaves it as
/// text, `Some(Ok(html))` replaces it, `Some(Err(message))` reports a problem.
pub type ExpandEmbed<'a> = &'a (dyn Fn(&str) -> Option<Result<String, String>> + Sync);

/// The width and height in pixels of the image at `src` (as written in the Markdown), when
/// the site has it and it can be read; the `<img>` then gets them, so the page does not
/// shift as it loads.
pub type ImageSize<'a> = &'a (dyn Fn(&str) -> Option<(u32, u32)> + Sync);

/// How [`render`] connects a page to the rest of the site; without them, source links and
/// embeds stay as written, images get no size, and code is highlighted afresh.
#[derive(Default, Clone, Copy)]
pub struct Options<'a> {
    pub resolve_source_link: Option<ResolveSourceLink<'a>>,
    pub expand_embed: Option<ExpandEmbed<'a>>,
    pub highlight_cache: Option<&'a crate::highlight::DiskCache>,
    pub image_size: Option<ImageSize<'a>>,
    /// The HTML around code: versus's, or Jekyll's for a Jekyll theme's stylesheet.
    pub code_markup: CodeMarkup,
}

/// The result of rendering one body.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub html: String,
    /// Nested by heading level; headings marked `.no_toc` are left out.
    pub toc: Vec<TocEntry>,
    /// Every heading we gave an id, flat, in document order.
    pub headings: Vec<Heading>,
    /// The caller turns offsets into `path:line:col`.
    pub problems: Vec<Problem>,
    /// Like problems, but the page is still written: code too expensive to highlight.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// HTML of the heading's inline content, without links (the entry is itself a link).
    pub title: String,
    pub children: Vec<TocEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    /// Plain text, as rendered (smart punctuation applied).
    pub text: String,
    /// Byte offset of the heading in the body.
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Byte offset in the body.
    pub offset: usize,
    pub message: String,
}

/// Renders a Markdown body; never fails, anything suspicious becomes a [`Problem`].
pub fn render(body: &str, options: &Options) -> Rendered {
    let mut source = KramdownSource::new(body);
    let alds = std::mem::take(&mut source.alds);
    let mut doc = Doc::parse(&source.text, alds);
    doc.wrap_tables = options.code_markup == CodeMarkup::Versus;
    let mut problems = Vec::new();
    strip_html_comments(&mut doc);
    kramdown_quotes(&mut doc);
    if let Some(expand) = options.expand_embed {
        expand_embeds(&mut doc, expand, &mut problems);
    }
    if let Some(resolve) = options.resolve_source_link {
        resolve_source_links(&mut doc, resolve, &mut problems);
    }
    apply_span_ials(&mut doc);
    apply_block_ials(&mut doc);
    if let Some(size) = options.image_size {
        size_images(&mut doc, size);
    }
    let mut warnings = Vec::new();
    if doc.parser_failed {
        warnings.push(Problem {
            offset: 0,
            message: "the Markdown parser (pulldown-cmark) failed on this text and it was read again without `{#id}` heading attributes; look for an odd mix of `>`, backticks and `{}`".into(),
        });
    }
    render_code_blocks(&mut doc, options, &mut warnings);
    let (headings, toc) = assign_heading_ids(&mut doc, options.code_markup);
    if options.code_markup == CodeMarkup::Jekyll {
        mark_inline_code(&mut doc);
    }
    let footnotes = number_footnotes(&mut doc);
    let html = write_html(&doc, &toc, &footnotes);
    Rendered {
        html,
        toc,
        headings: headings
            .into_iter()
            .map(|h| Heading {
                offset: source.body_offset(h.offset),
                ..h
            })
            .collect(),
        problems: problems
            .into_iter()
            .map(|p| Problem {
                offset: source.body_offset(p.offset),
                ..p
            })
            .collect(),
        warnings: warnings
            .into_iter()
            .map(|p| Problem {
                offset: source.body_offset(p.offset),
                ..p
            })
            .collect(),
    }
}

/// The body as pulldown-cmark is given it: kramdown's block habits that CommonMark reads
/// otherwise are rewritten first. Attribute list definitions (`{:name: .class}`) are read and
/// their lines blanked (same length, so offsets hold); an HTML block ends at its closing tag,
/// so a blank line goes after it when Markdown follows (CommonMark runs it to a blank line).
struct KramdownSource {
    text: String,
    /// Offsets in `text` of the newlines added, ascending.
    inserted: Vec<usize>,
    alds: HashMap<String, Attrs>,
}

/// Block-level HTML elements (CommonMark's HTML block type 6, as kramdown's block elements).
const HTML_BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "dialog",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "table",
    "ul",
    "video",
    "center",
];

impl KramdownSource {
    fn new(body: &str) -> KramdownSource {
        let mut text = String::with_capacity(body.len() + 16);
        let mut inserted = Vec::new();
        let mut alds: HashMap<String, Attrs> = HashMap::new();
        let mut fence: Option<(char, usize)> = None;
        // The open HTML block: its tag and how many of it are open.
        let mut html: Option<(&str, usize)> = None;
        let mut lines = body.split_inclusive('\n').peekable();
        while let Some(line) = lines.next() {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if let Some((mark, len)) = fence {
                text.push_str(line);
                let run = trimmed.len() - trimmed.trim_start_matches(mark).len();
                if indent < 4 && run >= len && trimmed[run..].trim().is_empty() {
                    fence = None;
                }
                continue;
            }
            let run_of = |c: char| trimmed.len() - trimmed.trim_start_matches(c).len();
            if indent < 4 && html.is_none() && (run_of('`') >= 3 || run_of('~') >= 3) {
                let mark = if run_of('`') >= 3 { '`' } else { '~' };
                fence = Some((mark, run_of(mark)));
                text.push_str(line);
                continue;
            }
            if indent < 4
                && html.is_none()
                && let Some((name, attrs)) = parse_ald(trimmed.trim_end(), &alds)
            {
                alds.insert(name, attrs);
                text.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
                continue;
            }
            if html.is_none() && indent < 4 {
                html = HTML_BLOCK_TAGS
                    .iter()
                    .find(|tag| opens_tag(trimmed, tag))
                    .map(|tag| (*tag, 0));
            }
            text.push_str(line);
            if let Some((tag, depth)) = &mut html {
                let opened = count_tags(line, tag, false);
                let closed = count_tags(line, tag, true);
                *depth = (*depth + opened).saturating_sub(closed);
                let blank_next = lines.peek().is_none_or(|l| l.trim().is_empty());
                if *depth == 0 || line.trim().is_empty() {
                    if *depth == 0 && closed > 0 && !blank_next && !line.trim().is_empty() {
                        if !text.ends_with('\n') {
                            text.push('\n');
                            inserted.push(text.len() - 1);
                        }
                        inserted.push(text.len());
                        text.push('\n');
                    }
                    html = None;
                }
            }
        }
        KramdownSource {
            text,
            inserted,
            alds,
        }
    }

    /// The offset in the body of an offset in `text`.
    fn body_offset(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&i| i < offset)
    }
}

/// Whether `line` starts with `<tag` followed by whitespace, `>` or `/`.
fn opens_tag(line: &str, tag: &str) -> bool {
    line.strip_prefix('<')
        .and_then(|rest| {
            rest.get(..tag.len())
                .filter(|t| t.eq_ignore_ascii_case(tag))
                .map(|_| &rest[tag.len()..])
        })
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r', '>', '/']))
}

/// How many `<tag` (or `</tag`) a line holds.
fn count_tags(line: &str, tag: &str, closing: bool) -> usize {
    let prefix = if closing { "</" } else { "<" };
    let lower = line.to_ascii_lowercase();
    lower
        .match_indices(prefix)
        .filter(|(i, _)| {
            let rest = &lower[i + prefix.len()..];
            rest.starts_with(tag)
                && rest[tag.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || c == '>' || c == '/')
        })
        .count()
}

/// A kramdown attribute list definition line, `{:name: .class key="value"}`.
fn parse_ald(line: &str, alds: &HashMap<String, Attrs>) -> Option<(String, Attrs)> {
    let inner = line.strip_prefix("{:")?;
    let (name, rest) = inner.split_once(':')?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid || !rest.starts_with([' ', '\t']) {
        return None;
    }
    let ial = format!("{{:{rest}");
    let (attrs, len) = parse_ial(&ial, alds)?;
    (len == ial.len()).then(|| (name.to_owned(), attrs))
}

/// Short Markdown (a note, a description) as inline HTML: one paragraph loses its `<p>`.
pub fn render_inline(text: &str) -> String {
    let html = render(text, &Options::default()).html;
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

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

// ---------------------------------------------------------------------------
// The event vector

/// One parser event with its source range and any attributes a pass gave it.
struct Item<'a> {
    event: Event<'a>,
    range: Range<usize>,
    attrs: Option<Box<Attrs>>,
}

/// A parsed body: the items plus, for every `Start`, the index of its `End`.
struct Doc<'a> {
    body: &'a str,
    /// kramdown attribute list definitions, for `{: name}` references.
    alds: HashMap<String, Attrs>,
    items: Vec<Item<'a>>,
    /// For a `Start` at `i`, `end[i]` is its `End`; for an `End`, its `Start`.
    partner: Vec<usize>,
    /// Index of the innermost enclosing `Start`, if any.
    parent: Vec<Option<usize>>,
    /// Whether a `{:toc}` list has become the table of contents (kramdown makes only the first).
    toc_placed: bool,
    /// The Markdown parser failed on this body, which was parsed again without heading ids.
    parser_failed: bool,
    /// Tables go in a focusable, labelled scroll region (versus's markup, not Jekyll's).
    wrap_tables: bool,
}

/// Stands in for the `{:toc}` list until the TOC is known; pulldown never emits NUL.
const TOC_PLACEHOLDER: &str = "\0toc\0\n";

impl<'a> Doc<'a> {
    fn parse(body: &'a str, alds: HashMap<String, Attrs>) -> Self {
        let opts = ParseOptions::ENABLE_TABLES
            | ParseOptions::ENABLE_FOOTNOTES
            | ParseOptions::ENABLE_STRIKETHROUGH
            | ParseOptions::ENABLE_TASKLISTS
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
        }
    }

    /// Turns an item into nothing: empty text renders as nothing and counts no words.
    fn remove(&mut self, i: usize) {
        let item = &mut self.items[i];
        item.event = Event::Text(CowStr::Borrowed(""));
        item.range = item.range.start..item.range.start;
        item.attrs = None;
    }

    fn is_removed(&self, i: usize) -> bool {
        matches!(&self.items[i].event, Event::Text(t) if t.is_empty())
    }

    /// The source text of an item.
    fn source(&self, i: usize) -> &'a str {
        self.body.get(self.items[i].range.clone()).unwrap_or("")
    }
}

// ---------------------------------------------------------------------------
// Smart quotes as kramdown makes them

/// pulldown-cmark curls quotes by CommonMark's flanking rules; kramdown (Jekyll) by the
/// character before: after anything but whitespace or `[{(-` a quote closes
/// (`target="x"` → `target=”x”`). Each curled quote is one item, decided again here.
fn kramdown_quotes(doc: &mut Doc) {
    for i in 0..doc.items.len() {
        let Event::Text(text) = &doc.items[i].event else {
            continue;
        };
        if !matches!(&**text, "“" | "”" | "‘" | "’") {
            continue;
        }
        let range = doc.items[i].range.clone();
        let quote = match doc.body.get(range.clone()) {
            Some("\"") => '"',
            Some("'") => '\'',
            _ => continue,
        };
        let before = doc.body[..range.start].chars().next_back();
        // Emphasis and code marks end a span before the quote: kramdown sees no character.
        let before = before.filter(|c| !matches!(c, '*' | '_' | '`' | '\n'));
        let after = &doc.body[range.end..];
        let opening = kramdown_opens(quote, before, after);
        let curled = match (quote, opening) {
            ('"', true) => "“",
            ('"', false) => "”",
            (_, true) => "‘",
            (_, false) => "’",
        };
        doc.items[i].event = Event::Text(CowStr::Borrowed(curled));
    }
}

/// kramdown's smart quote rules (`SQ_RULES`) for a quote between `before` and `after`.
fn kramdown_opens(quote: char, before: Option<char>, after: &str) -> bool {
    let next = after.chars().next();
    match before {
        // Whitespace: opening, but for the decade abbreviation `'80s`.
        Some(c) if c.is_whitespace() => {
            let decade = after.len() >= 3
                && after.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && after.as_bytes()[2] == b's';
            !(quote == '\'' && decade)
        }
        Some('[' | '{' | '(' | '-') => true,
        Some(_) => false,
        // At the start of the text, the characters after decide.
        None => {
            let mut rest = after.chars();
            let (first, second) = (rest.next(), rest.next());
            let word = |c: char| c.is_alphanumeric() || c == '_';
            let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
            if matches!(first, Some('_' | '*')) && !space(second) {
                return true;
            }
            if first.is_some_and(|c| c.is_ascii_punctuation())
                && !after.starts_with("...")
                && !second.is_some_and(word)
            {
                return false;
            }
            // A closing quote before whitespace, the end, or a possessive `s`.
            let possessive = next == Some('s') && !second.is_some_and(word);
            !space(next) && !possessive
        }
    }
}

// ---------------------------------------------------------------------------
// Pass 1: HTML comments

/// Comments are notes to the author, not to readers; everything else in raw
/// HTML is passed through unchanged.
fn strip_html_comments(doc: &mut Doc) {
    let mut i = 0;
    while i < doc.items.len() {
        match &doc.items[i].event {
            Event::Start(Tag::HtmlBlock) => {
                let end = doc.partner[i];
                let mut html = String::new();
                for item in &doc.items[i + 1..end] {
                    if let Event::Html(h) = &item.event {
                        html.push_str(h);
                    }
                }
                if html.contains("<!--") {
                    let stripped = without_comments(&html);
                    let keep_block = !stripped.trim().is_empty();
                    for j in i + 1..end {
                        doc.remove(j);
                    }
                    if keep_block {
                        doc.items[i + 1].event = Event::Html(stripped.into());
                    } else {
                        doc.remove(i);
                        doc.remove(end);
                    }
                }
                i = end;
            }
            Event::InlineHtml(h) | Event::Html(h) if h.starts_with("<!--") => {
                doc.remove(i);
            }
            _ => {}
        }
        i += 1;
    }
}

/// `html` without `<!-- ... -->`; an unterminated comment runs to the end.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        rest = match after.find("-->") {
            Some(end) => {
                let tail = &after[end + 3..];
                // A comment alone on its line takes its line break with it.
                if out.ends_with('\n') || out.is_empty() {
                    tail.strip_prefix('\n').unwrap_or(tail)
                } else {
                    tail
                }
            }
            None => "",
        };
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// Pass 2: embeds

/// A paragraph that is nothing but `{{ ... }}` may be an embed (a generated table). Code blocks
/// and inline code are never paragraphs of that shape, so the same text stays literal there.
fn expand_embeds(doc: &mut Doc, expand: ExpandEmbed, problems: &mut Vec<Problem>) {
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

// ---------------------------------------------------------------------------
// Pass 3: links to Markdown sources

/// Lets authors link `2023-08-11-foo.md` as on GitHub and get the built page's URL.
fn resolve_source_links(doc: &mut Doc, resolve: ResolveSourceLink, problems: &mut Vec<Problem>) {
    for item in &mut doc.items {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) = &mut item.event
        else {
            continue;
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            continue;
        }
        let (path, fragment) = match dest_url.find('#') {
            Some(hash) => dest_url.split_at(hash),
            None => (&dest_url[..], ""),
        };
        if !is_source_link(path) {
            continue;
        }
        match resolve(path) {
            Some(url) => *dest_url = format!("{url}{fragment}").into(),
            None => problems.push(Problem {
                offset: item.range.start,
                message: format!("link to a missing source file `{path}`"),
            }),
        }
    }
}

/// A relative path (no scheme, not `/` or `#`) to a `.md` file.
fn is_source_link(path: &str) -> bool {
    !path.starts_with('/') && !path.is_empty() && !has_scheme(path) && path.ends_with(".md")
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(colon) => {
            let scheme = &url[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------
// kramdown inline attribute lists

/// What a kramdown IAL (`{: .class #id key="value"}`) sets.
#[derive(Debug, Default, Clone, PartialEq)]
struct Attrs {
    id: Option<String>,
    classes: Vec<String>,
    pairs: Vec<(String, String)>,
    /// The bare `toc` reference of kramdown's `{:toc}` marker.
    toc: bool,
}

impl Attrs {
    fn merge(&mut self, other: Attrs) {
        if other.id.is_some() {
            self.id = other.id;
        }
        self.classes.extend(other.classes);
        self.pairs.extend(other.pairs);
        self.toc |= other.toc;
    }

    /// ` id="…" class="…" key="…"`, escaped, for an opening tag.
    fn write(&self, out: &mut String, extra_class: Option<&str>) {
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

fn push_attr(out: &mut String, key: &str, value: &str) {
    out.push(' ');
    out.push_str(key);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// Parses an IAL at the start of `s`, returning it and its length in bytes; bare names refer
/// to attribute list definitions (`alds`). `None` for anything else kramdown-ish
/// (`{::comment}`, unknown references), which then stays visible as text.
fn parse_ial(s: &str, alds: &HashMap<String, Attrs>) -> Option<(Attrs, usize)> {
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

// ---------------------------------------------------------------------------
// Pass 4: span IALs

/// `[text](url){:target="_blank"}`: the attributes go on the `<a>` or `<img>`
/// and the IAL text (split into several events by smart punctuation) is removed.
fn apply_span_ials(doc: &mut Doc) {
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

// ---------------------------------------------------------------------------
// Pass 5: block IALs

/// A `{:...}` line directly after a block applies to that block. After a paragraph
/// (or a tight list item's text, or lazily after a list or quote) the line is part
/// of the paragraph in CommonMark, so it is cut off; after a heading, table or
/// code block it is a paragraph of its own, which disappears.
fn apply_block_ials(doc: &mut Doc) {
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
            // A paragraph holding only the IAL: it belongs to the block before.
            let attached = previous_block(doc, i).is_some_and(|target| attach(doc, target, attrs));
            if attached {
                for k in i..=end {
                    doc.remove(k);
                }
            }
        }
    }
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

// ---------------------------------------------------------------------------
// Pass 6: code blocks

/// Highlighted at build time; readers get no JavaScript and no layout shift. A block too
/// expensive to highlight is written plain, with a warning at its opening fence.
fn render_code_blocks(doc: &mut Doc, options: &Options, warnings: &mut Vec<Problem>) {
    for i in 0..doc.items.len() {
        let Event::Start(Tag::CodeBlock(kind)) = &doc.items[i].event else {
            continue;
        };
        let (lang, from_tag) = match kind {
            CodeBlockKind::Fenced(info) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("").to_owned();
                (
                    lang,
                    words.next() == Some(crate::liquid::HIGHLIGHT_TAG_MARK),
                )
            }
            CodeBlockKind::Indented => (String::new(), false),
        };
        let end = doc.partner[i];
        let mut code = String::new();
        for item in &doc.items[i + 1..end] {
            if let Event::Text(t) = &item.event {
                code.push_str(t);
            }
        }
        let classes = match options.code_markup {
            CodeMarkup::Versus => crate::highlight::Classes::Versus,
            CodeMarkup::Jekyll => crate::highlight::Classes::Rouge,
        };
        let highlighted = match options.highlight_cache {
            Some(cache) => cache.highlight_with(&lang, &code, classes),
            None => crate::highlight::highlight_with(&lang, &code, classes),
        };
        let mut inner = String::with_capacity(code.len() * 2);
        match highlighted {
            Ok(highlighted) if !lang.is_empty() => inner.push_str(&highlighted),
            Err(crate::highlight::NotHighlighted::OverBudget(over)) => {
                warnings.push(Problem {
                    offset: doc.items[i].range.start,
                    message: over.to_string(),
                });
                push_escaped(&mut inner, &code);
            }
            _ => push_escaped(&mut inner, &code),
        }
        let attrs = doc.items[i].attrs.take().map(|a| *a).unwrap_or_default();
        let html = match options.code_markup {
            CodeMarkup::Versus => versus_code_block(&lang, &inner, &attrs),
            CodeMarkup::Jekyll => jekyll_code_block(&lang, &inner, &attrs, from_tag),
        };
        for k in i + 1..=end {
            doc.remove(k);
        }
        doc.items[i].event = Event::Html(html.into());
    }
}

/// kramdown with Rouge marks inline code as plain text; after the heading ids, which read the
/// code's text.
fn mark_inline_code(doc: &mut Doc) {
    for item in &mut doc.items {
        if let Event::Code(code) = &item.event {
            item.event = Event::InlineHtml(jekyll_inline_code(code).into());
        }
    }
}

/// Gives each image the site can measure its `width` and `height`, after the author's own
/// attributes; an image the author sized (either attribute) keeps just what they wrote, as
/// the browser keeps its proportions.
fn size_images(doc: &mut Doc, size: ImageSize) {
    for item in &mut doc.items {
        let Event::Start(Tag::Image { dest_url, .. }) = &item.event else {
            continue;
        };
        let sized = item.attrs.as_ref().is_some_and(|attrs| {
            attrs
                .pairs
                .iter()
                .any(|(key, _)| key == "width" || key == "height")
        });
        if sized {
            continue;
        }
        if let Some((width, height)) = size(dest_url) {
            let attrs = item.attrs.get_or_insert_with(Box::default);
            attrs.pairs.push(("width".into(), width.to_string()));
            attrs.pairs.push(("height".into(), height.to_string()));
        }
    }
}

fn jekyll_inline_code(code: &str) -> String {
    let mut html = String::from("<code class=\"language-plaintext highlighter-rouge\">");
    push_escaped(&mut html, code);
    html.push_str("</code>");
    html
}

/// `<pre class="highlight" data-lang="x" tabindex="0"><code class="language-x">`. The block
/// scrolls sideways when a line is too long: `tabindex` lets a keyboard reach and scroll it.
fn versus_code_block(lang: &str, inner: &str, attrs: &Attrs) -> String {
    let mut html = String::with_capacity(inner.len() + 100);
    html.push_str("<pre");
    attrs.write(&mut html, Some("highlight"));
    if !lang.is_empty() {
        push_attr(&mut html, "data-lang", lang);
    }
    if !attrs.pairs.iter().any(|(key, _)| key == "tabindex") {
        push_attr(&mut html, "tabindex", "0");
    }
    if !lang.is_empty() {
        html.push_str("><code");
        push_attr(&mut html, "class", &format!("language-{lang}"));
        html.push('>');
    } else {
        html.push_str("><code>");
    }
    html.push_str(inner);
    html.push_str("</code></pre>\n");
    html
}

/// The markup Jekyll writes with kramdown and Rouge: a fence as
/// `div.language-x.highlighter-rouge > div.highlight > pre.highlight > code`, a Liquid
/// `{% highlight %}` as `figure.highlight > pre > code.language-x`.
fn jekyll_code_block(lang: &str, inner: &str, attrs: &Attrs, from_tag: bool) -> String {
    let mut html = String::with_capacity(inner.len() + 160);
    if from_tag {
        html.push_str("<figure class=\"highlight\"><pre><code");
        push_attr(&mut html, "class", &format!("language-{lang}"));
        push_attr(&mut html, "data-lang", lang);
        html.push('>');
        html.push_str(inner);
        html.push_str("</code></pre></figure>\n");
        return html;
    }
    let lang = if lang.is_empty() { "plaintext" } else { lang };
    html.push_str("<div");
    attrs.write(
        &mut html,
        Some(&format!("language-{lang} highlighter-rouge")),
    );
    html.push_str("><div class=\"highlight\"><pre class=\"highlight\"><code>");
    html.push_str(inner);
    html.push_str("</code></pre></div></div>\n");
    html
}

// ---------------------------------------------------------------------------
// Pass 7: headings

/// Gives every Markdown heading a unique id (kramdown GFM style, so anchors written
/// for Jekyll keep working) and builds the flat list and the nested TOC.
fn assign_heading_ids(doc: &mut Doc, code_markup: CodeMarkup) -> (Vec<Heading>, Vec<TocEntry>) {
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

/// A heading's inline HTML without links, so it can sit inside a TOC link.
fn title_html(items: &[Item], code_markup: CodeMarkup) -> String {
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
fn nest_toc(flat: Vec<TocEntry>) -> Vec<TocEntry> {
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
fn toc_html(toc: &[TocEntry]) -> String {
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

// ---------------------------------------------------------------------------
// Pass 8: footnotes

/// Footnote labels in order of first reference; definitions are written at the end.
fn number_footnotes(doc: &mut Doc) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for item in &mut doc.items {
        let Event::FootnoteReference(label) = &item.event else {
            continue;
        };
        let first = !order.iter().any(|l| l == &label[..]);
        if first {
            order.push(label.to_string());
        }
        let number = order.iter().position(|l| l == &label[..]).unwrap_or(0) + 1;
        let mut html = String::from("<sup class=\"footnote-reference\"");
        if first {
            push_attr(&mut html, "id", &format!("fnref-{label}"));
        }
        html.push_str("><a href=\"#");
        push_escaped(&mut html, label);
        html.push_str(&format!("\">{number}</a></sup>"));
        item.event = Event::InlineHtml(html.into());
    }
    order
}

// ---------------------------------------------------------------------------
// Pass 9: output

fn write_html(doc: &Doc, toc: &[TocEntry], footnotes: &[String]) -> String {
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
fn convert<'a>(doc: &Doc<'a>, i: usize, out: &mut Vec<Event<'a>>) -> usize {
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
            tag.push_str("<img src=\"");
            escape_href(&mut tag, dest_url);
            tag.push('"');
            push_attr(&mut tag, "alt", &alt);
            if !title.is_empty() {
                push_attr(&mut tag, "title", title);
            }
            attrs.write(&mut tag, None);
            tag.push_str(" />");
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

/// Escapes a URL for a quoted `href`/`src`, percent-encoding what HTML or URLs forbid.
fn escape_href(out: &mut String, url: &str) {
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("%22"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '\\' => out.push_str("%5C"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_sources(_: &str) -> Option<String> {
        None
    }

    fn html(body: &str) -> String {
        render_with(body, &no_sources).html
    }

    fn render_with(body: &str, resolve: &(dyn Fn(&str) -> Option<String> + Sync)) -> Rendered {
        render(
            body,
            &Options {
                resolve_source_link: Some(resolve),
                expand_embed: None,
                highlight_cache: None,
                image_size: None,
                code_markup: CodeMarkup::Versus,
            },
        )
    }

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
        let out = html("para\n\n{: .orphan}\n\n{::comment}\nx\n{:/comment}\n\n[a](b){:nope}\n");
        assert!(out.contains("<p>{: .orphan}</p>"), "{out}");
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

    #[test]
    fn markdown_after_an_html_block_is_markdown() {
        let body = "<div class=\"box\">\n<p>raw</p>\n</div>\n**bold** after, [x](gone.md)\n";
        let resolve = |_: &str| None;
        let r = render_with(body, &resolve);
        assert!(
            r.html.contains("</div>\n<p><strong>bold</strong> after"),
            "{}",
            r.html
        );
        // Offsets still point into the body as written.
        assert_eq!(r.problems[0].offset, body.find("gone.md").unwrap() - 4);
    }

    #[test]
    fn jekyll_code_markup() {
        let options = Options {
            code_markup: CodeMarkup::Jekyll,
            ..Options::default()
        };
        let out = render("## The `x` knob\n\nUse `y`.\n\n```yaml\na: 1\n```\n\n```\nplain\n```\n\n```python {%highlight%}\npass\n```\n", &options).html;
        assert!(out.starts_with("<h2 id=\"the-x-knob\">The <code class=\"language-plaintext highlighter-rouge\">x</code> knob</h2>"), "{out}");
        assert!(out.contains("<div class=\"language-yaml highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>"), "{out}");
        assert!(out.contains("<div class=\"language-plaintext highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>plain\n</code></pre></div></div>"), "{out}");
        assert!(out.contains("<figure class=\"highlight\"><pre><code class=\"language-python\" data-lang=\"python\">"), "{out}");
    }

    #[test]
    fn quotes_curl_as_on_kramdown() {
        assert_eq!(
            html("a {:x=\"y\"} \"b\" it's (\"c\") '80s\n"),
            "<p>a {:x=”y”} “b” it’s (“c”) ’80s</p>\n"
        );
        assert_eq!(
            html("\"Start\" and *\"em\"*\n"),
            "<p>“Start” and <em>“em”</em></p>\n"
        );
    }

    #[test]
    fn links_keep_unicode_as_written() {
        let out = html("[a](/p.html#résumé-東京) ![i](/é.png)\n");
        assert!(out.contains("href=\"/p.html#résumé-東京\""), "{out}");
        assert!(out.contains("src=\"/é.png\""), "{out}");
    }

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

    /// Found by the fuzzer: pulldown-cmark 0.13.6 itself panics on this body with heading
    /// attributes on; versus renders it without them and warns.
    #[test]
    fn a_body_the_parser_fails_on_is_rendered_with_a_warning() {
        let r = render_with(">]\n`\n> {}\n>-", &no_sources);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].message.contains("pulldown-cmark"));
        assert!(r.html.contains("<blockquote>"), "{}", r.html);
    }

    #[test]
    fn html_comments_are_removed() {
        let out = html(
            "<!-- only a comment -->\n\ntext <!-- inline --> more\n\n<div>\n<!-- hidden -->\n<p>kept</p>\n</div>\n",
        );
        assert_eq!(out, "<p>text  more</p>\n<div>\n<p>kept</p>\n</div>\n");
        let out = html("<span class=\"x\">raw</span> inline\n");
        assert_eq!(out, "<p><span class=\"x\">raw</span> inline</p>\n");
    }

    #[test]
    fn footnotes_at_the_end_in_order_of_reference() {
        let body =
            "First[^b] and second[^a] and again[^b].\n\n[^a]: Note A.\n[^b]: Note *B*.\n\nAfter.\n";
        let out = html(body);
        assert!(out.starts_with("<p>First<sup class=\"footnote-reference\" id=\"fnref-b\"><a href=\"#b\">1</a></sup> and second<sup class=\"footnote-reference\" id=\"fnref-a\"><a href=\"#a\">2</a></sup> and again<sup class=\"footnote-reference\"><a href=\"#b\">1</a></sup>.</p>\n<p>After.</p>\n"), "{out}");
        assert!(out.ends_with("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n<li id=\"b\"><p>Note <em>B</em>. <a href=\"#fnref-b\" class=\"footnote-backref\" aria-label=\"Back to reference 1\">↩</a></p>\n</li>\n<li id=\"a\"><p>Note A. <a href=\"#fnref-a\" class=\"footnote-backref\" aria-label=\"Back to reference 2\">↩</a></p>\n</li>\n</ol>\n</section>\n"), "{out}");
    }

    #[test]
    fn source_links_resolve_or_report() {
        let resolve = |path: &str| {
            (path == "2023-08-11-foo.md" || path == "../about.md")
                .then(|| format!("/{}/", path.trim_end_matches(".md")))
        };
        let body = "[a](2023-08-11-foo.md#part) [b](../about.md) [c](2023-08-12-nope.md) [d](https://x.org/y.md) [e](/z.md) [f](#g.md)\n";
        let r = render_with(body, &resolve);
        assert!(
            r.html.contains("<a href=\"/2023-08-11-foo/#part\">a</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"/../about/\">b</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"2023-08-12-nope.md\">c</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"https://x.org/y.md\">d</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].offset, body.find("[c]").unwrap());
        assert_eq!(
            r.problems[0].message,
            "link to a missing source file `2023-08-12-nope.md`"
        );
    }

    #[test]
    fn code_blocks_are_highlighted_or_escaped() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert!(out.starts_with("<pre class=\"highlight\" data-lang=\"rust\" tabindex=\"0\"><code class=\"language-rust\"><span class=\"hl-"), "{out}");
        let out = html("```nosuchlang extra\n<b> & \"x\" -- {:.c}\n```\n");
        assert_eq!(
            out,
            "<pre class=\"highlight\" data-lang=\"nosuchlang\" tabindex=\"0\"><code class=\"language-nosuchlang\">&lt;b&gt; &amp; &quot;x&quot; -- {:.c}\n</code></pre>\n"
        );
        let out = html("    indented <i>\n");
        assert_eq!(
            out,
            "<pre class=\"highlight\" tabindex=\"0\"><code>indented &lt;i&gt;\n</code></pre>\n"
        );
    }

    /// Issue #14: images the site can measure get their width and height, so the page does
    /// not shift as they load; the author's own size wins, an unknown image gets none.
    #[test]
    fn measured_images_get_width_and_height() {
        let size = |src: &str| (src == "/img/cat.png").then_some((640, 480));
        let render_sized = |body: &str| {
            render(
                body,
                &Options {
                    image_size: Some(&size),
                    ..Options::default()
                },
            )
            .html
        };
        assert_eq!(
            render_sized("![A cat](/img/cat.png)\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" width=\"640\" height=\"480\" /></p>\n"
        );
        assert_eq!(
            render_sized("![A cat](/img/cat.png){: .wide width=\"300\"}\n"),
            "<p><img src=\"/img/cat.png\" alt=\"A cat\" class=\"wide\" width=\"300\" /></p>\n"
        );
        assert_eq!(
            render_sized("![A dog](/img/dog.png)\n"),
            "<p><img src=\"/img/dog.png\" alt=\"A dog\" /></p>\n"
        );
    }

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

    /// Issue #14: a code block that scrolls sideways can be reached and scrolled by keyboard;
    /// an author's own `tabindex` is kept, not doubled.
    #[test]
    fn code_blocks_are_keyboard_focusable() {
        let out = html("```yaml\na: b\n```\n");
        assert!(
            out.starts_with("<pre class=\"highlight\" data-lang=\"yaml\" tabindex=\"0\">"),
            "{out}"
        );
        let out = html("```\nplain\n```\n{: tabindex=\"-1\"}\n");
        assert_eq!(out.matches("tabindex").count(), 1, "{out}");
        assert!(out.contains("tabindex=\"-1\""), "{out}");
    }

    #[test]
    fn code_spans_are_untouched() {
        let out = html("Use `[a](b.md){:.x} \"q\" --` here.\n");
        assert_eq!(
            out,
            "<p>Use <code>[a](b.md){:.x} \"q\" --</code> here.</p>\n"
        );
    }

    #[test]
    fn smart_punctuation_in_prose() {
        assert_eq!(html("\"Hi\" -- it's...\n"), "<p>“Hi” – it’s…</p>\n");
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

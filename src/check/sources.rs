//! Pass 1: each content page's Markdown read again with offsets: links, anchors, authoring leftovers.

use std::ops::Range;

use pulldown_cmark::{Event, Options as ParseOptions, Parser, Tag, TagEnd};

use crate::diag::{Diagnostic, did_you_mean};
use crate::markdown;
use crate::page::Page;
use crate::site::Site;

use super::output::{OutputIndex, attributes};
use super::{Finding, finding, kind, warning_in};

/// What one content page's scan found.
#[derive(Default)]
pub(super) struct PageScan {
    pub(super) findings: Vec<Finding>,
    /// Targets reported broken here (the output pass skips them).
    pub(super) broken_targets: Vec<String>,
    /// http(s) links, at their place.
    pub(super) external: Vec<(String, Diagnostic)>,
}

/// Where a link points, once resolved.
pub(super) enum Target {
    /// Not checked (mailto:, javascript:, a `.md` source the build resolves, ...).
    Skip,
    External(String),
    /// A site path (without the base path) and an optional fragment.
    Internal(String, Option<String>),
}

pub(super) fn classify(site: &Site, from_url: &str, link: &str) -> Target {
    let link = link.trim();
    let config = &site.config;
    let link =
        match link.strip_prefix(config.base_url.trim_end_matches('/')) {
            Some(rest) if rest.is_empty() || rest.starts_with(['/', '#', '?']) => {
                if rest.is_empty() { "/" } else { rest }
            }
            _ => link,
        };
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        let url = if link.starts_with("//") {
            format!("https:{link}")
        } else {
            link.to_owned()
        };
        return Target::External(url);
    }
    let scheme = link.find(':');
    if scheme.is_some_and(|c| !link[..c].contains(['/', '#', '?'])) {
        return Target::Skip;
    }
    let (rest, fragment) = match link.split_once('#') {
        Some((r, f)) => (r, Some(decode(f))),
        None => (link, None),
    };
    let path = rest.split('?').next().unwrap_or("");
    let path = decode(path);
    let joined = if path.is_empty() {
        from_url.to_owned()
    } else if let Some(absolute) = path.strip_prefix('/') {
        let base = config.base_path.trim_matches('/');
        let stripped = if base.is_empty() {
            absolute
        } else {
            absolute
                .strip_prefix(base)
                .filter(|r| r.is_empty() || r.starts_with('/'))
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(absolute)
        };
        format!("/{stripped}")
    } else {
        let dir = &from_url[..from_url.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{path}")
    };
    Target::Internal(normalize(&joined), fragment)
}

pub(super) fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `/a/./b/../c/` → `/a/c/`.
pub(super) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

/// The problem with an internal target, if any: (kind, message, help, key).
pub(super) fn check_internal(
    index: &OutputIndex,
    link: &str,
    path: &str,
    fragment: Option<&str>,
    image: bool,
) -> Option<(&'static str, String, Option<String>, String)> {
    let key = format!("{path}#{}", fragment.unwrap_or(""));
    let Some(file) = index.file_for(path) else {
        let last = path.rsplit('/').next().unwrap_or("");
        let asset = image || (last.contains('.') && !last.ends_with(".html"));
        let kind = if asset {
            kind::MISSING_ASSET
        } else {
            kind::BROKEN_LINK
        };
        let what = if asset { "file" } else { "page" };
        let message = format!("broken link `{link}`: no {what} {path} in the built site");
        let near = index
            .near_file(path.trim_start_matches('/'))
            .map(|f| format!("did you mean `/{f}`?"));
        return Some((kind, message, near, key));
    };
    let fragment = fragment.filter(|f| !f.is_empty())?;
    let ids = index.ids(file)?;
    if ids.contains(fragment) {
        return None;
    }
    let message = format!("broken anchor `{link}`: no id `{fragment}` on {path}");
    let help = did_you_mean(fragment, ids.iter().map(String::as_str))
        .map(|near| format!("did you mean `#{near}`?"));
    Some((kind::BROKEN_ANCHOR, message, help, key))
}

/// Whether a link is a stand-in for one not written yet.
pub(super) fn is_placeholder(link: &str) -> bool {
    let link = link.trim();
    link.is_empty()
        || link == "#"
        || link
            .split_once('#')
            .is_some_and(|(_, f)| f.to_ascii_lowercase().contains("todo"))
}

/// Byte offsets of TODO and FIXME as whole words in `text`.
pub(super) fn todo_words(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for word in ["TODO", "FIXME"] {
        for (at, _) in text.match_indices(word) {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if boundary(before) && boundary(after) {
                found.push((at, word));
            }
        }
    }
    found
}

/// Without `<!-- -->` comments.
pub(super) fn without_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn parse_options() -> ParseOptions {
    ParseOptions::ENABLE_TABLES
        | ParseOptions::ENABLE_FOOTNOTES
        | ParseOptions::ENABLE_STRIKETHROUGH
        | ParseOptions::ENABLE_TASKLISTS
        | ParseOptions::ENABLE_HEADING_ATTRIBUTES
}

/// A heading met in the body: its level, offset, and whether anything stood under it yet.
pub(super) struct OpenHeading {
    pub(super) level: u8,
    pub(super) offset: usize,
    pub(super) text: String,
    pub(super) content: bool,
}

pub(super) fn scan_page(page: &Page, site: &Site, index: &OutputIndex) -> PageScan {
    let body = page.body();
    let mut scan = PageScan::default();
    let mut headings: Vec<OpenHeading> = Vec::new();
    let mut last_level = 1u8;
    let mut in_heading = false;
    let mut in_code = false;
    let mut paragraph: Option<(Range<usize>, Vec<Range<usize>>)> = None;
    let mut link_texts: Vec<(usize, String)> = Vec::new();
    let mark_content = |headings: &mut Vec<OpenHeading>| {
        if let Some(h) = headings.last_mut() {
            h.content = true;
        }
    };
    for (event, range) in Parser::new_ext(body, parse_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = level as u8;
                close_heading(page, &mut headings, Some(level), &mut scan);
                if level > last_level + 1 {
                    let message = format!(
                        "heading level skipped: h{level} follows h{last_level} (use {} instead)",
                        "#".repeat(usize::from(last_level) + 1)
                    );
                    let d = warning_in(page, range.start, message);
                    scan.findings.push(finding(kind::HEADING_LEVEL, d));
                }
                last_level = level;
                headings.push(OpenHeading {
                    level,
                    offset: range.start,
                    text: String::new(),
                    content: false,
                });
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                mark_content(&mut headings);
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Paragraph) => {
                let source = body[range.clone()].trim();
                // A kramdown attribute list (`{:.no_toc}`) is no content of its own.
                if !(source.starts_with("{:") && source.ends_with('}')) {
                    mark_content(&mut headings);
                }
                paragraph = Some((range.clone(), Vec::new()));
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((range, code)) = paragraph.take() {
                    scan_matrix_calls(page, site, range, &code, &mut scan);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let at = offset_of(body, &range, &dest_url);
                link_texts.push((range.start, dest_url.to_string()));
                check_link(page, site, index, &dest_url, at, false, &mut scan);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let at = offset_of(body, &range, &dest_url);
                check_link(page, site, index, &dest_url, at, true, &mut scan);
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                if matches!(event, Event::InlineHtml(_)) {
                    unrewritten_links(page, site, body, range.clone(), &mut scan);
                }
                let source = &body[range.clone()];
                if !without_comments(source).trim().is_empty() {
                    mark_content(&mut headings);
                }
                for (at, word) in todo_words(source) {
                    let message = format!("{word} left in the text");
                    let d = warning_in(page, range.start + at, message);
                    scan.findings.push(finding(kind::TODO, d));
                }
                for (at, _, value) in
                    attributes(&without_comments_keep_len(source), &["href", "src"])
                {
                    check_link(
                        page,
                        site,
                        index,
                        &value,
                        range.start + at,
                        false,
                        &mut scan,
                    );
                }
            }
            Event::Code(_) => {
                mark_content(&mut headings);
                if let Some((_, code)) = &mut paragraph {
                    code.push(range.clone());
                }
            }
            Event::Text(text) => {
                if in_heading {
                    if let Some(h) = headings.last_mut() {
                        h.text.push_str(&text);
                    }
                } else if !text.trim().is_empty() {
                    mark_content(&mut headings);
                }
                if in_code {
                    continue;
                }
                let source = &body[range.clone()];
                for (at, _) in source.match_indices("#TODO") {
                    let message = "placeholder `#TODO` in the text: a link still to write".into();
                    let d = warning_in(page, range.start + at, message);
                    scan.findings.push(finding(kind::PLACEHOLDER, d));
                }
                for (at, word) in todo_words(source) {
                    if source[..at].ends_with('#') {
                        continue;
                    }
                    let message = format!("{word} left in the text");
                    let d = warning_in(page, range.start + at, message);
                    scan.findings.push(finding(kind::TODO, d));
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                unrewritten_links(page, site, body, range, &mut scan);
            }
            Event::End(_) => {}
            Event::Start(_)
            | Event::FootnoteReference(_)
            | Event::Rule
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::SoftBreak
            | Event::HardBreak => {
                if !matches!(event, Event::SoftBreak | Event::HardBreak) {
                    mark_content(&mut headings);
                }
            }
        }
    }
    close_heading(page, &mut headings, None, &mut scan);
    scan
}

/// Links from the site root in raw HTML (`range` of the body) that the build leaves as written
/// (see [`markdown::unrewritten_root_links`]): under a base path they lead outside the site.
fn unrewritten_links(
    page: &Page,
    site: &Site,
    body: &str,
    range: Range<usize>,
    scan: &mut PageScan,
) {
    let base = site.config.base_path.trim_end_matches('/');
    let html = without_comments_keep_len(&body[range.clone()]);
    for link in markdown::unrewritten_root_links(&html, base) {
        let message = format!(
            "link `{}` in {} is not put under the base path {base} (CSS is left as written), so it leads outside the site",
            link.url, link.place
        );
        let d = Diagnostic::error(&page.source, message)
            .at_offset(&page.text, page.text_offset(range.start + link.offset))
            .with_help(format!("write `{base}{}`, or a full URL", link.url));
        scan.findings.push(finding(kind::UNREWRITTEN_LINK, d));
    }
}

/// HTML with comments blanked out (offsets unchanged), so links in comments are not checked.
pub(super) fn without_comments_keep_len(html: &str) -> String {
    let mut out = html.to_owned();
    let mut from = 0;
    while let Some(start) = html[from..].find("<!--").map(|s| s + from) {
        let end = html[start + 4..]
            .find("-->")
            .map_or(html.len(), |e| start + 4 + e + 3);
        out.replace_range(start..end, &" ".repeat(end - start));
        from = end;
    }
    out
}

/// Reports the headings that `next` (a heading level, or None at the end) closes empty.
pub(super) fn close_heading(
    page: &Page,
    headings: &mut [OpenHeading],
    next: Option<u8>,
    scan: &mut PageScan,
) {
    // A heading followed by a deeper one is its parent, not empty.
    if let (Some(next), Some(last)) = (next, headings.last())
        && next > last.level
    {
        if let Some(last) = headings.last_mut() {
            last.content = true;
        }
        return;
    }
    if let Some(last) = headings.last()
        && !last.content
    {
        let followed = match next {
            Some(level) => format!("directly followed by a level-{level} heading"),
            None => "at the end of the page".to_owned(),
        };
        let message = format!(
            "empty section `{}`: the heading is {followed}",
            last.text.trim()
        );
        let d = warning_in(page, last.offset, message);
        scan.findings.push(finding(kind::EMPTY_SECTION, d));
    }
}

/// Where `needle` (a link destination) is written inside `range`, else the range's start.
pub(super) fn offset_of(body: &str, range: &Range<usize>, needle: &str) -> usize {
    let source = &body[range.clone()];
    let within = if needle.is_empty() {
        source.find("]()").map(|i| i + 2)
    } else {
        source.find(&format!("({needle}")).map(|i| i + 1)
    };
    range.start + within.or_else(|| source.find(needle)).unwrap_or(0)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn check_link(
    page: &Page,
    site: &Site,
    index: &OutputIndex,
    link: &str,
    at: usize,
    image: bool,
    scan: &mut PageScan,
) {
    if is_placeholder(link) {
        let message = if link.trim().is_empty() {
            "placeholder link: the target is empty".to_owned()
        } else {
            format!("placeholder link `{link}`: the target is still to write")
        };
        let d = warning_in(page, at, message);
        scan.findings.push(finding(kind::PLACEHOLDER, d));
        return;
    }
    // Links to sources (`other-post.md#part`) are checked by the build; their anchors here.
    let (path_part, fragment) = link.split_once('#').unwrap_or((link, ""));
    let resolved;
    let link_to_check = if path_part.ends_with(".md") && !path_part.contains("://") {
        match site.source_link(&page.source, path_part) {
            Some(url) => {
                resolved = format!("{url}#{fragment}");
                resolved.as_str()
            }
            None => return,
        }
    } else {
        link
    };
    match classify(site, &page.url, link_to_check) {
        Target::Skip => {}
        Target::External(url) => {
            let d = Diagnostic::error(&page.source, String::new())
                .at_offset(&page.text, page.text_offset(at));
            scan.external.push((url, d));
        }
        Target::Internal(path, fragment) => {
            if let Some((kind, message, help, key)) =
                check_internal(index, link, &path, fragment.as_deref(), image)
            {
                let mut d = Diagnostic::error(&page.source, message)
                    .at_offset(&page.text, page.text_offset(at));
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                scan.findings.push(finding(kind, d));
                scan.broken_targets.push(key);
            }
        }
    }
}

/// `{{ matrix("area", features=["a", "b"]) }}` written inside a paragraph's text (not alone in
/// it, so not expanded by the build): unknown matrices and features.
pub(super) fn scan_matrix_calls(
    page: &Page,
    site: &Site,
    range: Range<usize>,
    code: &[Range<usize>],
    scan: &mut PageScan,
) {
    let body = page.body();
    let text = &body[range.clone()];
    for (at, _) in text.match_indices("matrix(") {
        let absolute = range.start + at;
        if code.iter().any(|c| c.contains(&absolute)) {
            continue;
        }
        let call = &text[at + "matrix(".len()..];
        let call = &call[..call.find(')').unwrap_or(call.len())];
        let strings = quoted(call);
        let Some((area_at, area_id)) = strings.first() else {
            continue;
        };
        let area_offset = absolute + "matrix(".len() + area_at;
        let Some(area) = site.matrices.area(area_id) else {
            let mut d = warning_in(page, area_offset, format!("unknown matrix `{area_id}`"));
            let ids = site.matrices.areas.iter().map(|a| a.id.as_str());
            if let Some(near) = did_you_mean(area_id, ids) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            scan.findings.push(finding(kind::UNKNOWN_FEATURE, d));
            continue;
        };
        let Some(list) = call.find("features") else {
            continue;
        };
        let list_end = call[list..].find(']').map_or(call.len(), |e| list + e);
        for (f_at, id) in strings.iter().filter(|(o, _)| *o > list && *o < list_end) {
            if area.features.iter().any(|f| &f.id == id) {
                continue;
            }
            let message = format!(
                "unknown feature `{id}`: matrix `{}` has no such row",
                area.id
            );
            let mut d = warning_in(page, absolute + "matrix(".len() + f_at, message);
            if let Some(near) = did_you_mean(id, area.features.iter().map(|f| f.id.as_str())) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            scan.findings.push(finding(kind::UNKNOWN_FEATURE, d));
        }
    }
}

/// The quoted strings of a call's arguments: (offset of the string's text, text).
pub(super) fn quoted(call: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = call[i..].find(['"', '\'']).map(|s| s + i) {
        let quote = &call[start..start + 1];
        let Some(end) = call[start + 1..].find(quote) else {
            break;
        };
        out.push((start + 1, call[start + 1..start + 1 + end].to_owned()));
        i = start + 1 + end + 1;
    }
    out
}

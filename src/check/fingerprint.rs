//! What a cited documentation page says, reduced to what a claim can rest on: the text of its
//! main content as headings and paragraphs, without navigation, scripts, dates or whitespace
//! noise, so that a hash of it changes only when the prose does.
//!
//! The outline (each heading, then a short hash per paragraph under it) is what
//! `data/sources.lock` keeps, so a later run can say where a page changed.

use html5gum::{DefaultEmitter, Token, Tokenizer};
use serde::{Deserialize, Serialize};

/// One heading and the paragraphs under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Section {
    /// `## Rotate the key`, or empty for text before the first heading.
    #[serde(rename = "h")]
    pub(super) heading: String,
    /// The paragraphs' short hashes, separated by spaces.
    #[serde(rename = "p", default, skip_serializing_if = "String::is_empty")]
    pub(super) paragraphs: String,
}

/// A page's main text: its hash and outline, and (when just fetched) the paragraphs' text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Fingerprint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) title: Option<String>,
    pub(super) hash: String,
    pub(super) outline: Vec<Section>,
    /// Paragraph hash → its first words, for summaries; not kept in the lock.
    #[serde(skip)]
    pub(super) leads: Vec<(String, String)>,
}

/// Elements whose text is never the page's content.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
    "button", "iframe", "select", "head", "object", "canvas",
];

/// Elements that end one paragraph and start another.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "blockquote",
    "figure",
    "figcaption",
    "caption",
    "hr",
    "br",
    "details",
    "summary",
];

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Open elements tracked at most: deeper ones count as text containers without an end, so a
/// hostile page of a million unclosed tags costs linear time, not quadratic.
const MAX_OPEN: usize = 512;

/// The fingerprint of an HTML page: the text inside `<main>` (or `role="main"`) when the page
/// has one, else inside `<body>`.
pub(super) fn of_html(html: &str) -> Fingerprint {
    let has_main = html_has_main(html);
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut open: Vec<(String, bool, bool)> = Vec::new(); // (name, skips, is main)
    let mut skipping = 0usize;
    let mut in_main = 0usize;
    let mut in_title = false;
    let mut title = String::new();
    let mut text = String::new();
    let mut heading: Option<usize> = None;
    let mut blocks: Vec<(Option<usize>, String)> = Vec::new();
    let flush = |text: &mut String, heading: Option<usize>, blocks: &mut Vec<_>| {
        let normal = normalize(text);
        if !normal.is_empty() {
            blocks.push((heading, normal));
        }
        text.clear();
    };
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if name == "title" && !tag.self_closing {
                    in_title = true;
                    continue;
                }
                let attr = |key: &str| {
                    tag.attributes
                        .get(key.as_bytes())
                        .map(|v| String::from_utf8_lossy(v).to_ascii_lowercase())
                };
                let hidden =
                    attr("hidden").is_some() || attr("aria-hidden").as_deref() == Some("true");
                let skips = SKIPPED.contains(&name.as_str()) || hidden;
                let is_main = name == "main" || attr("role").as_deref() == Some("main");
                let level = heading_level(&name);
                if BLOCKS.contains(&name.as_str()) || level.is_some() {
                    flush(&mut text, heading, &mut blocks);
                }
                if VOID.contains(&name.as_str()) || tag.self_closing || open.len() >= MAX_OPEN {
                    continue;
                }
                if let Some(level) = level {
                    heading = Some(level);
                }
                skipping += usize::from(skips);
                in_main += usize::from(is_main);
                open.push((name, skips, is_main));
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if name == "title" {
                    in_title = false;
                    continue;
                }
                let Some(at) = open.iter().rposition(|(n, _, _)| *n == name) else {
                    continue;
                };
                if BLOCKS.contains(&name.as_str()) || heading_level(&name).is_some() {
                    flush(&mut text, heading, &mut blocks);
                }
                for (closed, skips, is_main) in open.drain(at..) {
                    skipping -= usize::from(skips);
                    in_main -= usize::from(is_main);
                    if heading_level(&closed).is_some() {
                        heading = None;
                    }
                }
            }
            Token::String(s) if in_title => title.push_str(&String::from_utf8_lossy(&s)),
            Token::String(s) if skipping == 0 && (!has_main || in_main > 0) => {
                text.push_str(&String::from_utf8_lossy(&s));
            }
            _ => {}
        }
    }
    flush(&mut text, heading, &mut blocks);
    let title = normalize(&title);
    build(
        (!title.is_empty()).then_some(title),
        blocks.into_iter().map(|(level, text)| match level {
            Some(level) => Block::Heading(level, text),
            None => Block::Paragraph(text),
        }),
    )
}

/// The fingerprint of a page that is not HTML (plain text, Markdown): its lines as paragraphs.
pub(super) fn of_text(body: &str) -> Fingerprint {
    build(
        None,
        body.split("\n\n")
            .map(normalize)
            .filter(|p| !p.is_empty())
            .map(Block::Paragraph),
    )
}

enum Block {
    Heading(usize, String),
    Paragraph(String),
}

fn build(title: Option<String>, blocks: impl Iterator<Item = Block>) -> Fingerprint {
    let mut whole = blake3::Hasher::new();
    let mut outline = vec![Section {
        heading: String::new(),
        paragraphs: String::new(),
    }];
    let mut leads = Vec::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let heading = format!("{} {text}", "#".repeat(level));
                whole.update(heading.as_bytes());
                whole.update(b"\n");
                outline.push(Section {
                    heading,
                    paragraphs: String::new(),
                });
            }
            Block::Paragraph(text) => {
                whole.update(text.as_bytes());
                whole.update(b"\n");
                let short = short_hash(&text);
                let section = outline.last_mut().expect("outline starts with a section");
                if !section.paragraphs.is_empty() {
                    section.paragraphs.push(' ');
                }
                section.paragraphs.push_str(&short);
                leads.push((short, lead(&text)));
            }
        }
    }
    if outline[0].paragraphs.is_empty() {
        outline.remove(0);
    }
    Fingerprint {
        title,
        hash: whole.finalize().to_hex().to_string(),
        outline,
        leads,
    }
}

fn html_has_main(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.contains("<main") || lower.contains("role=\"main\"") || lower.contains("role=main")
}

fn heading_level(name: &str) -> Option<usize> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(usize::from(d - b'0')),
        _ => None,
    }
}

/// 32 bits of a paragraph's hash, in hex: enough to tell a page's paragraphs apart.
fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..8].to_owned()
}

/// A paragraph's first words, for a summary.
fn lead(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    if words.len() <= 12 {
        text.to_owned()
    } else {
        format!("{} …", words[..12].join(" "))
    }
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Whitespace collapsed, and date and time stamps left out ("Last updated: November 30, 2026",
/// `2026-11-30T10:00:00Z`, `30/11/2026`, `10:42`), since a page re-published unchanged must not
/// count as a change.
fn normalize(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase()
    };
    let is_month = |w: &str| MONTHS.contains(&bare(w).as_str());
    let is_day = |w: &str| {
        let b = bare(w);
        let digits = b.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.len() <= 2
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(&b[digits.len()..], "" | "st" | "nd" | "rd" | "th")
    };
    let is_year = |w: &str| {
        let b = bare(w);
        b.len() == 4 && b.starts_with(['1', '2']) && b.chars().all(|c| c.is_ascii_digit())
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let at = |k: usize| words.get(i + k).copied().unwrap_or("");
        // Month day, year · Month year · day Month year
        let span = if is_month(w) && is_day(at(1)) && is_year(at(2)) {
            3
        } else if is_month(w) && is_year(at(1)) {
            2
        } else if is_day(w) && is_month(at(1)) && is_year(at(2)) {
            3
        } else if is_numeric_date(w) || is_clock(w) {
            1
        } else {
            0
        };
        if span == 0 {
            kept.push(w);
            i += 1;
        } else {
            i += span;
        }
    }
    kept.join(" ")
}

/// `2026-11-30`, `2026-11-30T10:00:00Z`, `30/11/2026`, `11/30/26`, `2026.11.30`.
fn is_numeric_date(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    let date = w.split(['T', 't']).next().unwrap_or(w);
    let slashed = date.contains('/');
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let digits = |p: &&str| (1..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit());
    // A version such as `1.28.3` has no year in it; with slashes a two-digit year is usual.
    let has_year = parts.first().is_some_and(|p| p.len() == 4)
        || parts
            .last()
            .is_some_and(|p| p.len() == 4 || (slashed && p.len() == 2));
    parts.len() == 3 && parts.iter().all(digits) && has_year
}

/// `10:42`, `10:42:07`, `10:42pm`.
fn is_clock(word: &str) -> bool {
    let w = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let parts: Vec<&str> = w.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

/// What changed between a recorded outline and a page fetched now, in a line: headings added
/// and removed, and paragraphs added (with their first words) and removed, under their heading.
pub(super) fn summary(before: &[Section], now: &Fingerprint) -> String {
    let flat = |outline: &[Section]| -> Vec<(String, Option<String>)> {
        let mut items = Vec::new();
        for section in outline {
            if !section.heading.is_empty() {
                items.push((section.heading.clone(), None));
            }
            for p in section.paragraphs.split(' ').filter(|p| !p.is_empty()) {
                items.push((section.heading.clone(), Some(p.to_owned())));
            }
        }
        items
    };
    let (old, new) = (flat(before), flat(&now.outline));
    let key = |item: &(String, Option<String>)| match &item.1 {
        Some(p) => format!("¶{p}"),
        None => item.0.clone(),
    };
    let old_keys: Vec<String> = old.iter().map(key).collect();
    let new_keys: Vec<String> = new.iter().map(key).collect();
    let (removed, added) = diff(&old_keys, &new_keys);
    let mut notes: Vec<String> = Vec::new();
    let heading_text = |h: &str| h.trim_start_matches('#').trim().to_owned();
    for &i in &removed {
        if old[i].1.is_none() {
            notes.push(format!("heading “{}” removed", heading_text(&old[i].0)));
        }
    }
    for &i in &added {
        if new[i].1.is_none() {
            notes.push(format!("heading “{}” added", heading_text(&new[i].0)));
        }
    }
    // (section heading, leads of added paragraphs, removed paragraphs), in order of appearance.
    let mut per_section: Vec<(String, Vec<String>, usize)> = Vec::new();
    fn entry(per_section: &mut Vec<(String, Vec<String>, usize)>, section: &str) -> usize {
        match per_section.iter().position(|(s, _, _)| s == section) {
            Some(i) => i,
            None => {
                per_section.push((section.to_owned(), Vec::new(), 0));
                per_section.len() - 1
            }
        }
    }
    for &i in &added {
        if let Some(p) = &new[i].1 {
            let at = entry(&mut per_section, &new[i].0);
            let lead = now
                .leads
                .iter()
                .find(|(h, _)| h == p)
                .map(|(_, l)| format!("“{l}”"))
                .unwrap_or_else(|| "a paragraph".into());
            per_section[at].1.push(lead);
        }
    }
    for &i in &removed {
        if old[i].1.is_some() {
            let at = entry(&mut per_section, &old[i].0);
            per_section[at].2 += 1;
        }
    }
    for (section, added, removed) in per_section {
        let place = if section.is_empty() {
            "at the top".to_owned()
        } else {
            format!("under “{}”", heading_text(&section))
        };
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", added.join(", ")));
        }
        if removed > 0 {
            parts.push(format!(
                "{removed} paragraph{} removed",
                if removed == 1 { "" } else { "s" }
            ));
        }
        notes.push(format!("{place}: {}", parts.join("; ")));
    }
    match notes.len() {
        0 if before.is_empty() => "the page's text changed".to_owned(),
        0 => "paragraphs moved".to_owned(),
        n if n > 4 => format!("{}; and {} more changes", notes[..4].join("; "), n - 4),
        _ => notes.join("; "),
    }
}

/// Indexes removed from `old` and added in `new`, by a longest common subsequence (pages are a
/// few hundred paragraphs; beyond 4,000 either side, only a set difference).
fn diff(old: &[String], new: &[String]) -> (Vec<usize>, Vec<usize>) {
    if old.len() > 4_000 || new.len() > 4_000 {
        let removed = (0..old.len()).filter(|&i| !new.contains(&old[i])).collect();
        let added = (0..new.len()).filter(|&j| !old.contains(&new[j])).collect();
        return (removed, added);
    }
    let (n, m) = (old.len(), new.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if old[i] == new[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    while i < n && j < m {
        if old[i] == new[j] {
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            removed.push(i);
            i += 1;
        } else {
            added.push(j);
            j += 1;
        }
    }
    removed.extend(i..n);
    added.extend(j..m);
    (removed, added)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title>Rotate keys - Amazon EKS</title>
<script>var t = "Last build 10:42";</script><style>p { color: red }</style></head>
<body><header><a href="/">Home</a> Sign in</header><nav><ul><li>Guide</li></ul></nav>
<main><h1>Rotate keys</h1><p>Last updated: November 30, 2026</p>
<p>KMS rotates a customer managed key only after you turn rotation on.</p>
<h2 id="x">Limits</h2><p>A key   rotates
 once a year.</p><div hidden>Feedback?</div></main>
<footer>© 2026 Amazon</footer></body></html>"#;

    #[test]
    fn main_text_without_navigation_scripts_or_dates() {
        let f = of_html(PAGE);
        assert_eq!(f.title.as_deref(), Some("Rotate keys - Amazon EKS"));
        let headings: Vec<&str> = f.outline.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["# Rotate keys", "## Limits"]);
        assert_eq!(f.outline[0].paragraphs.split(' ').count(), 2, "{f:?}");
        assert!(
            f.leads
                .iter()
                .any(|(_, l)| l == "A key rotates once a year.")
        );
        assert!(f.leads.iter().any(|(_, l)| l == "Last updated:"));
    }

    #[test]
    fn noise_does_not_change_the_hash_prose_does() {
        let base = of_html(PAGE);
        let noisy = PAGE
            .replace("November 30, 2026", "December 2, 2026")
            .replace("Sign in", "Sign out")
            .replace("10:42", "11:07")
            .replace("<li>Guide</li>", "<li>Guide</li><li>New</li>")
            .replace("color: red", "color: blue")
            .replace("A key   rotates\n once", "A key rotates once");
        assert_eq!(of_html(&noisy).hash, base.hash);
        let changed = of_html(&PAGE.replace("once a year", "every 90 days"));
        assert_ne!(changed.hash, base.hash);
        assert_eq!(
            summary(&base.outline, &changed),
            "under “Limits”: added “A key rotates every 90 days.”; 1 paragraph removed"
        );
    }

    #[test]
    fn summaries_name_headings_and_places() {
        let base = of_html(PAGE);
        let more = of_html(&PAGE.replace(
            "</main>",
            "<h2>Costs</h2><p>Each rotation is billed as a new key version.</p></main>",
        ));
        assert_eq!(
            summary(&base.outline, &more),
            "heading “Costs” added; under “Costs”: added “Each rotation is billed as a new key version.”"
        );
        assert_eq!(
            summary(&more.outline, &base),
            "heading “Costs” removed; under “Costs”: 1 paragraph removed"
        );
    }

    #[test]
    fn dates_and_clocks_are_recognised() {
        assert_eq!(
            normalize("Updated 2026-11-30T10:00:00Z by us"),
            "Updated by us"
        );
        assert_eq!(normalize("on 3rd March 2025, at 10:42pm."), "on at");
        assert_eq!(
            normalize("Kubernetes 1.28 and 1.33.2"),
            "Kubernetes 1.28 and 1.33.2"
        );
        assert_eq!(normalize("from 30/11/26 to 2026.12.01"), "from to");
        assert_eq!(normalize("May 2026 release"), "release");
        assert_eq!(normalize("you may 12 of them"), "you may 12 of them");
        assert_eq!(normalize("a\u{a0}b\n\tc"), "a b c");
    }

    #[test]
    fn deeply_nested_pages_take_linear_time() {
        let html = format!(
            "<main>{}deep{}</main>",
            "<div>".repeat(200_000),
            "</span>".repeat(200_000)
        );
        let f = of_html(&html);
        assert_eq!(f.leads.len(), 1);
    }

    #[test]
    fn pages_without_main_use_the_body_and_text_pages_their_paragraphs() {
        let f = of_html("<html><body><nav>Menu</nav><p>Only this.</p></body></html>");
        assert_eq!(f.leads.len(), 1);
        assert_eq!(f.leads[0].1, "Only this.");
        let t = of_text("# Title\n\nFirst.\n\n\nSecond.");
        assert_eq!(t.leads.len(), 3);
    }
}

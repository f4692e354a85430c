//! `versus check`: the editor's list of problems before publishing, each at `path:line:col`.
//!
//! The site is built into memory (nothing is written), then checked in three passes:
//!
//! 1. **Sources.** Each content page's Markdown is read again with pulldown-cmark (with byte
//!    offsets): links, images and raw HTML `href`/`src` are resolved against the built output
//!    and its `id`s (so anchors are the ids the renderer generated); authoring leftovers (TODO,
//!    FIXME, placeholder links, empty sections, skipped heading levels); `matrix(...)` calls
//!    written inside text that name unknown matrices or features.
//! 2. **Output.** Every built HTML page (layouts, listings, generated pages): internal links and
//!    assets that do not exist, once per broken target, unless pass 1 already reported it.
//! 3. **Matrices.** Stale claims and claims without a source link.
//!
//! With [`ExternalOptions`], http(s) links of posts, pages and matrices are fetched too (see
//! [`check_external`]). [`run`] takes a built site from memory, so the preview server can call it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pulldown_cmark::{Event, Options as ParseOptions, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, LineIndex, Severity, did_you_mean};
use crate::page::Page;
use crate::pipeline::{self, BuildOptions, Failure, Prepared};
use crate::site::Site;
use crate::write::{Sink, WriteError};

/// The kinds of findings, as `kind` in JSON output.
pub mod kind {
    /// An internal link to a page that is not in the built site (error).
    pub const BROKEN_LINK: &str = "broken-link";
    /// A `#fragment` that is no id on the target page (error).
    pub const BROKEN_ANCHOR: &str = "broken-anchor";
    /// An image, stylesheet or other file that is not in the built site (error).
    pub const MISSING_ASSET: &str = "missing-asset";
    /// TODO or FIXME in text or in an HTML comment (warning).
    pub const TODO: &str = "todo";
    /// A link to nowhere yet: `(#)`, `(#TODO)`, an empty href, "#TODO" in text (warning).
    pub const PLACEHOLDER: &str = "placeholder";
    /// A heading with nothing under it (warning).
    pub const EMPTY_SECTION: &str = "empty-section";
    /// A heading more than one level below the one before (warning).
    pub const HEADING_LEVEL: &str = "heading-level";
    /// A matrix claim verified longer ago than `stale_after_days` (warning).
    pub const STALE_CLAIM: &str = "stale-claim";
    /// A matrix claim without a `docs` link (warning).
    pub const MISSING_SOURCE: &str = "missing-source";
    /// A `matrix(...)` call in text naming a matrix or feature that does not exist (warning).
    pub const UNKNOWN_FEATURE: &str = "unknown-feature";
    /// An http(s) link that fails, with `--external` (error).
    pub const EXTERNAL_LINK: &str = "external-link";
}

/// One problem found: its kind and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub diagnostic: Diagnostic,
}

/// One finding as `--format json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JsonFinding {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub severity: String,
    pub kind: String,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }

    pub fn to_json(&self) -> JsonFinding {
        let d = &self.diagnostic;
        JsonFinding {
            path: d.path.to_string_lossy().replace('\\', "/"),
            line: d.line,
            col: d.col,
            severity: match d.severity {
                Severity::Error => "error".into(),
                Severity::Warning => "warning".into(),
            },
            kind: self.kind.into(),
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

/// What to check beyond the site itself.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Warnings become errors.
    pub strict: bool,
    /// Fetch http(s) links (None: they are not checked).
    pub external: Option<ExternalOptions>,
}

/// How external links are fetched.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// Per request, connection to last byte.
    pub timeout: Duration,
    /// Requests in flight at once, across hosts.
    pub threads: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// How long a result in `<root>/.versus-cache/external-links.json` is reused (zero: never).
    pub cache_for: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            threads: 8,
            per_host: 2,
            cache_for: Duration::from_secs(24 * 3600),
        }
    }
}

/// The built site in memory: output path (with `/`) → bytes (the same shape as the preview
/// server's outputs).
pub type Outputs = HashMap<String, Arc<Vec<u8>>>;

/// Builds the site at `options.root` into memory and checks it. A build that fails returns its
/// diagnostics, as `pipeline::build` would.
pub fn check_site(options: &BuildOptions, check: &CheckOptions) -> Result<Vec<Finding>, Failure> {
    let root = options.root.as_path();
    if !root.is_dir() {
        let message = "site root not found: not a folder";
        return Err(Failure::Usage(vec![Diagnostic::error(root, message)]));
    }
    let prepared = pipeline::prepare(root, options, None, |sources, config, liquid, problems| {
        pipeline::parse_pages(root, sources, config, liquid, problems)
    })?;
    let sink = Memory::new(root);
    let pages: Vec<&Page> = prepared.site.all_pages().collect();
    let (mut problems, mentions) = pipeline::render_pages(&pages, &prepared, &sink);
    let mentions =
        pipeline::mentions_by_matrix(mentions.iter().map(|(p, ids)| (*p, ids.as_slice())));
    pipeline::write_generated(&prepared, &mentions, &sink, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        crate::diag::sort(&mut problems);
        return Err(Failure::Content(problems));
    }
    let built = sink.built.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(run_built(root, &prepared, &built, check))
}

/// Checks a built site: `outputs` is what was built from `prepared`. Findings are sorted by
/// file and position.
pub fn run(
    root: &Path,
    prepared: &Prepared,
    outputs: &Outputs,
    options: &CheckOptions,
) -> Vec<Finding> {
    run_built(root, prepared, &Built::from_outputs(outputs), options)
}

fn run_built(
    root: &Path,
    prepared: &Prepared,
    built: &Built,
    options: &CheckOptions,
) -> Vec<Finding> {
    let site = &prepared.site;
    let index = OutputIndex::new(site, built);
    let pages: Vec<&Page> = site.all_pages().collect();
    let scans: Vec<PageScan> = pages
        .par_iter()
        .map(|page| scan_page(page, site, &index))
        .collect();
    let mut findings = Vec::new();
    let mut reported = HashSet::new();
    let mut external: Vec<(String, Diagnostic)> = Vec::new();
    for scan in scans {
        findings.extend(scan.findings);
        reported.extend(scan.broken_targets);
        external.extend(scan.external);
    }
    findings.extend(scan_outputs(root, &index, &reported));
    findings.extend(check_matrices(site));
    if let Some(ext) = &options.external {
        external.extend(matrix_docs(site));
        findings.extend(check_external(root, external, ext));
    }
    if options.strict {
        for f in &mut findings {
            f.diagnostic.severity = Severity::Error;
        }
    }
    findings.sort_by(|a, b| {
        let (a, b) = (&a.diagnostic, &b.diagnostic);
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
    findings.dedup();
    findings
}

/// What the check needs of one built HTML page: its ids, and its links at line:col.
#[derive(Debug, Default)]
struct HtmlFacts {
    ids: HashSet<String>,
    links: Vec<(usize, usize, String)>,
}

fn html_facts(bytes: &[u8]) -> HtmlFacts {
    let html = std::str::from_utf8(bytes).unwrap_or("");
    let lines = LineIndex::new(html);
    let ids = attributes(html, &["id", "name"])
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    let links = attributes(html, &["href", "src"])
        .into_iter()
        .map(|(offset, _, v)| {
            let (line, col) = lines.line_col(offset);
            (line, col, v)
        })
        .collect();
    HtmlFacts { ids, links }
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}

/// The built site as the check sees it: every output path (with `/`), and the facts of each
/// HTML page (a check keeps these, not the pages, so memory stays small).
#[derive(Debug, Default)]
struct Built {
    files: HashSet<String>,
    html: HashMap<String, HtmlFacts>,
}

impl Built {
    fn from_outputs(outputs: &Outputs) -> Built {
        let html = outputs
            .par_iter()
            .filter(|(path, _)| is_html(path))
            .map(|(path, bytes)| (path.clone(), html_facts(bytes)))
            .collect();
        Built {
            files: outputs.keys().cloned().collect(),
            html,
        }
    }
}

/// A sink that keeps what the check needs of the built site.
struct Memory {
    root: PathBuf,
    built: Mutex<Built>,
}

impl Memory {
    fn new(root: &Path) -> Memory {
        Memory {
            root: root.to_path_buf(),
            built: Mutex::default(),
        }
    }

    fn insert(&self, relative: &Path, bytes: Option<&[u8]>) {
        let key = relative.to_string_lossy().replace('\\', "/");
        let facts = bytes.filter(|_| is_html(&key)).map(html_facts);
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(facts) = facts {
            built.html.insert(key.clone(), facts);
        }
        built.files.insert(key);
    }
}

impl Sink for Memory {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        self.insert(relative, Some(bytes));
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        // Only HTML is read (for its links and ids); other files just have to exist.
        if relative.extension().is_some_and(|e| e == "html") {
            let from = if from.is_absolute() {
                from.to_path_buf()
            } else {
                self.root.join(from)
            };
            let bytes = std::fs::read(&from).unwrap_or_default();
            self.insert(relative, Some(&bytes));
        } else {
            self.insert(relative, None);
        }
        Ok(())
    }
}

/// The built files, and the ids of each HTML page.
struct OutputIndex<'a> {
    site: &'a Site,
    built: &'a Built,
    /// "Did you mean" answers by missing path: a site repeats its broken links.
    near: Mutex<HashMap<String, Option<String>>>,
}

impl<'a> OutputIndex<'a> {
    fn new(site: &'a Site, built: &'a Built) -> OutputIndex<'a> {
        OutputIndex {
            site,
            built,
            near: Mutex::default(),
        }
    }

    fn ids(&self, file: &str) -> Option<&'a HashSet<String>> {
        self.built.html.get(file).map(|f| &f.ids)
    }

    /// The built path (as a site path without the leading `/`) nearest to a missing one.
    fn near_file(&self, wanted: &str) -> Option<String> {
        let mut near = self.near.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = near.get(wanted) {
            return known.clone();
        }
        // did_you_mean allows one edit per three characters: skip paths too long or too short.
        let allowed = (wanted.chars().count() / 3).max(1);
        let len = wanted.len();
        let candidates: Vec<&str> = self
            .built
            .files
            .iter()
            .map(|f| f.strip_suffix("index.html").unwrap_or(f))
            .filter(|f| f.len().abs_diff(len) <= allowed)
            .collect();
        let found = did_you_mean(wanted, candidates).map(str::to_owned);
        near.insert(wanted.to_owned(), found.clone());
        found
    }

    /// The output file a site path (`/a/b/`, `/img/x.png`) is served from.
    fn file_for(&self, site_path: &str) -> Option<&'a str> {
        let path = site_path.trim_start_matches('/');
        let candidates = if path.is_empty() || path.ends_with('/') {
            vec![format!("{path}index.html")]
        } else {
            vec![path.to_owned(), format!("{path}/index.html")]
        };
        candidates
            .iter()
            .find_map(|c| self.built.files.get(c.as_str()).map(String::as_str))
    }
}

/// The values of `names` attributes in HTML (or Markdown's raw HTML): (offset of the value,
/// name, value with `&amp;` decoded).
fn attributes(html: &str, names: &[&str]) -> Vec<(usize, &'static str, String)> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(eq) = html[i..].find('=').map(|e| e + i) {
        i = eq + 1;
        let before = html[..eq].trim_end();
        let Some(name) = ["href", "src", "id", "name"]
            .into_iter()
            .filter(|n| names.contains(n))
            .find(|n| {
                // Compared as bytes: the text before `=` may end in a multibyte character.
                let Some(start) = before.len().checked_sub(n.len()) else {
                    return false;
                };
                before.as_bytes()[start..].eq_ignore_ascii_case(n.as_bytes())
                    && before.as_bytes()[..start]
                        .last()
                        .is_some_and(u8::is_ascii_whitespace)
            })
        else {
            continue;
        };
        let rest = html[eq + 1..].trim_start();
        let start = html.len() - rest.len();
        let Some(&quote) = bytes.get(start).filter(|q| **q == b'"' || **q == b'\'') else {
            continue;
        };
        let Some(end) = html[start + 1..].find(quote as char) else {
            continue;
        };
        let value = &html[start + 1..start + 1 + end];
        found.push((start + 1, name, value.replace("&amp;", "&")));
        i = start + 1 + end;
    }
    found
}

/// What one content page's scan found.
#[derive(Default)]
struct PageScan {
    findings: Vec<Finding>,
    /// Targets reported broken here (the output pass skips them).
    broken_targets: Vec<String>,
    /// http(s) links, at their place.
    external: Vec<(String, Diagnostic)>,
}

/// Where a link points, once resolved.
enum Target {
    /// Not checked (mailto:, javascript:, a `.md` source the build resolves, ...).
    Skip,
    External(String),
    /// A site path (without the base path) and an optional fragment.
    Internal(String, Option<String>),
}

fn classify(site: &Site, from_url: &str, link: &str) -> Target {
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

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `/a/./b/../c/` → `/a/c/`.
fn normalize(path: &str) -> String {
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
fn check_internal(
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

fn warning_in(page: &Page, body_offset: usize, message: String) -> Diagnostic {
    Diagnostic::warning(&page.source, message).at_offset(&page.text, page.text_offset(body_offset))
}

fn finding(kind: &'static str, diagnostic: Diagnostic) -> Finding {
    Finding { kind, diagnostic }
}

/// Whether a link is a stand-in for one not written yet.
fn is_placeholder(link: &str) -> bool {
    let link = link.trim();
    link.is_empty()
        || link == "#"
        || link
            .split_once('#')
            .is_some_and(|(_, f)| f.to_ascii_lowercase().contains("todo"))
}

/// Byte offsets of TODO and FIXME as whole words in `text`.
fn todo_words(text: &str) -> Vec<(usize, &'static str)> {
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
fn without_comments(html: &str) -> String {
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

fn parse_options() -> ParseOptions {
    ParseOptions::ENABLE_TABLES
        | ParseOptions::ENABLE_FOOTNOTES
        | ParseOptions::ENABLE_STRIKETHROUGH
        | ParseOptions::ENABLE_TASKLISTS
        | ParseOptions::ENABLE_HEADING_ATTRIBUTES
}

/// A heading met in the body: its level, offset, and whether anything stood under it yet.
struct OpenHeading {
    level: u8,
    offset: usize,
    text: String,
    content: bool,
}

fn scan_page(page: &Page, site: &Site, index: &OutputIndex) -> PageScan {
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
            Event::Start(Tag::HtmlBlock) | Event::End(_) => {}
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

/// HTML with comments blanked out (offsets unchanged), so links in comments are not checked.
fn without_comments_keep_len(html: &str) -> String {
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
fn close_heading(page: &Page, headings: &mut [OpenHeading], next: Option<u8>, scan: &mut PageScan) {
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
fn offset_of(body: &str, range: &Range<usize>, needle: &str) -> usize {
    let source = &body[range.clone()];
    let within = if needle.is_empty() {
        source.find("]()").map(|i| i + 2)
    } else {
        source.find(&format!("({needle}")).map(|i| i + 1)
    };
    range.start + within.or_else(|| source.find(needle)).unwrap_or(0)
}

#[allow(clippy::too_many_arguments)]
fn check_link(
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
fn scan_matrix_calls(
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
fn quoted(call: &str) -> Vec<(usize, String)> {
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

/// Links of the built pages (layouts, listings, generated pages) to files that do not exist:
/// one finding per target, at its first page, unless a source already reported it.
fn scan_outputs(root: &Path, index: &OutputIndex, reported: &HashSet<String>) -> Vec<Finding> {
    // site.yaml, then the layouts, with their text (read only when a link is broken).
    let mut templates: Vec<(PathBuf, String)> = Vec::new();
    let mut read = false;
    let mut templates_of = |templates: &mut Vec<(PathBuf, String)>| {
        if std::mem::replace(&mut read, true) {
            return;
        }
        let layouts = walkdir::WalkDir::new(root.join("layouts"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf));
        for path in std::iter::once(PathBuf::from(crate::config::FILE_NAME)).chain(layouts) {
            if let Ok(text) = crate::source::read_text(root, &path) {
                templates.push((path, text));
            }
        }
    };
    let mut broken: BTreeMap<String, (Finding, usize)> = BTreeMap::new();
    let mut files: Vec<(&String, &HtmlFacts)> = index.built.html.iter().collect();
    files.sort_by_key(|(path, _)| *path);
    for (file, facts) in files {
        let url = format!("/{}", file.strip_suffix("index.html").unwrap_or(file));
        for (line, col, link) in &facts.links {
            if is_placeholder(link) {
                continue;
            }
            let Target::Internal(path, fragment) = classify(index.site, &url, link) else {
                continue;
            };
            let Some((kind, message, help, key)) =
                check_internal(index, link, &path, fragment.as_deref(), false)
            else {
                continue;
            };
            if reported.contains(&key) {
                continue;
            }
            templates_of(&mut templates);
            let entry = broken.entry(key).or_insert_with(|| {
                // Where the link is written: a layout, or a site.yaml value a layout prints;
                // else its place in the first built page that has it.
                let written = templates
                    .iter()
                    .find_map(|(path, text)| text.find(link.as_str()).map(|at| (path, text, at)));
                let mut d = match written {
                    Some((path, text, at)) => Diagnostic::error(path, message).at_offset(text, at),
                    None => {
                        let mut d = Diagnostic::error(Path::new("public").join(file), message);
                        (d.line, d.col) = (*line, *col);
                        d.with_help("the link is made by a template, not written in one")
                    }
                };
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                (finding(kind, d), 0)
            });
            entry.1 += 1;
        }
    }
    broken
        .into_values()
        .map(|(mut f, count)| {
            if count > 1 {
                f.diagnostic.message += &format!(" (on {count} built pages)");
            }
            f
        })
        .collect()
}

/// Stale claims and claims without a source, one finding per cell.
fn check_matrices(site: &Site) -> Vec<Finding> {
    let limit = site.config.stale_before();
    let mut findings = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for (provider, cell) in site.matrices.providers.iter().zip(&feature.cells) {
                let claim = format!("{}/{}", provider.id, feature.id);
                let at = |message: String| {
                    Diagnostic::warning(&area.source, message).at_offset(&area.text, cell.offset)
                };
                if let Some(verified) = cell.verified.filter(|v| *v < limit) {
                    let message = format!(
                        "stale claim {claim}: verified {verified}, more than {} days ago",
                        site.config.stale_after_days
                    );
                    findings.push(finding(kind::STALE_CLAIM, at(message)));
                }
                if cell.docs.is_empty() {
                    let message = format!("claim {claim} has no source: add `docs:` with a link");
                    findings.push(finding(kind::MISSING_SOURCE, at(message)));
                }
            }
        }
    }
    findings
}

/// The `docs` links of matrix claims, at their cells.
fn matrix_docs(site: &Site) -> Vec<(String, Diagnostic)> {
    let mut links = Vec::new();
    for area in &site.matrices.areas {
        for feature in &area.features {
            for cell in &feature.cells {
                for url in &cell.docs {
                    let offset = area.text[cell.offset..]
                        .find(url.as_str())
                        .map_or(cell.offset, |o| cell.offset + o);
                    let d = Diagnostic::error(&area.source, String::new())
                        .at_offset(&area.text, offset);
                    links.push((url.clone(), d));
                }
            }
        }
    }
    links
}

/// The result of fetching one URL: the HTTP status, or why there was none.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checked {
    /// Seconds since 1970.
    checked: u64,
    status: Option<u16>,
    error: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    links: BTreeMap<String, Checked>,
}

/// The file external results are kept in between runs.
pub fn external_cache_file(root: &Path) -> PathBuf {
    root.join(".versus-cache").join("external-links.json")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Fetches each distinct URL once (HEAD, then GET when HEAD is refused), `threads` at a time
/// and at most `per_host` per host, reusing results younger than `cache_for`. A status of 400
/// or more, a timeout or a connection failure is an error at every place the URL is written.
pub fn check_external(
    root: &Path,
    links: Vec<(String, Diagnostic)>,
    options: &ExternalOptions,
) -> Vec<Finding> {
    let cache_file = external_cache_file(root);
    let mut cache: Cache = std::fs::read(&cache_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let now = now();
    let fresh = |c: &Checked| now.saturating_sub(c.checked) < options.cache_for.as_secs();
    cache.links.retain(|_, c| fresh(c));
    let mut wanted: Vec<String> = links.iter().map(|(u, _)| u.clone()).collect();
    wanted.sort();
    wanted.dedup();
    wanted.retain(|u| !cache.links.contains_key(u));
    for (url, result) in fetch_all(wanted, options) {
        cache.links.insert(url, result);
    }
    if let Some(dir) = cache_file.parent()
        && std::fs::create_dir_all(dir).is_ok()
        && let Ok(json) = serde_json::to_vec_pretty(&cache)
    {
        let temp = cache_file.with_extension("json.tmp");
        if std::fs::write(&temp, json).is_ok() {
            let _ = std::fs::rename(&temp, &cache_file);
        }
    }
    let mut findings = Vec::new();
    for (url, mut d) in links {
        let Some(result) = cache.links.get(&url) else {
            continue;
        };
        let problem = match (&result.status, &result.error) {
            (Some(status), _) if *status >= 400 => format!("HTTP {status}"),
            (Some(_), _) => continue,
            (None, Some(error)) => error.clone(),
            (None, None) => "no response".into(),
        };
        d.message = format!("external link `{url}` is broken: {problem}");
        findings.push(finding(kind::EXTERNAL_LINK, d));
    }
    findings
}

/// Fetches `urls` concurrently: each host's URLs are split into at most `per_host` queues, and
/// `threads` workers take whole queues, so one host never gets more than `per_host` at once.
fn fetch_all(urls: Vec<String>, options: &ExternalOptions) -> Vec<(String, Checked)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for url in urls {
        by_host.entry(host_of(&url)).or_default().push(url);
    }
    let per_host = options.per_host.max(1);
    let mut queues: Vec<Vec<String>> = Vec::new();
    for (_, urls) in by_host {
        let n = per_host.min(urls.len());
        let mut split = vec![Vec::new(); n];
        for (i, url) in urls.into_iter().enumerate() {
            split[i % n].push(url);
        }
        queues.extend(split);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("versus-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let workers = options.threads.max(1).min(queues.len());
    let queues = Mutex::new(queues);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queues.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some(queue) = next else { break };
                    for url in queue {
                        let checked = fetch(&agent, &url);
                        results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((url, checked));
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn fetch(agent: &ureq::Agent, url: &str) -> Checked {
    let status = |result: Result<ureq::http::Response<ureq::Body>, ureq::Error>| {
        result.map(|r| r.status().as_u16())
    };
    let mut result = status(agent.head(url).call());
    // Some servers refuse HEAD; ask again with GET (the body is not read).
    if matches!(result, Ok(s) if s == 405 || s == 403 || s == 501) || result.is_err() {
        let get = status(agent.get(url).call());
        if get.is_ok() || result.is_err() {
            result = get;
        }
    }
    match result {
        Ok(status) => Checked {
            checked: now(),
            status: Some(status),
            error: None,
        },
        Err(err) => Checked {
            checked: now(),
            status: None,
            error: Some(err.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("/a/./b/../c/"), "/a/c/");
        assert_eq!(normalize("/a/b/.."), "/a/");
        assert_eq!(normalize("/../x.png"), "/x.png");
        assert_eq!(normalize("/"), "/");
    }

    #[test]
    fn attributes_reads_quoted_values() {
        let html = r#"<a class="x" href="/a/?b=1&amp;c=2">x</a><img src='/i.png'><h2 id="intro">"#;
        let links: Vec<String> = attributes(html, &["href", "src"])
            .into_iter()
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(links, ["/a/?b=1&c=2", "/i.png"]);
        let ids: Vec<String> = attributes(html, &["id"])
            .into_iter()
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(ids, ["intro"]);
    }

    #[test]
    fn todo_words_are_whole_words() {
        assert_eq!(todo_words("a TODO b").len(), 1);
        assert_eq!(todo_words("TODOS and FIXME:").len(), 1);
        assert!(todo_words("mastodon todo").is_empty());
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(""));
        assert!(is_placeholder("#"));
        assert!(is_placeholder("#TODO"));
        assert!(is_placeholder("/x/#todo-later"));
        assert!(!is_placeholder("#introduction"));
    }

    #[test]
    fn quoted_strings_with_offsets() {
        assert_eq!(
            quoted(r#""enc", features=['a', "b"]"#),
            vec![
                (1, "enc".to_owned()),
                (18, "a".to_owned()),
                (23, "b".to_owned())
            ]
        );
    }
}

//! `versus check`: the editor's list of problems before publishing, each at `path:line:col`.
//!
//! The site is built into memory (nothing is written), then checked in three passes:
//!
//! 1. **Sources.** Each content page's Markdown is read again with pulldown-cmark (with byte
//!    offsets): links, images and raw HTML `href`/`src` are resolved against the built output
//!    and its `id`s (so anchors are the ids the renderer generated); under a base path, CSS
//!    `url(/...)` in raw HTML, which the build cannot rewrite; authoring leftovers (TODO,
//!    FIXME, placeholder links, empty sections, skipped heading levels); `matrix(...)` calls
//!    written inside text that name unknown matrices or features.
//! 2. **Output.** Every built HTML page (layouts, listings, generated pages): internal links and
//!    assets that do not exist (or, under a base path, links from the root without it), once per
//!    broken target, unless pass 1 already reported it.
//! 3. **Matrices.** Stale claims and claims without a source link.
//!
//! With [`ExternalOptions`], http(s) links of posts, pages and matrices are fetched too (see
//! [`check_external`]). [`run`] takes a built site from memory, so the preview server can call it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Severity};
use crate::page::Page;
use crate::pipeline::{self, BuildOptions, Failure, Prepared};
use crate::progress::Stage;

mod external;
mod fingerprint;
mod matrices;
mod sources_lock;
mod output;
mod sources;

use external::check_external;
pub use external::external_cache_file;
use matrices::{check_matrices, matrix_docs};
use output::{Built, Memory, OutputIndex, scan_outputs};
use sources::{PageScan, scan_page};
pub use sources_lock::{SOURCES_LOCK, sources_lock_file};

/// What changed between two versions of a documentation page, as `check --external` reports
/// it (`None` when their main text is the same): for other tools and for the fuzzer.
pub fn source_change(before_html: &str, after_html: &str) -> Option<String> {
    let (before, after) = (
        fingerprint::of_html(before_html),
        fingerprint::of_html(after_html),
    );
    (before.hash != after.hash).then(|| fingerprint::summary(&before.outline, &after))
}

/// The kinds of findings, as `kind` in JSON output.
pub mod kind {
    /// An internal link to a page that is not in the built site (error).
    pub const BROKEN_LINK: &str = "broken-link";
    /// A `#fragment` that is no id on the target page (error).
    pub const BROKEN_ANCHOR: &str = "broken-anchor";
    /// An image, stylesheet or other file that is not in the built site (error).
    pub const MISSING_ASSET: &str = "missing-asset";
    /// A link from the site root the build cannot put under the base path: CSS `url(...)` in
    /// raw HTML (error, only with a base path).
    pub const UNREWRITTEN_LINK: &str = "unrewritten-link";
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
    /// A claim about a provider citing none of that provider's `sources` (warning).
    pub const FOREIGN_SOURCE: &str = "foreign-source";
    /// A claim with no `verified` day, or one after the day of the check (warning).
    pub const UNVERIFIED_CLAIM: &str = "unverified-claim";
    /// An `unknown` level without a note saying what evidence is missing (warning).
    pub const UNEXPLAINED_UNKNOWN: &str = "unexplained-unknown";
    /// A `matrix(...)` call in text naming a matrix or feature that does not exist (warning).
    pub const UNKNOWN_FEATURE: &str = "unknown-feature";
    /// An http(s) link that fails, with `--external` (error).
    pub const EXTERNAL_LINK: &str = "external-link";
    /// A cited page whose text changed after a claim citing it was verified (warning).
    pub const SOURCE_CHANGED: &str = "source-changed";
    /// Cited pages not yet recorded in `data/sources.lock` (one warning).
    pub const SOURCE_UNRECORDED: &str = "source-unrecorded";
    /// A setting of site.yaml that is missing, mistyped or a placeholder (warning): the
    /// build's own warnings about `title`, `base_url` and near-miss keys.
    pub const SETTINGS: &str = "settings";
    /// `data/sources.lock` cannot be read (error).
    pub const SOURCES_LOCK: &str = "sources-lock";
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
    /// Record what each cited page says now in `data/sources.lock`.
    pub update_sources: bool,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            threads: 8,
            per_host: 2,
            cache_for: Duration::from_secs(24 * 3600),
            update_sources: false,
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
        pipeline::parse_pages(root, sources, config, liquid, options.progress(), problems)
    })?;
    let sink = Memory::new(root);
    let pages: Vec<&Page> = prepared.site.all_pages().collect();
    let (mut problems, mentions, pictures) = pipeline::render_pages(&pages, &prepared, &sink);
    let mentions =
        pipeline::mentions_by_matrix(mentions.iter().map(|(p, ids)| (*p, ids.as_slice())));
    pipeline::write_generated(&prepared, &mentions, &pictures, &sink, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        crate::diag::sort(&mut problems);
        return Err(Failure::Content(problems));
    }
    let built = sink.built.into_inner().unwrap_or_else(|e| e.into_inner());
    let progress = options.progress();
    progress.begin(Stage::Check, 0);
    let findings = run_built(root, &prepared, &built, check);
    let errors = findings.iter().filter(|f| f.is_error()).count();
    progress.end(
        Stage::Check,
        &[
            ("pages", pages.len()),
            ("errors", errors),
            ("warnings", findings.len() - errors),
        ],
    );
    Ok(findings)
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
    let settings = site.config.warnings.iter().cloned();
    findings.extend(settings.map(|d| finding(kind::SETTINGS, d)));
    if let Some(ext) = &options.external {
        let today = site.config.today;
        findings.extend(check_external(
            root,
            external,
            matrix_docs(site),
            ext,
            today,
        ));
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

pub(super) fn warning_in(page: &Page, body_offset: usize, message: String) -> Diagnostic {
    Diagnostic::warning(&page.source, message).at_offset(&page.text, page.text_offset(body_offset))
}

pub(super) fn finding(kind: &'static str, diagnostic: Diagnostic) -> Finding {
    Finding { kind, diagnostic }
}

#[cfg(test)]
mod tests {
    use super::output::attributes;
    use super::sources::{is_placeholder, normalize, quoted, todo_words};

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("/a/./b/../c/"), "/a/c/");
        assert_eq!(normalize("/a/b/.."), "/a/");
        assert_eq!(normalize("/../x.png"), "/x.png");
        assert_eq!(normalize("/"), "/");
    }

    #[test]
    fn attributes_reads_quoted_values() {
        let html =
            r#"<a class="x" href="/a/?b=1&amp;c=2">x</a><img src='/&#105;.png'><h2 id="intro">"#;
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

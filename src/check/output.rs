//! The built site as the check sees it, and pass 2: links of built pages to files that do not exist.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diag::{Diagnostic, LineIndex, did_you_mean};
use crate::markdown;
use crate::site::Site;
use crate::write::{Sink, WriteError};

use super::sources::{Target, check_internal, classify, is_placeholder};
use super::{Finding, Outputs, finding, kind};

/// What the check needs of one built HTML page: its ids, and its links at line:col.
#[derive(Debug, Default)]
pub(super) struct HtmlFacts {
    pub(super) ids: HashSet<String>,
    pub(super) links: Vec<(usize, usize, String)>,
}

pub(super) fn html_facts(bytes: &[u8]) -> HtmlFacts {
    let html = std::str::from_utf8(bytes).unwrap_or("");
    let lines = LineIndex::new(html);
    let ids = attributes(html, &["id", "name"])
        .into_iter()
        .map(|(_, _, v)| v)
        .collect();
    let mut links: Vec<(usize, usize, String)> = attributes(html, &["href", "src"])
        .into_iter()
        .map(|(offset, _, v)| {
            let (line, col) = lines.line_col(offset);
            (line, col, v)
        })
        .collect();
    // A redirect page's `<meta http-equiv="refresh" content="0; url=...">` is a link too.
    for (offset, _, value) in attributes(html, &["content"]) {
        if let Some(url) = refresh_url(&value) {
            let (line, col) = lines.line_col(offset);
            links.push((line, col, url.to_owned()));
        }
    }
    links.sort();
    HtmlFacts { ids, links }
}

pub(super) fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}

/// The built site as the check sees it: every output path (with `/`), and the facts of each
/// HTML page (a check keeps these, not the pages, so memory stays small).
#[derive(Debug, Default)]
pub(super) struct Built {
    pub(super) files: HashSet<String>,
    pub(super) html: HashMap<String, HtmlFacts>,
}

impl Built {
    pub(super) fn from_outputs(outputs: &Outputs) -> Built {
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
pub(super) struct Memory {
    pub(super) root: PathBuf,
    pub(super) built: Mutex<Built>,
}

impl Memory {
    pub(super) fn new(root: &Path) -> Memory {
        Memory {
            root: root.to_path_buf(),
            built: Mutex::default(),
        }
    }

    pub(super) fn insert(&self, relative: &Path, bytes: Option<&[u8]>) {
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
pub(super) struct OutputIndex<'a> {
    pub(super) site: &'a Site,
    pub(super) built: &'a Built,
    /// "Did you mean" answers by missing path: a site repeats its broken links.
    pub(super) near: Mutex<HashMap<String, Option<String>>>,
}

impl<'a> OutputIndex<'a> {
    pub(super) fn new(site: &'a Site, built: &'a Built) -> OutputIndex<'a> {
        OutputIndex {
            site,
            built,
            near: Mutex::default(),
        }
    }

    pub(super) fn ids(&self, file: &str) -> Option<&'a HashSet<String>> {
        self.built.html.get(file).map(|f| &f.ids)
    }

    /// The built path (as a site path without the leading `/`) nearest to a missing one.
    pub(super) fn near_file(&self, wanted: &str) -> Option<String> {
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
    pub(super) fn file_for(&self, site_path: &str) -> Option<&'a str> {
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
/// name, value with its character references decoded).
pub(super) fn attributes(html: &str, names: &[&str]) -> Vec<(usize, &'static str, String)> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(eq) = html[i..].find('=').map(|e| e + i) {
        i = eq + 1;
        let before = html[..eq].trim_end();
        let Some(name) = ["href", "src", "id", "name", "content"]
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
        found.push((
            start + 1,
            name,
            html_escape::decode_html_entities(value).into_owned(),
        ));
        i = start + 1 + end;
    }
    found
}

/// The URL of a meta refresh's `content` (`0; url=/new/`), None for any other content.
fn refresh_url(content: &str) -> Option<&str> {
    let rest = content
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if rest.len() == content.trim_start().len() {
        return None;
    }
    let rest = rest.trim_start().strip_prefix([';', ','])?.trim_start();
    let url = rest.get(..4).filter(|u| u.eq_ignore_ascii_case("url="))?;
    let url = rest[url.len()..].trim();
    let url = url.trim_matches(|c| c == '\'' || c == '"');
    (!url.is_empty()).then_some(url)
}

/// Links of the built pages (layouts, listings, generated pages) to files that do not exist:
/// one finding per target, at its first page, unless a source already reported it.
pub(super) fn scan_outputs(
    root: &Path,
    index: &OutputIndex,
    reported: &HashSet<String>,
) -> Vec<Finding> {
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
    let base = index.site.config.base_path.trim_end_matches('/');
    let mut broken: BTreeMap<String, (Finding, usize)> = BTreeMap::new();
    let mut files: Vec<(&String, &HtmlFacts)> = index.built.html.iter().collect();
    files.sort_by_key(|(path, _)| *path);
    for (file, facts) in files {
        let url = format!("/{}", file.strip_suffix("index.html").unwrap_or(file));
        for (line, col, link) in &facts.links {
            if is_placeholder(link) {
                continue;
            }
            // Under a base path a built link from the root must carry it: Markdown's links are
            // rewritten, so one without it comes from a layout or a static file as written.
            let problem = match markdown::under_base_path(link.trim(), base) {
                Some(under) => Some((
                    kind::BROKEN_LINK,
                    format!(
                        "link `{link}` leads outside the site: it does not start with the base path {base}"
                    ),
                    Some(format!(
                        "write `{{{{ '{link}' | relative_url }}}}`, or `{under}`"
                    )),
                    format!("outside the base path: {link}"),
                )),
                None => match classify(index.site, &url, link) {
                    Target::Internal(path, fragment) => {
                        check_internal(index, link, &path, fragment.as_deref(), false)
                    }
                    _ => None,
                },
            };
            let Some((kind, message, help, key)) = problem else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meta_refresh_is_a_link() {
        assert_eq!(refresh_url("0; url=/blog/new/"), Some("/blog/new/"));
        assert_eq!(refresh_url(" 3,URL='/x/'"), Some("/x/"));
        assert_eq!(refresh_url("A page; url=/x/"), None);
        assert_eq!(refresh_url("width=device-width"), None);
        let facts = html_facts(
            b"<meta name=\"description\" content=\"About\">\n<meta http-equiv=\"refresh\" content=\"0; url=/new/\">",
        );
        assert_eq!(facts.links, [(2, 37, "/new/".to_string())]);
    }
}

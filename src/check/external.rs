//! External http(s) links: fetched concurrently, politely per host, with a cache between runs.
//! The pages matrix claims cite are read as well, and compared with what `data/sources.lock`
//! recorded, so a claim whose source changed after it was verified is reported at its cell.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use ureq::ResponseExt;

use crate::diag::Diagnostic;

use super::fingerprint::{self, Fingerprint};
use super::matrices::Citation;
use super::sources_lock::{self, Recorded, SOURCES_LOCK, SourcesLock};
use super::{ExternalOptions, Finding, finding, kind};

/// The most of a cited page that is read.
const PAGE_LIMIT: u64 = 16 * 1024 * 1024;

/// The result of fetching one URL: the HTTP status, or why there was none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Checked {
    /// Seconds since 1970.
    pub(super) checked: u64,
    pub(super) status: Option<u16>,
    pub(super) error: Option<String>,
    /// Where the URL led, when it redirected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) final_url: Option<String>,
    /// The page's main text, for pages matrix claims cite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) page: Option<Fingerprint>,
}

impl Checked {
    /// Why the URL counts as broken, if it does.
    fn problem(&self) -> Option<String> {
        match (&self.status, &self.error) {
            (Some(status), _) if *status >= 400 => Some(format!("HTTP {status}")),
            (Some(_), _) => None,
            (None, Some(error)) => Some(error.clone()),
            (None, None) => Some("no response".into()),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Cache {
    pub(super) links: BTreeMap<String, Checked>,
}

/// The file external results are kept in between runs.
pub fn external_cache_file(root: &Path) -> PathBuf {
    root.join(".versus-cache").join("external-links.json")
}

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Fetches each distinct URL once (HEAD, then GET when HEAD is refused; cited pages with GET,
/// to read them), `threads` at a time and at most `per_host` per host, reusing results younger
/// than `cache_for`. A status of 400 or more, a timeout, a redirect loop or a connection failure
/// is one error per URL, at its first place, naming the others. Cited pages are then compared
/// with `data/sources.lock` (see [`compare_sources`]).
pub(super) fn check_external(
    root: &Path,
    links: Vec<(String, Diagnostic)>,
    citations: Vec<Citation>,
    options: &ExternalOptions,
    today: Date,
) -> Vec<Finding> {
    let cache_file = external_cache_file(root);
    let mut cache: Cache = std::fs::read(&cache_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let now = now();
    let fresh = |c: &Checked| now.saturating_sub(c.checked) < options.cache_for.as_secs();
    cache.links.retain(|_, c| fresh(c));
    let mut pages: Vec<String> = citations.iter().map(|c| c.url.clone()).collect();
    pages.sort();
    pages.dedup();
    let mut wanted: Vec<(String, bool)> = links
        .iter()
        .map(|(u, _)| u.clone())
        .filter(|u| pages.binary_search(u).is_err())
        .map(|u| (u, false))
        .chain(pages.iter().map(|u| (u.clone(), true)))
        .collect();
    wanted.sort();
    wanted.dedup();
    // A cited page needs its text: a cached status alone will not do.
    wanted.retain(|(u, read)| match cache.links.get(u) {
        Some(c) => *read && c.page.is_none() && c.problem().is_none(),
        None => true,
    });
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

    // Broken: once per URL, at its first place, with the others as help.
    let mut places: BTreeMap<&str, Vec<Diagnostic>> = BTreeMap::new();
    let mut cited_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for (url, d) in &links {
        places.entry(url).or_default().push(d.clone());
    }
    for c in &citations {
        places.entry(&c.url).or_default().push(c.link.clone());
        cited_by.entry(&c.url).or_default().push(&c.claim);
    }
    let mut findings = Vec::new();
    for (url, mut at) in places {
        let Some(problem) = cache.links.get(url).and_then(Checked::problem) else {
            continue;
        };
        at.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        let mut d = at[0].clone();
        d.severity = crate::diag::Severity::Error;
        d.message = format!("external link `{url}` is broken: {problem}");
        let mut help = Vec::new();
        if let Some(claims) = cited_by.get(url) {
            help.push(format!("cited by {}", claims.join(", ")));
        }
        if at.len() > 1 {
            let others: Vec<String> = at[1..]
                .iter()
                .map(|o| format!("{}:{}:{}", o.path.display(), o.line, o.col))
                .collect();
            help.push(format!("also linked at {}", others.join(", ")));
        }
        if !help.is_empty() {
            d.help = Some(help.join("; "));
        }
        findings.push(finding(kind::EXTERNAL_LINK, d));
    }
    findings.extend(compare_sources(root, &citations, &cache, options, today));
    findings
}

/// Compares each cited page read now with `data/sources.lock` (refreshing the lock first with
/// `update_sources`):
/// - a page whose text differs from the lock's is `source-changed` at every cell citing it;
/// - a page the lock saw change after a cell's `verified` day stays `source-changed` at that
///   cell until the cell is verified again;
/// - pages the lock does not know yet are one `source-unrecorded` warning.
///
/// Pages that could not be read leave their record as it was.
fn compare_sources(
    root: &Path,
    citations: &[Citation],
    cache: &Cache,
    options: &ExternalOptions,
    today: Date,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if citations.is_empty() && !sources_lock::sources_lock_file(root).exists() {
        return findings;
    }
    let old = match sources_lock::read(root) {
        Ok(lock) => lock,
        Err(d) => {
            findings.push(finding(kind::SOURCES_LOCK, d));
            return findings;
        }
    };
    let read_now = |url: &str| {
        cache
            .links
            .get(url)
            .filter(|c| c.problem().is_none())
            .and_then(|c| Some((c.page.as_ref()?, c.final_url.clone())))
    };
    let lock = if options.update_sources {
        let lock = refreshed(&old, citations, &read_now, today);
        match sources_lock::write(root, &lock) {
            Ok(true) => eprintln!(
                "updated {SOURCES_LOCK}: {} pages recorded",
                lock.sources.len()
            ),
            Ok(false) => eprintln!("{SOURCES_LOCK} is up to date"),
            Err(e) => findings.push(finding(
                kind::SOURCES_LOCK,
                Diagnostic::error(SOURCES_LOCK, format!("cannot write: {e}")),
            )),
        }
        lock
    } else {
        old
    };
    let hint = "re-read the page, update the claim and its `verified:` day, then run `versus check --external --update-sources`";
    let mut unrecorded: Vec<&Citation> = Vec::new();
    for c in citations {
        let Some(recorded) = lock.sources.get(&c.url) else {
            if read_now(&c.url).is_some() && !unrecorded.iter().any(|u| u.url == c.url) {
                unrecorded.push(c);
            }
            continue;
        };
        let Some(verified) = c.verified else {
            continue; // `unverified-claim` says so already.
        };
        let mut d = c.cell.clone();
        if let Some((page, final_url)) = read_now(&c.url)
            && page.hash != recorded.hash
        {
            let moved = final_url
                .filter(|f| Some(f) != recorded.final_url.as_ref() && f != &c.url)
                .map(|f| format!(" (it now redirects to {f})"))
                .unwrap_or_default();
            d.message = format!(
                "source changed: `{}`{moved} no longer says what it said on {}; {} was verified {verified}",
                c.url, recorded.recorded, c.claim
            );
            d.help = Some(format!(
                "{}; {hint}",
                fingerprint::summary(&recorded.outline, page)
            ));
            findings.push(finding(kind::SOURCE_CHANGED, d));
        } else if let Some(changed) = recorded.changed
            && changed > verified
        {
            d.message = format!(
                "source changed: `{}` changed on {changed}, after {} was verified on {verified}",
                c.url, c.claim
            );
            let what = recorded
                .change
                .clone()
                .unwrap_or_else(|| "the page's text changed".into());
            d.help = Some(format!("{what}; {hint}"));
            findings.push(finding(kind::SOURCE_CHANGED, d));
        }
    }
    if let Some(first) = unrecorded.first() {
        // At the first cited link the lock does not know.
        let mut d = first.link.clone();
        d.severity = crate::diag::Severity::Warning;
        d.message = format!(
            "{} cited page{} not recorded in {SOURCES_LOCK}, so a later change cannot be noticed",
            unrecorded.len(),
            if unrecorded.len() == 1 {
                " is"
            } else {
                "s are"
            }
        );
        let shown: Vec<&str> = unrecorded.iter().take(3).map(|c| c.url.as_str()).collect();
        let more = unrecorded.len() - shown.len();
        d.help = Some(format!(
            "run `versus check --external --update-sources` to record {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
        findings.push(finding(kind::SOURCE_UNRECORDED, d));
    }
    findings
}

/// The lock after reading every cited page: an unchanged page keeps its record (a redirect
/// to the same text only updates where it leads), a changed one is recorded anew with the
/// day and what changed, a page that could not be read keeps its old record, and pages no
/// claim cites any more are dropped.
fn refreshed<'a>(
    old: &SourcesLock,
    citations: &[Citation],
    read_now: &impl Fn(&str) -> Option<(&'a Fingerprint, Option<String>)>,
    today: Date,
) -> SourcesLock {
    let mut lock = SourcesLock::default();
    for c in citations {
        if lock.sources.contains_key(&c.url) {
            continue;
        }
        let before = old.sources.get(&c.url);
        let record = match (read_now(&c.url), before) {
            (None, Some(before)) => before.clone(),
            (None, None) => continue,
            (Some((page, final_url)), Some(before)) if page.hash == before.hash => Recorded {
                final_url: final_url.filter(|f| f != &c.url),
                ..before.clone()
            },
            (Some((page, final_url)), before) => Recorded {
                title: page.title.clone(),
                final_url: final_url.filter(|f| f != &c.url),
                recorded: today,
                changed: before.map(|_| today),
                change: before.map(|b| fingerprint::summary(&b.outline, page)),
                hash: page.hash.clone(),
                outline: page.outline.clone(),
            },
        };
        lock.sources.insert(c.url.clone(), record);
    }
    lock
}

/// Fetches `urls` concurrently: each host's URLs are split into at most `per_host` queues, and
/// `threads` workers take whole queues, so one host never gets more than `per_host` at once.
pub(super) fn fetch_all(
    urls: Vec<(String, bool)>,
    options: &ExternalOptions,
) -> Vec<(String, Checked)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let mut by_host: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for (url, read) in urls {
        by_host.entry(host_of(&url)).or_default().push((url, read));
    }
    let per_host = options.per_host.max(1);
    let mut queues: Vec<Vec<(String, bool)>> = Vec::new();
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
                    for (url, read) in queue {
                        let checked = if read {
                            read_page(&agent, &url)
                        } else {
                            fetch(&agent, &url)
                        };
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

pub(super) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn fetch(agent: &ureq::Agent, url: &str) -> Checked {
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
            final_url: None,
            page: None,
        },
        Err(err) => Checked {
            checked: now(),
            status: None,
            error: Some(err.to_string()),
            final_url: None,
            page: None,
        },
    }
}

/// GETs a cited page and reads its main text (redirects followed; a loop is an error).
pub(super) fn read_page(agent: &ureq::Agent, url: &str) -> Checked {
    let failed = |error: String| Checked {
        checked: now(),
        status: None,
        error: Some(error),
        final_url: None,
        page: None,
    };
    let mut response = match agent.get(url).call() {
        Ok(response) => response,
        Err(err) => return failed(err.to_string()),
    };
    let status = response.status().as_u16();
    let final_url = Some(response.get_uri().to_string()).filter(|f| f != url);
    let html = response
        .body()
        .mime_type()
        .is_none_or(|m| m.contains("html") || m.contains("xml"));
    let page = if status < 400 {
        match response
            .body_mut()
            .with_config()
            .limit(PAGE_LIMIT)
            .read_to_vec()
        {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                Some(if html {
                    fingerprint::of_html(&text)
                } else {
                    fingerprint::of_text(&text)
                })
            }
            Err(err) => return failed(format!("reading the page failed: {err}")),
        }
    } else {
        None
    };
    Checked {
        checked: now(),
        status: Some(status),
        error: None,
        final_url,
        page,
    }
}

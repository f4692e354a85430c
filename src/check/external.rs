//! External http(s) links: fetched concurrently, politely per host, with a cache between runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

use super::{ExternalOptions, Finding, finding, kind};

/// The result of fetching one URL: the HTTP status, or why there was none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Checked {
    /// Seconds since 1970.
    pub(super) checked: u64,
    pub(super) status: Option<u16>,
    pub(super) error: Option<String>,
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
pub(super) fn fetch_all(urls: Vec<String>, options: &ExternalOptions) -> Vec<(String, Checked)> {
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
        },
        Err(err) => Checked {
            checked: now(),
            status: None,
            error: Some(err.to_string()),
        },
    }
}

//! Issue #17, search: the index under `search/` (a post's body words, no markup, code or
//! drafts; matrix features by name), the search page and the header box, `search: false`, and a
//! query typed into the box in a real headless Chromium, on a site under a subpath.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::browser::{Browser, browser_available};
use crate::harness::{TestSite, request_path};

const POST: &str = "content/posts/2024-05-01-otters.md";
const POST_URL: &str = "/2024/05/01/otters/";
const POST_TITLE: &str = "Rivers and their guests";
const POST_TEXT: &str = "---
title: Rivers and their guests
tags: [Nature]
---
The **otters** of the `estuary` swim at dawn, <span class=\"hiddenclass\">kelp</span> in
[their paws](https://example.net/linkhost).

```sh
secretcommand --flag
```
";
/// A Japanese post, written without spaces: "Otters living in Tokyo swim at dawn."
const CJK_POST: &str = "content/posts/2024-05-02-tokyo.md";
const CJK_URL: &str = "/2024/05/02/tokyo/";
const CJK_TITLE: &str = "Tokyo";
const CJK_TEXT: &str = "---\ntitle: Tokyo\n---\n東京都に住むカワウソは夜明けに泳ぐ。\n";
const DRAFT: &str = "content/posts/2024-06-01-draft.md";
const DRAFT_TEXT: &str = "---\ntitle: Not yet\ndraft: true\n---\nThe platypus waits.\n";

/// The compare fixture (posts and matrices, the built-in theme) with the post and the draft.
fn site() -> TestSite {
    let site = TestSite::bare("compare");
    site.write(POST, POST_TEXT);
    site.write(CJK_POST, CJK_TEXT);
    site.write(DRAFT, DRAFT_TEXT);
    site
}

/// The index as written: each term's documents (in the index's order), and the documents.
struct Index {
    terms: BTreeMap<String, Vec<usize>>,
    docs: Vec<Value>,
}

impl Index {
    fn read(public: &Path) -> Index {
        let json = |path: &Path| -> Value {
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let meta = json(&public.join("search/index.json"));
        let shards = meta["shards"].as_array().expect("shards").len();
        let mut terms = BTreeMap::new();
        for i in 0..shards {
            let shard = json(&public.join(format!("search/t/{i}.json")));
            for (term, postings) in shard.as_object().unwrap() {
                let mut doc = 0;
                let docs = postings.as_array().unwrap().chunks(2).map(|pair| {
                    doc += pair[0].as_u64().unwrap() as usize;
                    doc
                });
                terms.insert(term.clone(), docs.collect());
            }
        }
        let count = meta["docs"].as_u64().unwrap() as usize;
        let per = meta["docs_per_shard"].as_u64().unwrap() as usize;
        let mut docs = Vec::new();
        for k in 0..count.div_ceil(per) {
            let shard = json(&public.join(format!("search/d/{k}.json")));
            docs.extend(shard.as_array().unwrap().iter().cloned());
        }
        assert_eq!(docs.len(), count);
        Index { terms, docs }
    }

    /// The titles of the documents holding `term`.
    fn titles(&self, term: &str) -> Vec<&str> {
        self.terms
            .get(term)
            .into_iter()
            .flatten()
            .map(|&doc| self.docs[doc]["t"].as_str().unwrap())
            .collect()
    }
}

#[test]
fn the_index_finds_a_post_by_a_body_word_and_holds_no_markup_code_or_drafts() {
    let site = site();
    site.build_ok();
    let public = site.root().join("public");
    let index = Index::read(&public);
    for word in ["otters", "estuary", "kelp", "paws", "nature", "rivers"] {
        assert_eq!(index.titles(word), [POST_TITLE], "{word}");
    }
    for markup in [
        "strong",
        "span",
        "hiddenclass",
        "linkhost",
        "https",
        "secretcommand",
        "flag",
    ] {
        assert!(
            index.titles(markup).is_empty(),
            "{markup} is markup or code"
        );
    }
    assert!(
        index.titles("platypus").is_empty(),
        "a draft is not indexed"
    );
    assert!(index.docs.iter().all(|d| d["t"] != "Not yet"));
    let post = index.docs.iter().find(|d| d["t"] == POST_TITLE).unwrap();
    assert_eq!(post["u"], POST_URL);
    assert_eq!(post["d"], "2024-05-01");
    assert_eq!(post["k"], "post");

    // A matrix feature by its name, linking to its row on the area's page.
    assert_eq!(index.titles("snapshots"), ["Volume snapshots"]);
    let feature = index
        .docs
        .iter()
        .find(|d| d["t"] == "Volume snapshots")
        .unwrap();
    assert_eq!(feature["k"], "feature");
    assert_eq!(feature["a"], "Disk storage");
    assert_eq!(feature["u"], "/compare/storage/#storage-snapshots");
    assert!(
        site.read("compare/storage/index.html")
            .contains("id=\"storage-snapshots\"")
    );

    // The page: a plain GET form with a label, a live status, a note for readers without
    // JavaScript, and the script; not in the sitemap. Every other page has the header box.
    let page = site.read("search/index.html");
    for part in [
        r#"<form class="search-form" role="search" action="/search/" method="get">"#,
        r#"<label for="search-input">"#,
        r#"<input type="search" id="search-input" name="q""#,
        r#"role="status" aria-live="polite""#,
        "<noscript>",
        r#"<script src="/search.js" defer></script>"#,
    ] {
        assert!(page.contains(part), "{part} missing from the search page");
    }
    assert!(
        !page.contains("site-search-input"),
        "one search box on the search page"
    );
    assert!(public.join("search.js").is_file());
    assert!(!site.read("sitemap.xml").contains("/search/"));
    let post_page = site.read(&format!("{}index.html", &POST_URL[1..]));
    assert!(
        post_page
            .contains(r#"<form class="site-search" role="search" action="/search/" method="get">"#)
    );
    assert!(post_page.contains(r#"<label for="site-search-input""#));

    // With drafts, the draft is found: it was left out for being a draft.
    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(Index::read(&public).titles("platypus"), ["Not yet"]);
}

#[test]
fn a_post_in_japanese_is_indexed_by_pairs_of_characters_and_each_run_s_last() {
    let site = site();
    site.build_ok();
    let index = Index::read(&site.root().join("public"));
    // カワウソ (otter) stands inside a run of 18 characters; 泳ぐ ends it before 。.
    for term in ["東京", "カワ", "ワウ", "ウソ", "泳ぐ", "ぐ"] {
        assert_eq!(index.titles(term), [CJK_TITLE], "{term}");
    }
    assert!(index.titles("カワウソ").is_empty(), "no word of four");
    assert!(
        index
            .titles("東京都に住むカワウソは夜明けに泳ぐ")
            .is_empty(),
        "nor the whole run"
    );
    let post = index.docs.iter().find(|d| d["t"] == CJK_TITLE).unwrap();
    assert_eq!(post["e"], "東京都に住むカワウソは夜明けに泳ぐ。");
}

#[test]
fn search_false_writes_no_index_no_page_and_no_box() {
    let site = site();
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}search: false\n"));
    let run = site.build_ok();
    assert!(!run.stderr.contains("unknown setting"), "{}", run.stderr);
    let public = site.root().join("public");
    assert!(!public.join("search").exists());
    assert!(!public.join("search.js").exists());
    let post_page = site.read(&format!("{}index.html", &POST_URL[1..]));
    assert!(!post_page.contains("role=\"search\""), "{post_page}");

    site.write("site.yaml", &format!("{config}search: maybe\n"));
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("site.yaml:") && run.stderr.contains("`search` must be true or false"),
        "{}",
        run.stderr
    );
}

/// Serves the files of `public` under `prefix` (`/blog`) on `listener`, as a static host
/// would: a folder is its `index.html`, the query string is ignored. Runs until the test ends.
fn serve_static(listener: TcpListener, public: PathBuf, prefix: &'static str) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let path = request_path(&stream);
            let path = path.split('?').next().unwrap_or("").to_owned();
            let file = path
                .strip_prefix(prefix)
                .map(|rest| public.join(rest.trim_start_matches('/')))
                .map(|file| match file.is_dir() {
                    true => file.join("index.html"),
                    false => file,
                });
            let response = match file.and_then(|f| Some((std::fs::read(&f).ok()?, f))) {
                Some((bytes, file)) => {
                    let kind = match file.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript",
                        Some("json") => "application/json",
                        Some("css") => "text/css",
                        Some("svg") => "image/svg+xml",
                        _ => "application/octet-stream",
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        bytes.len()
                    );
                    [head.into_bytes(), bytes].concat()
                }
                None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
}

/// `text` as a URL's query value.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const RESULTS: &str = "return Array.from(document.querySelectorAll('.search-results li a')).map(a => [a.textContent, a.href])";
const STATUS: &str = "return (document.querySelector('.search-status')||{}).textContent||''";

#[test]
fn a_query_in_chromium_finds_a_post_by_a_body_word_and_a_feature_by_its_name() {
    if !browser_available() {
        return;
    }
    let site = site();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let run = site.build(&["--base-url", &format!("{origin}/blog/")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serve_static(listener, site.root().join("public"), "/blog");
    let browser = Browser::start();

    // From a post's header box: a body word, then Enter, as a reader types it.
    browser.navigate(&format!("{origin}/blog{POST_URL}"));
    browser.type_into("#site-search-input", "Otters\u{E007}");
    let results = browser.wait_for("the post among the results", RESULTS, |v| {
        v.as_array().is_some_and(|a| !a.is_empty())
    });
    assert_eq!(
        results,
        json!([[POST_TITLE, format!("{origin}/blog{POST_URL}")]]),
        "the post and only it"
    );
    let status = browser.wait_for("the status line", STATUS, |v| v != "");
    assert_eq!(status, "1 result for “Otters”.");
    let url = browser
        .run("return location.pathname + location.search")
        .unwrap();
    assert_eq!(url, "/blog/search/?q=Otters");

    // On the search page, as-you-type: a matrix feature by (the start of) its name.
    browser.navigate(&format!("{origin}/blog/search/"));
    browser.type_into("#search-input", "volume snap");
    let results = browser.wait_for("the feature among the results", RESULTS, |v| {
        v.as_array().is_some_and(|a| !a.is_empty())
    });
    let row = format!("{origin}/blog/compare/storage/#storage-snapshots");
    assert_eq!(results, json!([["Volume snapshots", row]]));
    let meta = browser
        .run("return document.querySelector('.search-results .search-meta').textContent")
        .unwrap();
    assert_eq!(meta, "Feature · Disk storage");
    // The link leads to the feature's row.
    // (Waited for: the next page may still be loading when navigate returns.)
    browser.navigate(&row);
    let found = browser.wait_for(
        "the feature's row on its area page",
        "return location.pathname.endsWith('/compare/storage/') && !!document.getElementById(location.hash.slice(1))",
        |v| v.as_bool() == Some(true),
    );
    assert_eq!(found, json!(true));

    // Japanese: a word inside a sentence written without spaces, typed into the box; one
    // character, the last of its run; the word is marked in the excerpt.
    browser.navigate(&format!("{origin}/blog/search/"));
    browser.type_into("#search-input", "カワウソ");
    let results = browser.wait_for("the Japanese post", RESULTS, |v| {
        v.as_array().is_some_and(|a| !a.is_empty())
    });
    let cjk_url = format!("{origin}/blog{CJK_URL}");
    assert_eq!(results, json!([[CJK_TITLE, cjk_url]]));
    let marked = browser
        .run("return Array.from(document.querySelectorAll('.search-results li p mark')).map(m => m.textContent)")
        .unwrap();
    assert_eq!(marked, json!(["カワウソ"]));
    for query in ["泳", "ぐ", "東京 夜明け"] {
        let encoded: String = url_encode(query);
        browser.navigate(&format!("{origin}/blog/search/?q={encoded}"));
        let results = browser.wait_for(query, RESULTS, |v| {
            v.as_array().is_some_and(|a| !a.is_empty())
        });
        assert_eq!(results, json!([[CJK_TITLE, cjk_url]]), "{query}");
    }
    // The script splits text as the index does.
    let texts = [
        "Kubernetes入門ガイド、東京都に住む。猫",
        "版本2发布 한국어 검색 ｶﾀｶﾅ 𠀋𠀀x ⼈\u{3000}人々",
        "ΟΔΟΣ Москва ภาษาไทย ＡＢＣ１２３ İstanbul Straße ǅemal",
        CJK_TEXT,
        POST_TEXT,
    ];
    let script = format!(
        "return {}.map(versusTokens)",
        serde_json::to_string(&texts).unwrap()
    );
    let split = browser.run(&script).unwrap();
    let expected: Vec<Vec<String>> = texts
        .iter()
        .map(|t| versus::search::tokens(t).map(|w| w.into_owned()).collect())
        .collect();
    assert_eq!(
        split,
        json!(expected),
        "the script's tokens are the index's"
    );

    // A word nothing holds says so.
    browser.navigate(&format!("{origin}/blog/search/?q=zzzunknown"));
    let status = browser.wait_for("no results", STATUS, |v| {
        v.as_str().is_some_and(|s| s.starts_with("No results"))
    });
    assert_eq!(status, "No results for “zzzunknown”.");
}

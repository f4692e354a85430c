//! Issue #14: a site published under a subpath (`base_url: https://example.com/blog/`). The
//! output is crawled link by link as a browser under that address would follow it: every
//! `href`, `src` and `srcset` URL of every page, and the URLs of the feeds, the sitemap and
//! robots.txt, must name a file
//! of the output (a folder: its `index.html`) and, with a `#fragment`, an id on that page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

use crate::harness::{Run, TestSite, copy_tree, fixture, versus_in};

const ORIGIN: &str = "https://example.com";
const BASE: &str = "/blog/";
/// Stands for the page of a feed reader showing an entry's HTML.
const FEED_READER: &str = "(feed reader)";

/// A post written with links from the site root, as authors write them for a site at `/`.
const ROOT_LINKS: &str = r#"---
title: Links from the root
tags: [AWS]
---
## Where to go

Read [about us](/about/), [the first part](/2023/01/01/first/#intro), the
[AWS tag](/tags/aws/) and [the storage comparison](/compare/storage/#storage-csi-driver).
A link written with the base path already, as `relative_url` makes it, [stays](/blog/about/);
a [relative one](../../../../about/) and a [fragment](#where-to-go) too, <a
href="//cdn.example.net/x.js">another host</a> and <img src='/img/diagram.svg' alt="">.

![A diagram](/img/diagram.svg "The diagram")

[Feed][feed] by reference.

[feed]: /feed.xml

<p class="raw">Raw HTML: <a href="/tags/cloud/">Cloud</a> and <img src='/img/diagram.svg'
  srcset="/img/diagram.svg 1x, /img/diagram.svg 2x" alt="d"></p>

Inline raw HTML: <a href="/compare/">all areas</a>, <a href="//cdn.example.net/x.js">elsewhere</a>.

{{ matrix("storage") }}
"#;

/// The blog fixture (posts, tags, series, pagination) with the compare fixture's matrices, a
/// post embedding a table, and a post linking from the site root.
fn subpath_site() -> TestSite {
    let site = TestSite::new("blog");
    copy_tree(
        &fixture("compare").join("data/matrices"),
        &site.root().join("data/matrices"),
    );
    std::fs::copy(
        fixture("compare").join("data/providers.yaml"),
        site.root().join("data/providers.yaml"),
    )
    .unwrap();
    site.write(
        "static/img/diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    site.write("content/posts/2023-04-01-root-links.md", ROOT_LINKS);
    // Links from the root in Markdown of data files: an area's summary, a claim's note, a
    // series summary (rendered into tables, /compare/ pages and series pages).
    site.edit(
        "data/matrices/storage.yaml",
        "Block storage for **persistent volumes**.",
        "Block storage for **persistent volumes**; [about](/about/) this site.",
    );
    site.edit(
        "data/matrices/storage.yaml",
        "The EBS CSI driver is an add-on you enable.",
        "The EBS CSI driver is an add-on you enable ([tagged](/tags/aws/)).",
    );
    site.edit(
        "data/series.yaml",
        "Two clouds, one platform.",
        "Two clouds, one platform, [compared](/compare/storage/).",
    );
    site
}

/// What one crawl found.
#[derive(Default, Debug)]
struct Crawl {
    /// Links followed inside the site (each href, src, feed or sitemap URL once per page).
    checked: usize,
    /// Links to other hosts or schemes, not followed.
    external: usize,
    /// Output files some link landed on.
    targets: BTreeSet<String>,
    /// `page: link → why`, for the failure message.
    broken: Vec<String>,
}

/// Where a link leads once resolved against the URL of the page it is on.
#[derive(Debug, PartialEq)]
enum Resolved {
    /// Another host, or a scheme that is not http(s): not this site's business.
    External,
    /// A path on this host (percent-encoded, as written) and its fragment.
    Local(String, Option<String>),
}

/// Resolves `link` as a browser would on the page at `page_path` (a path on [`ORIGIN`]).
fn resolve(page_path: &str, link: &str) -> Resolved {
    let (link, fragment) = match link.split_once('#') {
        Some((l, f)) => (l, Some(f.to_owned())),
        None => (link, None),
    };
    let link = link.split('?').next().unwrap_or("");
    let host_relative = |rest: &str| match rest.find('/') {
        Some(slash) if &rest[..slash] == "example.com" => Some(rest[slash..].to_owned()),
        None if rest == "example.com" => Some("/".to_owned()),
        _ => None,
    };
    let scheme_end = link.find(':').filter(|&c| {
        link[..c]
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "+-.".contains(ch))
            && c > 0
    });
    let joined = if let Some(colon) = scheme_end {
        let scheme = link[..colon].to_ascii_lowercase();
        let Some(rest) = link[colon + 1..].strip_prefix("//") else {
            return Resolved::External;
        };
        match (scheme.as_str(), host_relative(rest)) {
            ("http" | "https", Some(path)) => path,
            _ => return Resolved::External,
        }
    } else if let Some(rest) = link.strip_prefix("//") {
        match host_relative(rest) {
            Some(path) => path,
            None => return Resolved::External,
        }
    } else if link.starts_with('/') {
        link.to_owned()
    } else if link.is_empty() {
        page_path.to_owned()
    } else {
        format!("{}{link}", &page_path[..page_path.rfind('/').unwrap() + 1])
    };
    Resolved::Local(normalize(&joined), fragment)
}

/// `/a/./b/../c/` → `/a/c/`, as a browser does before asking.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, part) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *part {
            "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
        if last && matches!(*part, "." | "..") {
            parts.push("");
        }
    }
    format!("/{}", parts.join("/"))
}

/// The ids (and `name`s) of every HTML page of the output, by output path.
fn ids_of(pages: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let with_id = Selector::parse("[id], a[name]").unwrap();
    pages
        .iter()
        .map(|(file, html)| {
            let doc = Html::parse_document(html);
            let ids = doc
                .select(&with_id)
                .flat_map(|e| [e.value().attr("id"), e.value().attr("name")])
                .flatten()
                .map(str::to_owned)
                .collect();
            (file.clone(), ids)
        })
        .collect()
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found
}

/// The URL path a file of the output is served at under [`BASE`]; the 404 page is served for
/// any missing address, so it is read as if it stood deep in a folder that does not exist.
fn served_at(file: &str) -> String {
    if file == "404.html" {
        return format!("{BASE}no/such/folder/deep/page/");
    }
    format!("{BASE}{}", file.strip_suffix("index.html").unwrap_or(file))
}

/// The URLs an element makes a browser load or follow: `href`, `src`, each of a `srcset` (the
/// fixtures' URLs hold no commas, so a plain split is the standard's split here).
fn links_of(element: &scraper::node::Element) -> Vec<&str> {
    let mut links: Vec<&str> = ["href", "src"]
        .into_iter()
        .filter_map(|name| element.attr(name))
        .collect();
    if let Some(srcset) = element.attr("srcset") {
        links.extend(
            srcset
                .split(',')
                .filter_map(|candidate| candidate.split_whitespace().next()),
        );
    }
    links
}

/// Crawls the output folder `out` as published under [`ORIGIN`]`/blog/`.
fn crawl(out: &Path) -> Crawl {
    let files = files_under(out);
    let pages: BTreeMap<String, String> = files
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| (f.clone(), std::fs::read_to_string(out.join(f)).unwrap()))
        .collect();
    let ids = ids_of(&pages);
    let mut crawl = Crawl::default();
    let follow = |crawl: &mut Crawl, from: &str, page_path: &str, link: &str| {
        let link = link.trim();
        // A feed reader shows an entry away from the site: its links must be full URLs.
        if page_path == FEED_READER && !link.contains("://") && !link.starts_with("//") {
            crawl.checked += 1;
            crawl
                .broken
                .push(format!("{from}: `{link}` → not a full URL in a feed entry"));
            return;
        }
        // A fragment alone names a place in the document shown, wherever it is served.
        if let Some(fragment) = link.strip_prefix('#') {
            crawl.checked += 1;
            if !fragment.is_empty() && !ids.get(from).is_some_and(|ids| ids.contains(fragment)) {
                crawl
                    .broken
                    .push(format!("{from}: `{link}` → no id `{fragment}` on the page"));
            }
            return;
        }
        let (path, fragment) = match resolve(page_path, link) {
            Resolved::External => {
                crawl.external += 1;
                return;
            }
            Resolved::Local(path, fragment) => (path, fragment),
        };
        crawl.checked += 1;
        let mut broken = |why: String| crawl.broken.push(format!("{from}: `{link}` → {why}"));
        let Some(inside) = path
            .strip_prefix(BASE)
            .or_else(|| (path == BASE.trim_end_matches('/')).then_some(""))
        else {
            return broken(format!("{path} is outside the site's folder {BASE}"));
        };
        let inside = percent_encoding::percent_decode_str(inside)
            .decode_utf8_lossy()
            .into_owned();
        let candidates = if inside.is_empty() || inside.ends_with('/') {
            vec![format!("{inside}index.html")]
        } else {
            vec![inside.clone(), format!("{inside}/index.html")]
        };
        let Some(file) = candidates.into_iter().find(|c| files.contains(c)) else {
            return broken(format!("no file {inside} in the output"));
        };
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            let fragment = percent_encoding::percent_decode_str(&fragment)
                .decode_utf8_lossy()
                .into_owned();
            if !ids.get(&file).is_some_and(|ids| ids.contains(&fragment)) {
                return broken(format!("no id `{fragment}` on {file}"));
            }
        }
        crawl.targets.insert(file);
    };

    let linked = Selector::parse("[href], [src], [srcset]").unwrap();
    for (file, html) in &pages {
        let page_path = served_at(file);
        let doc = Html::parse_document(html);
        for element in doc.select(&linked) {
            for link in links_of(element.value()) {
                follow(&mut crawl, file, &page_path, link);
            }
        }
    }
    if let Ok(robots) = std::fs::read_to_string(out.join("robots.txt")) {
        for sitemap in robots.lines().filter_map(|l| l.strip_prefix("Sitemap: ")) {
            follow(&mut crawl, "robots.txt", &served_at("robots.txt"), sitemap);
        }
    }
    for file in files.iter().filter(|f| f.ends_with(".xml")) {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let xml = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let page_path = served_at(file);
        for node in xml.descendants() {
            match node.tag_name().name() {
                "link" => follow(
                    &mut crawl,
                    file,
                    &page_path,
                    node.attribute("href").unwrap(),
                ),
                "loc" => follow(&mut crawl, file, &page_path, node.text().unwrap_or("")),
                // An entry's HTML is read by feed readers away from the site.
                "content" | "summary" if node.attribute("type") == Some("html") => {
                    let doc = Html::parse_fragment(node.text().unwrap_or(""));
                    for element in doc.select(&linked) {
                        for link in links_of(element.value()) {
                            follow(&mut crawl, file, FEED_READER, link);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    crawl
}

fn build_under_subpath(root: &Path, out: &Path) {
    let run = versus_in(
        root,
        &[
            "build",
            "--output",
            out.to_str().unwrap(),
            "--base-url",
            "https://example.com/blog/",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_subpath_build_crawled_link_by_link_has_no_broken_link() {
    let site = subpath_site();
    let out = site.root().join("public");
    build_under_subpath(site.root(), &out);
    let crawl = crawl(&out);
    assert!(
        crawl.broken.is_empty(),
        "{} of {} links broken under {ORIGIN}{BASE}:\n{}",
        crawl.broken.len(),
        crawl.checked,
        crawl.broken.join("\n")
    );
    // Not vacuous: over a hundred links, and the ones Markdown wrote from the root among them.
    assert!(crawl.checked > 100, "only {} links checked", crawl.checked);
    eprintln!(
        "fixture under {ORIGIN}{BASE}: {} links checked, {} external, {} broken",
        crawl.checked,
        crawl.external,
        crawl.broken.len()
    );
    for target in [
        "about/index.html",
        "img/diagram.svg",
        "tags/aws/index.html",
        "tags/cloud/index.html",
        "compare/index.html",
        "compare/storage/index.html",
        "feed.xml",
        "sitemap.xml",
        "series/k8s/index.html",
        "page/2/index.html",
    ] {
        assert!(
            crawl.targets.contains(target),
            "no link reached {target}: {:?}",
            crawl.targets
        );
    }
    let post = site.read("2023/04/01/root-links/index.html");
    assert!(
        post.contains(r#"<a href="/blog/about/">about us</a>"#),
        "{post}"
    );
    assert!(
        post.contains(r#"<a href="/blog/about/">stays</a>"#),
        "{post}"
    );
    assert!(
        post.contains(r#"<img src="/blog/img/diagram.svg""#),
        "{post}"
    );
    assert!(
        post.contains(r#"<a href="/blog/tags/cloud/">Cloud</a>"#),
        "{post}"
    );
    assert!(
        post.contains(r#"<img src='/blog/img/diagram.svg'"#),
        "{post}"
    );
    assert!(
        post.contains(r#"srcset="/blog/img/diagram.svg 1x, /blog/img/diagram.svg 2x""#),
        "{post}"
    );
    assert!(post.contains(r#"href="//cdn.example.net/x.js""#), "{post}");
    let area = site.read("compare/storage/index.html");
    assert!(
        area.contains(r#"<a href="/blog/about/">about</a>"#),
        "{area}"
    );
    assert!(
        area.contains(r#"<a href="/blog/tags/aws/">tagged</a>"#),
        "{area}"
    );
    let series = site.read("series/k8s/index.html");
    assert!(
        series.contains(r#"<a href="/blog/compare/storage/">compared</a>"#),
        "{series}"
    );
}

#[test]
fn the_crawler_finds_a_link_without_the_base_path() {
    let site = subpath_site();
    site.write(
        "static/extra.html",
        "<a href=\"/about/\">root</a> <a href=\"about/#nope\">anchor</a>\n",
    );
    let out = site.root().join("public");
    build_under_subpath(site.root(), &out);
    let crawl = crawl(&out);
    assert_eq!(
        crawl.broken,
        [
            "extra.html: `/about/` → /about/ is outside the site's folder /blog/",
            "extra.html: `about/#nope` → no id `nope` on about/index.html"
        ]
    );
}

#[test]
fn resolving_follows_the_browser() {
    let page = "/blog/a/b/";
    let local = |p: &str, f: Option<&str>| Resolved::Local(p.into(), f.map(Into::into));
    assert_eq!(resolve(page, "/x/"), local("/x/", None));
    assert_eq!(resolve(page, "c.png"), local("/blog/a/b/c.png", None));
    assert_eq!(resolve(page, "../../../x#y"), local("/x", Some("y")));
    assert_eq!(resolve(page, "#top"), local("/blog/a/b/", Some("top")));
    assert_eq!(resolve(page, ".."), local("/blog/a/", None));
    assert_eq!(
        resolve(page, "https://example.com/blog/?q=1"),
        local("/blog/", None)
    );
    assert_eq!(resolve(page, "//example.com"), local("/", None));
    assert_eq!(resolve(page, "//cdn.example.net/x"), Resolved::External);
    assert_eq!(resolve(page, "mailto:a@b.c"), Resolved::External);
    assert_eq!(
        resolve(page, "https://example.org/blog/"),
        Resolved::External
    );
}

/// The repository's own site under a subpath, crawled the same way. Built on the real day, as
/// it is published (its newest post is dated after the test day of the fixtures).
#[test]
fn the_repository_site_under_a_subpath_has_no_broken_link() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output: PathBuf = out.path().join("public");
    let run: Run = Command::new(env!("CARGO_BIN_EXE_versus"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(&output)
        .args(["--base-url", "https://example.com/blog/"])
        .output()
        .expect("run versus")
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let crawl = crawl(&output);
    assert!(
        crawl.broken.is_empty(),
        "{} of {} links broken under {ORIGIN}{BASE}:\n{}",
        crawl.broken.len(),
        crawl.checked,
        crawl.broken.join("\n")
    );
    assert!(crawl.checked > 500, "only {} links checked", crawl.checked);
    eprintln!(
        "repository site under {ORIGIN}{BASE}: {} links checked, {} external, {} broken",
        crawl.checked,
        crawl.external,
        crawl.broken.len()
    );
}

/// What `versus check` says of links the build cannot rewrite: CSS in raw HTML.
#[test]
fn check_reports_root_links_the_build_cannot_rewrite() {
    let site = subpath_site();
    let post = "content/posts/2023-05-01-unrewritable.md";
    site.write(
        post,
        "---\ntitle: Unrewritable\n---\nText.\n\n<img srcset=\"/img/diagram.svg 2x\" src=\"/img/diagram.svg\" alt=\"\">\n\n<div style=\"background: url(/img/diagram.svg)\">x</div>\n\n<style>\n.hero { background: url('/img/diagram.svg') }\n</style>\n",
    );
    // The fixture's base_url is https://example.org/blog.
    let run = versus_in(site.root(), &["check"]);
    let expected = [
        format!(
            "{post}:8:29: error: link `/img/diagram.svg` in a `style` attribute is not put under the base path /blog (CSS is left as written), so it leads outside the site [unrewritten-link]"
        ),
        "  = help: write `/blog/img/diagram.svg`, or a full URL".to_owned(),
        format!(
            "{post}:11:26: error: link `/img/diagram.svg` in a `<style>` element is not put under the base path /blog (CSS is left as written), so it leads outside the site [unrewritten-link]"
        ),
    ];
    for line in &expected {
        assert!(
            run.stdout.contains(line.as_str()),
            "missing {line:?} in:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    // The srcset is rewritten by the build, so it is no finding.
    assert_eq!(
        run.stdout.matches("[unrewritten-link]").count(),
        2,
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    // At the domain root the same links work: nothing to report.
    site.edit(
        "site.yaml",
        "base_url: https://example.org/blog",
        "base_url: https://example.org",
    );
    let run = versus_in(site.root(), &["check"]);
    assert!(!run.stdout.contains("[unrewritten-link]"), "{}", run.stdout);
}

/// A layout's link written from the root without `relative_url` works at the domain root only:
/// under a base path `check` reports it at the layout, as the crawl would find it broken.
#[test]
fn check_reports_a_layout_link_outside_the_base_path() {
    let site = subpath_site();
    site.edit(
        "layouts/page.html",
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.title }}</h1><a href=\"/tags/\">Tags</a>",
    );
    let run = versus_in(site.root(), &["check"]);
    let line = "layouts/page.html:2:51: error: link `/tags/` leads outside the site: it does not start with the base path /blog (on 18 built pages) [broken-link]";
    assert!(
        run.stdout.contains(line),
        "missing {line:?} in:\n{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout
            .contains("help: write `{{ '/tags/' | relative_url }}`, or `/blog/tags/`"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}

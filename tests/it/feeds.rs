//! Issue #17, feeds: `feed:` settings (entries, full content or summaries, RSS 2.0, per-tag
//! feeds), each feed parsed with a real feed parser; term pages paginated like the home page.

use atom_syndication::Feed;
use scraper::{Html, Selector};

use crate::harness::{TestSite, assert_has, errors_of};

const ORIGIN: &str = "https://example.org";

/// The feeds fixture (built-in theme, base_url `https://example.org/blog`, two posts a page)
/// with `posts` posts, the newest last in number; every post is tagged `all`, the even ones
/// `even` too. `feed` is the `feed:` setting, if any.
fn site(posts: usize, feed: Option<&str>) -> TestSite {
    let site = TestSite::bare("feeds");
    for n in 1..=posts {
        let tags = if n % 2 == 0 { "[all, even]" } else { "[all]" };
        site.write(
            &format!("content/posts/2024-01-{n:02}-post-{n}.md"),
            &format!(
                "---\ntitle: Post {n}\ntags: {tags}\n---\nSummary of post {n}, with [a relative link](../other/) and ![a picture](pic.png).\n\n<!-- more -->\n\nOnly in full content: [about](/about/), <a href=\"#notes\">notes</a>, <img src=\"/img/{n}.png\" alt=\"\">.\n\n## Notes\n\nThe end of post {n}.\n"
            ),
        );
        // The picture the summary shows, beside the post (a missing one fails the build).
        let beside = site.root().join(format!("static/2024/01/{n:02}/post-{n}"));
        std::fs::create_dir_all(&beside).unwrap();
        std::fs::copy(
            crate::harness::fixture("../images/five-by-three.png"),
            beside.join("pic.png"),
        )
        .unwrap();
    }
    if let Some(feed) = feed {
        let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
        site.write("site.yaml", &format!("{config}feed: {feed}\n"));
    }
    site
}

fn atom(site: &TestSite, path: &str) -> Feed {
    site.read(path)
        .parse::<Feed>()
        .unwrap_or_else(|e| panic!("{path} is not a valid Atom feed: {e}"))
}

fn rss(site: &TestSite, path: &str) -> rss::Channel {
    site.read(path)
        .parse::<rss::Channel>()
        .unwrap_or_else(|e| panic!("{path} is not a valid RSS feed: {e}"))
}

fn post_url(n: usize) -> String {
    format!("{ORIGIN}/blog/2024/01/{n:02}/post-{n}/")
}

fn exists(site: &TestSite, path: &str) -> bool {
    site.root().join("public").join(path).is_file()
}

/// Every `href` and `src` of `html`, for checking that none is relative.
fn urls(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let selector = Selector::parse("[href], [src]").unwrap();
    doc.select(&selector)
        .flat_map(|e| [e.attr("href"), e.attr("src")])
        .flatten()
        .map(str::to_owned)
        .collect()
}

#[test]
fn feeds_list_the_newest_entries_with_summaries_in_atom_and_rss() {
    let site = site(5, Some("{entries: 3, rss: true}"));
    site.build_ok();

    let feed = atom(&site, "feed.xml");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["Post 5", "Post 4", "Post 3"]);
    for entry in feed.entries() {
        assert!(entry.content().is_none(), "summaries only by default");
        let summary = entry.summary().unwrap().as_str();
        assert_has(summary, "Summary of post");
        assert!(!summary.contains("Only in full content"), "{summary}");
    }
    let summary = feed.entries()[0].summary().unwrap().as_str();
    assert_eq!(
        urls(summary),
        [
            format!("{ORIGIN}/blog/2024/01/05/other/"),
            format!("{}pic.png", post_url(5)),
        ]
    );

    let channel = rss(&site, "rss.xml");
    assert_eq!(channel.title(), "Feeds & Fixture");
    assert_eq!(channel.link(), format!("{ORIGIN}/blog/"));
    let items = channel.items();
    let titles: Vec<&str> = items.iter().filter_map(|i| i.title()).collect();
    assert_eq!(titles, ["Post 5", "Post 4", "Post 3"]);
    let newest = &items[0];
    assert_eq!(newest.link(), Some(post_url(5).as_str()));
    assert_eq!(newest.guid().unwrap().value(), post_url(5));
    assert_eq!(newest.pub_date(), Some("Fri, 5 Jan 2024 00:00:00 +0000"));
    assert_eq!(newest.categories().len(), 1);
    assert!(newest.content().is_none());
    let description = newest.description().unwrap();
    assert_has(description, "Summary of post 5");
    assert!(!description.contains("Only in full content"));
    assert!(urls(description).iter().all(|u| u.starts_with(ORIGIN)));

    // The built-in theme's head names both feeds.
    let home = site.read("index.html");
    assert_has(
        &home,
        r#"<link rel="alternate" type="application/rss+xml" title="Feeds &amp; Fixture" href="https://example.org/blog/rss.xml">"#,
    );
    assert_has(&home, r#"type="application/atom+xml""#);
}

#[test]
fn full_content_carries_the_whole_post_with_absolute_links() {
    let site = site(2, Some("{content: full, rss: true}"));
    site.build_ok();
    let feed = atom(&site, "feed.xml");
    let entry = &feed.entries()[0];
    let content = entry.content().and_then(|c| c.value()).unwrap();
    assert_has(content, "Only in full content");
    assert_has(content, "The end of post 2.");
    let expected = [
        format!("{ORIGIN}/blog/2024/01/02/other/"),
        format!("{}pic.png", post_url(2)),
        format!("{ORIGIN}/blog/about/"),
        format!("{}#notes", post_url(2)),
        format!("{ORIGIN}/blog/img/2.png"),
    ];
    assert_eq!(urls(content), expected);
    assert!(
        entry.summary().is_some(),
        "the summary stays beside the content"
    );

    let channel = rss(&site, "rss.xml");
    let item = &channel.items()[0];
    let encoded = item.content().unwrap();
    assert_has(encoded, "The end of post 2.");
    assert_eq!(urls(encoded), expected);
    assert!(!item.description().unwrap().contains("The end of post"));
}

#[test]
fn defaults_are_twenty_atom_entries_of_summaries_and_no_other_feeds() {
    let site = site(22, None);
    site.build_ok();
    let feed = atom(&site, "feed.xml");
    assert_eq!(feed.entries().len(), 20);
    assert_eq!(feed.entries()[0].title().as_str(), "Post 22");
    assert!(feed.entries().iter().all(|e| e.content().is_none()));
    assert!(!exists(&site, "rss.xml"));
    assert!(!exists(&site, "tags/all/feed.xml"));
    assert!(
        !site
            .read("tags/all/index.html")
            .contains("/tags/all/feed.xml")
    );
}

#[test]
fn tag_feeds_list_only_their_posts_and_tag_pages_link_them() {
    let site = site(5, Some("{tags: true, entries: 10}"));
    site.build_ok();
    let even = atom(&site, "tags/even/feed.xml");
    assert_eq!(even.id(), format!("{ORIGIN}/blog/tags/even/feed.xml"));
    let titles: Vec<&str> = even.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["Post 4", "Post 2"]);
    assert!(
        even.links()
            .iter()
            .any(|l| l.rel() == "alternate" && l.href() == format!("{ORIGIN}/blog/tags/even/"))
    );
    let all = atom(&site, "tags/all/feed.xml");
    assert_eq!(all.entries().len(), 5);
    for page in ["tags/even/index.html", "tags/all/page/2/index.html"] {
        let slug = page.split('/').nth(1).unwrap();
        assert_has(
            &site.read(page),
            &format!(
                r#"type="application/atom+xml" title="Tag: {slug} · Feeds &amp; Fixture" href="{ORIGIN}/blog/tags/{slug}/feed.xml">"#
            ),
        );
    }
    assert!(!site.read("index.html").contains("tags/even/feed.xml"));
}

#[test]
fn bad_feed_settings_are_errors_at_their_place() {
    let site = site(1, None);
    site.write(
        "site.yaml",
        "title: T\nfeed:\n  content: ful\n  entrys: 3\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "site.yaml:3:12: error: `feed.content` must be `full` or `summary`, not `ful`",
    );
    assert_has(&errors, "did you mean `full`?");
    assert_has(
        &errors,
        "site.yaml:4:3: error: unknown feed setting `entrys`",
    );
    assert_has(&errors, "did you mean `entries`?");
}

/// A page's posts (the links of its `ol.posts`), its `rel=next` and `rel=prev` links of the
/// body, and of the head.
struct TermPage {
    posts: Vec<String>,
    next: Option<String>,
    prev: Option<String>,
    head_next: Option<String>,
    head_prev: Option<String>,
}

fn term_page(site: &TestSite, path: &str) -> TermPage {
    let file = path.trim_start_matches("/blog/").to_owned() + "index.html";
    let doc = Html::parse_document(&site.read(&file));
    let attr = |selector: &str, name: &str| {
        let selector = Selector::parse(selector).unwrap();
        doc.select(&selector)
            .next()
            .and_then(|e| e.attr(name))
            .map(str::to_owned)
    };
    let links = Selector::parse("ol.posts a[href]").unwrap();
    let mut posts: Vec<String> = doc
        .select(&links)
        .filter_map(|a| a.attr("href"))
        .filter(|href| href.contains("/post-"))
        .map(str::to_owned)
        .collect();
    posts.dedup();
    TermPage {
        posts,
        next: attr("main a[rel=next]", "href"),
        prev: attr("main a[rel=prev]", "href"),
        head_next: attr("link[rel=next]", "href"),
        head_prev: attr("link[rel=prev]", "href"),
    }
}

#[test]
fn a_tag_with_more_posts_than_a_page_is_paginated_with_each_post_once() {
    let site = site(5, None);
    site.build_ok();
    // Forward along rel=next from the tag's first page.
    let mut path = "/blog/tags/all/".to_owned();
    let mut visited = vec![path.clone()];
    let mut listed = Vec::new();
    loop {
        let page = term_page(&site, &path);
        assert!(page.posts.len() <= 2, "{path}: {:?}", page.posts);
        listed.extend(page.posts);
        assert_eq!(
            page.head_next
                .as_deref()
                .map(|u| u.trim_start_matches(ORIGIN)),
            page.next.as_deref(),
            "{path}: the head's rel=next is the body's"
        );
        match page.next {
            Some(next) => {
                let back = term_page(&site, &next);
                assert_eq!(back.prev.as_deref(), Some(path.as_str()), "prev of {next}");
                assert_eq!(
                    back.head_prev.as_deref(),
                    Some(format!("{ORIGIN}{path}").as_str())
                );
                path = next;
                visited.push(path.clone());
            }
            None => break,
        }
    }
    assert_eq!(
        visited,
        [
            "/blog/tags/all/",
            "/blog/tags/all/page/2/",
            "/blog/tags/all/page/3/"
        ]
    );
    let expected: Vec<String> = (1..=5)
        .rev()
        .map(|n| format!("/blog/2024/01/{n:02}/post-{n}/"))
        .collect();
    assert_eq!(listed, expected, "every post once, newest first");
    assert!(term_page(&site, "/blog/tags/all/").prev.is_none());
    assert!(!exists(&site, "tags/all/page/4/index.html"));
    // A tag that fits on one page has no pages after it and no pagination.
    let even = term_page(&site, "/blog/tags/even/");
    assert_eq!(even.posts.len(), 2);
    assert!(even.next.is_none() && even.head_next.is_none());
    assert!(!exists(&site, "tags/even/page/2/index.html"));
    assert_has(&site.read("sitemap.xml"), "/blog/tags/all/page/3/");
}

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
        // The picture only the full content shows: post 2's wider than the column, so it has
        // resized variants; the others' small.
        let picture = site.root().join(format!("static/img/{n}.png"));
        if n == 2 {
            crate::harness::write_png(&picture, 1000, 400);
        } else {
            std::fs::create_dir_all(picture.parent().unwrap()).unwrap();
            std::fs::copy(
                crate::harness::fixture("../images/five-by-three.png"),
                picture,
            )
            .unwrap();
        }
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

/// Every URL of every `srcset` of `html` (of `<img>` and `<source>`).
fn srcset_urls(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let selector = Selector::parse("[srcset]").unwrap();
    doc.select(&selector)
        .flat_map(|e| e.attr("srcset").unwrap().split(','))
        .map(|candidate| candidate.split_whitespace().next().unwrap().to_owned())
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
    // Each resized variant of the wide picture too: feed readers resolve nothing.
    let candidates = srcset_urls(content);
    assert!(candidates.len() >= 4, "{content}");
    assert!(
        candidates.iter().any(|url| url.ends_with(".webp")),
        "{content}"
    );
    for url in &candidates {
        let path = url
            .strip_prefix(&format!("{ORIGIN}/blog/"))
            .unwrap_or_else(|| panic!("not absolute under the site: {url}"));
        assert!(exists(&site, path), "{url}");
    }
    assert!(
        entry.summary().is_some(),
        "the summary stays beside the content"
    );

    let channel = rss(&site, "rss.xml");
    let item = &channel.items()[0];
    let encoded = item.content().unwrap();
    assert_has(encoded, "The end of post 2.");
    assert_eq!(urls(encoded), expected);
    assert_eq!(srcset_urls(encoded), candidates);
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

/// The feeds fixture with `posts` posts in every taxonomy: tags as [`site`] gives them, the
/// category `even` or `odd` (so the tag and the category `even` share a slug and posts), and
/// the author `ann`, with `bob` beside her on post 3. `settings` is appended to site.yaml.
fn site_with_terms(posts: usize, settings: &str) -> TestSite {
    let site = site(posts, None);
    for n in 1..=posts {
        let (tags, category) = if n % 2 == 0 {
            ("[all, even]", "even")
        } else {
            ("[all]", "odd")
        };
        let authors = if n == 3 { "[ann, bob]" } else { "[ann]" };
        site.write(
            &format!("content/posts/2024-01-{n:02}-post-{n}.md"),
            &format!(
                "---\ntitle: Post {n}\ntags: {tags}\ncategories: [{category}]\nauthors: {authors}\n---\nSummary of post {n}.\n"
            ),
        );
    }
    site.write(
        "data/authors.yaml",
        "ann:\n  name: Ann Author\nbob:\n  name: Bob Builder\n",
    );
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}{settings}"));
    site
}

fn atom_titles(feed: &Feed) -> Vec<&str> {
    feed.entries().iter().map(|e| e.title().as_str()).collect()
}

fn rss_titles(channel: &rss::Channel) -> Vec<&str> {
    channel.items().iter().filter_map(|i| i.title()).collect()
}

/// The `href` of the head's `<link rel="alternate" type="…">` links of `page`.
fn alternates(site: &TestSite, page: &str, kind: &str) -> Vec<String> {
    let doc = Html::parse_document(&site.read(page));
    let selector = Selector::parse(&format!("head link[rel=alternate][type=\"{kind}\"]")).unwrap();
    doc.select(&selector)
        .filter_map(|l| l.attr("href"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_taxonomy_named_gets_atom_and_rss_feeds_per_term_linked_from_its_pages() {
    let site = site_with_terms(
        5,
        "feed: {taxonomies: [tags, categories, authors], rss: true, entries: 10}\n",
    );
    site.build_ok();
    // (term folder, its posts newest first)
    let cases: [(&str, &[&str]); 6] = [
        (
            "tags/all",
            &["Post 5", "Post 4", "Post 3", "Post 2", "Post 1"],
        ),
        ("tags/even", &["Post 4", "Post 2"]),
        ("categories/even", &["Post 4", "Post 2"]),
        ("categories/odd", &["Post 5", "Post 3", "Post 1"]),
        (
            "authors/ann",
            &["Post 5", "Post 4", "Post 3", "Post 2", "Post 1"],
        ),
        ("authors/bob", &["Post 3"]),
    ];
    for (term, posts) in cases {
        let page_url = format!("{ORIGIN}/blog/{term}/");
        let atom_url = format!("{page_url}feed.xml");
        let rss_url = format!("{page_url}rss.xml");

        let feed = atom(&site, &format!("{term}/feed.xml"));
        assert_eq!(feed.id(), atom_url, "{term}");
        // Titled as the term's page and its head's links: a category and a tag of one name
        // are told apart in a feed reader.
        let title = Html::parse_document(&site.read(&format!("{term}/index.html")))
            .select(&Selector::parse("head link[type=\"application/rss+xml\"]").unwrap())
            .nth(1)
            .and_then(|l| l.attr("title"))
            .unwrap()
            .to_owned();
        assert_eq!(feed.title().as_str(), title, "{term}");
        assert_eq!(atom_titles(&feed), posts, "{term} (Atom)");
        assert!(
            feed.links()
                .iter()
                .any(|l| l.rel() == "alternate" && l.href() == page_url),
            "{term}: the Atom feed names its page"
        );

        let channel = rss(&site, &format!("{term}/rss.xml"));
        assert_eq!(rss_titles(&channel), posts, "{term} (RSS)");
        assert_eq!(channel.title(), title, "{term}");
        assert_eq!(channel.link(), page_url, "{term}");
        assert_has(
            &site.read(&format!("{term}/rss.xml")),
            &format!(r#"<atom:link rel="self" type="application/rss+xml" href="{rss_url}"/>"#),
        );
        assert_eq!(
            channel.items()[0].link(),
            Some(post_url(posts[0][5..].parse().unwrap()).as_str())
        );

        // Each term page's head links both, besides the site's own feeds.
        let page = format!("{term}/index.html");
        let atom_links = alternates(&site, &page, "application/atom+xml");
        assert_eq!(atom_links, [format!("{ORIGIN}/blog/feed.xml"), atom_url]);
        let rss_links = alternates(&site, &page, "application/rss+xml");
        assert_eq!(rss_links, [format!("{ORIGIN}/blog/rss.xml"), rss_url]);
    }
    let bob = atom(&site, "authors/bob/feed.xml");
    assert_eq!(bob.entries()[0].authors().len(), 2);
    assert_eq!(bob.title().as_str(), "Bob Builder · Feeds & Fixture");
    let category = atom(&site, "categories/even/feed.xml");
    assert_eq!(
        category.title().as_str(),
        "Category: even · Feeds & Fixture"
    );
    assert_eq!(
        atom(&site, "tags/even/feed.xml").title().as_str(),
        "Tag: even · Feeds & Fixture"
    );
    // The tag pages' later pages link the same feeds; the home page and indexes none of them.
    assert_eq!(
        alternates(&site, "tags/all/page/2/index.html", "application/rss+xml")[1],
        format!("{ORIGIN}/blog/tags/all/rss.xml")
    );
    for page in ["index.html", "tags/index.html", "categories/index.html"] {
        assert_eq!(
            alternates(&site, page, "application/rss+xml").len(),
            1,
            "{page}"
        );
        assert_eq!(
            alternates(&site, page, "application/atom+xml").len(),
            1,
            "{page}"
        );
    }
}

#[test]
fn term_feeds_are_only_for_the_taxonomies_named_and_rss_only_with_rss() {
    // `tags: true`, the shorthand, without RSS: Atom feeds for tags only.
    let site = site_with_terms(3, "feed: {tags: true}\n");
    site.build_ok();
    assert_eq!(atom_titles(&atom(&site, "tags/all/feed.xml")).len(), 3);
    assert!(!exists(&site, "tags/all/rss.xml"));
    assert!(alternates(&site, "tags/all/index.html", "application/rss+xml").is_empty());
    for other in ["categories/odd", "authors/ann"] {
        assert!(!exists(&site, &format!("{other}/feed.xml")), "{other}");
        let links = alternates(
            &site,
            &format!("{other}/index.html"),
            "application/atom+xml",
        );
        assert_eq!(links, [format!("{ORIGIN}/blog/feed.xml")], "{other}");
    }

    // Authors only, with RSS: no tag feeds.
    let site = site_with_terms(3, "feed:\n  rss: true\n  taxonomies: authors\n");
    site.build_ok();
    assert_eq!(rss_titles(&rss(&site, "authors/ann/rss.xml")).len(), 3);
    assert!(!exists(&site, "tags/all/feed.xml"));
    assert!(!exists(&site, "tags/all/rss.xml"));
    assert!(!exists(&site, "categories/odd/rss.xml"));
}

#[test]
fn an_unknown_taxonomy_is_an_error_at_its_name_with_a_suggestion() {
    let site = site(1, None);
    site.write(
        "site.yaml",
        "title: T\nfeed:\n  rss: true\n  taxonomies: [tags, categoies]\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "site.yaml:4:22: error: unknown taxonomy `categoies` in `feed.taxonomies` (known: tags, categories, authors)",
    );
    assert_has(&errors, "did you mean `categories`?");
}

#[test]
fn paginate_terms_sets_the_posts_of_a_term_page_apart_from_the_home_page() {
    // The fixture's `paginate: 2` stays the home page's.
    let site = site(7, None);
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}paginate_terms: 3\n"));
    site.build_ok();
    let post = |n: usize| format!("/blog/2024/01/{n:02}/post-{n}/");
    let first = term_page(&site, "/blog/tags/all/");
    assert_eq!(first.posts, [post(7), post(6), post(5)]);
    assert_eq!(first.prev, None);
    assert_eq!(first.next.as_deref(), Some("/blog/tags/all/page/2/"));
    let second = term_page(&site, "/blog/tags/all/page/2/");
    assert_eq!(second.posts, [post(4), post(3), post(2)]);
    assert_eq!(second.prev.as_deref(), Some("/blog/tags/all/"));
    assert_eq!(second.next.as_deref(), Some("/blog/tags/all/page/3/"));
    assert_eq!(
        second.head_next.as_deref(),
        Some(format!("{ORIGIN}/blog/tags/all/page/3/").as_str())
    );
    let third = term_page(&site, "/blog/tags/all/page/3/");
    assert_eq!(third.posts, [post(1)]);
    assert_eq!(third.prev.as_deref(), Some("/blog/tags/all/page/2/"));
    assert_eq!(third.next, None);
    assert!(!exists(&site, "tags/all/page/4/index.html"));
    assert_has(&site.read("tags/all/page/3/index.html"), "Page 3 of 3");
    // Three even posts fit on one page.
    let even = term_page(&site, "/blog/tags/even/");
    assert_eq!(even.posts, [post(6), post(4), post(2)]);
    assert!(even.next.is_none() && !exists(&site, "tags/even/page/2/index.html"));
    // The home page keeps two a page: four pages for seven posts.
    assert!(exists(&site, "page/4/index.html"));
    assert!(!exists(&site, "page/5/index.html"));

    // 0: every post of a term on its one page.
    site.write("site.yaml", &format!("{config}paginate_terms: 0\n"));
    site.build_ok();
    let all = term_page(&site, "/blog/tags/all/");
    let expected: Vec<String> = (1..=7).rev().map(post).collect();
    assert_eq!(all.posts, expected);
    assert!(all.next.is_none() && all.head_next.is_none());
    assert!(!exists(&site, "tags/all/page/2/index.html"));
    assert!(
        exists(&site, "page/4/index.html"),
        "the home page still paginates"
    );
}

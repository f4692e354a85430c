use atom_syndication::Feed;

use crate::harness::{TestSite, assert_has, errors_of};

fn feed(site: &TestSite, path: &str) -> Feed {
    site.read(path)
        .parse::<Feed>()
        .unwrap_or_else(|e| panic!("{path} is not a valid Atom feed: {e}"))
}

fn titles(feed: &Feed) -> Vec<&str> {
    feed.entries().iter().map(|e| e.title().as_str()).collect()
}

fn exists(site: &TestSite, path: &str) -> bool {
    site.root().join("public").join(path).is_file()
}

#[test]
fn atom_feeds_parse_with_absolute_urls_and_rfc3339_dates() {
    let site = TestSite::new("blog");
    site.build_ok();
    let all = feed(&site, "feed.xml");
    assert_eq!(all.title().as_str(), "Blog & Fixture");
    assert_eq!(all.id(), "https://example.org/blog/feed.xml");
    assert_eq!(titles(&all), ["Second", "First & foremost"], "newest first");
    let first = &all.entries()[1];
    assert_eq!(
        first.links()[0].href(),
        "https://example.org/blog/2023/01/01/first/"
    );
    assert_eq!(first.id(), "https://example.org/blog/2023/01/01/first/");
    assert_eq!(first.updated().to_rfc3339(), "2023-01-01T00:00:00+00:00");
    assert_eq!(first.authors()[0].name(), "Ann Example");
    let summary = first.summary().unwrap().as_str();
    assert!(
        summary
            .contains(r##"<a href="https://example.org/blog/2023/01/01/first/#intro">link</a>"##),
        "summary links are absolute and point into the post: {summary}"
    );
    assert!(!summary.contains("second paragraph"), "{summary}");
    let second = all.entries()[0].summary().unwrap().as_str();
    assert!(second.contains("Still before.") && !second.contains("After the marker"));
    assert_eq!(all.updated().to_rfc3339(), "2023-02-01T00:00:00+00:00");

    let series = feed(&site, "series/k8s/feed.xml");
    assert_eq!(series.id(), "https://example.org/blog/series/k8s/feed.xml");
    assert_eq!(titles(&series), ["Second", "First & foremost"]);
    assert!(
        series
            .links()
            .iter()
            .any(|l| l.href() == "https://example.org/blog/series/k8s/")
    );
}

#[test]
fn sitemap_lists_every_page_and_robots_points_to_it() {
    let site = TestSite::new("blog");
    site.build_ok();
    let text = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("sitemap is well-formed XML");
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    assert_eq!(doc.root_element().tag_name().namespace(), Some(ns));
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "loc")))
        .filter_map(|n| n.text())
        .collect();
    for url in [
        "https://example.org/blog/",
        "https://example.org/blog/2023/01/01/first/",
        "https://example.org/blog/2023/02/01/second/",
        "https://example.org/blog/about/",
        "https://example.org/blog/tags/",
        "https://example.org/blog/tags/aws/",
        "https://example.org/blog/categories/platforms/",
        "https://example.org/blog/authors/ann/",
        "https://example.org/blog/series/k8s/",
    ] {
        assert!(locs.contains(&url), "{url} missing from {locs:?}");
    }
    let mut sorted = locs.clone();
    sorted.sort();
    assert_eq!(locs, sorted, "sorted, so rebuilds are byte-identical");
    assert!(
        !locs
            .iter()
            .any(|l| l.contains("404") || l.contains("draft"))
    );
    let lastmod = doc
        .descendants()
        .find(|n| n.has_tag_name((ns, "lastmod")))
        .and_then(|n| n.text());
    assert_eq!(
        lastmod,
        Some("2023-01-01T00:00:00Z"),
        "posts carry their day"
    );
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/blog/sitemap.xml\n"
    );
    assert!(
        site.read("404.html")
            .contains("There is no page at this address")
    );
}

#[test]
fn drafts_and_future_posts_only_with_their_flags() {
    let site = TestSite::new("blog");
    site.build_ok();
    assert!(!exists(&site, "2023/03/01/draft/index.html"));
    assert!(!exists(&site, "2030/01/01/future/index.html"));
    assert!(!exists(&site, "tags/future-only/index.html"));
    assert_eq!(feed(&site, "feed.xml").entries().len(), 2);

    let run = site.build(&["--future"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(exists(&site, "2030/01/01/future/index.html"));
    assert!(exists(&site, "tags/future-only/index.html"));
    assert!(!exists(&site, "2023/03/01/draft/index.html"));
    assert_eq!(titles(&feed(&site, "feed.xml"))[0], "From the future");

    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(exists(&site, "2023/03/01/draft/index.html"));
    assert!(!exists(&site, "2030/01/01/future/index.html"));

    let run = site.build(&["--drafts", "--future"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(feed(&site, "feed.xml").entries().len(), 4);
}

#[test]
fn pagination_at_exactly_the_page_size_and_one_more() {
    let site = TestSite::new("blog");
    site.build_ok();
    // Two posts, two per page: one page.
    let home = site.read("index.html");
    assert!(
        home.contains(r#"<p class="pager">page 1 of 1</p>"#),
        "{home}"
    );
    assert!(!exists(&site, "page/2/index.html"));
    assert!(home.contains(r#"<a href="/blog/2023/02/01/second/">Second</a>"#));

    // One more: a second page with the oldest post.
    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.read("index.html");
    assert!(
        home.contains(r#"<p class="pager">page 1 of 2 next=/blog/page/2/</p>"#),
        "{home}"
    );
    assert!(home.contains("A draft") && home.contains("Second") && !home.contains("First"));
    let two = site.read("page/2/index.html");
    assert!(
        two.contains(r#"<p class="pager">page 2 of 2 prev=/blog/</p>"#),
        "{two}"
    );
    assert!(two.contains("First &amp; foremost") && !two.contains("Second"));
    assert!(two.contains(r#"<link rel="canonical" href="https://example.org/blog/page/2/">"#));
    assert!(!exists(&site, "page/3/index.html"));
    // Summaries in listings: the marker, or else the first paragraph.
    assert!(two.contains(
        r##"<div class="summary"><p>The first paragraph, with a <a href="/blog/2023/01/01/first/#intro">link</a>.</p></div>"##
    ));
}

#[test]
fn posts_show_their_series_with_planned_parts_unlinked() {
    let site = TestSite::new("blog");
    site.build_ok();
    let first = site.read("2023/01/01/first/index.html");
    assert!(
        first.contains(r#"Part 1 of 4 in <a href="/blog/series/k8s/">Kubernetes compared</a>"#)
    );
    assert!(first.contains(r#"<a rel="next" href="/blog/2023/02/01/second/">Second</a>"#));
    assert!(!first.contains(r#"rel="prev""#));
    assert!(first.contains(r#"<li><b>First &amp; foremost</b></li>"#));
    assert!(first.contains(r#"<li><span class="planned">Logging</span></li>"#));
    assert!(first.contains(r#"<li><span class="planned">Monitoring</span></li>"#));
    let second = site.read("2023/02/01/second/index.html");
    assert!(second.contains("Part 2 of 4"));
    assert!(
        second.contains(r#"<a rel="prev" href="/blog/2023/01/01/first/">First &amp; foremost</a>"#)
    );
    assert!(
        !second.contains(r#"rel="next""#),
        "planned parts are not linked"
    );
    // The series page, through page.html: every part, planned ones marked.
    let page = site.read("series/k8s/index.html");
    assert!(page.contains(r#"<a href="/blog/2023/01/01/first/">First &amp; foremost</a>"#));
    assert!(page.contains(
        r#"<li class="series-planned">Logging <span class="series-status">(planned)</span></li>"#
    ));
}

#[test]
fn publishing_a_planned_part_is_a_data_edit_and_a_post() {
    let site = TestSite::new("blog");
    site.write(
        "content/posts/2023-04-01-logging.md",
        "---\ntitle: Logging, compared\n---\n\nLogs.\n",
    );
    site.edit(
        "data/series.yaml",
        "- title: Logging\n      summary: Logs on both clouds.",
        "- post: 2023-04-01-logging.md",
    );
    site.build_ok();
    let second = site.read("2023/02/01/second/index.html");
    assert!(
        second.contains(r#"<a rel="next" href="/blog/2023/04/01/logging/">Logging, compared</a>"#)
    );
    let logging = site.read("2023/04/01/logging/index.html");
    assert!(logging.contains("Part 3 of 4"));
    assert!(logging.contains(r#"<li><span class="planned">Monitoring</span></li>"#));
    let first = site.read("2023/01/01/first/index.html");
    assert!(
        first.contains(r#"<li><a href="/blog/2023/04/01/logging/">Logging, compared</a></li>"#)
    );
    assert_eq!(feed(&site, "series/k8s/feed.xml").entries().len(), 3);
}

#[test]
fn a_part_not_yet_published_shows_as_planned() {
    let site = TestSite::new("blog");
    site.edit(
        "data/series.yaml",
        "- title: Logging\n      summary: Logs on both clouds.",
        "- post: 2023-03-01-draft.md",
    );
    site.build_ok();
    let second = site.read("2023/02/01/second/index.html");
    assert!(
        second.contains(r#"<li><span class="planned">A draft</span></li>"#),
        "{second}"
    );
    assert!(!second.contains(r#"rel="next""#));
}

#[test]
fn series_errors_are_reported_at_line_and_column() {
    let site = TestSite::new("blog");
    site.write(
        "data/series.yaml",
        "k8s:\n  title: Kubernetes compared\n  parts:\n    - post: 2023-01-01-frist.md\n    - post: 2023-02-01-second.md\n    - post: 2023-02-01-second.md\n    - summary: no title\n    - title: Logging\n    - title: logging\nother:\n  parts:\n    - title: x\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let err = &run.stderr;
    for expected in [
        "data/series.yaml:4:13: error: unknown post `2023-01-01-frist.md`",
        "help: did you mean `2023-01-01-first.md`?",
        "data/series.yaml:6:13: error: duplicate part: `2023-02-01-second.md` is already part 2 of this series",
        "data/series.yaml:7:5: error: missing `title`: a planned part needs a title",
        "data/series.yaml:9:14: error: duplicate part: `logging` is already part 5 of this series",
        "data/series.yaml:10:1: error: missing `title` of series `other`",
    ] {
        assert!(err.contains(expected), "{expected}\nin\n{err}");
    }
}

#[test]
fn tags_are_case_insensitive_and_keep_the_first_spelling() {
    let site = TestSite::new("blog");
    site.build_ok();
    assert!(!exists(&site, "tags/AWS/index.html"));
    let aws = site.read("tags/aws/index.html");
    assert!(aws.contains("<h1>Tag: AWS</h1>"), "{aws}");
    let second = aws.find("Second").unwrap();
    let first = aws.find("First &amp; foremost").unwrap();
    assert!(second < first, "newest first");
    let index = site.read("tags/index.html");
    assert_eq!(index.matches(r#"href="/blog/tags/aws/""#).count(), 1);
    assert!(
        index.contains(r#"<a href="/blog/tags/aws/">AWS</a> <span class="term-count">(2)</span>"#)
    );
    let category = site.read("categories/platforms/index.html");
    assert!(category.contains("<h1>Category: Platforms</h1>") && category.contains("Second"));
    let author = site.read("authors/ann/index.html");
    assert!(author.contains("<h1>Ann Example</h1>"));
    assert!(author.contains("Ann writes about clusters."));
    assert!(author.contains(r#"<a href="https://ann.example.org/">Ann&#39;s site</a>"#));
}

#[test]
fn blog_outputs_are_byte_identical_across_builds() {
    let site = TestSite::new("blog");
    site.build_ok();
    let first = site.snapshot();
    site.build_ok();
    assert_eq!(first, site.snapshot());
}

#[test]
fn an_updated_post_says_so_in_feeds_and_sitemap() {
    let site = TestSite::new("blog");
    let post = "content/posts/2023-01-01-first.md";
    site.edit(
        post,
        "title: First & foremost\n",
        "title: First & foremost\nupdated: 2024-05-06\n",
    );
    site.build_ok();
    let all = feed(&site, "feed.xml");
    let first = &all.entries()[1];
    assert_eq!(
        first.published().unwrap().to_rfc3339(),
        "2023-01-01T00:00:00+00:00"
    );
    assert_eq!(first.updated().to_rfc3339(), "2024-05-06T00:00:00+00:00");
    assert_eq!(
        all.updated().to_rfc3339(),
        "2024-05-06T00:00:00+00:00",
        "the feed changed when its newest revision did"
    );
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/blog/2023/01/01/first/</loc><lastmod>2024-05-06T00:00:00Z</lastmod>"), "{sitemap}");

    // Jekyll's name for it (jekyll-last-modified-at) means the same.
    site.edit(post, "updated: 2024-05-06", "last_modified_at: 2024-05-07");
    site.build_ok();
    assert_eq!(
        feed(&site, "feed.xml").entries()[1].updated().to_rfc3339(),
        "2024-05-07T00:00:00+00:00"
    );

    site.edit(post, "last_modified_at: 2024-05-07", "updated: 2022-12-31");
    assert_has(
        &errors_of(&site),
        &format!("{post}:3:10: error: `updated` 2022-12-31 is before the page's date 2023-01-01"),
    );
    site.edit(post, "updated: 2022-12-31", "updated: someday");
    assert_has(
        &errors_of(&site),
        &format!("{post}:3:10: error: invalid date `someday`"),
    );
}

/// With `code_markup: jekyll`, code shown outside a post's own page is marked up as Jekyll does
/// too: a listing's summary, a series' summary and the `markdown` filter of a layout. A Jekyll
/// theme's stylesheet styles `.highlighter-rouge`; versus's own classes would show unstyled.
#[test]
fn jekyll_code_markup_reaches_summaries_series_and_the_markdown_filter() {
    let site = TestSite::new("blog");
    site.edit(
        "site.yaml",
        "paginate: 2",
        "paginate: 2\ncode_markup: jekyll",
    )
    .edit(
        "content/posts/2023-01-01-first.md",
        "The first paragraph, with a [link](#intro).",
        "The first paragraph, with `kubectl` and a [link](#intro).",
    )
    .edit(
        "data/series.yaml",
        "summary: Two clouds, one platform.",
        "summary: Two clouds, one `kubectl`.",
    )
    .edit(
        "layouts/page.html",
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.title }}</h1>{{ \"Run `kubectl`.\" | markdown }}<p id=\"inline\">{{ \"`kubectl`\" | markdown(inline=true) }}</p>",
    );
    site.build_ok();
    let jekyll_code = r#"<code class="language-plaintext highlighter-rouge">kubectl</code>"#;
    let home = site.read("index.html");
    assert!(home.contains(jekyll_code), "a listing's summary:\n{home}");
    let series = site.read("series/k8s/index.html");
    assert!(series.contains(jekyll_code), "a series' summary:\n{series}");
    let about = site.read("about/index.html");
    assert!(about.contains(jekyll_code), "the markdown filter:\n{about}");
    let inline = format!("<p id=\"inline\">{jekyll_code}</p>");
    assert!(about.contains(&inline), "markdown(inline=true):\n{about}");
}

/// With `code_markup: jekyll`, inline code in a matrix's notes is marked up as in the posts,
/// not in versus's own markup.
#[test]
fn jekyll_code_markup_reaches_matrix_notes() {
    let site = TestSite::new("compare");
    site.edit(
        "site.yaml",
        "stale_after_days: 365",
        "stale_after_days: 365\ncode_markup: jekyll",
    )
    .edit(
        "data/matrices/storage.yaml",
        "note: The EBS CSI driver is an add-on you enable.",
        "note: The `aws-ebs-csi-driver` is an add-on you enable.",
    );
    site.build_ok();
    let jekyll_code =
        r#"<code class="language-plaintext highlighter-rouge">aws-ebs-csi-driver</code>"#;
    let area = site.read("compare/storage/index.html");
    assert!(area.contains(jekyll_code), "a matrix note:\n{area}");
}

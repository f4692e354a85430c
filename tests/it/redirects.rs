//! Issue #17, redirects: `aliases:` of posts, pages and matrix areas write a redirect page at
//! each old URL and a `_redirects` file; clashes are errors at the alias; a post whose URL
//! changed between two builds of one output folder is named, with the alias to add.

use scraper::{Html, Selector};

use crate::harness::{TestSite, assert_has, copy_tree, errors_of, fixture, versus_in};

const POST: &str = "content/posts/2024-01-01-post-1.md";

/// The feeds fixture (base_url `https://example.org/blog`) with one post and the comparison
/// fixture's matrices.
fn site() -> TestSite {
    let site = TestSite::bare("feeds");
    site.write(POST, "---\ntitle: Post 1\n---\nThe post.\n");
    copy_tree(&fixture("compare").join("data"), &site.root().join("data"));
    site
}

/// The redirect page at `file`: (meta refresh URL, canonical URL, robots).
fn redirect_of(site: &TestSite, file: &str) -> (String, String, String) {
    let doc = Html::parse_document(&site.read(file));
    let attr = |selector: &str, name: &str| {
        let selector = Selector::parse(selector).unwrap();
        let element = doc.select(&selector).next();
        element
            .and_then(|e| e.attr(name))
            .unwrap_or_else(|| panic!("{file}: no {selector:?}"))
            .to_owned()
    };
    let refresh = attr(r#"meta[http-equiv="refresh"]"#, "content");
    let url = refresh.split_once("url=").unwrap().1.to_owned();
    let link = attr("body a", "href");
    assert_eq!(link, url, "{file}: the link for people is the refresh's");
    (
        url,
        attr(r#"link[rel="canonical"]"#, "href"),
        attr(r#"meta[name="robots"]"#, "content"),
    )
}

/// The file a browser on `ORIGIN` gets for `url` (a path under the base path `base`).
fn served(site: &TestSite, base: &str, url: &str) -> String {
    let path = url
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"));
    let path = path.trim_start_matches('/');
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    site.read(&file)
}

#[test]
fn aliases_write_redirect_pages_whose_targets_resolve_under_the_base_path() {
    let site = site();
    site.write(
        POST,
        "---\ntitle: Post 1\naliases:\n  - /2019/old-post/\n  - /old.html\n---\nThe post.\n",
    );
    site.write(
        "content/about.md",
        "---\ntitle: About\nredirect_from: /about-us/\n---\nAbout.\n",
    );
    site.edit(
        "data/matrices/storage.yaml",
        "order: 1\n",
        "order: 1\naliases: [/compare/disks/]\n",
    );
    site.build_ok();
    for (file, target) in [
        ("2019/old-post/index.html", "/blog/2024/01/01/post-1/"),
        ("old.html", "/blog/2024/01/01/post-1/"),
        ("about-us/index.html", "/blog/about/"),
        ("compare/disks/index.html", "/blog/compare/storage/"),
    ] {
        let (url, canonical, robots) = redirect_of(&site, file);
        assert_eq!(url, target, "{file}");
        assert_eq!(canonical, format!("https://example.org{target}"));
        assert_eq!(robots, "noindex");
        let page = served(&site, "/blog", &url);
        assert!(
            !page.contains("http-equiv=\"refresh\""),
            "{url} is the page itself"
        );
    }
    assert_eq!(
        site.read("_redirects").lines().skip(1).collect::<Vec<_>>(),
        [
            "/blog/2019/old-post/ /blog/2024/01/01/post-1/ 301",
            "/blog/about-us/ /blog/about/ 301",
            "/blog/compare/disks/ /blog/compare/storage/ 301",
            "/blog/old.html /blog/2024/01/01/post-1/ 301",
        ]
    );
    let sitemap = site.read("sitemap.xml");
    assert!(
        !sitemap.contains("old-post") && !sitemap.contains("disks"),
        "{sitemap}"
    );

    // `check` follows every link of the redirect pages: nothing broken.
    let run = versus_in(site.root(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("[broken-link]"), "{}", run.stdout);

    // At the domain root, the same redirects without the base path.
    let run = site.build(&["--base-url", "https://example.org"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (url, canonical, _) = redirect_of(&site, "2019/old-post/index.html");
    assert_eq!(url, "/2024/01/01/post-1/");
    assert_eq!(canonical, "https://example.org/2024/01/01/post-1/");
    assert_has(
        &site.read("_redirects"),
        "\n/2019/old-post/ /2024/01/01/post-1/ 301\n",
    );
}

#[test]
fn check_follows_a_redirect_to_a_missing_page() {
    let site = site();
    site.write(
        "static/legacy/index.html",
        "<!doctype html>\n<meta http-equiv=\"refresh\" content=\"0; url=/blog/gone/\">\n",
    );
    let run = versus_in(site.root(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_has(&run.stdout, "/blog/gone/");
    assert_has(&run.stdout, "[broken-link]");
}

#[test]
fn no_aliases_no_redirects_file() {
    let site = site();
    site.build_ok();
    assert!(!site.root().join("public/_redirects").exists());
}

#[test]
fn an_alias_in_the_place_of_anything_else_is_an_error_at_the_alias() {
    let site = site();
    site.write(
        POST,
        "---\ntitle: Post 1\naliases: [/about/, /tags/, /img/, /2024/01/01/post-1/, /twice/, /twice/]\n---\nThe post.\n",
    );
    site.write("static/img/index.html", "<p>mine</p>\n");
    site.edit(
        "data/matrices/storage.yaml",
        "order: 1\n",
        "order: 1\naliases:\n  - /compare/\n",
    );
    site.write(
        "content/posts/2024-01-02-post-2.md",
        "---\ntitle: Post 2\ntags: [x]\n---\nTagged.\n",
    );
    let errors = errors_of(&site);
    // Column of each alias in `aliases: [...]` on line 3.
    let line = "aliases: [/about/, /tags/, /img/, /2024/01/01/post-1/, /twice/, /twice/]";
    let col = |alias: &str, nth: usize| line.match_indices(alias).nth(nth).unwrap().0 + 1;
    for (alias, nth, message) in [
        (
            "/about/",
            0,
            "alias `/about/` is the URL of the page built from content/about.md",
        ),
        (
            "/tags/",
            0,
            "alias `/tags/` is a URL versus generates itself",
        ),
        (
            "/img/",
            0,
            "alias `/img/` is the address of the static file static/img/index.html",
        ),
        (
            "/2024/01/01/post-1/",
            0,
            "alias `/2024/01/01/post-1/` is this page's own URL",
        ),
        (
            "/twice/",
            1,
            "alias `/twice/` is already an alias of /2024/01/01/post-1/",
        ),
    ] {
        assert_has(
            &errors,
            &format!("{POST}:3:{}: error: {message}", col(alias, nth)),
        );
    }
    assert_has(
        &errors,
        "data/matrices/storage.yaml:5:5: error: alias `/compare/` is a URL versus generates itself",
    );
}

#[test]
fn an_alias_not_from_the_site_root_is_an_error_at_it() {
    let site = site();
    site.write(
        POST,
        "---\ntitle: Post 1\naliases:\n  - /fine/\n  - old/\n---\nThe post.\n",
    );
    site.edit(
        "data/matrices/storage.yaml",
        "order: 1\n",
        "order: 1\naliases: /a b/\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        &format!(
            "{POST}:5:5: error: alias `old/` must be a path from the site root, such as `/2019/old-post/`"
        ),
    );
    assert_has(
        &errors,
        "data/matrices/storage.yaml:4:10: error: alias `/a b/` may not hold `?`, `#`, `\\` or spaces",
    );
}

#[test]
fn the_sites_own_redirects_file_wins_with_a_warning() {
    let site = site();
    site.write(
        POST,
        "---\ntitle: Post 1\naliases: [/old/]\n---\nThe post.\n",
    );
    site.write("static/_redirects", "/x /y 302\n");
    let run = site.build_ok();
    assert_eq!(site.read("_redirects"), "/x /y 302\n");
    assert_has(
        &run.stderr,
        "static/_redirects: warning: the site's own _redirects is published as written",
    );
    assert_has(&run.stderr, "/blog/old/ /blog/2024/01/01/post-1/ 301");
    assert!(site.root().join("public/old/index.html").is_file());
}

#[test]
fn a_url_that_changed_since_the_last_build_is_named_with_the_alias_to_add() {
    let site = site();
    site.build_ok();
    site.write(
        POST,
        "---\ntitle: Post 1\npermalink: /new-url/\n---\nThe post.\n",
    );
    let run = site.build_ok();
    let warning = format!(
        "{POST}: warning: its URL changed from /2024/01/01/post-1/ to /new-url/; add `aliases: [/2024/01/01/post-1/]` to keep old links working"
    );
    assert_eq!(run.stderr.matches(&warning).count(), 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("its URL changed").count(),
        1,
        "{}",
        run.stderr
    );
    // Built again unchanged: the last build already had the new URL.
    let run = site.build_ok();
    assert!(!run.stderr.contains("its URL changed"), "{}", run.stderr);

    // Moved back with the alias the warning asked for: no warning, and the old URL redirects.
    site.write(
        POST,
        "---\ntitle: Post 1\naliases: [/new-url/]\n---\nThe post.\n",
    );
    let run = site.build_ok();
    assert!(!run.stderr.contains("its URL changed"), "{}", run.stderr);
    assert_eq!(
        redirect_of(&site, "new-url/index.html").0,
        "/blog/2024/01/01/post-1/"
    );
    // Another output folder has no previous build of its own: nothing to compare with.
    site.write(
        POST,
        "---\ntitle: Post 1\npermalink: /third/\n---\nThe post.\n",
    );
    let run = site.build(&["--output", &site.root().join("elsewhere").to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("its URL changed"), "{}", run.stderr);
}

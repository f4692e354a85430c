//! Issue #14: a site needs no layouts or stylesheet of its own. What it lacks comes from the
//! built-in theme; a file of its own replaces the built-in one of the same name.

use crate::harness::{TestSite, assert_has, errors_of, versus_in};

fn builtin(path: &str) -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("theme")
        .join(path);
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn a_site_without_layouts_or_static_builds_a_styled_site() {
    let site = TestSite::bare("compare");
    assert!(!site.root().join("layouts").exists() && !site.root().join("static").exists());
    site.build_ok();
    assert_eq!(site.read("style.css"), builtin("static/style.css"));
    assert_eq!(site.read("favicon.svg"), builtin("static/favicon.svg"));
    let post = site.read("2023/08/11/storage/index.html");
    for linked in [
        r#"<link rel="stylesheet" href="/style.css?v="#,
        r#"<link rel="stylesheet" href="/highlight.css?v="#,
        r#"href="/favicon.svg""#,
        r##"<a class="skip-link" href="#main">"##,
    ] {
        assert_has(&post, linked);
    }
    // The post's table, and every page the blog generates, in the built-in layouts.
    assert_has(&post, "<table");
    for page in [
        "index.html",
        "404.html",
        "compare/index.html",
        "compare/storage/index.html",
        "authors/index.html",
    ] {
        let html = site.read(page);
        assert_has(&html, r#"<header class="site-header">"#);
        assert_has(&html, r#"<main id="main""#);
    }
}

#[test]
fn a_layout_or_static_file_of_the_site_replaces_only_the_built_in_one() {
    let site = TestSite::bare("compare");
    site.write(
        "layouts/post.html",
        r#"{% extends "base.html" %}{% block content %}<article class="mine">{{ page.content }}</article>{% endblock %}"#,
    );
    site.write("static/style.css", "body { color: rebeccapurple }\n");
    site.build_ok();
    let post = site.read("2023/08/11/storage/index.html");
    // Its own post.html, inside the built-in base.html.
    assert_has(&post, r#"<article class="mine">"#);
    assert_has(&post, r#"<header class="site-header">"#);
    assert_eq!(site.read("style.css"), "body { color: rebeccapurple }\n");
    // The stylesheet's link carries a hash of its bytes: a changed file gets a new address.
    let link = |html: &str| {
        let at = html
            .find("/style.css?v=")
            .expect("a fingerprinted stylesheet link");
        html[at..at + 23].to_owned()
    };
    let before = link(&post);
    site.write("static/style.css", "body { color: teal }\n");
    site.build_ok();
    let after = link(&site.read("2023/08/11/storage/index.html"));
    assert_ne!(before, after);
    assert_eq!(after.len(), "/style.css?v=".len() + 10);
    // Pages it wrote no layout for keep the built-in look.
    assert!(!site.read("index.html").contains("class=\"mine\""));
    assert_has(&site.read("index.html"), r#"<header class="site-header">"#);
}

#[test]
fn a_site_with_its_own_look_gets_none_of_the_built_in_files() {
    // The basic fixture has its own base, page, post and index layouts and css/site.css.
    let site = TestSite::new("basic");
    site.build_ok();
    let public = site.root().join("public");
    assert!(!public.join("style.css").exists());
    assert!(!public.join("favicon.svg").exists());
    // Its tag pages, which it wrote no layout for, use its own page.html, not ours.
    let tags = site.read("tags/index.html");
    assert!(!tags.contains(r#"<header class="site-header">"#), "{tags}");
}

#[test]
fn a_base_layout_without_the_content_block_is_an_error_not_empty_pages() {
    let site = TestSite::bare("compare");
    site.write(
        "layouts/base.html",
        "<!doctype html>\n<title>{{ page.title }}</title>\n<main>{% block main %}{% endblock %}</main>\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "layouts/base.html:1:1: error: has no `{% block content %}`, where the built-in theme's 404.html, compare.html, index.html, page.html, post.html, series.html, term.html, terms.html put the page",
    );
    assert_has(&errors, "versus theme copy layouts/404.html");
    // Once, not once per page.
    assert_eq!(errors.matches("block content").count(), 2, "{errors}");
}

#[test]
fn an_error_in_a_built_in_layout_names_it_and_how_to_take_it_over() {
    let site = TestSite::bare("compare");
    // A macros.html of the site's own that lacks the macros the built-in layouts import.
    site.write("layouts/macros.html", "{% macro other() %}{% endmacro %}\n");
    let errors = errors_of(&site);
    assert_has(&errors, "versus-theme/layouts/");
    assert_has(&errors, "versus theme copy layouts/");
}

#[test]
fn theme_list_and_copy_show_and_hand_over_built_in_files() {
    let site = TestSite::bare("compare");
    let root = site.root();
    let list = versus_in(root, &["theme", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.lines().any(|l| l == "layouts/post.html"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.lines().any(|l| l == "static/style.css"),
        "{}",
        list.stdout
    );

    let copy = versus_in(
        root,
        &["theme", "copy", "layouts/post.html", "static/style.css"],
    );
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    assert_eq!(
        std::fs::read_to_string(root.join("layouts/post.html")).unwrap(),
        builtin("layouts/post.html")
    );
    let list = versus_in(root, &["theme", "list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l == "layouts/post.html  (yours)"),
        "{}",
        list.stdout
    );

    // Never over a file of the site's, and nothing at all when one name is wrong.
    std::fs::write(root.join("layouts/post.html"), "mine").unwrap();
    let again = versus_in(root, &["theme", "copy", "layouts/post.html"]);
    assert_eq!(again.code, 2);
    assert_has(&again.stderr, "already exists");
    assert_eq!(
        std::fs::read_to_string(root.join("layouts/post.html")).unwrap(),
        "mine"
    );
    let wrong = versus_in(
        root,
        &["theme", "copy", "layouts/index.html", "layouts/nope.html"],
    );
    assert_eq!(wrong.code, 2);
    assert_has(
        &wrong.stderr,
        "`layouts/nope.html` is not a file of the built-in theme",
    );
    assert!(!root.join("layouts/index.html").exists());
    // A copied theme builds the same site as the built-in one.
    site.build_ok();
}

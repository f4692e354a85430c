//! Issue #14, "Wording is the author's" and "The theme fits every site": a PostgreSQL/MySQL
//! site on the built-in theme alone writes none of the Kubernetes site's words; `language: de`
//! writes German; one string of data/strings.yaml replaces the built-in one.

use crate::harness::{TestSite, assert_has, errors_of, versus_in};

/// Every page, feed and export of the site's output: (path, text).
fn outputs(site: &TestSite) -> Vec<(String, String)> {
    site.snapshot()
        .into_iter()
        .filter(|(path, _)| {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            matches!(ext, "html" | "xml" | "json" | "csv")
        })
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).expect("text output");
            (path.to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// Whether `word` stands in `text` as a word of its own (not inside `weeks` or `breaks`);
/// all-capital words match only in capitals, others in any case.
fn has_word(text: &str, word: &str) -> bool {
    let (hay, needle) = if word.chars().any(char::is_lowercase) {
        (text.to_lowercase(), word.to_lowercase())
    } else {
        (text.to_owned(), word.to_owned())
    };
    hay.match_indices(&needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let is_word = |c: char| c.is_alphanumeric();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

fn databases() -> TestSite {
    let site = TestSite::bare("databases");
    assert!(!site.root().join("layouts").exists());
    site
}

#[test]
fn a_database_site_on_the_built_in_theme_writes_no_kubernetes_words() {
    let site = databases();
    let run = site.build_ok();
    assert!(
        !run.stderr.contains("warning"),
        "a clean site: {}",
        run.stderr
    );
    let files = outputs(&site);
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "index.html",
        "404.html",
        "compare/index.html",
        "compare/operations/index.html",
        "compare/changes/index.html",
        "compare/changes/feed.xml",
        "compare/matrix.json",
        "compare/matrix.csv",
        "series/schema-and-data/index.html",
        "tags/json/index.html",
        "feed.xml",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let forbidden = [
        "cluster",
        "clusters",
        "provider add-on",
        "add-on",
        "add-ons",
        "this series",
        "Kubernetes",
        "EKS",
        "AKS",
        "nodes",
        "managed",
        "control plane",
        "MYSQL",
        "POSTGRESQL",
    ];
    for (path, text) in &files {
        for word in forbidden {
            assert!(!has_word(text, word), "{path} says `{word}`:\n{text}");
        }
        assert!(!text.contains("1 features)"), "{path}: `1 features)`");
        assert!(!text.contains("1 posts"), "{path}: `1 posts`");
    }
}

#[test]
fn columns_legend_counts_and_navigation_read_right() {
    let site = databases();
    site.build_ok();
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    // Columns show `short`: the product's own spelling.
    assert_has(
        &post,
        r#"<th scope="col"><abbr title="PostgreSQL">PostgreSQL</abbr></th><th scope="col"><abbr title="MySQL Community Server">MySQL</abbr></th>"#,
    );
    assert_has(&post, r#"data-label="MySQL""#);
    // The neutral legend of the `addon` level.
    assert_has(
        &post,
        r#"<span class="support-text">Built in</span></dt><dd>on out of the box</dd>"#,
    );
    assert_has(&post, "<dd>not known yet</dd>");
    // "## Data types" right above: the caption is hidden from the eye, kept for screen readers.
    assert_has(
        &post,
        r#"<caption id="matrix-data-types-caption" class="visually-hidden">Data types</caption>"#,
    );
    assert_has(&post, r#"aria-labelledby="matrix-data-types-caption""#);
    // Under another heading the caption shows.
    assert_has(
        &post,
        r#"<caption id="matrix-operations-differences-caption">Replication and schema changes: where PostgreSQL and MySQL differ</caption>"#,
    );
    assert_has(&post, r#"<span class="series-status">(this post)</span>"#);
    let area = site.read("compare/operations/index.html");
    assert_has(
        &area,
        r#"<h1 id="page-title">Replication and schema changes</h1>"#,
    );
    assert_has(
        &area,
        r#"<caption id="operations-caption" class="visually-hidden">Replication and schema changes</caption>"#,
    );
    assert_has(
        &area,
        "<dd>an official extension to turn on or install</dd>",
    );
    assert_has(&area, r#"<span class="support-text">Extension</span>"#);
    let index = site.read("compare/index.html");
    assert_has(&index, r#"<span class="compare-count">(2 features)</span>"#);
    assert_has(&index, r#"<span class="compare-count">(3 features)</span>"#);
    assert_has(&index, "Support by area and product</caption>");
    // /compare/ is in the main navigation, marked current on its pages.
    let nav = r#"<li><a href="/compare/" aria-current="page">Compare</a></li>"#;
    assert_has(&index, nav);
    assert_has(&post, r#"<li><a href="/compare/">Compare</a></li>"#);
    let series = site.read("series/schema-and-data/index.html");
    assert_has(&series, "Series · 1 of 1 part published");
    let tag = site.read("tags/json/index.html");
    assert_has(&tag, r#"<p class="term-count">1 post</p>"#);
    // The exports name products by id (lower case) and levels by the site's words.
    let json = site.read("compare/matrix.json");
    assert_has(&json, r#""short": "MySQL""#);
    assert_has(&json, r#""label": "Extension""#);
    let csv = site.read("compare/matrix.csv");
    assert_has(
        &csv,
        "operations,transactional-ddl,Schema changes in a transaction,,mysql,none,",
    );
}

#[test]
fn a_site_without_matrices_has_no_compare_link() {
    let site = databases();
    std::fs::remove_dir_all(site.root().join("data/matrices")).unwrap();
    std::fs::remove_file(site.root().join("data/providers.yaml")).unwrap();
    site.edit(
        "content/posts/2026-11-20-json-and-schema-changes.md",
        "{{ matrix(\"data-types\") }}",
        "",
    )
    .edit(
        "content/posts/2026-11-20-json-and-schema-changes.md",
        "{{ matrix(\"operations\", only=\"differences\") }}",
        "",
    );
    site.build_ok();
    let home = site.read("index.html");
    assert!(!home.contains("/compare/"), "{home}");
    assert!(!site.root().join("public/compare").exists());
}

#[test]
fn language_de_writes_german() {
    let site = databases();
    site.edit("site.yaml", "language: en", "language: de");
    let run = site.build_ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    assert_has(&post, r#"<html lang="de">"#);
    assert_has(&post, ">Zum Hauptinhalt springen</a>");
    assert_has(
        &post,
        r#"<span class="support-text">Eingebaut</span></dt><dd>ab Werk aktiv</dd>"#,
    );
    assert_has(&post, r#"<th scope="col">Funktion</th>"#);
    assert_has(
        &post,
        r#"<time datetime="2026-11-20">20. November 2026</time>"#,
    );
    assert_has(&post, "Angaben geprüft am");
    assert_has(&post, r#"<li><a href="/compare/">Vergleich</a></li>"#);
    assert_has(&post, r#"placeholder="Suche""#);
    assert_has(
        &site.read("search/index.html"),
        "Beiträge und Funktionen durchsuchen",
    );
    let index = site.read("compare/index.html");
    assert_has(
        &index,
        r#"<span class="compare-count">(2 Funktionen)</span>"#,
    );
    assert_has(&index, "Eingebaut: 2</li>");
    let tag = site.read("tags/json/index.html");
    assert_has(&tag, r#"<p class="term-count">1 Beitrag</p>"#);
    let area = site.read("compare/operations/index.html");
    assert_has(&area, r#"<span class="support-text">Erweiterung</span>"#);
    assert_has(&site.read("404.html"), "Seite nicht gefunden");
    // No English sentence of the built-in strings is left in any output.
    let english: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../theme/strings/en.yaml")).unwrap();
    let mut phrases = Vec::new();
    collect_phrases(&english, &mut phrases);
    assert!(phrases.len() > 40, "{phrases:?}");
    for (path, text) in outputs(&site) {
        for phrase in &phrases {
            assert!(!text.contains(phrase.as_str()), "{path} says `{phrase}`");
        }
    }
}

/// The English strings' fixed parts of 12 characters or more (between `{placeholders}`).
fn collect_phrases(value: &serde_yaml::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::String(text) => {
            for part in text.split(['{', '}']) {
                let part = part.trim();
                if part.len() >= 12 && !part.contains('%') {
                    out.push(part.to_owned());
                }
            }
        }
        serde_yaml::Value::Mapping(map) => map.values().for_each(|v| collect_phrases(v, out)),
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| collect_phrases(v, out)),
        _ => {}
    }
}

#[test]
fn an_unknown_language_falls_back_to_english_with_a_warning() {
    let site = databases();
    site.edit("site.yaml", "language: en", "language: xx");
    let run = site.build_ok();
    assert_has(
        &run.stderr,
        "site.yaml:5:1: warning: no built-in strings for language `xx`",
    );
    assert_has(&run.stderr, "languages provided: de, en, nl");
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    assert_has(&post, r#"<html lang="xx">"#);
    assert_has(&post, ">Skip to main content</a>");
}

#[test]
fn a_site_replaces_one_string_and_keeps_the_others() {
    let site = databases();
    site.write(
        "data/strings.yaml",
        "table:\n  feature: Capability\nlevels:\n  addon:\n    label: Contrib module\n",
    );
    site.build_ok();
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    assert_has(&post, r#"<th scope="col">Capability</th>"#);
    assert_has(&post, r#"<span class="support-text">Contrib module</span>"#);
    // The level's legend text was not replaced: the built-in one stays.
    assert_has(
        &post,
        "<dd>an official extension to turn on or install</dd>",
    );
    assert_has(&post, ">Skip to main content</a>");
    assert_has(
        &site.read("compare/matrix.json"),
        r#""label": "Contrib module""#,
    );
}

#[test]
fn a_mistyped_string_or_level_is_an_error_at_its_place() {
    let site = databases();
    site.write(
        "data/strings.yaml",
        "levels:\n  defualt:\n    label: On\ntable:\n  featrue: Capability\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "data/strings.yaml:2:3: error: unknown support level `defualt`: expected one of default, option, addon, manual, none, not-applicable, unknown",
    );
    assert_has(&errors, "did you mean `default`?");
    assert_has(
        &errors,
        "data/strings.yaml:5:3: error: unknown string `table.featrue`",
    );
    assert_has(&errors, "did you mean `table.feature`?");
}

#[test]
fn theme_copy_of_a_language_writes_the_sites_strings_file() {
    let site = databases();
    let copy = versus_in(site.root(), &["theme", "copy", "strings/de.yaml"]);
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    assert_has(&copy.stdout, "data/strings.yaml");
    let list = versus_in(site.root(), &["theme", "list"]);
    assert_has(&list.stdout, "strings/de.yaml  (yours)");
    // Every German string in place, though the site says `language: en`.
    site.build_ok();
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    assert_has(&post, r#"<html lang="en">"#);
    assert_has(&post, ">Zum Hauptinhalt springen</a>");
    assert_has(&post, "20. November 2026");
}

#[test]
fn language_nl_writes_dutch() {
    let site = databases();
    site.edit("site.yaml", "language: en", "language: nl");
    site.build_ok();
    let post = site.read("2026/11/20/json-and-schema-changes/index.html");
    assert_has(
        &post,
        r#"<span class="support-text">Ingebouwd</span></dt><dd>standaard aan</dd>"#,
    );
    assert_has(
        &post,
        r#"<time datetime="2026-11-20">20 november 2026</time>"#,
    );
    assert_has(&post, ">Naar de hoofdinhoud</a>");
    let index = site.read("compare/index.html");
    assert_has(&index, r#"<span class="compare-count">(2 functies)</span>"#);
    assert_has(&site.read("tags/json/index.html"), "1 bericht</p>");
}

#[test]
fn a_layout_naming_an_unknown_string_fails_with_a_did_you_mean() {
    let site = databases();
    site.write(
        "layouts/page.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ t(\"nav.hom\") }}{% endblock %}\n",
    );
    let errors = errors_of(&site);
    assert_has(&errors, "layouts/page.html:2:");
    assert_has(
        &errors,
        "unknown string `nav.hom`: did you mean `nav.home`?",
    );
}

#[test]
fn a_provider_without_short_is_headed_by_its_name_everywhere() {
    let site = databases();
    site.edit("data/providers.yaml", "  short: MySQL\n", "");
    site.build_ok();
    let header = r#"<th scope="col"><abbr title="MySQL Community Server">MySQL Community Server</abbr></th>"#;
    assert_has(
        &site.read("2026/11/20/json-and-schema-changes/index.html"),
        header,
    );
    assert_has(&site.read("compare/index.html"), header);
    assert_has(&site.read("compare/operations/index.html"), header);
    assert_has(
        &site.read("compare/matrix.json"),
        r#""short": "MySQL Community Server""#,
    );
}

use atom_syndication::Feed;

use crate::harness::{TestSite, assert_has, errors_of};

const STORAGE: &str = "data/matrices/storage.yaml";
const POST: &str = "2023/08/11/storage/index.html";

/// The compare fixture with a history on AKS's CSI driver (two changes, listed oldest first
/// to show the order is the dates') and one on EKS's file shares.
fn site_with_history() -> TestSite {
    let site = TestSite::new("compare");
    site.edit(
        STORAGE,
        "      verified: 2026-01-10\n",
        "      verified: 2026-01-10\n      history:\n        - {date: 2024-02-01, support: none, note: \"An add-on, [in preview](/about/).\"}\n        - {date: 2025-06-01, support: addon, note: Now installed with every cluster.}\n",
    );
    site.edit(
        STORAGE,
        "    eks: none\n    aks: {support: option",
        "    eks:\n      support: none\n      history:\n        - date: 2025-06-01\n          support: unknown\n          note: The EFS driver does not cover Azure-style shares.\n    aks: {support: option",
    );
    site
}

/// The `<td>` of the area page's row `feature`, for provider column `n` (0 = first).
fn cell(html: &str, row: &str, n: usize) -> String {
    let start = html
        .find(&format!(r#"<tr id="{row}""#))
        .unwrap_or_else(|| panic!("no row {row}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    html[start..end].split("<td").nth(n + 1).unwrap().to_owned()
}

#[test]
fn the_area_page_shows_each_cells_changes_newest_first() {
    let site = site_with_history();
    site.build_ok();
    let area = site.read("compare/storage/index.html");
    let aks = cell(&area, "storage-csi-driver", 1);
    // Two changes: a disclosure, newest first, below the note and the sources.
    let details = aks.find(r#"<details class="matrix-history">"#).expect(&aks);
    assert!(aks.find("matrix-sources").unwrap() < details);
    assert_has(
        &aks,
        r#"<summary>Changed 2 times, last on <time datetime="2025-06-01">2025-06-01</time></summary>"#,
    );
    let newer = aks
        .find(r#"Changed <time datetime="2025-06-01">2025-06-01</time>: was <span class="support-symbol" aria-hidden="true">⊕</span> <span class="support-text">Add-on</span>. Now installed with every cluster."#)
        .expect(&aks);
    let older = aks
        .find(r#"Changed <time datetime="2024-02-01">2024-02-01</time>: was <span class="support-symbol" aria-hidden="true">✕</span> <span class="support-text">Not supported</span>. An add-on, <a href="/about/">in preview</a>."#)
        .expect(&aks);
    assert!(newer < older, "newest first");
    // One change: one line, no disclosure.
    let eks = cell(&area, "storage-file-shares", 0);
    assert_has(
        &eks,
        r#"<span class="matrix-history">Changed <time datetime="2025-06-01">2025-06-01</time>: was <span class="support-symbol" aria-hidden="true">?</span> <span class="support-text">Unknown</span>. The EFS driver"#,
    );
    assert!(!eks.contains("<details"));
    // Compact tables in posts stay as they were.
    let post = site.read(POST);
    let compact = &post[..post.find(r#"id="matrix-storage-differences""#).unwrap()];
    assert!(!compact.contains("matrix-history"), "{compact}");
}

#[test]
fn the_changes_page_lists_every_change_newest_first_by_day() {
    let site = site_with_history();
    site.build_ok();
    let page = site.read("compare/changes/index.html");
    assert_has(&page, "<h1>What changed</h1>");
    let june = page
        .find(r#"<h2 id="2025-06-01"><time datetime="2025-06-01">June 1, 2025</time></h2>"#)
        .expect(&page);
    let february = page
        .find(r#"<h2 id="2024-02-01"><time datetime="2024-02-01">February 1, 2024</time></h2>"#)
        .expect(&page);
    assert!(june < february, "newest day first");
    let june_day = &page[june..february];
    // Both June changes, in the area's row order: the CSI driver, then the file shares.
    let csi = june_day
        .find(r#"<li><a href="/compare/storage/#storage-csi-driver">Block storage CSI driver</a>, <abbr title="Azure Kubernetes Service">AKS</abbr> (<a href="/compare/storage/">Disk storage</a>): was <span class="support-addon"><span class="support-symbol" aria-hidden="true">⊕</span> Add-on</span>, now <span class="support-default"><span class="support-symbol" aria-hidden="true">●</span> Built in</span>. Now installed with every cluster.</li>"#)
        .expect(june_day);
    let shares = june_day
        .find(r#"<a href="/compare/storage/#storage-file-shares">File shares, with “quotes”</a>, <abbr title="Amazon Elastic Kubernetes Service">EKS</abbr>"#)
        .expect(june_day);
    assert!(csi < shares);
    assert_has(
        &page[february..],
        r#"was <span class="support-none"><span class="support-symbol" aria-hidden="true">✕</span> Not supported</span>, now <span class="support-addon"><span class="support-symbol" aria-hidden="true">⊕</span> Add-on</span>."#,
    );
    // Each link's anchor is a row of the area page.
    let area = site.read("compare/storage/index.html");
    for row in ["storage-csi-driver", "storage-file-shares"] {
        assert_has(&area, &format!(r#"<tr id="{row}">"#));
    }
    // /compare/ leads there, and the sitemap lists it.
    let index = site.read("compare/index.html");
    assert_has(
        &index,
        r#"<a href="/compare/changes/">What changed</a> lists every claim whose level changed"#,
    );
    assert_has(
        &index,
        r#"The latest: 2 claims on <time datetime="2025-06-01">June 1, 2025</time>."#,
    );
    assert_has(
        &site.read("sitemap.xml"),
        "<loc>https://example.org/compare/changes/</loc>",
    );
    // The JSON export carries the history; the CSV keeps its columns.
    let json: serde_json::Value = serde_json::from_str(&site.read("compare/matrix.json")).unwrap();
    let history = &json["areas"][0]["features"][0]["cells"]["aks"]["history"];
    assert_eq!(history[0]["date"], "2025-06-01");
    assert_eq!(history[0]["support"], "addon");
    assert_eq!(history[1]["support"], "none");
    assert!(
        site.read("compare/matrix.csv")
            .starts_with("area,feature_id,feature,group,provider,support,note,docs,verified\n")
    );
}

#[test]
fn the_changes_feed_has_one_entry_per_day_newest_first() {
    let site = site_with_history();
    site.build_ok();
    let feed: Feed = site
        .read("compare/changes/feed.xml")
        .parse()
        .expect("a valid Atom feed");
    assert_eq!(feed.title().as_str(), "What changed · Compare Fixture");
    assert_eq!(feed.updated().to_rfc3339(), "2025-06-01T00:00:00+00:00");
    let entries: Vec<(&str, &str, String)> = feed
        .entries()
        .iter()
        .map(|e| {
            (
                e.title().as_str(),
                e.links()[0].href(),
                e.updated().to_rfc3339(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "2 claims changed on June 1, 2025",
                "https://example.org/compare/changes/#2025-06-01",
                "2025-06-01T00:00:00+00:00".to_owned()
            ),
            (
                "1 claim changed on February 1, 2024",
                "https://example.org/compare/changes/#2024-02-01",
                "2024-02-01T00:00:00+00:00".to_owned()
            ),
        ]
    );
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids[0], "https://example.org/compare/changes/#2025-06-01");
    let content = feed.entries()[0].content().unwrap().value().unwrap();
    assert_has(
        content,
        r#"<a href="https://example.org/compare/storage/#storage-csi-driver">Block storage CSI driver</a>"#,
    );
    assert_has(content, "The EFS driver does not cover Azure-style shares.");
    // Relative links in notes become absolute: a feed has no page to be relative to.
    let older = feed.entries()[1].content().unwrap().value().unwrap();
    assert_has(
        older,
        r#"<a href="https://example.org/about/">in preview</a>"#,
    );
}

#[test]
fn a_site_without_history_says_so() {
    let site = TestSite::new("compare");
    site.build_ok();
    let page = site.read("compare/changes/index.html");
    assert_has(
        &page,
        "No claim of this comparison has changed since it was published",
    );
    assert!(!page.contains("<h2 id="));
    assert_has(&site.read("compare/index.html"), "None has changed yet.");
    let feed: Feed = site.read("compare/changes/feed.xml").parse().unwrap();
    assert!(feed.entries().is_empty());
    // The build's day when nothing changed yet.
    assert_eq!(feed.updated().to_rfc3339(), "2026-11-25T00:00:00+00:00");
}

#[test]
fn history_problems_are_reported_together_at_their_tokens() {
    let site = TestSite::new("compare");
    site.edit(
        STORAGE,
        "      verified: 2026-01-10\n",
        "      verified: 2026-01-10\n      history:\n        - date: 2025-13-01\n          support: adon\n          note: Typo.\n        - date: 2024-01-01\n          support: none\n        - date: 2023-01-01\n          support: manual\n          note: Own work.\n          because: reasons\n",
    );
    let errors = errors_of(&site);
    assert_has(
        &errors,
        "data/matrices/storage.yaml:22:17: error: malformed date `2025-13-01`: expected YYYY-MM-DD",
    );
    assert_has(
        &errors,
        "data/matrices/storage.yaml:23:20: error: unknown support level `adon`: expected one of default, option, addon, manual, none, not-applicable, unknown",
    );
    assert_has(&errors, "did you mean `addon`?");
    assert_has(
        &errors,
        "data/matrices/storage.yaml:25:9: error: missing `note`: one sentence on why the level changed",
    );
    assert_has(
        &errors,
        "data/matrices/storage.yaml:30:11: error: unknown key `because` in a history entry (known: date, support, note, docs)",
    );
    assert_has(&errors, "build failed: 4 error(s)");
}

#[test]
fn a_change_that_changed_nothing_is_an_error() {
    let site = TestSite::new("compare");
    site.edit(
        STORAGE,
        "      verified: 2026-01-10\n",
        "      verified: 2026-01-10\n      history:\n        - {date: 2025-06-01, support: default, note: Same as now.}\n",
    );
    assert_has(
        &errors_of(&site),
        "data/matrices/storage.yaml:22:39: error: history entry of 2025-06-01 says the level was `default`, which is the cell's current level: nothing changed",
    );
}

#[test]
fn the_freshness_line_spans_the_shown_claims_and_counts_the_stale() {
    let site = TestSite::new("compare");
    site.write(
        "content/posts/2023-08-12-fresh.md",
        "---\ntitle: Fresh\n---\n{{ matrix(\"storage\", features=[\"csi-driver\"], providers=[\"aks\"]) }}\n",
    );
    site.build_ok();
    // Mixed days, one claim (EKS's CSI driver, 2023-08-11) more than 365 days before the build.
    let freshness = r#"<p class="matrix-freshness">Claims checked between <time datetime="2023-08-11">2023-08-11</time> and <time datetime="2026-01-10">2026-01-10</time>; 1 older than a year.</p>"#;
    let area = site.read("compare/storage/index.html");
    assert_has(&area, freshness);
    let post = site.read(POST);
    assert_has(&post, freshness);
    // Only the stale cell carries the per-cell mark.
    assert!(cell(&area, "storage-csi-driver", 0).contains("matrix-stale"));
    assert!(!cell(&area, "storage-csi-driver", 1).contains("matrix-stale"));
    assert_eq!(area.matches("matrix-stale").count(), 1);
    // One day, nothing stale: "on", no count.
    assert_has(
        &site.read("2023/08/12/fresh/index.html"),
        r#"<p class="matrix-freshness">Claims checked on <time datetime="2026-01-10">2026-01-10</time>.</p>"#,
    );
    // No verified day among the shown claims: no line.
    let extras = &post[post.find(r#"id="matrix-extras-only-eks""#).unwrap()..];
    assert!(!extras.contains("matrix-freshness"));
}

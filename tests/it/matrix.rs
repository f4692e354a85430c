use crate::harness::TestSite;

const POST: &str = "2023/08/11/storage/index.html";

/// The `<figure>` of the table whose id is `anchor`.
fn figure<'a>(html: &'a str, anchor: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{anchor}""#))
        .unwrap_or_else(|| panic!("no table {anchor} in\n{html}"));
    let end = html[start..].find("</figure>").unwrap() + start;
    &html[start..end]
}

/// The feature ids of a table's rows, in order.
fn rows(table: &str, anchor: &str) -> Vec<String> {
    let marker = format!(r#"<tr id="{anchor}-"#);
    table
        .match_indices(&marker)
        .map(|(i, _)| {
            let rest = &table[i + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn embedded_tables_are_accessible_html() {
    let site = TestSite::new("compare");
    site.build_ok();
    let post = site.read(POST);
    let table = figure(&post, "matrix-storage");
    assert!(table.contains(r#"<caption id="matrix-storage-caption">Disk storage</caption>"#));
    assert!(
        table.contains(r#"role="region" aria-labelledby="matrix-storage-caption" tabindex="0""#)
    );
    assert!(table.contains(
        r#"<th scope="col"><abbr title="Amazon Elastic Kubernetes Service">EKS</abbr></th>"#
    ));
    assert!(table.contains(r#"<th scope="row">Block storage CSI driver"#));
    assert!(table.contains(r#"<th scope="colgroup" colspan="3">Drivers</th>"#));
    // The level as text beside a symbol hidden from screen readers, never colour alone.
    assert!(table.contains(r#"<td class="support support-addon" data-label="EKS"><span class="support-symbol" aria-hidden="true">⊕</span> <span class="support-text">Add-on</span>"#));
    assert!(table.contains("<dt><span class=\"support-symbol\" aria-hidden=\"true\">●</span> <span class=\"support-text\">Built in</span></dt><dd>on out of the box</dd>"), "legend");
    assert!(
        table
            .contains(r##"<a class="matrix-details" href="/compare/storage/#storage-csi-driver""##),
        "compact rows link to notes"
    );
    assert!(
        !table.contains("matrix-note"),
        "compact mode keeps notes on the area page"
    );
    assert!(
        table.contains("File shares, with &quot;quotes&quot;"),
        "names are escaped"
    );
    assert_eq!(
        rows(table, "matrix-storage"),
        ["csi-driver", "snapshots", "file-shares"]
    );
}

#[test]
fn differences_and_unique_selections() {
    let site = TestSite::new("compare");
    site.build_ok();
    let post = site.read(POST);
    let differences = figure(&post, "matrix-storage-differences");
    assert_eq!(
        rows(differences, "matrix-storage-differences"),
        ["csi-driver", "file-shares"]
    );
    assert!(differences.contains("Disk storage: where EKS and AKS differ</caption>"));
    assert!(
        differences.contains(
            r#"<span class="matrix-note">The EBS CSI driver is an add-on you enable.</span>"#
        ),
        "detailed mode"
    );
    assert!(differences.contains(r#"<a href="https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html" aria-label="docs.aws.amazon.com: ebs-csi (EKS source 1 for Block storage CSI driver)">docs.aws.amazon.com: ebs-csi</a>"#));
    let only_eks = figure(&post, "matrix-extras-only-eks");
    assert_eq!(
        rows(only_eks, "matrix-extras-only-eks"),
        ["terraform-module", "irsa"]
    );
    assert!(
        only_eks.contains("Only EKS has these</caption>"),
        "caption override"
    );
    let only_aks = figure(&post, "matrix-extras-only-aks");
    assert_eq!(rows(only_aks, "matrix-extras-only-aks"), ["free-tier"]);
    assert!(only_aks.contains("Extras: only on AKS</caption>"));
}

#[test]
fn embed_syntax_stays_literal_in_code() {
    let site = TestSite::new("compare");
    site.build_ok();
    let post = site.read(POST);
    assert!(post.contains(r#"<code>{{ matrix("storage") }}</code> stays as written."#));
    let block = post.find(r#"<code class="language-markdown">"#).unwrap();
    assert!(
        post[block..].contains("{{ matrix(&quot;storage&quot;) }}\n"),
        "fenced code keeps the call"
    );
    assert_eq!(post.matches("<figure class=\"matrix").count(), 4);
}

#[test]
fn the_same_table_from_a_template() {
    let site = TestSite::new("compare");
    site.edit(
        "layouts/page.html",
        "{{ page.content }}",
        "{{ page.content }}{{ matrix(\"extras\", providers=[\"aks\"]) }}",
    );
    site.write("content/about.md", "---\ntitle: About\n---\nHi.\n");
    site.build_ok();
    let about = site.read("about/index.html");
    let table = figure(&about, "matrix-extras-providers-aks");
    assert!(table.contains(">AKS</abbr></th></tr>") && !table.contains(">EKS</abbr>"));
}

#[test]
fn a_third_provider_needs_data_only() {
    let site = TestSite::new("compare");
    let providers = std::fs::read_to_string(site.root().join("data/providers.yaml")).unwrap();
    site.write(
        "data/providers.yaml",
        &format!("{providers}gke:\n  name: Google Kubernetes Engine\n  short: GKE\n"),
    );
    // Every feature now needs a GKE cell.
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("data/matrices/storage.yaml:8:3: error: feature `csi-driver` has no cell for provider `gke`"), "{}", run.stderr);
    for (file, ids) in [
        (
            "data/matrices/storage.yaml",
            vec!["csi-driver", "snapshots", "file-shares"],
        ),
        (
            "data/matrices/extras.yaml",
            vec!["terraform-module", "irsa", "free-tier"],
        ),
    ] {
        let mut text = std::fs::read_to_string(site.root().join(file)).unwrap();
        for id in ids {
            let at = text.find(&format!("id: {id}\n")).unwrap();
            let line_end = text[at..].find('\n').unwrap() + at + 1;
            text.insert_str(line_end, "    gke: manual\n");
        }
        site.write(file, &text);
    }
    site.build_ok();
    let post = site.read(POST);
    let table = figure(&post, "matrix-storage");
    assert!(
        table.contains(r#"<th scope="col"><abbr title="Google Kubernetes Engine">GKE</abbr></th>"#)
    );
    assert!(table.contains(r#"<td class="support support-manual" data-label="GKE">"#));
    assert!(table.contains(r#"colspan="4""#));
    // With three providers, `unique` means offered by one and by neither of the others.
    let only_eks = figure(&post, "matrix-extras-only-eks");
    assert_eq!(
        rows(only_eks, "matrix-extras-only-eks"),
        ["terraform-module", "irsa"]
    );
    assert!(site.read("compare/index.html").contains(">GKE</abbr>"));
}

#[test]
fn compare_pages_list_areas_counts_and_mentions() {
    let site = TestSite::new("compare");
    site.build_ok();
    let index = site.read("compare/index.html");
    assert!(index.contains(r#"<a href="/compare/storage/">Disk storage</a> <span class="compare-count">(3 features)</span>"#));
    let storage_at = index.find("/compare/storage/").unwrap();
    assert!(
        storage_at < index.find("/compare/extras/").unwrap(),
        "areas in `order`"
    );
    assert!(index.contains(r#"<li class="support-default"><span class="support-symbol" aria-hidden="true">●</span> Built in: 2</li>"#), "AKS: csi + snapshots");
    assert!(index.contains(r#"<a href="/compare/matrix.json">JSON</a>"#));
    let area = site.read("compare/storage/index.html");
    assert!(area.contains("<p>Block storage for <strong>persistent volumes</strong>.</p>"));
    assert!(area.contains(r#"<figure class="matrix matrix-detailed" id="storage">"#));
    assert!(
        area.contains(r#"<tr id="storage-csi-driver">"#),
        "area rows carry the feature id as anchor"
    );
    assert!(
        area.contains(r#"<a href="/2023/08/11/storage/">Storage compared</a>"#),
        "posts that embed the area"
    );
    assert!(!area.contains("Unrelated"));
}

#[test]
fn stale_claims_are_marked_and_warned() {
    let site = TestSite::new("compare");
    let run = site.build_ok();
    assert!(run.stderr.contains("data/matrices/storage.yaml:11:5: warning: 1 stale claim(s), verified more than 365 days ago (oldest 2023-08-11): eks/csi-driver\n"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("aks/csi-driver"),
        "verified 2026-01-10 is recent"
    );
    let area = site.read("compare/storage/index.html");
    assert!(area.contains(r#"<span class="matrix-stale">last verified <time datetime="2023-08-11">2023-08-11</time>; may be out of date</span>"#));
    site.edit(
        "site.yaml",
        "stale_after_days: 365",
        "stale_after_days: 5000",
    );
    let run = site.build_ok();
    assert!(!run.stderr.contains("stale"), "{}", run.stderr);
}

#[test]
fn exports_parse_back_to_the_same_data() {
    let site = TestSite::new("compare");
    site.build_ok();
    let json: serde_json::Value = serde_json::from_str(&site.read("compare/matrix.json")).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["providers"][0]["id"], "eks");
    let storage = &json["areas"][0];
    assert_eq!(storage["id"], "storage");
    let csi = &storage["features"][0];
    assert_eq!(csi["id"], "csi-driver");
    assert_eq!(csi["group"], "drivers");
    assert_eq!(csi["cells"]["aks"]["support"], "default");
    assert_eq!(
        csi["cells"]["aks"]["docs"][1],
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes/"
    );
    assert_eq!(csi["cells"]["eks"]["verified"], "2023-08-11");
    assert_eq!(json["support_levels"].as_array().unwrap().len(), 7);
    assert_eq!(json["support_levels"][5]["id"], "not-applicable");

    let csv_text = site.read("compare/matrix.csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "area",
            "feature_id",
            "feature",
            "group",
            "provider",
            "support",
            "note",
            "docs",
            "verified"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2 * 6, "one row per claim");
    let quoted = records
        .iter()
        .find(|r| &r[1] == "file-shares" && &r[4] == "aks")
        .unwrap();
    assert_eq!(&quoted[2], "File shares, with \"quotes\"");
    assert_eq!(&quoted[6], "Azure Files, through a storage account");
    // Every claim of the JSON is in the CSV, with the same level.
    for area in json["areas"].as_array().unwrap() {
        for feature in area["features"].as_array().unwrap() {
            for (provider, cell) in feature["cells"].as_object().unwrap() {
                let row = records
                    .iter()
                    .find(|r| r[1] == feature["id"] && &r[4] == provider.as_str())
                    .unwrap();
                assert_eq!(&row[5], cell["support"].as_str().unwrap());
            }
        }
    }
}

#[test]
fn matrix_errors_fail_the_build_with_positions() {
    let site = TestSite::new("compare");
    site.edit(
        "data/matrices/extras.yaml",
        "    eks: option",
        "    eks: opton",
    );
    site.edit(
        "content/posts/2023-08-11-storage.md",
        r#"matrix("extras", unique="aks")"#,
        r#"matrix("extra", unique="aks")"#,
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("data/matrices/extras.yaml:10:10: error: unknown support level `opton`: expected one of default, option, addon, manual, none, not-applicable, unknown"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `option`?"),
        "{}",
        run.stderr
    );
    site.edit(
        "data/matrices/extras.yaml",
        "    eks: opton",
        "    eks: option",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("content/posts/2023-08-11-storage.md:16:1: error: unknown matrix `extra`: did you mean `extras`?"), "{}", run.stderr);
}

#[test]
fn not_applicable_is_shown_but_never_counted_as_missing() {
    let site = TestSite::new("compare");
    let extras = std::fs::read_to_string(site.root().join("data/matrices/extras.yaml")).unwrap();
    site.write(
        "data/matrices/extras.yaml",
        &format!(
            "{extras}  - id: etcd-access\n    name: Direct access to etcd\n    eks: not-applicable\n    aks: not-applicable\n"
        ),
    );
    site.build_ok();
    let index = site.read("compare/index.html");
    assert!(
        index.contains(r#"<a href="/compare/extras/">Extras</a> <span class="compare-count">(3 features, 1 not applicable)</span>"#),
        "{index}"
    );
    assert!(index.contains(r#"<li class="support-not-applicable"><span class="support-symbol" aria-hidden="true">–</span> Not applicable: 1</li>"#));
    assert!(
        !index.contains("Not supported: 2"),
        "EKS's one `none` stays one: etcd is not scored as missing"
    );
    let area = site.read("compare/extras/index.html");
    assert!(area.contains(r#"<td class="support support-not-applicable" data-label="EKS">"#));
    let json: serde_json::Value = serde_json::from_str(&site.read("compare/matrix.json")).unwrap();
    let etcd = &json["areas"][1]["features"][3];
    assert_eq!(etcd["cells"]["eks"]["support"], "not-applicable");
}

/// Issue #14: the wording is the author's: a provider without `short` is headed by its name
/// (not its id in capitals), and one feature is one feature.
#[test]
fn headers_use_the_providers_name_and_counts_are_plural_only_when_plural() {
    let site = TestSite::new("compare");
    site.write(
        "data/providers.yaml",
        "postgres:\n  name: PostgreSQL\nmysql:\n  name: MySQL\n",
    );
    site.write(
        "data/matrices/storage.yaml",
        "title: Replication\nfeatures:\n  - id: logical\n    name: Logical replication\n    postgres: default\n    mysql: default\n",
    );
    site.write(
        "data/matrices/extras.yaml",
        "title: Extras\nfeatures:\n  - id: json\n    name: JSON columns\n    postgres: default\n    mysql: default\n  - id: cte\n    name: Recursive queries\n    postgres: default\n    mysql: option\n",
    );
    site.write(
        "content/posts/2023-08-11-storage.md",
        "---\ntitle: Storage compared\n---\n{{ matrix(\"storage\") }}\n",
    );
    site.build_ok();
    let index = site.read("compare/index.html");
    assert!(
        index.contains(r#"<th scope="col"><abbr title="MySQL">MySQL</abbr></th>"#),
        "{index}"
    );
    assert!(!index.contains("MYSQL"));
    assert!(
        index.contains(r#"<span class="compare-count">(1 feature)</span>"#),
        "{index}"
    );
    assert!(
        index.contains(r#"<span class="compare-count">(2 features)</span>"#),
        "{index}"
    );
}

/// The `<pre class="highlight" …>…</pre>` of `html`.
fn code_block(html: &str) -> &str {
    let start = html
        .find("<pre class=\"highlight\"")
        .expect("a highlighted block");
    let end = start + html[start..].find("</pre>").unwrap();
    &html[start..end]
}

#[test]
fn code_in_an_area_summary_gets_the_site_highlight_themes_as_in_posts() {
    let site = TestSite::new("compare");
    site.edit(
        "site.yaml",
        "stale_after_days",
        "highlight: {light: \"Solarized (light)\", dark: Nord}\nstale_after_days",
    );
    let code = "```rust\nfn main() { let answer: u32 = 42; println!(\"{answer}\"); }\n```\n";
    site.edit(
        "data/matrices/storage.yaml",
        "summary: Block storage for **persistent volumes**.",
        &format!(
            "summary: |\n  Block storage for **persistent volumes**.\n\n{}",
            code.lines().map(|l| format!("  {l}\n")).collect::<String>()
        ),
    );
    site.write(
        "content/posts/2023-09-02-code.md",
        &format!("---\ntitle: Code\n---\n{code}"),
    );
    site.build_ok();
    let post = site.read("2023/09/02/code/index.html");
    let area = site.read("compare/storage/index.html");
    assert_eq!(
        code_block(&area),
        code_block(&post),
        "the area's code is coloured as the posts' (by the site's themes)"
    );
}

use std::path::Path;
use std::process::Command;

use crate::harness::{Run, TestSite, write_png};

fn build(root: &Path, output: &Path) -> Run {
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output)
        .output()
        .expect("run versus")
        .into()
}

#[test]
fn the_repository_site_builds_with_its_series_post() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let run = build(root, &output);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Warnings are allowed (the series' claims date from 2023 and are flagged stale).
    assert!(!run.stderr.contains(": error:"), "{}", run.stderr);
    assert!(output.join("compare/index.html").is_file());
    // The review of 2026-12-02 is on the changes page, a renamed row among its changes.
    let changes = std::fs::read_to_string(output.join("compare/changes/index.html")).unwrap();
    assert!(changes.contains(r#"<h2 id="2026-12-02">"#));
    assert!(changes.contains(r#"href="/compare/encryption/#encryption-pv-encryption""#));
    assert!(changes.contains("Formerly the <code>irsa</code> row"));
    assert!(
        changes.contains(
            r#"<link rel="alternate" type="application/atom+xml" title="What changed · "#
        ),
        "the page's head names its feed"
    );
    let changes_feed: atom_syndication::Feed =
        std::fs::read_to_string(output.join("compare/changes/feed.xml"))
            .unwrap()
            .parse()
            .expect("the changes feed is valid Atom");
    let day = &changes_feed.entries()[0];
    assert_eq!(day.updated().to_rfc3339(), "2026-12-02T00:00:00+00:00");
    assert_eq!(
        day.links()[0].href(),
        "https://example.org/compare/changes/#2026-12-02"
    );
    let content = day.content().and_then(|c| c.value()).unwrap_or_default();
    assert!(
        content.contains("Persistent volumes encrypted at rest"),
        "{content}"
    );
    let post = std::fs::read_to_string(
        output.join("2023/08/11/are-all-kubernetes-clusters-created-equally/index.html"),
    )
    .unwrap();
    assert!(post.contains(r#"id="how-managed-is-the-managed-service""#));
    assert!(post.contains(r##"href="#which-one-to-choose""##));
    assert!(
        post.contains(r#"Updated <time datetime="2026-12-02">December 2, 2026</time>"#),
        "the revised post says when"
    );
    assert!(post.contains(r#"id="what-changed-since-the-first-version""#));
    assert!(post.contains(r#"<ul id="markdown-toc">"#));
    assert!(post.contains(r#"<code class="language-"#) && post.contains(r#"<span class="l"#));
    assert!(!post.contains("{:"), "no kramdown syntax leaks");
    assert!(output.join("about/index.html").is_file());
    let home = std::fs::read_to_string(output.join("index.html")).unwrap();
    assert!(home.contains("/2023/08/11/are-all-kubernetes-clusters-created-equally/"));
    // The series block, with the planned parts of the post's closing list.
    assert!(post.contains("Part 1 of 6 in"), "series block");
    assert!(post.contains(
        r#"<a href="/2026/12/02/identity-and-secrets-on-eks-and-aks/">Identity and secrets on EKS and AKS: who may call what</a>"#
    ));
    for planned in ["Logging", "Monitoring", "CI/CD", "Operators"] {
        assert!(
            post.contains(&format!(r#"<span class="series-title">{planned}</span>"#)),
            "planned part {planned}"
        );
    }
    for page in [
        "series/eks-vs-aks/index.html",
        "tags/index.html",
        "tags/aws/index.html",
        "categories/cloud/index.html",
        "authors/pieter-vincken/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    ] {
        assert!(output.join(page).is_file(), "{page}");
    }
    let feed = std::fs::read_to_string(output.join("feed.xml")).unwrap();
    let feed: atom_syndication::Feed = feed.parse().unwrap();
    assert_eq!(feed.entries().len(), 2);
    let first = feed
        .entries()
        .iter()
        .find(|e| e.title().as_str().starts_with("Are managed"))
        .unwrap();
    assert_eq!(first.updated().to_rfc3339(), "2026-12-02T00:00:00+00:00");
    for asset in ["style.css", "highlight.css"] {
        assert!(output.join(asset).is_file(), "{asset}");
    }
    // Works offline: no page loads anything from another host.
    for page in [&post, &home] {
        for needle in [
            "<script src=\"http",
            "<link rel=\"stylesheet\" href=\"http",
            "fonts.googleapis",
        ] {
            assert!(!page.contains(needle), "{needle}");
        }
    }
}

/// The series' first post as its author wrote it for Jekyll builds unchanged, with its anchors.
/// It lives outside the repository; without it there is nothing to check.
#[test]
fn the_seed_jekyll_post_builds_unchanged() {
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds/000_70c0da2e72b9d875.txt");
    let Ok(text) = std::fs::read_to_string(&seed) else {
        eprintln!("skipped: {} is not here", seed.display());
        return;
    };
    let site = TestSite::new("basic");
    site.write(
        "data/authors.yaml",
        "pieter_vincken:\n  name: Pieter Vincken\n",
    );
    site.write("site.yaml", "title: Seed\nbase_url: https://example.org\n");
    site.write("content/about.md", "---\ntitle: About\n---\n");
    for old in ["2023-08-11-first-post.md", "2023-09-01-second-post.md"] {
        std::fs::remove_file(site.root().join("content/posts").join(old)).unwrap();
    }
    site.write("layouts/base.html", "{% block main %}{% endblock %}");
    // The header image its front matter names, as the Jekyll site had it beside the post.
    write_png(
        &site
            .root()
            .join("static/img/2023-08-11-k8s-comparison-azure-aws/header.png"),
        1200,
        630,
    );
    site.write(
        "content/posts/2023-08-11-k8s-comparison-azure-aws.md",
        &text,
    );
    site.build_ok();
    let post = site.read("2023/08/11/k8s-comparison-azure-aws/index.html");
    for id in [
        "introduction",
        "the-use-case",
        "architectural-components-for-kuberentes-setup",
        "how-managed-is-the-managed-service",
        "auto-scaling-cluster-nodes",
        "encryption",
        "conclusion",
        "conclusion-1",
        "further-in-series",
    ] {
        assert!(post.contains(&format!(r#"id="{id}""#)), "heading id {id}");
    }
    assert!(post.contains(r#"<a href="https://be.linkedin.com/in/pieter-vincken-a94b5153" target="_blank" rel="noopener noreferrer">Pieter</a>"#));
    assert!(!post.contains("{:") && !post.contains("<!--"));
    assert!(post.contains("<h1>Are all Kubernetes clusters created equally?</h1>"));
}

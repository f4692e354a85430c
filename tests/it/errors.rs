use crate::harness::{TestSite, errors_of};

const POST: &str = "content/posts/2023-08-11-first-post.md";

#[test]
fn yaml_error_in_front_matter() {
    let site = TestSite::new("basic");
    site.edit(POST, "tags: [cloud, AWS]", "tags: [cloud, AWS");
    let stderr = errors_of(&site);
    assert!(
        stderr.contains("content/posts/2023-08-11-first-post.md:6:9: error: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at 5:7"),
        "{stderr}"
    );
    assert!(
        stderr.contains("6 | category: Cloud"),
        "the source line is shown: {stderr}"
    );
}

#[test]
fn yaml_error_in_data() {
    let site = TestSite::new("basic");
    site.write("data/authors.yaml", "ann:\n  name: Ann\n bob: [\n");
    let stderr = errors_of(&site);
    assert!(stderr.contains("data/authors.yaml:3:"), "{stderr}");
    assert!(stderr.contains("error: invalid YAML"), "{stderr}");
}

#[test]
fn unknown_layout_with_did_you_mean() {
    let site = TestSite::new("basic");
    site.edit(POST, "layout: post", "layout: psot");
    let stderr = errors_of(&site);
    assert!(
        stderr.contains("content/posts/2023-08-11-first-post.md:2:9: error: unknown layout `psot`: there is no layouts/psot.html"),
        "{stderr}"
    );
    assert!(stderr.contains("help: did you mean `post`?"), "{stderr}");
}

#[test]
fn template_syntax_error() {
    let site = TestSite::new("basic");
    site.edit("layouts/page.html", "{{ page.title }}", "{{ page.title }");
    let stderr = errors_of(&site);
    assert!(stderr.contains("layouts/page.html:2:"), "{stderr}");
    assert!(stderr.contains("syntax error"), "{stderr}");
}

#[test]
fn template_runtime_error_names_template_line_and_page() {
    let site = TestSite::new("basic");
    site.edit(
        "layouts/page.html",
        "{{ page.title }}",
        "{{ page.title | nosuchfilter }}",
    );
    let stderr = errors_of(&site);
    assert!(stderr.contains("layouts/page.html:2:"), "{stderr}");
    assert!(stderr.contains("nosuchfilter"), "{stderr}");
    assert!(
        stderr.contains("while rendering content/about.md"),
        "{stderr}"
    );
}

#[test]
fn unknown_author_id_warns() {
    // As on Jekyll, a post naming an author who is not in data/authors.yaml still builds.
    let site = TestSite::new("basic");
    site.edit(POST, "authors: [ann, bob]", "authors: [ann, bobb]");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/posts/2023-08-11-first-post.md:4:16: warning: unknown author `bobb`: not a key of data/authors.yaml"),
        "{}", run.stderr
    );
    assert!(run.stderr.contains("did you mean `bob`?"), "{}", run.stderr);
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(post.contains("bobb"), "the id stands in for the name");
}

#[test]
fn invalid_date() {
    let site = TestSite::new("basic");
    site.edit(
        "content/posts/2023-09-01-second-post.md",
        "date: 2023-09-01 10:30:00 +0200",
        "date: 2023-09-31",
    );
    let stderr = errors_of(&site);
    assert!(
        stderr.contains(
            "content/posts/2023-09-01-second-post.md:3:1: error: invalid date `2023-09-31`"
        ),
        "{stderr}"
    );
}

#[test]
fn link_to_a_missing_post() {
    let site = TestSite::new("basic");
    site.edit(
        "content/posts/2023-09-01-second-post.md",
        "2023-08-11-first-post.md",
        "2023-08-12-first-post.md",
    );
    let stderr = errors_of(&site);
    assert!(
        stderr.contains("content/posts/2023-09-01-second-post.md:8:9: error: link to a missing source file `2023-08-12-first-post.md`"),
        "{stderr}"
    );
}

#[test]
fn all_errors_of_a_stage_are_reported_together() {
    let site = TestSite::new("basic");
    site.edit(POST, "authors: [ann, bob]", "authors: [ann, bobb]");
    site.edit(POST, "layout: post", "layout: psot");
    site.edit(
        "content/posts/2023-09-01-second-post.md",
        "2023-08-11-first-post.md",
        "nope.md",
    );
    let stderr = errors_of(&site);
    assert!(stderr.contains("unknown author `bobb`"), "{stderr}");
    assert!(stderr.contains("unknown layout `psot`"), "{stderr}");
    site.edit(POST, "layout: psot", "layout: post");
    site.edit(POST, "authors: [ann, bobb]", "authors: [ann, bob]");
    site.edit(
        "layouts/page.html",
        "{{ page.title }}",
        "{{ page.title | nosuchfilter }}",
    );
    let stderr = errors_of(&site);
    assert!(stderr.contains("missing source file `nope.md`"), "{stderr}");
    assert!(stderr.contains("nosuchfilter"), "{stderr}");
    assert!(stderr.contains("build failed: 2 error(s)"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_2() {
    let site = TestSite::new("basic");
    let run = site.build(&["--no-such-flag"]);
    assert_eq!(run.code, 2);
    let run = site.build(&["--base-url", "example.org"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--base-url: error: base_url `example.org` must be an absolute http(s) URL"),
        "{}",
        run.stderr
    );
}

/// Liquid problems (with `liquid: true`) are errors at their line and column, in the post or
/// in the include file (with where it was included), all of them in one build.
#[test]
fn liquid_errors_in_posts_and_includes() {
    let site = TestSite::new("basic");
    let source = |path: &str| std::fs::read_to_string(site.root().join(path)).unwrap();
    site.write(
        "site.yaml",
        &format!("{}liquid: true\n", source("site.yaml")),
    );
    site.write("includes/box.html", "<div>\n{{ include.text }\n</div>\n");
    site.edit(
        POST,
        "## How managed is the managed service?",
        "{% include box.html text=\"hi\" %}\n\n## How managed is the managed service?",
    );
    let second = source("content/posts/2023-09-01-second-post.md");
    site.write(
        "content/posts/2023-09-01-second-post.md",
        &format!("{second}\nText {{% include boxx.html %}} and {{{{ page.title | upcase }}}}.\n"),
    );
    let stderr = errors_of(&site);
    assert!(
        stderr.contains(
            "includes/box.html:2:1: error: variable `{{ include.text }` is not closed with `}}`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: included from content/posts/2023-08-11-first-post.md:12:1"),
        "{stderr}"
    );
    let last_line = second.lines().count() + 2;
    assert!(
        stderr.contains(&format!(
            "content/posts/2023-09-01-second-post.md:{last_line}:6: error: no include `boxx.html` in includes/ (did you mean `box.html`?)"
        )),
        "{stderr}"
    );
}

#[test]
fn unknown_posts_and_paths_of_liquid_links_are_errors_at_their_tags() {
    let site = TestSite::new("basic");
    let source = |path: &str| std::fs::read_to_string(site.root().join(path)).unwrap();
    site.write(
        "site.yaml",
        &format!("{}liquid: true\n", source("site.yaml")),
    );
    let second = source("content/posts/2023-09-01-second-post.md");
    site.write(
        "content/posts/2023-09-01-second-post.md",
        &format!(
            "{second}\nSee {{% post_url 2023-08-11-frist-post %}}, {{% link nope.md %}}.\n\n{{% include_relative aside.txt %}}\n"
        ),
    );
    site.write("content/posts/aside.txt", "An aside\n{% if %}\n");
    let stderr = errors_of(&site);
    let line = second.lines().count() + 2;
    for expected in [
        format!(
            "content/posts/2023-09-01-second-post.md:{line}:5: error: `post_url`: no post `2023-08-11-frist-post` in content/posts/ (did you mean `2023-08-11-first-post`?)"
        ),
        format!(
            "content/posts/2023-09-01-second-post.md:{line}:43: error: `link`: no page, post or static file `nope.md`"
        ),
        "content/posts/aside.txt:2:1: error:".to_owned(),
        format!(
            "= help: included from content/posts/2023-09-01-second-post.md:{}:1",
            line + 2
        ),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

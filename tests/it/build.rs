use crate::harness::TestSite;

#[test]
fn writes_home_posts_pages_static_and_highlight_css() {
    let site = TestSite::new("basic");
    let run = site.build_ok();
    assert!(
        run.stdout
            // 3 from content/ and the home page; tags (index, 2 terms), categories
            // (index, 1), authors (index, 2) and 404.html from the blog; the search page.
            // Copied: the site's stylesheet and the built-in search.js.
            .starts_with("built 14 pages, copied 2 files into "),
        "{}",
        run.stdout
    );
    for file in [
        "index.html",
        "2023/08/11/first-post/index.html",
        "2023/09/01/second-post/index.html",
        "about/index.html",
        "css/site.css",
        "highlight.css",
    ] {
        assert!(
            site.root().join("public").join(file).is_file(),
            "{file} missing"
        );
    }
    let home = site.read("index.html");
    let newest = home.find("Second post").unwrap();
    let older = home.find("First post: the basics").unwrap();
    assert!(newest < older, "posts are listed newest first");
    assert!(
        home.contains(r#"<span class="rt">1 min, 13 words</span>"#),
        "reading time in listings: {home}"
    );
    assert!(home.contains(r#"<link rel="canonical" href="https://example.org/">"#));
    let css = site.read("highlight.css");
    assert!(css.contains(".highlight .l1 {") && css.contains(".highlight .d1 {"));
    assert!(css.contains("prefers-color-scheme: dark"));
}

#[test]
fn templates_get_site_page_authors_and_extra_keys() {
    let site = TestSite::new("basic");
    site.build_ok();
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(post.contains("<title>First post: the basics | Fixture Blog</title>"));
    assert!(post.contains(r#"<time datetime="2023-08-11">August 11, 2023</time>"#));
    assert!(post.contains(
        r#"<span class="author">Ann Example</span><span class="author">Bob Example</span>"#
    ));
    assert!(
        post.contains(r#"<a href="/tags/aws/">AWS</a>"#),
        "slugify filter"
    );
    assert!(
        post.contains(r#"<p class="series">k8s</p>"#),
        "unknown front matter keys reach templates"
    );
    assert!(
        post.contains("<footer>@fixture_blog</footer>"),
        "extra site.yaml keys reach templates"
    );
    let second = site.read("2023/09/01/second-post/index.html");
    assert!(
        second.contains(r#"<time datetime="2023-09-01T10:30:00+02:00">September 1, 2023</time>"#)
    );
    assert!(
        second.contains(r#"<span class="author">Ann Example</span>"#),
        "default authors"
    );
}

#[test]
fn heading_ids_follow_kramdown_gfm_and_are_unique() {
    let site = TestSite::new("basic");
    site.build_ok();
    let first = site.read("2023/08/11/first-post/index.html");
    assert!(first.contains(
        r#"<h2 id="how-managed-is-the-managed-service">How managed is the managed service?</h2>"#
    ));
    assert!(first.contains(r#"<h2 id="tables">Tables</h2>"#));
    assert!(
        first.contains(r#"<h2 id="tables-1">Tables</h2>"#),
        "duplicates get -1"
    );
    let second = site.read("2023/09/01/second-post/index.html");
    assert!(
        second.contains(r#"<h2 id="details">Details</h2>"#),
        "{{#custom-id}} wins"
    );
    assert!(
        second.contains(r#"<h2 id="1-über-café">1. Über café</h2>"#),
        "leading digits and non-ASCII kept"
    );
    // As Jekyll: `--` is typeset as an en dash, which is dropped; the spaces stay.
    assert!(
        second.contains(r#"<h2 id="c--rust-a--b">"#),
        "punctuation removed, hyphens not collapsed"
    );
}

#[test]
fn toc_marker_and_page_toc() {
    let site = TestSite::new("basic");
    site.build_ok();
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(!post.contains("{:toc}") && !post.contains("<li>TOC</li>"));
    let marker = post
        .find(r#"<ul id="markdown-toc">"#)
        .expect("toc marker replaced");
    let first_heading = post.find(r#"<h2 id="how-managed"#).unwrap();
    assert!(marker < first_heading);
    assert!(post.contains(r##"<nav class="page-toc"><ul><li><a href="#how-managed-is-the-managed-service">How managed is the managed service?</a></li>"##));
}

#[test]
fn kramdown_attribute_lists_become_attributes() {
    let site = TestSite::new("basic");
    site.build_ok();
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(post.contains(
        r#"<a href="https://example.com" target="_blank" rel="noopener noreferrer">external</a>"#
    ));
    assert!(post.contains(r#"<p class="note">A paragraph with a class.</p>"#));
    assert!(!post.contains("{:"), "no attribute list leaks as text");
}

#[test]
fn footnotes_tables_comments_and_code() {
    let site = TestSite::new("basic");
    site.build_ok();
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(post.contains(r#"<th style="text-align: center">EKS</th>"#));
    assert!(post.contains(r#"<td style="text-align: right">yes</td>"#));
    let reference = post
        .find(r##"<a href="#1">1</a>"##)
        .expect("footnote reference");
    let notes = post
        .find(r#"<section class="footnotes""#)
        .expect("footnotes at the end");
    assert!(reference < notes && post[notes..].contains("The footnote text."));
    assert!(
        !post.contains("TODO"),
        "HTML comments are kept out of the output"
    );
    assert!(post.contains(r#"<pre class="highlight" data-lang="rust" tabindex="0"><code class="language-rust"><span class="l3 lb d2">fn</span> "#));
    assert!(
        !post.contains("style=\"color"),
        "classes, not inline styles"
    );
    assert!(
        post.contains("&lt;not&gt; &amp; highlighted"),
        "unknown language: plain escaped code"
    );
}

#[test]
fn links_between_sources_resolve_to_urls() {
    let site = TestSite::new("basic");
    site.build_ok();
    let first = site.read("2023/08/11/first-post/index.html");
    assert!(first.contains(r##"<a href="/2023/09/01/second-post/#details">next part</a>"##));
    let about = site.read("about/index.html");
    assert!(about.contains(r#"<a href="/2023/08/11/first-post/">the first post</a>"#));
}

#[test]
fn base_url_with_a_path_prefixes_links() {
    let site = TestSite::new("basic");
    let run = site.build(&["--base-url", "https://user.github.io/blog/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = site.read("index.html");
    assert!(home.contains(r#"<a href="/blog/2023/09/01/second-post/">"#));
    assert!(home.contains(r#"<link rel="canonical" href="https://user.github.io/blog/">"#));
    let about = site.read("about/index.html");
    assert!(about.contains(r#"<a href="/blog/2023/08/11/first-post/">"#));
}

#[test]
fn permalink_pattern_from_site_yaml() {
    let site = TestSite::new("basic");
    site.edit(
        "site.yaml",
        "language: en",
        "language: en\npermalink: /:categories/:year/:month/:day/:title:output_ext",
    );
    site.build_ok();
    assert!(
        site.read("cloud/2023/08/11/first-post.html")
            .contains("First post")
    );
    assert!(
        site.read("2023/09/01/second-post.html")
            .contains("Second post")
    );
}

#[test]
fn drafts_only_with_the_flag() {
    let site = TestSite::new("basic");
    site.write(
        "content/posts/2023-10-01-draft.md",
        "---\ntitle: Unfinished\ndraft: true\n---\nSoon.\n",
    );
    site.build_ok();
    assert!(!site.root().join("public/2023/10/01/draft").exists());
    let run = site.build(&["--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site.read("2023/10/01/draft/index.html")
            .contains("Unfinished")
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let site = TestSite::new("basic");
    site.build_ok();
    let first = site.snapshot();
    site.build_ok();
    assert_eq!(first, site.snapshot());
}

#[test]
fn highlighted_code_is_reused_from_the_cache_and_equal_without_it() {
    let site = TestSite::new("basic");
    site.write("content/posts/2023-10-01-languages.md", LANGUAGES_POST);
    site.build_ok();
    let cached = site.snapshot();
    let entries = walkdir::WalkDir::new(site.root().join(".versus-cache/highlight"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(
        entries, 6,
        "one entry per highlighted block (rust and the five of the languages post; the unknown language is not cached)"
    );
    site.build_ok();
    assert_eq!(
        cached,
        site.snapshot(),
        "a build from the cache writes the same bytes"
    );
    let run = site.build(&["--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(cached, site.snapshot(), "and so does one without it");
}

/// Code blocks in five languages, for the cache tests.
const LANGUAGES_POST: &str = "---\ntitle: Languages\n---\n\n\
```python\ndef f(x):\n    return x + 1  # one\n```\n\n\
```yaml\nkey: [1, \"two\"]\n```\n\n\
```bash\necho \"$HOME\" > out.txt\n```\n\n\
```js\nconst a = `t${1}`;\n```\n\n\
```diff\n-old\n+new\n```\n";

/// Issue #16: versus's classes name the themes' colours, so a cache entry made for other
/// themes, or by a versus that wrote other markup for the same code, is never served.
#[test]
fn the_highlight_cache_serves_no_entry_of_other_themes_or_older_markup() {
    let site = TestSite::new("basic");
    site.write("content/posts/2023-10-01-languages.md", LANGUAGES_POST);
    site.build_ok();
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}highlight:\n  light: Solarized (light)\n  dark: Dracula\n"),
    );
    let pages = [
        "2023/08/11/first-post/index.html",
        "2023/10/01/languages/index.html",
    ];
    site.build_ok();
    let from_cache = pages.map(|page| site.read(page));
    let run = site.build(&["--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (page, cached) in pages.iter().zip(&from_cache) {
        assert_eq!(
            cached,
            &site.read(page),
            "other themes: {page} as without the cache"
        );
    }

    // An entry where versus 0's key put the rust block of the first post (the version, the
    // class style, the language, the code), as the markup before short classes was cached.
    let code = "fn main() { println!(\"hi\"); }\n";
    let mut hasher = blake3::Hasher::new();
    for part in [env!("CARGO_PKG_VERSION"), "versus", "rust", code] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let key = hasher.finalize().to_hex();
    let old = site.root().join(".versus-cache/highlight").join(&key[..2]);
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(
        old.join(&key[2..]),
        "<span class=\"hl-source hl-rust\">stale</span>",
    )
    .unwrap();
    site.build_ok();
    let post = site.read("2023/08/11/first-post/index.html");
    assert!(post.contains("println!"), "{post}");
    assert!(!post.contains("stale") && !post.contains("hl-"), "{post}");
}

/// Code edited away leaves no entry behind: the cache stays the size of the site's code.
#[test]
fn the_highlight_cache_drops_what_the_site_no_longer_has() {
    let site = TestSite::new("basic");
    let entries = || {
        walkdir::WalkDir::new(site.root().join(".versus-cache/highlight"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .count()
    };
    site.build_ok();
    assert_eq!(entries(), 1);
    let post = "content/posts/2023-08-11-first-post.md";
    site.edit(post, "fn main()", "fn start()");
    site.build_ok();
    assert_eq!(
        entries(),
        1,
        "the old block's entry is gone, the new one kept"
    );
    let run = site.build(&["-v"]);
    assert!(
        run.stderr.contains("code blocks from the cache 1"),
        "{}",
        run.stderr
    );
}

/// Issue #16: the classes of highlighted code name the site's themes' colours, so code in a
/// summary (before `<!-- more -->`, shown in listings) is marked up as on the post's own page,
/// for the themes of site.yaml, not the default ones.
#[test]
fn code_in_a_summary_gets_the_classes_of_the_site_themes() {
    let site = TestSite::bare("basic");
    std::fs::remove_dir_all(site.root().join("layouts")).unwrap();
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}highlight:\n  light: Solarized (light)\n  dark: Dracula\n"),
    );
    site.write(
        "content/posts/2023-10-02-code-first.md",
        "---\ntitle: Code first\n---\n\n```python\ndef f(x):\n    return x + 1  # one\n```\n\n<!-- more -->\n\nThe rest.\n",
    );
    site.build_ok();
    let post = site.read("2023/10/02/code-first/index.html");
    let start = post
        .find("<pre class=\"highlight\"")
        .expect("the code block");
    let block = &post[start..start + post[start..].find("</pre>").unwrap()];
    assert!(block.contains("<span class=\""), "{block}");
    let home = site.read("index.html");
    assert!(home.contains("post-item__summary"), "{home}");
    assert!(home.contains(block), "{block}\nnot in the listing:\n{home}");
}

/// The same for code in a series' summary (data/series.yaml), shown on the series page.
#[test]
fn code_in_a_series_summary_gets_the_classes_of_the_site_themes() {
    let site = TestSite::new("blog");
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}highlight:\n  light: Solarized (light)\n  dark: Dracula\n"),
    );
    let code = "```python\ndef f(x):\n    return x + 1  # one\n```\n";
    site.edit(
        "data/series.yaml",
        "  summary: Two clouds, one platform.",
        &format!(
            "  summary: |\n{}",
            code.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        ),
    );
    site.write(
        "content/posts/2023-05-01-code.md",
        &format!("---\ntitle: Code\n---\n\nSome code.\n\n{code}"),
    );
    site.build_ok();
    let post = site.read("2023/05/01/code/index.html");
    let start = post
        .find("<pre class=\"highlight\"")
        .expect("the code block");
    let block = &post[start..start + post[start..].find("</pre>").unwrap()];
    assert!(block.contains("<span class=\""), "{block}");
    let series = site.read("series/k8s/index.html");
    assert!(
        series.contains(block),
        "{block}\nnot on the series page:\n{series}"
    );
}

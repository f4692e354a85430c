//! Jekyll compatibility (issue #7): the posts of `tests/fixtures/jekyll/` built by versus give
//! what Jekyll 4.3 gave, as checked in under `tests/fixtures/jekyll/expected/` by `regen.sh`.
//!
//! Within `<main>` of each post page Jekyll wrote: the same output path, the heading ids in
//! order, every link's attributes, the ids, classes and styles of other elements (attribute
//! lists, raw HTML, includes), images and embeds, the visible text after normalising whitespace
//! and HTML serialisation, and the text of every code block (Rouge's and syntect's highlighting
//! spans differ; the code they show must not), and the markup around code (`code_markup: jekyll`).
//! `versus check` reports exactly the anchors that are broken on Jekyll too. Every test reports
//! all differences of all pages at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Node, Selector};
use versus::check::JsonFinding;

use crate::harness::{Run, TODAY, copy_tree};

/// The site's `baseurl` on Jekyll, the path of `base_url` on versus.
const BASE_PATH: &str = "/blog";

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jekyll")
}

/// The fixture assembled as a versus site: `versus/` at the root, `posts/` as `content/posts/`,
/// `includes/` and `static/` as they are.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let from = fixture();
        copy_tree(&from.join("versus"), root);
        copy_tree(&from.join("posts"), &root.join("content/posts"));
        copy_tree(&from.join("includes"), &root.join("includes"));
        copy_tree(&from.join("static"), &root.join("static"));
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    fn versus(&self, command: &str, args: &[&str]) -> Run {
        Command::new(env!("CARGO_BIN_EXE_versus"))
            .env("SOURCE_DATE_EPOCH", TODAY.to_string())
            .arg(command)
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run versus")
            .into()
    }

    /// Builds the site; a failed build fails the test with versus's messages.
    fn built() -> (Site, Run) {
        let site = Site::new();
        let run = site.versus("build", &[]);
        assert_eq!(
            run.code, 0,
            "versus build of the Jekyll fixture failed:\n{}",
            run.stderr
        );
        (site, run)
    }

    fn page(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root().join("public").join(path)).ok()
    }
}

/// The fixture assembled as the Jekyll site `regen.sh` builds: `jekyll/` at the root, `posts/`
/// as `_posts/`, `includes/` as `_includes/`, `static/` at the root.
pub fn jekyll_source(root: &Path) {
    let from = fixture();
    copy_tree(&from.join("jekyll"), root);
    copy_tree(&from.join("posts"), &root.join("_posts"));
    copy_tree(&from.join("includes"), &root.join("_includes"));
    copy_tree(&from.join("static"), root);
}

/// Every page of `expected/`, by its path under the output folder (`cloud/edge/2024/…html`).
pub fn expected_pages() -> BTreeMap<String, String> {
    let root = fixture().join("expected");
    let mut pages = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let path = entry.path().strip_prefix(&root).unwrap();
            let path = path.to_string_lossy().replace('\\', "/");
            pages.insert(path, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(
        pages.len() >= 5,
        "expected/ holds {} pages; run tests/fixtures/jekyll/regen.sh",
        pages.len()
    );
    pages
}

/// The fixture's post file a page of `expected/` was made from.
pub fn source_of(page: &str) -> String {
    let stem = page.rsplit('/').next().unwrap().trim_end_matches(".html");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(fixture().join("posts")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // YYYY-MM-DD- is 11 characters.
        if name.get(11..) == Some(&format!("{stem}.md")) {
            found.push(name);
        }
    }
    assert_eq!(found.len(), 1, "no single post for {page}: {found:?}");
    found.pop().unwrap()
}

/// For each page Jekyll wrote: (page, Jekyll's HTML, versus's HTML or None when missing).
fn pairs(site: &Site) -> Vec<(String, String, Option<String>)> {
    expected_pages()
        .into_iter()
        .map(|(path, jekyll)| {
            let ours = site.page(&path);
            (path, jekyll, ours)
        })
        .collect()
}

/// What one comparison looks at in `<main>` of a page.
pub type Facet = fn(ElementRef) -> Vec<String>;

/// Every facet the oracle is compared by, with what it is called in failures.
pub const FACETS: &[(&str, Facet)] = &[
    ("heading ids", headings),
    ("links (<a> attributes)", links),
    ("ids, classes and styles of elements", styled),
    ("images, embeds and abbreviations", embeds),
    ("visible text", visible_text),
    ("code blocks", code_blocks),
    ("code markup (code_markup: jekyll)", code_markup),
    ("definition and ordered lists", lists),
];

/// Runs `facet` on `<main>` of both outputs of every page and collects the pages where the two
/// differ, each shown as a diff (`-` Jekyll, `+` versus). Pages versus did not write are left to
/// [`every_post_page_is_written_where_jekyll_wrote_it`].
fn compare(what: &str, facet: Facet) {
    let (site, _) = Site::built();
    let failures = differences(&site.root().join("public"), "main", what, facet);
    assert!(
        failures.is_empty(),
        "{} of the Jekyll fixture's pages differ from Jekyll 4.3 in their {what}:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The pages of `expected/` where `facet` of Jekyll's `<main>` differs from that of the element
/// `content` (a CSS selector) of the page versus wrote at the same path under `public`, each
/// as a diff. Pages versus did not write are not compared.
pub fn differences(public: &Path, content: &str, what: &str, facet: Facet) -> Vec<String> {
    let mut failures = Vec::new();
    for (path, jekyll) in expected_pages() {
        let Ok(ours) = std::fs::read_to_string(public.join(&path)) else {
            continue;
        };
        let theirs = facet(main_of(&Html::parse_document(&jekyll), &path, "Jekyll"));
        let ours = Html::parse_document(&ours);
        let Some(mine) = ours.select(&sel(content)).next() else {
            failures.push(format!("{path} as built by versus has no `{content}`"));
            continue;
        };
        let mine = facet(mine);
        if theirs != mine {
            failures.push(format!(
                "{} ({path}): {what} differ (- Jekyll, + versus):\n{}",
                source_of(&path),
                diff(&theirs, &mine)
            ));
        }
    }
    failures
}

fn main_of<'a>(doc: &'a Html, path: &str, by: &str) -> ElementRef<'a> {
    doc.select(&sel("main"))
        .next()
        .unwrap_or_else(|| panic!("{path} as built by {by} has no <main>"))
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// A short unified diff of two lists of lines.
fn diff(old: &[String], new: &[String]) -> String {
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    let diff = similar::TextDiff::from_slices(&old, &new);
    let mut out = String::new();
    for group in diff.grouped_ops(1) {
        out.push_str("  @@\n");
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                out.push_str(&format!("  {sign} {}\n", change.value()));
            }
        }
    }
    out
}

/// Percent-decodes a URL, so `#r%C3%A9sum%C3%A9` and `#résumé` (the same link to a browser)
/// compare equal.
fn decode(url: &str) -> String {
    percent_encoding::percent_decode_str(url)
        .decode_utf8_lossy()
        .into_owned()
}

/// An element's start tag with [`attributes`]: `<a href="/x" target="_blank">`.
fn start_tag(element: ElementRef) -> String {
    let attrs = attributes(element);
    match attrs.is_empty() {
        true => format!("<{}>", element.value().name()),
        false => format!("<{} {attrs}>", element.value().name()),
    }
}

/// An element's attributes, sorted by name, URLs percent-decoded: `href="/x" target="_blank"`.
fn attributes(element: ElementRef) -> String {
    let mut attrs: Vec<(String, String)> = element
        .value()
        .attrs()
        .map(|(name, value)| {
            let value = if matches!(name, "href" | "src") {
                decode(value)
            } else {
                value.to_owned()
            };
            (name.to_owned(), value)
        })
        .collect();
    attrs.sort();
    attrs
        .iter()
        .map(|(name, value)| format!("{name}={value:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The visible text of an element on one line, whitespace collapsed, blocks separated by a space
/// (so `<th>a</th><th>b</th>` and `<th>a</th>\n<th>b</th>` read alike).
fn text_of(element: ElementRef) -> String {
    visible_text(element).join(" ")
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every heading, in order: `h2 id="verdict-1" | Verdict` (or `id=none` for a heading without).
fn headings(main: ElementRef) -> Vec<String> {
    main.select(&sel("h1, h2, h3, h4, h5, h6"))
        .map(|h| {
            let id = match h.value().attr("id") {
                Some(id) => format!("id={id:?}"),
                None => "id=none".to_owned(),
            };
            format!("{} {id} | {}", h.value().name(), text_of(h))
        })
        .collect()
}

/// Every link, in order, with all of its attributes and its text.
fn links(main: ElementRef) -> Vec<String> {
    main.select(&sel("a"))
        .map(|a| format!("{} {}", start_tag(a), text_of(a)))
        .collect()
}

/// Whether an element is markup of code highlighting, which may differ (Rouge's
/// `highlighter-rouge` wrappers and `language-*` classes against syntect's).
fn is_code_markup(element: ElementRef) -> bool {
    let e = element.value();
    matches!(e.name(), "pre" | "code")
        || e.classes()
            .any(|c| c == "highlight" || c == "highlighter-rouge" || c.starts_with("language-"))
        || is_code_markup_in_pre(element)
}

/// Whether an element is inside a `<pre>`.
fn is_code_markup_in_pre(element: ElementRef) -> bool {
    element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "pre")
}

/// Every element other than links and code markup that has an `id`, `class` or `style`, in
/// order: what attribute lists (`{: .lead #x}`, `{: name}` of a definition, `{:.no_toc}`), raw
/// HTML and includes set, the table of contents' `markdown-toc` and table alignments.
fn styled(main: ElementRef) -> Vec<String> {
    // Not the container itself: `<main>` on Jekyll, the theme's `.post-content` on an import.
    main.descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() != "a" && !is_code_markup(*e))
        .filter_map(|e| {
            let v = e.value();
            let mut parts = Vec::new();
            for name in ["id", "class", "style"] {
                if let Some(value) = v.attr(name) {
                    parts.push(format!("{name}={value:?}"));
                }
            }
            if parts.is_empty() {
                return None;
            }
            let text: String = text_of(e).chars().take(40).collect();
            Some(format!("<{} {}> {text}", v.name(), parts.join(" ")))
        })
        .collect()
}

/// Every image, embedded frame and abbreviation, with all attributes (Liquid's
/// `prepend: site.baseurl` lands in their `src`).
///
/// versus loads images after the first lazily (`images: lazy`), which Jekyll does not do: the
/// two attributes that adds are left out of the comparison, everything else must be Jekyll's.
fn embeds(main: ElementRef) -> Vec<String> {
    main.select(&sel("img, iframe, video, source, abbr"))
        .map(start_tag)
        .map(|tag| {
            tag.replace(r#" decoding="async""#, "")
                .replace(r#" loading="lazy""#, "")
        })
        .collect()
}

/// With `code_markup: jekyll` (set in the fixture's site.yaml), the markup around code as Jekyll
/// writes it: `div.language-x.highlighter-rouge > div.highlight > pre.highlight > code` for
/// fences, `figure.highlight > pre > code.language-x[data-lang]` for `{% highlight %}`, and
/// `code.language-plaintext.highlighter-rouge` inline. The token spans inside a block are left
/// out: Rouge and syntect split code differently.
fn code_markup(main: ElementRef) -> Vec<String> {
    main.descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| is_code_markup(*e) && e.value().name() != "span")
        .map(|e| {
            let inline = e.value().name() == "code" && !is_code_markup_in_pre(e);
            let text: String = match inline {
                true => text_of(e).chars().take(40).collect(),
                false => String::new(),
            };
            format!("{} {text}", start_tag(e))
        })
        .collect()
}

/// Every term and definition of definition lists, a definition with the elements right inside
/// it (kramdown leaves out the `<p>` of a definition with no blank line before it), and the start
/// tag of every ordered list (kramdown writes no `start`).
fn lists(main: ElementRef) -> Vec<String> {
    main.select(&sel("dl > dt, dl > dd, ol"))
        .map(|e| {
            let name = e.value().name();
            let text: String = text_of(e).chars().take(40).collect();
            match name {
                "ol" => start_tag(e),
                "dd" => {
                    let inside: Vec<&str> = e
                        .children()
                        .filter_map(ElementRef::wrap)
                        .map(|c| c.value().name())
                        .filter(|n| matches!(*n, "p" | "ul" | "ol" | "dl" | "pre" | "div"))
                        .collect();
                    format!("dd [{}] {text}", inside.join(" "))
                }
                _ => format!("{name} {text}"),
            }
        })
        .collect()
}

/// Elements whose start and end separate lines of visible text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The visible text outside code blocks, one line per block, whitespace collapsed: what a reader
/// sees, whatever the serialisation (`<br />` or `<br>`, entities or characters, line breaks).
fn visible_text(main: ElementRef) -> Vec<String> {
    fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
        match node.value() {
            // Line breaks in the source of a paragraph are spaces to a reader.
            Node::Text(text) => out.push_str(&text.text.replace(['\n', '\r'], " ")),
            Node::Element(e) => {
                if e.name() == "pre" {
                    out.push_str("\n[code block]\n");
                    return;
                }
                let block = BLOCKS.contains(&e.name());
                if block {
                    out.push('\n');
                }
                for child in node.children() {
                    walk(child, out);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    let mut text = String::new();
    for child in main.children() {
        walk(child, &mut text);
    }
    text.lines()
        .map(squash)
        .filter(|line| !line.is_empty())
        .collect()
}

/// The text of every code block (`<pre>`), in order, exactly (less trailing whitespace), each line
/// prefixed by the block's number: Liquid inside fences, `{% raw %}` and `{% highlight %}`.
fn code_blocks(main: ElementRef) -> Vec<String> {
    let mut out = Vec::new();
    for (i, pre) in main.select(&sel("pre")).enumerate() {
        let code: String = pre.text().collect();
        for line in code.trim_end().lines() {
            out.push(format!("[{}] {}", i + 1, line.trim_end()));
        }
    }
    out
}

#[test]
fn every_post_page_is_written_where_jekyll_wrote_it() {
    let (site, _) = Site::built();
    let missing: Vec<String> = pairs(&site)
        .into_iter()
        .filter(|(_, _, ours)| ours.is_none())
        .map(|(path, _, _)| format!("{} -> public/{path}", source_of(&path)))
        .collect();
    let mut written = Vec::new();
    for entry in walkdir::WalkDir::new(site.root().join("public")) {
        let entry = entry.unwrap();
        if entry.file_name() == "index.html" || !entry.path().to_string_lossy().ends_with(".html") {
            continue;
        }
        written.push(
            entry
                .path()
                .strip_prefix(site.root().join("public"))
                .unwrap()
                .display()
                .to_string(),
        );
    }
    assert!(
        missing.is_empty(),
        "versus did not write these posts where Jekyll's permalink /:categories/:year/:month/:day/:title.html puts them:\n  {}\nversus wrote these .html files (other than index.html): {written:?}",
        missing.join("\n  ")
    );
}

#[test]
fn the_unknown_author_is_a_warning_not_an_error() {
    // 2024-03-10-serverless-cold-starts.md names `author: jonas_v`, who is not in
    // data/authors.yaml: Jekyll does not care, versus builds and says so.
    let (_, run) = Site::built();
    assert!(
        run.stderr.contains("jonas_v") && run.stderr.contains("warning"),
        "no warning about the unknown author `jonas_v`:\n{}",
        run.stderr
    );
}

/// Found on a real Jekyll blog: authors given as Jekyll themes spell them in
/// `_data/authors.yml` (`first_name`, `last_name`) showed as their ids.
#[test]
fn an_author_with_first_and_last_name_shows_by_full_name() {
    let (site, _) = Site::built();
    let page = site
        .page("authors/lena/index.html")
        .expect("no page for author lena");
    let title = Html::parse_document(&page)
        .select(&sel("title"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    assert_eq!(title, "Lena Ortiz", "{page}");
}

#[test]
fn titles_equal_jekylls() {
    let (site, _) = Site::built();
    let title = |html: &str| {
        Html::parse_document(html)
            .select(&sel("title"))
            .next()
            .map(text_of)
            .unwrap_or_default()
    };
    let mut failures = Vec::new();
    for (path, jekyll, ours) in pairs(&site) {
        let Some(ours) = ours else { continue };
        let (theirs, mine) = (title(&jekyll), title(&ours));
        if theirs != mine {
            failures.push(format!(
                "{}: <title> Jekyll {theirs:?}, versus {mine:?}",
                source_of(&path)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn heading_ids_equal_jekylls() {
    compare("heading ids", headings);
}

#[test]
fn link_attributes_equal_jekylls() {
    compare("links (<a> attributes)", links);
}

#[test]
fn ids_classes_and_styles_equal_jekylls() {
    compare("ids, classes and styles of elements", styled);
}

#[test]
fn images_and_embeds_equal_jekylls() {
    compare("images, embeds and abbreviations", embeds);
}

#[test]
fn visible_text_equals_jekylls() {
    compare("visible text", visible_text);
}

#[test]
fn code_blocks_equal_jekylls() {
    compare("code blocks", code_blocks);
}

#[test]
fn code_markup_equals_jekylls() {
    compare("code markup (code_markup: jekyll)", code_markup);
}

#[test]
fn definition_and_ordered_lists_equal_jekylls() {
    compare("definition and ordered lists", lists);
}

/// A broken anchor: the post whose link it is, the fragment (decoded), the target page's site
/// path (without the base path).
type Anchor = (String, String, String);

/// The anchors broken on Jekyll: links in `<main>` of each page of `expected/` to a `#fragment`
/// that is no `id` on the page they point to (itself or another post).
fn broken_on_jekyll() -> BTreeSet<Anchor> {
    let pages = expected_pages();
    let ids: BTreeMap<String, BTreeSet<String>> = pages
        .iter()
        .map(|(path, html)| {
            let doc = Html::parse_document(html);
            let ids = doc
                .select(&sel("[id]"))
                .map(|e| e.value().attr("id").unwrap().to_owned())
                .collect();
            (format!("/{path}"), ids)
        })
        .collect();
    let mut broken = BTreeSet::new();
    for (path, html) in &pages {
        let doc = Html::parse_document(html);
        let here = format!("/{path}");
        for a in main_of(&doc, path, "Jekyll").select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap();
            if href.starts_with("http://") || href.starts_with("https://") {
                continue;
            }
            let (target, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if target.is_empty() {
                here.clone()
            } else {
                let target = target.strip_prefix(BASE_PATH).unwrap_or_else(|| {
                    panic!("{path}: link {href} is not under the base path {BASE_PATH}")
                });
                // `/queue%20basics/…` is the folder `queue basics/`.
                decode(target)
            };
            let Some(target_ids) = ids.get(&target) else {
                panic!("{path}: link {href} points to a page Jekyll did not write")
            };
            let fragment = decode(fragment);
            if !fragment.is_empty() && !target_ids.contains(&fragment) {
                broken.insert((source_of(path), fragment, target));
            }
        }
    }
    broken
}

#[test]
fn check_reports_exactly_the_anchors_broken_on_jekyll() {
    let truth = broken_on_jekyll();
    // The fixture breaks some on purpose; if none were found, this test would prove nothing.
    assert!(truth.len() >= 5, "too few broken anchors: {truth:?}");

    let site = Site::new();
    let run = site.versus("check", &["--format", "json"]);
    let findings: Vec<JsonFinding> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let mut reported = BTreeSet::new();
    let mut other_errors = Vec::new();
    for f in &findings {
        if f.kind != "broken-anchor" {
            if f.severity == "error" {
                other_errors.push(format!(
                    "{}:{}:{}: {} [{}]",
                    f.path, f.line, f.col, f.message, f.kind
                ));
            }
            continue;
        }
        // "broken anchor `LINK`: no id `FRAGMENT` on PATH"
        let fragment = f
            .message
            .split_once("no id `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(fragment, _)| decode(fragment))
            .unwrap_or_else(|| panic!("unexpected message: {}", f.message));
        let (_, target) = f
            .message
            .rsplit_once(" on ")
            .unwrap_or_else(|| panic!("unexpected message: {}", f.message));
        let target = target.strip_prefix(BASE_PATH).unwrap_or(target).to_owned();
        let post = f.path.rsplit('/').next().unwrap().to_owned();
        reported.insert((post, fragment, target));
    }
    let show = |set: &BTreeSet<Anchor>| {
        set.iter()
            .map(|(post, fragment, target)| format!("  {post}: #{fragment} on {target}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let missed: BTreeSet<_> = truth.difference(&reported).cloned().collect();
    let extra: BTreeSet<_> = reported.difference(&truth).cloned().collect();
    assert!(
        missed.is_empty() && extra.is_empty() && other_errors.is_empty(),
        "versus check differs from Jekyll's broken anchors.\nbroken on Jekyll, not reported:\n{}\nreported, not broken on Jekyll:\n{}\nother errors (Jekyll has none):\n  {}\n(exit {}; stderr: {})",
        show(&missed),
        show(&extra),
        other_errors.join("\n  "),
        run.code,
        run.stderr.trim()
    );
    assert_eq!(run.code, 1, "check must exit 1 on broken anchors");
}

/// The oracle cannot go stale silently: when Jekyll is installed, regenerating it gives the
/// checked-in pages byte for byte.
#[test]
fn expected_is_what_jekyll_makes_of_the_fixture() {
    if Command::new("jekyll").arg("--version").output().is_err() {
        // CI installs Jekyll (.ci/run), so there the oracle is always checked.
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "jekyll missing: CI must install Debian's jekyll: see .ci/run"
        );
        eprintln!("skipped: jekyll is not on PATH, so expected/ was not regenerated");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let pages = out.path().join("expected");
    let status = Command::new("sh")
        .arg(fixture().join("regen.sh"))
        .arg(&pages)
        .status()
        .expect("run regen.sh");
    assert!(status.success(), "regen.sh failed");
    let mut fresh = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&pages) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let path = entry.path().strip_prefix(&pages).unwrap();
            fresh.insert(
                path.to_string_lossy().replace('\\', "/"),
                std::fs::read_to_string(entry.path()).unwrap(),
            );
        }
    }
    let checked_in = expected_pages();
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        checked_in.keys().collect::<Vec<_>>(),
        "Jekyll writes other pages than expected/ holds: run tests/fixtures/jekyll/regen.sh"
    );
    for (path, html) in &fresh {
        if html != &checked_in[path] {
            let old: Vec<String> = checked_in[path].lines().map(str::to_owned).collect();
            let new: Vec<String> = html.lines().map(str::to_owned).collect();
            panic!(
                "expected/{path} is stale (- checked in, + Jekyll now); run tests/fixtures/jekyll/regen.sh:\n{}",
                diff(&old, &new)
            );
        }
    }
}

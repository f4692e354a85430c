//! The six fuzz targets: how each builds an input and which public entry points of versus
//! it drives with it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::json;
use versus::check::{self, CheckOptions, Outputs};
use versus::config::{self, Config, Overrides};
use versus::data::DataFile;
use versus::page::{self, Page, PageKind};
use versus::pipeline::{self, BuildOptions};
use versus::write::{Sink, WriteError};
use versus::{compare, liquid, markdown, matrix, table, yaml};

use super::grammar::{self, Corpus, NOISE};
use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Front matter and page resolution (`page::parse_with`), now and then with a fuzzed
    /// site.yaml (`config::from_source`).
    FrontMatter,
    /// Markdown with kramdown syntax (`markdown::render`), code highlighting included.
    Markdown,
    /// Liquid parse and render (`liquid::Env::new`, `liquid::expand`).
    Liquid,
    /// Providers and matrix areas (`matrix::load`), then their tables and exports.
    Matrices,
    /// Pages built in memory and checked (`pipeline::prepare`, `render_pages`, `check::run`).
    Check,
    /// Two versions of a cited documentation page compared (`check::source_change`): the main
    /// text of hostile HTML, and the summary of what changed.
    Sources,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::FrontMatter,
        Target::Markdown,
        Target::Liquid,
        Target::Matrices,
        Target::Check,
        Target::Sources,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::FrontMatter => "frontmatter",
            Target::Markdown => "markdown",
            Target::Liquid => "liquid",
            Target::Matrices => "matrices",
            Target::Check => "check",
            Target::Sources => "sources",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One input: files by site-relative path (`content/posts/2024-01-15-a.md`, `data/providers.yaml`,
/// `includes/note.html`, `body.md`), so a saved case reads like a small site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Case {
    pub parts: Vec<(String, String)>,
}

impl Case {
    fn one(path: &str, text: String) -> Case {
        Case {
            parts: vec![(path.to_owned(), text)],
        }
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|(_, t)| t.len()).sum()
    }
}

/// What every execution shares: the corpus, a site configuration, and for `check` a site folder
/// with settings, data and layouts (pages come from the input, in memory).
pub struct Context {
    pub corpus: Corpus,
    config: Config,
    site: Option<tempfile::TempDir>,
}

/// The repository, whose fixtures and content are the seed corpus.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

impl Context {
    pub fn new() -> Context {
        let repo = repo();
        let site_yaml = repo.join("tests/fixtures/sites/check/site.yaml");
        let text = std::fs::read_to_string(&site_yaml).expect("check fixture site.yaml");
        let config = config::from_source(&site_yaml, &text, &Overrides::default())
            .expect("check fixture site.yaml is valid");
        Context {
            corpus: Corpus::load(repo),
            config,
            site: None,
        }
    }

    /// The check fixture site with the basic fixture's layouts, in a scratch folder, made once.
    fn site_root(&mut self) -> &Path {
        self.site
            .get_or_insert_with(|| {
                let dir = tempfile::tempdir().expect("scratch folder");
                let fixtures = repo().join("tests/fixtures/sites");
                copy_tree(&fixtures.join("check"), dir.path());
                copy_tree(&fixtures.join("basic/layouts"), &dir.path().join("layouts"));
                dir
            })
            .path()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture");
        }
    }
}

/// The input of execution `index` of `target` under `seed`: half the time a fresh input from
/// the target's grammar, else a mutated seed (or mutated grammar output).
pub fn generate(target: Target, ctx: &Context, seed: u64, index: u64) -> Case {
    let mut rng = Rng::for_case(target.name(), seed, index);
    let corpus = &ctx.corpus;
    match target {
        Target::FrontMatter => front_matter_case(&mut rng, corpus),
        Target::Markdown => {
            let body = if rng.one_in(3) {
                {
                    let seed = body_of(rng.pick_ref::<String>(&corpus.content));
                    grammar::mutate(&mut rng, seed, &corpus.content)
                }
            } else {
                markdown_doc(&mut rng)
            };
            Case::one("body.md", maybe_mutate(&mut rng, body, &corpus.content))
        }
        Target::Liquid => liquid_case(&mut rng, corpus),
        Target::Matrices => matrices_case(&mut rng, corpus),
        Target::Check => check_case(&mut rng, corpus),
        Target::Sources => {
            let before = html_page(&mut rng);
            let after = if rng.one_in(2) {
                grammar::mutate(&mut rng, &before, &corpus.content)
            } else {
                html_page(&mut rng)
            };
            Case {
                parts: vec![("before.html".into(), before), ("after.html".into(), after)],
            }
        }
    }
}

fn maybe_mutate(rng: &mut Rng, text: String, donors: &[String]) -> String {
    if rng.one_in(3) {
        grammar::mutate(rng, &text, donors)
    } else {
        text
    }
}

/// The body of a content file (after its front matter), for seeds of body-only targets.
fn body_of(text: &str) -> &str {
    text.strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}

/// Runs one input through the target's entry points. Results are dropped: the oracle is that
/// this returns (no panic, no abort, no hang); errors are fine.
pub fn execute(target: Target, ctx: &mut Context, case: &Case) {
    match target {
        Target::FrontMatter => run_front_matter(ctx, case),
        Target::Markdown => {
            for (_, body) in &case.parts {
                run_markdown(body);
            }
        }
        Target::Liquid => run_liquid(case),
        Target::Matrices => run_matrices(ctx, case),
        Target::Check => run_check(ctx, case),
        Target::Sources => {
            let page = |name: &str| {
                case.parts
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or("", |(_, t)| t.as_str())
            };
            let (before, after) = (page("before.html"), page("after.html"));
            let _ = check::source_change(before, after);
            let _ = check::source_change(after, before);
            assert!(
                check::source_change(before, before).is_none(),
                "a page equals itself"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sources: documentation pages as providers publish them, and worse.

const HTML_TAGS: &[&str] = &[
    "main", "nav", "header", "footer", "aside", "div", "p", "h1", "h2", "h3", "h6", "li", "ul",
    "table", "tr", "td", "pre", "code", "span", "a", "br", "img", "script", "style", "title",
    "svg", "form", "button", "template", "noscript", "textarea", "iframe", "MAIN", "h7", "",
];

const HTML_TEXT: &[&str] = &[
    "Last updated: November 30, 2026",
    "KMS rotates the key once a year.",
    "2026-11-30T10:00:00Z",
    "10:42",
    "&amp; &lt;b&gt; &#x1F600; &bogus;",
    "é 😀 \u{0}",
    "<!-- a comment -->",
    "<![CDATA[ x ]]>",
    "</p></p></div>",
    "<p",
    "\"'",
    "1.28.3",
    "   \n\t  ",
];

fn html_page(rng: &mut Rng) -> String {
    let mut html = String::from(rng.pick(&["<!doctype html>", "", "<?xml version=\"1.0\"?>"]));
    html_nodes(rng, &mut html, 0);
    // Now and then a pile of unclosed tags, as broken pages have.
    if rng.one_in(10) {
        let tag = rng.pick(HTML_TAGS);
        html.push_str(&format!("<{tag}>").repeat(rng.below(3_000)));
        html_nodes(rng, &mut html, 4);
    }
    html
}

fn html_nodes(rng: &mut Rng, html: &mut String, depth: usize) {
    for _ in 0..=rng.size(6) {
        if depth > 5 || rng.one_in(3) {
            html.push_str(rng.pick(HTML_TEXT));
            continue;
        }
        let tag = rng.pick(HTML_TAGS);
        let attrs = rng.pick(&[
            "",
            " hidden",
            " aria-hidden=\"true\"",
            " role=\"main\"",
            " id=x",
            " class='a b'",
        ]);
        html.push_str(&format!("<{tag}{attrs}>"));
        html_nodes(rng, html, depth + 1);
        if !rng.one_in(5) {
            html.push_str(&format!("</{tag}>"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Front matter.

const DATES: &[&str] = &[
    "2024-01-15",
    "2024-01-15 10:20:30",
    "2024-01-15T10:20:30Z",
    "2024-01-15 10:20:30 +0200",
    "2024-01-15T10:20:30.123456789-14:00",
    "2024-02-30",
    "2023-02-29",
    "0000-01-01",
    "9999-12-31 23:59:59 +2359",
    "-0001-01-01",
    "2024-1-5",
    "2024-01-15T25:61:61",
    "2024-01-15 10:20:30 +9999",
    "yesterday",
    "1e9",
    "\"2024-01-15\"",
    "[2024-01-15]",
    "2024-01-15 é",
];

const FRONT_KEYS: &[&str] = &[
    "title",
    "date",
    "slug",
    "permalink",
    "layout",
    "tags",
    "categories",
    "category",
    "author",
    "authors",
    "draft",
    "comments",
    "toc",
    "description",
    "image",
    "published",
    "series",
    "summary",
    "excerpt",
    "lang",
    "é",
    "",
    "title ",
    "<<",
];

const SCALARS: &[&str] = &[
    "A title",
    "\"quoted: value\"",
    "'it''s'",
    "true",
    "yes",
    "no",
    "~",
    "null",
    "0",
    "-1",
    "1.5",
    "0x10",
    ".inf",
    "é 😀",
    "\"\\u00e9\\t\"",
    "|\n  block\n  text",
    ">-\n  folded\n  text",
    "[a, b]",
    "[]",
    "{a: 1}",
    "{}",
    "&anchor value",
    "*anchor",
    "!!str 12",
    "!!binary aGk=",
    "- a\n  - b",
    "\n  - one\n  - two",
    "\"unterminated",
    "[unclosed",
    "{{ liquid }}",
    "{% raw %}",
    "/:year/:month/:day/:slug/",
    "/:categories/:title:output_ext",
    "/a/../../b/",
    "//",
    "/é/😀/",
    "pretty",
    "post",
    "nope",
    "---",
    "...",
    "? complex\n: key",
];

fn front_matter_case(rng: &mut Rng, corpus: &Corpus) -> Case {
    let mut parts = Vec::new();
    if rng.one_in(8) {
        parts.push(("site.yaml".to_owned(), site_yaml(rng, corpus)));
    }
    let text = if rng.one_in(3) {
        {
            let seed = rng.pick_ref(corpus.content.as_slice());
            grammar::mutate(rng, seed, &corpus.content)
        }
    } else {
        front_matter_file(rng)
    };
    let name = post_path(rng);
    parts.push((name, maybe_mutate(rng, text, &corpus.content)));
    Case { parts }
}

fn post_path(rng: &mut Rng) -> String {
    let prefix = rng.pick(&[
        "2024-01-15-",
        "2024-13-45-",
        "9999-99-99-",
        "0000-00-00-",
        "2024-02-29-",
        "",
        "2024-01-15",
        "20240115-",
    ]);
    let stem = rng.pick(&[
        "a",
        "é-ü",
        "",
        "-",
        "..",
        "a b",
        "😀",
        "index",
        "a.b",
        "Hello_World",
    ]);
    if rng.one_in(4) {
        format!("content/{stem}.md")
    } else {
        format!("content/posts/{prefix}{stem}.md")
    }
}

fn front_matter_file(rng: &mut Rng) -> String {
    let mut text = String::new();
    if rng.one_in(10) {
        text.push('\u{feff}');
    }
    text.push_str(rng.pick(&["---\n", "---\r\n", "--- \n", "---", "\n---\n", "----\n"]));
    for _ in 0..rng.size(12) {
        let key = rng.pick(FRONT_KEYS);
        let value = if key == "date" && !rng.one_in(4) {
            (rng.pick(DATES)).to_owned()
        } else if rng.one_in(6) {
            grammar::words(rng)
        } else {
            (rng.pick(SCALARS)).to_owned()
        };
        let indent = if rng.one_in(15) { "  " } else { "" };
        text.push_str(&format!("{indent}{key}: {value}\n"));
        if rng.one_in(20) {
            text.push_str(rng.pick(NOISE));
        }
    }
    text.push_str(rng.pick(&["---\n", "---\r\n", "...\n", "", "---", "--- # end\n"]));
    text.push_str(&markdown_doc(rng));
    text
}

fn site_yaml(rng: &mut Rng, corpus: &Corpus) -> String {
    if rng.one_in(3) {
        return {
            let seed = rng.pick_ref(corpus.yaml.as_slice());
            grammar::mutate(rng, seed, &corpus.yaml)
        };
    }
    let mut text = String::new();
    let settings: &[(&str, &[&str])] = &[
        ("title", &["Blog", "é 😀", "\"\"", "[a]"]),
        (
            "base_url",
            &[
                "https://example.org",
                "https://example.org/blog/",
                "example.org",
                "https://",
                "http://é.org/a b",
                "ftp://x",
                "",
            ],
        ),
        (
            "permalink",
            &[
                "/:year/:month/:day/:slug/",
                "pretty",
                "date",
                "none",
                "ordinal",
                ":slug",
                "/:nope/",
                "/:categories/:title:output_ext",
                "",
            ],
        ),
        ("language", &["en", "", "é"]),
        ("authors", &["[ann]", "ann", "[]", "{a: b}"]),
        ("liquid", &["true", "false", "maybe"]),
        ("code_markup", &["versus", "jekyll", "rouge"]),
        (
            "paginate",
            &["0", "1", "-1", "1e99", "x", "18446744073709551616"],
        ),
        (
            "stale_after_days",
            &["365", "-1", "0", "9223372036854775807", "1.5"],
        ),
        (
            "highlight",
            &[
                "{ light: InspiredGitHub, dark: base16-ocean.dark }",
                "{ light: nope }",
                "x",
            ],
        ),
    ];
    for _ in 0..rng.size(10) {
        let (key, values) = rng.pick(settings);
        text.push_str(&format!("{key}: {}\n", rng.pick(values)));
    }
    text
}

fn run_front_matter(ctx: &Context, case: &Case) {
    let mut config = ctx.config.clone();
    let env = liquid::Env::new(json!({"title": "Blog"}), HashMap::new());
    for (path, text) in &case.parts {
        if path == "site.yaml" {
            match config::from_source(Path::new(path), text, &Overrides::default()) {
                Ok(fuzzed) => config = fuzzed,
                Err(_) => continue,
            }
            continue;
        }
        let kind = if path.starts_with("content/posts/") {
            PageKind::Post
        } else {
            PageKind::Page
        };
        let liquid = config.liquid.then_some(&env);
        if let Ok(page) = page::parse_with(Path::new(path), text.clone(), kind, &config, liquid) {
            let body = page.body();
            let _ = page::summary_source(body);
            let _ = page::word_count(body);
            let _ = page.is_future(config.today);
            let _ = page.text_offset(body.len());
            let _ = page.error_in_body(body.len(), "fuzz".into());
            let _ = page::output_file(&page.url);
            let _ = page.date.as_ref().map(|d| (d.to_rfc3339(), d.sort_key()));
        }
        let stem = Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let _ = page::split_dated_name(stem);
        let first_line = text.lines().find(|l| l.starts_with("date:")).unwrap_or("");
        let _ = page::PostDate::parse(first_line.trim_start_matches("date:").trim());
    }
}

// ---------------------------------------------------------------------------------------
// Markdown with kramdown syntax.

const LANGS: &[&str] = &[
    "sh",
    "bash",
    "shell",
    "console",
    "yaml",
    "yml",
    "rust",
    "json",
    "html",
    "js",
    "python",
    "go",
    "hcl",
    "terraform",
    "dockerfile",
    "diff",
    "text",
    "plaintext",
    "nope",
    "",
    "é",
    "c++",
    "{.x}",
];

const INLINE: &[&str] = &[
    "*em*",
    "**strong**",
    "_a_",
    "__b__",
    "`code`",
    "``a ` b``",
    "[link](/a/)",
    "[l](#intro)",
    "[r][ref]",
    "[ref]",
    "![img](/img/diagram.png)",
    "<https://example.org>",
    "[^1]",
    "[^note]",
    "\"double\"",
    "'single'",
    "it's",
    "--",
    "---",
    "...",
    "<<",
    ">>",
    "<span>x</span>",
    "<b markdown=\"1\">*x*</b>",
    "&copy;",
    "&nope;",
    "\\*",
    "$x$",
    "$$x$$",
    "~~del~~",
    "==hl==",
    "{:.cls}",
    "{: #id}",
    "{::nomarkdown}",
    "{::comment}c{:/comment}",
    "[a](2024-01-15-a.md#x)",
    "[b](../about.md)",
    "[c](<a b.md>)",
    "H~2~O",
    "x^2^",
    "*[HTML]",
    "\u{200b}",
    "<br>",
    "<!-- c -->",
];

fn inline(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..=rng.size(6) {
        if rng.one_in(2) {
            out.push_str(&grammar::words(rng));
        } else {
            out.push_str(rng.pick(INLINE));
        }
        out.push(' ');
    }
    if rng.one_in(30) {
        out.push_str(&grammar::long_line(rng));
    }
    out
}

fn ial(rng: &mut Rng) -> String {
    let mut out = String::from("{:");
    for _ in 0..=rng.size(3) {
        out.push(' ');
        out.push_str(rng.pick(&[
            ".class",
            "#id",
            "#é",
            "key=\"v\"",
            "key='v'",
            "key=v",
            "ref",
            ".a.b",
            "#",
            ".",
            "data-x=\"<&>\"",
            "style=\"x:y\"",
            "toc",
            "no_toc",
            "#dup",
            "class=\"x\"",
            "=",
            "\"",
        ]));
    }
    if !rng.one_in(10) {
        out.push('}');
    }
    out
}

fn block(rng: &mut Rng, depth: usize) -> String {
    match rng.below(16) {
        0 | 1 => format!(
            "{} {}{}\n",
            "#".repeat(1 + rng.below(7)),
            if rng.one_in(3) {
                "Duplicate"
            } else {
                "Heading é"
            },
            if rng.one_in(3) {
                format!(" {}", ial(rng))
            } else {
                String::new()
            },
        ),
        2 => format!(
            "{}\n{}\n",
            inline(rng),
            if rng.one_in(2) { "===" } else { "---" }
        ),
        3 => format!("{}\n", ial(rng)),
        4 => format!(
            "{{:{}: {}}}\n",
            rng.pick(&["ref", "a", "é", "", "toc"]),
            &ial(rng)[2..]
        ),
        5 => "* TOC\n{:toc}\n".to_owned(),
        6 => format!(
            "[^{}]: {}\n",
            rng.pick(&["1", "note", "é", "", "1"]),
            inline(rng)
        ),
        7 => format!(
            "<{tag}{attr}>\n{inner}\n</{tag}>\n",
            tag = rng.pick(&[
                "div", "details", "section", "span", "table", "pre", "script"
            ]),
            attr = rng.pick(&[
                "",
                " markdown=\"1\"",
                " markdown=\"span\"",
                " id=\"x\"",
                " class=\"a"
            ]),
            inner = if depth < 4 {
                block(rng, depth + 1)
            } else {
                inline(rng)
            },
        ),
        8 | 9 => {
            let fence = rng.pick(&["```", "~~~", "````", "```", "```"]);
            let lang = rng.pick(LANGS);
            let mut code = String::new();
            for _ in 0..=rng.size(8) {
                code.push_str(rng.pick(&[
                    "echo \"$HOME\" | grep -v '^#'",
                    "kubectl get pods -o yaml",
                    "key: [1, {a: b}]",
                    "fn main() { println!(\"é\"); }",
                    "{\"a\": [1, 2.5e3, null, \"\\u00e9\"]}",
                    "<div class=\"x\">&amp;</div>",
                    "$(( 1 << 62 ))",
                    "'unterminated",
                    "\t\tindented",
                    "{% raw %}{{ x }}{% endraw %}",
                    "",
                ]));
                code.push('\n');
            }
            if rng.one_in(25) {
                code.push_str(&grammar::long_line(rng));
                code.push('\n');
            }
            let close = if rng.one_in(12) { "" } else { fence };
            format!("{fence}{lang}\n{code}{close}\n")
        }
        10 => {
            let cols = 1 + rng.size(5);
            let row = |rng: &mut Rng| {
                let cells: Vec<String> = (0..cols).map(|_| inline(rng)).collect();
                format!("| {} |\n", cells.join(" | "))
            };
            let mut out = row(rng);
            let aligns: Vec<&str> = (0..cols)
                .map(|_| rng.pick(&["---", ":--", ":-:", "--:", "-"]))
                .collect();
            out.push_str(&format!("|{}|\n", aligns.join("|")));
            for _ in 0..rng.size(5) {
                out.push_str(&row(rng));
            }
            out
        }
        11 => {
            let marker = rng.pick(&["- ", "* ", "1. ", "> ", "+ ", ": ", "2) "]);
            let nest = grammar::depth(rng);
            let mut out = String::new();
            for level in 0..nest.min(3_000) {
                out.push_str(&"  ".repeat(level % 50));
                out.push_str(marker);
                out.push_str(&inline(rng));
                out.push('\n');
            }
            out
        }
        12 => format!(">{}\n", ">".repeat(grammar::depth(rng)) + &inline(rng)),
        13 => format!("{}\n: {}\n", inline(rng), inline(rng)),
        14 => format!(
            "*[{}]: {}\n[ref]: {} \"title\"\n",
            rng.pick(&["HTML", "é", "", "CSS"]),
            grammar::words(rng),
            rng.pick(&["/a/", "<b c>", "https://example.org/é", ""])
        ),
        _ => format!("{}\n", inline(rng)),
    }
}

fn markdown_doc(rng: &mut Rng) -> String {
    let mut doc = String::new();
    for _ in 0..=rng.size(14) {
        doc.push_str(&block(rng, 0));
        doc.push_str(rng.pick(&["\n", "\n", "", "\r\n", "\n\n"]));
        if rng.one_in(40) {
            doc.push_str(page::MORE_MARKER);
            doc.push('\n');
        }
    }
    doc
}

fn run_markdown(body: &str) {
    let resolve = |target: &str| (!target.contains('z')).then(|| format!("/{}/", target.len()));
    let expand = |source: &str, _heading: Option<&str>| {
        source
            .contains("matrix(")
            .then(|| Ok("<table><tr><td>x</td></tr></table>".to_owned()))
    };
    let code_markup = if body.len().is_multiple_of(2) {
        config::CodeMarkup::Versus
    } else {
        config::CodeMarkup::Jekyll
    };
    // Every third body is rendered under a base path, so raw HTML is rewritten too.
    let base_path = if body.len().is_multiple_of(3) {
        "/blog"
    } else {
        ""
    };
    // PNGs are wide (a picture with srcsets), JPEGs missing, others from elsewhere.
    let images = |src: &str| {
        if src.ends_with(".png") {
            return Some(Ok(markdown::ImageInfo {
                size: Some((1600, 900)),
                srcset: Some(format!("/_img/a-800w.png 800w, {src} 1600w")),
                webp_srcset: Some("/_img/a-800w.webp 800w".into()),
                column: 704,
            }));
        }
        src.ends_with(".jpg").then(|| Err(format!("no file {src}")))
    };
    let options = markdown::Options {
        resolve_source_link: Some(&resolve),
        expand_embed: Some(&expand),
        highlight_cache: None,
        palette: None,
        images: Some(&images),
        lazy_images: true,
        code_markup,
        base_path,
        relative_to: body.len().is_multiple_of(5).then_some("/posts/a/"),
    };
    let rendered = markdown::render(body, &options);
    let _ = rendered.html.len() + rendered.toc.len() + rendered.headings.len();
    let _ = markdown::unrewritten_root_links(body, "/blog");
    let first = body.lines().next().unwrap_or("");
    let _ = markdown::render_inline(first, base_path, code_markup);
    let _ = markdown::heading_id(first);
}

// ---------------------------------------------------------------------------------------
// Liquid.

const FILTERS: &[&str] = &[
    "upcase",
    "downcase",
    "capitalize",
    "size",
    "first",
    "last",
    "join: \", \"",
    "split: \",\"",
    "strip",
    "escape",
    "xml_escape",
    "markdownify",
    "slugify",
    "date: \"%Y-%m-%d\"",
    "date_to_xmlschema",
    "default: \"x\"",
    "plus: 1",
    "minus: 2",
    "times: 3",
    "divided_by: 0",
    "divided_by: 2",
    "divided_by: 0.0",
    "modulo: 0",
    "modulo: -3",
    "slice: 1",
    "slice: -2, 3",
    "slice: 99999999999",
    "truncate: 5",
    "truncate: 0",
    "truncate: -1",
    "truncatewords: 2",
    "replace: \"a\", \"b\"",
    "remove: \"é\"",
    "append: \"😀\"",
    "prepend: 1",
    "sort",
    "reverse",
    "uniq",
    "map: \"title\"",
    "where: \"a\", 1",
    "number_of_words",
    "relative_url",
    "absolute_url",
    "jsonify",
    "abs",
    "ceil",
    "floor",
    "round: 2",
    "at_least: 1",
    "at_most: 1",
    "nope",
    "plus:",
    "times: 1e308",
    "minus: -9223372036854775808",
    "url_encode",
    "cgi_escape",
    "newline_to_br",
];

fn expr(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => (rng.pick(&[
            "page.title",
            "site.title",
            "site.nav",
            "page.tags",
            "page.date",
            "forloop.index",
            "x",
            "item",
            "page.nope.deeper",
            "site.nav[0].title",
            "page[\"title\"]",
            "site.nav.size",
            "page.tags.first",
            "empty",
            "blank",
            "nil",
            "true",
            "false",
        ]))
        .to_owned(),
        1 => (rng.pick(&[
            "0",
            "-1",
            "1.5",
            "9223372036854775807",
            "-9223372036854775808",
            "1e400",
            "007",
        ]))
        .to_owned(),
        2 => format!("\"{}\"", rng.pick(&["", "é", "a\\\"b", "{{", "%}", "😀"])),
        3 => {
            let big = rng.pick(&["3", "10", "-5", "100000", "1000000000", "x", "page.n"]);
            let small = rng.pick(&["1", "0", "-3", "3", "\"a\""]);
            format!("({small}..{big})")
        }
        _ => (rng.pick(&["x", "item", "page.title", "site.nav"])).to_owned(),
    }
}

fn condition(rng: &mut Rng) -> String {
    let mut out = expr(rng);
    for _ in 0..rng.size(3) {
        out.push_str(rng.pick(&[
            " == ",
            " != ",
            " < ",
            " >= ",
            " contains ",
            " and ",
            " or ",
            " <> ",
        ]));
        out.push_str(&expr(rng));
    }
    out
}

fn output_tag(rng: &mut Rng) -> String {
    let mut out = String::from(rng.pick(&["{{ ", "{{- ", "{{"]));
    out.push_str(&expr(rng));
    for _ in 0..rng.size(4) {
        out.push_str(" | ");
        out.push_str(rng.pick(FILTERS));
    }
    out.push_str(rng.pick(&[" }}", " -}}", "}}", " }", ""]));
    out
}

fn tag(name: &str, rng: &mut Rng) -> String {
    let open = rng.pick(&["{% ", "{%- ", "{%"]);
    let close = rng.pick(&[" %}", " -%}", "%}"]);
    format!("{open}{name}{close}")
}

fn liquid_node(rng: &mut Rng, depth: usize) -> String {
    let inner = |rng: &mut Rng| {
        if depth > 5 {
            grammar::words(rng)
        } else {
            liquid_nodes(rng, depth + 1)
        }
    };
    match rng.below(15) {
        0 | 1 => grammar::words(rng),
        2 | 3 => output_tag(rng),
        4 => format!(
            "{}{}{}{}{}",
            tag(&format!("if {}", condition(rng)), rng),
            inner(rng),
            if rng.one_in(2) {
                tag(&format!("elsif {}", condition(rng)), rng)
            } else {
                String::new()
            },
            if rng.one_in(2) {
                tag("else", rng) + &inner(rng)
            } else {
                String::new()
            },
            tag("endif", rng)
        ),
        5 => format!(
            "{}{}{}",
            tag(&format!("unless {}", condition(rng)), rng),
            inner(rng),
            tag("endunless", rng)
        ),
        6 => format!(
            "{}{}{}{}",
            tag(
                &format!(
                    "for {} in {}{}",
                    rng.pick(&["item", "x", "forloop"]),
                    expr(rng),
                    rng.pick(&[
                        "",
                        " limit: 2",
                        " offset: 1",
                        " reversed",
                        " limit: -1",
                        " offset: 99999999999"
                    ])
                ),
                rng,
            ),
            inner(rng),
            if rng.one_in(3) {
                tag(rng.pick(&["break", "continue"]), rng)
            } else {
                String::new()
            },
            tag("endfor", rng)
        ),
        7 => format!(
            "{}{}{}",
            tag(
                &format!("capture {}", rng.pick(&["x", "item", "page", "é"])),
                rng
            ),
            inner(rng),
            tag("endcapture", rng)
        ),
        8 => tag(
            &format!(
                "assign {} = {}",
                rng.pick(&["x", "item", "site", ""]),
                output_tag(rng)
                    .trim_start_matches("{{")
                    .trim_end_matches("}}")
            ),
            rng,
        ),
        9 => format!(
            "{}{}{}",
            tag("raw", rng),
            rng.pick(&["{{ x }}", "{% if %}", "{% endraw", ""]),
            tag("endraw", rng)
        ),
        10 => format!(
            "{}{}{}",
            tag("comment", rng),
            inner(rng),
            tag("endcomment", rng)
        ),
        11 => tag(
            &format!(
                "include {}{}",
                rng.pick(&[
                    "note.html",
                    "figure.html",
                    "self.html",
                    "nope.html",
                    "../site.yaml",
                    "{{ x }}",
                    ""
                ]),
                rng.pick(&[
                    "",
                    " text=\"é\"",
                    " src=page.title",
                    " a=1 b=\"2\"",
                    " =",
                    " x="
                ])
            ),
            rng,
        ),
        12 => format!(
            "{}\n{}\n{}",
            tag(&format!("highlight {}", rng.pick(LANGS)), rng)
                .replace("highlight  ", "highlight "),
            rng.pick(&["echo hi", "a: [b]", "fn x() {}", "{\"a\":1}", ""]),
            tag("endhighlight", rng)
        ),
        13 => {
            let n = grammar::depth(rng);
            let open = rng.pick(&[
                "{% if true %}",
                "{% for x in (1..1) %}",
                "{% capture c %}",
                "{% unless false %}",
            ]);
            let close = match open {
                "{% if true %}" => "{% endif %}",
                "{% unless false %}" => "{% endunless %}",
                "{% capture c %}" => "{% endcapture %}",
                _ => "{% endfor %}",
            };
            format!("{}x{}", open.repeat(n), close.repeat(n))
        }
        _ => (rng.pick(NOISE)).to_owned(),
    }
}

fn liquid_nodes(rng: &mut Rng, depth: usize) -> String {
    (0..=rng.size(5)).map(|_| liquid_node(rng, depth)).collect()
}

fn liquid_case(rng: &mut Rng, corpus: &Corpus) -> Case {
    let body = if rng.one_in(4) {
        {
            let seed = body_of(rng.pick_ref::<String>(&corpus.content));
            grammar::mutate(rng, seed, &corpus.content)
        }
    } else {
        liquid_nodes(rng, 0)
    };
    let mut parts = vec![(
        "body.md".to_owned(),
        maybe_mutate(rng, body, &corpus.content),
    )];
    for name in ["includes/note.html", "includes/figure.html"] {
        parts.push((
            name.to_owned(),
            rng.pick_ref(corpus.includes.as_slice()).clone(),
        ));
    }
    let own = if rng.one_in(3) {
        "{% include self.html %}".to_owned()
    } else {
        liquid_nodes(rng, 3)
    };
    parts.push(("includes/self.html".to_owned(), own));
    Case { parts }
}

fn run_liquid(case: &Case) {
    let mut includes = HashMap::new();
    let mut body = "";
    for (path, text) in &case.parts {
        match path.strip_prefix("includes/") {
            Some(name) => {
                includes.insert(name.to_owned(), text.clone());
            }
            None => body = text,
        }
    }
    let site = json!({
        "title": "Blog é",
        "nav": [{"title": "Home", "url": "/"}, {"title": "About", "url": "/about/"}],
        "n": 3,
        "base_url": "https://example.org",
        "url": "https://example.org",
        "baseurl": "",
    });
    let env = liquid::Env::new(site, includes);
    let page = json!({
        "title": "A \"title\" é",
        "tags": ["a", "b", "😀"],
        "date": "2024-01-15T10:20:30+02:00",
        "n": 1000000000,
        "url": "/2024/01/15/a/",
    });
    if let Ok(expanded) = liquid::expand(body, &env, &page) {
        for output in [0, expanded.text.len() / 2, expanded.text.len()] {
            let _ = expanded.source_offset(output);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Matrices.

const SUPPORT: &[&str] = &[
    "default",
    "option",
    "addon",
    "preview",
    "partial",
    "none",
    "yes",
    "",
    "[default]",
    "Default",
];

fn matrices_case(rng: &mut Rng, corpus: &Corpus) -> Case {
    let providers = ["eks", "aks", "gke", "é", "eks"];
    let count = 1 + rng.below(3);
    let mut text = String::new();
    for id in providers.iter().take(count + usize::from(rng.one_in(5))) {
        text.push_str(&format!(
            "{id}:\n  name: {}\n  short: {}\n  vendor: V\n  home: {}\n",
            grammar::words(rng),
            rng.pick(&["EKS", "é", "", "[a]"]),
            rng.pick(&[
                "https://aws.amazon.com/eks/",
                "ftp://x",
                "",
                "https://é",
                "http://a b"
            ]),
        ));
        if rng.one_in(10) {
            text.push_str(rng.pick(NOISE));
        }
    }
    let mut parts = vec![(
        "data/providers.yaml".to_owned(),
        maybe_mutate(rng, text, &corpus.yaml),
    )];
    for area in 0..1 + rng.below(3) {
        let text = if rng.one_in(4) {
            {
                let seed = rng.pick_ref(corpus.yaml.as_slice());
                grammar::mutate(rng, seed, &corpus.yaml)
            }
        } else {
            matrix_area(rng, &providers[..count])
        };
        let name = rng.pick(&["storage", "net", "é", "a.b", "storage"]);
        parts.push((
            format!("data/matrices/{name}{area}.yaml"),
            maybe_mutate(rng, text, &corpus.yaml),
        ));
    }
    Case { parts }
}

fn matrix_area(rng: &mut Rng, providers: &[&str]) -> String {
    let mut text = format!(
        "title: {}\nsummary: {}\norder: {}\nfeatures:\n",
        grammar::words(rng),
        rng.pick(&["\"*Block* storage\"", ">-\n  A [link](/x/) é", "~", "[1]"]),
        rng.pick(&["1", "-1", "1.5", "x", "99999999999999999999"]),
    );
    for _ in 0..rng.size(8) {
        text.push_str(&format!(
            "  - id: {}\n    name: {}\n",
            rng.pick(&[
                "disk-types",
                "a",
                "é",
                "",
                "disk-types",
                "Upper Case",
                "x y"
            ]),
            grammar::words(rng)
        ));
        if rng.one_in(2) {
            text.push_str(&format!("    description: {}\n", grammar::words(rng)));
        }
        for provider in providers {
            if rng.one_in(8) {
                continue;
            }
            text.push_str(&format!(
                "    {provider}:\n      support: {}\n      note: {}\n",
                rng.pick(SUPPORT),
                grammar::words(rng)
            ));
            if rng.one_in(2) {
                text.push_str(&format!(
                    "      docs: {}\n",
                    rng.pick(&[
                        "https://kubernetes.io/docs/",
                        "\n        - https://a.example/\n        - https://b.example/x#y",
                        "[]",
                        "not a url",
                        "https://",
                    ])
                ));
            }
            if rng.one_in(2) {
                text.push_str(&format!("      verified: {}\n", rng.pick(DATES)));
            }
        }
    }
    text
}

fn run_matrices(ctx: &Context, case: &Case) {
    let files: Vec<DataFile> = case
        .parts
        .iter()
        .filter_map(|(path, text)| {
            let path = PathBuf::from(path);
            let value = yaml::parse_value(text, &path).ok()?;
            Some(DataFile {
                path,
                text: text.clone(),
                value,
            })
        })
        .collect();
    let Ok(matrices) = matrix::load(&files) else {
        return;
    };
    // A data/strings.yaml among the files replaces built-in strings; a bad one is reported.
    let strings = versus::strings::load(&ctx.config.language, &files).unwrap_or_default();
    let _ = compare::json(&matrices, &strings);
    let _ = compare::csv(&matrices);
    let _ = compare::index_html(&matrices, &ctx.config, &strings);
    let first_provider = matrices.providers.first().map(|p| p.id.clone());
    for area in &matrices.areas {
        let selections = [
            matrix::Selection::default(),
            matrix::Selection {
                differences: true,
                unique: first_provider.clone(),
                providers: first_provider.clone().map(|p| vec![p]),
                features: Some(area.features.iter().rev().map(|f| f.id.clone()).collect()),
            },
        ];
        for selection in &selections {
            if let Ok(view) = matrices.select(&area.id, selection) {
                for mode in [table::Mode::Compact, table::Mode::Detailed] {
                    let options = table::TableOptions {
                        mode,
                        caption: None,
                        details_url: Some(compare::area_path(&area.id)),
                        stale: Some(table::Staleness::of(&ctx.config)),
                        anchor: area.id.clone(),
                        base_path: ctx.config.base_path.clone(),
                        code_markup: ctx.config.code_markup,
                        heading: Some(area.title.clone()),
                    };
                    let _ = table::render(&view, &matrices, &options, &strings);
                }
            }
        }
        let options = table::TableOptions::default();
        let _ = compare::area_html(area, &matrices, &options, &[], &ctx.config, &strings, None);
    }
}

// ---------------------------------------------------------------------------------------
// Check over built pages.

/// Posts of the generated site, so their links can point at each other.
const POST_NAMES: &[&str] = &[
    "content/posts/2024-03-02-two-clouds.md",
    "content/posts/2024-04-01-follow-up.md",
    "content/posts/2024-05-05-é.md",
];

const CHECK_BITS: &[&str] = &[
    "[intro](#introduction)",
    "[todo](#TODO)",
    "[empty](#)",
    "![d](/img/diagram.png)",
    "![n](/img/nope.png)",
    "[n](/nowhere/)",
    "[f](2024-04-01-follow-up.md#dissks)",
    "[f](2024-03-02-two-clouds.md)",
    "[é](2024-05-05-é.md#é)",
    "[a](../about.md)",
    "[x](https://example.org/x)",
    "[m](mailto:a@b)",
    "[j](javascript:alert(1))",
    "[c](/compare/storage/)",
    "[t](/tags/kubernetes/)",
    "[p](//cdn.example/x)",
    "[q](?q=1#a)",
    "[s](/%20é/)",
    "<a href=\"/a/#b\">a</a>",
    "<img src='/img/x.png'>",
    "<span id=\"x\"></span>",
    "<a name=\"y\"></a>",
    "href=\"/in/prose/\"",
    "Set \"a\"=\"b\" in the file.",
    "id=é\"",
    "href=",
    "href=\"",
    "src= 'é",
    " name=\"😀\"",
    "TODO",
    "FIXME: later",
    "TBD",
    "#TODO",
    "<!-- TODO: x -->",
    "Lorem ipsum dolor sit amet",
    "XXX",
    "`href=\"/code/\"`",
];

fn check_case(rng: &mut Rng, corpus: &Corpus) -> Case {
    let mut parts = Vec::new();
    for name in POST_NAMES.iter().take(1 + rng.below(POST_NAMES.len())) {
        let mut text = format!(
            "---\ntitle: {}\ntags: [kubernetes]\n---\n",
            rng.pick(&["Two clouds", "é 😀", "\"q\""])
        );
        if rng.one_in(4) {
            text.push_str(&{
                let seed = body_of(rng.pick_ref::<String>(&corpus.content));
                grammar::mutate(rng, seed, &corpus.content)
            });
        } else {
            for _ in 0..=rng.size(12) {
                match rng.below(6) {
                    0 => text.push_str(&format!(
                        "{} {}\n\n",
                        "#".repeat(1 + rng.below(6)),
                        rng.pick(&["Introduction", "Storage", "Disks", "é", "TODO", "Wrap-up"])
                    )),
                    1 => text.push_str(&format!(
                        "{{{{ matrix(\"{}\"{}) }}}}\n\n",
                        rng.pick(&["storage", "store", "é", ""]),
                        rng.pick(&[
                            "",
                            ", features=[\"disk-types\"]",
                            ", features=[\"nope\"]",
                            ", mode=\"detailed\"",
                            ", providers=[\"x\"]",
                            ", differences=true",
                            ","
                        ])
                    )),
                    2 => text.push_str(&format!("{}\n\n", block(rng, 2))),
                    _ => {
                        for _ in 0..=rng.size(4) {
                            text.push_str(rng.pick(CHECK_BITS));
                            text.push(' ');
                            if rng.one_in(3) {
                                text.push_str(&grammar::words(rng));
                                text.push(' ');
                            }
                        }
                        text.push_str("\n\n");
                    }
                }
            }
        }
        parts.push(((*name).to_owned(), maybe_mutate(rng, text, &corpus.content)));
    }
    Case { parts }
}

/// The built site in memory, the shape `check::run` reads.
#[derive(Default)]
struct Memory(Mutex<Outputs>);

impl Sink for Memory {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let key = relative.to_string_lossy().replace('\\', "/");
        let mut outputs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        outputs.insert(key, Arc::new(bytes.to_vec()));
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        let bytes = std::fs::read(from).unwrap_or_default();
        self.put(relative, &bytes)
    }
}

fn run_check(ctx: &mut Context, case: &Case) {
    let root = ctx.site_root().to_path_buf();
    let options = BuildOptions {
        root: root.clone(),
        output: None,
        overrides: Overrides::default(),
        drafts: true,
        future: true,
        force: false,
        highlight_cache: None,
        progress: None,
        card_cache: None,
        image_cache: None,
    };
    let parse = |_: &versus::source::Sources,
                 config: &Config,
                 liquid: Option<&liquid::Env>,
                 problems: &mut Vec<versus::diag::Diagnostic>| {
        let mut pages = Vec::new();
        for (path, text) in &case.parts {
            match page::parse_with(
                Path::new(path),
                text.clone(),
                PageKind::Post,
                config,
                liquid,
            ) {
                Ok(page) => pages.push(Arc::new(page)),
                Err(diagnostics) => problems.extend(diagnostics),
            }
        }
        pages
    };
    let Ok(prepared) = pipeline::prepare(&root, &options, None, parse) else {
        return;
    };
    let sink = Memory::default();
    let pages: Vec<&Page> = prepared.site.all_pages().collect();
    let (mut problems, mentions, pictures) = pipeline::render_pages(&pages, &prepared, &sink);
    let mentions =
        pipeline::mentions_by_matrix(mentions.iter().map(|(p, ids)| (*p, ids.as_slice())));
    pipeline::write_generated(&prepared, &mentions, &pictures, &sink, &mut problems);
    if problems.iter().any(versus::diag::Diagnostic::is_error) {
        return;
    }
    let outputs = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    let options = CheckOptions {
        strict: case.len().is_multiple_of(2),
        external: None,
    };
    let _ = check::run(&root, &prepared, &outputs, &options);
}

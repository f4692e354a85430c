//! Input building blocks: grammar fragments shared by the targets, the seed corpus read from
//! the repository at run time, and mutations that splice, repeat and break them.

use std::path::Path;

use super::rng::Rng;

/// Characters and delimiters that parsers trip on: multibyte text, invisible and control
/// characters, line ends, quotes and the openers of every syntax involved.
pub const NOISE: &[&str] = &[
    "é",
    "😀",
    "\u{feff}",
    "\u{2028}",
    "\u{0}",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\"",
    "'",
    "`",
    "<",
    ">",
    "&",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "|",
    "#",
    ":",
    "-",
    "*",
    "_",
    " ",
    "---",
    "{%",
    "%}",
    "{{",
    "}}",
    "{:",
    "{%-",
    "-%}",
    "=",
    "\u{301}",
    "ß",
    "中文",
    "\u{200d}",
    "ﬁ",
    "&amp;",
    "&#x1F600;",
    "<!--",
    "-->",
    "~~~",
    "```",
    "$$",
    "^",
    "!",
    "%",
    "..",
    "\u{a0}",
];

/// The repository's own texts, by kind: the seeds that mutations start from.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Posts and pages (front matter and Markdown, some with Liquid).
    pub content: Vec<String>,
    /// Data files: providers, matrices, authors, series, site settings.
    pub yaml: Vec<String>,
    /// Liquid include files.
    pub includes: Vec<String>,
}

impl Corpus {
    /// Reads the fixtures under tests/fixtures and the site's content/ and data/.
    pub fn load(repo: &Path) -> Corpus {
        let mut corpus = Corpus::default();
        let mut paths: Vec<_> = ["content", "data", "site.yaml", "tests/fixtures"]
            .iter()
            .flat_map(|dir| walkdir::WalkDir::new(repo.join(dir)).into_iter().flatten())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| !p.components().any(|c| c.as_os_str() == "expected"))
            .collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let in_includes = path.components().any(|c| c.as_os_str() == "includes");
            match path.extension().and_then(|e| e.to_str()) {
                Some("md" | "markdown") => corpus.content.push(text),
                Some("yaml" | "yml") => corpus.yaml.push(text),
                Some("html") if in_includes => corpus.includes.push(text),
                _ => {}
            }
        }
        for kind in [&mut corpus.content, &mut corpus.yaml, &mut corpus.includes] {
            if kind.is_empty() {
                kind.push(String::new());
            }
        }
        corpus
    }
}

/// A random char boundary of `text`.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A random range of `text` on char boundaries, usually short.
fn range(rng: &mut Rng, text: &str) -> (usize, usize) {
    let start = boundary(rng, text);
    let mut end = (start + rng.size(256)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (start, end)
}

/// One to a few mutations of `text`: inserted noise, deletions, repeats (long lines, deep
/// nesting), splices from `donors`, flipped bytes, other line ends, a leading BOM.
pub fn mutate(rng: &mut Rng, text: &str, donors: &[String]) -> String {
    let mut text = text.to_owned();
    for _ in 0..=rng.size(8) {
        match rng.below(9) {
            0 | 1 => {
                let at = boundary(rng, &text);
                text.insert_str(at, rng.pick(NOISE));
            }
            2 => {
                let (start, end) = range(rng, &text);
                text.replace_range(start..end, "");
            }
            3 => {
                let (start, end) = range(rng, &text);
                let piece = text[start..end].repeat(rng.size(2000).max(1));
                text.insert_str(end, &piece);
            }
            4 => {
                let donor = rng.pick_ref(donors);
                let (ds, de) = range(rng, donor);
                let (start, end) = range(rng, &text);
                text.replace_range(start..end, &donor[ds..de]);
            }
            5 => {
                let mut bytes = text.into_bytes();
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(8);
                }
                text = String::from_utf8_lossy(&bytes).into_owned();
            }
            6 => {
                text = match rng.below(3) {
                    0 => text.replace('\n', "\r\n"),
                    1 => text.replace('\n', "\r"),
                    _ => text.replace("\r\n", "\n"),
                };
            }
            7 => text.insert(0, '\u{feff}'),
            _ => {
                let at = boundary(rng, &text);
                text.truncate(at);
            }
        }
    }
    text
}

/// Some words of prose, with multibyte letters and quotes now and then.
pub fn words(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "cluster",
        "node",
        "Kubernetes",
        "café",
        "naïve",
        "😀",
        "\"quoted\"",
        "'single'",
        "it's",
        "--",
        "---",
        "...",
        "TODO",
        "FIXME",
        "XXX",
        "#TODO",
        "lorem",
        "Ünïcödé",
        "中文",
        "a_b",
        "*em*",
        "**strong**",
        "`code`",
        "x<y",
        "A&B",
        "100%",
        "$5",
        "e.g.",
        "\u{a0}",
        "\u{2028}",
    ];
    let count = 1 + rng.size(12);
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
    out
}

/// `fragment` repeated deeply now and then: the input sizes where recursion and quadratic
/// work show.
pub fn depth(rng: &mut Rng) -> usize {
    if rng.one_in(40) {
        rng.pick(&[100, 500, 2_000, 10_000])
    } else {
        1 + rng.size(6)
    }
}

/// A line now and then very long.
pub fn long_line(rng: &mut Rng) -> String {
    let unit = rng.pick(&[
        "x",
        "a b ",
        "é",
        "$(echo \"${x}\") | ",
        "{ \"k\": [1, ",
        "'a' ",
        "\\",
    ]);
    unit.repeat(rng.pick(&[10, 100, 1_000, 3_000]))
}

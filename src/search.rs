//! The client-side search: an index of posts and matrix features written as static JSON files
//! under `search/`, the search page's HTML, and the words it shows.
//!
//! The index is split so that a query never downloads all of it: `search/index.json` names the
//! first term of each *term shard*; a query loads only the shards its words fall in (a word
//! of three letters or more also matches as a prefix), then the *document shards* of the
//! results it shows. `theme/static/search.js` reads it; the two tokenize alike (see
//! [`tokens`]).
//!
//! Files (every number a JSON number, every list in the order written):
//!
//! - `search/index.json`: `{"version": 1, "id": "<hash>", "docs": N, "docs_per_shard": 32,
//!   "shards": ["a", "cloud", ...]}`: term shard `i` holds the terms from `shards[i]` (included)
//!   to `shards[i + 1]` (excluded), in UTF-16 order (JavaScript's string order). `id` changes
//!   with the content, and the script asks for shards with `?v=<id>`, so a browser never mixes
//!   shards of two builds.
//! - `search/t/<i>.json`: `{"term": [doc, weight, doc, weight, ...]}`, documents ascending,
//!   each `doc` the difference from the one before (the first from 0).
//! - `search/d/<k>.json`: documents `k * docs_per_shard` onwards: `[{"k": "post"|"feature",
//!   "t": title, "u": URL (with the base path), "d": "YYYY-MM-DD" (posts), "a": area title
//!   (features), "e": excerpt}, ...]`.
//!
//! A document's weight for a term adds up where the term appears: [`TITLE_WEIGHT`] per
//! occurrence in the title (a feature's name), [`TAG_WEIGHT`] in a tag (a feature's area),
//! [`DESCRIPTION_WEIGHT`] in the description, 1 in the body (a feature's levels).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;

use serde::Serialize;

use crate::compare;
use crate::config::Config;
use crate::markdown;
use crate::matrix::Matrices;
use crate::page::Page;
use crate::text::escape_html;

/// The search page's site path.
pub const PAGE: &str = "/search/";
/// The folder of the index in the output.
pub const DIR: &str = "search";
/// The built-in script (`theme/static/search.js`), by its path in the output.
pub const SCRIPT: &str = "search.js";
/// The version of the index format, which the script checks.
pub const VERSION: u32 = 1;
/// A term shard is closed once its JSON passes this size (a term is never split, so a shard
/// holding one very common term is larger).
pub const SHARD_BYTES: usize = 32 * 1024;
/// Documents per document shard: the first page of results loads at most ten of them.
pub const DOCS_PER_SHARD: usize = 32;
/// Longer runs of letters (hashes, base64) are not words anyone types.
pub const MAX_TERM_CHARS: usize = 40;
/// Characters of body text an excerpt shows when a post has no description.
const EXCERPT_CHARS: usize = 180;

pub const TITLE_WEIGHT: u32 = 8;
pub const TAG_WEIGHT: u32 = 6;
pub const DESCRIPTION_WEIGHT: u32 = 3;

/// What a document is, as the results list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Post,
    Feature,
}

/// One searchable thing: what the results list shows, and its terms with their weights.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Document {
    #[serde(rename = "k")]
    pub kind: Kind,
    #[serde(rename = "t")]
    pub title: String,
    /// Where it is served, with the base path.
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "d", skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The area a feature belongs to.
    #[serde(rename = "a", skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(rename = "e")]
    pub excerpt: String,
    /// Each term once, sorted, with its weight.
    #[serde(skip)]
    pub terms: TermList,
}

/// A document's terms, each once and sorted, with their weights, kept as one string of the
/// terms (each ended by `\0`, which no term holds) beside their weights: a post has ~500
/// terms, and a string of its own for each made the documents most of a build's memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TermList {
    text: Box<str>,
    weights: Box<[u32]>,
}

impl TermList {
    /// Each term with its weight, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.text
            .split_terminator('\0')
            .zip(self.weights.iter().copied())
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

impl<S: AsRef<str>> FromIterator<(S, u32)> for TermList {
    fn from_iter<I: IntoIterator<Item = (S, u32)>>(terms: I) -> TermList {
        let mut text = String::new();
        let mut weights = Vec::new();
        for (term, weight) in terms {
            debug_assert!(
                !term.as_ref().contains('\0'),
                "a term is letters and digits"
            );
            text.push_str(term.as_ref());
            text.push('\0');
            weights.push(weight);
        }
        TermList {
            text: text.into_boxed_str(),
            weights: weights.into_boxed_slice(),
        }
    }
}

/// The terms of `text` as the index keeps them, and as the script splits a query (its
/// `tokens`, which must agree exactly). Words are runs of letters and digits (Unicode's
/// Alphabetic and Numeric, as the script's `[\p{Alphabetic}\p{N}]+`), lowercased, at most
/// [`MAX_TERM_CHARS`] long. Chinese, Japanese and Korean ([`is_cjk`]) are written without
/// spaces between words, so a run of them is split as Lucene's CJKAnalyzer does, into
/// overlapping pairs of characters (`東京都` → `東京`, `京都`), and its last character is kept
/// alone too (`都`), so that a query of one character finds every place it stands (first of a
/// pair, or last of its run).
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens {
        rest: text,
        cjk: "",
    }
}

/// The iterator of [`tokens`]: it allocates only to lowercase a word with capitals.
pub struct Tokens<'t> {
    /// The text after the last run taken.
    rest: &'t str,
    /// What is left of a run of CJK characters: its pairs not yet given, and its last one.
    cjk: &'t str,
}

impl<'t> Iterator for Tokens<'t> {
    type Item = Cow<'t, str>;

    fn next(&mut self) -> Option<Cow<'t, str>> {
        loop {
            if let Some(first) = self.cjk.chars().next() {
                let width = first.len_utf8();
                let token = match self.cjk[width..].chars().next() {
                    Some(second) => {
                        let pair = &self.cjk[..width + second.len_utf8()];
                        self.cjk = &self.cjk[width..];
                        pair
                    }
                    None => std::mem::take(&mut self.cjk),
                };
                return Some(Cow::Borrowed(token));
            }
            let start = self.rest.find(char::is_alphanumeric)?;
            let rest = &self.rest[start..];
            if rest.starts_with(is_cjk) {
                let end = rest.find(|c: char| !is_cjk(c)).unwrap_or(rest.len());
                (self.cjk, self.rest) = rest.split_at(end);
                continue;
            }
            let word = Word::at(rest);
            let (run, after) = rest.split_at(word.bytes);
            self.rest = after;
            if word.chars <= MAX_TERM_CHARS {
                return Some(if word.changes_in_lowercase {
                    Cow::Owned(run.to_lowercase())
                } else {
                    Cow::Borrowed(run)
                });
            }
        }
    }
}

/// A word (not CJK) at the start of a text, measured in one pass, ASCII byte by byte: the
/// index tokenizes every word of every post.
struct Word {
    bytes: usize,
    chars: usize,
    changes_in_lowercase: bool,
}

impl Word {
    fn at(text: &str) -> Word {
        let mut word = Word {
            bytes: 0,
            chars: 0,
            changes_in_lowercase: false,
        };
        let bytes = text.as_bytes();
        while let Some(&byte) = bytes.get(word.bytes) {
            let width = if byte.is_ascii_alphanumeric() {
                word.changes_in_lowercase |= byte.is_ascii_uppercase();
                1
            } else if byte.is_ascii() {
                break;
            } else {
                let c = text[word.bytes..]
                    .chars()
                    .next()
                    .expect("a character starts here");
                if !c.is_alphanumeric() || is_cjk(c) {
                    break;
                }
                word.changes_in_lowercase |= lowercase_changes(c);
                c.len_utf8()
            };
            word.bytes += width;
            word.chars += 1;
        }
        word
    }
}

/// Whether lowercasing changes `c`: capitals, and titlecase letters such as `ǅ`, which are
/// neither upper nor lower case but which JavaScript's `toLowerCase` changes too.
fn lowercase_changes(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    let mut lower = c.to_lowercase();
    lower.next() != Some(c) || lower.next().is_some()
}

/// Whether `c` is a letter of the scripts written without spaces between words (Han,
/// Hiragana, Katakana) or of Hangul: by code point, as the script's `CJK` table lists them (a
/// script property would depend on each side's Unicode version). Punctuation is no letter.
pub fn is_cjk(c: char) -> bool {
    let code = u32::from(c);
    code >= 0x1100
        && CJK_RANGES
            .iter()
            .any(|&(low, high)| (low..=high).contains(&code))
        && c.is_alphanumeric()
}

/// The code points of [`is_cjk`]: Hangul Jamo; 々, 〆, 〇 and the Suzhou numerals; Hiragana and
/// Katakana; Hangul compatibility Jamo; the Katakana extension; CJK Extension A; CJK Unified
/// Ideographs; Hangul Jamo Extended-A, syllables and Jamo Extended-B; CJK compatibility
/// ideographs; halfwidth Katakana and Hangul; the ideographs of planes 2 and 3.
pub const CJK_RANGES: [(u32, u32); 15] = [
    (0x1100, 0x11FF),
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3038, 0x303C),
    (0x3041, 0x30FF),
    (0x3131, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFFDC),
    (0x20000, 0x2FFFF),
    (0x30000, 0x3FFFF),
];

/// Weighted terms of one document, counted in a map with [`WordHasher`].
#[derive(Default)]
struct Terms<'t>(HashMap<Cow<'t, str>, u32, BuildHasherDefault<WordHasher>>);

impl<'t> Terms<'t> {
    fn add(&mut self, text: &'t str, weight: u32) {
        for token in tokens(text) {
            *self.0.entry(token).or_default() += weight;
        }
    }

    fn into_sorted(self) -> TermList {
        let mut terms: Vec<(Cow<'t, str>, u32)> = self.0.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        terms.into_iter().collect()
    }
}

/// A fast hash for short words (rustc's FxHash: multiply and rotate, eight bytes at a time).
/// The index hashes every word of every post; std's SipHash, made to resist chosen keys, costs
/// as much as parsing the Markdown. Words of one's own posts need no such defence.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            self.mix(word);
        }
        for &byte in chunks.remainder() {
            self.mix(u64::from(byte));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A post as a search document: its title, tags, description and body text.
pub fn post_document(page: &Page, config: &Config) -> Document {
    let body = markdown::plain_text(page.body());
    let mut terms = Terms::default();
    terms.add(&page.title, TITLE_WEIGHT);
    for tag in page.tags.iter().chain(&page.categories) {
        terms.add(tag, TAG_WEIGHT);
    }
    if let Some(description) = &page.description {
        terms.add(description, DESCRIPTION_WEIGHT);
    }
    terms.add(&body, 1);
    let excerpt = match &page.description {
        Some(description) => markdown::plain_text(description).trim().to_owned(),
        None => excerpt(&body),
    };
    Document {
        kind: Kind::Post,
        title: page.title.clone(),
        url: config.relative_url(&page.url),
        date: page.date.map(|d| d.civil.date().to_string()),
        area: None,
        excerpt,
        terms: terms.into_sorted(),
    }
}

/// The first words of `text`, cut at a word boundary, with `…` when there are more. A "word"
/// longer than the rest (a sentence of Chinese or Japanese, written without spaces) is cut
/// within.
fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        if chars + length + 1 > EXCERPT_CHARS {
            let room = EXCERPT_CHARS.saturating_sub(chars + usize::from(chars > 0));
            if word.chars().any(is_cjk) && room > 0 {
                if chars > 0 {
                    out.push(' ');
                }
                out.extend(word.chars().take(room));
            }
            out.push('…');
            break;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += length;
    }
    out
}

/// Every feature of every area as a document: its name, its area and group, its description,
/// and each provider's name and level ("EKS: Full"); the URL is its row on the area's page.
pub fn feature_documents(
    matrices: &Matrices,
    config: &Config,
    strings: &crate::strings::Strings,
) -> Vec<Document> {
    let mut documents = Vec::new();
    for area in &matrices.areas {
        let url = config.relative_url(&compare::area_path(&area.id));
        for feature in &area.features {
            let name = markdown::plain_text(&feature.name).trim().to_owned();
            let levels: Vec<String> = matrices
                .providers
                .iter()
                .zip(&feature.cells)
                .map(|(provider, cell)| {
                    format!("{}: {}", provider.short, strings.level_label(cell.support))
                })
                .collect();
            let providers: Vec<&str> = matrices.providers.iter().map(|p| p.name.as_str()).collect();
            let group = feature
                .group
                .as_ref()
                .and_then(|id| area.groups.iter().find(|g| &g.id == id))
                .map(|g| g.title.as_str());
            let mut terms = Terms::default();
            terms.add(&name, TITLE_WEIGHT);
            terms.add(&area.title, TAG_WEIGHT);
            if let Some(group) = group {
                terms.add(group, DESCRIPTION_WEIGHT);
            }
            let description = feature
                .description
                .as_deref()
                .map(markdown::plain_text)
                .unwrap_or_default();
            terms.add(&description, DESCRIPTION_WEIGHT);
            let (levels_text, providers_text) = (levels.join(" "), providers.join(" "));
            terms.add(&levels_text, 1);
            terms.add(&providers_text, 1);
            let terms = terms.into_sorted();
            documents.push(Document {
                kind: Kind::Feature,
                title: name,
                url: format!("{url}#{}-{}", area.id, feature.id),
                date: None,
                area: Some(area.title.clone()),
                excerpt: levels.join(" · "),
                terms,
            });
        }
    }
    documents
}

/// Whether an output (`search/t/3.json`, `/`-separated) is one of the files of [`index`]
/// rather than the search page.
pub fn is_index_file(output: &str) -> bool {
    output
        .strip_prefix(DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| {
            rest == "index.json" || rest.starts_with("t/") || rest.starts_with("d/")
        })
}

/// One file of the index: its path in the output and its JSON.
pub type File = (PathBuf, String);

/// The files of the index of `documents` (see the module documentation for their format).
pub fn index(documents: &[&Document]) -> Vec<File> {
    let mut postings: HashMap<&str, Vec<(u32, u32)>, BuildHasherDefault<WordHasher>> =
        HashMap::default();
    for (id, document) in documents.iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        for (term, weight) in document.terms.iter() {
            postings.entry(term).or_default().push((id, weight));
        }
    }
    let mut terms: Vec<(&str, Vec<(u32, u32)>)> = postings.into_iter().collect();
    // JavaScript compares strings by UTF-16 code units; the script's binary search needs
    // the same order.
    terms.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));

    let mut files = Vec::new();
    let mut firsts: Vec<&str> = Vec::new();
    let mut shard = String::new();
    for (term, list) in &terms {
        if shard.is_empty() {
            firsts.push(term);
            shard.push('{');
        } else {
            shard.push(',');
        }
        push_json_string(&mut shard, term);
        shard.push_str(":[");
        let mut previous = 0;
        for (i, (doc, weight)) in list.iter().enumerate() {
            if i > 0 {
                shard.push(',');
            }
            push_number(&mut shard, doc - previous);
            shard.push(',');
            push_number(&mut shard, *weight);
            previous = *doc;
        }
        shard.push(']');
        if shard.len() >= SHARD_BYTES {
            shard.push('}');
            files.push(term_shard(files.len(), std::mem::take(&mut shard)));
        }
    }
    if !shard.is_empty() {
        shard.push('}');
        files.push(term_shard(files.len(), shard));
    }
    for (k, chunk) in documents.chunks(DOCS_PER_SHARD).enumerate() {
        let json = serde_json::to_string(chunk).expect("documents are plain data");
        files.push((PathBuf::from(format!("{DIR}/d/{k}.json")), json));
    }
    let mut hasher = blake3::Hasher::new();
    for (_, json) in &files {
        hasher.update(json.as_bytes()).update(b"\0");
    }
    let id = hasher.finalize();
    let meta = serde_json::json!({
        "version": VERSION,
        "id": &id.to_hex()[..16],
        "docs": documents.len(),
        "docs_per_shard": DOCS_PER_SHARD,
        "shards": firsts,
    });
    files.push((PathBuf::from(format!("{DIR}/index.json")), meta.to_string()));
    files
}

fn term_shard(i: usize, json: String) -> File {
    (PathBuf::from(format!("{DIR}/t/{i}.json")), json)
}

/// A number in decimal, without `format!`'s machinery: the index writes millions of them.
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::Value::from(text).to_string());
}

/// The search page's content: a form that works as a plain GET form, a live status line,
/// the results list, and the script that fills it (the page says what it needs without it).
pub fn page_html(config: &Config, strings: &crate::strings::Strings) -> String {
    let w = |key: &str| strings.text(&format!("search.{key}")).to_owned();
    let index = config.relative_url(&format!("/{DIR}/"));
    let action = config.relative_url(PAGE);
    let strings = serde_json::json!({
        "loading": w("loading"),
        "none": w("none"),
        "one": w("one"),
        "many": w("many"),
        "more": w("more"),
        "feature": w("feature"),
        "failed": w("failed"),
    });
    let script = config.relative_url(&format!("/{SCRIPT}"));
    format!(
        r#"<div class="search" id="search" data-index="{index}" data-words="{strings}" data-lang="{lang}">
<form class="search-form" role="search" action="{action}" method="get">
<label for="search-input">{label}</label>
<input type="search" id="search-input" name="q" autocomplete="off" spellcheck="false">
<button type="submit">{button}</button>
</form>
<p class="search-status" role="status" aria-live="polite" aria-atomic="true"></p>
<ol class="search-results"></ol>
<button type="button" class="search-more" hidden>{more}</button>
<noscript><p>{no_script} <a href="{home}">{home_text}</a>.</p></noscript>
</div>
<script src="{script}" defer></script>
"#,
        index = escape_html(&index),
        strings = escape_html(&strings.to_string()),
        lang = escape_html(&config.language),
        action = escape_html(&action),
        label = escape_html(&w("label")),
        button = escape_html(&w("button")),
        more = escape_html(&w("more")),
        no_script = escape_html(&w("no_script")),
        home = escape_html(&config.relative_url("/")),
        home_text = escape_html(&w("home")),
        script = escape_html(&script),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Overrides};
    use crate::page::{PageKind, parse_with};
    use std::path::Path;

    fn config(base_url: &str) -> Config {
        let text = format!("title: Test\nbase_url: {base_url}\n");
        config::from_source(Path::new("site.yaml"), &text, &Overrides::default()).unwrap()
    }

    fn post(name: &str, text: &str, config: &Config) -> Page {
        let path = PathBuf::from(format!("content/posts/{name}"));
        parse_with(&path, text.to_owned(), PageKind::Post, config, None).unwrap()
    }

    fn weight(document: &Document, term: &str) -> Option<u32> {
        document
            .terms
            .iter()
            .find(|(t, _)| *t == term)
            .map(|(_, w)| w)
    }

    #[test]
    fn a_term_list_gives_back_its_terms_and_weights_in_order() {
        let list: TermList = [("cache", 9), ("straße", 1), ("k8s", 14)]
            .into_iter()
            .collect();
        let back: Vec<(&str, u32)> = list.iter().collect();
        assert_eq!(back, [("cache", 9), ("straße", 1), ("k8s", 14)]);
        assert_eq!((list.len(), list.is_empty()), (3, false));
        assert!(TermList::default().iter().next().is_none());
        assert_eq!(weight(&document("Zed", "b a b"), "b"), Some(2));
    }

    #[test]
    fn tokens_are_lowercased_runs_of_letters_and_digits() {
        let words: Vec<Cow<str>> = tokens("Ünïcode-aware, IPv6 & k8s: 3.14 «Straße»").collect();
        assert_eq!(
            words,
            ["ünïcode", "aware", "ipv6", "k8s", "3", "14", "straße"]
        );
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert_eq!(tokens(&format!("short {long}")).count(), 1);
        // A titlecase letter (neither upper nor lower) is lowercased, as JavaScript does.
        let words: Vec<Cow<str>> = tokens("ǅemal ǈubljana").collect();
        assert_eq!(words, ["ǆemal", "ǉubljana"]);
    }

    /// The splits the script must make too (tests/it/search.rs runs it on the same strings).
    const CJK_CASES: [(&str, &[&str]); 8] = [
        // Japanese: kanji and kana are one run, CJK punctuation ends it, Latin letters beside
        // it are a word of their own.
        (
            "Kubernetes入門ガイド、東京都に住む。猫",
            &[
                "kubernetes",
                "入門",
                "門ガ",
                "ガイ",
                "イド",
                "ド",
                "東京",
                "京都",
                "都に",
                "に住",
                "住む",
                "む",
                "猫",
            ],
        ),
        // Chinese with a number in it: the number is a word.
        ("版本2发布", &["版本", "本", "2", "发布", "布"]),
        // Korean, written with spaces between words.
        ("한국어 검색", &["한국", "국어", "어", "검색", "색"]),
        // Halfwidth katakana; ideographs outside the BMP (two UTF-16 units each in JavaScript).
        ("ｶﾀｶﾅ", &["ｶﾀ", "ﾀｶ", "ｶﾅ", "ﾅ"]),
        ("𠀋𠀀x", &["𠀋𠀀", "𠀀", "x"]),
        // A Kangxi radical is a symbol, the ideographic space a space: neither is a letter.
        ("⼈\u{3000}人々", &["人々", "々"]),
        // Other scripts stay words: Greek (lowercased with its final sigma), Cyrillic, Thai.
        ("ΟΔΟΣ Москва ภาษาไทย", &["οδο\u{3c2}", "москва", "ภาษาไทย"]),
        ("ＡＢＣ１２３", &["ａｂｃ１２３"]),
    ];

    #[test]
    fn cjk_runs_are_split_into_overlapping_pairs_and_their_last_character() {
        for (text, expected) in CJK_CASES {
            let split: Vec<Cow<str>> = tokens(text).collect();
            assert_eq!(split, expected, "{text}");
        }
        assert!(!is_cjk('a') && !is_cjk('。') && !is_cjk('・') && !is_cjk('⼈'));
        assert!(is_cjk('々') && is_cjk('ー') && is_cjk('가') && is_cjk('𠀀'));
    }

    #[test]
    fn a_post_is_indexed_by_its_words_and_not_its_markup() {
        let config = config("https://example.com/blog/");
        let page = post(
            "2024-03-01-pods.md",
            "---\ntitle: Pod Identity\ntags: [Security]\ndescription: How pods get roles.\n---\nThe *kubelet* exchanges a [token](https://example.com/tok) quickly.\n\n<div class=\"callout\">Raw zebra</div>\n\n```yaml\nhiddenkey: 1\n```\n",
            &config,
        );
        let document = post_document(&page, &config);
        assert_eq!(document.url, "/blog/2024/03/01/pods/");
        assert_eq!(document.date.as_deref(), Some("2024-03-01"));
        assert_eq!(document.excerpt, "How pods get roles.");
        assert_eq!(weight(&document, "kubelet"), Some(1));
        assert_eq!(weight(&document, "quickly"), Some(1));
        assert_eq!(weight(&document, "zebra"), Some(1), "raw HTML's text");
        assert_eq!(weight(&document, "pod"), Some(TITLE_WEIGHT));
        assert_eq!(weight(&document, "security"), Some(TAG_WEIGHT));
        assert_eq!(
            weight(&document, "pods"),
            Some(DESCRIPTION_WEIGHT),
            "description"
        );
        for markup in [
            "https",
            "tok",
            "div",
            "callout",
            "class",
            "hiddenkey",
            "yaml",
        ] {
            assert_eq!(
                weight(&document, markup),
                None,
                "{markup} is markup or code"
            );
        }
    }

    #[test]
    fn an_excerpt_is_the_first_words_when_there_is_no_description() {
        let long = "word ".repeat(100);
        let text = excerpt(&long);
        assert!(text.ends_with('…') && text.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt("Short text.\nTwo lines."), "Short text. Two lines.");
        // Text without spaces (Chinese, Japanese) is cut within its "word".
        let chinese = "容器编排平台的比较。".repeat(30);
        let text = excerpt(&format!("开始 {chinese}"));
        assert_eq!(text.chars().count(), EXCERPT_CHARS + 1, "{text}");
        assert!(
            text.starts_with("开始 容器编排") && text.ends_with('…'),
            "{text}"
        );
    }

    fn document(title: &str, body: &str) -> Document {
        let mut terms = Terms::default();
        terms.add(title, TITLE_WEIGHT);
        terms.add(body, 1);
        Document {
            kind: Kind::Post,
            title: title.into(),
            url: format!("/{title}/"),
            date: None,
            area: None,
            excerpt: body.into(),
            terms: terms.into_sorted(),
        }
    }

    fn file(files: &[File], path: &str) -> serde_json::Value {
        let (_, json) = files
            .iter()
            .find(|(p, _)| p == Path::new(path))
            .unwrap_or_else(|| panic!("no {path}"));
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_index_lists_each_term_with_its_documents_as_deltas() {
        let docs = [
            document("alpha", "shared words"),
            document("beta", "shared"),
            document("gamma", "words shared shared"),
        ];
        let files = index(&docs.iter().collect::<Vec<_>>());
        let meta = file(&files, "search/index.json");
        assert_eq!(meta["version"], VERSION);
        assert_eq!(meta["docs"], 3);
        assert_eq!(meta["shards"], serde_json::json!(["alpha"]));
        let shard = file(&files, "search/t/0.json");
        // Documents 0, 1, 2 as deltas 0, 1, 1; weights counted per occurrence.
        assert_eq!(shard["shared"], serde_json::json!([0, 1, 1, 1, 1, 2]));
        assert_eq!(shard["words"], serde_json::json!([0, 1, 2, 1]));
        assert_eq!(shard["beta"], serde_json::json!([1, TITLE_WEIGHT]));
        let stored = file(&files, "search/d/0.json");
        assert_eq!(stored[2]["t"], "gamma");
        assert_eq!(stored[2]["u"], "/gamma/");
        assert_eq!(stored[2]["k"], "post");
    }

    #[test]
    fn a_large_index_is_split_into_shards_in_utf16_order() {
        // Enough distinct terms for several shards; one above U+FFFF sorts before U+FFxx in
        // UTF-16, after it in UTF-8.
        let mut body: Vec<String> = (0..20_000).map(|i| format!("t{i:05}")).collect();
        body.push("\u{ff41}".into());
        body.push("\u{1d400}".into());
        let docs: Vec<Document> = (0..70)
            .map(|i| document(&format!("d{i}"), &body.join(" ")))
            .collect();
        let files = index(&docs.iter().collect::<Vec<_>>());
        let meta = file(&files, "search/index.json");
        let shards: Vec<String> = serde_json::from_value(meta["shards"].clone()).unwrap();
        assert!(shards.len() > 2, "{}", shards.len());
        let utf16 = |s: &String| s.encode_utf16().collect::<Vec<u16>>();
        assert!(shards.windows(2).all(|w| utf16(&w[0]) < utf16(&w[1])));
        let mut seen = 0;
        for i in 0..shards.len() {
            let path = format!("search/t/{i}.json");
            let (_, json) = files.iter().find(|(p, _)| p == Path::new(&path)).unwrap();
            assert!(
                json.len() < SHARD_BYTES + 2048,
                "{path} is {} bytes",
                json.len()
            );
            let shard = file(&files, &path);
            let terms = shard.as_object().unwrap();
            assert!(
                terms.contains_key(&shards[i]),
                "{path} holds its first term"
            );
            for term in terms.keys() {
                assert!(utf16(term) >= utf16(&shards[i]), "{term} before {path}");
                if let Some(next) = shards.get(i + 1) {
                    assert!(utf16(term) < utf16(next), "{term} after {path}");
                }
            }
            seen += terms.len();
        }
        // 20,002 body terms and 70 titles.
        assert_eq!(seen, 20_002 + 70);
        let doc_shards = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/d"))
            .count();
        assert_eq!(doc_shards, 70usize.div_ceil(DOCS_PER_SHARD));
    }
}

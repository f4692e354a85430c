//! One content file → a [`Page`]: front matter split off and read, then resolved into what the
//! site needs (date, slug, URL, output path, layout).
//!
//! Raw front matter is a YAML mapping; resolving it is where Jekyll's habits are honoured:
//! the date from the file name, `category` or `categories`, `author` or `authors`, flow lists.

use std::path::{Path, PathBuf};

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use serde::Serialize;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::liquid;
use crate::text::Alias;
pub use crate::text::slugify;
use crate::yaml::{self, Mapping, Value};

mod date;
mod url;
mod words;

pub use date::PostDate;
pub use url::*;
pub use words::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Post,
    Page,
}

/// A post or page, parsed and resolved; its Markdown body is rendered later.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root, e.g. `content/posts/2023-08-11-a.md`.
    pub source: PathBuf,
    pub kind: PageKind,
    pub title: String,
    pub date: Option<PostDate>,
    /// When the page was last revised (`updated`, or Jekyll's `last_modified_at`): shown
    /// beside the date, and the feed's and sitemap's last-modified time.
    pub updated: Option<PostDate>,
    pub slug: String,
    /// Site path without the base path, as Jekyll's `page.url`: `/2023/08/11/a/`.
    pub url: String,
    /// File to write, relative to the output folder: `2023/08/11/a/index.html`.
    pub output: PathBuf,
    pub layout: String,
    pub authors: Vec<String>,
    /// The front matter key `authors` came from (`author` is Jekyll's), None for site defaults.
    pub authors_key: Option<&'static str>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub description: Option<String>,
    pub image: Option<Box<Value>>,
    pub draft: bool,
    pub comments: Option<bool>,
    pub toc: Option<bool>,
    /// Old URLs that redirect here (`aliases:`, or Jekyll's `redirect_from:`).
    pub aliases: Vec<Alias>,
    /// Front matter keys the engine does not know, for templates.
    pub extra: Box<Mapping>,
    /// Words of prose in the body (code left out), for reading times in listings and on the
    /// page alike; counted from the source, so listings need no rendering.
    pub word_count: usize,
    /// Whether the body may link to another source (`.md`) or embed a table (`{{`): what of
    /// the rest of the site its HTML can depend on. Found once, here, for the preview server.
    pub may_link_sources: bool,
    pub may_embed: bool,
    /// The whole file, for diagnostics that point into it; only its front matter once
    /// [`Page::shed_body`] let the body go.
    pub text: String,
    /// A hash of the source path and text: what the preview server compares to know whether
    /// anything made from this page can have changed (in-process only).
    pub fingerprint: u64,
    /// Byte offset where the Markdown body starts in `text`.
    pub body_start: usize,
    /// The body after Liquid (sites with `liquid: true`), mapped back to the source.
    expanded: Option<Box<liquid::Expanded>>,
    /// Problems that do not stop the build (undefined Liquid variables).
    pub warnings: Vec<Diagnostic>,
    /// Byte offset where the front matter's YAML starts in `text` (after `---`).
    front_start: usize,
    /// Set when the body was let go: what is kept of it.
    shed: Option<Shed>,
}

/// What a page whose body was let go keeps of it: a hash of the file, to know that it reads
/// the same again at render time (and for its summary, see [`Page::summary_source_from`]).
#[derive(Debug, Clone)]
struct Shed {
    text_hash: u64,
}

/// A hash of a file's text, to notice a file that changed between two reads of one build.
fn text_hash(text: &str) -> u64 {
    hash_of(&[text.as_bytes()])
}

/// 64 bits of BLAKE3 over `parts`, each with its length: SipHash over every page's text,
/// three times a build, was a hot spot (BLAKE3 runs several times faster on such inputs).
/// Held in memory only, never written to disk.
fn hash_of(parts: &[&[u8]]) -> u64 {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let hash = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

impl Page {
    /// A diagnostic at a front matter key (and optionally at one of its values).
    pub fn error_at_key(&self, key: &str, value: Option<&str>, message: String) -> Diagnostic {
        let front = self
            .text
            .get(self.front_start..self.body_start)
            .unwrap_or("");
        let offset = yaml::key_offset(front, key, value).map_or(0, |o| o + self.front_start);
        Diagnostic::error(&self.source, message).at_offset(&self.text, offset)
    }

    /// A diagnostic at a byte offset of the Markdown body.
    pub fn error_in_body(&self, body_offset: usize, message: String) -> Diagnostic {
        Diagnostic::error(&self.source, message)
            .at_offset(&self.text, self.text_offset(body_offset))
    }

    /// The offset in `text` of a byte offset of [`Page::body`]: where the author wrote it,
    /// even when Liquid made the body longer or shorter before it.
    pub fn text_offset(&self, body_offset: usize) -> usize {
        let source = match &self.expanded {
            Some(expanded) => expanded.source_offset(body_offset),
            None => body_offset,
        };
        self.body_start + source
    }

    /// The Markdown body, after Liquid when the site runs it; empty once let go (see
    /// [`Page::with_body`]).
    pub fn body(&self) -> &str {
        match &self.expanded {
            Some(expanded) => &expanded.text,
            None => self.text.get(self.body_start..).unwrap_or(""),
        }
    }

    /// Lets the Markdown body go, keeping the front matter (for diagnostics) and a hash of
    /// the file: a build that renders each page once need not hold every body at once (at
    /// 100,000 posts, over a GiB), nor every summary (~80 MB), which listings and feeds read
    /// again from the file. A body after Liquid is kept, as it cannot be read again without
    /// running the Liquid again.
    pub fn shed_body(&mut self) {
        if self.expanded.is_some() || self.shed.is_some() {
            return;
        }
        let shed = Shed {
            text_hash: text_hash(&self.text),
        };
        self.text.truncate(self.body_start);
        self.text.shrink_to_fit();
        self.shed = Some(shed);
    }

    /// The page with its whole text: itself, or, when its body was let go, a copy with the
    /// file read again from under `root`. A file that no longer reads as it did when the
    /// build parsed it is an error, so no output mixes two versions of it.
    pub fn with_body(&self, root: &Path) -> Result<std::borrow::Cow<'_, Page>, Diagnostic> {
        let Some(shed) = &self.shed else {
            return Ok(std::borrow::Cow::Borrowed(self));
        };
        let mut page = self.clone();
        page.text = self.read_again(root, shed)?;
        page.shed = None;
        Ok(std::borrow::Cow::Owned(page))
    }

    /// The file of a page whose body was let go, read again; an error when it no longer
    /// reads as it did when the build parsed it.
    fn read_again(&self, root: &Path, shed: &Shed) -> Result<String, Diagnostic> {
        let text = crate::source::read_text(root, &self.source)?;
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        if text_hash(&text) != shed.text_hash {
            return Err(Diagnostic::error(
                &self.source,
                "the file changed while the site was being built: build again",
            ));
        }
        Ok(text)
    }

    /// Whether the page is dated after `today` (left out of a build unless `--future`).
    pub fn is_future(&self, today: Date) -> bool {
        self.date.is_some_and(|d| d.civil.date() > today)
    }

    /// The Markdown of the page's summary: what stands before a `<!-- more -->` line, or else
    /// the first paragraph (headings, the `* TOC` marker and attribute lists skipped). None
    /// once the body was let go: see [`Page::summary_source_from`].
    pub fn summary_source(&self) -> Option<&str> {
        self.shed.is_none().then(|| summary_source(self.body()))
    }

    /// [`Page::summary_source`], read again from the file under `root` when the body was let
    /// go (an error when the file changed since the build parsed it).
    pub fn summary_source_from(
        &self,
        root: &Path,
    ) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        let Some(shed) = &self.shed else {
            return Ok(std::borrow::Cow::Borrowed(summary_source(self.body())));
        };
        let text = self.read_again(root, shed)?;
        let body = text.get(self.body_start..).unwrap_or("");
        Ok(std::borrow::Cow::Owned(summary_source(body).to_owned()))
    }
}

/// The front matter block: its YAML text and where the body starts.
struct Split<'a> {
    front: Option<(&'a str, usize)>,
    body_start: usize,
}

/// Finds front matter between a first line `---` and the next `---` (or `...`) line. As on
/// Jekyll, a first line `---` always opens front matter; `None` when no line closes it.
fn split(text: &str) -> Option<Split<'_>> {
    let no_front = Split {
        front: None,
        body_start: 0,
    };
    let Some(first) = text.split_inclusive('\n').next() else {
        return Some(no_front);
    };
    if first.trim_end() != "---" {
        return Some(no_front);
    }
    let front_start = first.len();
    let mut offset = front_start;
    for line in text[front_start..].split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(Split {
                front: Some((&text[front_start..offset], front_start)),
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    None
}

/// Front matter opened on the first line and never closed: Jekyll would publish it as text.
fn unclosed_front_matter(source: &Path, text: &str) -> Diagnostic {
    Diagnostic::error(
        source,
        "front matter opened here is never closed: add a `---` line after it",
    )
    .at(text, 1, 1)
    .with_help(
        "a first line `---` always opens front matter; for a Markdown thematic break there, \
         put an empty line above it or write `***`",
    )
}

/// Reads and resolves one content file. `text` is the file's contents.
pub fn parse(
    source: &Path,
    text: String,
    kind: PageKind,
    config: &Config,
) -> Result<Page, Vec<Diagnostic>> {
    parse_with(source, text, kind, config, None)
}

/// [`parse`], running the body's Liquid first when the site has it on (`liquid`).
pub fn parse_with(
    source: &Path,
    text: String,
    kind: PageKind,
    config: &Config,
    liquid: Option<&liquid::Env>,
) -> Result<Page, Vec<Diagnostic>> {
    // A byte order mark before the front matter is common in files saved on Windows.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    let Some(parts) = split(&text) else {
        return Err(vec![unclosed_front_matter(source, &text)]);
    };
    let (front_text, front_start) = parts.front.unwrap_or(("", parts.body_start));
    let front_line = text[..front_start].matches('\n').count() + 1;
    let mapping = if front_text.trim().is_empty() {
        Mapping::new()
    } else {
        match yaml::parse::<Value>(front_text, source, &text, front_line) {
            Ok(Value::Mapping(map)) => map,
            Ok(_) => {
                return Err(vec![
                    Diagnostic::error(
                        source,
                        "front matter must be a mapping of `key: value` lines",
                    )
                    .at(&text, front_line, 1),
                ]);
            }
            Err(diagnostic) => return Err(vec![diagnostic]),
        }
    };
    let body_start = parts.body_start;
    let mut page = Page {
        source: source.to_path_buf(),
        kind,
        title: String::new(),
        date: None,
        updated: None,
        slug: String::new(),
        url: String::new(),
        output: PathBuf::new(),
        layout: String::new(),
        authors: Vec::new(),
        authors_key: None,
        tags: Vec::new(),
        categories: Vec::new(),
        description: None,
        image: None,
        draft: false,
        comments: None,
        toc: None,
        aliases: Vec::new(),
        extra: Box::default(),
        word_count: word_count(&text[body_start..]),
        may_link_sources: text[body_start..].contains(".md"),
        may_embed: text[body_start..].contains("{{"),
        fingerprint: hash_of(&[source.as_os_str().as_encoded_bytes(), text.as_bytes()]),
        text,
        body_start,
        front_start,
        expanded: None,
        warnings: Vec::new(),
        shed: None,
    };
    let mut problems = Vec::new();
    resolve(&mut page, mapping, config, &mut problems);
    if let Some(env) = liquid.filter(|_| problems.is_empty()) {
        run_liquid(&mut page, env, &mut problems);
    }
    if problems.is_empty() {
        Ok(page)
    } else {
        Err(problems)
    }
}

/// Expands the body's Liquid, as Jekyll does before Markdown, and recounts what depends on
/// the body. Undefined variables are warnings: Jekyll renders them empty without a word.
fn run_liquid(page: &mut Page, env: &liquid::Env, problems: &mut Vec<Diagnostic>) {
    if !liquid::has_liquid(page.body()) {
        return;
    }
    let diagnostic = |page: &Page, problem: liquid::Problem, error: bool| {
        let (path, text, offset) = match &problem.place {
            liquid::Place::Body(offset) => {
                (page.source.clone(), &page.text, page.text_offset(*offset))
            }
            liquid::Place::Include { name, offset, .. } => {
                let text = env.includes.get(name).unwrap_or(&page.text);
                (Path::new(liquid::INCLUDES_DIR).join(name), text, *offset)
            }
            liquid::Place::File {
                path, text, offset, ..
            } => (PathBuf::from(path), &**text, *offset),
        };
        let diagnostic = if error {
            Diagnostic::error(path, problem.message)
        } else {
            Diagnostic::warning(path, problem.message)
        };
        let diagnostic = diagnostic.at_offset(text, offset);
        match problem.place {
            liquid::Place::Include { from, .. } | liquid::Place::File { from, .. } => {
                let at = page.text_offset(from);
                let (line, col) = crate::diag::LineIndex::new(&page.text).line_col(at);
                diagnostic.with_help(format!(
                    "included from {}:{line}:{col}",
                    page.source.display()
                ))
            }
            liquid::Place::Body(_) => diagnostic,
        }
    };
    match liquid::expand(page.body(), env, &liquid_page(page)) {
        Ok(expanded) => {
            let warnings = expanded.warnings.clone();
            let body = &expanded.text;
            page.word_count = word_count(body);
            page.may_link_sources = body.contains(".md");
            page.may_embed = body.contains("{{");
            page.fingerprint = hash_of(&[&page.fingerprint.to_le_bytes(), body.as_bytes()]);
            // Problem offsets are in the body as written: place them before the map changes.
            page.warnings = warnings
                .into_iter()
                .map(|w| diagnostic(page, w, false))
                .collect();
            page.expanded = Some(Box::new(expanded));
        }
        Err(errors) => problems.extend(errors.into_iter().map(|e| diagnostic(page, e, true))),
    }
}

/// The `page` object of a body's Liquid: the front matter as Jekyll shows it (and each post
/// of `site.posts`).
pub fn liquid_page(page: &Page) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (key, value) in page.extra.iter() {
        if let (Some(key), Ok(value)) = (key.as_str(), serde_json::to_value(value)) {
            map.insert(key.to_owned(), value);
        }
    }
    // As Jekyll prints a date: `2023-08-11 00:00:00 +0000`.
    let jekyll_date = |d: PostDate| {
        format!(
            "{} {}",
            d.civil.strftime("%Y-%m-%d %H:%M:%S"),
            d.offset_text("")
        )
    };
    let date = page.date.map(jekyll_date);
    let updated = page.updated.map(jekyll_date);
    let values = serde_json::json!({
        "title": page.title,
        "url": page.url,
        "slug": page.slug,
        "layout": page.layout,
        "tags": page.tags,
        "categories": page.categories,
        "authors": page.authors,
        "description": page.description,
        "date": date,
        "last_modified_at": updated,
        "path": page.source.to_string_lossy(),
        "draft": page.draft,
    });
    if let serde_json::Value::Object(values) = values {
        for (key, value) in values {
            if !value.is_null() {
                map.insert(key, value);
            }
        }
    }
    serde_json::Value::Object(map)
}

/// The front matter keys versus reads itself.
const FRONT_MATTER_KEYS: &[&str] = &[
    "layout",
    "title",
    "date",
    "updated",
    "last_modified_at",
    "authors",
    "author",
    "tags",
    "categories",
    "category",
    "description",
    "excerpt",
    "image",
    "draft",
    "comments",
    "toc",
    "slug",
    "permalink",
    "aliases",
    "redirect_from",
];

fn resolve(page: &mut Page, mut map: Mapping, config: &Config, problems: &mut Vec<Diagnostic>) {
    let mut take = |key: &str| map.remove(key).filter(|v| !v.is_null());
    let layout = take("layout");
    let title = take("title");
    let date = take("date");
    let updated = take("updated").map(|v| ("updated", v));
    let updated = updated.or_else(|| take("last_modified_at").map(|v| ("last_modified_at", v)));
    let authors = take("authors").map(|v| ("authors", v));
    let authors = authors.or_else(|| take("author").map(|v| ("author", v)));
    let tags = take("tags");
    // As Jekyll: `category` wins and is one category (`Tips, Tricks`), `categories` text is
    // split at whitespace.
    let category = take("category");
    let categories = take("categories");
    let description = take("description").or_else(|| take("excerpt"));
    let image = take("image");
    let draft = take("draft");
    let comments = take("comments");
    let toc = take("toc");
    let slug = take("slug");
    let permalink = take("permalink");
    let aliases = take("aliases").map(|v| ("aliases", v));
    let aliases = aliases.or_else(|| take("redirect_from").map(|v| ("redirect_from", v)));
    // Other keys reach templates as `page.extra`; one a letter or two from a key versus knows
    // is most likely that key mistyped.
    for key in map.keys().filter_map(|k| k.as_str()) {
        if let Some(near) = crate::diag::did_you_mean(key, FRONT_MATTER_KEYS.iter().copied())
            && near != key
        {
            let mut d = page.error_at_key(
                key,
                None,
                format!("unknown front matter key `{key}`: did you mean `{near}`?"),
            );
            d.severity = crate::diag::Severity::Warning;
            page.warnings.push(d.with_help(format!(
                "other keys reach layouts as page.extra.{key}; rename it to `{near}` if that is what it means"
            )));
        }
    }
    // The keys taken above leave their room behind: held by every page for the whole build.
    map.shrink_to_fit();
    *page.extra = map;
    if let Some((key, value)) = aliases {
        page.aliases = read_aliases(page, key, &value, problems);
    }

    let mut text_of = |key: &str, value: Option<Value>, page: &Page| -> Option<String> {
        let value = value?;
        let text = yaml::as_text(&value);
        if text.is_none() {
            problems.push(page.error_at_key(key, None, format!("`{key}` must be text")));
        }
        text
    };
    let title = text_of("title", title, page);
    let date_text = text_of("date", date, page);
    let updated_key = updated.as_ref().map(|(key, _)| *key);
    let updated_text = updated.and_then(|(key, v)| text_of(key, Some(v), page));
    let slug = text_of("slug", slug, page);
    let permalink = text_of("permalink", permalink, page);
    let layout = text_of("layout", layout, page);
    page.description = text_of("description", description, page);
    page.image = image.map(Box::new);
    page.authors_key = authors.as_ref().map(|(key, _)| *key);
    page.authors = list(authors.map(|(_, v)| v)).unwrap_or_else(|| config.authors.clone());
    page.tags = list(tags).unwrap_or_default();
    page.categories = match category {
        Some(Value::Sequence(_)) | None => list(category.or(categories)),
        Some(one) => Some(yaml::as_text(&one).into_iter().collect()),
    }
    .unwrap_or_default();
    let mut flag = |key: &str, value: Option<Value>| match value {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => {
            problems.push(page.error_at_key(key, None, format!("`{key}` must be true or false")));
            None
        }
    };
    let draft_flag = flag("draft", draft);
    let comments_flag = flag("comments", comments);
    let toc_flag = flag("toc", toc);
    page.draft = draft_flag.unwrap_or(false);
    page.comments = comments_flag;
    page.toc = toc_flag;

    let stem = page
        .source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (file_date, file_slug) = split_dated_name(&stem);
    page.date = match &date_text {
        Some(text) => match PostDate::parse(text) {
            Some(date) => Some(date),
            None => {
                problems.push(page.error_at_key(
                    "date",
                    None,
                    format!("invalid date `{text}`: expected `YYYY-MM-DD`, optionally with `HH:MM:SS` and an offset such as `+0200`"),
                ));
                None
            }
        },
        None => file_date.map(|civil| PostDate {
            civil: civil.to_datetime(jiff::civil::Time::midnight()),
            offset: None,
            has_time: false,
        }),
    };
    if let (Some(key), Some(text)) = (updated_key, &updated_text) {
        page.updated = PostDate::parse(text);
        match (page.updated, page.date) {
            (None, _) => problems.push(page.error_at_key(
                key,
                Some(text),
                format!("invalid date `{text}`: expected `YYYY-MM-DD`, optionally with `HH:MM:SS` and an offset such as `+0200`"),
            )),
            (Some(updated), Some(date)) if updated.sort_key() < date.sort_key() => {
                problems.push(page.error_at_key(
                    key,
                    Some(text),
                    format!(
                        "`{key}` {} is before the page's date {}",
                        updated.to_rfc3339(),
                        date.to_rfc3339()
                    ),
                ));
                page.updated = None;
            }
            _ => {}
        }
    }
    if page.kind == PageKind::Post && page.date.is_none() && date_text.is_none() {
        problems.push(
            Diagnostic::error(
                &page.source,
                "a post needs a date: name the file `YYYY-MM-DD-slug.md` or set `date:`",
            )
            .at(&page.text, 1, 1),
        );
    }
    page.slug = slug.unwrap_or_else(|| match page.kind {
        PageKind::Post => file_slug.to_owned(),
        PageKind::Page => stem.clone(),
    });
    page.title = title.unwrap_or_else(|| page.slug.replace('-', " "));
    page.layout = layout.unwrap_or_else(|| match page.kind {
        PageKind::Post => "post".into(),
        PageKind::Page if page_path(&page.source) == "/" => "index".into(),
        PageKind::Page => "page".into(),
    });

    let url = match (&permalink, page.kind) {
        (Some(pattern), _) => expand_permalink(pattern, page, config.jekyll_compatible()),
        (None, PageKind::Post) => {
            expand_permalink(&config.permalink, page, config.jekyll_compatible())
        }
        (None, PageKind::Page) => Ok(page_path(&page.source)),
    };
    match url {
        Ok(url) => {
            // The folder a browser asks for: `/tips,%20tricks/` is `tips, tricks/`.
            let decoded = percent_encoding::percent_decode_str(&url).decode_utf8_lossy();
            page.output = output_file(&decoded);
            page.url = url;
        }
        Err(message) => problems.push(match permalink {
            Some(_) => page.error_at_key("permalink", None, message),
            None => Diagnostic::error(crate::config::FILE_NAME, message),
        }),
    }
}

/// `aliases: [/old/, /older/]` (or one path), each placed where it is written.
fn read_aliases(
    page: &Page,
    key: &str,
    value: &Value,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Alias> {
    let items: Vec<&Value> = match value {
        Value::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    let front = &page.text[page.front_start..page.body_start];
    let at = yaml::Locator::new(front);
    let mut aliases = Vec::new();
    let mut previous = None;
    for (i, item) in items.into_iter().enumerate() {
        let Some(path) = yaml::as_text(item) else {
            problems.push(page.error_at_key(
                key,
                None,
                format!("`{key}` must be a list of paths such as `[/2019/old-post/]`"),
            ));
            continue;
        };
        let key_path = [yaml::Seg::Key(key.into())];
        let offset = yaml::list_item_offset(front, &at, &key_path, i, &path, previous);
        previous = Some(offset);
        let alias = Alias {
            path,
            offset: page.front_start + offset,
        };
        if let Some(problem) = crate::text::alias_problem(&alias.path) {
            problems
                .push(Diagnostic::error(&page.source, problem).at_offset(&page.text, alias.offset));
            continue;
        }
        aliases.push(alias);
    }
    aliases
}

/// A front matter list: `[a, b]`, a YAML sequence, or one value (Jekyll also allows `a b`
/// for tags, which we take as one tag per word only when no list syntax is used).
fn list(value: Option<Value>) -> Option<Vec<String>> {
    Some(match value? {
        Value::Sequence(items) => items.iter().filter_map(yaml::as_text).collect(),
        other => yaml::as_text(&other)
            .map(|text| text.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Overrides, from_source};

    fn config() -> Config {
        from_source(
            Path::new("site.yaml"),
            "authors: [ann]\n",
            &Overrides::default(),
        )
        .unwrap()
    }

    fn post(name: &str, text: &str) -> Result<Page, Vec<Diagnostic>> {
        parse(
            &Path::new("content/posts").join(name),
            text.to_owned(),
            PageKind::Post,
            &config(),
        )
    }

    #[test]
    fn a_body_let_go_reads_again_the_same_or_not_at_all() {
        let root = tempfile::tempdir().unwrap();
        let name = "2024-01-02-a.md";
        let text = "\u{feff}---\ntitle: A\ntags: [x]\n---\nFirst *para*.\n\nSecond.\n";
        std::fs::create_dir_all(root.path().join("content/posts")).unwrap();
        let file = root.path().join("content/posts").join(name);
        std::fs::write(&file, text).unwrap();
        let whole = post(name, text).unwrap();
        let mut page = whole.clone();
        page.shed_body();
        assert_eq!(page.body(), "", "the body is let go");
        assert!(page.text.len() < whole.text.len());
        assert_eq!(page.summary_source(), None, "the summary is let go too");
        let summary = page.summary_source_from(root.path()).unwrap();
        assert_eq!(summary, "First *para*.");
        assert_eq!(
            (page.word_count, page.fingerprint),
            (whole.word_count, whole.fingerprint)
        );
        let message = "unknown".to_owned();
        let at_key = |p: &Page| {
            p.error_at_key("tags", Some("x"), message.clone())
                .to_string()
        };
        assert_eq!(at_key(&page), at_key(&whole), "front matter positions stay");

        let again = page.with_body(root.path()).unwrap();
        assert_eq!(again.body(), whole.body());
        assert_eq!(again.text, whole.text);
        assert_eq!(again.summary_source(), Some("First *para*."));

        std::fs::write(&file, text.replace("Second", "Changed")).unwrap();
        let err = page.summary_source_from(root.path()).unwrap_err();
        assert!(err.to_string().contains("changed while"), "{err}");
        let err = page.with_body(root.path()).unwrap_err();
        assert!(
            err.to_string()
                .contains("changed while the site was being built"),
            "{err}"
        );
        std::fs::remove_file(&file).unwrap();
        assert!(
            page.with_body(root.path()).is_err(),
            "a file gone is an error"
        );
        // A page that keeps its body needs no file.
        assert_eq!(whole.with_body(root.path()).unwrap().body(), whole.body());
    }

    #[test]
    fn jekyll_post_resolves_date_slug_url_and_lists() {
        let page = post(
            "2023-08-11-k8s-compare.md",
            "\u{feff}---\nlayout: post\ntitle: 'A: b'\ntags: [cloud, aws]\ncategory: Cloud\nseries: k8s\n---\n# Hi\n",
        )
        .unwrap();
        assert_eq!(page.title, "A: b");
        assert_eq!(page.slug, "k8s-compare");
        assert_eq!(page.url, "/2023/08/11/k8s-compare/");
        assert_eq!(page.output, Path::new("2023/08/11/k8s-compare/index.html"));
        assert_eq!(page.tags, ["cloud", "aws"]);
        assert_eq!(page.categories, ["Cloud"]);
        assert_eq!(page.authors, ["ann"]);
        assert_eq!(page.body(), "# Hi\n");
        assert!(page.extra.contains_key("series"));
    }

    #[test]
    fn front_matter_must_be_closed_when_the_first_line_opens_it() {
        let errors = post("2023-08-11-a.md", "---\ntitle: x\n\nBody.\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (1, 1));
        assert!(errors[0].message.contains("never closed"), "{}", errors[0]);
        assert!(
            split("---").is_none(),
            "a lone `---` opens and never closes"
        );
        let below = split("Intro\n\n---\n\nMore\n").unwrap();
        assert!(
            below.front.is_none(),
            "a `---` below the first line is Markdown"
        );
        let dots = split("---\ntitle: x\n...\nBody\n").unwrap();
        assert_eq!(dots.front.map(|f| f.0), Some("title: x\n"));
    }

    #[test]
    fn front_matter_date_wins_and_keeps_its_offset() {
        let page = post(
            "2023-08-11-a.md",
            "---\ndate: 2023-08-12 10:30:00 +0200\n---\n",
        )
        .unwrap();
        assert_eq!(page.date.unwrap().to_rfc3339(), "2023-08-12T10:30:00+02:00");
        assert_eq!(page.url, "/2023/08/12/a/");
    }

    #[test]
    fn invalid_date_and_yaml_errors_have_positions() {
        let errors = post("2023-08-11-a.md", "---\ntitle: x\ndate: 2023-13-45\n---\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (3, 1));
        assert!(errors[0].message.contains("invalid date"));
        let errors = post("2023-08-11-a.md", "---\ntitle: x\ntags: [a\n---\n").unwrap_err();
        assert!(errors[0].line >= 3, "{}", errors[0]);
        let errors = post("no-date.md", "---\ntitle: x\n---\n").unwrap_err();
        assert!(errors[0].message.contains("needs a date"));
    }

    #[test]
    fn pages_and_permalink_patterns() {
        let about = parse(
            Path::new("content/about.md"),
            "---\ntitle: About\n---\n".into(),
            PageKind::Page,
            &config(),
        )
        .unwrap();
        assert_eq!(
            (about.url.as_str(), about.layout.as_str()),
            ("/about/", "page")
        );
        let jekyll = post(
            "2023-08-11-a.md",
            "---\ncategories: [Cloud Native]\npermalink: /:categories/:year/:month/:day/:title:output_ext\n---\n",
        )
        .unwrap();
        assert_eq!(jekyll.url, "/cloud-native/2023/08/11/a.html");
        assert_eq!(jekyll.output, Path::new("cloud-native/2023/08/11/a.html"));
        // Found on a real Jekyll blog: without a leading slash the links were broken.
        let relative = post("2023-08-11-a.md", "---\npermalink: notes/:year/a/\n---\n").unwrap();
        assert_eq!(relative.url, "/notes/2023/a/");
        assert_eq!(relative.output, Path::new("notes/2023/a/index.html"));
        // Found on a real Jekyll blog: `category: Tips, Tricks` is one category on Jekyll, while
        // `categories:` text is split at spaces.
        let one = post(
            "2023-08-11-a.md",
            "---\ncategory: Tips, Tricks\ncategories: x y\n---\n",
        )
        .unwrap();
        assert_eq!(one.categories, ["Tips, Tricks"]);
        let split = post("2023-08-11-a.md", "---\ncategories: Tips, Tricks\n---\n").unwrap();
        assert_eq!(split.categories, ["Tips,", "Tricks"]);
        let bad = post("2023-08-11-a.md", "---\npermalink: /:nope/\n---\n").unwrap_err();
        assert!(bad[0].message.contains("unknown placeholder `:nope`"));
        assert_eq!(bad[0].line, 2);
    }

    /// Jekyll keeps a category as written in the URL, lower-cased and escaped
    /// (`/tips,%20tricks/`), and writes the page to the folder that URL names (`tips, tricks/`);
    /// a Jekyll site (`liquid: true`) gets the same, other sites a slug.
    #[test]
    fn categories_in_a_jekyll_permalink_are_kept_as_jekyll_keeps_them() {
        let text = "---\ncategory: Tips, Tricks\npermalink: /:categories/:title:output_ext\n---\n";
        let jekyll = from_source(
            Path::new("site.yaml"),
            "liquid: true\n",
            &Overrides::default(),
        )
        .unwrap();
        let path = Path::new("content/posts/2023-08-11-a.md");
        let page = parse(path, text.into(), PageKind::Post, &jekyll).unwrap();
        assert_eq!(page.url, "/tips,%20tricks/a.html");
        assert_eq!(page.output, Path::new("tips, tricks/a.html"));
        let text = "---\ncategories: [Café, café, \"50% off?\", a#b]\npermalink: /:categories/:title/\n---\n";
        let page = parse(path, text.into(), PageKind::Post, &jekyll).unwrap();
        assert_eq!(page.url, "/caf%C3%A9/50%25%20off%3F/a%23b/a/");
        assert_eq!(page.output, Path::new("café/50% off?/a#b/a/index.html"));
        let text = "---\ncategory: Tips, Tricks\npermalink: /:categories/:title:output_ext\n---\n";
        let slugged = post("2023-08-11-a.md", text).unwrap();
        assert_eq!(slugged.url, "/tips-tricks/a.html");
    }

    #[test]
    fn word_count_leaves_out_code_and_comments() {
        let body = "# Two words\n\nIt's *very* important, `some code` here.\n<!-- not\ncounted -->\n```\nnot counted at all\n```\n- a list item\n";
        assert_eq!(word_count(body), 2 + 4 + 3);
    }

    #[test]
    fn summaries_and_future_dates() {
        let body = "* TOC\n{:toc}\n\n## Intro\n\nFirst *para*\ngoes on.\n{: .lead}\n\nSecond.\n";
        assert_eq!(summary_source(body), "First *para*\ngoes on.");
        assert_eq!(summary_source("A\n\nB\n<!-- more -->\nC"), "A\n\nB");
        assert_eq!(summary_source("# Only a heading\n"), "");
        // kramdown abbreviation definitions show nothing, so they are no summary.
        assert_eq!(
            summary_source("*[SQS]: Simple Queue Service\n*[DLQ]:\n\nSQS first.\n"),
            "SQS first."
        );
        let page = post("2023-08-11-a.md", "---\ntitle: x\n---\n").unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        assert!(page.is_future(day("2023-08-10")));
        assert!(!page.is_future(day("2023-08-11")));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Cloud Native & AWS!"), "cloud-native-aws");
        assert_eq!(slugify("Über"), "über");
    }
}

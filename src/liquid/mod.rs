//! Jekyll's Liquid in post bodies: the subset real posts use, run before Markdown as Jekyll
//! runs it (code fences included), so a post written for Jekyll builds unchanged.
//!
//! Why our own: the `liquid` crate is strict about undefined variables (`{{ site.nope }}` is
//! an error there, empty in Jekyll) and has no switch for it; Jekyll posts rely on the lax
//! behaviour. What is here: `{{ expr | filter: arg }}`, `raw`, `comment`, `highlight`,
//! `include` and `include_relative` with parameters, `assign`, `capture`,
//! `if`/`elsif`/`else`/`unless`, `case`/`when`, `for`, `cycle`, `post_url`, `link`,
//! `site.posts`, and whitespace control (`{%-`, `-%}`). A `{{ name(...) }}` call is not Liquid; it is left for
//! versus's own embeds (`{{ matrix("storage") }}`).
//!
//! The result keeps a map from output offsets back to the body, so the Markdown stage can
//! still report problems at the author's line and column.
//!
//! The parts in pipeline order: `lexer` (text and tags), `parser` (the node tree), `markup`
//! (the expressions inside tags), `eval` (rendering), `filters` (values and filters).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diag::Diagnostic;

mod eval;
mod filters;
mod lexer;
mod markup;
mod parser;

use eval::{Scope, Source, render};
use lexer::ParseError;
use parser::{Node, parse};

/// How deep blocks (`if`, `for`, `capture`...), includes and the parentheses and brackets of
/// an expression may nest: Shopify's Liquid stops at 100 too. Parsing and rendering recurse
/// once per level, so this is what keeps the stack from overflowing.
pub const MAX_DEPTH: usize = 100;

/// Steps of Liquid per page: each tag or output rendered, each loop iteration, each item a
/// range or `split` makes. A real post takes thousands; a runaway loop stops here.
pub const MAX_STEPS: usize = 1_000_000;

/// Bytes of text Liquid may make per page: output, captures and filter results together.
pub const MAX_TEXT_BYTES: usize = 64 << 20;

/// The folder of include files, Jekyll's `_includes/`.
pub const INCLUDES_DIR: &str = "includes";

/// Everything a body's Liquid can see besides the page: `site.*` and the includes folder.
#[derive(Debug, Default)]
pub struct Env {
    /// The `site` object.
    pub site: Value,
    /// Include files by name (`"note.html"`, `"figures/wide.html"`) → text.
    pub includes: HashMap<String, String>,
    /// Each include parsed once, not on every use in every page.
    parsed: HashMap<String, Result<Vec<Node>, ParseError>>,
    /// The site root, which `include_relative` reads files beside the page from (None: it
    /// reads nothing).
    root: Option<PathBuf>,
    /// For `post_url`: a post's file name without extension (`2024-01-15-name`) → its URL.
    post_urls: HashMap<String, String>,
    /// For `link`: a page's, post's or static file's path in the site (`content/about.md`,
    /// `static/img/x.png`) → its URL.
    links: HashMap<String, String>,
}

/// The site's pages as a body's Liquid sees them, made before any body runs: `site.posts`,
/// and what `post_url` and `link` resolve.
#[derive(Debug, Default)]
pub struct SitePages {
    /// Each post's `page` object (with `url` and `path`), newest first.
    pub posts: Vec<Value>,
    /// Each other page's `page` object.
    pub pages: Vec<Value>,
    /// Files of `static/`, relative to the root (`static/img/x.png`).
    pub statics: Vec<PathBuf>,
}

impl Env {
    pub fn new(site: Value, includes: HashMap<String, String>) -> Env {
        let parsed = includes
            .iter()
            .map(|(name, text)| (name.clone(), parse(text)))
            .collect();
        Env {
            site,
            includes,
            parsed,
            ..Env::default()
        }
    }

    /// Gives Liquid the site's pages: `site.posts`, and the URLs of `post_url` and `link`.
    pub fn set_pages(&mut self, pages: SitePages) {
        let text =
            |page: &Value, key: &str| page.get(key).and_then(Value::as_str).map(str::to_owned);
        for page in pages.posts.iter().chain(&pages.pages) {
            let (Some(path), Some(url)) = (text(page, "path"), text(page, "url")) else {
                continue;
            };
            let path = path.replace('\\', "/");
            if let Some(stem) = Path::new(&path)
                .file_stem()
                .filter(|_| path.starts_with("content/posts/"))
            {
                self.post_urls
                    .insert(stem.to_string_lossy().into_owned(), url.clone());
            }
            self.links.insert(path, url);
        }
        for path in &pages.statics {
            let path = path.to_string_lossy().replace('\\', "/");
            if let Some(url) = path.strip_prefix("static") {
                self.links.insert(path.clone(), url.to_owned());
            }
        }
        let posts = pages.posts.into_iter().map(with_post_id).collect();
        if let Value::Object(site) = &mut self.site {
            site.insert("posts".to_owned(), Value::Array(posts));
        }
    }

    /// The URL (without the base path) of the post `name` names, as Jekyll's `post_url`
    /// takes it: `2024-01-15-name`, or with the folder it is in (`/2024-01-15-name`).
    fn post_url(&self, name: &str) -> Option<&str> {
        let name = name.rsplit('/').next().unwrap_or(name);
        self.post_urls.get(name).map(String::as_str)
    }

    /// The URL (without the base path) of the file at `path` as Jekyll's `link` names it, from
    /// the Jekyll site's root (`_posts/x.md`, `about.md`, `img/x.png`), or as versus does
    /// (`content/about.md`, `static/img/x.png`).
    fn link(&self, path: &str) -> Option<&str> {
        let path = path.trim_start_matches('/');
        let jekyll = match path.strip_prefix("_posts/") {
            Some(post) => format!("content/posts/{post}"),
            None => format!("content/{path}"),
        };
        let candidates = [
            path.to_owned(),
            jekyll.clone(),
            // An import renames Jekyll's `.markdown` and other Markdown extensions to `.md`.
            Path::new(&jekyll)
                .with_extension("md")
                .to_string_lossy()
                .into_owned(),
            format!("static/{path}"),
        ];
        candidates
            .iter()
            .find_map(|c| self.links.get(c))
            .map(String::as_str)
    }

    /// The names `post_url` knows, for a did-you-mean.
    fn post_names(&self) -> impl Iterator<Item = &str> {
        self.post_urls.keys().map(String::as_str)
    }

    /// The site's Liquid: `site.*` from site.yaml (with Jekyll's `url` and `baseurl`) and the
    /// files of `includes/`. None when the site does not run Liquid.
    pub fn load(
        root: &Path,
        config: &Config,
        files: &[PathBuf],
    ) -> Result<Option<Env>, Vec<Diagnostic>> {
        if !config.liquid {
            return Ok(None);
        }
        let mut includes = HashMap::new();
        let mut problems = Vec::new();
        for path in files {
            let Ok(name) = path.strip_prefix(INCLUDES_DIR) else {
                continue;
            };
            let name = name.to_string_lossy().replace('\\', "/");
            match crate::source::read_text(root, path) {
                Ok(text) => {
                    includes.insert(name, text);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut env = Env::new(site_object(config), includes);
        env.root = Some(root.to_owned());
        Ok(Some(env))
    }
}

/// A post of `site.posts` with Jekyll's `id`: the folder of its URL and its slug
/// (`/db/2024/01/15/first`).
fn with_post_id(mut post: Value) -> Value {
    let url = post.get("url").and_then(Value::as_str).unwrap_or("");
    let slug = post.get("slug").and_then(Value::as_str).unwrap_or("");
    let folder = url.trim_end_matches('/');
    let folder = folder.rsplit_once('/').map_or("", |(folder, _)| folder);
    let id = format!("{folder}/{slug}");
    if let Value::Object(map) = &mut post {
        map.entry("id").or_insert(Value::String(id));
    }
    post
}

/// `site.*`: every key of site.yaml, plus the typed ones under their Jekyll names too.
fn site_object(config: &Config) -> Value {
    let mut site = Map::new();
    for (key, value) in &config.extra {
        if let (Some(key), Ok(value)) = (key.as_str(), serde_json::to_value(value)) {
            site.insert(key.to_owned(), value);
        }
    }
    let origin = &config.base_url[..config.base_url.len() - config.base_path.len()];
    let typed = [
        ("title", &config.title),
        ("description", &config.description),
        ("base_url", &config.base_url),
        ("lang", &config.language),
        ("language", &config.language),
        ("url", &origin.to_owned()),
        ("baseurl", &config.base_path),
    ];
    for (key, value) in typed {
        site.entry(key)
            .or_insert_with(|| Value::String(value.clone()));
    }
    Value::Object(site)
}

/// Where a problem is: a byte offset in the body, or in an include file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Body(usize),
    /// `offset` in include file `name`, included by the tag at body offset `from`.
    Include {
        name: String,
        offset: usize,
        from: usize,
    },
    /// `offset` in the file at `path` (from the site root) of an `include_relative`, whose
    /// text is `text`, included by the tag at body offset `from`.
    File {
        path: String,
        text: std::sync::Arc<String>,
        offset: usize,
        from: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

/// A body after Liquid: the text for Markdown, where each part of it came from, and
/// warnings (undefined variables and filters, which Jekyll silently ignores).
#[derive(Debug, Clone)]
pub struct Expanded {
    pub text: String,
    /// `(output offset, body offset, copied)`, ascending: from each output offset on, the text
    /// is the body's from that body offset (`copied`) or was made by the tag there.
    spans: Vec<(usize, usize, bool)>,
    pub warnings: Vec<Problem>,
}

impl Expanded {
    /// The body offset an output offset came from: exact in copied text, else the tag's start.
    pub fn source_offset(&self, output: usize) -> usize {
        let i = self.spans.partition_point(|&(out, _, _)| out <= output);
        match i.checked_sub(1).map(|i| self.spans[i]) {
            Some((out, body, true)) => body + (output - out),
            Some((_, body, false)) => body,
            None => output,
        }
    }
}

/// Whether `text` has anything Liquid would touch; Jekyll skips Liquid for bodies without.
pub fn has_liquid(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Runs the body's Liquid with `page` as the `page` object.
pub fn expand(body: &str, env: &Env, page: &Value) -> Result<Expanded, Vec<Problem>> {
    let mut out = Output::default();
    if !has_liquid(body) {
        out.copy(body, 0);
        return Ok(out.finish());
    }
    let nodes = parse(body).map_err(|(offset, message)| {
        vec![Problem {
            place: Place::Body(offset),
            message,
        }]
    })?;
    let mut scope = Scope::new(env, page);
    let source = Source {
        text: body,
        include: None,
        file: None,
    };
    // A halt has put its error in `scope.errors` already.
    let _ = render(&nodes, source, &mut scope, &mut out);
    out.warnings = scope.warnings;
    if scope.errors.is_empty() {
        Ok(out.finish())
    } else {
        Err(scope.errors)
    }
}

// ---------------------------------------------------------------------------------------
// Output with its source map.

#[derive(Default)]
struct Output {
    text: String,
    spans: Vec<(usize, usize, bool)>,
    warnings: Vec<Problem>,
}

impl Output {
    fn copy(&mut self, text: &str, body_offset: usize) {
        self.spans.push((self.text.len(), body_offset, true));
        self.text.push_str(text);
    }

    fn made(&mut self, text: &str, body_offset: usize) {
        if !text.is_empty() {
            self.spans.push((self.text.len(), body_offset, false));
            self.text.push_str(text);
        }
    }

    fn finish(self) -> Expanded {
        Expanded {
            text: self.text,
            spans: self.spans,
            warnings: self.warnings,
        }
    }
}

/// The second word of the info string of a fence made from `{% highlight %}`: Jekyll writes
/// those as a `<figure>`, so the Markdown stage needs to know.
pub const HIGHLIGHT_TAG_MARK: &str = "{%highlight%}";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env() -> Env {
        let mut includes = HashMap::new();
        includes.insert(
            "note.html".to_owned(),
            "<aside class=\"{{ include.kind | default: 'note' }}\">{{ include.text }}</aside>"
                .to_owned(),
        );
        includes.insert("loop.html".to_owned(), "{% include loop.html %}".to_owned());
        let site = json!({"baseurl": "/blog", "url": "https://example.org", "title": "T",
                         "tags": ["a", "b", "c"]});
        Env::new(site, includes)
    }

    fn run(body: &str) -> String {
        let page =
            json!({"title": "A: B", "tags": ["eks", "aks"], "date": "2023-08-11 00:00:00 +0000"});
        expand(body, &env(), &page).unwrap().text
    }

    #[test]
    fn outputs_and_filters() {
        assert_eq!(
            run("![x]({{ '/img/x.png' | prepend: site.baseurl }})"),
            "![x](/blog/img/x.png)"
        );
        assert_eq!(
            run("{{ site.title }} / {{ page.title | upcase }}"),
            "T / A: B"
        );
        assert_eq!(
            run("{{ '/a/' | relative_url }} {{ 'a' | absolute_url }}"),
            "/blog/a/ https://example.org/blog/a"
        );
        assert_eq!(
            run("{{ page.tags | join: ', ' }} {{ page.tags.size }} {{ site.tags[1] }}"),
            "eks, aks 2 b"
        );
        assert_eq!(
            run("{{ page.date | date: '%B %-d, %Y' }}"),
            "August 11, 2023"
        );
        assert_eq!(run("{{ page.date | date_to_string }}"), "11 Aug 2023");
        assert_eq!(
            run("{{ 7 | plus: 3 | times: 2 }} {{ 7 | divided_by: 2 }}"),
            "20 3"
        );
        assert_eq!(run("{{ \"Hello World\" | slugify }}"), "hello-world");
    }

    #[test]
    fn undefined_is_empty_with_a_warning() {
        let expanded =
            expand("a{{ site.nope }}b{{ nothing.at.all }}c", &env(), &json!({})).unwrap();
        assert_eq!(expanded.text, "abc");
        assert_eq!(expanded.warnings.len(), 2);
        assert!(
            expanded.warnings[0].message.contains("site.nope"),
            "{:?}",
            expanded.warnings
        );
        assert_eq!(expanded.warnings[0].place, Place::Body(1));
    }

    #[test]
    fn unknown_filters_pass_the_value_through() {
        let expanded = expand("{{ 'x' | frobnicate }}", &env(), &json!({})).unwrap();
        assert_eq!(expanded.text, "x");
        assert!(expanded.warnings[0].message.contains("frobnicate"));
    }

    #[test]
    fn raw_and_comment() {
        assert_eq!(
            run("a {% raw %}{{ x }} {% if %}{% endraw %} b"),
            "a {{ x }} {% if %} b"
        );
        assert_eq!(run("a{% comment %} {{ x }} {% endcomment %}b"), "ab");
    }

    #[test]
    fn versus_embeds_are_left_alone() {
        assert_eq!(
            run("{{ matrix(\"storage\", only=\"differences\") }}"),
            "{{ matrix(\"storage\", only=\"differences\") }}"
        );
    }

    #[test]
    fn control_flow() {
        assert_eq!(
            run("{% if page.tags contains 'eks' %}yes{% else %}no{% endif %}"),
            "yes"
        );
        assert_eq!(run("{% unless page.image %}none{% endunless %}"), "none");
        assert_eq!(run("{% if site.nope == empty %}e{% endif %}"), "e");
        assert_eq!(run("{% if 1 > 2 or 2 > 1 and true %}t{% endif %}"), "t");
        assert_eq!(
            run("{% for t in page.tags %}{{ forloop.index }}={{ t }};{% endfor %}"),
            "1=eks;2=aks;"
        );
        assert_eq!(
            run("{% for i in (1..5) limit: 2 offset: 1 %}{{ i }}{% endfor %}"),
            "23"
        );
        assert_eq!(
            run("{% for i in site.nope %}x{% else %}none{% endfor %}"),
            "none"
        );
        assert_eq!(
            run(
                "{% assign n = page.tags | size %}{{ n }}{% capture c %}[{{ n }}]{% endcapture %}{{ c }}"
            ),
            "2[2]"
        );
    }

    #[test]
    fn whitespace_control() {
        assert_eq!(run("a  {%- if true -%}  b  {%- endif -%}  c"), "abc");
        assert_eq!(run("a\n{{- 'x' -}}\nb"), "axb");
    }

    #[test]
    fn includes_with_parameters() {
        assert_eq!(
            run(
                "{% include note.html text=\"Hi\" kind='warn' %}|{% include note.html text=page.title %}"
            ),
            "<aside class=\"warn\">Hi</aside>|<aside class=\"note\">A: B</aside>"
        );
        let errors = expand("x {% include nope.html %}", &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(2));
        assert!(
            errors[0].message.contains("no include `nope.html`"),
            "{errors:?}"
        );
        let errors = expand("{% include loop.html %}", &env(), &json!({})).unwrap_err();
        assert!(errors[0].message.contains("includes itself"), "{errors:?}");
    }

    #[test]
    fn highlight_becomes_a_fence() {
        assert_eq!(
            run("{% highlight yaml %}\nkey: {{ site.title }}\n{% endhighlight %}\n"),
            "```yaml {%highlight%}\nkey: T\n```\n\n"
        );
        assert_eq!(
            run("{% highlight md %}\n```\n{% endhighlight %}"),
            "````md {%highlight%}\n```\n````\n"
        );
    }

    /// Found on a real Jekyll blog: indented in a list item, the fence was read inside the item
    /// and its closing line outside, so the rest of the page became code under a visible
    /// "```java {%highlight%}".
    #[test]
    fn an_indented_highlight_starts_a_line_of_its_own() {
        assert_eq!(
            run("1. Step:\n\n   {% highlight java %}\n   int x;\n   {% endhighlight %}\n"),
            "1. Step:\n\n   \n```java {%highlight%}\n   int x;\n   \n```\n\n"
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let errors = expand("ok\n{% frob %}", &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(3));
        assert!(errors[0].message.contains("unknown Liquid tag `frob`"));
        let errors = expand("{% if x %}never closed", &env(), &json!({})).unwrap_err();
        assert!(
            errors[0].message.contains("without `{% endif %}`"),
            "{errors:?}"
        );
        let errors = expand("a {{ x", &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(2));
    }

    #[test]
    fn offsets_map_back_to_the_body() {
        let body = "{{ site.title }} and [link](nope.md)";
        let expanded = expand(body, &env(), &json!({})).unwrap();
        let at = expanded.text.find("nope").unwrap();
        assert_eq!(expanded.source_offset(at), body.find("nope").unwrap());
        assert_eq!(expanded.source_offset(0), 0);
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(
            run("{{ 9223372036854775806 | plus: 1 }} {{ -9 | abs }} {{ 10 | divided_by: 4.0 }}"),
            "9223372036854775807 -9 2.5"
        );
        let errors = expand("{{ 1 | modulo: 0 }}", &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(7));
        assert_eq!(errors[0].message, "`modulo`: divided by 0");
    }

    #[test]
    fn limits_stop_with_one_error() {
        let errors = expand(
            "{% for i in (1..2000000) %}{% endfor %}{% for i in (1..2000000) %}{% endfor %}",
            &env(),
            &json!({}),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].place, Place::Body(0));
        let errors = expand(&"{% if true %}".repeat(101), &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(100 * "{% if true %}".len()));
    }

    #[test]
    fn case_renders_every_matching_when_as_liquid_does() {
        // Jekyll 4.3 (Liquid 4) renders `ABBCB` for this: each `when` that matches.
        assert_eq!(
            run(
                "{% case 'b' %}junk{% when 'a', 'b' %}AB{% when 'b' or 'c' %}BC{% when 'b' %}B{% else %}E{% endcase %}"
            ),
            "ABBCB"
        );
        assert_eq!(
            run(
                "{% case page.tags.size %}{% when 1 %}one{% when 2 %}two{% else %}many{% endcase %}"
            ),
            "two"
        );
        assert_eq!(
            run("{% case 3 %}{% when 1 %}one{% else %}other{% endcase %}"),
            "other"
        );
        let errors = expand("{% case 1 %}{% when 1 %}x", &env(), &json!({})).unwrap_err();
        assert!(
            errors[0].message.contains("without `{% endcase %}`"),
            "{errors:?}"
        );
        let errors =
            expand("{% case 1 %}{% when %}x{% endcase %}", &env(), &json!({})).unwrap_err();
        assert_eq!(errors[0].place, Place::Body(0));
    }

    #[test]
    fn cycle_counts_per_group_across_the_page() {
        assert_eq!(
            run("{% for i in (1..5) %}{% cycle 'odd', 'even' %},{% endfor %}"),
            "odd,even,odd,even,odd,"
        );
        // Jekyll 4.3 writes `abaa`: named groups count apart, unnamed ones by their values.
        assert_eq!(
            run(
                "{% cycle 'g1': 'a', 'b' %}{% cycle 'g1': 'a', 'b' %}{% cycle 'g2': 'a', 'b' %}{% cycle 'a', 'b' %}"
            ),
            "abaa"
        );
    }

    fn with_pages() -> Env {
        let mut env = env();
        let post = |path: &str, url: &str, title: &str, slug: &str| json!({"path": path, "url": url, "title": title, "slug": slug});
        env.set_pages(SitePages {
            posts: vec![
                post(
                    "content/posts/2024-02-01-second.md",
                    "/2024/02/01/second.html",
                    "Second",
                    "second",
                ),
                post(
                    "content/posts/2024-01-15-first.md",
                    "/db/2024/01/15/first.html",
                    "First",
                    "first",
                ),
            ],
            pages: vec![json!({"path": "content/about.md", "url": "/about/"})],
            statics: vec![PathBuf::from("static/img/x.svg")],
        });
        env
    }

    #[test]
    fn post_url_and_link_give_urls_under_the_base_path() {
        let env = with_pages();
        let out = |body: &str| expand(body, &env, &json!({})).map(|e| e.text);
        assert_eq!(
            out("{% post_url 2024-01-15-first %}").unwrap(),
            "/blog/db/2024/01/15/first.html"
        );
        assert_eq!(
            out("{% post_url /2024-01-15-first %}").unwrap(),
            "/blog/db/2024/01/15/first.html"
        );
        assert_eq!(
            out("{% link _posts/2024-02-01-second.md %} {% link about.md %} {% link about.markdown %} {% link img/x.svg %} {% link content/about.md %}").unwrap(),
            "/blog/2024/02/01/second.html /blog/about/ /blog/about/ /blog/img/x.svg /blog/about/"
        );
        let errors = out("a\n{% post_url 2024-01-15-frist %}").unwrap_err();
        assert_eq!(errors[0].place, Place::Body(2));
        assert!(
            errors[0].message.contains("no post `2024-01-15-frist`")
                && errors[0]
                    .message
                    .contains("did you mean `2024-01-15-first`"),
            "{errors:?}"
        );
        let errors = out("{% link nope.md %}").unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("`link`: no page, post or static file `nope.md`"),
            "{errors:?}"
        );
        let errors = out("{% post_url %}").unwrap_err();
        assert!(
            errors[0].message.contains("expects a post's name"),
            "{errors:?}"
        );
    }

    /// Jekyll 4 renders the argument of `link` as a template; versus does so for `post_url` too.
    #[test]
    fn link_and_post_url_take_variables() {
        let env = with_pages();
        let page = json!({"diagram": "img/x.svg", "first": "2024-01-15-first", "gone": "nope.md"});
        let out = |body: &str| expand(body, &env, &page).map(|e| e.text);
        assert_eq!(
            out("{% assign p = \"_posts/2024-02-01-second\" %}{% link {{ p }}.md %} {% link {{ page.diagram }} %} {% post_url {{ page.first }} %}").unwrap(),
            "/blog/2024/02/01/second.html /blog/img/x.svg /blog/db/2024/01/15/first.html"
        );
        let errors = out("one\ntwo {% link {{ page.gone }} %}").unwrap_err();
        assert_eq!(errors[0].place, Place::Body("one\ntwo ".len()));
        assert!(
            errors[0]
                .message
                .contains("no page, post or static file `nope.md`"),
            "{errors:?}"
        );
        let errors = out("{% post_url {{ page.missing }} %}").unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("`post_url` expects a post's name"),
            "{errors:?}"
        );
    }

    #[test]
    fn site_posts_lists_the_posts_newest_first() {
        let env = with_pages();
        let body = "{% for p in site.posts %}[{{ p.title }} {{ p.url }} {{ p.id }}]{% endfor %} {{ site.posts.size }} {{ site.posts.first.title }}";
        assert_eq!(
            expand(body, &env, &json!({})).unwrap().text,
            "[Second /2024/02/01/second.html /2024/02/01/second][First /db/2024/01/15/first.html /db/2024/01/15/first] 2 Second"
        );
        // Without the pages given, `site.posts` is undefined, as any unknown key.
        let expanded = expand("{{ site.posts.size }}", &super::tests::env(), &json!({})).unwrap();
        assert!(expanded.warnings[0].message.contains("site.posts"));
    }

    #[test]
    fn include_relative_reads_beside_the_page() {
        let root = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "content/posts/notes.txt",
            "included {{ page.title }} {{ include.x }}",
        );
        write("static/posts/shared.txt", "from static");
        write("content/posts/broken.txt", "ok\n{% if %}");
        write("content/posts/self.txt", "{% include_relative self.txt %}");
        let mut env = env();
        env.root = Some(root.path().to_owned());
        let page = json!({"title": "First", "path": "content/posts/2024-01-15-first.md"});
        let out = |body: &str| expand(body, &env, &page);
        assert_eq!(
            out("{% include_relative notes.txt x=1 %}|{% include_relative shared.txt %}")
                .unwrap()
                .text,
            "included First 1|from static"
        );
        let errors = out("{% include_relative ../secret.txt %}").unwrap_err();
        assert!(errors[0].message.contains("no `..`"), "{errors:?}");
        let errors = out("{% include_relative nope.txt %}").unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("cannot read content/posts/nope.txt"),
            "{errors:?}"
        );
        let errors = out("x {% include_relative broken.txt %}").unwrap_err();
        match &errors[0].place {
            Place::File {
                path, offset, from, ..
            } => {
                assert_eq!(
                    (path.as_str(), *offset, *from),
                    ("content/posts/broken.txt", 3, 2)
                );
            }
            other => panic!("{other:?}"),
        }
        let errors = out("{% include_relative self.txt %}").unwrap_err();
        assert!(errors[0].message.contains("includes itself"), "{errors:?}");
    }

    /// A fixed-seed xorshift: the same inputs on every run, no crate for it.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Thousands of bodies glued from Liquid's pieces, multibyte text and hostile numbers:
    /// parsing and rendering each ends (this test would hang or fail on a panic) and every
    /// position reported is in the body, on a character boundary.
    #[test]
    fn random_liquid_never_panics() {
        const PIECES: &[&str] = &[
            "{{",
            "}}",
            "{%",
            "%}",
            "{%-",
            "-%}",
            "{{-",
            "-}}",
            "{",
            "}",
            "%",
            "-",
            " ",
            "\n",
            "if ",
            "elsif ",
            "else",
            "endif",
            "unless ",
            "endunless",
            "for i in ",
            "endfor",
            "capture c",
            "endcapture",
            "raw",
            "endraw",
            "comment",
            "endcomment",
            "highlight x",
            "endhighlight",
            "include note.html",
            "include loop.html",
            "include {{ x }}",
            "case x",
            "when ",
            "endcase",
            "cycle ",
            "post_url 2024-01-01-x",
            "link about.md",
            "include_relative x.txt",
            "assign x = ",
            "text=",
            "limit: ",
            "offset: ",
            "reversed",
            "|",
            " | ",
            ":",
            ",",
            "(",
            ")",
            "..",
            "[",
            "]",
            ".",
            "'",
            "\"",
            "x",
            "c",
            "i",
            "page.tags",
            "site.tags",
            "forloop.index",
            "include.text",
            "empty",
            "nil",
            "true",
            "and",
            "or",
            "==",
            "<",
            "contains",
            "0",
            "-1",
            "1.5",
            "9223372036854775807",
            "-9223372036854775808",
            "1e308",
            "(1..3)",
            "(1..1000000000)",
            "upcase",
            "plus: ",
            "minus: ",
            "times: ",
            "divided_by: ",
            "modulo: ",
            "truncate: ",
            "truncatewords: ",
            "split: ",
            "join: ",
            "replace: ",
            "slice: ",
            "first",
            "last",
            "size",
            "date: ",
            "'%Y %Q %'",
            "default: ",
            "é",
            "ü",
            "日本",
            "🦀",
            "\u{301}",
            "matrix(",
        ];
        let env = env();
        let mut random = XorShift(0x2545_f491_4f6c_dd1d);
        let mut rendered = 0;
        for _ in 0..4000 {
            let body: String = (0..1 + random.below(40))
                .map(|_| PIECES[random.below(PIECES.len())])
                .collect();
            let check = |place: &Place| {
                if let Place::Body(offset) = place {
                    assert!(body.is_char_boundary(*offset), "{offset} in {body:?}");
                }
            };
            let outcome = expand(&body, &env, &json!({"tags": ["a", "b"]}));
            rendered += usize::from(outcome.is_ok());
            match outcome {
                Ok(expanded) => {
                    expanded.warnings.iter().for_each(|w| check(&w.place));
                    for at in 0..=expanded.text.len() {
                        assert!(expanded.source_offset(at) <= body.len(), "{body:?}");
                    }
                }
                Err(errors) => errors.iter().for_each(|e| check(&e.place)),
            }
        }
        // Not only parse errors: a good share renders through to the end.
        assert!(rendered > 400, "only {rendered} of 4000 rendered");
    }
}

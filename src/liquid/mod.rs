//! Jekyll's Liquid in post bodies: the subset real posts use, run before Markdown as Jekyll
//! runs it (code fences included), so a post written for Jekyll builds unchanged.
//!
//! Why our own: the `liquid` crate is strict about undefined variables (`{{ site.nope }}` is
//! an error there, empty in Jekyll) and has no switch for it; Jekyll posts rely on the lax
//! behaviour. What is here: `{{ expr | filter: arg }}`, `raw`, `comment`, `highlight`,
//! `include` with parameters, `assign`, `capture`, `if`/`elsif`/`else`/`unless`, `for`, and
//! whitespace control (`{%-`, `-%}`). A `{{ name(...) }}` call is not Liquid; it is left for
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
        }
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
        Ok(Some(Env::new(site_object(config), includes)))
    }
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

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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diag::Diagnostic;

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
            match std::fs::read_to_string(root.join(path)) {
                Ok(text) => {
                    includes.insert(name, text);
                }
                Err(err) => problems.push(Diagnostic::error(path, format!("cannot read: {err}"))),
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
    let mut errors = Vec::new();
    let source = Source {
        text: body,
        include: None,
    };
    render(&nodes, source, &mut scope, &mut out, &mut errors);
    out.warnings = scope.warnings;
    if errors.is_empty() {
        Ok(out.finish())
    } else {
        Err(errors)
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

// ---------------------------------------------------------------------------------------
// Lexing and parsing.

#[derive(Debug)]
enum Node {
    /// Body text `start..end`.
    Text(usize, usize),
    Output {
        at: usize,
        expr: Filtered,
    },
    If {
        at: usize,
        /// `(condition, negate, body)` in order; `else` is a `true` condition.
        branches: Vec<(Condition, Vec<Node>)>,
    },
    For {
        at: usize,
        var: String,
        source: Expr,
        limit: Option<Expr>,
        offset: Option<Expr>,
        reversed: bool,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Assign {
        at: usize,
        name: String,
        expr: Filtered,
    },
    Capture {
        name: String,
        body: Vec<Node>,
    },
    Include {
        at: usize,
        file: Expr,
        params: Vec<(String, Expr)>,
    },
    Highlight {
        at: usize,
        lang: String,
        body: Vec<Node>,
    },
}

#[derive(Debug, Clone)]
enum Expr {
    Literal(Value),
    /// `a.b[0]["c"]`: a root name and lookups.
    Path(String, Vec<Lookup>),
    Range(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone)]
enum Lookup {
    Key(String),
    Index(Expr),
}

#[derive(Debug)]
struct Filtered {
    expr: Expr,
    filters: Vec<(String, Vec<Expr>)>,
}

#[derive(Debug)]
enum Condition {
    Always,
    Compare(Expr, Option<(String, Expr)>),
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

/// One `{{ }}` or `{% %}` (or text between them) with whitespace control applied.
#[derive(Debug)]
enum Token<'a> {
    /// Body text `start..end`, the inside of `{% raw %}` included.
    Text(usize, usize),
    Output(usize, &'a str),
    Tag(usize, &'a str),
}

type ParseError = (usize, String);

fn lex(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos < src.len() {
        let next = find_open(src, pos);
        let Some((open, is_tag)) = next else {
            push_text(&mut tokens, src, pos, src.len(), trim_next, false);
            break;
        };
        let close = if is_tag { "%}" } else { "}}" };
        let Some(rel) = src[open + 2..].find(close) else {
            let what = if is_tag { "tag" } else { "variable" };
            return Err((
                open,
                format!(
                    "{what} `{}` is not closed with `{close}`",
                    preview(&src[open..])
                ),
            ));
        };
        let end = open + 2 + rel + 2;
        let mut inner = &src[open + 2..end - 2];
        let trim_before = inner.starts_with('-');
        let trim_after = inner.ends_with('-') && inner.len() > 1;
        if trim_before {
            inner = &inner[1..];
        }
        if trim_after {
            inner = &inner[..inner.len() - 1];
        }
        push_text(&mut tokens, src, pos, open, trim_next, trim_before);
        trim_next = trim_after;
        if is_tag {
            let (name, _) = split_tag(inner);
            if name == "raw" || name == "comment" {
                let end_name = format!("end{name}");
                let Some((close_start, close_end, trims)) = find_end_tag(src, end, &end_name)
                else {
                    return Err((
                        open,
                        format!("`{{% {name} %}}` without `{{% {end_name} %}}`"),
                    ));
                };
                let (mut a, mut b) = (end, close_start);
                if trim_after {
                    a += src[a..b].len() - src[a..b].trim_start().len();
                }
                if trims.0 {
                    b = a + src[a..b].trim_end().len();
                }
                if name == "raw" && a < b {
                    tokens.push(Token::Text(a, b));
                }
                trim_next = trims.1;
                pos = close_end;
                continue;
            }
            tokens.push(Token::Tag(open, inner));
        } else {
            tokens.push(Token::Output(open, inner));
        }
        pos = end;
    }
    Ok(tokens)
}

/// The next `{{` or `{%` from `pos`.
fn find_open(src: &str, pos: usize) -> Option<(usize, bool)> {
    let rel = src[pos..].find('{').map(|i| pos + i)?;
    let mut at = rel;
    loop {
        match src.as_bytes().get(at + 1) {
            Some(b'{') => return Some((at, false)),
            Some(b'%') => return Some((at, true)),
            _ => at = src[at + 1..].find('{').map(|i| at + 1 + i)?,
        }
    }
}

/// Finds `{% end_name %}` (with optional `-`) after `from`: its range and its trim flags.
fn find_end_tag(src: &str, from: usize, end_name: &str) -> Option<(usize, usize, (bool, bool))> {
    let mut pos = from;
    while let Some(i) = src[pos..].find("{%") {
        let open = pos + i;
        let rel = src[open + 2..].find("%}")?;
        let inner = &src[open + 2..open + 2 + rel];
        if inner.trim_matches('-').trim() == end_name {
            let trims = (inner.starts_with('-'), inner.ends_with('-'));
            return Some((open, open + 2 + rel + 2, trims));
        }
        pos = open + 2;
    }
    None
}

fn push_text(
    tokens: &mut Vec<Token>,
    src: &str,
    start: usize,
    end: usize,
    trim_start: bool,
    trim_end: bool,
) {
    let mut a = start;
    let mut b = end;
    if trim_start {
        a += src[a..b].len() - src[a..b].trim_start().len();
    }
    if trim_end {
        b = a + src[a..b].trim_end().len();
    }
    if a < b {
        tokens.push(Token::Text(a, b));
    }
}

fn preview(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    line.chars().take(30).collect()
}

fn split_tag(inner: &str) -> (&str, &str) {
    let inner = inner.trim();
    let end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    (&inner[..end], inner[end..].trim())
}

fn parse(src: &str) -> Result<Vec<Node>, ParseError> {
    let tokens = lex(src)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        src,
    };
    let (nodes, end) = parser.block(&[])?;
    if let Some((at, name)) = end {
        return Err((at, format!("unexpected `{{% {name} %}}`")));
    }
    Ok(nodes)
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    src: &'a str,
}

impl<'a> Parser<'a> {
    /// Nodes up to one of `ends` (returned with its markup) or the end of input.
    #[allow(clippy::type_complexity)]
    fn block(&mut self, ends: &[&str]) -> Result<(Vec<Node>, Option<(usize, String)>), ParseError> {
        let mut nodes = Vec::new();
        while let Some(token) = self.tokens.get(self.pos) {
            self.pos += 1;
            match *token {
                Token::Text(a, b) => nodes.push(Node::Text(a, b)),
                Token::Output(at, inner) => {
                    if is_call(inner) {
                        let end = self.token_end(at);
                        nodes.push(Node::Text(at, end));
                    } else {
                        let expr = parse_filtered(inner).map_err(|m| (at, m))?;
                        nodes.push(Node::Output { at, expr });
                    }
                }
                Token::Tag(at, inner) => {
                    let (name, markup) = split_tag(inner);
                    if ends.contains(&name) {
                        return Ok((nodes, Some((at, inner.trim().to_owned()))));
                    }
                    nodes.push(self.tag(at, name, markup)?);
                }
            }
        }
        Ok((nodes, None))
    }

    /// The end offset of the `{{ ... }}` starting at `at`.
    fn token_end(&self, at: usize) -> usize {
        at + self.src[at..]
            .find("}}")
            .map_or(self.src.len() - at, |i| i + 2)
    }

    fn expect_end(
        &mut self,
        at: usize,
        name: &str,
        ends: &[&str],
    ) -> Result<(Vec<Node>, (usize, String)), ParseError> {
        match self.block(ends)? {
            (nodes, Some(end)) => Ok((nodes, end)),
            (_, None) => Err((at, format!("`{{% {name} %}}` without `{{% end{name} %}}`"))),
        }
    }

    fn tag(&mut self, at: usize, name: &str, markup: &str) -> Result<Node, ParseError> {
        let err = |m: String| (at, m);
        match name {
            "if" | "unless" => {
                let mut condition = parse_condition(markup).map_err(err)?;
                if name == "unless" {
                    condition = Condition::Not(Box::new(condition));
                }
                let end = format!("end{name}");
                let mut branches = Vec::new();
                loop {
                    let (body, (_, closing)) =
                        self.expect_end(at, name, &["elsif", "else", &end])?;
                    branches.push((condition, body));
                    let (closer, rest) = split_tag(&closing);
                    match closer {
                        "elsif" => condition = parse_condition(rest).map_err(err)?,
                        "else" => condition = Condition::Always,
                        _ => break,
                    }
                }
                Ok(Node::If { at, branches })
            }
            "for" => {
                let mut words = markup.split_whitespace();
                let var = words.next().unwrap_or_default().to_owned();
                if words.next() != Some("in") || var.is_empty() {
                    return Err(err(format!(
                        "`for` expects `item in collection`, found `{markup}`"
                    )));
                }
                let rest = markup.split_once(" in ").map_or("", |(_, r)| r.trim());
                let mut lexer = Lexer::new(rest);
                let source = lexer.expr().map_err(err)?;
                let (mut limit, mut offset, mut reversed) = (None, None, false);
                while let Some(word) = lexer.ident() {
                    match word.as_str() {
                        "reversed" => reversed = true,
                        "limit" | "offset" => {
                            lexer.expect(':').map_err(err)?;
                            let value = Some(lexer.expr().map_err(err)?);
                            if word == "limit" {
                                limit = value;
                            } else {
                                offset = value;
                            }
                        }
                        other => return Err(err(format!("unknown `for` option `{other}`"))),
                    }
                    lexer.eat(',');
                }
                let (body, (_, closing)) = self.expect_end(at, "for", &["else", "endfor"])?;
                let otherwise = if split_tag(&closing).0 == "else" {
                    self.expect_end(at, "for", &["endfor"])?.0
                } else {
                    Vec::new()
                };
                Ok(Node::For {
                    at,
                    var,
                    source,
                    limit,
                    offset,
                    reversed,
                    body,
                    otherwise,
                })
            }
            "assign" => {
                let Some((name, value)) = markup.split_once('=') else {
                    return Err(err(format!(
                        "`assign` expects `name = value`, found `{markup}`"
                    )));
                };
                Ok(Node::Assign {
                    at,
                    name: name.trim().to_owned(),
                    expr: parse_filtered(value).map_err(err)?,
                })
            }
            "capture" => {
                let (body, _) = self.expect_end(at, "capture", &["endcapture"])?;
                Ok(Node::Capture {
                    name: markup.trim().to_owned(),
                    body,
                })
            }
            "include" => {
                let (file, params) = parse_include(markup).map_err(err)?;
                Ok(Node::Include { at, file, params })
            }
            "highlight" => {
                let lang = markup.split_whitespace().next().unwrap_or("").to_owned();
                let (body, _) = self.expect_end(at, "highlight", &["endhighlight"])?;
                Ok(Node::Highlight { at, lang, body })
            }
            _ => Err(err(format!(
                "unknown Liquid tag `{name}` (versus runs: if, unless, for, assign, capture, include, highlight, raw, comment)"
            ))),
        }
    }
}

/// `matrix("x", only="differences")`: a versus embed, not Liquid.
fn is_call(inner: &str) -> bool {
    let inner = inner.trim();
    let name_end = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    name_end > 0 && inner[name_end..].starts_with('(')
}

fn parse_filtered(markup: &str) -> Result<Filtered, String> {
    let mut lexer = Lexer::new(markup);
    let expr = lexer.expr()?;
    let mut filters = Vec::new();
    while lexer.eat('|') {
        let name = lexer
            .ident()
            .ok_or_else(|| format!("a filter name expected after `|` in `{}`", markup.trim()))?;
        let mut args = Vec::new();
        if lexer.eat(':') {
            loop {
                // Named arguments (`truncate: 10, ellipsis: "…"`) keep their value only.
                let save = lexer.pos;
                if !(lexer.ident().is_some() && lexer.eat(':')) {
                    lexer.pos = save;
                }
                args.push(lexer.expr()?);
                if !lexer.eat(',') {
                    break;
                }
            }
        }
        filters.push((name, args));
    }
    lexer.finish(markup)?;
    Ok(Filtered { expr, filters })
}

fn parse_condition(markup: &str) -> Result<Condition, String> {
    let mut lexer = Lexer::new(markup);
    let condition = condition(&mut lexer)?;
    lexer.finish(markup)?;
    Ok(condition)
}

/// Liquid's `and`/`or` bind right to left, without precedence.
fn condition(lexer: &mut Lexer) -> Result<Condition, String> {
    let left = comparison(lexer)?;
    let save = lexer.pos;
    match lexer.ident().as_deref() {
        Some("and") => Ok(Condition::And(Box::new(left), Box::new(condition(lexer)?))),
        Some("or") => Ok(Condition::Or(Box::new(left), Box::new(condition(lexer)?))),
        _ => {
            lexer.pos = save;
            Ok(left)
        }
    }
}

fn comparison(lexer: &mut Lexer) -> Result<Condition, String> {
    let left = lexer.expr()?;
    lexer.skip_space();
    let rest = &lexer.text[lexer.pos..];
    let op = ["==", "!=", "<>", "<=", ">=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    if let Some(op) = op {
        lexer.pos += op.len();
        return Ok(Condition::Compare(
            left,
            Some((op.to_owned(), lexer.expr()?)),
        ));
    }
    let save = lexer.pos;
    if lexer.ident().as_deref() == Some("contains") {
        return Ok(Condition::Compare(
            left,
            Some(("contains".to_owned(), lexer.expr()?)),
        ));
    }
    lexer.pos = save;
    Ok(Condition::Compare(left, None))
}

/// `file.html key=value key2="text"`, as Jekyll's include tag reads it.
fn parse_include(markup: &str) -> Result<(Expr, Vec<(String, Expr)>), String> {
    let markup = markup.trim();
    let (file, mut rest) = if markup.starts_with("{{") {
        let end = markup.find("}}").ok_or("include: `{{` without `}}`")?;
        let expr = Lexer::new(&markup[2..end]).expr()?;
        (expr, &markup[end + 2..])
    } else {
        let end = markup
            .find(|c: char| c.is_whitespace())
            .unwrap_or(markup.len());
        (
            Expr::Literal(Value::String(markup[..end].to_owned())),
            &markup[end..],
        )
    };
    if matches!(&file, Expr::Literal(Value::String(s)) if s.is_empty()) {
        return Err("include: a file name expected".to_owned());
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let Some((key, value)) = rest.split_once('=') else {
            return Err(format!("include: `key=value` expected, found `{rest}`"));
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("include: bad parameter name `{key}`"));
        }
        let mut lexer = Lexer::new(value);
        let expr = lexer.expr()?;
        params.push((key.to_owned(), expr));
        rest = &value[lexer.pos..];
    }
    Ok((file, params))
}

/// A small lexer over tag markup.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("`{c}` expected in `{}`", self.text.trim()))
        }
    }

    fn finish(&mut self, markup: &str) -> Result<(), String> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(format!(
                "unexpected `{}` in `{}`",
                self.text[self.pos..].trim(),
                markup.trim()
            )),
        }
    }

    /// A name: letters, digits, `_`, `-`, and a final `?`.
    fn ident(&mut self) -> Option<String> {
        self.peek()?;
        let rest = &self.text[self.pos..];
        let first = rest.chars().next()?;
        if !(first.is_alphabetic() || first == '_') {
            return None;
        }
        let mut end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('?') {
            end += 1;
        }
        self.pos += end;
        Some(rest[..end].to_owned())
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let Some(c) = self.peek() else {
            return Err(format!("a value expected in `{}`", self.text.trim()));
        };
        let rest = &self.text[self.pos..];
        if c == '"' || c == '\'' {
            let end = rest[1..]
                .find(c)
                .ok_or_else(|| format!("unclosed string in `{}`", self.text.trim()))?;
            self.pos += end + 2;
            return Ok(Expr::Literal(Value::String(rest[1..end + 1].to_owned())));
        }
        if c == '(' {
            self.pos += 1;
            let from = self.expr()?;
            self.skip_space();
            if !self.text[self.pos..].starts_with("..") {
                return Err(format!("`..` expected in range `{}`", self.text.trim()));
            }
            self.pos += 2;
            let to = self.expr()?;
            self.expect(')')?;
            return Ok(Expr::Range(Box::new(from), Box::new(to)));
        }
        if c.is_ascii_digit() || (c == '-' && rest[1..].starts_with(|d: char| d.is_ascii_digit())) {
            let mut end = 1 + rest[1..]
                .find(|d: char| !(d.is_ascii_digit() || d == '.'))
                .unwrap_or(rest.len() - 1);
            if rest[..end].ends_with('.') || rest[..end].contains("..") {
                end = rest[..end].find('.').unwrap_or(end);
            }
            let number = &rest[..end];
            self.pos += end;
            let value = match number.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => number
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| format!("bad number `{number}`"))?,
            };
            return Ok(Expr::Literal(value));
        }
        let Some(name) = self.ident() else {
            return Err(format!(
                "unexpected `{}` in `{}`",
                rest.chars().next().unwrap_or(' '),
                self.text.trim()
            ));
        };
        match name.as_str() {
            "true" => return Ok(Expr::Literal(Value::Bool(true))),
            "false" => return Ok(Expr::Literal(Value::Bool(false))),
            "nil" | "null" => return Ok(Expr::Literal(Value::Null)),
            "empty" | "blank" => return Ok(Expr::Path(format!("{name}?"), Vec::new())),
            _ => {}
        }
        let mut lookups = Vec::new();
        loop {
            let rest = &self.text[self.pos..];
            if rest.starts_with('.') && !rest.starts_with("..") {
                self.pos += 1;
                let key = self.ident().ok_or_else(|| {
                    format!("a name expected after `.` in `{}`", self.text.trim())
                })?;
                lookups.push(Lookup::Key(key));
            } else if rest.starts_with('[') {
                self.pos += 1;
                let index = self.expr()?;
                self.expect(']')?;
                lookups.push(Lookup::Index(index));
            } else {
                break;
            }
        }
        Ok(Expr::Path(name, lookups))
    }
}

// ---------------------------------------------------------------------------------------
// Rendering.

struct Scope<'e> {
    env: &'e Env,
    /// Innermost last: `page`/`site` at the bottom, then includes and loops.
    frames: Vec<Map<String, Value>>,
    warnings: Vec<Problem>,
}

impl<'e> Scope<'e> {
    fn new(env: &'e Env, page: &Value) -> Self {
        let mut globals = Map::new();
        globals.insert("site".to_owned(), env.site.clone());
        globals.insert("page".to_owned(), page.clone());
        Scope {
            env,
            frames: vec![globals],
            warnings: Vec::new(),
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.frames.iter().rev().find_map(|f| f.get(name))
    }

    fn set(&mut self, name: &str, value: Value) {
        // `assign` writes the outermost frame, as Liquid's assigns are template-wide.
        self.frames[0].insert(name.to_owned(), value);
    }
}

/// The text nodes come from: the body, or an include file.
#[derive(Clone, Copy)]
struct Source<'a> {
    text: &'a str,
    /// For an include: its name, and the body offset of the outermost include tag, which
    /// is credited with everything the include makes.
    include: Option<(&'a str, usize)>,
}

impl Source<'_> {
    fn place(&self, offset: usize) -> Place {
        match self.include {
            None => Place::Body(offset),
            Some((name, from)) => Place::Include {
                name: name.to_owned(),
                offset,
                from,
            },
        }
    }

    /// The body offset output made at `offset` is credited to.
    fn credit(&self, offset: usize) -> usize {
        self.include.map_or(offset, |(_, at)| at)
    }
}

fn render(
    nodes: &[Node],
    source: Source,
    scope: &mut Scope,
    out: &mut Output,
    errors: &mut Vec<Problem>,
) {
    for node in nodes {
        match node {
            Node::Text(a, b) => match source.include {
                None => out.copy(&source.text[*a..*b], *a),
                Some((_, at)) => out.made(&source.text[*a..*b], at),
            },
            Node::Output { at, expr } => {
                let value = eval_filtered(expr, scope, source, *at);
                out.made(&to_text(&value), source.credit(*at));
            }
            Node::If { at, branches } => {
                if let Some((_, body)) = branches.iter().find(|(c, _)| test(c, scope, source, *at))
                {
                    render(body, source, scope, out, errors);
                }
            }
            Node::For {
                at,
                var,
                source: collection,
                limit,
                offset,
                reversed,
                body,
                otherwise,
            } => {
                let int = |e: &Option<Expr>, scope: &mut Scope| {
                    e.as_ref()
                        .and_then(|e| as_int(&eval(e, scope, source, *at)))
                        .map(|n| n.max(0) as usize)
                };
                let skip = int(offset, scope).unwrap_or(0);
                let take = int(limit, scope).unwrap_or(usize::MAX);
                let mut items: Vec<Value> = match eval(collection, scope, source, *at) {
                    Value::Array(items) => items,
                    Value::Object(map) => map
                        .into_iter()
                        .map(|(k, v)| Value::Array(vec![Value::String(k), v]))
                        .collect(),
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                items = items.into_iter().skip(skip).take(take).collect();
                if *reversed {
                    items.reverse();
                }
                if items.is_empty() {
                    render(otherwise, source, scope, out, errors);
                }
                let length = items.len();
                for (i, item) in items.into_iter().enumerate() {
                    let mut frame = Map::new();
                    frame.insert(var.clone(), item);
                    frame.insert(
                        "forloop".to_owned(),
                        serde_json::json!({
                            "index": i + 1, "index0": i, "first": i == 0,
                            "last": i + 1 == length, "length": length,
                            "rindex": length - i, "rindex0": length - i - 1,
                        }),
                    );
                    scope.frames.push(frame);
                    render(body, source, scope, out, errors);
                    scope.frames.pop();
                }
            }
            Node::Assign { at, name, expr } => {
                let value = eval_filtered(expr, scope, source, *at);
                scope.set(name, value);
            }
            Node::Capture { name, body } => {
                let mut inner = Output::default();
                render(body, source, scope, &mut inner, errors);
                scope.set(name, Value::String(inner.text));
            }
            Node::Include { at, file, params } => {
                let name = to_text(&eval(file, scope, source, *at));
                include(&name, params, *at, source, scope, out, errors);
            }
            Node::Highlight { at, lang, body } => {
                let mut inner = Output::default();
                render(body, source, scope, &mut inner, errors);
                let code = inner.text.trim_matches(['\r', '\n']);
                out.made(&fence(lang, code), source.credit(*at));
            }
        }
    }
}

fn include(
    name: &str,
    params: &[(String, Expr)],
    at: usize,
    source: Source,
    scope: &mut Scope,
    out: &mut Output,
    errors: &mut Vec<Problem>,
) {
    let env = scope.env;
    let (Some(text), Some(parsed)) = (env.includes.get(name), env.parsed.get(name)) else {
        let known = env.includes.keys().map(String::as_str);
        let message = match crate::diag::did_you_mean(name, known) {
            Some(near) => format!("no include `{name}` in includes/ (did you mean `{near}`?)"),
            None => format!("no include `{name}` in includes/"),
        };
        errors.push(Problem {
            place: source.place(at),
            message,
        });
        return;
    };
    if scope.frames.len() > 50 {
        errors.push(Problem {
            place: source.place(at),
            message: format!("include `{name}` includes itself"),
        });
        return;
    }
    let nodes = match parsed {
        Ok(nodes) => nodes,
        Err((offset, message)) => {
            errors.push(Problem {
                place: Place::Include {
                    name: name.to_owned(),
                    offset: *offset,
                    from: source.credit(at),
                },
                message: message.clone(),
            });
            return;
        }
    };
    let mut values = Map::new();
    for (key, expr) in params {
        values.insert(key.clone(), eval(expr, scope, source, at));
    }
    let mut frame = Map::new();
    frame.insert("include".to_owned(), Value::Object(values));
    scope.frames.push(frame);
    let inner = Source {
        text,
        include: Some((name, source.credit(at))),
    };
    render(nodes, inner, scope, out, errors);
    scope.frames.pop();
}

/// The second word of the info string of a fence made from `{% highlight %}`: Jekyll writes
/// those as a `<figure>`, so the Markdown stage needs to know.
pub const HIGHLIGHT_TAG_MARK: &str = "{%highlight%}";

/// A fenced code block for `{% highlight %}`, its fence longer than any backtick run inside.
fn fence(lang: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let marks = "`".repeat(longest.max(2) + 1);
    // The mark lets the Markdown stage write Jekyll's `<figure>` for it.
    format!("{marks}{lang} {HIGHLIGHT_TAG_MARK}\n{code}\n{marks}\n")
}

fn eval_filtered(filtered: &Filtered, scope: &mut Scope, source: Source, at: usize) -> Value {
    let mut value = eval(&filtered.expr, scope, source, at);
    for (name, args) in &filtered.filters {
        let args: Vec<Value> = args.iter().map(|a| eval(a, scope, source, at)).collect();
        value = match apply_filter(name, value, &args, &scope.env.site) {
            Ok(v) => v,
            Err(v) => {
                scope.warnings.push(Problem {
                    place: source.place(at),
                    message: format!("unknown Liquid filter `{name}` (ignored, as Jekyll does)"),
                });
                v
            }
        };
    }
    value
}

fn eval(expr: &Expr, scope: &mut Scope, source: Source, at: usize) -> Value {
    match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Range(a, b) => {
            let from = as_int(&eval(a, scope, source, at)).unwrap_or(0);
            let to = as_int(&eval(b, scope, source, at)).unwrap_or(0);
            Value::Array((from..=to).map(Value::from).collect())
        }
        Expr::Path(name, lookups) => {
            if name == "empty?" || name == "blank?" {
                return Value::String(EMPTY.to_owned());
            }
            let mut dotted = name.clone();
            let mut current = scope.get(name).cloned();
            for lookup in lookups {
                let Some(value) = current else { break };
                current = match lookup {
                    Lookup::Key(key) => {
                        dotted.push('.');
                        dotted.push_str(key);
                        property(&value, key)
                    }
                    Lookup::Index(index) => {
                        let index = eval(index, scope, source, at);
                        let _ = write!(dotted, "[{}]", to_text(&index));
                        match (&value, &index) {
                            (Value::Array(items), _) => as_int(&index).and_then(|i| {
                                let i = if i < 0 { items.len() as i64 + i } else { i };
                                items.get(usize::try_from(i).ok()?).cloned()
                            }),
                            (_, Value::String(key)) => property(&value, key),
                            _ => None,
                        }
                    }
                };
            }
            current.unwrap_or_else(|| {
                // Optional include parameters are the norm: `{% if include.caption %}`.
                if name == "include" {
                    return Value::Null;
                }
                scope.warnings.push(Problem {
                    place: source.place(at),
                    message: format!("undefined Liquid variable `{dotted}` (rendered empty)"),
                });
                Value::Null
            })
        }
    }
}

/// `value.key`, with Liquid's `size`, `first` and `last` on arrays and strings.
fn property(value: &Value, key: &str) -> Option<Value> {
    match (value, key) {
        (Value::Object(map), _) if map.contains_key(key) => map.get(key).cloned(),
        (Value::Array(items), "size") => Some(Value::from(items.len())),
        (Value::Array(items), "first") => items.first().cloned(),
        (Value::Array(items), "last") => items.last().cloned(),
        (Value::String(s), "size") => Some(Value::from(s.chars().count())),
        (Value::Object(map), "size") => Some(Value::from(map.len())),
        _ => None,
    }
}

/// Whether a condition holds. Lookups here are quiet: `{% if page.image %}` on a page
/// without one is a normal test, not a mistake worth a warning.
fn test(condition: &Condition, scope: &mut Scope, source: Source, at: usize) -> bool {
    let warnings = scope.warnings.len();
    let result = match condition {
        Condition::Always => true,
        Condition::Not(c) => !test(c, scope, source, at),
        Condition::And(l, r) => test(l, scope, source, at) && test(r, scope, source, at),
        Condition::Or(l, r) => test(l, scope, source, at) || test(r, scope, source, at),
        Condition::Compare(value, None) => {
            let value = eval(value, scope, source, at);
            truthy(&value) && value.as_str() != Some(EMPTY)
        }
        Condition::Compare(left, Some((op, right))) => {
            let l = eval(left, scope, source, at);
            let r = eval(right, scope, source, at);
            compare(&l, op, &r)
        }
    };
    scope.warnings.truncate(warnings);
    result
}

fn compare(l: &Value, op: &str, r: &Value) -> bool {
    let is_empty = |v: &Value| match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Null => true,
        _ => false,
    };
    let empty_marker = |v: &Value| v.as_str() == Some(EMPTY);
    if empty_marker(r) || empty_marker(l) {
        let other = if empty_marker(r) { l } else { r };
        return match op {
            "==" => is_empty(other),
            "!=" | "<>" => !is_empty(other),
            _ => false,
        };
    }
    let ordering = match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match op {
        "==" => l == r || ordering == Some(std::cmp::Ordering::Equal),
        "!=" | "<>" => !(l == r || ordering == Some(std::cmp::Ordering::Equal)),
        "<" => ordering == Some(std::cmp::Ordering::Less),
        ">" => ordering == Some(std::cmp::Ordering::Greater),
        "<=" => matches!(ordering, Some(o) if o.is_le()),
        ">=" => matches!(ordering, Some(o) if o.is_ge()),
        "contains" => match (l, r) {
            (Value::String(a), _) => a.contains(&to_text(r)),
            (Value::Array(items), _) => items.iter().any(|i| i == r),
            (Value::Object(map), Value::String(k)) => map.contains_key(k),
            _ => false,
        },
        _ => false,
    }
}

/// Liquid's `empty` and `blank`, which equal any empty string, array or object.
const EMPTY: &str = "\0empty";

/// Liquid truth: only `false` and `nil` are false.
fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// How Liquid prints a value: nil as nothing, arrays joined without separator.
fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(to_text).collect(),
        Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Applies a filter; `Err(input)` for a filter Liquid does not know (then ignored).
fn apply_filter(name: &str, input: Value, args: &[Value], site: &Value) -> Result<Value, Value> {
    let arg = |i: usize| args.get(i).map(to_text).unwrap_or_default();
    let text = to_text(&input);
    let s = |v: String| Ok(Value::String(v));
    match name {
        "prepend" => s(arg(0) + &text),
        "append" => s(text + &arg(0)),
        "downcase" => s(text.to_lowercase()),
        "upcase" => s(text.to_uppercase()),
        "capitalize" => {
            let mut chars = text.chars();
            s(chars.next().map_or(String::new(), |c| {
                c.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase()
            }))
        }
        "strip" => s(text.trim().to_owned()),
        "lstrip" => s(text.trim_start().to_owned()),
        "rstrip" => s(text.trim_end().to_owned()),
        "escape" | "xml_escape" | "escape_once" => s(crate::text::escape_html(&text)),
        "strip_html" => s(strip_html(&text)),
        "strip_newlines" => s(text.replace(['\r', '\n'], "")),
        "newline_to_br" => s(text.replace('\n', "<br />\n")),
        "url_encode" | "cgi_escape" => s(percent_encoding::utf8_percent_encode(
            &text,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string()
        .replace("%20", "+")),
        "uri_escape" => s(text.replace(' ', "%20")),
        "replace" => s(text.replace(&arg(0), &arg(1))),
        "replace_first" => s(text.replacen(&arg(0), &arg(1), 1)),
        "remove" => s(text.replace(&arg(0), "")),
        "remove_first" => s(text.replacen(&arg(0), "", 1)),
        "truncate" => {
            let len = args.first().and_then(as_int).unwrap_or(50).max(0) as usize;
            let ellipsis = if args.len() > 1 {
                arg(1)
            } else {
                "...".to_owned()
            };
            if text.chars().count() <= len {
                s(text)
            } else {
                let keep = len.saturating_sub(ellipsis.chars().count());
                s(text.chars().take(keep).collect::<String>() + &ellipsis)
            }
        }
        "truncatewords" => {
            let len = args.first().and_then(as_int).unwrap_or(15).max(1) as usize;
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.len() <= len {
                s(text)
            } else {
                let ellipsis = if args.len() > 1 {
                    arg(1)
                } else {
                    "...".to_owned()
                };
                s(words[..len].join(" ") + &ellipsis)
            }
        }
        "number_of_words" => Ok(Value::from(text.split_whitespace().count())),
        "size" => Ok(match &input {
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            _ => Value::from(text.chars().count()),
        }),
        "first" | "last" => Ok(match input {
            Value::Array(a) => {
                let item = if name == "first" { a.first() } else { a.last() };
                item.cloned().unwrap_or(Value::Null)
            }
            Value::String(t) => {
                let c = if name == "first" {
                    t.chars().next()
                } else {
                    t.chars().last()
                };
                c.map_or(Value::Null, |c| Value::String(c.to_string()))
            }
            _ => Value::Null,
        }),
        "join" => {
            let separator = if args.is_empty() {
                " ".to_owned()
            } else {
                arg(0)
            };
            s(match &input {
                Value::Array(a) => a.iter().map(to_text).collect::<Vec<_>>().join(&separator),
                _ => text,
            })
        }
        "split" => Ok(Value::Array(
            text.split(&arg(0))
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        )),
        "default" => {
            let empty = match &input {
                Value::Null | Value::Bool(false) => true,
                Value::String(t) => t.is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            Ok(if empty {
                args.first().cloned().unwrap_or(Value::Null)
            } else {
                input
            })
        }
        "plus" | "minus" | "times" | "divided_by" | "modulo" => {
            let (a, b) = (
                as_float(&input).unwrap_or(0.0),
                args.first().and_then(as_float).unwrap_or(0.0),
            );
            let both_int = as_int(&input).is_some_and(|i| i as f64 == a)
                && args.first().and_then(as_int).is_some_and(|i| i as f64 == b);
            let result = match name {
                "plus" => a + b,
                "minus" => a - b,
                "times" => a * b,
                "divided_by" if b == 0.0 => return Ok(Value::Null),
                "divided_by" if both_int => (a / b).floor(),
                "divided_by" => a / b,
                _ if b == 0.0 => return Ok(Value::Null),
                _ => a % b,
            };
            Ok(if both_int {
                Value::from(result as i64)
            } else {
                serde_json::Number::from_f64(result).map_or(Value::Null, Value::Number)
            })
        }
        "slugify" => s(crate::text::slugify(&text)),
        "relative_url" => s(relative_url(site, &text)),
        "absolute_url" => {
            let base = site.get("url").map(to_text).unwrap_or_default();
            s(base.trim_end_matches('/').to_owned() + &relative_url(site, &text))
        }
        "jsonify" => s(serde_json::to_string(&input).unwrap_or_default()),
        "date"
        | "date_to_string"
        | "date_to_long_string"
        | "date_to_xmlschema"
        | "date_to_rfc822" => {
            let format = match name {
                "date" => arg(0),
                "date_to_string" => "%d %b %Y".to_owned(),
                "date_to_long_string" => "%d %B %Y".to_owned(),
                "date_to_xmlschema" => "%Y-%m-%dT%H:%M:%S%:z".to_owned(),
                _ => "%a, %d %b %Y %H:%M:%S %z".to_owned(),
            };
            s(format_date(&text, &format).unwrap_or(text))
        }
        _ => Err(input),
    }
}

/// Jekyll's `relative_url`: the site's `baseurl` before a path, with one `/` between.
fn relative_url(site: &Value, path: &str) -> String {
    if path.contains("://") || path.starts_with("//") {
        return path.to_owned();
    }
    let base = site.get("baseurl").map(to_text).unwrap_or_default();
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let joined = format!("{base}/{path}");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Formats a date written as Jekyll prints one (`2023-08-11 00:00:00 +0000`) or as ISO 8601.
fn format_date(text: &str, format: &str) -> Option<String> {
    let text = text.trim();
    let timestamp = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", text)
        .and_then(|t| t.to_timestamp())
        .or_else(|_| text.parse::<jiff::Timestamp>())
        .ok()
        .or_else(|| {
            let date: jiff::civil::Date = text.get(..10)?.parse().ok()?;
            jiff::tz::TimeZone::UTC
                .to_timestamp(date.at(0, 0, 0, 0))
                .ok()
        })?;
    let mut out = String::new();
    write!(out, "{}", timestamp.strftime(format)).ok()?;
    Some(out)
}

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
}

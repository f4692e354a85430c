//! Tokens → a tree of nodes: block tags matched with their `end` tags.

use serde_json::Value;

use super::MAX_DEPTH;
use super::lexer::{ParseError, Token, lex, split_tag};
use super::markup::{
    Lexer, parse_condition, parse_cycle, parse_filtered, parse_include, parse_when,
};

#[derive(Debug)]
pub(super) enum Node {
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
        at: usize,
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
    /// `{% case x %}`: each `when` whose values hold one equal to `x` renders (Liquid renders
    /// all that match), `else` (None) when none did.
    Case {
        at: usize,
        subject: Expr,
        blocks: Vec<(Option<Vec<Expr>>, Vec<Node>)>,
    },
    /// `{% cycle %}`: the next of `values` each time, counted per `key` across the page.
    Cycle {
        at: usize,
        group: Option<Expr>,
        /// The values' markup: what unnamed cycles are told apart by, as in Liquid.
        key: String,
        values: Vec<Expr>,
    },
    /// `{% post_url 2024-01-15-name %}`: the URL of that post.
    PostUrl {
        at: usize,
        name: Target,
    },
    /// `{% link path/in/the/site.md %}`: the URL of that page, post or static file.
    Link {
        at: usize,
        path: Target,
    },
    /// `{% include_relative file %}`: a file beside the page, through Liquid.
    IncludeRelative {
        at: usize,
        file: Expr,
        params: Vec<(String, Expr)>,
    },
}

#[derive(Debug, Clone)]
pub(super) enum Expr {
    Literal(Value),
    /// `a.b[0]["c"]`: a root name and lookups.
    Path(String, Vec<Lookup>),
    Range(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone)]
pub(super) enum Lookup {
    Key(String),
    Index(Expr),
}

#[derive(Debug)]
pub(super) struct Filtered {
    pub(super) expr: Expr,
    pub(super) filters: Vec<Filter>,
}

/// `| name: args`, at the offset of its name in the source, where its errors are reported.
#[derive(Debug)]
pub(super) struct Filter {
    pub(super) name: String,
    pub(super) args: Vec<Expr>,
    pub(super) at: usize,
}

#[derive(Debug)]
pub(super) enum Condition {
    Always,
    /// `a and b or c`: comparisons joined right to left, as Liquid binds them (`a and (b or
    /// c)`). A list, not a tree, so a long chain cannot nest deep.
    Chain {
        negate: bool,
        first: Comparison,
        rest: Vec<(Join, Comparison)>,
    },
}

/// `left op right`, or a value tested for truth alone.
#[derive(Debug)]
pub(super) struct Comparison {
    pub(super) left: Expr,
    pub(super) op: Option<(String, Expr)>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Join {
    And,
    Or,
}

pub(super) fn parse(src: &str) -> Result<Vec<Node>, ParseError> {
    let tokens = lex(src)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        src,
        depth: 0,
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
    /// Block tags open around the current token: parsing recurses once per level.
    depth: usize,
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
                        let expr =
                            parse_filtered(inner, self.offset_of(inner)).map_err(|m| (at, m))?;
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

    /// Where `part`, a slice of the source, starts in it.
    fn offset_of(&self, part: &str) -> usize {
        part.as_ptr() as usize - self.src.as_ptr() as usize
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

    /// A tag; a block tag one level deeper, refused past [`MAX_DEPTH`] levels.
    fn tag(&mut self, at: usize, name: &str, markup: &str) -> Result<Node, ParseError> {
        let block = matches!(
            name,
            "if" | "unless" | "for" | "capture" | "highlight" | "case"
        );
        if !block {
            return self.tag_inner(at, name, markup);
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((
                at,
                format!("`{{% {name} %}}` nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let node = self.tag_inner(at, name, markup);
        self.depth -= 1;
        node
    }

    fn tag_inner(&mut self, at: usize, name: &str, markup: &str) -> Result<Node, ParseError> {
        let err = |m: String| (at, m);
        match name {
            "if" | "unless" => {
                let mut condition = parse_condition(markup).map_err(err)?;
                if name == "unless"
                    && let Condition::Chain { negate, .. } = &mut condition
                {
                    *negate = true;
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
                    expr: parse_filtered(value, self.offset_of(value)).map_err(err)?,
                })
            }
            "capture" => {
                let (body, _) = self.expect_end(at, "capture", &["endcapture"])?;
                Ok(Node::Capture {
                    at,
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
            "case" => {
                let mut lexer = Lexer::new(markup);
                let subject = lexer.expr().map_err(err)?;
                // What stands before the first `when` is never rendered, as in Liquid.
                let (_, (_, mut closing)) =
                    self.expect_end(at, "case", &["when", "else", "endcase"])?;
                let mut blocks = Vec::new();
                loop {
                    let (closer, rest) = split_tag(&closing);
                    let values = match closer {
                        "when" => Some(parse_when(rest).map_err(err)?),
                        "else" => None,
                        _ => break,
                    };
                    let (body, (_, next)) =
                        self.expect_end(at, "case", &["when", "else", "endcase"])?;
                    blocks.push((values, body));
                    closing = next;
                }
                Ok(Node::Case {
                    at,
                    subject,
                    blocks,
                })
            }
            "cycle" => {
                let (group, values) = parse_cycle(markup).map_err(err)?;
                let key = match markup.split_once(':') {
                    Some((_, rest)) if group.is_some() => rest.trim().to_owned(),
                    _ => markup.trim().to_owned(),
                };
                Ok(Node::Cycle {
                    at,
                    group,
                    key,
                    values,
                })
            }
            "post_url" | "link" => {
                let written = markup.trim();
                let target = parse_target(written, self.offset_of(written)).map_err(err)?;
                let literal = matches!(target.parts.as_slice(), [TargetPart::Text(_)] | []);
                if literal && (written.is_empty() || written.contains(char::is_whitespace)) {
                    return Err(err(format!(
                        "`{name}` expects {}, found `{written}`",
                        target_kind(name)
                    )));
                }
                Ok(match name {
                    "link" => Node::Link { at, path: target },
                    _ => Node::PostUrl { at, name: target },
                })
            }
            "include_relative" => {
                let (file, params) = parse_include(markup).map_err(err)?;
                Ok(Node::IncludeRelative { at, file, params })
            }
            _ => Err(err(format!(
                "unknown Liquid tag `{name}` (versus runs: if, unless, case, for, cycle, assign, capture, include, include_relative, post_url, link, highlight, raw, comment)"
            ))),
        }
    }
}

/// `matrix("x", only="differences")`: a versus embed, not Liquid.
/// What `post_url` or `link` (`tag`) names, for messages.
pub(super) fn target_kind(tag: &str) -> &'static str {
    match tag {
        "link" => "a path",
        _ => "a post's name (`2024-01-15-name`)",
    }
}

/// The argument of `link` or `post_url`: text with `{{ … }}` in it, as Jekyll 4 renders the
/// argument of `link` as a template (`{% link {{ page.diagram }} %}`, `_posts/{{ x }}.md`).
#[derive(Debug)]
pub(super) struct Target {
    pub(super) parts: Vec<TargetPart>,
}

#[derive(Debug)]
pub(super) enum TargetPart {
    Text(String),
    Output(Filtered),
}

/// Splits a tag's argument (at offset `base` of the source) into text and `{{ … }}` outputs.
fn parse_target(markup: &str, base: usize) -> Result<Target, String> {
    let mut parts = Vec::new();
    let mut rest = markup;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(TargetPart::Text(rest[..open].to_owned()));
        }
        let inner_start = open + 2;
        let Some(close) = rest[inner_start..].find("}}") else {
            return Err(format!("`{{{{` without `}}}}` in `{markup}`"));
        };
        let inner = &rest[inner_start..inner_start + close];
        let at = base + (markup.len() - rest.len()) + inner_start;
        parts.push(TargetPart::Output(parse_filtered(inner, at)?));
        rest = &rest[inner_start + close + 2..];
    }
    if !rest.is_empty() {
        parts.push(TargetPart::Text(rest.to_owned()));
    }
    Ok(Target { parts })
}

fn is_call(inner: &str) -> bool {
    let inner = inner.trim();
    let name_end = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    name_end > 0 && inner[name_end..].starts_with('(')
}

//! The markup inside a tag or output: values, lookups, ranges, filters, conditions and
//! include parameters.

use serde_json::Value;

use super::MAX_DEPTH;
use super::parser::{Comparison, Condition, Expr, Filter, Filtered, Join, Lookup};

/// `expr | filter: args`; `base` is the offset of `markup` in the source, for the filters'.
pub(super) fn parse_filtered(markup: &str, base: usize) -> Result<Filtered, String> {
    let mut lexer = Lexer::new(markup);
    let expr = lexer.expr()?;
    let mut filters = Vec::new();
    while lexer.eat('|') {
        lexer.skip_space();
        let at = base + lexer.pos;
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
        filters.push(Filter { name, args, at });
    }
    lexer.finish(markup)?;
    Ok(Filtered { expr, filters })
}

pub(super) fn parse_condition(markup: &str) -> Result<Condition, String> {
    let mut lexer = Lexer::new(markup);
    let condition = condition(&mut lexer)?;
    lexer.finish(markup)?;
    Ok(condition)
}

/// Comparisons joined by `and`/`or`, in a loop: a chain of any length parses flat.
fn condition(lexer: &mut Lexer) -> Result<Condition, String> {
    let first = comparison(lexer)?;
    let mut rest = Vec::new();
    loop {
        let save = lexer.pos;
        let join = match lexer.ident().as_deref() {
            Some("and") => Join::And,
            Some("or") => Join::Or,
            _ => {
                lexer.pos = save;
                break;
            }
        };
        rest.push((join, comparison(lexer)?));
    }
    Ok(Condition::Chain {
        negate: false,
        first,
        rest,
    })
}

fn comparison(lexer: &mut Lexer) -> Result<Comparison, String> {
    let left = lexer.expr()?;
    lexer.skip_space();
    let rest = &lexer.text[lexer.pos..];
    let op = ["==", "!=", "<>", "<=", ">=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    if let Some(op) = op {
        lexer.pos += op.len();
        let right = lexer.expr()?;
        return Ok(Comparison {
            left,
            op: Some((op.to_owned(), right)),
        });
    }
    let save = lexer.pos;
    if lexer.ident().as_deref() == Some("contains") {
        let right = lexer.expr()?;
        return Ok(Comparison {
            left,
            op: Some(("contains".to_owned(), right)),
        });
    }
    lexer.pos = save;
    Ok(Comparison { left, op: None })
}

/// The values of `{% when a, b or c %}`: each is compared with the `case` value on its own.
pub(super) fn parse_when(markup: &str) -> Result<Vec<Expr>, String> {
    let mut lexer = Lexer::new(markup);
    let mut values = vec![lexer.expr()?];
    loop {
        let save = lexer.pos;
        if lexer.eat(',') || lexer.ident().as_deref() == Some("or") {
            values.push(lexer.expr()?);
        } else {
            lexer.pos = save;
            break;
        }
    }
    lexer.finish(markup)?;
    Ok(values)
}

/// `{% cycle 'a', 'b' %}` or `{% cycle group: 'a', 'b' %}`: the group (if named) and values.
pub(super) fn parse_cycle(markup: &str) -> Result<(Option<Expr>, Vec<Expr>), String> {
    let mut lexer = Lexer::new(markup);
    let first = lexer.expr()?;
    let (group, mut values) = match lexer.eat(':') {
        true => (Some(first), vec![lexer.expr()?]),
        false => (None, vec![first]),
    };
    while lexer.eat(',') {
        values.push(lexer.expr()?);
    }
    lexer.finish(markup)?;
    Ok((group, values))
}

/// `file.html key=value key2="text"`, as Jekyll's include tag reads it.
pub(super) fn parse_include(markup: &str) -> Result<(Expr, Vec<(String, Expr)>), String> {
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
pub(super) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// Values open around the current one (ranges, `[index]`): parsing recurses per level.
    depth: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            depth: 0,
        }
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.pos..].chars().next()
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn expect(&mut self, c: char) -> Result<(), String> {
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
    pub(super) fn ident(&mut self) -> Option<String> {
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

    /// A value, refused past [`MAX_DEPTH`] levels of nesting.
    pub(super) fn expr(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("expression nested deeper than {MAX_DEPTH} levels"));
        }
        let expr = self.expr_inner();
        self.depth -= 1;
        expr
    }

    fn expr_inner(&mut self) -> Result<Expr, String> {
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

//! Running the node tree: scopes, loops, includes, conditions and lookups.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::filters::{apply_filter, as_int, to_text};
use super::parser::{Condition, Expr, Filtered, Lookup, Node};
use super::{Env, HIGHLIGHT_TAG_MARK, Output, Place, Problem};

pub(super) struct Scope<'e> {
    env: &'e Env,
    /// Innermost last: `page`/`site` at the bottom, then includes and loops.
    frames: Vec<Map<String, Value>>,
    pub(super) warnings: Vec<Problem>,
}

impl<'e> Scope<'e> {
    pub(super) fn new(env: &'e Env, page: &Value) -> Self {
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
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    /// For an include: its name, and the body offset of the outermost include tag, which
    /// is credited with everything the include makes.
    pub(super) include: Option<(&'a str, usize)>,
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

pub(super) fn render(
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

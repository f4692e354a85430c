//! Running the node tree: scopes, loops, includes, conditions and lookups, within the
//! page's budget: [`MAX_DEPTH`] levels, [`MAX_STEPS`] steps, [`MAX_TEXT_BYTES`] of text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Component, Path};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::filters::{FilterError, Room, apply_filter, as_int, to_text};
use super::parser::{
    Comparison, Condition, Expr, Filtered, Join, Lookup, Node, Target, TargetPart,
};
use super::{
    Env, HIGHLIGHT_TAG_MARK, MAX_DEPTH, MAX_STEPS, MAX_TEXT_BYTES, Output, Place, Problem,
};

/// Rendering stopped at a limit, its error recorded: whatever would come after could only
/// run the exhausted budget further.
pub(super) struct Halt;

type Flow<T = ()> = Result<T, Halt>;

/// What counts as a step, for the messages.
const STEPS: &str = "tags, loop iterations and items together";

pub(super) struct Scope<'e> {
    env: &'e Env,
    /// Innermost last: `page`/`site` at the bottom, then includes and loops.
    frames: Vec<Map<String, Value>>,
    pub(super) warnings: Vec<Problem>,
    pub(super) errors: Vec<Problem>,
    /// Blocks and includes open around the current node: rendering recurses once per level.
    depth: usize,
    /// The includes open around the current node, outermost first.
    includes: Vec<String>,
    /// What is left of the page's budgets.
    room: Room,
    /// How far each `{% cycle %}` of the page has gone, by group.
    cycles: HashMap<String, usize>,
    /// The page's path from the site root, which `include_relative` reads beside.
    page_path: Option<String>,
}

impl<'e> Scope<'e> {
    pub(super) fn new(env: &'e Env, page: &Value) -> Self {
        // `site` is looked up in `env`, not copied for every page: it holds every post.
        let mut globals = Map::new();
        globals.insert("page".to_owned(), page.clone());
        Scope {
            env,
            frames: vec![globals],
            warnings: Vec::new(),
            errors: Vec::new(),
            depth: 0,
            includes: Vec::new(),
            room: Room {
                steps: MAX_STEPS,
                text: MAX_TEXT_BYTES,
            },
            cycles: HashMap::new(),
            page_path: page.get("path").and_then(Value::as_str).map(str::to_owned),
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        let found = self.frames.iter().rev().find_map(|f| f.get(name));
        found.or_else(|| (name == "site").then_some(&self.env.site))
    }

    fn set(&mut self, name: &str, value: Value) {
        // `assign` writes the outermost frame, as Liquid's assigns are template-wide.
        self.frames[0].insert(name.to_owned(), value);
    }

    /// Records the error that stops rendering.
    fn halt(&mut self, place: Place, message: String) -> Halt {
        self.errors.push(Problem { place, message });
        Halt
    }

    /// Takes `steps` from the budget, or nothing when they are not all there.
    fn take_steps(&mut self, steps: u128) -> bool {
        match usize::try_from(steps) {
            Ok(steps) if steps <= self.room.steps => {
                self.room.steps -= steps;
                true
            }
            _ => false,
        }
    }

    /// One step for the node at `at`.
    fn step(&mut self, source: Source, at: usize) -> Flow {
        if self.take_steps(1) {
            return Ok(());
        }
        Err(self.halt(
            source.place(at),
            format!("Liquid did more than {MAX_STEPS} steps on this page ({STEPS})"),
        ))
    }

    /// `items` made at once (a range, a loop), refused when the budget has not that many.
    fn make_items(&mut self, items: u128, what: &str, source: Source, at: usize) -> Flow {
        if self.take_steps(items) {
            return Ok(());
        }
        Err(self.halt(
            source.place(at),
            format!("{what}: Liquid does at most {MAX_STEPS} steps per page ({STEPS})"),
        ))
    }

    /// `bytes` of text made at `at`.
    fn make_text(&mut self, bytes: usize, source: Source, at: usize) -> Flow {
        if bytes <= self.room.text {
            self.room.text -= bytes;
            return Ok(());
        }
        Err(self.too_much_text(source, at))
    }

    fn too_much_text(&mut self, source: Source, at: usize) -> Halt {
        self.halt(
            source.place(at),
            format!(
                "Liquid handled more than {} MiB of text on this page (output, captures, filter results and values read, together)",
                MAX_TEXT_BYTES >> 20
            ),
        )
    }

    /// Runs `inner` one level deeper, refused past [`MAX_DEPTH`] levels of blocks and includes.
    fn nested(&mut self, source: Source, at: usize, inner: impl FnOnce(&mut Self) -> Flow) -> Flow {
        if self.depth >= MAX_DEPTH {
            return Err(self.halt(
                source.place(at),
                format!("tag nested deeper than {MAX_DEPTH} levels of blocks and includes"),
            ));
        }
        self.depth += 1;
        let flow = inner(self);
        self.depth -= 1;
        flow
    }
}

/// The text nodes come from: the body, or an include file.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    /// For an include: its name, and the body offset of the outermost include tag, which
    /// is credited with everything the include makes.
    pub(super) include: Option<(&'a str, usize)>,
    /// For an `include_relative` file: its text, which problems found in it carry.
    pub(super) file: Option<&'a Arc<String>>,
}

impl Source<'_> {
    fn place(&self, offset: usize) -> Place {
        match (self.include, self.file) {
            (None, _) => Place::Body(offset),
            (Some((name, from)), None) => Place::Include {
                name: name.to_owned(),
                offset,
                from,
            },
            (Some((path, from)), Some(text)) => Place::File {
                path: path.to_owned(),
                text: Arc::clone(text),
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

/// Where a node starts, for the errors about it.
fn node_at(node: &Node) -> usize {
    match node {
        Node::Text(at, _)
        | Node::Output { at, .. }
        | Node::If { at, .. }
        | Node::For { at, .. }
        | Node::Assign { at, .. }
        | Node::Capture { at, .. }
        | Node::Include { at, .. }
        | Node::Highlight { at, .. }
        | Node::Case { at, .. }
        | Node::Cycle { at, .. }
        | Node::PostUrl { at, .. }
        | Node::Link { at, .. }
        | Node::IncludeRelative { at, .. } => *at,
    }
}

/// Renders `nodes`; `Err` when a limit stopped it (the error is in `scope.errors`).
pub(super) fn render(nodes: &[Node], source: Source, scope: &mut Scope, out: &mut Output) -> Flow {
    for node in nodes {
        scope.step(source, node_at(node))?;
        match node {
            Node::Text(a, b) => {
                let text = &source.text[*a..*b];
                scope.make_text(text.len(), source, *a)?;
                match source.include {
                    None => out.copy(text, *a),
                    Some((_, at)) => out.made(text, at),
                }
            }
            Node::Output { at, expr } => {
                let text = to_text(&eval_filtered(expr, scope, source, *at)?);
                scope.make_text(text.len(), source, *at)?;
                out.made(&text, source.credit(*at));
            }
            Node::If { at, branches } => {
                for (condition, body) in branches {
                    if test(condition, scope, source, *at)? {
                        scope.nested(source, *at, |scope| render(body, source, scope, out))?;
                        break;
                    }
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
                let count = |e: &Option<Expr>, scope: &mut Scope| -> Flow<Option<u128>> {
                    let Some(e) = e else { return Ok(None) };
                    let n = as_int(&eval(e, scope, source, *at)?);
                    Ok(n.map(|n| u128::try_from(n).unwrap_or(0)))
                };
                let skip = count(offset, scope)?.unwrap_or(0);
                let take = count(limit, scope)?.unwrap_or(u128::MAX);
                let items = match collection {
                    Expr::Range(from, to) => {
                        let (from, to) = range_ends(from, to, scope, source, *at)?;
                        LoopItems::Numbers {
                            first: from,
                            count: range_len(from, to),
                        }
                    }
                    other => LoopItems::Values(match eval(other, scope, source, *at)? {
                        Value::Array(items) => items,
                        Value::Object(map) => map
                            .into_iter()
                            .map(|(k, v)| Value::Array(vec![Value::String(k), v]))
                            .collect(),
                        Value::Null => Vec::new(),
                        other => vec![other],
                    }),
                };
                let items = items.window(skip, take);
                let length = items.len();
                scope.make_items(length, &format!("loop of {length} iterations"), source, *at)?;
                // Within the step budget, so it fits.
                let length = usize::try_from(length).unwrap_or(0);
                if length == 0 {
                    scope.nested(source, *at, |scope| render(otherwise, source, scope, out))?;
                }
                let (mut values, first) = match items {
                    LoopItems::Values(mut values) => {
                        if *reversed {
                            values.reverse();
                        }
                        (values.into_iter(), 0)
                    }
                    LoopItems::Numbers { first, .. } => (Vec::new().into_iter(), first),
                };
                for i in 0..length {
                    let item = values.next().unwrap_or_else(|| {
                        let n = if *reversed { length - 1 - i } else { i };
                        number(first + n as i128)
                    });
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
                    let flow = scope.nested(source, *at, |scope| render(body, source, scope, out));
                    scope.frames.pop();
                    flow?;
                }
            }
            Node::Assign { at, name, expr } => {
                let value = eval_filtered(expr, scope, source, *at)?;
                scope.set(name, value);
            }
            Node::Capture { at, name, body } => {
                let mut inner = Output::default();
                scope.nested(source, *at, |scope| render(body, source, scope, &mut inner))?;
                scope.set(name, Value::String(inner.text));
            }
            Node::Include { at, file, params } => {
                let name = to_text(&eval(file, scope, source, *at)?);
                include(&name, params, *at, source, scope, out)?;
            }
            Node::Highlight { at, lang, body } => {
                let mut inner = Output::default();
                scope.nested(source, *at, |scope| render(body, source, scope, &mut inner))?;
                // Jekyll's tag writes HTML, which ends a list item it is indented in: the fence
                // starts a line of its own then, and the code keeps its indentation.
                let line = out.text.rsplit('\n').next().unwrap_or("");
                let indented = !line.is_empty() && line.bytes().all(|b| b == b' ' || b == b'\t');
                let code = inner.text.trim_matches(['\r', '\n']);
                let fenced = match indented {
                    true => format!("\n{}", fence(lang, code)),
                    false => fence(lang, code),
                };
                scope.make_text(fenced.len(), source, *at)?;
                out.made(&fenced, source.credit(*at));
            }
            Node::Case {
                at,
                subject,
                blocks,
            } => {
                let subject = eval(subject, scope, source, *at)?;
                let mut matched = false;
                for (values, body) in blocks {
                    let Some(values) = values else {
                        if !matched {
                            scope.nested(source, *at, |scope| render(body, source, scope, out))?;
                        }
                        break;
                    };
                    for value in values {
                        let value = eval(value, scope, source, *at)?;
                        if compare(&subject, "==", &value) {
                            matched = true;
                            scope.nested(source, *at, |scope| render(body, source, scope, out))?;
                        }
                    }
                }
            }
            Node::Cycle {
                at,
                group,
                key,
                values,
            } => {
                let key = match group {
                    Some(group) => to_text(&eval(group, scope, source, *at)?),
                    None => key.clone(),
                };
                let turn = scope.cycles.entry(key).or_insert(0);
                let value = &values[*turn % values.len()];
                *turn += 1;
                let text = to_text(&eval(value, scope, source, *at)?);
                scope.make_text(text.len(), source, *at)?;
                out.made(&text, source.credit(*at));
            }
            Node::PostUrl { at, name } => {
                let Some(name) = render_target(name, "post_url", *at, source, scope)? else {
                    continue;
                };
                let env = scope.env;
                match env.post_url(&name) {
                    Some(url) => made_url(url, *at, source, scope, out)?,
                    None => {
                        let near = crate::diag::did_you_mean(&name, env.post_names());
                        let hint = near
                            .map(|n| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        scope.errors.push(Problem {
                            place: source.place(*at),
                            message: format!("`post_url`: no post `{name}` in content/posts/{hint}: name a post by its file name without `.md`, as Jekyll does"),
                        });
                    }
                }
            }
            Node::Link { at, path } => {
                let Some(path) = render_target(path, "link", *at, source, scope)? else {
                    continue;
                };
                match scope.env.link(&path) {
                    Some(url) => made_url(url, *at, source, scope, out)?,
                    None => scope.errors.push(Problem {
                        place: source.place(*at),
                        message: format!("`link`: no page, post or static file `{path}` (a path from the site's root, such as `_posts/2024-01-15-name.md` or `about.md`)"),
                    }),
                }
            }
            Node::IncludeRelative { at, file, params } => {
                let name = to_text(&eval(file, scope, source, *at)?);
                include_relative(&name, params, *at, source, scope, out)?;
            }
        }
    }
    Ok(())
}

/// The argument of `post_url` or `link` (`tag`) with its `{{ … }}` rendered and trimmed; None
/// (and an error at the tag) when it renders empty or with a space inside.
fn render_target(
    target: &Target,
    tag: &str,
    at: usize,
    source: Source,
    scope: &mut Scope,
) -> Flow<Option<String>> {
    let mut text = String::new();
    for part in &target.parts {
        match part {
            TargetPart::Text(t) => text.push_str(t),
            TargetPart::Output(expr) => {
                text.push_str(&to_text(&eval_filtered(expr, scope, source, at)?))
            }
        }
    }
    let text = text.trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        scope.errors.push(Problem {
            place: source.place(at),
            message: format!(
                "`{tag}` expects {}, found `{text}`",
                super::parser::target_kind(tag)
            ),
        });
        return Ok(None);
    }
    Ok(Some(text.to_owned()))
}

/// A site path as `post_url` and `link` write it, under the base path as Jekyll 4 does.
fn made_url(url: &str, at: usize, source: Source, scope: &mut Scope, out: &mut Output) -> Flow {
    let base = scope
        .env
        .site
        .get("baseurl")
        .and_then(Value::as_str)
        .unwrap_or("");
    let url = format!("{}{url}", base.trim_end_matches('/'));
    scope.make_text(url.len(), source, at)?;
    out.made(&url, source.credit(at));
    Ok(())
}

/// `{% include_relative file %}`: `file` from the folder of the page (not of an include), as
/// Jekyll reads it, parsed and rendered with `include.*` set. A path out of the page's
/// folder (`..`, absolute) is refused, as Jekyll refuses it.
fn include_relative(
    name: &str,
    params: &[(String, Expr)],
    at: usize,
    source: Source,
    scope: &mut Scope,
    out: &mut Output,
) -> Flow {
    let env = scope.env;
    let refuse = |scope: &mut Scope, message: String| {
        scope.errors.push(Problem {
            place: source.place(at),
            message: format!("`include_relative {name}`: {message}"),
        });
        Ok(())
    };
    let (Some(root), Some(page)) = (env.root.as_deref(), scope.page_path.clone()) else {
        return refuse(
            scope,
            "not available here (no page file to read beside)".to_owned(),
        );
    };
    let relative = Path::new(name);
    if name.is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return refuse(
            scope,
            "a file in the page's folder or below it expected (no `..`, no absolute path)"
                .to_owned(),
        );
    }
    let path = Path::new(&page)
        .parent()
        .unwrap_or(Path::new(""))
        .join(relative);
    let shown = path.to_string_lossy().replace('\\', "/");
    if scope.includes.contains(&shown) || scope.depth >= MAX_DEPTH {
        let message = format!("`{shown}` includes itself (nested deeper than {MAX_DEPTH} levels)");
        return Err(scope.halt(source.place(at), message));
    }
    // A page's files beside it may be in static/ too, which mirrors content/ for files that
    // are no pages (the root of a Jekyll site is both).
    let beside = path
        .strip_prefix("content")
        .ok()
        .map(|rest| Path::new("static").join(rest))
        .filter(|other| !root.join(&path).exists() && root.join(other).is_file());
    let (path, shown) = match beside {
        Some(other) => {
            let shown = other.to_string_lossy().replace('\\', "/");
            (other, shown)
        }
        None => (path, shown),
    };
    let text = match crate::source::read_text(root, &path) {
        Ok(text) => Arc::new(text),
        Err(problem) => return refuse(scope, format!("cannot read {shown}: {}", problem.message)),
    };
    scope.make_text(text.len(), source, at)?;
    let nodes = match super::parser::parse(&text) {
        Ok(nodes) => nodes,
        Err((offset, message)) => {
            scope.errors.push(Problem {
                place: Place::File {
                    path: shown,
                    text: Arc::clone(&text),
                    offset,
                    from: source.credit(at),
                },
                message,
            });
            return Ok(());
        }
    };
    let mut values = Map::new();
    for (key, expr) in params {
        values.insert(key.clone(), eval(expr, scope, source, at)?);
    }
    let mut frame = Map::new();
    frame.insert("include".to_owned(), Value::Object(values));
    scope.frames.push(frame);
    scope.includes.push(shown.clone());
    let inner = Source {
        text: &text,
        include: Some((&shown, source.credit(at))),
        file: Some(&text),
    };
    let flow = scope.nested(source, at, |scope| render(&nodes, inner, scope, out));
    scope.includes.pop();
    scope.frames.pop();
    flow
}

/// What a `for` walks: a range stays its two ends, so `(1..1000000000) limit: 3` makes three.
enum LoopItems {
    Numbers { first: i128, count: u128 },
    Values(Vec<Value>),
}

impl LoopItems {
    /// The items after `offset: skip` and `limit: take`.
    fn window(self, skip: u128, take: u128) -> LoopItems {
        match self {
            LoopItems::Numbers { first, count } => {
                let skip = skip.min(count);
                LoopItems::Numbers {
                    // `skip` is at most the length of an i64 range: no overflow in i128.
                    first: first + skip as i128,
                    count: (count - skip).min(take),
                }
            }
            LoopItems::Values(values) => {
                let skip = usize::try_from(skip).unwrap_or(usize::MAX);
                let take = usize::try_from(take).unwrap_or(usize::MAX);
                LoopItems::Values(values.into_iter().skip(skip).take(take).collect())
            }
        }
    }

    fn len(&self) -> u128 {
        match self {
            LoopItems::Numbers { count, .. } => *count,
            LoopItems::Values(values) => values.len() as u128,
        }
    }
}

/// The two ends of `(from..to)`, as integers (a non-number is 0, as in Liquid).
fn range_ends(
    from: &Expr,
    to: &Expr,
    scope: &mut Scope,
    source: Source,
    at: usize,
) -> Flow<(i128, i128)> {
    let from = as_int(&eval(from, scope, source, at)?).unwrap_or(0);
    let to = as_int(&eval(to, scope, source, at)?).unwrap_or(0);
    Ok((i128::from(from), i128::from(to)))
}

/// How many integers `from..=to` holds; i128 holds any two i64 ends' difference.
fn range_len(from: i128, to: i128) -> u128 {
    u128::try_from(to - from + 1).unwrap_or(0)
}

/// An integer of a range: always within i64, as both ends are.
fn number(n: i128) -> Value {
    i64::try_from(n).map_or(Value::Null, Value::from)
}

fn include(
    name: &str,
    params: &[(String, Expr)],
    at: usize,
    source: Source,
    scope: &mut Scope,
    out: &mut Output,
) -> Flow {
    let env = scope.env;
    let (Some(text), Some(parsed)) = (env.includes.get(name), env.parsed.get(name)) else {
        let known = env.includes.keys().map(String::as_str);
        let message = match crate::diag::did_you_mean(name, known) {
            Some(near) => format!("no include `{name}` in includes/ (did you mean `{near}`?)"),
            None => format!("no include `{name}` in includes/"),
        };
        scope.errors.push(Problem {
            place: source.place(at),
            message,
        });
        return Ok(());
    };
    if scope.depth >= MAX_DEPTH {
        let message = if scope.includes.iter().any(|open| open == name) {
            format!("include `{name}` includes itself (nested deeper than {MAX_DEPTH} levels)")
        } else {
            format!("include `{name}` nested deeper than {MAX_DEPTH} levels of blocks and includes")
        };
        return Err(scope.halt(source.place(at), message));
    }
    let nodes = match parsed {
        Ok(nodes) => nodes,
        Err((offset, message)) => {
            scope.errors.push(Problem {
                place: Place::Include {
                    name: name.to_owned(),
                    offset: *offset,
                    from: source.credit(at),
                },
                message: message.clone(),
            });
            return Ok(());
        }
    };
    let mut values = Map::new();
    for (key, expr) in params {
        values.insert(key.clone(), eval(expr, scope, source, at)?);
    }
    let mut frame = Map::new();
    frame.insert("include".to_owned(), Value::Object(values));
    scope.frames.push(frame);
    scope.includes.push(name.to_owned());
    let inner = Source {
        text,
        include: Some((name, source.credit(at))),
        file: None,
    };
    let flow = scope.nested(source, at, |scope| render(nodes, inner, scope, out));
    scope.includes.pop();
    scope.frames.pop();
    flow
}

/// A fenced code block for `{% highlight %}`, its fence longer than any backtick run inside.
fn fence(lang: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let marks = "`".repeat(longest.max(2) + 1);
    // The mark lets the Markdown stage write Jekyll's `<figure>` for it.
    format!("{marks}{lang} {HIGHLIGHT_TAG_MARK}\n{code}\n{marks}\n")
}

/// A value through its filters. A filter that fails (`divided_by: 0`) is an error at the
/// filter, its result nil, and rendering goes on; one that would pass a budget stops it.
fn eval_filtered(filtered: &Filtered, scope: &mut Scope, source: Source, at: usize) -> Flow<Value> {
    let mut value = eval(&filtered.expr, scope, source, at)?;
    for filter in &filtered.filters {
        let mut args = Vec::with_capacity(filter.args.len());
        for arg in &filter.args {
            args.push(eval(arg, scope, source, at)?);
        }
        let name = &filter.name;
        value = match apply_filter(name, value, &args, &scope.env.site, &scope.room) {
            Ok(value) => value,
            Err(FilterError::Unknown(value)) => {
                scope.warnings.push(Problem {
                    place: source.place(at),
                    message: format!("unknown Liquid filter `{name}` (ignored, as Jekyll does)"),
                });
                value
            }
            Err(FilterError::Failed(message)) => {
                scope.errors.push(Problem {
                    place: source.place(filter.at),
                    message: format!("`{name}`: {message}"),
                });
                Value::Null
            }
            Err(FilterError::TooMuchText) => return Err(scope.too_much_text(source, filter.at)),
            Err(FilterError::TooManyItems(items)) => {
                let message = format!(
                    "`{name}` into {items} items: Liquid does at most {MAX_STEPS} steps per page ({STEPS})"
                );
                return Err(scope.halt(source.place(filter.at), message));
            }
        };
        match &value {
            Value::String(text) => scope.make_text(text.len(), source, filter.at)?,
            Value::Array(items) if name == "split" => {
                scope.make_items(items.len() as u128, "`split`", source, filter.at)?;
            }
            _ => {}
        }
    }
    Ok(value)
}

/// A value. What it copies (a literal, a variable's value) counts as text handled, so a big
/// value read in a long loop stops at the budget instead of copying for hours.
fn eval(expr: &Expr, scope: &mut Scope, source: Source, at: usize) -> Flow<Value> {
    let value = match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Range(from, to) => {
            let (from, to) = range_ends(from, to, scope, source, at)?;
            let count = range_len(from, to);
            scope.make_items(count, &format!("range of {count} items"), source, at)?;
            return Ok(Value::Array(
                (0..count).map(|i| number(from + i as i128)).collect(),
            ));
        }
        Expr::Path(name, lookups) => lookup(name, lookups, scope, source, at)?,
    };
    scope.make_text(weight(&value), source, at)?;
    Ok(value)
}

/// `name.key[index]`: walked by reference, only the value found is copied.
fn lookup(
    name: &str,
    lookups: &[Lookup],
    scope: &mut Scope,
    source: Source,
    at: usize,
) -> Flow<Value> {
    if name == "empty?" || name == "blank?" {
        return Ok(Value::String(EMPTY.to_owned()));
    }
    // The indexes first: evaluating them needs the scope, the walk borrows it.
    let mut indexes = Vec::new();
    for lookup in lookups {
        if let Lookup::Index(index) = lookup {
            indexes.push(eval(index, scope, source, at)?);
        }
    }
    let mut indexes = indexes.iter();
    let mut dotted = name.to_owned();
    let mut current = scope.get(name).map(Cow::Borrowed);
    for lookup in lookups {
        let Some(value) = current else { break };
        current = match lookup {
            Lookup::Key(key) => {
                dotted.push('.');
                dotted.push_str(key);
                property(value, key)
            }
            Lookup::Index(_) => {
                let index = indexes.next().unwrap_or(&Value::Null);
                let _ = write!(dotted, "[{}]", to_text(index));
                match (value, index) {
                    (Cow::Borrowed(Value::Array(items)), _) => as_int(index).and_then(|i| {
                        let i = if i < 0 { items.len() as i64 + i } else { i };
                        items.get(usize::try_from(i).ok()?).map(Cow::Borrowed)
                    }),
                    (value, Value::String(key)) => property(value, key),
                    _ => None,
                }
            }
        };
    }
    let found = current.map(Cow::into_owned);
    Ok(found.unwrap_or_else(|| {
        // Optional include parameters are the norm: `{% if include.caption %}`.
        if name == "include" {
            return Value::Null;
        }
        scope.warnings.push(Problem {
            place: source.place(at),
            message: format!("undefined Liquid variable `{dotted}` (rendered empty)"),
        });
        Value::Null
    }))
}

/// About the bytes a value holds: what copying it costs.
fn weight(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(weight).sum::<usize>() + items.len(),
        Value::Object(map) => map.iter().map(|(k, v)| k.len() + weight(v)).sum::<usize>() + 1,
        _ => 1,
    }
}

/// `value.key`, with Liquid's `size`, `first` and `last` on arrays and strings.
fn property<'v>(value: Cow<'v, Value>, key: &str) -> Option<Cow<'v, Value>> {
    let borrowed = |value: &'v Value| -> Option<Cow<'v, Value>> {
        match (value, key) {
            (Value::Object(map), _) if map.contains_key(key) => map.get(key).map(Cow::Borrowed),
            (Value::Array(items), "first") => items.first().map(Cow::Borrowed),
            (Value::Array(items), "last") => items.last().map(Cow::Borrowed),
            (Value::Array(items), "size") => Some(Cow::Owned(Value::from(items.len()))),
            (Value::String(s), "size") => Some(Cow::Owned(Value::from(s.chars().count()))),
            (Value::Object(map), "size") => Some(Cow::Owned(Value::from(map.len()))),
            _ => None,
        }
    };
    match value {
        Cow::Borrowed(value) => borrowed(value),
        // Only sizes are owned, and a number has no properties.
        Cow::Owned(_) => None,
    }
}

/// Whether a condition holds. Lookups here are quiet: `{% if page.image %}` on a page
/// without one is a normal test, not a mistake worth a warning.
fn test(condition: &Condition, scope: &mut Scope, source: Source, at: usize) -> Flow<bool> {
    let Condition::Chain {
        negate,
        first,
        rest,
    } = condition
    else {
        return Ok(true);
    };
    let warnings = scope.warnings.len();
    // Right to left: the last comparison, then each one before it joined to the result.
    let last = rest.last().map_or(first, |(_, last)| last);
    let mut result = holds(last, scope, source, at)?;
    for i in (0..rest.len()).rev() {
        let left = if i == 0 { first } else { &rest[i - 1].1 };
        result = match rest[i].0 {
            Join::And => result && holds(left, scope, source, at)?,
            Join::Or => result || holds(left, scope, source, at)?,
        };
    }
    scope.warnings.truncate(warnings);
    Ok(result != *negate)
}

fn holds(comparison: &Comparison, scope: &mut Scope, source: Source, at: usize) -> Flow<bool> {
    let left = eval(&comparison.left, scope, source, at)?;
    Ok(match &comparison.op {
        None => truthy(&left) && left.as_str() != Some(EMPTY),
        Some((op, right)) => {
            let right = eval(right, scope, source, at)?;
            compare(&left, op, &right)
        }
    })
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

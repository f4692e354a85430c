//! The one place that calls the YAML library, so swapping it is a one-line change.
//!
//! `serde_yaml` here is the maintained fork `serde_norway` (same API, see Cargo.toml): the
//! original crate is archived. Front matter and data files go through the same parser.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::Diagnostic;

pub use serde_yaml::{Mapping, Value};

/// Parses `text`, which starts at 1-based line `first_line` of the file at `path` (front matter
/// starts after its `---` line), reporting errors at the token at fault in that file.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    path: &Path,
    source: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    // libyaml reads a byte order mark followed by more than one key as a second document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(offset) = too_deeply_nested(text) {
        let lines: Vec<&str> = text.split('\n').collect();
        let (line, col) = line_col(&lines, offset);
        let message = format!("invalid YAML: nested more than {MAX_FLOW_DEPTH} levels deep here");
        return Err(Diagnostic::error(path, message)
            .at(source, first_line + line - 1, col)
            .with_help("close the `[` and `{` above it"));
    }
    serde_yaml::from_str(text).map_err(|err| {
        let fault = Fault::of(&err, text, first_line);
        let diagnostic = Diagnostic::error(path, format!("invalid YAML: {}", fault.message));
        let diagnostic = diagnostic.at(source, first_line + fault.line - 1, fault.col);
        match fault.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    })
}

/// Deeper `[`/`{` nesting than any real file has: libyaml's scanner is quadratic in it (a
/// 430 KB site.yaml nested 60,000 deep took 12.7 s, found by the fuzzer).
const MAX_FLOW_DEPTH: usize = 1_000;

/// The offset of the bracket that opens level [`MAX_FLOW_DEPTH`] + 1, if one does. Brackets
/// and quotes count where a value can start (a `[` or an apostrophe inside plain text opens
/// nothing); comments are skipped.
fn too_deeply_nested(text: &str) -> Option<usize> {
    let opening = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if opening <= MAX_FLOW_DEPTH {
        return None;
    }
    let bytes = text.as_bytes();
    let (mut depth, mut quote, mut i) = (0usize, None, 0);
    // The last byte that was not a space on this line (`\n` at a line's start).
    let mut last = b'\n';
    while i < bytes.len() {
        let b = bytes[i];
        let value_starts =
            depth > 0 || matches!(last, b'\n' | b':' | b'-' | b'?' | b',' | b'[' | b'{');
        match (quote, b) {
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if value_starts => quote = Some(b),
            (None, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                last = b'\n';
                continue;
            }
            (None, b'[' | b'{') if value_starts => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            (None, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if b == b'\n' {
            last = b'\n';
        } else if b != b' ' && b != b'\t' {
            last = b;
        }
        i += 1;
    }
    None
}

/// A YAML error as users see it: at the token at fault (libyaml reports an unclosed quote at
/// the end of the input and a duplicate key at its mapping's start), said plainly.
struct Fault {
    /// 1-based line within the YAML text, and column in characters.
    line: usize,
    col: usize,
    message: String,
    help: Option<String>,
}

impl Fault {
    fn of(err: &serde_yaml::Error, text: &str, first_line: usize) -> Fault {
        let raw = err.to_string();
        let (line, col) = err.location().map_or((1, 1), |at| (at.line(), at.column()));
        let mut fault = Fault {
            line,
            col,
            message: relocate_message(&raw, first_line),
            help: None,
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let line_text = lines.get(line - 1).copied().unwrap_or("");
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        if (raw.contains("unexpected end of stream") || raw.contains("unexpected document"))
            && let Some((open_line, open_col)) =
                context_mark(&raw, "while scanning a quoted scalar")
        {
            let quote = lines
                .get(open_line - 1)
                .and_then(|l| l.chars().nth(open_col - 1))
                .filter(|c| matches!(c, '"' | '\''))
                .unwrap_or('"');
            return Fault {
                line: open_line,
                col: open_col,
                message: "the quoted string that starts here is never closed".into(),
                help: Some(format!("add the closing `{quote}`")),
            };
        }
        if let Some(key) = raw
            .split_once("duplicate entry with key ")
            .map(|(_, key)| unquote(key))
        {
            let start = offset_of(&lines, line, col);
            let keys = match text.get(start..).is_some_and(|t| t.starts_with('{')) {
                true => flow_keys(text, start),
                false => block_keys(&lines, line, col),
            };
            let mut same = keys.iter().filter(|(k, _)| *k == key).map(|(_, at)| *at);
            fault.message = format!("duplicate key `{key}`");
            if let (Some(first), Some(second)) = (same.next(), same.next()) {
                let (first_line_of_key, _) = line_col(&lines, first);
                fault.message = format!(
                    "duplicate key `{key}` (first at line {})",
                    first_line + first_line_of_key - 1
                );
                (fault.line, fault.col) = line_col(&lines, second);
            }
            fault.help = Some("a key may stand once in a mapping: remove or rename one".into());
            return fault;
        }
        let at_char = line_text.chars().nth(col.saturating_sub(1));
        if raw.contains("tab character that violates indentation")
            || (at_char == Some('\t') && raw.contains("cannot start any token"))
        {
            fault.message = "a tab in the indentation: YAML indents with spaces".into();
            fault.help = Some("replace the tab with spaces".into());
            return fault;
        }
        let above = lines[..(line.saturating_sub(1)).min(lines.len())]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if raw.contains("mapping values are not allowed") {
            if let Some(above) = above.filter(|above| indent(line_text) > indent(above)) {
                let continued = split_key(above.trim_start())
                    .filter(|(_, after)| !above.trim_start()[*after..].trim().is_empty());
                if let Some((key, _)) = continued {
                    fault.col = indent(line_text) + 1;
                    fault.message = "this line is indented more than the key above it".into();
                    fault.help = Some(format!(
                        "as it is, the line continues the value of `{key}`: line it up with `{key}`"
                    ));
                    return fault;
                }
            }
            fault.help = Some("a value with `: ` in it needs quotes".into());
        }
        if raw.contains("did not find expected key") {
            fault.help = Some("this line's indentation lines up with no key above it".into());
        }
        fault
    }
}

/// The position libyaml gives after `context` in its message: "… while scanning a quoted
/// scalar at line 2 column 8".
fn context_mark(message: &str, context: &str) -> Option<(usize, usize)> {
    let after = &message[message.find(context)? + context.len()..];
    let after = after.strip_prefix(" at line ")?;
    let (line, rest) = after.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// `"name"` → `name`, as serde_yaml quotes the key in its message.
fn unquote(key: &str) -> String {
    let key = key.split(" at line ").next().unwrap_or(key).trim();
    match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\""),
        None => key.to_owned(),
    }
}

/// The byte offset of 1-based `line` and character column `col` in `lines`.
fn offset_of(lines: &[&str], line: usize, col: usize) -> usize {
    // libyaml also breaks lines at a lone `\r`, which `lines` does not: a line past the last
    // one is the end of the text.
    if line > lines.len() {
        return lines
            .iter()
            .map(|l| l.len() + 1)
            .sum::<usize>()
            .saturating_sub(1);
    }
    let start: usize = lines[..line.saturating_sub(1)]
        .iter()
        .map(|l| l.len() + 1)
        .sum();
    let text = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
    start
        + text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i)
}

/// The 1-based line and character column of a byte offset in `lines`.
fn line_col(lines: &[&str], offset: usize) -> (usize, usize) {
    let mut start = 0;
    for (i, line) in lines.iter().enumerate() {
        if offset <= start + line.len() {
            return (i + 1, line[..offset - start].chars().count() + 1);
        }
        start += line.len() + 1;
    }
    (lines.len(), 1)
}

/// The keys of the block mapping whose first key stands at `line:col`, with their offsets.
fn block_keys(lines: &[&str], line: usize, col: usize) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    let first = offset_of(lines, line, col);
    let column = first - offset_of(lines, line, 1);
    let mut offset = offset_of(lines, line, 1);
    for (i, text) in lines.iter().enumerate().skip(line - 1) {
        let line_start = offset;
        offset += text.len() + 1;
        let body = text.trim_end_matches('\r');
        let indent = body.len() - body.trim_start_matches(' ').len();
        let rest = body.get(column..).unwrap_or("");
        if i + 1 > line {
            if body.trim().is_empty() || body.trim_start().starts_with('#') {
                continue;
            }
            if indent < column || matches!(body, "---" | "...") {
                break;
            }
            if indent > column || rest.starts_with('-') {
                continue;
            }
        }
        if let Some((key, _)) = split_key(rest) {
            keys.push((key, line_start + column));
        }
    }
    keys
}

/// The keys of the flow mapping whose `{` is at byte `open`, with their offsets.
fn flow_keys(text: &str, open: usize) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut quote: Option<char> = None;
    let mut chars = text.get(open..).unwrap_or("").char_indices();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' && q == '"' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '{' | '[' => {
                depth += 1;
                expect_key = depth == 1;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            ',' => expect_key = depth == 1,
            c if c.is_whitespace() => {}
            _ => {
                if expect_key {
                    expect_key = false;
                    let rest = &text[open + i..];
                    let key = if matches!(c, '"' | '\'') {
                        rest[1..].find(c).map(|end| rest[1..=end].to_owned())
                    } else {
                        let end = rest.find([':', ',', '}', '\n']).unwrap_or(rest.len());
                        Some(rest[..end].trim_end().to_owned())
                    };
                    keys.extend(key.map(|k| (k, open + i)));
                }
                if matches!(c, '"' | '\'') {
                    quote = Some(c);
                }
            }
        }
    }
    keys
}

/// `value` as YAML text (block style, ending in a newline), for files versus writes itself.
pub fn to_yaml(value: &Value) -> String {
    // Serialising a `Value` cannot fail: every key and scalar it holds is representable.
    serde_yaml::to_string(value).unwrap_or_default()
}

/// Parses a whole YAML file, or an empty one, into a value (`null` for an empty file).
pub fn parse_value(text: &str, path: &Path) -> Result<Value, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    parse(text, path, text, 1)
}

/// serde_yaml writes " at line L column C" (counted within the YAML block) into its messages.
/// The first is the error's own position, shown up front instead; later ones (where an
/// unclosed list started) are kept, as positions in the whole file.
fn relocate_message(message: &str, first_line: usize) -> String {
    const MARK: &str = " at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut first = true;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.len()..];
        let mut numbers = after
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|n| n.parse::<usize>().unwrap_or(0));
        let (line, column) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
        if !first {
            out.push_str(&format!(" at {}:{column}", first_line + line - 1));
        }
        first = false;
        let end = after.find(',').unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A scalar as template text: YAML `1.30` stays "1.30" only when read as a string, so
/// callers that need text read it from here rather than formatting a number.
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Where a top-level `key:` (and, if given, the text `value` after it, such as one id of a
/// list) stands in `text`: a byte offset. serde_yaml values carry no positions, so checks made
/// after parsing find their place this way.
pub fn key_offset(text: &str, key: &str, value: Option<&str>) -> Option<usize> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let line_start = offset;
        offset += line.len();
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        if !rest.trim_start().starts_with(':') {
            continue;
        }
        let Some(value) = value else {
            return Some(line_start);
        };
        // The value may stand on the key's line or on the indented lines below it.
        if let Some(i) = find_word(rest, value) {
            return Some(line_start + key.len() + i);
        }
        while let Some(item) = lines.next_if(|l| l.starts_with([' ', '\t', '-'])) {
            if let Some(i) = find_word(item, value) {
                return Some(offset + i);
            }
            offset += item.len();
        }
        return Some(line_start);
    }
    None
}

/// `needle` as a whole word (not part of a longer id) in `haystack`.
fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    haystack.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// One step of a path into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where the keys and sequence items of a block-style YAML document stand, by path.
///
/// serde_yaml values carry no positions, so checks made after parsing (a matrix cell's support
/// level, a feature id) find their line and column here. Flow collections (`{a: 1}`) are not
/// looked into: a path inside one resolves to the nearest enclosing key.
#[derive(Debug)]
pub struct Locator<'t> {
    text: &'t str,
    /// Path → (offset of the key or `-`, offset of its value text).
    places: std::collections::HashMap<Vec<Seg>, (usize, usize)>,
}

impl<'t> Locator<'t> {
    pub fn new(text: &'t str) -> Locator<'t> {
        let mut places = std::collections::HashMap::new();
        let mut items: std::collections::HashMap<Vec<Seg>, usize> = Default::default();
        // Open keys and items: (indent, is_item, path to here).
        let mut stack: Vec<(usize, bool, Vec<Seg>)> = Vec::new();
        // Lines more indented than this belong to a scalar (block or multi-line) value.
        let mut scalar_above: Option<usize> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let mut indent = body.len() - body.trim_start_matches(' ').len();
            let mut rest = &body[indent..];
            if rest.is_empty() || rest.starts_with('#') || rest == "---" {
                continue;
            }
            if let Some(limit) = scalar_above {
                if indent > limit {
                    continue;
                }
                scalar_above = None;
            }
            loop {
                if rest == "-" || rest.starts_with("- ") {
                    while stack
                        .last()
                        .is_some_and(|(i, item, _)| *i > indent || (*i == indent && *item))
                    {
                        stack.pop();
                    }
                    let parent = stack.last().map(|(_, _, p)| p.clone()).unwrap_or_default();
                    let count = items.entry(parent.clone()).or_insert(0);
                    let mut path = parent;
                    path.push(Seg::Index(*count));
                    *count += 1;
                    let after = rest[1..].len() - rest[1..].trim_start().len() + 1;
                    places.insert(
                        path.clone(),
                        (line_start + indent, line_start + indent + after),
                    );
                    stack.push((indent, true, path));
                    indent += after;
                    rest = rest[after..].trim_start();
                    if rest.is_empty() {
                        break;
                    }
                    continue;
                }
                let Some((key, value_at)) = split_key(rest) else {
                    break;
                };
                while stack.last().is_some_and(|(i, _, _)| *i >= indent) {
                    stack.pop();
                }
                let mut path = stack.last().map(|(_, _, p)| p.clone()).unwrap_or_default();
                path.push(Seg::Key(key));
                let value = rest[value_at..].trim();
                let value_offset = line_start
                    + indent
                    + value_at
                    + (rest[value_at..].len() - rest[value_at..].trim_start().len());
                places.insert(path.clone(), (line_start + indent, value_offset));
                stack.push((indent, false, path));
                if !value.is_empty() && !value.starts_with('#') && !value.starts_with('&') {
                    scalar_above = Some(indent);
                }
                break;
            }
        }
        Locator { text, places }
    }

    /// The offset of the value at `path`, or of the nearest enclosing one that is known.
    pub fn value(&self, path: &[Seg]) -> Option<usize> {
        let text = self.text;
        if let Some(place) = self.places.get(path) {
            return Some(place.1);
        }
        // A key inside a flow mapping on its parent's line: `eks: {support: addon, docs: x}`.
        if let Some((Seg::Key(key), parent)) = path.split_last()
            && let Some(&(_, start)) = self.places.get(parent)
        {
            let line = &text[start..text[start..].find('\n').map_or(text.len(), |e| start + e)];
            if let Some(i) = line.find(&format!("{key}:")) {
                let after = &line[i + key.len() + 1..];
                return Some(start + i + key.len() + 1 + after.len() - after.trim_start().len());
            }
        }
        (0..path.len())
            .rev()
            .find_map(|n| self.places.get(&path[..n]).map(|p| p.1))
    }

    /// The offset of the key (or the item's `-`) at `path`, or of the nearest enclosing one.
    pub fn key(&self, path: &[Seg]) -> Option<usize> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.places.get(&path[..n]).map(|p| p.0))
    }
}

/// Where item `index` (text `item`) of the list at `key` stands: its place in a block list, or
/// in a flow list (`[a, b]`) the first `item` after `previous` (the item before it, so a
/// repeated item is found at its own place).
pub fn list_item_offset(
    text: &str,
    at: &Locator,
    key: &[Seg],
    index: usize,
    item: &str,
    previous: Option<usize>,
) -> usize {
    let mut path = key.to_vec();
    path.push(Seg::Index(index));
    let key_at = at.value(key);
    // An item the locator does not know resolves to an enclosing value: the list's own, or
    // one before it when the list is inside a flow mapping (`feed: {taxonomies: [a, b]}`).
    let known = |offset: usize| key_at.is_none_or(|k| offset > k);
    match at.value(&path) {
        Some(offset) if known(offset) || index == 0 && text[offset..].starts_with(item) => offset,
        _ => {
            let from = previous.or(key_at).unwrap_or(0);
            let from = from.min(text.len());
            let skip = usize::from(previous.is_some());
            text[from..]
                .char_indices()
                .skip(skip)
                .find(|(i, _)| text[from + i..].starts_with(item))
                .map_or(from, |(i, _)| from + i)
        }
    }
}

/// `key: value` → (`key`, byte index after the colon); quoted keys are unquoted.
fn split_key(text: &str) -> Option<(String, usize)> {
    let (key, after) = if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'')
    {
        let end = text[1..].find(quote)? + 1;
        (text[1..end].to_owned(), end + 1)
    } else {
        let end = text
            .find(": ")
            .or_else(|| text.strip_suffix(':').map(|t| t.len()))?;
        (text[..end].trim_end().to_owned(), end)
    };
    if key.is_empty() || key.starts_with(['{', '[']) {
        return None;
    }
    let colon = text[after..].strip_prefix(':')?;
    (colon.is_empty() || colon.starts_with(' ')).then_some((key, after + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_the_line_in_the_whole_file() {
        let source = "---\ntitle: ok\ntags: [a, b\n---\nbody\n";
        let front = "title: ok\ntags: [a, b\n";
        let err = parse::<Value>(front, Path::new("x.md"), source, 2).unwrap_err();
        assert_eq!(err.path, Path::new("x.md"));
        assert!(err.line >= 3, "{err}");
        assert!(err.message.starts_with("invalid YAML: "), "{err}");
        assert!(!err.message.contains(" at line "), "{err}");
    }

    /// (line, col, message) of the error parsing `text` as a whole file.
    fn fault(text: &str) -> (usize, usize, String) {
        let err = parse_value(text, Path::new("d.yaml")).unwrap_err();
        (err.line, err.col, err.message)
    }

    #[test]
    fn an_unclosed_quote_is_at_its_opening_quote() {
        let (line, col, message) = fault("a: 1\nb: 'open\nc: 2\nd: 3\n");
        assert_eq!((line, col), (2, 4));
        assert!(message.contains("never closed"), "{message}");
        let err = parse::<Value>("b: \"x\n", Path::new("p.md"), "---\nb: \"x\n", 2).unwrap_err();
        assert_eq!(
            (err.line, err.col),
            (2, 4),
            "front matter lines count from the file"
        );
        assert_eq!(err.help.as_deref(), Some("add the closing `\"`"));
    }

    #[test]
    fn a_duplicate_key_is_at_its_second_occurrence() {
        let (line, col, message) = fault("# c\na: 1\nb:\n  x: 1\n  y:\n    x: 0\na: 3\n");
        assert_eq!((line, col), (7, 1), "{message}");
        assert_eq!(message, "invalid YAML: duplicate key `a` (first at line 2)");
        let (line, col, _) = fault("b:\n  x: 1\n  y:\n    x: 0\n  x: 2\n");
        assert_eq!(
            (line, col),
            (5, 3),
            "nested mappings are not the same mapping"
        );
        let (line, col, _) = fault("l:\n  - id: a\n    n: 1\n  - id: b\n    id: c\n");
        assert_eq!((line, col), (5, 5), "in the second item");
        let (line, col, _) = fault("f: {a: 1, \"b\": {a: 2}, 'b': 3}\n");
        assert_eq!(
            (line, col),
            (1, 24),
            "in a flow mapping, nested ones skipped"
        );
    }

    #[test]
    fn tabs_and_over_indented_lines_are_at_their_start() {
        let (line, col, message) = fault("a:\n  b: 1\n\tc: 2\n");
        assert_eq!((line, col), (3, 1));
        assert!(message.contains("a tab in the indentation"), "{message}");
        let (line, col, message) = fault("a:\n\tb: 1\n");
        assert_eq!((line, col), (2, 1));
        assert!(message.contains("a tab in the indentation"), "{message}");
        let (line, col, message) = fault("a:\n  b: 1\n     c: 2\n");
        assert_eq!((line, col), (3, 6));
        assert!(
            message.contains("indented more than the key above"),
            "{message}"
        );
        let (line, col, message) = fault("a: b: c\n");
        assert_eq!(
            (line, col),
            (1, 5),
            "a second `: ` on a line stays at its colon"
        );
        assert!(
            message.contains("mapping values are not allowed"),
            "{message}"
        );
    }

    #[test]
    fn placing_errors_never_panics_on_one_character_edits() {
        let text =
            "title: 'x'\nlist:\n  - id: a\n    n: {b: 1, c: [2]}\n  - \"q\"\nç: é\r\nz: |\n  t\n";
        for (at, _) in text.char_indices() {
            for insert in ["\"", "'", "\t", " ", ":", "{", "[", "- ", "\n", "é", "\\"] {
                let edited = format!("{}{insert}{}", &text[..at], &text[at..]);
                if let Err(err) = parse_value(&edited, Path::new("d.yaml")) {
                    assert!(
                        err.line >= 1 && err.line <= edited.lines().count() + 1,
                        "{err}"
                    );
                }
            }
        }
        // Every line twice: duplicate keys at each depth.
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            let edited: String = lines[..=i].iter().chain(&lines[i..]).copied().collect();
            if let Err(err) = parse_value(&edited, Path::new("d.yaml")) {
                assert!(err.line >= 1 && err.line <= lines.len() + 1, "{err}");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_a_second_document() {
        let value = parse_value("\u{feff}a: 1\nb: 2\n", Path::new("d.yaml")).unwrap();
        assert_eq!(value["b"].as_i64(), Some(2));
    }

    #[test]
    fn list_items_are_found_at_their_own_place() {
        let key = [Seg::Key("a".into())];
        let offsets = |text: &str, items: &[&str]| {
            let at = Locator::new(text);
            let mut previous = None;
            let mut found = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let offset = list_item_offset(text, &at, &key, i, item, previous);
                previous = Some(offset);
                found.push(offset);
            }
            found
        };
        let flow = "t: x\na: [/x/, /y/, /x/]\n";
        assert_eq!(offsets(flow, &["/x/", "/y/", "/x/"]), [9, 14, 19]);
        let block = "a:\n  - /x/\n  - /x/\n";
        assert_eq!(offsets(block, &["/x/", "/x/"]), [7, 15]);
        assert_eq!(offsets("a: /x/\n", &["/x/"]), [3]);
    }

    #[test]
    fn key_offset_finds_keys_and_list_items() {
        let text = "title: x\nauthors: [ann, bob]\ntags:\n  - a\n  - bobby\n  - bob\n";
        assert_eq!(key_offset(text, "title", None), Some(0));
        assert_eq!(
            key_offset(text, "authors", Some("bob")),
            Some(text.find("bob").unwrap())
        );
        assert_eq!(
            key_offset(text, "tags", Some("bob")),
            Some(text.rfind("bob").unwrap())
        );
        assert_eq!(key_offset(text, "nope", None), None);
    }

    #[test]
    fn locations_in_messages_are_file_positions() {
        let message =
            "did not find ']' at line 3 column 1, while parsing a flow sequence at line 2 column 7";
        assert_eq!(
            relocate_message(message, 4),
            "did not find ']', while parsing a flow sequence at 5:7"
        );
        assert_eq!(
            relocate_message("unknown field at line 2 column 3", 1),
            "unknown field"
        );
    }

    #[test]
    fn locator_finds_nested_keys_and_items() {
        let text = "title: Storage\nfeatures:\n- id: a\n  eks:\n    support: default\n  note: |\n    x: not a key\n- id: b\n  aks: {support: none}\ngroups:\n  - id: g\n";
        let at = Locator::new(text);
        let k = |s: &str| Seg::Key(s.into());
        let line_col = |o: usize| crate::diag::LineIndex::new(text).line_col(o);
        assert_eq!(line_col(at.key(&[k("title")]).unwrap()), (1, 1));
        assert_eq!(line_col(at.value(&[k("title")]).unwrap()), (1, 8));
        let support = [k("features"), Seg::Index(0), k("eks"), k("support")];
        assert_eq!(line_col(at.value(&support).unwrap()), (5, 14));
        assert_eq!(
            line_col(at.key(&[k("features"), Seg::Index(1)]).unwrap()),
            (8, 1)
        );
        assert_eq!(
            line_col(at.value(&[k("features"), Seg::Index(1), k("id")]).unwrap()),
            (8, 7)
        );
        let in_flow = [k("features"), Seg::Index(1), k("aks"), k("support")];
        assert_eq!(
            line_col(at.key(&in_flow).unwrap()),
            (9, 3),
            "nearest enclosing key"
        );
        assert!(
            at.key(&[k("features"), Seg::Index(0), k("x")])
                .is_some_and(|o| line_col(o).0 == 3),
            "block scalar lines are not keys"
        );
        assert_eq!(
            line_col(at.value(&[k("groups"), Seg::Index(0), k("id")]).unwrap()),
            (11, 9)
        );
    }

    #[test]
    fn empty_file_is_null() {
        assert_eq!(parse_value("\n", Path::new("d.yaml")).unwrap(), Value::Null);
    }

    /// Found by the fuzzer: libyaml breaks lines at a lone `\r`, so a duplicate key in a file
    /// with old Mac line ends was placed past the end of the text (a panic).
    #[test]
    fn duplicate_keys_with_carriage_return_line_ends_are_no_panic() {
        let text = "s:\r  e: -*\r  s:\r  home:rt:\r  home:rt:";
        let err = parse_value(text, Path::new("d.yaml")).unwrap_err();
        assert!(err.message.contains("invalid YAML"), "{}", err.message);
        let text = "a: 1\rb: {x: 1, x: 2}\ra: 2\r";
        assert!(parse_value(text, Path::new("d.yaml")).is_err());
    }

    #[test]
    fn nesting_deeper_than_any_real_file_is_refused_at_its_bracket() {
        let deep = format!(
            "a: {}1{}\n",
            "[".repeat(MAX_FLOW_DEPTH + 1),
            "]".repeat(1_001)
        );
        let err = parse_value(&deep, Path::new("d.yaml")).unwrap_err();
        assert!(
            err.message.contains("nested more than 1000 levels"),
            "{}",
            err.message
        );
        assert_eq!((err.line, err.col), (1, MAX_FLOW_DEPTH + 4));
        let fine = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(parse_value(&fine, Path::new("d.yaml")).is_ok());
        let text: String = (0..400)
            .map(|n| format!("# [[[[\nb{n}: \"[[[\"\nc{n}: a [b, it's [x\n"))
            .chain(["d: [don't, \"[\"]\n".to_string()])
            .collect();
        assert!(parse_value(&text, Path::new("d.yaml")).is_ok());
    }
}

//! The one place that calls the YAML library, so swapping it is a one-line change.
//!
//! `serde_yaml` here is the maintained fork `serde_norway` (same API, see Cargo.toml): the
//! original crate is archived. Front matter and data files go through the same parser.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::Diagnostic;

pub use serde_yaml::{Mapping, Value};

/// Parses `text`, which starts at 1-based line `first_line` of the file at `path` (front matter
/// starts after its `---` line), reporting errors at their position in that file.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    path: &Path,
    source: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|err| {
        let message = relocate_message(&err.to_string(), first_line);
        let diagnostic = Diagnostic::error(path, format!("invalid YAML: {message}"));
        match err.location() {
            Some(at) => diagnostic.at(source, first_line + at.line() - 1, at.column()),
            None => diagnostic.at(source, first_line, 1),
        }
    })
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
}

//! Template errors as diagnostics, at their `layouts/<name>:line:col`.

use std::collections::{BTreeMap, BTreeSet};

/// How diagnostics name the built-in theme's files (not a folder of the site).
const BUILTIN_FOLDER: &str = "versus-theme";
use std::path::Path;

use minijinja::{Error, ErrorKind};

use crate::diag::Diagnostic;

/// Places a minijinja error at `layouts/<name>:line:col`, or at `versus-theme/layouts/<name>`
/// when the template is the built-in theme's.
pub(super) fn template_diagnostic(
    err: &Error,
    sources: &BTreeMap<String, String>,
    builtin: &BTreeSet<String>,
) -> Diagnostic {
    // The innermost error names the template where it happened (an include, a parent layout).
    let mut innermost = err;
    while let Some(inner) =
        std::error::Error::source(innermost).and_then(|e| e.downcast_ref::<Error>())
    {
        innermost = inner;
    }
    let message = match innermost.detail() {
        Some(detail) => format!("{}: {detail}", innermost.kind()),
        None => innermost.kind().to_string(),
    };
    let Some(name) = innermost.name().or(err.name()) else {
        return Diagnostic::error("layouts", message);
    };
    let path = if builtin.contains(name) {
        Path::new(BUILTIN_FOLDER).join("layouts").join(name)
    } else {
        Path::new("layouts").join(name)
    };
    let mut diagnostic = Diagnostic::error(&path, message);
    if builtin.contains(name) {
        diagnostic = diagnostic.with_help(format!(
            "the built-in theme's {name} failed with your layouts or data; `versus theme copy layouts/{name}` writes it into your site to see and change"
        ));
    }
    let Some(source) = sources.get(name) else {
        return diagnostic;
    };
    // minijinja reports a block left open at the end of the file; the fault is its tag.
    let at_end = innermost
        .detail()
        .is_some_and(|d| d.starts_with("unexpected end of input"));
    if innermost.kind() == ErrorKind::SyntaxError
        && at_end
        && let Some((tag, offset)) = unclosed_block(source)
    {
        let message = format!(
            "{}: `{{% {tag} %}}` is never closed: add `{{% end{tag} %}}`",
            innermost.kind()
        );
        return Diagnostic::error(&path, message).at_offset(source, offset);
    }
    match (innermost.range(), innermost.line()) {
        (Some(range), _) => diagnostic.at_offset(source, range.start),
        (None, Some(line)) => diagnostic.at(source, line, 1),
        (None, None) => diagnostic,
    }
}

/// Tags that open a block closed by `end<tag>`.
const BLOCK_TAGS: [&str; 9] = [
    "if",
    "for",
    "block",
    "macro",
    "call",
    "filter",
    "with",
    "autoescape",
    "set",
];

/// The innermost block tag of `source` that no `end…` tag closes: its name and offset.
fn unclosed_block(source: &str) -> Option<(&str, usize)> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = source[at..].find('{') {
        let start = at + found;
        let rest = &source[start..];
        let close = if rest.starts_with("{#") {
            "#}"
        } else if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else {
            at = start + 1;
            continue;
        };
        let Some(length) = rest[2..].find(close) else {
            break;
        };
        at = start + 2 + length + 2;
        if close != "%}" {
            continue;
        }
        let body = rest[2..2 + length].trim_matches(['-', '+', '~']).trim();
        let name = body
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()?;
        if name == "raw" {
            // Nothing inside `{% raw %}` is a tag.
            match source[at..].find("endraw") {
                Some(end) => at += end,
                None => break,
            }
        } else if let Some(closed) = name.strip_prefix("end") {
            if let Some(i) = open.iter().rposition(|(tag, _)| *tag == closed) {
                open.truncate(i);
            }
        } else if BLOCK_TAGS.contains(&name) && !(name == "set" && body.contains('=')) {
            open.push((name, start));
        }
    }
    open.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unclosed_block_is_found_past_closed_ones_comments_and_raw_text() {
        let source = "{% block main %}{% for x in y %}{% endfor %}\n{# {% if %} #}\n{% raw %}{% for %}{% endraw %}{%- if a -%}{% set b = 1 %}";
        let (tag, offset) = unclosed_block(source).unwrap();
        assert_eq!(tag, "if");
        assert_eq!(&source[offset..offset + 7], "{%- if ");
        assert_eq!(unclosed_block("{% if a %}{% else %}{% endif %}"), None);
        let (tag, _) = unclosed_block("{% set nav %}<a>{% if x %}{% endif %}").unwrap();
        assert_eq!(tag, "set", "a block `set` has no `=`");
    }
}

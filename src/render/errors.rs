//! Template errors as diagnostics, at their `layouts/<name>:line:col`.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::Error;

use crate::diag::Diagnostic;

/// Places a minijinja error at `layouts/<name>:line:col`.
pub(super) fn template_diagnostic(err: &Error, sources: &BTreeMap<String, String>) -> Diagnostic {
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
    let path = Path::new("layouts").join(name);
    let diagnostic = Diagnostic::error(&path, message);
    let Some(source) = sources.get(name) else {
        return diagnostic;
    };
    match (innermost.range(), innermost.line()) {
        (Some(range), _) => diagnostic.at_offset(source, range.start),
        (None, Some(line)) => diagnostic.at(source, line, 1),
        (None, None) => diagnostic,
    }
}

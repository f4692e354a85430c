//! Where layouts come from: the site's `layouts/`, else the built-in theme; and the one way a
//! built-in layout can fail under a site's own parent layout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::Diagnostic;

/// `layouts/partials/head.html` → `partials/head.html`, the name templates use to include it.
pub(super) fn template_name(file: &Path) -> String {
    let relative = file.strip_prefix("layouts").unwrap_or(file);
    relative
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The first argument of each `{% keyword … %}` tag in `source`, unquoted: the names after
/// `block` or `extends`.
fn tag_arguments<'a>(source: &'a str, keyword: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_matches(['-', '+']).trim();
        rest = &after[end..];
        let mut words = tag.split_whitespace();
        if words.next() == Some(keyword)
            && let Some(argument) = words.next()
        {
            found.push(argument.trim_matches(['"', '\'']));
        }
    }
    found
}

/// Per built-in layout that puts the page in `{% block content %}` of a parent the site wrote
/// itself without that block: the error to give instead of rendering its pages empty.
pub(super) fn unfilled_parents(
    sources: &BTreeMap<String, String>,
    builtin: &BTreeSet<String>,
) -> BTreeMap<String, Diagnostic> {
    // Per parent of the site's own: the built-in layouts that would fill a block it lacks.
    let mut orphans: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for layout in builtin {
        let mut name = layout.as_str();
        let mut fills_content = false;
        // Up the built-in chain (compare.html → page.html → base.html) to the site's own file.
        while builtin.contains(name) {
            let Some(source) = sources.get(name) else {
                break;
            };
            fills_content |= tag_arguments(source, "block").contains(&"content");
            match tag_arguments(source, "extends").first() {
                Some(parent) => name = parent,
                None => break,
            }
        }
        let own_parent = sources.get(name).filter(|_| !builtin.contains(name));
        if fills_content
            && own_parent.is_some_and(|p| !tag_arguments(p, "block").contains(&"content"))
        {
            orphans.entry(name).or_default().push(layout);
        }
    }
    let mut unfilled = BTreeMap::new();
    for (parent, layouts) in orphans {
        // One message for all of them: the build shows it once, however many pages.
        let message = format!(
            "has no `{{% block content %}}`, where the built-in theme's {} put the page",
            layouts.join(", ")
        );
        let help = format!(
            "add `{{% block content %}}{{% endblock %}}` where pages go, or write those layouts of your own (`versus theme copy layouts/{}` starts from the built-in one)",
            layouts[0]
        );
        let diagnostic = Diagnostic::error(Path::new("layouts").join(parent), message)
            .at(&sources[parent], 1, 1)
            .with_help(help);
        for layout in layouts {
            unfilled.insert(layout.to_owned(), diagnostic.clone());
        }
    }
    unfilled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn blocks_and_parents_are_read_from_tags() {
        let source = r#"{%- extends 'base.html' -%}{% block content %}x{% endblock %}{% block  head -%}{% endblock %}"#;
        assert_eq!(tag_arguments(source, "extends"), ["base.html"]);
        assert_eq!(tag_arguments(source, "block"), ["content", "head"]);
    }

    #[test]
    fn a_builtin_layout_under_an_own_base_without_content_is_an_error() {
        let builtin: BTreeSet<String> =
            ["post.html".to_string(), "compare.html".to_string()].into();
        let files = sources(&[
            ("base.html", "<main>{% block main %}{% endblock %}</main>"),
            (
                "post.html",
                r#"{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}"#,
            ),
            (
                "page.html",
                r#"{% extends "base.html" %}{% block main %}{{ page.content }}{% endblock %}"#,
            ),
            (
                "compare.html",
                r#"{% extends "page.html" %}{% block head %}{% endblock %}"#,
            ),
        ]);
        let unfilled = unfilled_parents(&files, &builtin);
        // compare.html fills no content of its own: the site's page.html shows the page.
        assert_eq!(unfilled.keys().collect::<Vec<_>>(), ["post.html"]);
        let d = &unfilled["post.html"];
        assert_eq!(d.path, Path::new("layouts/base.html"));
        assert!(d.message.contains("block content"), "{}", d.message);

        let fine = sources(&[
            ("base.html", "{% block content %}{% endblock %}"),
            (
                "post.html",
                r#"{% extends "base.html" %}{% block content %}{% endblock %}"#,
            ),
        ]);
        assert!(unfilled_parents(&fine, &builtin).is_empty());
    }
}

//! Small text helpers every stage shares: the one HTML escape, the one slug, and the form of
//! an old URL (`aliases:`).

/// Text escaped for HTML element content and quoted attribute values: the one HTML escape of
/// versus (Markdown, Liquid's `escape`, templates, tables and generated listings use it).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    out
}

/// [`escape_html`], appended to `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// URL-safe lowercase words joined by hyphens, for tags, categories and the `slugify` filter
/// (Jekyll's default mode: runs of anything but letters and digits become one `-`).
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// An old URL of a page or area (`aliases:`), where versus writes a redirect to its current
/// URL; `offset` is where it is written in its file, for errors at it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias {
    /// A site path, as a page's URL: `/2019/old-post/`.
    pub path: String,
    pub offset: usize,
}

/// What is wrong with `path` as an old URL, if anything: it must be a plain path from the site
/// root (no host, query, fragment, `.` or `..` segments).
pub fn alias_problem(path: &str) -> Option<String> {
    let problem = if !path.starts_with('/') || path.starts_with("//") {
        "must be a path from the site root, such as `/2019/old-post/`"
    } else if path.contains(['?', '#', '\\']) || path.chars().any(char::is_whitespace) {
        "may not hold `?`, `#`, `\\` or spaces"
    } else if path.split('/').any(|s| s == "." || s == "..") {
        "may not hold `.` or `..` segments"
    } else {
        return None;
    };
    Some(format!("alias `{path}` {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_plain_paths_from_the_root() {
        for good in ["/old/", "/2019/01/01/post.html", "/a"] {
            assert_eq!(alias_problem(good), None, "{good}");
        }
        for bad in [
            "old/",
            "//host/a/",
            "https://x.org/a/",
            "/a/?b",
            "/a/#c",
            "/a b/",
            "/a/../b/",
            "/./a/",
        ] {
            assert!(alias_problem(bad).is_some(), "{bad}");
        }
    }
}

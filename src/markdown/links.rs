//! Pass 3: link destinations: `foo.md` links to the built page's URL; escaping for `href`.

use pulldown_cmark::{Event, LinkType, Tag};

use super::doc::Doc;
use super::{Problem, ResolveSourceLink};

/// Lets authors link `2023-08-11-foo.md` as on GitHub and get the built page's URL.
pub(super) fn resolve_source_links(
    doc: &mut Doc,
    resolve: ResolveSourceLink,
    problems: &mut Vec<Problem>,
) {
    for item in &mut doc.items {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) = &mut item.event
        else {
            continue;
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            continue;
        }
        let (path, fragment) = match dest_url.find('#') {
            Some(hash) => dest_url.split_at(hash),
            None => (&dest_url[..], ""),
        };
        if !is_source_link(path) {
            continue;
        }
        match resolve(path) {
            Some(url) => *dest_url = format!("{url}{fragment}").into(),
            None => problems.push(Problem {
                offset: item.range.start,
                message: format!("link to a missing source file `{path}`"),
            }),
        }
    }
}

/// A relative path (no scheme, not `/` or `#`) to a `.md` file.
fn is_source_link(path: &str) -> bool {
    !path.starts_with('/') && !path.is_empty() && !has_scheme(path) && path.ends_with(".md")
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(colon) => {
            let scheme = &url[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Escapes a URL for a quoted `href`/`src`, percent-encoding what HTML or URLs forbid.
pub(super) fn escape_href(out: &mut String, url: &str) {
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("%22"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '\\' => out.push_str("%5C"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn source_links_resolve_or_report() {
        let resolve = |path: &str| {
            (path == "2023-08-11-foo.md" || path == "../about.md")
                .then(|| format!("/{}/", path.trim_end_matches(".md")))
        };
        let body = "[a](2023-08-11-foo.md#part) [b](../about.md) [c](2023-08-12-nope.md) [d](https://x.org/y.md) [e](/z.md) [f](#g.md)\n";
        let r = render_with(body, &resolve);
        assert!(
            r.html.contains("<a href=\"/2023-08-11-foo/#part\">a</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"/../about/\">b</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"2023-08-12-nope.md\">c</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<a href=\"https://x.org/y.md\">d</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].offset, body.find("[c]").unwrap());
        assert_eq!(
            r.problems[0].message,
            "link to a missing source file `2023-08-12-nope.md`"
        );
    }

    #[test]
    fn links_keep_unicode_as_written() {
        let out = html("[a](/p.html#résumé-東京) ![i](/é.png)\n");
        assert!(out.contains("href=\"/p.html#résumé-東京\""), "{out}");
        assert!(out.contains("src=\"/é.png\""), "{out}");
    }
}

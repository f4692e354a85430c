//! Pass 3: link destinations: `foo.md` links to the built page's URL, links from the site root
//! under the base path; escaping for `href`.

use pulldown_cmark::{Event, LinkType, Tag};

use super::doc::Doc;
use super::{Problem, ResolveSourceLink};

/// The URL a link written from the site root (`/posts/a/`) takes on a site published under
/// `base_path` (`/blog`): `/blog/posts/a/`. None when it stays as written: no base path, not
/// root-relative (`//host/x` is another host, `/\x` too for browsers), or already under the base
/// path (`/blog/x`, as `{{ site.baseurl }}/x` and `relative_url` write it, so never twice).
pub fn under_base_path(url: &str, base_path: &str) -> Option<String> {
    let base = base_path.trim_end_matches('/');
    if base.is_empty() || !url.starts_with('/') || url.starts_with("//") || url.starts_with("/\\") {
        return None;
    }
    let under = url
        .strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    (!under).then(|| format!("{base}{url}"))
}

/// Lets authors link `2023-08-11-foo.md` as on GitHub and get the built page's URL, and write
/// links and images from the site root whatever path the site is published under.
pub(super) fn rewrite_links(
    doc: &mut Doc,
    resolve: Option<ResolveSourceLink>,
    base_path: &str,
    relative_to: Option<&str>,
    problems: &mut Vec<Problem>,
) {
    for item in &mut doc.items {
        let is_image = matches!(item.event, Event::Start(Tag::Image { .. }));
        let (link_type, dest_url) = match &mut item.event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (*link_type, dest_url),
            _ => continue,
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            continue;
        }
        let (path, fragment) = match dest_url.find('#') {
            Some(hash) => dest_url.split_at(hash),
            None => (&dest_url[..], ""),
        };
        match resolve.filter(|_| !is_image && is_source_link(path)) {
            // A resolved source is a site path: it always takes the base path.
            Some(resolve) => match resolve(path) {
                Some(url) => {
                    let base = base_path.trim_end_matches('/');
                    *dest_url = format!("{base}{url}{fragment}").into();
                }
                None => problems.push(Problem {
                    offset: item.range.start,
                    message: format!("link to a missing source file `{path}`"),
                }),
            },
            None => {
                if let Some(page) = relative_to.filter(|_| is_relative(dest_url)) {
                    *dest_url = resolve_relative(page, dest_url).into();
                }
                if let Some(url) = under_base_path(dest_url, base_path) {
                    *dest_url = url.into();
                }
            }
        }
    }
}

/// A link relative to its page: no scheme, not from the root, not only a `#fragment` (which the
/// caller points at the page itself).
fn is_relative(url: &str) -> bool {
    !url.is_empty() && !url.starts_with(['/', '#', '\\']) && !has_scheme(url)
}

/// `link` (relative) resolved against the site path `page`, dot segments removed: `../b/` from
/// `/posts/a/` is `/posts/b/`; a `..` above the root stays at the root, as in a browser.
fn resolve_relative(page: &str, link: &str) -> String {
    let split = link.find(['?', '#']).unwrap_or(link.len());
    let (path, rest) = link.split_at(split);
    let dir = &page[..page.rfind('/').map_or(0, |i| i + 1)];
    let joined = format!("{dir}{path}");
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = joined.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            s => parts.push(s),
        }
        if i + 1 == segments.len() && matches!(*segment, "." | "..") {
            parts.push("");
        }
    }
    let mut out = parts.join("/");
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out.push_str(rest);
    out
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
    use super::*;
    use crate::markdown::tests::*;
    use crate::markdown::{Options, render};

    #[test]
    fn root_relative_links_take_the_base_path_once() {
        let cases = [
            ("/posts/a/", Some("/blog/posts/a/")),
            ("/", Some("/blog/")),
            ("/img/a.png?v=1#x", Some("/blog/img/a.png?v=1#x")),
            // A path that only starts with the base path's letters is not under it.
            ("/blogroll/", Some("/blog/blogroll/")),
            // Already under the base path (`{{ site.baseurl }}/x`, `relative_url`): as written.
            ("/blog", None),
            ("/blog/x/", None),
            ("/blog#top", None),
            ("/blog?q", None),
            // Other hosts and relative links are not root-relative.
            ("//cdn.example.net/x.js", None),
            ("/\\evil.example/x", None),
            ("https://example.com/x", None),
            ("x/y", None),
            ("#frag", None),
            ("", None),
        ];
        for (url, expected) in cases {
            assert_eq!(
                under_base_path(url, "/blog"),
                expected.map(String::from),
                "{url}"
            );
            assert_eq!(
                under_base_path(url, "/blog/"),
                expected.map(String::from),
                "{url}"
            );
            assert_eq!(under_base_path(url, ""), None, "{url}");
        }
    }

    #[test]
    fn markdown_links_and_images_from_the_root_take_the_base_path() {
        let resolve = |path: &str| (path == "a.md").then(|| "/a/".to_owned());
        let options = Options {
            base_path: "/blog",
            resolve_source_link: Some(&resolve),
            ..Options::default()
        };
        let body = "[a](/x/) ![i](/i.png) [r][ref] <https://x.org/> [s](a.md#p) [b](/blog/y/) [c](//h/z)\n\n[ref]: /r/\n";
        let out = render(body, &options).html;
        assert_eq!(
            out,
            "<p><a href=\"/blog/x/\">a</a> <img src=\"/blog/i.png\" alt=\"i\" /> <a href=\"/blog/r/\">r</a> <a href=\"https://x.org/\">https://x.org/</a> <a href=\"/blog/a/#p\">s</a> <a href=\"/blog/y/\">b</a> <a href=\"//h/z\">c</a></p>\n"
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page_when_shown_elsewhere() {
        assert_eq!(resolve_relative("/posts/a/", "../b/#x"), "/posts/b/#x");
        assert_eq!(resolve_relative("/posts/a/", "c.png"), "/posts/a/c.png");
        assert_eq!(resolve_relative("/a.html", "./b?q=1"), "/b?q=1");
        assert_eq!(resolve_relative("/posts/a/", "../../../../x/.."), "/");
        let options = Options {
            base_path: "/blog",
            relative_to: Some("/posts/a/"),
            ..Options::default()
        };
        let out = render("[b](../b/) [f](#f) [m](mailto:a@b.c)\n", &options).html;
        assert_eq!(
            out,
            "<p><a href=\"/blog/posts/b/\">b</a> <a href=\"#f\">f</a> <a href=\"mailto:a@b.c\">m</a></p>\n"
        );
    }

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

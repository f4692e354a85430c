//! Atom feeds, `sitemap.xml` and `robots.txt`.
//!
//! Written in Rust rather than through a template: feed readers reject a whole feed for one
//! unescaped `&`, and minijinja's autoescape is HTML escaping of printed values only, so a
//! theme could not be trusted to produce well-formed XML. Every URL is absolute (from
//! `base_url`), every date RFC 3339, and the output is a pure function of its inputs.

use crate::blog;
use crate::config::{Config, FeedContent};
use crate::highlight::Palette;
use crate::page::{Page, PostDate};
use crate::site::Site;
use crate::yaml;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 with a time, as Atom requires: a plain date is midnight UTC.
pub fn rfc3339(date: &PostDate) -> String {
    if date.has_time {
        date.to_rfc3339()
    } else {
        format!("{}T00:00:00Z", date.civil.date())
    }
}

/// RFC 2822, as RSS 2.0 requires: `Fri, 11 Aug 2023 10:00:00 +0200`; a plain date is
/// midnight UTC.
pub fn rfc2822(date: &PostDate) -> String {
    let offset = date.offset.unwrap_or(jiff::tz::Offset::UTC);
    offset
        .to_timestamp(date.civil)
        .ok()
        .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset)))
        .and_then(|zoned| jiff::fmt::rfc2822::to_string(&zoned).ok())
        .unwrap_or_default()
}

/// One feed: its title, its own site path, and the page it is the feed of.
pub struct Feed<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub alternate: &'a str,
    /// The classes code in summaries gets, as on the pages.
    pub palette: Option<&'a Palette>,
    /// A post's summary Markdown ([`Page::summary_source_from`]): the pipeline reads it.
    pub summary_source: SummarySource<'a>,
}

/// A post's summary Markdown, read again from its file when its body was let go.
pub type SummarySource<'a> = &'a dyn Fn(&Page) -> String;

/// A post's whole HTML for `feed: {content: full}`: the pipeline renders it.
pub type FullHtml<'a> = &'a dyn Fn(&Page) -> String;

/// The newest `feed.entries` of `posts` (newest first).
fn newest<'p>(config: &Config, posts: &'p [&'p Page]) -> &'p [&'p Page] {
    &posts[..posts.len().min(config.feed.entries)]
}

/// What an entry carries of its post: the summary (HTML, absolute links; the description
/// when the post has no text) and, for `content: full`, the whole post.
struct Texts {
    summary: Option<String>,
    full: Option<String>,
}

fn texts(site: &Site, feed: &Feed, post: &Page, full_html: FullHtml) -> Texts {
    let config = &site.config;
    let source = (feed.summary_source)(post);
    let summary = blog::summary_html(site.source_links(), config, post, &source, feed.palette);
    let summary = if summary.is_empty() {
        post.description
            .clone()
            .map(|d| crate::text::escape_html(&d))
    } else {
        Some(absolute_urls(config, &post.url, &summary))
    };
    let full = (config.feed.content == FeedContent::Full)
        .then(|| absolute_urls(config, &post.url, full_html(post).trim()));
    Texts { summary, full }
}

/// The newest date among `posts`, updated or published.
fn last_updated(posts: &[&Page]) -> Option<PostDate> {
    posts
        .iter()
        .filter_map(|p| p.updated.or(p.date))
        .max_by_key(PostDate::sort_key)
}

/// An Atom feed of `posts` (newest first; the first `feed.entries` are kept).
pub fn atom(site: &Site, feed: &Feed, posts: &[&Page], full_html: FullHtml) -> String {
    let config = &site.config;
    let posts = newest(config, posts);
    let updated = last_updated(posts)
        .map(|d| rfc3339(&d))
        .unwrap_or_else(|| format!("{}T00:00:00Z", config.today));
    let mut xml = head(config, feed.title, feed.path, feed.alternate, &updated);
    for post in posts {
        entry(&mut xml, site, feed, post, full_html);
    }
    xml.push_str("</feed>\n");
    xml
}

/// A feed's opening up to its first entry: id, title, updated, links and a feed-level author
/// (which covers entries without one, as Atom requires an author per entry).
pub fn head(config: &Config, title: &str, path: &str, alternate: &str, updated: &str) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    let self_url = config.absolute_url(path);
    xml.push_str(&format!("  <id>{}</id>\n", escape(&self_url)));
    xml.push_str(&format!("  <title>{}</title>\n", escape(title)));
    if !config.description.is_empty() {
        xml.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape(&config.description)
        ));
    }
    xml.push_str(&format!("  <updated>{updated}</updated>\n"));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&self_url)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&config.absolute_url(alternate))
    ));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape(&config.title)
    ));
    xml.push_str("  <generator>versus</generator>\n");
    xml
}

/// The URLs of `html` (written for the page at site path `page_url`) made absolute, as a
/// browser would resolve them there: feed readers resolve relative links badly, if at all.
pub fn absolute_urls(config: &Config, page_url: &str, html: &str) -> String {
    let page = config.absolute_url(page_url);
    let origin = &config.base_url[..config.base_url.len() - config.base_path.len()];
    crate::markdown::map_urls(html, &|url| resolve_url(origin, &page, url))
}

/// Root-relative links in a feed have no site to be relative to: made absolute.
pub fn absolute_links(config: &Config, html: &str) -> String {
    absolute_urls(config, "/", html)
}

/// `url` resolved against the absolute `page` URL on `origin` (`https://host`); None when it
/// is absolute already (a scheme, `//host`) or empty.
fn resolve_url(origin: &str, page: &str, url: &str) -> Option<String> {
    let escaped = |text: &str| crate::text::escape_html(text);
    if url.is_empty() || url.starts_with("//") || has_scheme(url) {
        return None;
    }
    let page_base = page.split(['#', '?']).next().unwrap_or(page);
    if url.starts_with('#') || url.starts_with('?') {
        let base = if url.starts_with('#') {
            page.split('#').next().unwrap_or(page)
        } else {
            page_base
        };
        return Some(format!("{}{url}", escaped(base)));
    }
    let (path, suffix) = url.split_at(url.find(['?', '#']).unwrap_or(url.len()));
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        let page_path = &page_base[origin.len().min(page_base.len())..];
        let dir = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{path}", if dir.is_empty() { "/" } else { dir })
    };
    Some(format!(
        "{}{}{suffix}",
        escaped(origin),
        remove_dot_segments(&joined)
    ))
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`, `data:`).
fn has_scheme(url: &str) -> bool {
    let end = url.find([':', '/', '?', '#']);
    end.is_some_and(|i| {
        url[i..].starts_with(':')
            && url[..i].starts_with(|c: char| c.is_ascii_alphabetic())
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// `/a/b/../c/./d` → `/a/c/d`, as RFC 3986 resolves a path.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}

fn entry(xml: &mut String, site: &Site, feed: &Feed, post: &Page, full_html: FullHtml) {
    let config = &site.config;
    let url = config.absolute_url(&post.url);
    let date = post.date.map(|d| rfc3339(&d));
    let date = date.unwrap_or_else(|| format!("{}T00:00:00Z", config.today));
    xml.push_str("  <entry>\n");
    xml.push_str(&format!("    <id>{}</id>\n", escape(&url)));
    xml.push_str(&format!("    <title>{}</title>\n", escape(&post.title)));
    xml.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&url)
    ));
    let updated = post.updated.map_or_else(|| date.clone(), |d| rfc3339(&d));
    xml.push_str(&format!("    <published>{date}</published>\n"));
    xml.push_str(&format!("    <updated>{updated}</updated>\n"));
    for name in author_names(site, post) {
        xml.push_str(&format!("    <author><name>{}</name>", escape(&name.0)));
        if let Some(uri) = name.1 {
            xml.push_str(&format!("<uri>{}</uri>", escape(&uri)));
        }
        xml.push_str("</author>\n");
    }
    for term in post.tags.iter().chain(&post.categories) {
        xml.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            escape(&crate::page::slugify(term))
        ));
    }
    let texts = texts(site, feed, post, full_html);
    if let Some(summary) = texts.summary {
        let summary = escape(&summary);
        xml.push_str(&format!("    <summary type=\"html\">{summary}</summary>\n"));
    }
    if let Some(full) = texts.full {
        let full = escape(&full);
        xml.push_str(&format!("    <content type=\"html\">{full}</content>\n"));
    }
    xml.push_str("  </entry>\n");
}

/// Each author's name (from data/authors.yaml, else the id) and URL.
fn author_names(site: &Site, post: &Page) -> Vec<(String, Option<String>)> {
    post.authors
        .iter()
        .map(|id| {
            let author = site.author(id);
            let field = |key: &str| author.and_then(|a| a.get(key)).and_then(yaml::as_text);
            (site.author_name(id), field("url"))
        })
        .collect()
}

/// An RSS 2.0 feed of `posts` (newest first; the first `feed.entries` are kept), for readers
/// that want RSS. The whole post (`content: full`) goes in `content:encoded`, the summary in
/// `description`, authors in `dc:creator` (RSS's own `author` must be an e-mail address).
pub fn rss(site: &Site, feed: &Feed, posts: &[&Page], full_html: FullHtml) -> String {
    let config = &site.config;
    let posts = newest(config, posts);
    let updated = last_updated(posts).unwrap_or(PostDate {
        civil: config.today.to_datetime(jiff::civil::Time::midnight()),
        offset: None,
        has_time: false,
    });
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    let tag = |xml: &mut String, indent: &str, name: &str, text: &str| {
        xml.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(text)));
    };
    tag(&mut xml, "  ", "title", feed.title);
    tag(&mut xml, "  ", "link", &config.absolute_url(feed.alternate));
    // `description` is required; a site without one is described by its title.
    let description = if config.description.is_empty() {
        feed.title
    } else {
        &config.description
    };
    tag(&mut xml, "  ", "description", description);
    tag(&mut xml, "  ", "language", &config.language);
    tag(&mut xml, "  ", "lastBuildDate", &rfc2822(&updated));
    xml.push_str(&format!(
        "  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>\n",
        escape(&config.absolute_url(feed.path))
    ));
    tag(&mut xml, "  ", "generator", "versus");
    for post in posts {
        let url = config.absolute_url(&post.url);
        xml.push_str("  <item>\n");
        tag(&mut xml, "    ", "title", &post.title);
        tag(&mut xml, "    ", "link", &url);
        xml.push_str(&format!(
            "    <guid isPermaLink=\"true\">{}</guid>\n",
            escape(&url)
        ));
        if let Some(date) = post.date {
            tag(&mut xml, "    ", "pubDate", &rfc2822(&date));
        }
        for (name, _) in author_names(site, post) {
            tag(&mut xml, "    ", "dc:creator", &name);
        }
        for term in post.tags.iter().chain(&post.categories) {
            tag(&mut xml, "    ", "category", term);
        }
        let texts = texts(site, feed, post, full_html);
        if let Some(summary) = &texts.summary {
            tag(&mut xml, "    ", "description", summary);
        }
        if let Some(full) = &texts.full {
            tag(&mut xml, "    ", "content:encoded", full);
        }
        xml.push_str("  </item>\n");
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

/// `sitemap.xml`: site paths with an optional last-modified day, sorted by URL.
pub fn sitemap(site: &Site, pages: &[(String, Option<String>)]) -> String {
    let mut entries: Vec<(String, Option<String>)> = pages
        .iter()
        .map(|(path, lastmod)| (site.config.absolute_url(path), lastmod.clone()))
        .collect();
    entries.sort();
    entries.dedup_by(|a, b| a.0 == b.0);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // Written in place, without a string per entry: a preview server's tag edit writes the
    // sitemap of every page again.
    let push_escaped = |xml: &mut String, text: &str| {
        let plain = |b: &u8| !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') && *b >= 0x20;
        match text.bytes().all(|b| plain(&b)) {
            true => xml.push_str(text),
            false => xml.push_str(&escape(text)),
        }
    };
    for (url, lastmod) in entries {
        xml.push_str("  <url><loc>");
        push_escaped(&mut xml, &url);
        xml.push_str("</loc>");
        if let Some(lastmod) = lastmod {
            xml.push_str("<lastmod>");
            push_escaped(&mut xml, &lastmod);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything allowed, and where the sitemap is.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.absolute_url("/sitemap.xml")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape("a & <b> \"c\" 'd'\u{1}"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;"
        );
    }

    #[test]
    fn urls_resolve_as_on_the_page() {
        let page = "https://x.org/blog/2023/08/11/post/";
        let origin = "https://x.org";
        let resolve = |url: &str| resolve_url(origin, page, url);
        assert_eq!(
            resolve("img.png").unwrap(),
            "https://x.org/blog/2023/08/11/post/img.png"
        );
        assert_eq!(
            resolve("../other/?a=1&amp;b=2#h").unwrap(),
            "https://x.org/blog/2023/08/11/other/?a=1&amp;b=2#h"
        );
        assert_eq!(resolve("/blog/a/").unwrap(), "https://x.org/blog/a/");
        assert_eq!(
            resolve("#notes").unwrap(),
            "https://x.org/blog/2023/08/11/post/#notes"
        );
        assert_eq!(
            resolve("./"),
            Some("https://x.org/blog/2023/08/11/post/".into())
        );
        for absolute in [
            "https://y.org/",
            "//cdn.y/a",
            "mailto:a@b.c",
            "data:image/png;base64,x",
            "",
        ] {
            assert_eq!(resolve(absolute), None, "{absolute}");
        }
    }

    #[test]
    fn rss_dates_are_rfc_2822() {
        let day = PostDate::parse("2023-08-11").unwrap();
        assert_eq!(rfc2822(&day), "Fri, 11 Aug 2023 00:00:00 +0000");
        let timed = PostDate::parse("2023-08-11 10:00:00 +0200").unwrap();
        assert_eq!(rfc2822(&timed), "Fri, 11 Aug 2023 10:00:00 +0200");
    }

    #[test]
    fn dates_always_have_a_time() {
        let day = PostDate::parse("2023-08-11").unwrap();
        assert_eq!(rfc3339(&day), "2023-08-11T00:00:00Z");
        let timed = PostDate::parse("2023-08-11 10:00:00 +0200").unwrap();
        assert_eq!(rfc3339(&timed), "2023-08-11T10:00:00+02:00");
    }
}

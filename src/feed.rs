//! Atom feeds, `sitemap.xml` and `robots.txt`.
//!
//! Written in Rust rather than through a template: feed readers reject a whole feed for one
//! unescaped `&`, and minijinja's autoescape is HTML escaping of printed values only, so a
//! theme could not be trusted to produce well-formed XML. Every URL is absolute (from
//! `base_url`), every date RFC 3339, and the output is a pure function of its inputs.

use crate::blog;
use crate::config::Config;
use crate::highlight::Palette;
use crate::page::{Page, PostDate};
use crate::site::Site;
use crate::yaml;

/// The most recent posts a feed carries.
pub const FEED_ENTRIES: usize = 20;

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

/// An Atom feed of `posts` (newest first; the first [`FEED_ENTRIES`] are kept).
/// `path` is the feed's own site path, `alternate` the page it is the feed of; code in
/// summaries gets the classes of `palette`, as on the pages.
pub fn atom(
    site: &Site,
    title: &str,
    path: &str,
    alternate: &str,
    posts: &[&Page],
    palette: Option<&Palette>,
) -> String {
    let config = &site.config;
    let posts = &posts[..posts.len().min(FEED_ENTRIES)];
    let updated = posts
        .iter()
        .filter_map(|p| p.updated.or(p.date))
        .max_by_key(PostDate::sort_key)
        .map(|d| rfc3339(&d))
        .unwrap_or_else(|| format!("{}T00:00:00Z", config.today));
    let mut xml = head(config, title, path, alternate, &updated);
    for post in posts {
        entry(&mut xml, site, post, palette);
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

/// Relative links in a feed have no page to be relative to: links from the root made absolute
/// (in tags only, not in text or code; `//host/x` is left as it is).
pub fn absolute_links(config: &Config, html: &str) -> String {
    let origin = &config.base_url[..config.base_url.len() - config.base_path.len()];
    crate::markdown::absolute_urls(html, origin)
}

fn entry(xml: &mut String, site: &Site, post: &Page, palette: Option<&Palette>) {
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
    for id in &post.authors {
        let author = site.author(id);
        let field = |key: &str| author.and_then(|a| a.get(key)).and_then(yaml::as_text);
        let name = field("name").unwrap_or_else(|| id.clone());
        xml.push_str(&format!("    <author><name>{}</name>", escape(&name)));
        if let Some(uri) = field("url") {
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
    let summary = blog::summary_html(site, post, palette);
    let summary = if summary.is_empty() {
        post.description.clone().map(|d| escape(&d))
    } else {
        Some(escape(&absolute_links(config, &summary)))
    };
    if let Some(summary) = summary {
        xml.push_str(&format!("    <summary type=\"html\">{summary}</summary>\n"));
    }
    xml.push_str("  </entry>\n");
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
    for (url, lastmod) in entries {
        xml.push_str(&format!("  <url><loc>{}</loc>", escape(&url)));
        if let Some(lastmod) = lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", escape(&lastmod)));
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
    fn dates_always_have_a_time() {
        let day = PostDate::parse("2023-08-11").unwrap();
        assert_eq!(rfc3339(&day), "2023-08-11T00:00:00Z");
        let timed = PostDate::parse("2023-08-11 10:00:00 +0200").unwrap();
        assert_eq!(rfc3339(&timed), "2023-08-11T10:00:00+02:00");
    }
}

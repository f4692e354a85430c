//! Where a page goes: the date and slug of its file name, permalinks, its output file.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::*;

/// `2023-08-11-my-post` → (2023-08-11, `my-post`); no valid date prefix → (None, whole).
pub fn split_dated_name(stem: &str) -> (Option<Date>, &str) {
    if stem.len() > 11
        && stem.as_bytes()[10] == b'-'
        && let Ok(date) = stem[..10].parse::<Date>()
    {
        return (Some(date), &stem[11..]);
    }
    (None, stem)
}

/// `content/about.md` → `/about/`; `content/docs/index.md` → `/docs/`; `content/index.md` → `/`.
pub(super) fn page_path(source: &Path) -> String {
    let relative = source.strip_prefix("content").unwrap_or(source);
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "index") {
        parts.pop();
    }
    if parts.is_empty() {
        "/".into()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

/// The file a site path is written to: `/a/` → `a/index.html`, `/a.html` → `a.html`.
pub fn output_file(url: &str) -> PathBuf {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        PathBuf::from(format!("{path}index.html"))
    } else if Path::new(path).extension().is_some() {
        PathBuf::from(path)
    } else {
        PathBuf::from(format!("{path}/index.html"))
    }
}

/// What Jekyll 4.3 leaves in a URL path unescaped (`Jekyll::URL.escape_path`: RFC 3986's
/// unreserved characters, sub-delims, `:`, `@` and `/`); Jekyll keeps `?` too, which would
/// cut the URL short, so versus escapes it.
const JEKYLL_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// `:categories` as Jekyll 4.3 fills it: each category lower-cased, once, joined by `/`, and
/// escaped for a URL path (`Tips, Tricks` → `tips,%20tricks`).
fn jekyll_categories(categories: &[String]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for category in categories {
        let lower = category.to_lowercase();
        if !seen.contains(&lower) {
            seen.push(lower);
        }
    }
    utf8_percent_encode(&seen.join("/"), JEKYLL_PATH).to_string()
}

/// Fills a permalink pattern (Jekyll's placeholders) for a page. With `jekyll` (a Jekyll site),
/// `:categories` are as Jekyll writes them, see [`jekyll_categories`]; else slugs.
pub(super) fn expand_permalink(pattern: &str, page: &Page, jekyll: bool) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let date = page.date.map(|d| d.civil.date());
        let need_date = || {
            date.ok_or_else(|| {
                format!("permalink `{pattern}` uses `:{name}` but the page has no date")
            })
        };
        let value = match name {
            "year" => need_date()?.strftime("%Y").to_string(),
            "short_year" => need_date()?.strftime("%y").to_string(),
            "month" => need_date()?.strftime("%m").to_string(),
            "i_month" => need_date()?.month().to_string(),
            "day" => need_date()?.strftime("%d").to_string(),
            "i_day" => need_date()?.day().to_string(),
            "y_day" => need_date()?.strftime("%j").to_string(),
            "slug" | "title" => page.slug.clone(),
            "categories" if jekyll => jekyll_categories(&page.categories),
            "categories" => page
                .categories
                .iter()
                .map(|c| slugify(c))
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join("/"),
            "output_ext" => ".html".into(),
            _ => {
                return Err(format!(
                    "unknown placeholder `:{name}` in permalink `{pattern}` (known: :year :month :day :i_month :i_day :y_day :short_year :slug :title :categories :output_ext)"
                ));
            }
        };
        out.push_str(&value);
        rest = &after[name_len..];
    }
    out.push_str(rest);
    // Jekyll's URLs start at the root, written so or not (`permalink: notes/:title/`).
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    // Empty placeholders (no categories) must not leave `//` behind.
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    Ok(out)
}

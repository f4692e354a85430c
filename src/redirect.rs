//! Old URLs (`aliases:` of pages and areas): a redirect page at each, and the `_redirects`
//! file of hosts that read one (Netlify, Cloudflare Pages).
//!
//! A redirect page is plain HTML every static host serves: a meta refresh for browsers, a
//! canonical link for search engines, `noindex` so the old URL leaves their index, and a link
//! for everyone else. An alias may not take the place of anything else the build writes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::compare;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::page;
use crate::site::Site;
use crate::text::escape_html as escape;

/// The redirect rules file of Netlify and Cloudflare Pages, at the output's root.
pub const REDIRECTS_FILE: &str = "_redirects";

/// One old URL and the site path it now leads to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redirect {
    pub from: String,
    pub to: String,
}

impl Redirect {
    /// The file of the redirect page in the output folder.
    pub fn file(&self) -> PathBuf {
        page::output_file(&self.from)
    }
}

/// An alias with what it leads to and where it is written.
struct Written<'s> {
    redirect: Redirect,
    source: &'s Path,
    text: &'s str,
    offset: usize,
}

impl Written<'_> {
    fn error(&self, message: String) -> Diagnostic {
        Diagnostic::error(self.source, message).at_offset(self.text, self.offset)
    }
}

fn written(site: &Site) -> Vec<Written<'_>> {
    let pages = site.all_pages().flat_map(|page| {
        page.aliases.iter().map(move |alias| Written {
            redirect: Redirect {
                from: alias.path.clone(),
                to: page.url.clone(),
            },
            source: &page.source,
            text: &page.text,
            offset: alias.offset,
        })
    });
    let areas = site.matrices.areas.iter().flat_map(|area| {
        area.aliases.iter().map(move |alias| Written {
            redirect: Redirect {
                from: alias.path.clone(),
                to: compare::area_path(&area.id),
            },
            source: &area.source,
            text: &area.text,
            offset: alias.offset,
        })
    });
    pages.chain(areas).collect()
}

/// Every alias of the site's pages and areas, sorted by old URL; or the aliases that would take
/// the place of a page, a generated output (`generated`), a static file (`statics`, as written
/// under `static/`) or another alias, each an error at the alias.
pub fn redirects(
    site: &Site,
    generated: &[PathBuf],
    statics: &[PathBuf],
) -> Result<Vec<Redirect>, Vec<Diagnostic>> {
    let generated: std::collections::HashSet<&Path> =
        generated.iter().map(PathBuf::as_path).collect();
    let statics: HashMap<&Path, &Path> = statics
        .iter()
        .map(|file| (file.strip_prefix("static").unwrap_or(file), file.as_path()))
        .collect();
    let mut problems = Vec::new();
    let mut taken: HashMap<PathBuf, &Written> = HashMap::new();
    let all = written(site);
    for alias in &all {
        let from = &alias.redirect.from;
        let file = alias.redirect.file();
        let clash = if let Some(page) = site.page_at(&file) {
            Some(
                if page.url == alias.redirect.to && page.source == alias.source {
                    format!("alias `{from}` is this page's own URL")
                } else {
                    format!(
                        "alias `{from}` is the URL of the page built from {}",
                        page.source.display()
                    )
                },
            )
        } else if generated.contains(file.as_path()) {
            Some(format!("alias `{from}` is a URL versus generates itself"))
        } else if let Some(file) = statics.get(file.as_path()) {
            Some(format!(
                "alias `{from}` is the address of the static file {}",
                file.display()
            ))
        } else if let Some(first) = taken.get(&file) {
            Some(format!(
                "alias `{from}` is already an alias of {} (in {})",
                first.redirect.to,
                first.source.display()
            ))
        } else {
            taken.insert(file, alias);
            None
        };
        if let Some(message) = clash {
            problems.push(alias.error(message));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut redirects: Vec<Redirect> = all.into_iter().map(|w| w.redirect).collect();
    redirects.sort_by(|a, b| a.from.cmp(&b.from));
    Ok(redirects)
}

/// The redirect page written at an old URL.
pub fn page_html(config: &Config, redirect: &Redirect) -> String {
    let target = escape(&config.relative_url(&redirect.to));
    let absolute = escape(&config.absolute_url(&redirect.to));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved to {absolute}</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{absolute}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{target}\">{absolute}</a>.</p>\n</body>\n</html>\n",
        lang = escape(&config.language),
    )
}

/// `_redirects`: one `/old/ /new/ 301` line per alias, with the base path.
pub fn redirects_file(config: &Config, redirects: &[Redirect]) -> String {
    let mut text = String::from("# Written by versus from the aliases of pages and areas.\n");
    for redirect in redirects {
        text.push_str(&format!(
            "{} {} 301\n",
            config.relative_url(&redirect.from),
            config.relative_url(&redirect.to)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let overrides = crate::config::Overrides::default();
        let source = "base_url: https://example.org/blog\n";
        crate::config::from_source(Path::new("site.yaml"), source, &overrides).unwrap()
    }

    #[test]
    fn redirect_pages_refresh_to_the_target_under_the_base_path() {
        let redirect = Redirect {
            from: "/old/".into(),
            to: "/new/".into(),
        };
        let html = page_html(&config(), &redirect);
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"0; url=/blog/new/\">"));
        assert!(html.contains("<link rel=\"canonical\" href=\"https://example.org/blog/new/\">"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(html.contains("<a href=\"/blog/new/\">"));
        assert_eq!(redirect.file(), Path::new("old/index.html"));
        assert_eq!(
            redirects_file(&config(), &[redirect]).lines().nth(1),
            Some("/blog/old/ /blog/new/ 301")
        );
    }
}

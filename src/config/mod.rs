//! `site.yaml`: the site's settings, typed where the engine needs them, the rest kept for
//! templates (`site.<key>`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::yaml::{self, Mapping, Value};

mod fields;
mod settings;

use fields::Fields;
pub use settings::*;

pub const FILE_NAME: &str = "site.yaml";

/// Posts land at `/2023/08/11/slug/index.html`: pretty, dated URLs that never collide across
/// years and that static hosts serve without any rewrite rule.
pub const DEFAULT_PERMALINK: &str = "/:year/:month/:day/:slug/";

#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Scheme and host and optional path, without a trailing slash: `https://example.org/blog`.
    pub base_url: String,
    /// The path part of `base_url` (`/blog`, or empty): prefixed to every link in the output.
    pub base_path: String,
    pub language: String,
    /// Authors of posts that name none.
    pub authors: Vec<String>,
    pub permalink: String,
    pub highlight: Highlight,
    /// Whether post bodies go through Liquid before Markdown, as on Jekyll (`liquid: true`).
    pub liquid: bool,
    /// The HTML around code: versus's own, or Jekyll's (`highlighter-rouge` classes).
    pub code_markup: CodeMarkup,
    /// Matrix claims verified longer ago than this are marked stale.
    pub stale_after_days: i64,
    /// Posts per page of the home page listing (`/`, `/page/2/`, …); 0 puts all on one page.
    pub paginate: usize,
    /// Posts per page of a term's listing (`/tags/aws/`, `/tags/aws/page/2/`, …), as Zola's
    /// `paginate_by` of a taxonomy (`paginate_terms`); `paginate` when not set, 0 all on one.
    pub paginate_terms: usize,
    /// Whether posts and area pages without an `image:` get a drawn social card (`social_cards`).
    pub social_cards: bool,
    /// What the feeds carry and which feeds there are (`feed:`).
    pub feed: FeedSettings,
    /// Whether the site gets a search index, page and box (`search: false` turns them off).
    pub search: bool,
    /// How a post's images are sized, resized and loaded (`images:`).
    pub images: ImageSettings,
    /// The day of the build: the clock, or `SOURCE_DATE_EPOCH` for reproducible builds.
    #[serde(skip)]
    pub today: jiff::civil::Date,
    /// Every other key of site.yaml, for templates.
    #[serde(skip)]
    pub extra: Mapping,
    /// What does not stop a build: a missing `base_url`, a key that looks like a known one
    /// mistyped.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// Titles that site starters write for the owner to replace (Jekyll's, Hugo's, the usual
/// ones), compared without case or surrounding spaces: a site still called so warns.
pub const PLACEHOLDER_TITLES: &[&str] = &[
    "my site",
    "my blog",
    "my website",
    "my new hugo site",
    "your awesome title",
    "site title",
    "your title",
    "title",
    "untitled",
];

/// Whether `title` names no site: empty, or one of [`PLACEHOLDER_TITLES`].
pub fn is_placeholder_title(title: &str) -> bool {
    let title = title.trim().to_lowercase();
    title.is_empty() || PLACEHOLDER_TITLES.contains(&title.as_str())
}

/// The settings versus reads itself; every other key reaches templates as `site.<key>`.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "authors",
    "permalink",
    "highlight",
    "liquid",
    "code_markup",
    "stale_after_days",
    "paginate",
    "paginate_terms",
    "social_cards",
    "feed",
    "search",
    "images",
];

/// Values given on the command line, which win over site.yaml.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    /// The day of the build; None for 1970-01-01 (the caller passes the real day).
    pub today: Option<jiff::civil::Date>,
}

/// Reads `root/site.yaml`; a missing file means all defaults.
pub fn load(root: &Path, overrides: &Overrides) -> Result<Config, Vec<Diagnostic>> {
    let source = crate::source::read_text_if_present(root, Path::new(FILE_NAME))
        .map_err(|d| vec![d])?
        .unwrap_or_default();
    from_source(&root.join(FILE_NAME), &source, overrides)
}

pub fn from_source(
    path: &Path,
    source: &str,
    overrides: &Overrides,
) -> Result<Config, Vec<Diagnostic>> {
    let mut map = match yaml::parse_value(source, path).map_err(|d| vec![d])? {
        Value::Mapping(map) => map,
        Value::Null => Mapping::new(),
        _ => {
            return Err(vec![
                Diagnostic::error(path, "site.yaml must be a mapping of settings").at(source, 1, 1),
            ]);
        }
    };
    let mut fields = Fields {
        path,
        source,
        map: &mut map,
        problems: Vec::new(),
    };
    let title = fields.text("title").unwrap_or_default();
    let description = fields.text("description").unwrap_or_default();
    let language = fields.text("language").unwrap_or_else(|| "en".into());
    let authors = fields.list("authors");
    let permalink = fields
        .text("permalink")
        .map(
            |p| match NAMED_PERMALINKS.iter().find(|(name, _)| *name == p) {
                Some((_, pattern)) => (*pattern).to_owned(),
                None => p,
            },
        )
        .unwrap_or_else(|| DEFAULT_PERMALINK.into());
    if !permalink.starts_with('/') {
        fields.problem(
            "permalink",
            format!("permalink `{permalink}` must start with `/`"),
        );
    }
    let base_url_raw = fields.text("base_url");
    let highlight = fields.highlight();
    let liquid = fields.flag("liquid").unwrap_or(false);
    let social_cards = fields.flag("social_cards").unwrap_or(true);
    let search = fields.flag("search").unwrap_or(true);
    let code_markup = match fields.text("code_markup").as_deref() {
        None | Some("versus") => CodeMarkup::Versus,
        Some("jekyll") => CodeMarkup::Jekyll,
        Some(other) => {
            fields.problem(
                "code_markup",
                format!("`code_markup` must be `versus` or `jekyll`, not `{other}`"),
            );
            CodeMarkup::Versus
        }
    };
    let stale_after_days = fields.whole_number("stale_after_days").unwrap_or(365);
    let paginate = fields.posts_per_page("paginate").unwrap_or(10);
    let paginate_terms = fields.posts_per_page("paginate_terms").unwrap_or(paginate);
    let feed = fields.feed();
    let images = fields.images();
    let base_url_raw = overrides
        .base_url
        .clone()
        .or(base_url_raw)
        .unwrap_or_else(|| "http://localhost".into());
    let (base_url, base_path) = match split_base_url(&base_url_raw) {
        Some(parts) => parts,
        None => {
            let message = format!(
                "base_url `{base_url_raw}` must be an absolute http(s) URL such as `https://example.org`"
            );
            if overrides.base_url.is_some() {
                fields
                    .problems
                    .push(Diagnostic::error("--base-url", message));
            } else {
                fields.problem("base_url", message);
            }
            (String::new(), String::new())
        }
    };
    if !fields.problems.is_empty() {
        return Err(fields.problems);
    }
    let mut warnings = Vec::new();
    if overrides.base_url.is_none() && !source_has_key(source, "base_url") {
        warnings.push(
            Diagnostic::warning(path, "no `base_url`: feeds, the sitemap and page metadata link to http://localhost")
                .with_help("set the address the site is published at, such as `base_url: https://example.com/`, or pass --base-url"),
        );
    }
    if let Some(warning) = title_warning(path, source, &title) {
        warnings.push(warning);
    }
    let provided: Vec<&str> = crate::theme::languages().collect();
    if !provided.contains(&crate::theme::language_of(&language).as_str()) {
        let offset = yaml::key_offset(source, "language", None).unwrap_or(0);
        warnings.push(
            Diagnostic::warning(
                path,
                format!(
                    "no built-in strings for language `{language}`: versus writes its own words (legends, counts, dates) in English"
                ),
            )
            .at_offset(source, offset)
            .with_help(format!(
                "languages provided: {}; or write every string in data/strings.yaml",
                provided.join(", ")
            )),
        );
    }
    for key in map.keys().filter_map(|k| k.as_str()) {
        if let Some(near) = crate::diag::did_you_mean(key, KNOWN_KEYS.iter().copied())
            && near != key
        {
            let offset = yaml::key_offset(source, key, None).unwrap_or(0);
            warnings.push(
                Diagnostic::warning(
                    path,
                    format!("unknown setting `{key}`: did you mean `{near}`?"),
                )
                .at_offset(source, offset)
                .with_help(format!("other keys reach layouts as site.{key}")),
            );
        }
    }
    Ok(Config {
        title,
        description,
        base_url,
        base_path,
        language,
        authors,
        permalink,
        highlight,
        liquid,
        code_markup,
        stale_after_days,
        paginate,
        paginate_terms,
        social_cards,
        feed,
        search,
        images,
        today: overrides.today.unwrap_or_default(),
        extra: map,
        warnings,
    })
}

/// The site's name shows on every page and in the feeds: a missing or placeholder one warns,
/// at its key when there is one.
fn title_warning(path: &Path, source: &str, title: &str) -> Option<Diagnostic> {
    if !is_placeholder_title(title) {
        return None;
    }
    let help = "name the site in site.yaml, such as `title: EKS versus AKS`";
    let Some(offset) = yaml::key_offset(source, "title", None) else {
        let message = "no `title`: pages, the home page and feeds show no site name";
        return Some(Diagnostic::warning(path, message).with_help(help));
    };
    let message = if title.trim().is_empty() {
        "`title` is empty: pages, the home page and feeds show no site name".to_owned()
    } else {
        format!(
            "`title` is a placeholder (`{}`): pages, the home page and feeds show it as the site's name",
            title.trim()
        )
    };
    Some(
        Diagnostic::warning(path, message)
            .at_offset(source, offset)
            .with_help(help),
    )
}

/// Whether `key:` is written at the top level of `source` (a `base_url:` left empty counts).
fn source_has_key(source: &str, key: &str) -> bool {
    yaml::key_offset(source, key, None).is_some()
}

/// `https://example.org/blog/` → (`https://example.org/blog`, `/blog`).
fn split_base_url(url: &str) -> Option<(String, String)> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    if host_end == 0 || rest.contains(['?', '#', ' ']) {
        return None;
    }
    Some((url.to_owned(), rest[host_end..].to_owned()))
}

impl Config {
    /// Whether the site is a Jekyll site (`liquid: true` or `code_markup: jekyll`, as `versus
    /// import` writes): what Jekyll and Markdown do differently then follows Jekyll.
    pub fn jekyll_compatible(&self) -> bool {
        self.liquid || self.code_markup == CodeMarkup::Jekyll
    }

    /// Where a site path is served: `/about/` → `/blog/about/` under a sub-path base URL.
    pub fn relative_url(&self, site_path: &str) -> String {
        if is_external(site_path) {
            return site_path.to_owned();
        }
        format!("{}{}", self.base_path, site_path)
    }

    /// The full URL of a site path, for canonical links and feeds.
    pub fn absolute_url(&self, site_path: &str) -> String {
        if is_external(site_path) {
            return site_path.to_owned();
        }
        let host = &self.base_url[..self.base_url.len() - self.base_path.len()];
        format!("{host}{}", self.relative_url(site_path))
    }

    pub fn path(root: &Path) -> PathBuf {
        root.join(FILE_NAME)
    }

    /// Claims verified before this day are stale.
    pub fn stale_before(&self) -> jiff::civil::Date {
        self.today
            .checked_sub(jiff::Span::new().days(self.stale_after_days))
            .unwrap_or(self.today)
    }
}

fn is_external(url: &str) -> bool {
    url.contains("://") || url.starts_with("//") || url.starts_with("mailto:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Result<Config, Vec<Diagnostic>> {
        from_source(Path::new("site.yaml"), source, &Overrides::default())
    }

    #[test]
    fn defaults_and_extra_keys() {
        let config = parse("title: T\nbase_url: https://example.org/blog/\nrepo: x\n").unwrap();
        assert_eq!(config.base_url, "https://example.org/blog");
        assert_eq!(config.base_path, "/blog");
        assert_eq!(config.permalink, DEFAULT_PERMALINK);
        assert_eq!(
            config.extra.get("repo").and_then(yaml::as_text).unwrap(),
            "x"
        );
        assert_eq!(config.relative_url("/a/"), "/blog/a/");
        assert_eq!(config.absolute_url("/a/"), "https://example.org/blog/a/");
        assert_eq!(config.absolute_url("https://x.org/"), "https://x.org/");
    }

    #[test]
    fn bad_values_are_reported_at_their_key() {
        let errors = parse("title: T\nbase_url: example.org\npermalink: x/\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].col), (3, 1));
        assert_eq!((errors[1].line, errors[1].col), (2, 1));
        assert!(errors[1].message.contains("base_url"));
    }

    fn title_warnings(source: &str) -> Vec<Diagnostic> {
        let config = parse(&format!("{source}base_url: https://a.org\n")).unwrap();
        config
            .warnings
            .into_iter()
            .filter(|w| w.message.contains("title"))
            .collect()
    }

    #[test]
    fn a_missing_empty_or_placeholder_title_warns_once_at_its_key() {
        let missing = title_warnings("");
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(
            missing[0].message,
            "no `title`: pages, the home page and feeds show no site name"
        );
        assert_eq!(missing[0].line, 0);
        assert!(missing[0].help.as_deref().unwrap().contains("title: "));
        for source in [
            "title:\n",
            "title: \"  \"\n",
            "title: My Site\n",
            "title: my blog\n",
            "title: ' Untitled '\n",
        ] {
            let warnings = title_warnings(source);
            assert_eq!(warnings.len(), 1, "{source:?}: {warnings:?}");
            assert_eq!(warnings[0].severity, crate::diag::Severity::Warning);
            assert_eq!(
                (warnings[0].line, warnings[0].col),
                (1, 1),
                "{source:?}: at the key"
            );
        }
        let placeholder = title_warnings("title: My Site\n");
        assert_eq!(
            placeholder[0].message,
            "`title` is a placeholder (`My Site`): pages, the home page and feeds show it as the site's name"
        );
        for real in [
            "title: EKS versus AKS\n",
            "title: My Site about kubernetes\n",
            "title: Sites\n",
        ] {
            assert!(title_warnings(real).is_empty(), "{real:?}");
        }
    }

    #[test]
    fn a_language_without_strings_is_a_warning_naming_those_there_are() {
        let config = parse("base_url: https://a.org\ntitle: T\nlanguage: fr\n").unwrap();
        let warning = config
            .warnings
            .iter()
            .find(|w| w.message.contains("language"))
            .unwrap();
        assert_eq!((warning.line, warning.col), (3, 1));
        assert!(warning.message.contains("`fr`"), "{}", warning.message);
        assert!(warning.help.as_deref().unwrap().contains("de, en, nl"));
        for provided in ["en", "de", "de-CH", "en_GB"] {
            let source = format!("base_url: https://a.org\ntitle: Sites\nlanguage: {provided}\n");
            assert!(parse(&source).unwrap().warnings.is_empty(), "{provided}");
        }
    }

    #[test]
    fn feed_settings_and_their_errors() {
        let config = parse("feed: {content: full, entries: 5, rss: true, tags: true}\n").unwrap();
        let expected = FeedSettings {
            content: FeedContent::Full,
            entries: 5,
            rss: true,
            taxonomies: vec![Taxonomy::Tags],
        };
        assert_eq!(config.feed, expected);
        assert_eq!(parse("title: T\n").unwrap().feed, FeedSettings::default());
        let errors =
            parse("title: T\nfeed:\n  content: ful\n  entries: 0\n  tag: true\n").unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.line, e.col)).collect();
        assert_eq!(found, [(3, 12), (4, 12), (5, 3)], "{errors:?}");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `full`?"));
        assert!(errors[2].message.contains("unknown feed setting `tag`"));
        assert_eq!(errors[2].help.as_deref(), Some("did you mean `tags`?"));
        let errors = parse("feed: full\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (1, 1));
    }

    #[test]
    fn feed_taxonomies_are_a_list_of_names_with_tags_true_as_shorthand() {
        let taxonomies = |source: &str| parse(source).unwrap().feed.taxonomies;
        use Taxonomy::{Authors, Categories, Tags};
        assert_eq!(
            taxonomies("feed: {taxonomies: [authors, tags, categories]}\n"),
            [Tags, Categories, Authors]
        );
        assert_eq!(taxonomies("feed:\n  taxonomies: authors\n"), [Authors]);
        assert_eq!(
            taxonomies("feed:\n  tags: true\n  taxonomies:\n    - categories\n    - tags\n"),
            [Tags, Categories]
        );
        assert_eq!(taxonomies("feed: {tags: false}\n"), []);
        assert_eq!(taxonomies("title: T\n"), []);

        // An unknown name, in a block list and in a flow one, at the name.
        let errors =
            parse("title: T\nfeed:\n  taxonomies:\n    - tags\n    - categoris\n").unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].col), (5, 7));
        assert_eq!(
            errors[0].message,
            "unknown taxonomy `categoris` in `feed.taxonomies` (known: tags, categories, authors)"
        );
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `categories`?")
        );
        let errors = parse("feed: {rss: true, taxonomies: [tags, author]}\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (1, 38), "{errors:?}");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `authors`?"));

        let errors = parse("feed:\n  tags: false\n  taxonomies: [tags]\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (2, 9));
        assert!(errors[0].message.contains("contradicts"), "{errors:?}");
    }

    #[test]
    fn term_pages_take_paginate_unless_paginate_terms_is_set() {
        let config = parse("paginate: 7\n").unwrap();
        assert_eq!((config.paginate, config.paginate_terms), (7, 7));
        let config = parse("paginate: 7\npaginate_terms: 0\n").unwrap();
        assert_eq!((config.paginate, config.paginate_terms), (7, 0));
        let config = parse("paginate_terms: 3\n").unwrap();
        assert_eq!((config.paginate, config.paginate_terms), (10, 3));
        let errors = parse("title: T\npaginate_terms: many\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].col), (2, 1));
        assert_eq!(
            errors[0].message,
            "`paginate_terms` must be a whole number of posts per page (0: all on one)"
        );
        let config = parse("base_url: https://a.org\ntitle: Sites\npaginate_term: 3\n").unwrap();
        assert!(
            config.warnings[0]
                .message
                .contains("did you mean `paginate_terms`?"),
            "{:?}",
            config.warnings
        );
    }

    #[test]
    fn override_wins() {
        let overrides = Overrides {
            base_url: Some("https://user.github.io/site".into()),
            ..Overrides::default()
        };
        let config = from_source(
            Path::new("site.yaml"),
            "base_url: https://a.org\n",
            &overrides,
        )
        .unwrap();
        assert_eq!(config.base_path, "/site");
    }
}

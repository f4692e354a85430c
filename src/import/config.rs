//! `_config.yml` → `site.yaml`: Jekyll's keys under versus's names, the plugins each with what
//! versus does instead, and the settings that do not carry over, each at its line.

use std::path::{Path, PathBuf};

use super::{Import, ImportError};
use crate::diag::Diagnostic;
use crate::yaml::{self, Mapping, Value};

/// What versus's built-in theme and build do in place of the Jekyll plugins blogs use most:
/// `(gem, what to do)`. A plugin not listed is reported as having no counterpart.
const PLUGINS: &[(&str, &str)] = &[
    (
        "jekyll-feed",
        "versus writes an Atom feed, /feed.xml, itself",
    ),
    (
        "jekyll-sitemap",
        "versus writes /sitemap.xml and /robots.txt itself",
    ),
    (
        "jekyll-seo-tag",
        "the built-in theme writes the title, description, canonical and Open Graph tags",
    ),
    (
        "jekyll-paginate",
        "the home page is paginated by `paginate:` in site.yaml",
    ),
    (
        "jekyll-paginate-v2",
        "the home page is paginated by `paginate:` in site.yaml",
    ),
    (
        "jekyll-archives",
        "versus writes a page for each tag and category (/tags/x/, /categories/x/)",
    ),
    (
        "jekyll-relative-links",
        "versus turns links to `.md` files into links to their pages",
    ),
    (
        "jekyll-last-modified-at",
        "write `last_modified_at:` (or `updated:`) in the front matter; versus shows it",
    ),
];

impl Import {
    /// `_config.yml` → `site.yaml`; returns the names of its collections.
    /// `_config.yml` → `site.yaml`; returns the names of its collections.
    pub(super) fn config(&mut self, name: &Path) -> Result<Vec<String>, ImportError> {
        let text = self.read_text(name)?;
        let shown = self.src.join(name);
        let config = match yaml::parse_value(&text, &shown) {
            Ok(Value::Mapping(map)) => map,
            Ok(Value::Null) => Mapping::new(),
            Ok(_) => {
                let message = "_config.yml must be a mapping of `key: value` lines";
                return Err(ImportError::Config(Box::new(
                    Diagnostic::error(&shown, message).at(&text, 1, 1),
                )));
            }
            Err(diagnostic) => return Err(ImportError::Config(Box::new(diagnostic))),
        };
        let at = |key: &str| {
            yaml::Locator::new(&text)
                .key(&[yaml::Seg::Key(key.to_owned())])
                .unwrap_or(0)
        };
        let mut found = Vec::new();
        let warning = |key: &str, message: String| {
            Diagnostic::warning(&shown, message).at_offset(&text, at(key))
        };
        let text_of = |key: &str| config.get(key).and_then(yaml::as_text);
        let mut typed = Mapping::new();
        let mut put = |key: &str, value: Value| {
            typed.insert(Value::String(key.to_owned()), value);
        };
        for key in ["title", "description"] {
            if let Some(value) = text_of(key) {
                put(key, Value::String(value));
            }
        }
        let baseurl = text_of("baseurl").unwrap_or_default();
        match text_of("url").filter(|url| !url.is_empty()) {
            Some(url) => {
                let path = baseurl.trim_end_matches('/');
                let path = match path.is_empty() || path.starts_with('/') {
                    true => path.to_owned(),
                    false => format!("/{path}"),
                };
                let base = format!("{}{path}", url.trim_end_matches('/'));
                put("base_url", Value::String(base));
            }
            None if !baseurl.is_empty() => found.push(warning(
                "baseurl",
                format!(
                    "`baseurl: {baseurl}` without `url:`: set `base_url: https://your.host{baseurl}` in site.yaml"
                ),
            )),
            None => {}
        }
        if let Some(lang) = text_of("lang") {
            put("language", Value::String(lang));
        }
        // Jekyll's default permalink is `date`; versus's own default is another one.
        let permalink = text_of("permalink").unwrap_or_else(|| "date".to_owned());
        self.html_pages = permalink != "pretty" && !permalink.ends_with('/');
        put("permalink", Value::String(permalink));
        if let Some(paginate) = config.get("paginate") {
            put("paginate", paginate.clone());
        }
        put("liquid", Value::Bool(true));
        put("code_markup", Value::String("jekyll".to_owned()));

        let mut extra = Mapping::new();
        let mut collections = Vec::new();
        for (key, value) in &config {
            let Some(key) = key.as_str() else { continue };
            let list = |value: &Value| -> Vec<String> {
                match value {
                    Value::Sequence(items) => items.iter().filter_map(yaml::as_text).collect(),
                    other => yaml::as_text(other).into_iter().collect(),
                }
            };
            match key {
                "title" | "description" | "url" | "baseurl" | "lang" | "permalink"
                | "paginate" => {}
                "exclude" => self.exclude = list(value),
                "include" => self.include = list(value),
                "markdown" => {
                    let engine = yaml::as_text(value).unwrap_or_default();
                    if !engine.eq_ignore_ascii_case("kramdown") {
                        found.push(warning(key, format!("`markdown: {engine}`: versus reads Markdown as kramdown does (Jekyll's default); check pages that relied on {engine}")));
                    }
                }
                "highlighter" => {
                    let highlighter = yaml::as_text(value).unwrap_or_default();
                    if highlighter != "rouge" {
                        found.push(warning(key, format!("`highlighter: {highlighter}`: versus highlights code itself, with Rouge's classes (`code_markup: jekyll`)")));
                    }
                }
                "kramdown" => {
                    extra.insert(Value::String(key.to_owned()), value.clone());
                }
                "plugins" | "gems" => {
                    for plugin in list(value) {
                        let offset = yaml::key_offset(&text, key, Some(&plugin)).unwrap_or(0);
                        let message = match PLUGINS.iter().find(|(name, _)| *name == plugin) {
                            Some((_, instead)) => {
                                format!("plugin `{plugin}` not carried over: {instead}")
                            }
                            None => format!(
                                "plugin `{plugin}` not carried over: versus runs no plugins and has nothing in its place"
                            ),
                        };
                        found.push(Diagnostic::warning(&shown, message).at_offset(&text, offset));
                    }
                }
                "collections" => {
                    collections = match value {
                        Value::Mapping(map) => map
                            .keys()
                            .filter_map(|k| k.as_str().map(str::to_owned))
                            .collect(),
                        other => list(other),
                    };
                    found.push(warning(
                        key,
                        format!(
                            "collections not carried over ({}): versus has posts and pages only; move their files into content/ as pages",
                            collections.join(", ")
                        ),
                    ));
                }
                "defaults" => found.push(warning(
                    key,
                    "front matter `defaults:` not carried over: versus has none; write the keys into each file's front matter (layouts default to post and page)".to_owned(),
                )),
                "theme" | "remote_theme" => found.push(warning(
                    key,
                    format!("`{key}:` not carried over: the built-in theme is used; `versus theme copy` to change it"),
                )),
                "sass" => found.push(warning(
                    key,
                    "`sass:` not carried over: versus compiles no Sass; the built-in stylesheet is used".to_owned(),
                )),
                "timezone" => found.push(warning(
                    key,
                    "`timezone:` not carried over: write dates with their offset (`2024-01-15 10:00:00 +0200`); dates without one are UTC".to_owned(),
                )),
                "paginate_path" => found.push(warning(
                    key,
                    "`paginate_path:` not carried over: versus pages the home page as /page/2/, /page/3/, ...".to_owned(),
                )),
                // How Jekyll itself runs: nothing to carry.
                "source" | "destination" | "safe" | "keep_files" | "encoding" | "port"
                | "host" | "livereload" | "incremental" | "profile" | "quiet" | "verbose"
                | "disable_disk_cache" | "strict_front_matter" | "liquid" | "future"
                | "show_drafts" | "unpublished" | "lsi" | "limit_posts" | "markdown_ext"
                | "whitelist" | "webrick" => {}
                _ => {
                    extra.insert(Value::String(key.to_owned()), value.clone());
                }
            }
        }
        let mut site = String::from(
            "# Imported from Jekyll's _config.yml by `versus import jekyll`; README.md's\n# \"Coming from Jekyll\" explains each key.\n",
        );
        site.push_str(&yaml::to_yaml(&Value::Mapping(typed)));
        if !extra.is_empty() {
            site.push_str(
                "# The other keys of _config.yml: `site.<key>` in Liquid and in layouts.\n",
            );
            site.push_str(&yaml::to_yaml(&Value::Mapping(extra)));
        }
        self.warnings.extend(found);
        self.add(PathBuf::from("site.yaml"), name, site.into_bytes());
        Ok(collections)
    }
}

//! The words versus writes itself (legends, counts, "Updated", the 404 page, the support
//! levels): built in per language (`theme/strings/<language>.yaml`), picked by `language:` of
//! site.yaml, and replaced one by one in `data/strings.yaml`. Layouts read them with `t(…)`,
//! Rust code that writes HTML with [`Strings::html`]; both read this one table.

use std::collections::BTreeMap;
use std::path::Path;

use crate::data::DataFile;
use crate::diag::{Diagnostic, did_you_mean};
use crate::matrix::Support;
use crate::text::escape_html;
use crate::yaml::{self, Locator, Mapping, Seg, Value};

/// A site's own words, replacing built-in ones key by key.
pub const FILE: &str = "data/strings.yaml";

/// The language whose strings every other falls back to.
pub const FALLBACK: &str = "en";

/// One string: a text, a count's forms, or a list (the months).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Text {
    Plain(String),
    /// CLDR plural forms: `one` and `other` (every language provided has just these two).
    Count {
        one: String,
        other: String,
    },
    List(Vec<String>),
}

impl Text {
    fn shape(&self) -> &'static str {
        match self {
            Text::Plain(_) => "a text",
            Text::Count { .. } => "a mapping of `one:` and `other:` forms",
            Text::List(_) => "a list",
        }
    }

    /// Every `{name}` the text fills in.
    fn placeholders(&self) -> Vec<String> {
        let texts: Vec<&str> = match self {
            Text::Plain(text) => vec![text],
            Text::Count { one, other } => vec![one, other],
            Text::List(items) => items.iter().map(String::as_str).collect(),
        };
        let mut names: Vec<String> = texts.into_iter().flat_map(placeholders_in).collect();
        names.sort();
        names.dedup();
        names
    }
}

fn placeholders_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                names.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
}

/// The site's strings: its language's built-in ones with its own in place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Strings {
    /// The built-in language in use (`de`), which also picks the plural rule.
    pub language: String,
    /// Dotted key (`table.feature`, `levels.addon.label`) → text.
    texts: BTreeMap<String, Text>,
}

impl Default for Strings {
    /// The built-in English strings.
    fn default() -> Strings {
        Strings::builtin(FALLBACK)
    }
}

/// Whether the language of `tag` has built-in strings.
pub fn is_provided(tag: &str) -> bool {
    let language = crate::theme::language_of(tag);
    crate::theme::languages().any(|l| l == language)
}

/// The built-in strings for the site's `language` (English when none exist, which
/// `config` warns about) with `data/strings.yaml` in place.
pub fn load(language: &str, files: &[DataFile]) -> Result<Strings, Vec<Diagnostic>> {
    let mut strings = Strings::builtin(&crate::theme::language_of(language));
    if let Some(file) = files.iter().find(|f| f.path == Path::new(FILE)) {
        strings.replace_from(file)?;
    }
    Ok(strings)
}

impl Strings {
    /// The built-in strings of `language`, English for a language not provided.
    pub fn builtin(language: &str) -> Strings {
        let language = if is_provided(language) {
            language
        } else {
            FALLBACK
        };
        let source = crate::theme::strings(language).unwrap_or_default();
        let value: Value = serde_yaml::from_str(source).unwrap_or(Value::Null);
        let mut texts = BTreeMap::new();
        if let Value::Mapping(map) = &value {
            flatten(map, "", &mut texts);
        }
        Strings {
            language: language.to_owned(),
            texts,
        }
    }

    /// Checks `data/strings.yaml` against the built-in keys and puts its strings in place;
    /// every problem at its key, all at once.
    fn replace_from(&mut self, file: &DataFile) -> Result<(), Vec<Diagnostic>> {
        let at = Locator::new(&file.text);
        let mut problems = Vec::new();
        let mut problem = |path: &[Seg], key: bool, message: String, help: Option<String>| {
            let offset = if key { at.key(path) } else { at.value(path) };
            let mut diagnostic =
                Diagnostic::error(&file.path, message).at_offset(&file.text, offset.unwrap_or(0));
            if let Some(help) = help {
                diagnostic = diagnostic.with_help(help);
            }
            problems.push(diagnostic);
        };
        let map = match &file.value {
            Value::Mapping(map) => map.clone(),
            Value::Null => Mapping::new(),
            _ => {
                problem(
                    &[],
                    false,
                    "data/strings.yaml must map string keys to texts, e.g. `posts: {heading: Articles}`".into(),
                    None,
                );
                return Err(problems);
            }
        };
        let mut given = BTreeMap::new();
        flatten(&map, "", &mut given);
        let mut unknown_levels = Vec::new();
        for (key, text) in given {
            let mut path: Vec<Seg> = key.split('.').map(|k| Seg::Key(k.to_owned())).collect();
            let Some(builtin) = self.texts.get(&key) else {
                if let Some(level) = unknown_level(&key) {
                    // One error per unknown level, at its id.
                    if unknown_levels.iter().any(|l: &String| l == level) {
                        continue;
                    }
                    unknown_levels.push(level.to_owned());
                    path.truncate(2);
                }
                let (message, help) = self.unknown_key(&key);
                problem(&path, true, message, help);
                continue;
            };
            if std::mem::discriminant(builtin) != std::mem::discriminant(&text) {
                let message = format!("`{key}` must be {}, as it is built in", builtin.shape());
                problem(&path, false, message, None);
                continue;
            }
            if let (Text::List(old), Text::List(new)) = (builtin, &text)
                && old.len() != new.len()
            {
                let message = format!("`{key}` must list {} items, not {}", old.len(), new.len());
                problem(&path, false, message, None);
                continue;
            }
            let known = builtin.placeholders();
            if let Some(unknown) = text.placeholders().into_iter().find(|p| !known.contains(p)) {
                let listed: Vec<String> = known.iter().map(|p| format!("{{{p}}}")).collect();
                let message = format!(
                    "unknown placeholder `{{{unknown}}}` in `{key}` ({})",
                    if listed.is_empty() {
                        "it takes none".to_owned()
                    } else {
                        format!("it takes {}", listed.join(", "))
                    }
                );
                problem(&path, false, message, None);
                continue;
            }
            self.texts.insert(key, text);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// "unknown string `x`" with the nearest known key, or for `levels.<id>` the level ids.
    fn unknown_key(&self, key: &str) -> (String, Option<String>) {
        if let Some(level) = unknown_level(key) {
            let near = did_you_mean(level, Support::ALL.map(Support::id));
            return (
                format!(
                    "unknown support level `{level}`: expected one of {}",
                    Support::list()
                ),
                near.map(|n| format!("did you mean `{n}`?")),
            );
        }
        let near = did_you_mean(key, self.texts.keys().map(String::as_str));
        let parent = key.rsplit_once('.').map(|(p, _)| p);
        let siblings: Vec<&str> = self
            .texts
            .keys()
            .filter_map(|k| {
                let (p, last) = k.rsplit_once('.').unwrap_or(("", k));
                (Some(p) == parent || (parent.is_none() && p.is_empty())).then_some(last)
            })
            .collect();
        let message = if siblings.is_empty() {
            format!("unknown string `{key}`")
        } else {
            format!(
                "unknown string `{key}` (known here: {})",
                siblings.join(", ")
            )
        };
        (message, near.map(|n| format!("did you mean `{n}`?")))
    }

    fn get(&self, key: &str) -> Option<&Text> {
        self.texts.get(key)
    }

    /// Whether `key` names a string (for `t()`'s errors).
    pub fn has(&self, key: &str) -> bool {
        self.texts.contains_key(key)
    }

    /// The nearest key to a misspelt one.
    pub fn near(&self, key: &str) -> Option<&str> {
        did_you_mean(key, self.texts.keys().map(String::as_str))
    }

    /// The text of `key`, its `other` form for a count; the key itself if there is none (a
    /// test keeps every key Rust code reads in the English file, and overrides cannot remove
    /// one).
    pub fn text<'s>(&'s self, key: &'s str) -> &'s str {
        match self.get(key) {
            Some(Text::Plain(text)) | Some(Text::Count { other: text, .. }) => text,
            Some(Text::List(_)) | None => key,
        }
    }

    /// The form of `key` for the number `n`, by the language's plural rule.
    pub fn form<'s>(&'s self, key: &'s str, n: u64) -> &'s str {
        match self.get(key) {
            Some(Text::Count { one, other }) => match plural(&self.language, n) {
                Plural::One => one,
                Plural::Other => other,
            },
            _ => self.text(key),
        }
    }

    /// The list of `key` (`months`).
    pub fn list(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Text::List(items)) => items,
            _ => &[],
        }
    }

    /// `key` as plain text with `{name}`s filled in (for feeds and page titles, escaped
    /// where they are written).
    pub fn plain(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), args)
    }

    /// `key`'s form for `n`, `{n}` and the other `{name}`s filled in, as plain text.
    pub fn count(&self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let n_text = n.to_string();
        let mut all = vec![("n", n_text.as_str())];
        all.extend_from_slice(args);
        fill(self.form(key, n), &all)
    }

    /// `key` as HTML: the text escaped, then each `{name}` replaced by the HTML given for it.
    pub fn html(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(&escape_html(self.text(key)), args)
    }

    /// [`Strings::html`] of `key`'s form for `n`.
    pub fn count_html(&self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let n_text = n.to_string();
        let mut all = vec![("n", n_text.as_str())];
        all.extend_from_slice(args);
        fill(&escape_html(self.form(key, n)), &all)
    }

    /// A support level's table text.
    pub fn level_label(&self, level: Support) -> &str {
        self.text_of(&format!("levels.{}.label", level.id()))
    }

    /// A support level's legend text.
    pub fn level_description(&self, level: Support) -> &str {
        self.text_of(&format!("levels.{}.description", level.id()))
    }

    fn text_of(&self, key: &str) -> &str {
        match self.get(key) {
            Some(Text::Plain(text)) => text,
            _ => "",
        }
    }

    /// `a, b and c`: a list as the language joins it.
    pub fn join(&self, items: &[&str]) -> String {
        match items {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [first @ .., last] => format!("{} {} {last}", first.join(", "), self.text("and")),
        }
    }

    /// strftime's format for dates, with `%B` already the month's name in the language.
    pub fn date_format(&self, format: &str, month: i8) -> String {
        let months = self.list("months");
        match usize::try_from(month - 1).ok().and_then(|m| months.get(m)) {
            Some(name) if format.contains("%B") => format.replace("%B", &name.replace('%', "%%")),
            _ => format.to_owned(),
        }
    }

    /// A day as the language writes it: `December 2, 2026`, `2. Dezember 2026`.
    pub fn date(&self, day: jiff::civil::Date) -> String {
        let format = self.date_format(self.text("date_format"), day.month());
        jiff::fmt::strtime::format(&format, day).unwrap_or_else(|_| day.to_string())
    }
}

/// The level id of a `levels.<id>…` key when it is no support level.
fn unknown_level(key: &str) -> Option<&str> {
    let level = key.strip_prefix("levels.")?.split('.').next()?;
    (!Support::ALL.iter().any(|s| s.id() == level)).then_some(level)
}

/// Replaces each `{name}` of `text` by its value; other braces stay.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let filled = after.find('}').and_then(|end| {
            let name = &after[..end];
            let value = args.iter().find(|(n, _)| *n == name)?.1;
            Some((value, end))
        });
        match filled {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Nested mappings → dotted keys; a mapping of just `one` and `other` is a count.
fn flatten(map: &Mapping, prefix: &str, out: &mut BTreeMap<String, Text>) {
    for (key, value) in map {
        let Some(key) = yaml::as_text(key) else {
            continue;
        };
        let key = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Mapping(inner) if is_count(inner) => {
                let form = |name: &str| inner.get(name).and_then(yaml::as_text).unwrap_or_default();
                out.insert(
                    key,
                    Text::Count {
                        one: form("one"),
                        other: form("other"),
                    },
                );
            }
            Value::Mapping(inner) => flatten(inner, &key, out),
            Value::Sequence(items) => {
                let items = items.iter().filter_map(yaml::as_text).collect();
                out.insert(key, Text::List(items));
            }
            other => {
                out.insert(key, Text::Plain(yaml::as_text(other).unwrap_or_default()));
            }
        }
    }
}

fn is_count(map: &Mapping) -> bool {
    let keys: Vec<String> = map.keys().filter_map(yaml::as_text).collect();
    !keys.is_empty() && keys.iter().all(|k| k == "one" || k == "other")
}

/// CLDR plural categories; the languages provided use `one` and `other` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

/// The CLDR cardinal rule of `language` for a whole number. English, German and Dutch: `one`
/// for exactly 1 (rule `i = 1 and v = 0`), else `other`.
pub fn plural(language: &str, n: u64) -> Plural {
    match language {
        "en" | "de" | "nl" if n == 1 => Plural::One,
        _ => Plural::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn override_with(language: &str, text: &str) -> Result<Strings, Vec<String>> {
        let file = DataFile {
            path: PathBuf::from(FILE),
            text: text.to_owned(),
            value: serde_yaml::from_str(text).unwrap(),
        };
        load(language, &[file])
            .map_err(|problems| problems.iter().map(Diagnostic::one_line).collect())
    }

    #[test]
    fn every_language_has_the_english_keys_in_the_same_shapes() {
        let english = Strings::builtin("en");
        for language in crate::theme::languages() {
            let text = crate::theme::strings(language).unwrap();
            serde_yaml::from_str::<Value>(text).expect(language);
        }
        assert!(english.texts.len() > 100, "{}", english.texts.len());
        for language in crate::theme::languages() {
            let other = Strings::builtin(language);
            assert_eq!(other.language, language);
            let keys = |s: &Strings| s.texts.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&other), keys(&english), "keys of {language}.yaml");
            for (key, text) in &english.texts {
                let theirs = &other.texts[key];
                assert_eq!(theirs.shape(), text.shape(), "{language}: {key}");
                assert_eq!(
                    theirs.placeholders(),
                    text.placeholders(),
                    "{language}: {key}"
                );
            }
            assert_eq!(other.list("months").len(), 12, "{language}");
            for level in Support::ALL {
                assert!(
                    !other.level_label(level).is_empty(),
                    "{language}: {level:?}"
                );
                assert!(
                    !other.level_description(level).is_empty(),
                    "{language}: {level:?}"
                );
            }
        }
    }

    /// The literal keys in `text` after each of `calls` (`strings.html(`, `t(`).
    fn keys_after<'t>(text: &'t str, calls: &[&str]) -> Vec<&'t str> {
        let mut keys = Vec::new();
        for call in calls {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = rest.find('"') else { continue };
                if rest[end + 1..].trim_start().starts_with([',', ')']) {
                    keys.push(&rest[..end]);
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_the_code_and_the_layouts_name_is_built_in() {
        let english = Strings::builtin("en");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let calls = [
            "strings.html(",
            "strings.count_html(",
            "strings.text(",
            "strings.plain(",
            "strings.count(",
        ];
        let mut named = 0;
        for entry in walkdir::WalkDir::new(root.join("src")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                for key in keys_after(&text, &calls) {
                    named += 1;
                    assert!(english.has(key), "{}: `{key}`", entry.path().display());
                }
            }
        }
        for (name, text) in crate::theme::layouts() {
            for key in keys_after(text, &["t("]) {
                named += 1;
                assert!(english.has(key), "{name}: `{key}`");
            }
        }
        assert!(named > 80, "{named} keys found: the scan misses calls");
    }

    #[test]
    fn every_language_has_its_plural_rule() {
        // A language whose 1 is not `one`, or that has more forms, needs its rule in `plural`.
        for language in crate::theme::languages() {
            assert_eq!(plural(language, 1), Plural::One, "{language}");
            assert_eq!(plural(language, 2), Plural::Other, "{language}");
        }
    }

    #[test]
    fn counts_take_each_languages_form() {
        let en = Strings::builtin("en");
        assert_eq!(en.count("compare.features", 1, &[]), "1 feature");
        assert_eq!(en.count("compare.features", 2, &[]), "2 features");
        assert_eq!(en.count("compare.features", 0, &[]), "0 features");
        let de = Strings::builtin("de");
        assert_eq!(de.count("compare.features", 1, &[]), "1 Funktion");
        assert_eq!(de.count("compare.features", 21, &[]), "21 Funktionen");
        assert_eq!(de.count("posts.count", 1, &[]), "1 Beitrag");
        let nl = Strings::builtin("nl");
        assert_eq!(nl.count("posts.count", 1, &[]), "1 bericht");
        assert_eq!(nl.count("posts.count", 3, &[]), "3 berichten");
    }

    #[test]
    fn a_region_picks_its_language_and_an_unknown_one_english() {
        assert_eq!(Strings::builtin("fr").language, "en");
        assert!(is_provided("en-GB") && !is_provided("fr"));
    }

    #[test]
    fn html_escapes_the_text_but_not_what_is_filled_in() {
        let strings =
            override_with("en", "table:\n  checked_on: \"Checked <on> {date}\"\n").unwrap();
        assert_eq!(
            strings.html("table.checked_on", &[("date", "<time>x</time>")]),
            "Checked &lt;on&gt; <time>x</time>"
        );
    }

    #[test]
    fn dates_read_in_the_language() {
        let day = jiff::civil::date(2026, 3, 2);
        assert_eq!(Strings::builtin("en").date(day), "March 2, 2026");
        assert_eq!(Strings::builtin("de").date(day), "2. März 2026");
        assert_eq!(Strings::builtin("nl").date(day), "2 maart 2026");
    }

    #[test]
    fn an_override_replaces_one_string_and_keeps_the_rest() {
        let strings = override_with(
            "de",
            "levels:\n  addon:\n    label: Add-on\nposts:\n  count:\n    one: \"{n} Artikel\"\n    other: \"{n} Artikel\"\n",
        )
        .unwrap();
        assert_eq!(strings.level_label(Support::Addon), "Add-on");
        assert_eq!(
            strings.level_description(Support::Addon),
            Strings::builtin("de").level_description(Support::Addon)
        );
        assert_eq!(strings.count("posts.count", 1, &[]), "1 Artikel");
        assert_eq!(strings.text("table.feature"), "Funktion");
    }

    #[test]
    fn override_problems_at_their_keys_all_at_once() {
        let errors = override_with(
            "en",
            "levels:\n  defualt:\n    label: Native\n    description: x\n  none:\n    lable: No\nposts:\n  count: posts\n  hedaing: Articles\ntable:\n  stale: \"old since {day}\"\nmonths: [Jan]\n",
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "data/strings.yaml:2:3: unknown support level `defualt`: expected one of default, option, addon, manual, none, not-applicable, unknown (did you mean `default`?)".to_owned(),
                "data/strings.yaml:6:5: unknown string `levels.none.lable` (known here: description, label) (did you mean `levels.none.label`?)".into(),
                "data/strings.yaml:12:9: `months` must list 12 items, not 1".into(),
                "data/strings.yaml:8:10: `posts.count` must be a mapping of `one:` and `other:` forms, as it is built in".into(),
                "data/strings.yaml:9:3: unknown string `posts.hedaing` (known here: about_authors, by, contents, count, feed, heading, newer, none, older, on_this_page, page_of, pages, reading_time, status, tags, tags_for, updated) (did you mean `posts.heading`?)".into(),
                "data/strings.yaml:11:10: unknown placeholder `{day}` in `table.stale` (it takes {date})".into(),
            ]
        );
    }
}

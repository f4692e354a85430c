//! Validation of one matrix or providers file: every problem at its line and column, all at
//! once, with a "did you mean" where a near name exists.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::data::DataFile;
use crate::diag::{Diagnostic, did_you_mean};
use crate::text::Alias;
use crate::yaml::{self, Locator, Mapping, Seg, Value};

use super::{
    Cell, Change, Feature, Group, Matrix, Provider, RESERVED_AREA_IDS, Support, is_http_url,
};

/// Reads one data file, reporting each problem at its place.
pub(super) struct Checker<'a, 'p> {
    file: &'a DataFile,
    at: Locator<'a>,
    problems: &'p mut Vec<Diagnostic>,
}

impl<'a, 'p> Checker<'a, 'p> {
    pub(super) fn new(file: &'a DataFile, problems: &'p mut Vec<Diagnostic>) -> Self {
        Checker {
            file,
            at: Locator::new(&file.text),
            problems,
        }
    }

    fn error(&mut self, path: &[Seg], message: String) -> &mut Diagnostic {
        let offset = self.at.value(path).unwrap_or(0);
        self.problems
            .push(Diagnostic::error(&self.file.path, message).at_offset(&self.file.text, offset));
        self.problems.last_mut().expect("just pushed")
    }

    fn error_at_key(&mut self, path: &[Seg], message: String) -> &mut Diagnostic {
        let offset = self.at.key(path).unwrap_or(0);
        self.problems
            .push(Diagnostic::error(&self.file.path, message).at_offset(&self.file.text, offset));
        self.problems.last_mut().expect("just pushed")
    }

    /// Each key of `map` must be one of `known`; a near miss gets a did-you-mean.
    fn known_keys(&mut self, path: &[Seg], map: &Mapping, known: &[&str], what: &str) {
        for key in map.keys() {
            let name = yaml::as_text(key).unwrap_or_default();
            if known.contains(&name.as_str()) {
                continue;
            }
            let near = did_you_mean(&name, known.iter().copied()).map(str::to_owned);
            let mut key_path = path.to_vec();
            key_path.push(Seg::Key(name.clone()));
            let diagnostic = self.error_at_key(
                &key_path,
                format!(
                    "unknown key `{name}` in {what} (known: {})",
                    known.join(", ")
                ),
            );
            if let Some(near) = near {
                diagnostic.help = Some(format!("did you mean `{near}`?"));
            }
        }
    }

    /// A required or optional text field.
    fn text(&mut self, path: &[Seg], map: &Mapping, key: &str, required: bool) -> Option<String> {
        let mut key_path = path.to_vec();
        key_path.push(Seg::Key(key.into()));
        match map.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error_at_key(path, format!("missing `{key}`"));
                }
                None
            }
            Some(value) => match yaml::as_text(value) {
                Some(text) if !text.trim().is_empty() => Some(text),
                _ => {
                    self.error(&key_path, format!("`{key}` must be non-empty text"));
                    None
                }
            },
        }
    }

    fn url(&mut self, path: &[Seg], url: &str) -> bool {
        let ok = is_http_url(url);
        if !ok {
            self.error(
                path,
                format!("malformed URL `{url}`: expected an absolute http(s) URL such as `https://docs.example.org/page`"),
            );
        }
        ok
    }

    /// `key`'s value: one URL or a list of them; each malformed one is an error at its place.
    fn urls(&mut self, path: &[Seg], map: &Mapping, key: &str) -> Vec<String> {
        let mut urls = Vec::new();
        let mut key_path = path.to_vec();
        key_path.push(Seg::Key(key.into()));
        match map.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let mut item_path = key_path.clone();
                    item_path.push(Seg::Index(i));
                    let url = yaml::as_text(item).unwrap_or_default();
                    if self.url(&item_path, &url) {
                        urls.push(url);
                    }
                }
            }
            Some(item) => {
                let url = yaml::as_text(item).unwrap_or_default();
                if self.url(&key_path, &url) {
                    urls.push(url);
                }
            }
        }
        urls
    }

    pub(super) fn providers(&mut self) -> Vec<Provider> {
        let Some(map) = self.file.value.as_mapping() else {
            self.error(&[], "providers.yaml must map provider ids to their details, e.g. `postgresql: {name: PostgreSQL}`".into());
            return Vec::new();
        };
        let mut providers = Vec::new();
        for (key, value) in map {
            let id = yaml::as_text(key).unwrap_or_default();
            let path = [Seg::Key(id.clone())];
            if !is_id(&id) {
                self.error_at_key(
                    &path,
                    format!("provider id `{id}` must be lowercase letters, digits and hyphens"),
                );
                continue;
            }
            let Some(fields) = value.as_mapping() else {
                self.error(
                    &path,
                    format!("provider `{id}` must be a mapping with at least `name`"),
                );
                continue;
            };
            self.known_keys(
                &path,
                fields,
                &["name", "short", "vendor", "home", "sources"],
                "a provider",
            );
            let name = self.text(&path, fields, "name", true).unwrap_or_default();
            // A table header reads as the author wrote it: `short`, else the whole name.
            let short = self
                .text(&path, fields, "short", false)
                .unwrap_or_else(|| name.clone());
            let vendor = self
                .text(&path, fields, "vendor", false)
                .unwrap_or_default();
            let home = self.text(&path, fields, "home", false);
            if let Some(home) = &home {
                let mut home_path = path.to_vec();
                home_path.push(Seg::Key("home".into()));
                self.url(&home_path, home);
            }
            let sources = self.urls(&path, fields, "sources");
            providers.push(Provider {
                id,
                name,
                short,
                vendor,
                home,
                sources,
            });
        }
        providers
    }

    pub(super) fn matrix(&mut self, providers: &[Provider]) -> Option<Matrix> {
        let id = self.file.path.file_stem()?.to_string_lossy().into_owned();
        let Some(map) = self.file.value.as_mapping() else {
            self.error(
                &[],
                "a matrix must be a mapping with `title` and `features`".into(),
            );
            return None;
        };
        let before = self.problems.len();
        if RESERVED_AREA_IDS.contains(&id.as_str()) {
            self.error(
                &[],
                format!("a matrix may not be named `{id}`: /compare/{id}/ is a page versus makes; rename the file"),
            );
        }
        self.known_keys(
            &[],
            map,
            &["title", "summary", "order", "aliases", "groups", "features"],
            "a matrix",
        );
        let aliases = self.aliases(map.get("aliases"));
        let title = self.text(&[], map, "title", true).unwrap_or_default();
        let summary = self.text(&[], map, "summary", false);
        let order = match map.get("order") {
            None => i64::MAX,
            Some(value) => value.as_i64().unwrap_or_else(|| {
                self.error(
                    &[Seg::Key("order".into())],
                    "`order` must be a whole number".into(),
                );
                0
            }),
        };
        let groups = self.groups(map.get("groups"));
        let features = match map.get("features") {
            Some(Value::Sequence(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.feature(i, item, providers, &groups))
                .collect(),
            Some(_) => {
                self.error(
                    &[Seg::Key("features".into())],
                    "`features` must be a non-empty list".into(),
                );
                Vec::new()
            }
            None => {
                self.error_at_key(
                    &[],
                    "missing `features`: the list of compared features".into(),
                );
                Vec::new()
            }
        };
        self.duplicate_ids(map.get("features"));
        (self.problems.len() == before).then(|| Matrix {
            id,
            title,
            summary,
            groups,
            features,
            order,
            aliases,
            source: self.file.path.clone(),
            text: self.file.text.clone(),
        })
    }

    /// `aliases: [/old/url/]`: old URLs of the area page, each placed where it is written.
    fn aliases(&mut self, value: Option<&Value>) -> Vec<Alias> {
        let items: Vec<&Value> = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Sequence(items)) => items.iter().collect(),
            Some(other) => vec![other],
        };
        let key = [Seg::Key("aliases".into())];
        let mut aliases = Vec::new();
        let mut previous = None;
        for (i, item) in items.into_iter().enumerate() {
            let place = [Seg::Key("aliases".into()), Seg::Index(i)];
            let Some(path) = yaml::as_text(item) else {
                self.error(
                    &place,
                    "an alias must be a path such as `/compare/old-name/`".into(),
                );
                continue;
            };
            let text = &self.file.text;
            let offset = yaml::list_item_offset(text, &self.at, &key, i, &path, previous);
            previous = Some(offset);
            if let Some(problem) = crate::text::alias_problem(&path) {
                self.problems
                    .push(Diagnostic::error(&self.file.path, problem).at_offset(text, offset));
                continue;
            }
            aliases.push(Alias { path, offset });
        }
        aliases
    }

    /// Feature ids used twice in this file (checked on the raw list, so a feature with other
    /// problems still counts).
    fn duplicate_ids(&mut self, features: Option<&Value>) {
        let Some(Value::Sequence(items)) = features else {
            return;
        };
        let mut first_index: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let Some(id) = item.get("id").and_then(yaml::as_text) else {
                continue;
            };
            let Some(&first) = first_index.get(&id) else {
                first_index.insert(id, i);
                continue;
            };
            let first_line = self
                .at
                .key(&[Seg::Key("features".into()), Seg::Index(first)])
                .map_or(0, |o| {
                    crate::diag::LineIndex::new(&self.file.text).line_col(o).0
                });
            let path = [
                Seg::Key("features".into()),
                Seg::Index(i),
                Seg::Key("id".into()),
            ];
            self.error(
                &path,
                format!("duplicate feature id `{id}` (first on line {first_line})"),
            );
        }
    }

    fn groups(&mut self, value: Option<&Value>) -> Vec<Group> {
        let items = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Sequence(items)) => items,
            Some(_) => {
                self.error(
                    &[Seg::Key("groups".into())],
                    "`groups` must be a list of `{id, title}`".into(),
                );
                return Vec::new();
            }
        };
        let mut groups = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = [Seg::Key("groups".into()), Seg::Index(i)];
            let Some(map) = item.as_mapping() else {
                self.error(
                    &path,
                    "a group must be a mapping with `id` and `title`".into(),
                );
                continue;
            };
            self.known_keys(&path, map, &["id", "title"], "a group");
            let id = self.text(&path, map, "id", true);
            let title = self.text(&path, map, "title", true);
            if let (Some(id), Some(title)) = (id, title) {
                groups.push(Group { id, title });
            }
        }
        groups
    }

    fn feature(
        &mut self,
        index: usize,
        item: &Value,
        providers: &[Provider],
        groups: &[Group],
    ) -> Option<Feature> {
        let path = [Seg::Key("features".into()), Seg::Index(index)];
        let Some(map) = item.as_mapping() else {
            self.error(
                &path,
                "a feature must be a mapping with `id`, `name` and one cell per provider".into(),
            );
            return None;
        };
        let before = self.problems.len();
        const FIELDS: [&str; 4] = ["id", "name", "description", "group"];
        let known: Vec<&str> = FIELDS
            .iter()
            .copied()
            .chain(providers.iter().map(|p| p.id.as_str()))
            .collect();
        for key in map.keys() {
            let name = yaml::as_text(key).unwrap_or_default();
            if known.contains(&name.as_str()) {
                continue;
            }
            let near = did_you_mean(&name, known.iter().copied()).map(str::to_owned);
            let mut key_path = path.to_vec();
            key_path.push(Seg::Key(name.clone()));
            let ids: Vec<&str> = providers.iter().map(|p| p.id.as_str()).collect();
            let diagnostic = self.error_at_key(
                &key_path,
                format!(
                    "unknown provider or key `{name}` in a feature (providers: {}; keys: {})",
                    ids.join(", "),
                    FIELDS.join(", ")
                ),
            );
            if let Some(near) = near {
                diagnostic.help = Some(format!("did you mean `{near}`?"));
            }
        }
        let id = self.text(&path, map, "id", true).unwrap_or_default();
        if !id.is_empty() && !is_id(&id) {
            let mut id_path = path.to_vec();
            id_path.push(Seg::Key("id".into()));
            self.error(
                &id_path,
                format!("feature id `{id}` must be lowercase letters, digits and hyphens"),
            );
        }
        let name = self.text(&path, map, "name", true).unwrap_or_default();
        let description = self.text(&path, map, "description", false);
        let group = self.text(&path, map, "group", false);
        if let Some(group) = &group
            && !groups.iter().any(|g| &g.id == group)
        {
            let near = did_you_mean(group, groups.iter().map(|g| g.id.as_str())).map(str::to_owned);
            let mut group_path = path.to_vec();
            group_path.push(Seg::Key("group".into()));
            let diagnostic = self.error(
                &group_path,
                format!("unknown group `{group}`: not in this matrix's `groups`"),
            );
            if let Some(near) = near {
                diagnostic.help = Some(format!("did you mean `{near}`?"));
            }
        }
        let mut cells = Vec::with_capacity(providers.len());
        for provider in providers {
            let mut cell_path = path.to_vec();
            cell_path.push(Seg::Key(provider.id.clone()));
            match map.get(provider.id.as_str()) {
                None => {
                    let label = if id.is_empty() {
                        "this feature".to_owned()
                    } else {
                        format!("feature `{id}`")
                    };
                    self.error_at_key(
                        &path,
                        format!("{label} has no cell for provider `{}`", provider.id),
                    );
                }
                Some(value) => {
                    if let Some(cell) = self.cell(&cell_path, value) {
                        cells.push(cell);
                    }
                }
            }
        }
        (self.problems.len() == before).then_some(Feature {
            id,
            name,
            description,
            group,
            cells,
        })
    }

    fn cell(&mut self, path: &[Seg], value: &Value) -> Option<Cell> {
        let offset = self.at.key(path).unwrap_or(0);
        let empty = Mapping::new();
        let (support_value, map) = match value {
            Value::Mapping(map) => (map.get("support"), map),
            other => (Some(other), &empty),
        };
        let mut support_path = path.to_vec();
        if value.is_mapping() {
            support_path.push(Seg::Key("support".into()));
        }
        self.known_keys(
            path,
            map,
            &["support", "note", "docs", "verified", "history"],
            "a cell",
        );
        let support = match support_value.and_then(yaml::as_text) {
            None => {
                self.error_at_key(
                    path,
                    format!("missing `support`: one of {}", Support::list()),
                );
                None
            }
            Some(text) => self.level(&support_path, &text),
        };
        let note = self.text(path, map, "note", false);
        let docs = self.urls(path, map, "docs");
        let verified = map
            .get("verified")
            .and_then(yaml::as_text)
            .and_then(|text| self.date(&with_key(path, "verified"), &text));
        let history = self.history(path, map, support, verified);
        Some(Cell {
            support: support?,
            note,
            docs,
            verified,
            history,
            offset,
        })
    }

    /// A support level by id; an unknown one is an error at `path` with a did-you-mean.
    fn level(&mut self, path: &[Seg], text: &str) -> Option<Support> {
        if let Some(level) = Support::parse(text) {
            return Some(level);
        }
        let near = did_you_mean(text, Support::ALL.iter().map(|s| s.id())).map(str::to_owned);
        let d = self.error(
            path,
            format!(
                "unknown support level `{text}`: expected one of {}",
                Support::list()
            ),
        );
        if let Some(near) = near {
            d.help = Some(format!("did you mean `{near}`?"));
        }
        None
    }

    fn date(&mut self, path: &[Seg], text: &str) -> Option<Date> {
        match text.parse::<Date>() {
            Ok(date) => Some(date),
            Err(_) => {
                self.error(
                    path,
                    format!("malformed date `{text}`: expected YYYY-MM-DD"),
                );
                None
            }
        }
    }

    /// A cell's `history:`, newest first. Besides each entry's fields, the changes must make a
    /// story: no two on one day, none recorded after the claim was last verified, and each
    /// one from a level other than the one it led to.
    fn history(
        &mut self,
        path: &[Seg],
        map: &Mapping,
        current: Option<Support>,
        verified: Option<Date>,
    ) -> Vec<Change> {
        let key_path = with_key(path, "history");
        let items = match map.get("history") {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Sequence(items)) => items,
            Some(_) => {
                self.error(
                    &key_path,
                    "`history` must be a list of `{date, support, note}`: the level before each change"
                        .into(),
                );
                return Vec::new();
            }
        };
        // (change, its index in the file), so later checks point at the entry at fault.
        let mut changes: Vec<(Change, usize)> = Vec::new();
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let mut entry_path = key_path.clone();
            entry_path.push(Seg::Index(i));
            let Some(entry) = item.as_mapping() else {
                self.error(
                    &entry_path,
                    "a history entry must be a mapping `{date, support, note}`".into(),
                );
                complete = false;
                continue;
            };
            self.known_keys(
                &entry_path,
                entry,
                &["date", "support", "note", "docs"],
                "a history entry",
            );
            let date = match entry.get("date").and_then(yaml::as_text) {
                Some(text) => self.date(&with_key(&entry_path, "date"), &text),
                None => {
                    self.error_at_key(
                        &entry_path,
                        "missing `date`: the day of the change, YYYY-MM-DD".into(),
                    );
                    None
                }
            };
            let support = match entry.get("support").and_then(yaml::as_text) {
                Some(text) => self.level(&with_key(&entry_path, "support"), &text),
                None => {
                    self.error_at_key(
                        &entry_path,
                        format!(
                            "missing `support`: the level before this change, one of {}",
                            Support::list()
                        ),
                    );
                    None
                }
            };
            let note = match entry.get("note") {
                None | Some(Value::Null) => {
                    self.error_at_key(
                        &entry_path,
                        "missing `note`: one sentence on why the level changed".into(),
                    );
                    None
                }
                Some(_) => self.text(&entry_path, entry, "note", false),
            };
            let docs = self.urls(&entry_path, entry, "docs");
            match (date, support, note) {
                (Some(date), Some(support), Some(note)) => changes.push((
                    Change {
                        date,
                        support,
                        note,
                        docs,
                    },
                    i,
                )),
                _ => complete = false,
            }
        }
        changes.sort_by_key(|c| std::cmp::Reverse(c.0.date));
        let at = |i: usize, key: &str| {
            let mut p = key_path.clone();
            p.push(Seg::Index(i));
            p.push(Seg::Key(key.into()));
            p
        };
        for pair in changes.windows(2) {
            let ((newer, _), (older, index)) = (&pair[0], &pair[1]);
            if newer.date == older.date {
                self.error(
                    &at(*index, "date"),
                    format!(
                        "two history entries dated {}: one change per day, with one note",
                        older.date
                    ),
                );
            }
        }
        if let (Some(verified), Some((newest, index))) = (verified, changes.first())
            && newest.date > verified
        {
            self.error(
                &at(*index, "date"),
                format!(
                    "history entry dated {} is after `verified: {verified}`: a change is seen when the claim is checked, so `verified` is that day or later",
                    newest.date
                ),
            );
        }
        // Only a complete history says which level each change led to.
        if let (Some(current), true) = (current, complete) {
            let mut after = current;
            for (change, index) in &changes {
                if change.support == after {
                    let what = if after == current {
                        "the cell's current level"
                    } else {
                        "the level of the next newer entry"
                    };
                    self.error(
                        &at(*index, "support"),
                        format!(
                            "history entry of {} says the level was `{}`, which is {what}: nothing changed",
                            change.date,
                            change.support.id()
                        ),
                    );
                }
                after = change.support;
            }
        }
        changes.into_iter().map(|(change, _)| change).collect()
    }
}

/// `path` with one more key.
fn with_key(path: &[Seg], key: &str) -> Vec<Seg> {
    let mut path = path.to_vec();
    path.push(Seg::Key(key.into()));
    path
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

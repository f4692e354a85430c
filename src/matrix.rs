//! Feature matrices: `data/providers.yaml` and `data/matrices/<area>.yaml` → validated
//! [`Matrices`], and the row selections tables are drawn from.
//!
//! The claims of a comparison live here once, checked like code: every problem is reported at
//! its line and column, all at once, with a "did you mean" where a near name exists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Serialize;

use crate::data::DataFile;
use crate::diag::{Diagnostic, did_you_mean};
use crate::yaml::{self, Locator, Mapping, Seg, Value};

pub const PROVIDERS_FILE: &str = "data/providers.yaml";
pub const MATRICES_DIR: &str = "data/matrices";

/// How a provider supports a feature: a closed set, so tables and summaries can count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    /// On out of the box.
    Default,
    /// One switch at creation (or a setting of the service).
    Option,
    /// A provider add-on to enable.
    Addon,
    /// Possible with your own work (install, configure, maintain).
    Manual,
    /// Not supported.
    None,
    /// Not applicable by design (etcd behind a managed control plane): shown, never scored.
    NotApplicable,
    /// Not known yet.
    Unknown,
}

impl Support {
    pub const ALL: [Support; 7] = [
        Support::Default,
        Support::Option,
        Support::Addon,
        Support::Manual,
        Support::None,
        Support::NotApplicable,
        Support::Unknown,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Support::Default => "default",
            Support::Option => "option",
            Support::Addon => "addon",
            Support::Manual => "manual",
            Support::None => "none",
            Support::NotApplicable => "not-applicable",
            Support::Unknown => "unknown",
        }
    }

    /// The short text shown in a table cell.
    pub fn label(self) -> &'static str {
        match self {
            Support::Default => "Built in",
            Support::Option => "Option",
            Support::Addon => "Add-on",
            Support::Manual => "Do it yourself",
            Support::None => "Not supported",
            Support::NotApplicable => "Not applicable",
            Support::Unknown => "Unknown",
        }
    }

    /// The legend's explanation.
    pub fn description(self) -> &'static str {
        match self {
            Support::Default => "on out of the box",
            Support::Option => "one switch when creating or configuring the cluster",
            Support::Addon => "a provider add-on to enable",
            Support::Manual => "possible with your own work: install, configure and maintain it",
            Support::None => "not supported",
            Support::NotApplicable => "not applicable by design: nothing to weigh",
            Support::Unknown => "not known yet",
        }
    }

    /// A symbol beside the text, so the level never rests on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Support::Default => "●",
            Support::Option => "◐",
            Support::Addon => "⊕",
            Support::Manual => "⚒",
            Support::None => "✕",
            Support::NotApplicable => "–",
            Support::Unknown => "?",
        }
    }

    /// Offered by the provider itself (on, a switch, or an add-on), as opposed to built by you.
    pub fn is_offered(self) -> bool {
        matches!(self, Support::Default | Support::Option | Support::Addon)
    }

    fn parse(text: &str) -> Option<Support> {
        Support::ALL.into_iter().find(|s| s.id() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Used in table headers: `EKS`.
    pub short: String,
    pub vendor: String,
    pub home: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub support: Support,
    /// Markdown, one or two sentences.
    pub note: Option<String>,
    /// Documentation links backing the claim.
    pub docs: Vec<String>,
    /// When the claim was last checked.
    #[serde(serialize_with = "serialize_date")]
    pub verified: Option<Date>,
    /// Where the cell stands in its file, for staleness warnings.
    #[serde(skip)]
    pub offset: usize,
}

fn serialize_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => s.serialize_str(&date.to_string()),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    /// One cell per provider, in the order of `Matrices::providers`.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    pub title: String,
}

/// One area of the comparison, from `data/matrices/<id>.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub groups: Vec<Group>,
    pub features: Vec<Feature>,
    /// Where areas are listed: `order:`, then the file name.
    pub order: i64,
    #[serde(skip)]
    pub source: PathBuf,
    /// The file's text, for diagnostics that point into it.
    #[serde(skip)]
    pub text: String,
}

/// Every provider and area of the site.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Matrices {
    pub providers: Vec<Provider>,
    pub areas: Vec<Matrix>,
}

/// Validates the providers and matrices among the site's data files. A site with neither has
/// empty matrices.
pub fn load(files: &[DataFile]) -> Result<Matrices, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let providers_file = files.iter().find(|f| f.path == Path::new(PROVIDERS_FILE));
    let matrix_files: Vec<&DataFile> = files
        .iter()
        .filter(|f| f.path.starts_with(MATRICES_DIR))
        .collect();
    let providers = match providers_file {
        Some(file) => Checker::new(file, &mut problems).providers(),
        None if matrix_files.is_empty() => Vec::new(),
        None => {
            problems.push(Diagnostic::error(
                PROVIDERS_FILE,
                "missing: data/matrices/ needs data/providers.yaml to say which products are compared",
            ));
            Vec::new()
        }
    };
    let mut areas: Vec<Matrix> = matrix_files
        .iter()
        .filter_map(|file| Checker::new(file, &mut problems).matrix(&providers))
        .collect();
    areas.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));

    let mut seen: HashMap<&str, &Matrix> = HashMap::new();
    for area in &areas {
        let at = Locator::new(&area.text);
        for (index, feature) in area.features.iter().enumerate() {
            if let Some(first) = seen.insert(&feature.id, area) {
                let path = [
                    Seg::Key("features".into()),
                    Seg::Index(index),
                    Seg::Key("id".into()),
                ];
                let offset = at.value(&path).unwrap_or(0);
                problems.push(
                    Diagnostic::error(
                        &area.source,
                        format!(
                            "duplicate feature id `{}`: also in {}",
                            feature.id,
                            first.source.display()
                        ),
                    )
                    .at_offset(&area.text, offset)
                    .with_help(
                        "feature ids are unique across all matrices, so posts can name them",
                    ),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(Matrices { providers, areas })
    } else {
        Err(problems)
    }
}

/// Reads one data file, reporting each problem at its place.
struct Checker<'a, 'p> {
    file: &'a DataFile,
    at: Locator<'a>,
    problems: &'p mut Vec<Diagnostic>,
}

impl<'a, 'p> Checker<'a, 'p> {
    fn new(file: &'a DataFile, problems: &'p mut Vec<Diagnostic>) -> Self {
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

    fn providers(&mut self) -> Vec<Provider> {
        let Some(map) = self.file.value.as_mapping() else {
            self.error(&[], "providers.yaml must map provider ids to their details, e.g. `eks: {name: Amazon EKS}`".into());
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
                &["name", "short", "vendor", "home"],
                "a provider",
            );
            let name = self.text(&path, fields, "name", true).unwrap_or_default();
            let short = self
                .text(&path, fields, "short", false)
                .unwrap_or_else(|| id.to_uppercase());
            let vendor = self
                .text(&path, fields, "vendor", false)
                .unwrap_or_default();
            let home = self.text(&path, fields, "home", false);
            if let Some(home) = &home {
                let mut home_path = path.to_vec();
                home_path.push(Seg::Key("home".into()));
                self.url(&home_path, home);
            }
            providers.push(Provider {
                id,
                name,
                short,
                vendor,
                home,
            });
        }
        providers
    }

    fn matrix(&mut self, providers: &[Provider]) -> Option<Matrix> {
        let id = self.file.path.file_stem()?.to_string_lossy().into_owned();
        let Some(map) = self.file.value.as_mapping() else {
            self.error(
                &[],
                "a matrix must be a mapping with `title` and `features`".into(),
            );
            return None;
        };
        let before = self.problems.len();
        self.known_keys(
            &[],
            map,
            &["title", "summary", "order", "groups", "features"],
            "a matrix",
        );
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
            source: self.file.path.clone(),
            text: self.file.text.clone(),
        })
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
            &["support", "note", "docs", "verified"],
            "a cell",
        );
        let support = match support_value.and_then(yaml::as_text) {
            None => {
                self.error_at_key(
                    path,
                    "missing `support`: one of default, option, addon, manual, none, unknown"
                        .into(),
                );
                None
            }
            Some(text) => match Support::parse(&text) {
                Some(level) => Some(level),
                None => {
                    let near =
                        did_you_mean(&text, Support::ALL.iter().map(|s| s.id())).map(str::to_owned);
                    let d = self.error(
                        &support_path,
                        format!("unknown support level `{text}`: expected one of default, option, addon, manual, none, unknown"),
                    );
                    if let Some(near) = near {
                        d.help = Some(format!("did you mean `{near}`?"));
                    }
                    None
                }
            },
        };
        let note = self.text(path, map, "note", false);
        let mut docs = Vec::new();
        let mut docs_path = path.to_vec();
        docs_path.push(Seg::Key("docs".into()));
        match map.get("docs") {
            None | Some(Value::Null) => {}
            Some(Value::Sequence(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let mut item_path = docs_path.clone();
                    item_path.push(Seg::Index(i));
                    let url = yaml::as_text(item).unwrap_or_default();
                    if self.url(&item_path, &url) {
                        docs.push(url);
                    }
                }
            }
            Some(item) => {
                let url = yaml::as_text(item).unwrap_or_default();
                if self.url(&docs_path, &url) {
                    docs.push(url);
                }
            }
        }
        let verified = match map.get("verified").and_then(yaml::as_text) {
            None => None,
            Some(text) => match text.parse::<Date>() {
                Ok(date) => Some(date),
                Err(_) => {
                    let mut date_path = path.to_vec();
                    date_path.push(Seg::Key("verified".into()));
                    self.error(
                        &date_path,
                        format!("malformed date `{text}`: expected YYYY-MM-DD"),
                    );
                    None
                }
            },
        };
        Some(Cell {
            support: support?,
            note,
            docs,
            verified,
            offset,
        })
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// An absolute http(s) URL with a host and no spaces.
pub fn is_http_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && !url.chars().any(char::is_whitespace)
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
}

/// Which rows and columns a table shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Only these features, in this order.
    pub features: Option<Vec<String>>,
    /// Only rows where the shown providers differ.
    pub differences: bool,
    /// Only what this provider offers itself and no other shown provider does.
    pub unique: Option<String>,
    /// These providers, in this order (default: all, in providers.yaml order).
    pub providers: Option<Vec<String>>,
}

/// A selection applied: the rows and columns of one table.
#[derive(Debug, Clone)]
pub struct View<'m> {
    pub matrix: &'m Matrix,
    /// Indexes into `Matrices::providers` (and each feature's `cells`).
    pub columns: Vec<usize>,
    pub rows: Vec<&'m Feature>,
}

impl Matrices {
    pub fn area(&self, id: &str) -> Option<&Matrix> {
        self.areas.iter().find(|m| m.id == id)
    }

    /// The rows and columns `selection` picks from matrix `id`, or what is wrong with it.
    pub fn select(&self, id: &str, selection: &Selection) -> Result<View<'_>, String> {
        let matrix = self.area(id).ok_or_else(|| {
            let near = did_you_mean(id, self.areas.iter().map(|m| m.id.as_str()));
            let mut message = format!("unknown matrix `{id}`");
            match near {
                Some(near) => message.push_str(&format!(": did you mean `{near}`?")),
                None => message.push_str(&format!(
                    " (matrices: {})",
                    self.areas
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            message
        })?;
        let provider_index = |pid: &str| {
            self.providers
                .iter()
                .position(|p| p.id == pid)
                .ok_or_else(|| {
                    let near = did_you_mean(pid, self.providers.iter().map(|p| p.id.as_str()));
                    format!(
                        "unknown provider `{pid}`{}",
                        near.map(|n| format!(": did you mean `{n}`?"))
                            .unwrap_or_default()
                    )
                })
        };
        let columns: Vec<usize> = match &selection.providers {
            Some(ids) => ids
                .iter()
                .map(|p| provider_index(p))
                .collect::<Result<_, _>>()?,
            None => (0..self.providers.len()).collect(),
        };
        let mut rows: Vec<&Feature> = match &selection.features {
            Some(ids) => ids
                .iter()
                .map(|fid| {
                    matrix
                        .features
                        .iter()
                        .find(|f| &f.id == fid)
                        .ok_or_else(|| {
                            let near =
                                did_you_mean(fid, matrix.features.iter().map(|f| f.id.as_str()));
                            format!(
                                "unknown feature `{fid}` in matrix `{id}`{}",
                                near.map(|n| format!(": did you mean `{n}`?"))
                                    .unwrap_or_default()
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
            None => matrix.features.iter().collect(),
        };
        if selection.differences {
            rows.retain(|f| {
                let mut levels = columns.iter().map(|&c| f.cells[c].support);
                let first = levels.next();
                levels.any(|l| Some(l) != first)
            });
        }
        if let Some(unique) = &selection.unique {
            let only = provider_index(unique)?;
            if !columns.contains(&only) {
                return Err(format!(
                    "`unique = \"{unique}\"` names a provider that is not shown"
                ));
            }
            rows.retain(|f| {
                f.cells[only].support.is_offered()
                    && columns
                        .iter()
                        .filter(|&&c| c != only)
                        .all(|&c| !f.cells[c].support.is_offered())
            });
        }
        Ok(View {
            matrix,
            columns,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDERS: &str =
        "eks:\n  name: Amazon EKS\n  short: EKS\naks:\n  name: Azure AKS\n  short: AKS\n";
    const STORAGE: &str = "\
title: Storage
features:
  - id: csi
    name: Block storage CSI driver
    eks: {support: addon, docs: https://docs.aws.amazon.com/eks/}
    aks:
      support: default
      verified: 2023-08-11
  - id: snapshots
    name: Volume snapshots
    eks: default
    aks: default
  - id: free-tier
    name: Free control plane tier
    eks: none
    aks: option
";

    fn load_texts(files: &[(&str, &str)]) -> Result<Matrices, Vec<Diagnostic>> {
        let data: Vec<DataFile> = files
            .iter()
            .map(|(path, text)| DataFile {
                path: PathBuf::from(path),
                text: text.to_string(),
                value: serde_yaml::from_str(text).unwrap(),
            })
            .collect();
        load(&data)
    }

    fn errors(storage: &str) -> Vec<String> {
        load_texts(&[
            (PROVIDERS_FILE, PROVIDERS),
            ("data/matrices/storage.yaml", storage),
        ])
        .unwrap_err()
        .iter()
        .map(|d| {
            let help = d
                .help
                .as_deref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            format!(
                "{}:{}:{}: {}{help}",
                d.path.display(),
                d.line,
                d.col,
                d.message
            )
        })
        .collect()
    }

    #[test]
    fn valid_matrix_loads_cells_in_provider_order() {
        let m = load_texts(&[
            (PROVIDERS_FILE, PROVIDERS),
            ("data/matrices/storage.yaml", STORAGE),
        ])
        .unwrap();
        assert_eq!(m.providers[1].short, "AKS");
        let csi = &m.areas[0].features[0];
        assert_eq!(
            (csi.cells[0].support, csi.cells[1].support),
            (Support::Addon, Support::Default)
        );
        assert_eq!(csi.cells[0].docs, ["https://docs.aws.amazon.com/eks/"]);
        assert_eq!(csi.cells[1].verified.unwrap().to_string(), "2023-08-11");
    }

    #[test]
    fn each_problem_at_its_place_all_at_once() {
        let bad = STORAGE
            .replace(
                "support: default\n      verified: 2023-08-11",
                "support: defualt\n      verified: 2023-18-11",
            )
            .replace("    aks: default\n", "    ask: default\n")
            .replace(
                "https://docs.aws.amazon.com/eks/",
                "docs.aws.amazon.com/eks",
            )
            .replace("id: free-tier", "id: csi");
        let errors = errors(&bad);
        let expected = [
            "data/matrices/storage.yaml:5:33: malformed URL `docs.aws.amazon.com/eks`: expected an absolute http(s) URL such as `https://docs.example.org/page`",
            "data/matrices/storage.yaml:7:16: unknown support level `defualt`: expected one of default, option, addon, manual, none, unknown (did you mean `default`?)",
            "data/matrices/storage.yaml:8:17: malformed date `2023-18-11`: expected YYYY-MM-DD",
            "data/matrices/storage.yaml:9:3: feature `snapshots` has no cell for provider `aks`",
            "data/matrices/storage.yaml:12:5: unknown provider or key `ask` in a feature (providers: eks, aks; keys: id, name, description, group) (did you mean `aks`?)",
            "data/matrices/storage.yaml:13:9: duplicate feature id `csi` (first on line 3)",
        ];
        let mut errors = errors;
        errors.sort_by_key(|e| {
            let mut parts = e
                .split(':')
                .skip(1)
                .map(|n| n.parse::<usize>().unwrap_or(0));
            (parts.next(), parts.next())
        });
        assert_eq!(errors, expected);
    }

    #[test]
    fn missing_providers_file_is_an_error() {
        let err = load_texts(&[("data/matrices/storage.yaml", STORAGE)]).unwrap_err();
        assert!(err[0].message.contains("needs data/providers.yaml"));
    }

    #[test]
    fn selections() {
        let m = load_texts(&[
            (PROVIDERS_FILE, PROVIDERS),
            ("data/matrices/storage.yaml", STORAGE),
        ])
        .unwrap();
        let ids = |s: &Selection| -> Vec<String> {
            m.select("storage", s)
                .unwrap()
                .rows
                .iter()
                .map(|f| f.id.clone())
                .collect()
        };
        let differences = Selection {
            differences: true,
            ..Selection::default()
        };
        assert_eq!(ids(&differences), ["csi", "free-tier"]);
        let unique_aks = Selection {
            unique: Some("aks".into()),
            ..Selection::default()
        };
        assert_eq!(ids(&unique_aks), ["free-tier"]);
        let unique_eks = Selection {
            unique: Some("eks".into()),
            ..Selection::default()
        };
        assert!(ids(&unique_eks).is_empty());
        let picked = Selection {
            features: Some(vec!["snapshots".into()]),
            providers: Some(vec!["aks".into()]),
            ..Selection::default()
        };
        let view = m.select("storage", &picked).unwrap();
        assert_eq!((view.columns.as_slice(), view.rows.len()), (&[1][..], 1));
        let err = m
            .select(
                "storage",
                &Selection {
                    features: Some(vec!["snapshot".into()]),
                    ..Selection::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            err,
            "unknown feature `snapshot` in matrix `storage`: did you mean `snapshots`?"
        );
        assert!(
            m.select("storag", &Selection::default())
                .unwrap_err()
                .contains("did you mean `storage`?")
        );
    }
}

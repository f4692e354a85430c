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
use crate::diag::Diagnostic;
use crate::yaml::{Locator, Seg};

mod select;
mod validate;

pub use select::{Selection, View};
use validate::Checker;

pub const PROVIDERS_FILE: &str = "data/providers.yaml";
pub const MATRICES_DIR: &str = "data/matrices";
/// Area ids taken by generated pages under /compare/ (`/compare/changes/`).
pub const RESERVED_AREA_IDS: [&str; 1] = ["changes"];

/// How a provider supports a feature: a closed set, so tables and summaries can count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    /// On out of the box.
    Default,
    /// One switch at creation (or a setting of the service).
    Option,
    /// An extension the provider offers, to turn on or install.
    Addon,
    /// Possible with your own work (install, configure, maintain).
    Manual,
    /// Not supported.
    None,
    /// Not applicable by design (a part the vendor runs for you, say): shown, never scored.
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

    /// Offered by the provider itself (on, a switch, or an extension), as opposed to built by you.
    pub fn is_offered(self) -> bool {
        matches!(self, Support::Default | Support::Option | Support::Addon)
    }

    /// The level ids, for messages: `default, option, …`.
    pub fn list() -> String {
        Support::ALL.map(Support::id).join(", ")
    }

    /// Counted in summaries: everything but what is absent by design.
    pub fn is_weighed(self) -> bool {
        self != Support::NotApplicable
    }

    fn parse(text: &str) -> Option<Support> {
        Support::ALL.into_iter().find(|s| s.id() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Used in table headers: `PostgreSQL`.
    pub short: String,
    pub vendor: String,
    pub home: Option<String>,
    /// URL prefixes of the provider's own documentation: a claim about this provider must cite
    /// a page under one of them (`versus check`), not a blog or another vendor's page.
    pub sources: Vec<String>,
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
    /// How the claim changed, newest first: readers see what moved, not only where it stands.
    pub history: Vec<Change>,
    /// Where the cell stands in its file, for staleness warnings.
    #[serde(skip)]
    pub offset: usize,
}

/// One change of a cell's level: on `date`, it moved from `support` to the next newer level.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    #[serde(serialize_with = "serialize_day")]
    pub date: Date,
    /// The level the cell had before `date`.
    pub support: Support,
    /// Why it changed: Markdown, one sentence.
    pub note: String,
    pub docs: Vec<String>,
}

impl Cell {
    /// Each change with the level it led to: (change, level after it), newest first.
    pub fn changes(&self) -> impl Iterator<Item = (&Change, Support)> {
        let after = std::iter::once(self.support).chain(self.history.iter().map(|c| c.support));
        self.history.iter().zip(after)
    }
}

fn serialize_day<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.to_string())
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
    /// Old URLs of the area page (`aliases:`), which redirect to it.
    #[serde(skip)]
    pub aliases: Vec<crate::text::Alias>,
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
        .map(Diagnostic::one_line)
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
            "data/matrices/storage.yaml:7:16: unknown support level `defualt`: expected one of default, option, addon, manual, none, not-applicable, unknown (did you mean `default`?)",
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
    fn history_loads_newest_first_with_the_level_each_change_led_to() {
        let with_history = STORAGE.replace(
            "      verified: 2023-08-11\n",
            "      verified: 2023-08-11\n      history:\n        - {date: 2022-01-05, support: none, note: Preview first.}\n        - date: 2023-08-01\n          support: addon\n          note: Now installed by default.\n          docs: https://learn.microsoft.com/en-us/azure/aks/csi\n",
        );
        let m = load_texts(&[
            (PROVIDERS_FILE, PROVIDERS),
            ("data/matrices/storage.yaml", &with_history),
        ])
        .unwrap();
        let cell = &m.areas[0].features[0].cells[1];
        let changes: Vec<(String, Support, Support)> = cell
            .changes()
            .map(|(c, after)| (c.date.to_string(), c.support, after))
            .collect();
        assert_eq!(
            changes,
            [
                ("2023-08-01".into(), Support::Addon, Support::Default),
                ("2022-01-05".into(), Support::None, Support::Addon),
            ]
        );
        assert_eq!(
            cell.history[0].docs,
            ["https://learn.microsoft.com/en-us/azure/aks/csi"]
        );
        assert!(m.areas[0].features[1].cells[0].history.is_empty());
    }

    #[test]
    fn history_problems_at_their_tokens_all_at_once() {
        let bad = STORAGE.replace(
            "      verified: 2023-08-11\n",
            "      verified: 2023-08-11\n      history:\n        - {date: 2023-02-30, support: addn, note: Typo.}\n        - date: 2023-01-01\n          support: none\n        - date: 2022-01-01\n          support: manual\n          note: x\n          why: y\n        - {date: 2023-09-01, support: default, note: Same.}\n",
        );
        let mut errors = errors(&bad);
        errors.sort();
        assert_eq!(
            errors,
            [
                "data/matrices/storage.yaml:10:18: malformed date `2023-02-30`: expected YYYY-MM-DD",
                "data/matrices/storage.yaml:10:39: unknown support level `addn`: expected one of default, option, addon, manual, none, not-applicable, unknown (did you mean `addon`?)",
                "data/matrices/storage.yaml:11:9: missing `note`: one sentence on why the level changed",
                "data/matrices/storage.yaml:16:11: unknown key `why` in a history entry (known: date, support, note, docs)",
                "data/matrices/storage.yaml:17:18: history entry dated 2023-09-01 is after `verified: 2023-08-11`: a change is seen when the claim is checked, so `verified` is that day or later",
            ]
        );
    }

    #[test]
    fn a_change_to_the_same_level_is_an_error() {
        let same = STORAGE.replace(
            "      verified: 2023-08-11\n",
            "      verified: 2023-08-11\n      history:\n        - {date: 2023-01-01, support: none, note: Older.}\n        - {date: 2023-08-01, support: default, note: Nothing.}\n        - {date: 2022-01-01, support: none, note: Twice.}\n",
        );
        let mut errors = errors(&same);
        errors.sort();
        assert_eq!(
            errors,
            [
                "data/matrices/storage.yaml:11:39: history entry of 2023-08-01 says the level was `default`, which is the cell's current level: nothing changed",
                "data/matrices/storage.yaml:12:39: history entry of 2022-01-01 says the level was `none`, which is the level of the next newer entry: nothing changed",
            ]
        );
    }

    #[test]
    fn two_changes_on_one_day_and_a_history_that_is_no_list_are_errors() {
        let same_day = STORAGE.replace(
            "      verified: 2023-08-11\n",
            "      verified: 2023-08-11\n      history:\n        - {date: 2023-01-01, support: none, note: One.}\n        - {date: 2023-01-01, support: manual, note: Two.}\n",
        );
        assert_eq!(
            errors(&same_day),
            [
                "data/matrices/storage.yaml:11:18: two history entries dated 2023-01-01: one change per day, with one note"
            ]
        );
        let not_a_list = STORAGE.replace(
            "      verified: 2023-08-11\n",
            "      verified: 2023-08-11\n      history: none\n",
        );
        assert_eq!(
            errors(&not_a_list),
            [
                "data/matrices/storage.yaml:9:16: `history` must be a list of `{date, support, note}`: the level before each change"
            ]
        );
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

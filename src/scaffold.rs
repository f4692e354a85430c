//! `versus init` and `versus new`: a working comparison site in one command, and the next post
//! or matrix ready to fill. Nothing is ever overwritten: `init` wants an empty (or missing)
//! folder, `new` a file name that is free.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::text::slugify;
use crate::theme;

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("{}: the folder is not empty; `versus init` only starts a site in an empty or new folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: already exists; choose another name (nothing was written)", .0.display())]
    Exists(PathBuf),
    #[error("{}: no data/providers.yaml: run `versus new matrix` inside a site", .0.display())]
    NoProviders(PathBuf),
    #[error("`{0}` makes no file name: use letters or digits")]
    NoName(String),
    #[error("`{0}` is not a file of the built-in theme; `versus theme list` shows them")]
    NotInTheme(String),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes a small, working site into `dir`: settings with their keys explained, two products,
/// one matrix, one post that embeds it, a series, a `.gitignore`. Layouts and stylesheet are
/// the built-in theme's until the author copies one to change it (`versus theme copy`).
pub fn init(dir: &Path, today: Date) -> Result<Started, ScaffoldError> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(ScaffoldError::NotEmpty(dir.to_owned()));
    }
    let post = format!("content/posts/{today}-alpha-and-beta-compared.md");
    let title = site_title(dir);
    let files: Vec<(String, String)> = [
        (
            "site.yaml".to_owned(),
            SITE.replace("{title}", &yaml_string(&title)),
        ),
        (".gitignore".to_owned(), GITIGNORE.to_owned()),
        ("data/authors.yaml".to_owned(), AUTHORS.to_owned()),
        ("data/providers.yaml".to_owned(), PROVIDERS.to_owned()),
        (
            "data/matrices/basics.yaml".to_owned(),
            BASICS.replace("{today}", &today.to_string()),
        ),
        (
            "data/series.yaml".to_owned(),
            SERIES.replace("{post}", &post[14..]),
        ),
        (post, POST.to_owned()),
        ("content/about.md".to_owned(), ABOUT.to_owned()),
    ]
    .into();
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(Started {
        files: written,
        needs_a_title: crate::config::is_placeholder_title(&title),
    })
}

/// What `init` did: the files it wrote, and whether the site still needs a name of its own
/// (the folder named none), which `check --strict` asks for before publishing.
pub struct Started {
    pub files: Vec<PathBuf>,
    pub needs_a_title: bool,
}

/// The site's name, from its folder's (`eks-vs-aks` → "Eks vs aks"; `.` is the current
/// folder): a real title to edit rather than a placeholder every new site would share. A
/// folder that names nothing (`my-site`) gives a placeholder, which the build warns about.
fn site_title(dir: &Path) -> String {
    let name = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let words: Vec<&str> = name
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let title = capitalised(&words.join(" "));
    if title.is_empty() {
        "My Site".to_owned()
    } else {
        title
    }
}

/// A YAML double-quoted scalar: JSON's string syntax is a subset of it.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// `versus new post "Title"`: `content/posts/<today>-<slug>.md` with its front matter.
pub fn new_post(root: &Path, title: &str, today: Date) -> Result<PathBuf, ScaffoldError> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::NoName(title.to_owned()));
    }
    let path = root.join(format!("content/posts/{today}-{slug}.md"));
    let quoted = title.replace('\\', "\\\\").replace('"', "\\\"");
    let text = format!(
        "---\ntitle: \"{quoted}\"\ndescription: >-\n  One or two sentences for listings, feeds and search results.\ntags: []\n---\n\nWrite the post here. A paragraph that is only `{{{{ matrix(\"area\") }}}}` becomes a\ncomparison table from `data/matrices/area.yaml`.\n"
    );
    write_new(&path, &text)?;
    Ok(path)
}

/// `versus new matrix NAME`: `data/matrices/<name>.yaml` with one feature and a cell for each
/// product of `data/providers.yaml`, each `unknown` until someone checks it.
pub fn new_matrix(root: &Path, name: &str) -> Result<PathBuf, ScaffoldError> {
    let id = slugify(name);
    if id.is_empty() {
        return Err(ScaffoldError::NoName(name.to_owned()));
    }
    let providers_file = root.join("data/providers.yaml");
    let providers = std::fs::read_to_string(&providers_file)
        .map_err(|_| ScaffoldError::NoProviders(root.to_owned()))?;
    let ids: Vec<&str> = providers
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']) && l.trim_end().ends_with(':'))
        .map(|l| l.trim_end().trim_end_matches(':'))
        .collect();
    let mut text = format!(
        "title: {}\nsummary: What this area compares, in a sentence.\nfeatures:\n  - id: {id}-first-feature\n    name: The first feature you compare\n",
        capitalised(name)
    );
    for provider in ids {
        text.push_str(&format!(
            "    {provider}:\n      support: unknown\n      note: \"Not checked yet: read the product's documentation, then set the level, `docs:` and `verified:`.\"\n"
        ));
    }
    let path = root.join(format!("data/matrices/{id}.yaml"));
    write_new(&path, &text)?;
    Ok(path)
}

/// A file of the built-in theme and whether the site at `root` has its own in its place.
pub struct ThemeEntry {
    pub path: &'static str,
    pub overridden: bool,
}

/// `versus theme list`: every built-in file, and which the site replaces.
pub fn theme_list(root: &Path) -> Vec<ThemeEntry> {
    theme::FILES
        .iter()
        .map(|file| ThemeEntry {
            path: file.path,
            overridden: root.join(theme::site_path(file.path)).exists(),
        })
        .collect()
}

/// `versus theme copy FILE…`: writes built-in files into the site to edit them, each only where
/// the site has no such file (a language's strings become `data/strings.yaml`). Checks every
/// name before writing any.
pub fn theme_copy(root: &Path, paths: &[String]) -> Result<Vec<PathBuf>, ScaffoldError> {
    let files = paths
        .iter()
        .map(|path| theme::file(path).ok_or_else(|| ScaffoldError::NotInTheme(path.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let target = |file: &theme::ThemeFile| root.join(theme::site_path(file.path));
    if let Some(taken) = files.iter().map(|f| target(f)).find(|p| p.exists()) {
        return Err(ScaffoldError::Exists(taken));
    }
    let mut written = Vec::new();
    for file in files {
        let path = target(file);
        write_new(&path, file.bytes)?;
        written.push(path);
    }
    Ok(written)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Creates `path` with `bytes`; a file already there is an error, never overwritten.
fn write_new(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), ScaffoldError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ScaffoldError::Io {
            path: dir.to_owned(),
            source: e,
        })?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.to_owned()),
            _ => ScaffoldError::Io {
                path: path.to_owned(),
                source: e,
            },
        })?;
    std::io::Write::write_all(&mut file, bytes.as_ref()).map_err(|e| ScaffoldError::Io {
        path: path.to_owned(),
        source: e,
    })
}

const SITE: &str = "\
# The site's settings. Every key is optional but `title`; see the README for all of them.
title: {title}
description: >-
  Side-by-side comparisons of the products I use, with every claim linked to its source.
# The address the site is published at (links in feeds and the sitemap use it).
base_url: https://my-comparison.example
# The words versus writes itself (legends, counts, dates) in en, de or nl; replace any of them
# in data/strings.yaml (`versus theme copy strings/en.yaml` writes all to edit).
language: en
# Authors of posts that do not name their own (ids of data/authors.yaml).
authors: [me]
# Where posts are published: /2026/12/02/my-post/.
permalink: /:year/:month/:day/:slug/
# Code colours for light and dark mode (any syntect theme).
highlight: { light: InspiredGitHub, dark: base16-ocean.dark }
# Claims checked longer ago than this many days are flagged as stale.
stale_after_days: 365
# Extra keys reach the layouts as site.<key>.
tagline: Every claim with its source
nav:
  - title: Home
    url: /
  - title: Compare
    url: /compare/
  - title: About
    url: /about/
";

const GITIGNORE: &str = "/public\n/.public.*\n/.versus-cache\n";

const AUTHORS: &str = "\
# Authors by id; posts name them with `authors: [me]`.
me:
  name: Your Name
  bio: Writes comparisons.
";

const PROVIDERS: &str = "\
# The products compared, in the order of the table columns. Rename them to yours.
alpha:
  name: Alpha
  home: https://alpha.example/
  # Claims about Alpha must cite pages under these (`versus check` says when one does not).
  sources: [https://docs.alpha.example/]
beta:
  name: Beta
  home: https://beta.example/
  sources: [https://docs.beta.example/]
";

const BASICS: &str = "\
# One area of the comparison. Each feature has a cell per product: its support level
# (default, option, addon, manual, none, not-applicable, unknown), a note, the documentation
# page that backs it, and the day you checked it against that page.
title: The basics
summary: What every reader asks first.
features:
  - id: free-plan
    name: A free plan
    alpha:
      support: default
      note: Every account starts on the free plan.
      docs: https://docs.alpha.example/pricing
      verified: {today}
    beta:
      support: option
      note: A free plan exists, but you pick it when you sign up.
      docs: https://docs.beta.example/plans
      verified: {today}
  - id: export
    name: Export all your data
    alpha:
      support: manual
      note: Possible through the API, with a script of your own.
      docs: https://docs.alpha.example/api
      verified: {today}
    beta:
      support: default
      note: One button in the settings.
      docs: https://docs.beta.example/export
      verified: {today}
";

const SERIES: &str = "\
# Posts that belong together, by id (the URL /series/<id>/), in reading order. A part is a
# published post (by file name) or a planned one (a title and a line on what it will cover).
alpha-vs-beta:
  title: Alpha versus Beta
  summary: Two products, compared feature by feature.
  parts:
    - post: {post}
    - title: Pricing in depth
      summary: What each plan costs, and what it leaves out.
";

const POST: &str = "\
---
title: Alpha and Beta compared
description: >-
  A first look at Alpha and Beta, with a table whose every claim links to its source.
tags: [alpha, beta]
---

Alpha and Beta do the same job in different ways. This post compares the basics; the table
below comes from `data/matrices/basics.yaml`, so the claims live in one place and every
table that shows them stays the same.

## The basics

{{ matrix(\"basics\") }}

Each row links to its notes and sources on the [comparison pages](/compare/).
";

const ABOUT: &str = "\
---
title: About
---

This site compares products side by side. Every claim in its tables names the documentation
page it rests on and the day it was checked.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_comes_from_the_folder_name() {
        assert_eq!(site_title(Path::new("eks-vs-aks")), "Eks vs aks");
        assert_eq!(site_title(Path::new("a/kube_notes/")), "Kube notes");
        assert_eq!(site_title(Path::new("--")), "My Site");
        assert_eq!(yaml_string(r#"a: "b" #1"#), r#""a: \"b\" #1""#);
    }

    #[test]
    fn nothing_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let today: Date = "2026-12-02".parse().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            init(dir.path(), today),
            Err(ScaffoldError::NotEmpty(_))
        ));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "mine"
        );
        let site = dir.path().join("site");
        init(&site, today).unwrap();
        let first = new_post(&site, "Second look", today).unwrap();
        assert!(
            matches!(new_post(&site, "Second look!", today), Err(ScaffoldError::Exists(p)) if p == first)
        );
        assert!(matches!(
            new_post(&site, "!!!", today),
            Err(ScaffoldError::NoName(_))
        ));
        assert!(matches!(
            new_matrix(&site, "basics"),
            Err(ScaffoldError::Exists(_))
        ));
    }
}

//! `versus import jekyll SRC DEST`: a Jekyll site read as it is and written as a versus site,
//! with the folder mapping of README's "Coming from Jekyll" done for the author, and a warning
//! at the file and line of everything that does not carry over.
//!
//! The whole new site is assembled in memory first and written only when nothing refused it,
//! so a refusal writes nothing. SRC is only ever read.
//!
//! The parts: `config` (`_config.yml` → `site.yaml`), `front_matter` (the edits made to a
//! post's or page's front matter); here, the walk that sorts every file into its place.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostic;

mod config;
mod front_matter;

use front_matter::{front_matter, front_matter_date, layout_value, with_front_matter_line};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: not a Jekyll site: there is no _config.yml and no _posts/ folder", .0.display())]
    NotJekyll(PathBuf),
    #[error("{}: the folder is not empty; `versus import` writes only into an empty or new folder (nothing was written)", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: is inside the Jekyll site {}; `versus import` never writes into the site it reads (nothing was written)", .dest.display(), .src.display())]
    InsideSource { dest: PathBuf, src: PathBuf },
    /// `_config.yml` is not valid YAML (or not a mapping): a content error.
    #[error("{0}")]
    Config(Box<Diagnostic>),
    #[error("{}: cannot read: {source} (nothing was written)", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot write: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What an import wrote, and what it could not carry over.
#[derive(Debug)]
pub struct Imported {
    /// Files written, relative to DEST, in order.
    pub written: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

/// Top-level names Jekyll never builds (its default `exclude:` list and its own output).
const JEKYLL_EXCLUDES: &[&str] = &[
    "_site",
    "Gemfile",
    "Gemfile.lock",
    "gemfiles",
    "node_modules",
    "vendor",
];

/// Markdown extensions Jekyll's kramdown converter reads, which become `.md`.
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown", "mkdown", "mkdn", "mkd", "mdown"];

/// Reads the Jekyll site at `src` and writes it as a versus site into `dest`, which must be
/// empty or missing.
pub fn jekyll(src: &Path, dest: &Path) -> Result<Imported, ImportError> {
    let config_name = ["_config.yml", "_config.yaml"]
        .into_iter()
        .find(|name| src.join(name).is_file());
    if config_name.is_none() && !src.join("_posts").is_dir() {
        return Err(ImportError::NotJekyll(src.to_owned()));
    }
    refuse_dest(src, dest)?;
    let mut import = Import {
        src: src.to_owned(),
        files: BTreeMap::new(),
        origins: BTreeMap::new(),
        warnings: Vec::new(),
        exclude: Vec::new(),
        include: Vec::new(),
        // Jekyll's default, `permalink: date`.
        html_pages: true,
    };
    let mut collections = Vec::new();
    if let Some(name) = config_name {
        collections = import.config(Path::new(name))?;
    }
    import.walk(&collections)?;
    let Import {
        files, warnings, ..
    } = import;
    let mut written = Vec::new();
    for (path, bytes) in files {
        let full = dest.join(&path);
        let write = |full: &Path| {
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, &bytes)
        };
        write(&full).map_err(|source| ImportError::Write { path: full, source })?;
        written.push(path);
    }
    Ok(Imported { written, warnings })
}

/// DEST must be an empty or new folder, and not inside SRC.
fn refuse_dest(src: &Path, dest: &Path) -> Result<(), ImportError> {
    if dest.exists() {
        let empty = std::fs::read_dir(dest).map(|mut entries| entries.next().is_none());
        if !matches!(empty, Ok(true)) {
            return Err(ImportError::NotEmpty(dest.to_owned()));
        }
    }
    // The nearest folder of DEST that exists, resolved, against SRC resolved.
    let mut existing = dest;
    while !existing.exists() {
        match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    let read = |path: &Path| {
        path.canonicalize().map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })
    };
    if read(existing)?.starts_with(read(src)?) {
        return Err(ImportError::InsideSource {
            dest: dest.to_owned(),
            src: src.to_owned(),
        });
    }
    Ok(())
}

struct Import {
    src: PathBuf,
    /// The new site: path relative to DEST → contents.
    files: BTreeMap<PathBuf, Vec<u8>>,
    /// Where each new file came from, to report two sources that map to one file.
    origins: BTreeMap<PathBuf, PathBuf>,
    warnings: Vec<Diagnostic>,
    /// `exclude:` and `include:` of _config.yml.
    exclude: Vec<String>,
    include: Vec<String>,
    /// Whether Jekyll wrote pages as `about.html` (its `date` style and patterns not ending in
    /// `/`), not `about/`: versus writes `about/` unless the page's `permalink` says otherwise.
    html_pages: bool,
}

impl Import {
    /// Every file of SRC, each sorted into its place in the new site (or reported).
    fn walk(&mut self, collections: &[String]) -> Result<(), ImportError> {
        let mut reported_folders = Vec::new();
        // Symbolic links are not followed: nothing outside SRC is read.
        let walker = walkdir::WalkDir::new(&self.src).sort_by_file_name();
        for entry in walker {
            let entry = entry.map_err(|err| ImportError::Read {
                path: err.path().unwrap_or(&self.src).to_owned(),
                source: err.into(),
            })?;
            let is_link = entry.file_type().is_symlink() && entry.depth() > 0;
            if !entry.file_type().is_file() && !is_link {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&self.src) else {
                continue;
            };
            let rel = rel.to_owned();
            if self.excluded(&rel) {
                continue;
            }
            if is_link {
                let message = "symbolic link not carried over: copy what it points to into the site if it belongs there";
                self.warn_file(&rel, message);
                continue;
            }
            let parts: Vec<String> = rel
                .components()
                .filter_map(|c| match c {
                    Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            let top = parts[0].as_str();
            let under = || rel.iter().skip(1).collect::<PathBuf>();
            // `blog/_posts/x.md`: a post in the categories of the folders above `_posts`.
            let folder_posts = parts[..parts.len() - 1]
                .iter()
                .position(|p| p == "_posts" || p == "_drafts")
                .filter(|&i| i > 0 && parts[..i].iter().all(|p| !p.starts_with('_')));
            if let Some(i) = folder_posts {
                self.post(&rel, parts[i] == "_drafts", &parts[..i], i + 1)?;
                continue;
            }
            // Jekyll leaves out `_` names below the top too.
            if parts[1..].iter().any(|p| p.starts_with('_')) {
                continue;
            }
            match top {
                "_config.yml" | "_config.yaml" if parts.len() == 1 => {}
                "_posts" => self.post(&rel, false, &[], 1)?,
                "_drafts" => self.post(&rel, true, &[], 1)?,
                "_data" => self.data(&rel, under())?,
                "_includes" => {
                    let bytes = self.read(&rel)?;
                    self.add(Path::new("includes").join(under()), &rel, bytes);
                }
                "_layouts" => self.warn_file(
                    &rel,
                    "Jekyll layout not carried over: the built-in theme is used; `versus theme copy` to change it",
                ),
                "_sass" => self.warn_file(
                    &rel,
                    "Sass not carried over: the built-in stylesheet is used; `versus theme copy static/style.css` to change it",
                ),
                _ if top.starts_with('_') => {
                    if reported_folders.iter().any(|f| f == top) {
                        continue;
                    }
                    reported_folders.push(top.to_owned());
                    let name = &top[1..];
                    let message = if collections.iter().any(|c| c == name) {
                        format!("collection `{name}` ({top}/) not carried over: versus has posts and pages only; move its files into content/ as pages")
                    } else {
                        format!("folder {top}/ not carried over: Jekyll does not publish it either")
                    };
                    self.warn_file(&rel, &message);
                }
                _ => self.page_or_static(&rel)?,
            }
        }
        Ok(())
    }

    /// Jekyll's own exclusions, dotfiles (unless `include:` names them) and `exclude:`.
    fn excluded(&self, rel: &Path) -> bool {
        let text = rel.to_string_lossy().replace('\\', "/");
        let top = text.split('/').next().unwrap_or("");
        let matches = |pattern: &String| {
            let pattern = pattern.trim_matches('/');
            text == pattern
                || text.starts_with(&format!("{pattern}/"))
                || pattern
                    .strip_prefix('*')
                    .is_some_and(|suffix| !suffix.contains('*') && text.ends_with(suffix))
        };
        if self.include.iter().any(matches) {
            return false;
        }
        let hidden = text
            .split('/')
            .any(|part| part.starts_with('.') || part.ends_with('~') || part.starts_with('#'));
        hidden || JEKYLL_EXCLUDES.contains(&top) || self.exclude.iter().any(matches)
    }

    /// A post of `_posts/` (or a draft of `_drafts/`) → `content/posts/`, flattened, `.md`.
    /// `categories` are the folders above `_posts`; `skip` the components of `rel` up to and
    /// including `_posts`.
    fn post(
        &mut self,
        rel: &Path,
        draft: bool,
        categories: &[String],
        skip: usize,
    ) -> Result<(), ImportError> {
        let extension = extension(rel);
        if matches!(extension.as_str(), "html" | "htm") {
            self.warn_file(
                rel,
                "HTML post not carried over: versus posts are Markdown; rename it to .md (raw HTML in Markdown is kept as it is)",
            );
            return Ok(());
        }
        let bytes = self.read(rel)?;
        if !MARKDOWN_EXTENSIONS.contains(&extension.as_str()) {
            // Not a post: kept beside the posts, where `include_relative` finds it.
            let under: PathBuf = rel.iter().skip(skip).collect();
            self.add(Path::new("content/posts").join(under), rel, bytes);
            return Ok(());
        }
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            // Not UTF-8: copied as it is; `versus build` names its encoding.
            let name = format!("{stem}.md");
            self.add(Path::new("content/posts").join(name), rel, bytes);
            return Ok(());
        };
        let mut text = unpublished_as_draft(self.map_layout(rel, text, LayoutOf::Post));
        if !categories.is_empty() {
            let set = front_matter(&text).is_some_and(|(_, front)| {
                front
                    .lines()
                    .any(|l| l.starts_with("categories:") || l.starts_with("category:"))
            });
            let list = categories.join(", ");
            if set {
                let message = format!(
                    "the categories of its folders ({list}) not carried over: the front matter sets categories too, which Jekyll adds them to; add them there"
                );
                self.warn_file(rel, &message);
            } else {
                text = with_front_matter_line(&text, &format!("categories: [{list}]"));
            }
        }
        let name = match draft {
            false => stem,
            true => {
                let date = front_matter_date(&text)
                    .or_else(|| self.modified_day(rel))
                    .unwrap_or_else(|| "1970-01-01".to_owned());
                text = with_front_matter_line(&text, "draft: true");
                format!("{date}-{stem}")
            }
        };
        self.add(
            Path::new("content/posts").join(format!("{name}.md")),
            rel,
            text.into_bytes(),
        );
        Ok(())
    }

    /// `_data/` → `data/`: YAML as it is; JSON and CSV are reported.
    fn data(&mut self, rel: &Path, under: PathBuf) -> Result<(), ImportError> {
        match extension(rel).as_str() {
            "yml" | "yaml" => {
                let bytes = self.read(rel)?;
                self.add(Path::new("data").join(under), rel, bytes);
            }
            other => self.warn_file(
                rel,
                &format!(
                    "data file not carried over: versus reads YAML data only; convert this .{other} file to data/{}.yaml",
                    under.with_extension("").display()
                ),
            ),
        }
        Ok(())
    }

    /// A file of the site's own folders: a page when it has front matter (Markdown → `content/`,
    /// anything else reported), a file to copy into `static/` when it has none.
    fn page_or_static(&mut self, rel: &Path) -> Result<(), ImportError> {
        let bytes = self.read(rel)?;
        let has_front_matter = bytes.starts_with(b"---\n")
            || bytes.starts_with(b"---\r\n")
            || bytes.starts_with("\u{feff}---".as_bytes());
        if !has_front_matter {
            self.add(Path::new("static").join(rel), rel, bytes);
            return Ok(());
        }
        let extension = extension(rel);
        if !MARKDOWN_EXTENSIONS.contains(&extension.as_str()) {
            let message = match extension.as_str() {
                "html" | "htm" if rel == Path::new("index.html") => "home page not carried over: the built-in home page (the list of posts) is used; write content/index.md for a page of your own".to_owned(),
                "html" | "htm" => format!("HTML page with front matter not carried over: rewrite it as Markdown, content/{}", rel.with_extension("md").display()),
                "xml" | "txt" | "json" => "Liquid template not carried over: versus writes its feed, sitemap and robots.txt itself; put a fixed file in static/".to_owned(),
                "scss" | "sass" | "css" => "stylesheet with front matter (Sass) not carried over: the built-in stylesheet is used; `versus theme copy static/style.css` to change it".to_owned(),
                other => format!("page with front matter not carried over: versus renders Markdown pages only, not .{other}"),
            };
            self.warn_file(rel, &message);
            return Ok(());
        }
        let target = Path::new("content").join(rel.with_extension("md"));
        match String::from_utf8(bytes) {
            Ok(text) => {
                let kind = match rel == Path::new("index.md") || extension_is_index(rel) {
                    true => LayoutOf::Home,
                    false => LayoutOf::Page,
                };
                let mut text = unpublished_as_draft(self.map_layout(rel, text, kind));
                let is_index = rel.file_stem().is_some_and(|s| s == "index");
                let has_permalink = front_matter(&text)
                    .is_some_and(|(_, front)| front.lines().any(|l| l.starts_with("permalink:")));
                if self.html_pages && !is_index && !has_permalink {
                    // The URL Jekyll gave it: `/about.html`, where versus would write `/about/`.
                    let url = rel
                        .with_extension("html")
                        .to_string_lossy()
                        .replace('\\', "/");
                    text = with_front_matter_line(&text, &format!("permalink: /{url}"));
                }
                self.add(target, rel, text.into_bytes());
            }
            Err(err) => self.add(target, rel, err.into_bytes()),
        }
        Ok(())
    }

    /// The front matter's `layout:`: Jekyll's usual names become the built-in layouts; any
    /// other is reported and replaced by the built-in one for the kind of page.
    fn map_layout(&mut self, rel: &Path, text: String, of: LayoutOf) -> String {
        let Some((start, end, value)) = layout_value(&text) else {
            return text;
        };
        let fallback = match of {
            LayoutOf::Post => "post",
            LayoutOf::Page => "page",
            LayoutOf::Home => "index",
        };
        let mapped = match (value.as_str(), of) {
            ("post", LayoutOf::Post) | ("page", LayoutOf::Page) => return text,
            ("index", LayoutOf::Home) => return text,
            ("post" | "page" | "default" | "home" | "index", _) => fallback,
            _ => {
                let message = format!(
                    "layout `{value}` not carried over: the built-in `{fallback}` layout is used; write layouts/{value}.html (a minijinja template) and set it back to keep your own"
                );
                let diagnostic =
                    Diagnostic::warning(self.src.join(rel), message).at_offset(&text, start);
                self.warnings.push(diagnostic);
                fallback
            }
        };
        format!("{}{mapped}{}", &text[..start], &text[end..])
    }

    /// The day a draft was last changed: Jekyll dates a draft by its file's modification time.
    fn modified_day(&self, rel: &Path) -> Option<String> {
        let modified = std::fs::metadata(self.src.join(rel))
            .ok()?
            .modified()
            .ok()?;
        let stamp = jiff::Timestamp::try_from(modified).ok()?;
        Some(
            jiff::tz::TimeZone::UTC
                .to_datetime(stamp)
                .date()
                .to_string(),
        )
    }

    fn read(&self, rel: &Path) -> Result<Vec<u8>, ImportError> {
        let path = self.src.join(rel);
        std::fs::read(&path).map_err(|source| ImportError::Read { path, source })
    }

    fn read_text(&self, rel: &Path) -> Result<String, ImportError> {
        let path = self.src.join(rel);
        let bytes = self.read(rel)?;
        crate::source::decode(bytes)
            .map_err(|err| ImportError::Config(Box::new(Diagnostic::error(&path, err.to_string()))))
    }

    /// A warning about a whole file, at its first line.
    fn warn_file(&mut self, rel: &Path, message: &str) {
        let path = self.src.join(rel);
        self.warnings
            .push(Diagnostic::warning(&path, message).at("", 1, 1));
    }

    /// `bytes` as the new site's file `path`, made from `from`; a second file for the same
    /// path is reported and left out.
    fn add(&mut self, path: PathBuf, from: &Path, bytes: Vec<u8>) {
        if let Some(first) = self.origins.get(&path) {
            let message = format!(
                "not carried over: it would be {} too, which {} already is",
                path.display(),
                self.src.join(first).display()
            );
            self.warn_file(from, &message);
            return;
        }
        self.origins.insert(path.clone(), from.to_owned());
        self.files.insert(path, bytes);
    }
}

/// `published: false` (Jekyll leaves the file out unless `--unpublished`) as versus's
/// `draft: true`, which leaves it out unless `--drafts`.
fn unpublished_as_draft(text: String) -> String {
    let unpublished = front_matter(&text).is_some_and(|(_, front)| {
        front.lines().any(|l| {
            l.strip_prefix("published:")
                .is_some_and(|v| v.trim() == "false")
        })
    });
    match unpublished {
        true => with_front_matter_line(&text, "draft: true"),
        false => text,
    }
}

/// The kind of page whose `layout:` is mapped.
#[derive(Clone, Copy)]
enum LayoutOf {
    Post,
    Page,
    /// The site's root `index.md`.
    Home,
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `index.markdown` at the root, the home page under another Markdown extension.
fn extension_is_index(rel: &Path) -> bool {
    rel.parent() == Some(Path::new("")) && rel.file_stem().is_some_and(|s| s == "index")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_map_to_the_built_in_ones() {
        let mut import = Import {
            src: PathBuf::from("old"),
            files: BTreeMap::new(),
            origins: BTreeMap::new(),
            warnings: Vec::new(),
            exclude: Vec::new(),
            include: Vec::new(),
            html_pages: true,
        };
        let post = "---\ntitle: A\nlayout: default\n---\nbody\n";
        let mapped = import.map_layout(Path::new("_posts/a.md"), post.to_owned(), LayoutOf::Post);
        assert_eq!(mapped, "---\ntitle: A\nlayout: post\n---\nbody\n");
        let home = "---\nlayout: \"home\"\n---\n";
        let mapped = import.map_layout(Path::new("index.md"), home.to_owned(), LayoutOf::Home);
        assert_eq!(mapped, "---\nlayout: index\n---\n");
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);

        let odd = "---\nlayout: wide # full width\n---\n";
        let mapped = import.map_layout(Path::new("about.md"), odd.to_owned(), LayoutOf::Page);
        assert_eq!(mapped, "---\nlayout: page # full width\n---\n");
        let warning = import.warnings[0].render();
        assert!(
            warning.starts_with("old/about.md:2:9: warning: layout `wide` not carried over"),
            "{warning}"
        );
    }

    #[test]
    fn jekyll_excludes_are_left_out() {
        let import = Import {
            src: PathBuf::from("old"),
            files: BTreeMap::new(),
            origins: BTreeMap::new(),
            warnings: Vec::new(),
            exclude: vec!["notes/".to_owned(), "*.psd".to_owned()],
            include: vec![".well-known".to_owned()],
            html_pages: true,
        };
        let excluded = |p: &str| import.excluded(Path::new(p));
        assert!(excluded("Gemfile.lock"));
        assert!(excluded("_site/index.html"));
        assert!(excluded(".git/config"));
        assert!(excluded("notes/todo.md"));
        assert!(excluded("img/hero.psd"));
        assert!(!excluded(".well-known/security.txt"));
        assert!(!excluded("img/hero.png"));
        assert!(!excluded("notes.md"));
    }
}

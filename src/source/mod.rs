//! Finding the site's input files: what there is, and what kind each file is.
//!
//! [`Kind::of`] is the one classification of a path, shared by the build and the watcher, so
//! both agree on what a file means. [`read_text`] is the one way a text file of the site is
//! read.

mod read;

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::Diagnostic;
pub use read::{
    EncodingError, MAX_TEXT_BYTES, ReadError, decode, not_regular, read_file, read_text,
    read_text_if_present,
};

/// What a file under the site root is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `content/posts/YYYY-MM-DD-slug.md`
    Post,
    /// Any other `.md` under `content/`.
    Page,
    /// `data/**/*.yaml`
    Data,
    /// `layouts/**`
    Layout,
    /// `static/**`, copied as is.
    Static,
    /// `includes/**`: files for Liquid's `{% include %}` (Jekyll's `_includes/`).
    Include,
    /// `site.yaml`
    Config,
    /// Everything else: editor temp files, dotfiles, files outside the known folders.
    Ignored,
}

impl Kind {
    /// Classifies `path`, relative to the site root.
    pub fn of(path: &Path) -> Kind {
        if path
            .iter()
            .any(|part| is_hidden_or_temp(&part.to_string_lossy()))
        {
            return Kind::Ignored;
        }
        let mut parts = path.iter().map(|p| p.to_string_lossy());
        let Some(top) = parts.next() else {
            return Kind::Ignored;
        };
        let rest: Vec<_> = parts.collect();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match (top.as_ref(), rest.as_slice()) {
            ("site.yaml", []) => Kind::Config,
            (_, []) => Kind::Ignored,
            ("content", [dir, _]) if dir == "posts" && extension == "md" => Kind::Post,
            ("content", _) if extension == "md" => Kind::Page,
            ("data", _) if matches!(extension, "yaml" | "yml") => Kind::Data,
            ("layouts", _) => Kind::Layout,
            ("static", _) => Kind::Static,
            ("includes", _) => Kind::Include,
            _ => Kind::Ignored,
        }
    }
}

/// Dotfiles and the temp files editors write beside the file being saved.
pub fn is_hidden_or_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with("__jb_tmp__")
        || name == "4913"
}

/// The input files of a site, each as a path relative to `root`, in a stable order.
#[derive(Debug, Default)]
pub struct Sources {
    pub root: PathBuf,
    pub posts: Vec<PathBuf>,
    pub pages: Vec<PathBuf>,
    pub data: Vec<PathBuf>,
    pub layouts: Vec<PathBuf>,
    pub statics: Vec<PathBuf>,
    pub includes: Vec<PathBuf>,
}

/// Walks content/, data/, layouts/, static/ and includes/ under `root`. Symbolic links are not
/// followed, so nothing outside the site is read. An input that is not a regular file (a FIFO,
/// a socket, a device) is an error: reading it would block or never end.
pub fn scan(root: &Path) -> Result<Sources, Vec<Diagnostic>> {
    let mut sources = Sources {
        root: root.to_path_buf(),
        ..Sources::default()
    };
    let mut problems = Vec::new();
    for folder in ["content", "data", "layouts", "static", "includes"] {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&dir).sort_by_file_name() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().unwrap_or(&dir);
                    let path = path.strip_prefix(root).unwrap_or(path);
                    problems.push(Diagnostic::unreadable(path, format!("cannot read: {err}")));
                    continue;
                }
            };
            let file_type = entry.file_type();
            if file_type.is_dir() || file_type.is_symlink() {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                continue;
            };
            let kind = Kind::of(relative);
            if let Some(what) = not_regular(&file_type).filter(|_| kind != Kind::Ignored) {
                let message = ReadError::NotRegular(what).to_string();
                problems.push(Diagnostic::unreadable(relative, message));
                continue;
            }
            let list = match kind {
                Kind::Post => &mut sources.posts,
                Kind::Page => &mut sources.pages,
                Kind::Data => &mut sources.data,
                Kind::Layout => &mut sources.layouts,
                Kind::Static => &mut sources.statics,
                Kind::Include => &mut sources.includes,
                Kind::Config | Kind::Ignored => continue,
            };
            list.push(relative.to_path_buf());
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_paths() {
        let kind = |p: &str| Kind::of(Path::new(p));
        assert_eq!(kind("content/posts/2023-08-11-a.md"), Kind::Post);
        assert_eq!(kind("content/posts/deeper/2023-08-11-a.md"), Kind::Page);
        assert_eq!(kind("content/about.md"), Kind::Page);
        assert_eq!(kind("content/posts/notes.txt"), Kind::Ignored);
        assert_eq!(kind("data/matrices/storage.yaml"), Kind::Data);
        assert_eq!(kind("layouts/post.html"), Kind::Layout);
        assert_eq!(kind("static/img/a.png"), Kind::Static);
        assert_eq!(kind("site.yaml"), Kind::Config);
        assert_eq!(kind("README.md"), Kind::Ignored);
        assert_eq!(kind("content/posts/.a.md.swp"), Kind::Ignored);
        assert_eq!(kind("content/posts/a.md~"), Kind::Ignored);
        assert_eq!(kind("layouts/4913"), Kind::Ignored);
        assert_eq!(kind("static/.DS_Store"), Kind::Ignored);
    }
}

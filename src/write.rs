//! The only module that writes or deletes files.
//!
//! A build writes into a staging folder beside the output and swaps it in only when the build
//! succeeded, so a failed build never touches the previous output. Folders versus made carry a
//! marker file; versus deletes no folder without it (unless `--force`), so a mistyped `--output`
//! cannot wipe a user's files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use thiserror::Error;

/// Marks a folder as versus output, which versus may replace.
pub const MARKER: &str = ".versus-output";
const MARKER_TEXT: &str =
    "This folder is written by versus build; it is replaced on every build.\n";

#[derive(Debug, Error)]
pub enum WriteError {
    #[error("refusing to write into {path}: it is {why}")]
    Refused { path: PathBuf, why: &'static str },
    #[error(
        "refusing to replace {path}: it was not made by versus (no {MARKER} file in it); move it away, or pass --force to replace it"
    )]
    Foreign { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a build puts its files: a staging folder for `build`, memory for `serve`.
pub trait Sink: Sync {
    /// Writes one output file, `relative` to the output folder.
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError>;
    /// [`Sink::put`] of shared bytes, which a sink that keeps them can keep without a copy.
    fn put_shared(&self, relative: &Path, bytes: Arc<Vec<u8>>) -> Result<(), WriteError> {
        self.put(relative, &bytes)
    }
    /// Copies a file from the site into the output.
    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError>;
}

/// Output paths come from page URLs; none may climb out of the output folder.
pub fn check_relative(relative: &Path) -> Result<(), WriteError> {
    let safe = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe || relative.as_os_str().is_empty() {
        return Err(WriteError::Refused {
            path: relative.to_path_buf(),
            why: "not a plain path inside the output folder",
        });
    }
    Ok(())
}

/// A staging folder being filled; [`Staging::commit`] swaps it in as the output.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    force: bool,
}

/// Checks that `output` may be (re)placed, then creates a fresh staging folder beside it.
pub fn prepare(root: &Path, output: &Path, force: bool) -> Result<Staging, WriteError> {
    let root = absolute(root);
    let output = absolute(output);
    let refuse = |why| WriteError::Refused {
        path: output.clone(),
        why,
    };
    if output == root {
        return Err(refuse("the site root"));
    }
    if root.starts_with(&output) {
        return Err(refuse("a folder that holds the site"));
    }
    for source_folder in ["content", "layouts", "data", "static"] {
        if output.starts_with(root.join(source_folder)) {
            return Err(refuse("inside a source folder of the site"));
        }
    }
    if output.join("content").is_dir() || output.join("site.yaml").is_file() {
        return Err(refuse("a site folder (it holds content/ or site.yaml)"));
    }
    if output.exists() && !force && !is_ours(&output) && !is_empty_dir(&output) {
        return Err(WriteError::Foreign { path: output });
    }
    let dir = sibling(&output, "staging");
    remove_ours(&dir)?;
    fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    fs::write(dir.join(MARKER), MARKER_TEXT).map_err(io_error(&dir))?;
    Ok(Staging { dir, output, force })
}

impl Sink for Staging {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.target(relative)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        fs::write(&path, bytes).map_err(io_error(&path))
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        let path = self.target(relative)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        fs::copy(from, &path).map(|_| ()).map_err(io_error(from))
    }
}

impl Staging {
    fn target(&self, relative: &Path) -> Result<PathBuf, WriteError> {
        check_relative(relative)?;
        Ok(self.dir.join(relative))
    }

    /// Swaps the staging folder in as the output; the previous output is removed after.
    pub fn commit(self) -> Result<(), WriteError> {
        let old = sibling(&self.output, "old");
        remove_ours(&old)?;
        if self.output.exists() {
            if self.force && !is_ours(&self.output) {
                fs::write(self.output.join(MARKER), MARKER_TEXT).map_err(io_error(&self.output))?;
            }
            fs::rename(&self.output, &old).map_err(io_error(&self.output))?;
        }
        if let Err(err) = fs::rename(&self.dir, &self.output) {
            // Put the previous output back before reporting.
            if old.exists() {
                let _ = fs::rename(&old, &self.output);
            }
            return Err(io_error(&self.output)(err));
        }
        remove_ours(&old)
    }

    /// Drops the staging folder of a failed build.
    pub fn abandon(self) -> Result<(), WriteError> {
        remove_ours(&self.dir)
    }
}

/// `public` → `.public.versus-staging` in the same parent, so the swap is a rename.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.versus-{what}"))
}

fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Removes a folder only if versus made it.
fn remove_ours(dir: &Path) -> Result<(), WriteError> {
    if !dir.exists() {
        return Ok(());
    }
    if !is_ours(dir) {
        return Err(WriteError::Foreign {
            path: dir.to_path_buf(),
        });
    }
    // The folders of a big site in parallel: removing 10,000 page folders one by one costs
    // seconds of file system time.
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|path| {
        let removed = if path.is_dir() && !path.is_symlink() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        removed.map_err(io_error(path))
    })?;
    fs::remove_dir(dir).map_err(io_error(dir))
}

/// An absolute, normalised path, also for folders that do not exist yet.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    match (parent, path.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        (None, Some(name)) => std::env::current_dir()
            .map(|cwd| cwd.join(name))
            .unwrap_or_else(|_| PathBuf::from(name)),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_swaps_in_and_replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path().join("site"), dir.path().join("site/public"));
        fs::create_dir_all(&root).unwrap();
        let stage = prepare(&root, &out, false).unwrap();
        stage.put(Path::new("a/index.html"), b"one").unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");

        let stage = prepare(&root, &out, false).unwrap();
        stage.put(Path::new("b.html"), b"two").unwrap();
        stage.commit().unwrap();
        assert!(!out.join("a/index.html").exists(), "stale files disappear");
        assert!(out.join("b.html").exists());
        assert!(!sibling(&out, "staging").exists() && !sibling(&out, "old").exists());
    }

    #[test]
    fn abandoned_build_leaves_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        prepare(dir.path(), &out, false).unwrap().commit().unwrap();
        fs::write(out.join("keep.html"), "kept").unwrap();
        let stage = prepare(dir.path(), &out, false).unwrap();
        stage.put(Path::new("new.html"), b"x").unwrap();
        stage.abandon().unwrap();
        assert_eq!(fs::read_to_string(out.join("keep.html")).unwrap(), "kept");
        assert!(!out.join("new.html").exists());
    }

    #[test]
    fn refuses_dangerous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let refused = |out: &Path| prepare(&root, out, true).is_err();
        assert!(refused(&root));
        assert!(refused(dir.path()));
        assert!(refused(&root.join("content/out")));
        let foreign = dir.path().join("photos");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("cat.jpg"), "meow").unwrap();
        let err = prepare(&root, &foreign, false).unwrap_err();
        assert!(matches!(err, WriteError::Foreign { .. }), "{err}");
        assert!(foreign.join("cat.jpg").exists());
        assert!(stage_target_rejects_escapes(&root));
    }

    fn stage_target_rejects_escapes(root: &Path) -> bool {
        let stage = prepare(root, &root.join("public"), false).unwrap();
        let escapes = stage.put(Path::new("../evil.html"), b"x").is_err()
            && stage.put(Path::new("/etc/x"), b"x").is_err();
        stage.abandon().unwrap();
        escapes
    }
}

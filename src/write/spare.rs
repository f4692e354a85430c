//! The output before last as the next build's staging folder: its folders are already made,
//! and most of its files are the very ones the build writes again. Making 13,000 folders for a
//! staging folder and deleting as many of the output set aside was most of the system time of
//! a warm build of 10,000 posts.
//!
//! The folder is taken only when its marker lists its files and a walk of it (which moves
//! what versus did not write into the backup, as a removal would) found nothing it could not
//! move: after that, every file in it is one versus wrote, so it may be replaced or deleted.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::discard::{self, Backup, Owned};
use super::file_list::FileList;
use super::{MARKER, WriteError, io_error};

/// A set-aside output taken as the staging folder, and the files its marker lists: this
/// build replaces those it writes and deletes the rest when it commits.
#[derive(Debug)]
pub struct Spare {
    pub listed: FileList,
}

/// Takes the newest set-aside output among `leftovers` (out of the list) whose files are all
/// versus's, renames it to `staging` and marks it as a staging folder. None when there is no
/// such folder; one that had files versus could not move away stays among `leftovers`.
pub fn take(
    leftovers: &mut Vec<PathBuf>,
    is_set_aside: impl Fn(&Path) -> bool,
    staging: &Path,
    backup: &Backup,
) -> Option<Spare> {
    let newest = leftovers.iter().rposition(|path| is_set_aside(path))?;
    let listed = match discard::owned(&leftovers[newest]) {
        Some(Owned::Listed(files)) => files,
        _ => return None,
    };
    if !discard::set_aside_foreign(&leftovers[newest], backup)
        .failures
        .is_empty()
    {
        return None;
    }
    let folder = leftovers.remove(newest);
    if fs::rename(&folder, staging).is_err() {
        leftovers.push(folder);
        return None;
    }
    // A kill from here on leaves a staging folder, which the next build removes whole.
    if fs::write(staging.join(MARKER), discard::staging_marker()).is_err() {
        leftovers.push(staging.to_path_buf());
        return None;
    }
    Some(Spare { listed })
}

impl Spare {
    /// Clears the way for a file at `relative` (`path` in the staging folder): a file of the
    /// output before last, or a folder of its files, is deleted; anything else there (a file
    /// of this build written again) is deleted only when `ours` says so, else moved to
    /// `backup`. Also clears ancestors that are files, for a page under a former file's name.
    pub fn make_room(
        &self,
        dir: &Path,
        relative: &Path,
        ours: impl Fn(&str) -> bool,
        backup: &Backup,
    ) -> Result<(), WriteError> {
        let mut at = dir.to_path_buf();
        let mut sub = PathBuf::new();
        for part in relative.components() {
            at.push(part);
            sub.push(part);
            let Ok(metadata) = fs::symlink_metadata(&at) else {
                return Ok(());
            };
            let last = sub.as_path() == relative;
            if metadata.is_dir() && !last {
                continue;
            }
            let key = discard::key(&sub);
            let result = if metadata.is_dir() {
                self.clear_folder(dir, &sub, &ours, backup)
            } else if self.listed.contains(&key) || ours(&key) {
                fs::remove_file(&at)
            } else {
                backup.keep(&at, &sub)
            };
            result.map_err(io_error(&at))?;
            return Ok(());
        }
        Ok(())
    }

    /// Empties the folder `relative` of a previous output for a file of the same name.
    /// A file this build wrote in it stands in the way, as it would in a fresh staging folder.
    fn clear_folder(
        &self,
        dir: &Path,
        relative: &Path,
        ours: impl Fn(&str) -> bool,
        backup: &Backup,
    ) -> io::Result<()> {
        let folder = dir.join(relative);
        let mut folders = Vec::new();
        for entry in walkdir::WalkDir::new(&folder).contents_first(true) {
            let entry = entry.map_err(io::Error::other)?;
            let inside = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let key = discard::key(inside);
            if entry.file_type().is_dir() {
                folders.push(entry.into_path());
            } else if ours(&key) {
                return Err(io::ErrorKind::AlreadyExists.into());
            } else if self.listed.contains(&key) {
                fs::remove_file(entry.path())?;
            } else {
                backup.keep(entry.path(), inside)?;
            }
        }
        folders.iter().try_for_each(fs::remove_dir)
    }

    /// Deletes the files of the output before last that this build did not write, and the
    /// folders that leaves empty, so the staging folder holds exactly what a fresh one would.
    pub fn remove_stale(&self, dir: &Path, written: &FileList) -> Result<(), WriteError> {
        let mut emptied = BTreeSet::new();
        for stale in self.listed.iter().filter(|f| !written.contains(f)) {
            let path = dir.join(stale);
            // Gone already when this build put a file in the place of a folder above it, or a
            // folder in its place.
            let gone = [
                io::ErrorKind::NotFound,
                io::ErrorKind::NotADirectory,
                io::ErrorKind::IsADirectory,
            ];
            match fs::remove_file(&path) {
                Err(err) if !gone.contains(&err.kind()) => {
                    return Err(io_error(&path)(err));
                }
                _ => {}
            }
            let mut parent = Path::new(stale).parent();
            while let Some(folder) = parent.filter(|p| !p.as_os_str().is_empty()) {
                emptied.insert(folder.to_path_buf());
                parent = folder.parent();
            }
        }
        // Deepest first; a folder still holding something stays.
        let mut emptied: Vec<PathBuf> = emptied.into_iter().collect();
        emptied.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        for folder in emptied {
            let _ = fs::remove_dir(dir.join(folder));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::{Path, PathBuf};

    use crate::progress::Silent;
    use crate::write::{MARKER, Sink, prepare};

    /// Every file and folder under `dir` but the marker, with the files' text.
    fn tree(dir: &Path) -> Vec<(PathBuf, Option<String>)> {
        let mut found: Vec<_> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name() != MARKER)
            .map(|e| {
                let text = e
                    .file_type()
                    .is_file()
                    .then(|| fs::read_to_string(e.path()).unwrap());
                (e.path().strip_prefix(dir).unwrap().to_path_buf(), text)
            })
            .collect();
        found.sort();
        found
    }

    fn build(root: &Path, files: &[(&str, &str)]) {
        let stage = prepare(root, &root.join("public"), false, &Silent).unwrap();
        for (name, text) in files {
            stage.put(Path::new(name), text.as_bytes()).unwrap();
        }
        stage.commit().unwrap();
    }

    /// What a build into a fresh folder makes of `files`.
    fn fresh(files: &[(&str, &str)]) -> Vec<(PathBuf, Option<String>)> {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), files);
        tree(&dir.path().join("public"))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The third build writes into the first one's folders: what it holds in the end is
    /// exactly what a fresh folder would, with no file or emptied folder of before left.
    #[cfg(unix)]
    #[test]
    fn the_output_before_last_becomes_exactly_the_new_output() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let ino = |p: &str| fs::metadata(root.join("public").join(p)).unwrap().ino();
        build(
            root,
            &[
                ("a/x/index.html", "x"),
                ("b/c/index.html", "b"),
                ("s.css", "s"),
            ],
        );
        let first_folder = ino("a");
        build(
            root,
            &[
                ("a/x/index.html", "x"),
                ("b/c/index.html", "b2"),
                ("d/index.html", "d"),
            ],
        );
        let third = [("a/x/index.html", "x"), ("a/y.html", "y"), ("s.css", "s2")];
        build(root, &third);
        assert_eq!(tree(&root.join("public")), fresh(&third));
        assert_eq!(ino("a"), first_folder, "the first build's folder was taken");
        let left = names(root);
        assert_eq!(
            left.iter().filter(|n| n.contains(".versus-")).count(),
            2,
            "{left:?}"
        );
        assert!(
            left.iter()
                .any(|n| n.starts_with(".public.versus-previous-")),
            "{left:?}"
        );
        assert!(!left.iter().any(|n| n.contains("backup")), "{left:?}");
    }

    /// A page where the output before last had a file of that name, and a file where it had
    /// a folder.
    #[test]
    fn a_file_and_a_folder_may_swap_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        build(
            root,
            &[
                ("foo", "file"),
                ("bar/index.html", "page"),
                ("bar/deep/a.html", "a"),
            ],
        );
        build(root, &[("other.html", "o")]);
        let third = [("foo/index.html", "page"), ("bar", "file")];
        build(root, &third);
        assert_eq!(tree(&root.join("public")), fresh(&third));
    }

    /// What someone put into the folder set aside is moved to the backup, whether or not the
    /// build writes a file of that name, and never shows in the new output.
    #[test]
    fn a_file_put_into_the_set_aside_output_goes_to_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        build(root, &[("index.html", "1")]);
        build(root, &[("index.html", "2")]);
        let aside = names(root)
            .into_iter()
            .find(|n| n.starts_with(".public.versus-previous-"))
            .unwrap();
        fs::write(root.join(&aside).join("notes.txt"), "mine").unwrap();
        fs::write(root.join(&aside).join("CNAME"), "example.org").unwrap();
        let third = [("index.html", "3"), ("CNAME", "built")];
        build(root, &third);
        assert_eq!(tree(&root.join("public")), fresh(&third));
        let backup = names(root)
            .into_iter()
            .find(|n| n.contains("backup"))
            .unwrap();
        let kept = root.join(backup);
        assert_eq!(fs::read_to_string(kept.join("notes.txt")).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(kept.join("CNAME")).unwrap(),
            "example.org"
        );
    }
}

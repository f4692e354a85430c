//! Taking away a previous output: the files versus wrote are deleted, anything else is moved
//! into a backup folder beside it, and the marker goes last, so a removal cut short is still
//! recognised (and finished) by the next build.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::file_list::FileList;
use super::{MARKER, WriteError, io_error};

/// The first line of every marker; the line after which a committed output lists its files.
const MARKER_HEAD: &str = "This folder is written by versus build; it is replaced on every build.";
const FILES_LINE: &str =
    "Files versus wrote here (others are moved aside on the next build, never deleted):";

/// The marker of a staging folder: everything in it is versus's.
pub fn staging_marker() -> String {
    format!("{MARKER_HEAD}\nStaging folder of a build in progress: all of it is versus's.\n")
}

/// The line after the list of files, after which the marker lists the pages built.
const PAGES_LINE: &str =
    "Pages built here, URL then source file (the next build says which URLs changed):";

/// One content page of a build: its URL and the file it was built from.
pub type PageRecord = (String, String);

/// The marker of a finished output, listing what versus wrote into it, then the pages it built.
pub fn output_marker(files: &FileList, pages: &mut [PageRecord]) -> String {
    let mut text = format!("{MARKER_HEAD}\n{FILES_LINE}\n");
    for file in files.iter() {
        text.push_str(&escape(file));
        text.push('\n');
    }
    if !pages.is_empty() {
        pages.sort_unstable();
        text.push_str(PAGES_LINE);
        text.push('\n');
        for (url, source) in pages.iter() {
            text.push_str(&format!("{}\t{}\n", escape(url), escape(source)));
        }
    }
    text
}

/// The pages the marker of `dir` lists (none for a marker from before versus listed them).
pub fn recorded_pages(dir: &Path) -> Vec<PageRecord> {
    let Ok(text) = fs::read_to_string(dir.join(MARKER)) else {
        return Vec::new();
    };
    let Some((_, list)) = text.split_once(&format!("\n{PAGES_LINE}\n")) else {
        return Vec::new();
    };
    list.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(url, source)| (unescape(url), unescape(source)))
        .collect()
}

/// Which files of a folder versus wrote, as its marker says.
#[derive(Debug)]
pub enum Owned {
    /// A staging folder: all of it.
    All,
    /// A finished output: the files listed.
    Listed(FileList),
    /// A marker from before versus listed its files: only those of the new output are known
    /// to be versus's.
    Unlisted,
}

/// Reads the marker of `dir`; None when it has none.
pub fn owned(dir: &Path) -> Option<Owned> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    if let Some((_, list)) = text.split_once(&format!("{FILES_LINE}\n")) {
        let files = list
            .split_once(&format!("{PAGES_LINE}\n"))
            .map_or(list, |(f, _)| f);
        return Some(Owned::Listed(files.lines().map(unescape).collect()));
    }
    if text.contains("Staging folder") {
        return Some(Owned::All);
    }
    Some(Owned::Unlisted)
}

/// A file name on one line of the marker (a tab separates a page's URL from its source).
fn escape(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// `relative` as the marker lists it: `/`-separated.
pub fn key(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where files versus did not write go: `<name>.versus-backup-<time>` beside `output`,
/// visible, named once per build and made only when something is moved there.
#[derive(Debug)]
pub struct Backup {
    dir: PathBuf,
    made: std::sync::OnceLock<()>,
}

impl Backup {
    pub fn beside(output: &Path) -> Backup {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
        let base = format!("{name}.versus-backup-{stamp}");
        let mut dir = output.with_file_name(&base);
        let mut n = 1;
        while dir.exists() {
            n += 1;
            dir = output.with_file_name(format!("{base}-{n}"));
        }
        Backup {
            dir,
            made: std::sync::OnceLock::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn used(&self) -> bool {
        self.made.get().is_some()
    }

    /// Moves a whole folder into place as the backup.
    pub fn take_folder(&self, folder: &Path) -> Result<(), WriteError> {
        fs::rename(folder, &self.dir).map_err(io_error(folder))?;
        let _ = self.made.set(());
        Ok(())
    }

    /// Moves `file` (at `relative` inside the folder being discarded) into the backup, under
    /// a numbered name when the backup has that file already (two folders set aside in one
    /// build can hold the same name): a file in the backup is never replaced.
    pub(super) fn keep(&self, file: &Path, relative: &Path) -> io::Result<()> {
        let to = self.dir.join(relative);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut target = to.clone();
        for n in 2.. {
            match rename_no_replace(file, &target) {
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    let mut name = to.file_name().unwrap_or_default().to_os_string();
                    name.push(format!(".{n}"));
                    target = to.with_file_name(name);
                }
                other => {
                    other?;
                    break;
                }
            }
        }
        let _ = self.made.set(());
        Ok(())
    }
}

/// A rename that fails with `AlreadyExists` instead of replacing what is at `to`.
#[cfg(target_os = "linux")]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => checked_rename(from, to),
        other => other.map_err(io::Error::from),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    checked_rename(from, to)
}

/// Where the file system cannot rename without replacing: a look first (a file that comes
/// in between is replaced; nothing better is possible there).
fn checked_rename(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    fs::rename(from, to)
}

/// What discarding a folder could not do; the build still succeeded.
#[derive(Debug, Default)]
pub struct Discarded {
    /// Files versus did not write, moved into the backup.
    pub kept: usize,
    /// What could not be removed, with why.
    pub failures: Vec<String>,
}

/// Removes the versus folder `dir`: files versus wrote are deleted, others moved into
/// `backup`, folders removed once empty, the marker last. `also_ours` lists files known to be
/// versus's when the marker does not (an output made by an older versus).
pub fn discard(dir: &Path, also_ours: &FileList, backup: &Backup) -> Discarded {
    sort_out(dir, also_ours, backup, true)
}

/// Moves the files of `dir` that versus did not write into `backup` and leaves the rest, so
/// that a previous output can be deleted later, off the build's critical path, with nothing of
/// the user's in it.
pub fn set_aside_foreign(dir: &Path, backup: &Backup) -> Discarded {
    sort_out(dir, &FileList::default(), backup, false)
}

/// Walks `dir` once: files that are not versus's go to `backup`; versus's own files, then the
/// emptied folders and the marker, are deleted when `delete` says so.
fn sort_out(dir: &Path, also_ours: &FileList, backup: &Backup, delete: bool) -> Discarded {
    let owned = owned(dir).unwrap_or(Owned::Unlisted);
    let is_ours = |key: &str| match &owned {
        Owned::All => true,
        Owned::Listed(files) => files.contains(key),
        Owned::Unlisted => also_ours.contains(key),
    };
    let Walked {
        files,
        folders,
        failures,
    } = walk(dir);
    let mut result = Discarded {
        failures,
        ..Discarded::default()
    };
    // In parallel: removing the files of a big site one by one costs seconds of file system time.
    let outcomes: Vec<Result<bool, String>> = files
        .par_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(dir).ok()?;
            if relative == Path::new(MARKER) {
                return None;
            }
            let outcome = match (is_ours(&key(relative)), delete) {
                (true, true) => remove_file(path)
                    .map(|()| false)
                    .map_err(|err| format!("{}: {err}", path.display())),
                (true, false) => return None,
                (false, _) => backup.keep(path, relative).map(|()| true).map_err(|err| {
                    format!(
                        "{}, which versus did not write, could not be moved to {}: {err}",
                        path.display(),
                        backup.path().display()
                    )
                }),
            };
            Some(outcome)
        })
        .collect();
    for outcome in outcomes {
        match outcome {
            Ok(kept) => result.kept += usize::from(kept),
            Err(failure) => result.failures.push(failure),
        }
    }
    if !delete {
        return result;
    }
    // Deepest first (as walked); a folder still holding something stays.
    for folder in folders {
        if let Err(err) = fs::remove_dir(&folder)
            && result.failures.is_empty()
        {
            result.failures.push(format!("{}: {err}", folder.display()));
        }
    }
    if result.failures.is_empty() {
        let marker = match fs::remove_file(dir.join(MARKER)) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        let gone = marker.and_then(|()| fs::remove_dir(dir));
        if let Err(err) = gone {
            result.failures.push(format!("{}: {err}", dir.display()));
        }
    }
    result
}

/// Everything under a folder, as [`walk`] finds it.
#[derive(Default)]
struct Walked {
    files: Vec<PathBuf>,
    /// Each after what it holds, so they can be removed in this order.
    folders: Vec<PathBuf>,
    failures: Vec<String>,
}

/// The files and folders under `dir` (not `dir` itself), its folders read in parallel: one
/// thread walking the 13,000 folders of a 10,000-post output was a tenth of a warm build.
/// Symbolic links are files here, never followed.
fn walk(dir: &Path) -> Walked {
    let mut walked = Walked::default();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            walked.failures.push(format!("{}: {err}", dir.display()));
            return walked;
        }
    };
    let mut inside = Vec::new();
    for entry in entries {
        match entry.and_then(|e| Ok((e.file_type()?, e.path()))) {
            Ok((kind, path)) if kind.is_dir() => inside.push(path),
            Ok((_, path)) => walked.files.push(path),
            Err(err) => walked.failures.push(format!("{}: {err}", dir.display())),
        }
    }
    let below: Vec<Walked> = inside
        .into_par_iter()
        .map(|folder| {
            let mut below = walk(&folder);
            below.folders.push(folder);
            below
        })
        .collect();
    for below in below {
        walked.files.extend(below.files);
        walked.folders.extend(below.folders);
        walked.failures.extend(below.failures);
    }
    walked
}

/// Removes a file, making its folder writable first if that is what stood in the way (a
/// read-only folder in an old output would otherwise stop every later build).
fn remove_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => {
            let parent = path.parent().unwrap_or(path);
            let mut permissions = fs::metadata(parent)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            fs::set_permissions(parent, permissions)?;
            fs::remove_file(path)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn listed_files_go_and_others_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        write(&old.join("a/index.html"), "a");
        write(&old.join("b.css"), "b");
        write(&old.join("a/CNAME"), "mine");
        let files = ["a/index.html", "b.css"].into_iter().collect();
        write(&old.join(MARKER), &output_marker(&files, &mut []));
        let backup = Backup::beside(&dir.path().join("public"));
        let result = discard(&old, &FileList::default(), &backup);
        assert!(result.failures.is_empty(), "{:?}", result.failures);
        assert_eq!(result.kept, 1);
        assert!(!old.exists());
        assert_eq!(
            fs::read_to_string(backup.path().join("a/CNAME")).unwrap(),
            "mine"
        );
        assert!(!backup.path().join("a/index.html").exists());
    }

    #[test]
    fn a_file_that_cannot_go_to_the_backup_is_named_as_such_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        write(&old.join("index.html"), "a");
        write(&old.join("CNAME"), "mine");
        let files = ["index.html"].into_iter().collect();
        write(&old.join(MARKER), &output_marker(&files, &mut []));
        let backup = Backup::beside(&dir.path().join("public"));
        // A file where the backup folder would go: the move into it fails.
        fs::write(backup.path(), "in the way").unwrap();
        let result = discard(&old, &FileList::default(), &backup);
        assert_eq!(result.kept, 0);
        let failure = result.failures.join("\n");
        assert!(
            failure.contains("CNAME, which versus did not write, could not be moved to"),
            "{failure}"
        );
        assert_eq!(fs::read_to_string(old.join("CNAME")).unwrap(), "mine");
        assert!(!old.join("index.html").exists());
    }

    #[test]
    fn an_old_marker_without_a_list_keeps_what_the_new_output_does_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        write(&old.join("index.html"), "a");
        write(&old.join("notes.txt"), "mine");
        write(&old.join(MARKER), &format!("{MARKER_HEAD}\n"));
        let backup = Backup::beside(&dir.path().join("public"));
        let new: FileList = ["index.html"].into_iter().collect();
        let result = discard(&old, &new, &backup);
        assert_eq!((result.kept, result.failures.len()), (1, 0));
        assert!(backup.path().join("notes.txt").is_file());
    }

    /// Two folders set aside in one build may hold files of the same name: both are kept.
    #[test]
    fn the_backup_never_replaces_a_file_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let backup = Backup::beside(&dir.path().join("public"));
        for (n, text) in ["first", "second"].iter().enumerate() {
            let file = dir.path().join(format!("from{n}/CNAME"));
            write(&file, text);
            backup.keep(&file, Path::new("a/CNAME")).unwrap();
        }
        let read = |name: &str| fs::read_to_string(backup.path().join(name)).unwrap();
        assert_eq!(read("a/CNAME"), "first");
        assert_eq!(read("a/CNAME.2"), "second");
    }

    #[test]
    fn names_survive_the_marker() {
        let mut files = vec![
            "a\\b".to_string(),
            "new\nline".into(),
            "é/x.html".into(),
            "t\tab".into(),
        ];
        let mut pages = vec![
            ("/a/".to_string(), "content/a.md".to_string()),
            ("/t\tb/".into(), "content/posts/x\\y.md".into()),
        ];
        let text = output_marker(&files.iter().collect(), &mut pages);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MARKER), text).unwrap();
        let Some(Owned::Listed(listed)) = owned(dir.path()) else {
            panic!("not a listed marker");
        };
        files.sort();
        assert_eq!(listed.iter().collect::<Vec<_>>(), files);
        assert_eq!(recorded_pages(dir.path()), pages);
    }
}

//! The only module that writes or deletes files.
//!
//! A build writes into a staging folder of its own beside the output, under a lock, and swaps
//! it in with one atomic rename only when the build succeeded, so a failed or killed build
//! never touches the previous output. versus deletes only files it wrote, as listed in the
//! marker file of each folder it made; anything else is moved aside into a backup folder.

mod discard;
mod file_list;
mod guard;
mod lock;
mod spare;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use thiserror::Error;

pub use guard::SOURCE_FOLDERS;

pub use discard::PageRecord;
use discard::{Backup, Discarded, Owned};
use file_list::{FileList, FileNames};
use lock::OutputLock;
use spare::Spare;

/// Threads deleting the previous output while a build renders: deleting waits on the disk, so
/// a few in flight keep it busy without taking a core each.
const SWEEP_THREADS: usize = 4;

/// Bytes compared at a time when a page is checked against the previous output's file.
const COMPARE_CHUNK: usize = 16 * 1024;

/// What the previous output is called once set aside, for the next build to take as its
/// staging folder (or delete).
const SET_ASIDE: &str = "previous";

/// Marks a folder as versus output and lists the files versus wrote into it.
pub const MARKER: &str = ".versus-output";

#[derive(Debug, Error)]
pub enum WriteError {
    #[error("refusing to write into {path}: it is {why}")]
    Refused { path: PathBuf, why: String },
    #[error(
        "refusing to replace {path}: it was not made by versus (no {MARKER} file in it); move it away, or pass --force to have versus move it aside to a backup folder beside it (versus never deletes files it did not write)"
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
    /// The content pages of the output this build replaces, as (URL, source file): what its
    /// build recorded (nothing for memory, or an output from before versus recorded them).
    fn previous_pages(&self) -> Vec<PageRecord> {
        Vec::new()
    }
    /// Records this build's content pages, (URL, source file), for the next build to compare.
    fn record_pages(&self, _pages: Vec<PageRecord>) {}
}

/// Output paths come from page URLs; none may climb out of the output folder.
pub fn check_relative(relative: &Path) -> Result<(), WriteError> {
    let safe = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe || relative.as_os_str().is_empty() {
        return Err(WriteError::Refused {
            path: relative.to_path_buf(),
            why: "not a plain path inside the output folder".into(),
        });
    }
    Ok(())
}

/// A staging folder being filled; [`Staging::commit`] swaps it in as the output.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    /// The output is a foreign folder that `--force` allowed to move aside.
    replaces_foreign: bool,
    /// The previous output when it is versus's, and the files its marker says versus wrote: a
    /// file this build writes with the same bytes as one of those is hard-linked from it
    /// instead of written again. A file the user put there is never linked: it goes to the
    /// backup, which must not share it with the new output.
    previous: Option<(PathBuf, FileList)>,
    /// What this build wrote, for the marker.
    written: Mutex<FileNames>,
    /// The pages of the output being replaced, as its marker lists them.
    previous_pages: Vec<PageRecord>,
    /// The pages this build made, for the marker.
    pages: Mutex<Vec<PageRecord>>,
    /// The output before last, when it is this staging folder: see [`spare`].
    spare: Option<Spare>,
    /// Where files versus did not write go, one folder for the whole build.
    backup: Backup,
    /// What preparing found to report (leftovers that could not be cleaned).
    notices: Vec<String>,
    /// Removes, while this build renders, the previous output that the last build set aside
    /// and what killed builds left; joined before the lock is let go.
    sweeper: Option<std::thread::JoinHandle<Vec<String>>>,
    _lock: OutputLock,
}

/// Checks that `output` may be (re)placed, takes its lock (waiting for another build of it),
/// cleans what killed builds left, then creates a fresh staging folder beside it.
pub fn prepare(
    root: &Path,
    output: &Path,
    force: bool,
    progress: &dyn crate::progress::Progress,
) -> Result<Staging, WriteError> {
    let root = absolute(root);
    let output = absolute(output);
    let refuse = |why: String| WriteError::Refused {
        path: output.clone(),
        why,
    };
    if let Some(why) = guard::refusal(&root, &output, guard::home().as_deref()) {
        return Err(refuse(why));
    }
    if output.exists() && !output.is_dir() {
        return Err(refuse("a file, not a folder".into()));
    }
    let parent = output.parent().unwrap_or(&output).to_path_buf();
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let lock_path = lock::path_for(&output);
    let lock = OutputLock::acquire(&lock_path, &output, progress).map_err(io_error(&lock_path))?;
    let mut leftovers = restore_and_list_leftovers(&output);
    let replaces_foreign = output.exists() && !is_ours(&output) && !is_empty_dir(&output);
    if replaces_foreign {
        if !force {
            return Err(WriteError::Foreign { path: output });
        }
        if let Some(project) = guard::project_inside(&output) {
            let why = format!("a folder holding a project ({})", project.display());
            return Err(refuse(why));
        }
    }
    let dir = unique_sibling(&output, "staging");
    let backup = Backup::beside(&output);
    let set_aside = sibling(&output, SET_ASIDE);
    let is_set_aside = |path: &Path| {
        path.to_string_lossy()
            .starts_with(&*set_aside.to_string_lossy())
    };
    let spare = match replaces_foreign {
        true => None,
        false => spare::take(&mut leftovers, is_set_aside, &dir, &backup),
    };
    if spare.is_none() {
        fs::create_dir(&dir).map_err(io_error(&dir))?;
        fs::write(dir.join(MARKER), discard::staging_marker()).map_err(io_error(&dir))?;
    }
    // Started last, so no early return leaves it running once the lock is let go.
    let sweeper = {
        let output = output.clone();
        // A pool of its own: its threads wait on the disk, and must not hold up rendering's.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(SWEEP_THREADS)
            .build();
        std::thread::spawn(move || match pool {
            Ok(pool) => pool.install(|| sweep_leftovers(&output, leftovers)),
            Err(_) => sweep_leftovers(&output, leftovers),
        })
    };
    let previous_pages = match replaces_foreign {
        true => Vec::new(),
        false => discard::recorded_pages(&output),
    };
    let previous = match (replaces_foreign, discard::owned(&output)) {
        (false, Some(discard::Owned::Listed(files))) => Some((output.clone(), files)),
        _ => None,
    };
    Ok(Staging {
        dir,
        output,
        replaces_foreign,
        previous,
        written: Mutex::new(FileNames::default()),
        previous_pages,
        pages: Mutex::new(Vec::new()),
        spare,
        backup,
        notices: Vec::new(),
        sweeper: Some(sweeper),
        _lock: lock,
    })
}

impl Sink for Staging {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.target(relative)?;
        self.make_parent(relative, &path)?;
        if !self.link_unchanged(relative, &path, bytes)?
            && let Err(err) = write_new(&path, bytes)
        {
            if err.kind() != io::ErrorKind::AlreadyExists {
                return Err(io_error(&path)(err));
            }
            // Never written through: it may be a link into the previous output.
            self.make_room(relative, &path)?;
            write_new(&path, bytes).map_err(io_error(&path))?;
        }
        self.wrote(relative);
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        let path = self.target(relative)?;
        self.make_parent(relative, &path)?;
        // Checked again here: a file swapped for a FIFO since the scan would block the copy.
        let metadata = fs::metadata(from).map_err(io_error(from))?;
        if !metadata.is_file() {
            return Err(io_error(from)(io::Error::other("not a regular file")));
        }
        // Never copied through a link into the previous output, should the path exist.
        self.make_room(relative, &path)?;
        fs::copy(from, &path).map_err(io_error(from))?;
        self.wrote(relative);
        Ok(())
    }

    fn previous_pages(&self) -> Vec<PageRecord> {
        self.previous_pages.clone()
    }

    fn record_pages(&self, pages: Vec<PageRecord>) {
        *self.pages.lock().unwrap_or_else(|e| e.into_inner()) = pages;
    }
}

impl Staging {
    fn target(&self, relative: &Path) -> Result<PathBuf, WriteError> {
        check_relative(relative)?;
        if relative == Path::new(MARKER) {
            return Err(WriteError::Refused {
                path: relative.to_path_buf(),
                why: "the name of versus's own marker file".into(),
            });
        }
        Ok(self.dir.join(relative))
    }

    /// Makes the folders above `path`, first clearing a file of the output before last that
    /// has the name of one of them.
    fn make_parent(&self, relative: &Path, path: &Path) -> Result<(), WriteError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        // Most are there already in the output before last: a look costs less than a mkdir.
        if parent.is_dir() {
            return Ok(());
        }
        if fs::create_dir_all(parent).is_err() && self.spare.is_some() {
            self.make_room(relative, path)?;
        }
        fs::create_dir_all(parent).map_err(io_error(parent))
    }

    /// Clears `path` for a new file: in a fresh staging folder anything there is this build's;
    /// in the output before last, see [`Spare::make_room`].
    fn make_room(&self, relative: &Path, path: &Path) -> Result<(), WriteError> {
        match &self.spare {
            None => remove_if_present(path).map_err(io_error(path)),
            Some(spare) => {
                let ours = |key: &str| {
                    let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
                    written.iter().any(|w| w == key)
                };
                spare.make_room(&self.dir, relative, ours, &self.backup)
            }
        }
    }

    /// Puts the previous output's file at `relative` in the staging folder as a hard link when
    /// it holds exactly `bytes`: writing a warm build's ~250 MB again (and deleting the old
    /// copy with the previous output) was most of its system time. The previous output is
    /// only read; anything unexpected (not a regular file, another size, a link refused)
    /// means the bytes are written as usual. In the output before last, the file there is
    /// often that very link already, and stays.
    #[cfg(unix)]
    fn link_unchanged(
        &self,
        relative: &Path,
        path: &Path,
        bytes: &[u8],
    ) -> Result<bool, WriteError> {
        use std::os::unix::fs::MetadataExt;
        let Some((previous, written)) = &self.previous else {
            return Ok(false);
        };
        if !written.contains(&discard::key(relative)) {
            return Ok(false);
        }
        let old = previous.join(relative);
        let Some(compared) = holds_exactly(&old, bytes) else {
            return Ok(false);
        };
        let same = |m: &fs::Metadata| (m.dev(), m.ino()) == (compared.dev(), compared.ino());
        if self.spare.is_some() {
            match fs::symlink_metadata(path) {
                Ok(there) if there.is_file() && same(&there) => return Ok(true),
                Ok(_) => self.make_room(relative, path)?,
                Err(_) => {}
            }
        }
        if fs::hard_link(&old, path).is_err() {
            return Ok(false);
        }
        // The file linked must be the one compared: one swapped in meanwhile is written anew.
        match fs::symlink_metadata(path) {
            Ok(linked) if same(&linked) => Ok(true),
            _ => {
                let _ = fs::remove_file(path);
                Ok(false)
            }
        }
    }

    #[cfg(not(unix))]
    fn link_unchanged(
        &self,
        _relative: &Path,
        _path: &Path,
        _bytes: &[u8],
    ) -> Result<bool, WriteError> {
        Ok(false)
    }

    fn wrote(&self, relative: &Path) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.push(&discard::key(relative));
    }

    /// Swaps the staging folder in as the output in one atomic step, then takes the previous
    /// output away. Returns what the user should know (files moved aside, leftovers).
    /// How many files were written so far.
    pub fn written(&self) -> usize {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn commit(self) -> Result<Vec<String>, WriteError> {
        let written = self
            .written
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .sorted();
        let mut pages = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(spare) = &self.spare {
            spare.remove_stale(&self.dir, &written)?;
        }
        let marker = discard::output_marker(&written, &mut pages);
        fs::write(self.dir.join(MARKER), marker).map_err(io_error(&self.dir))?;
        let mut notices = self.notices;
        let backup = self.backup;
        if !self.output.exists() {
            fs::rename(&self.dir, &self.output).map_err(io_error(&self.output))?;
        } else if self.replaces_foreign {
            backup.take_folder(&self.output)?;
            fs::rename(&self.dir, &self.output).map_err(io_error(&self.output))?;
        } else {
            // After the exchange the previous output sits at the staging path.
            exchange(&self.dir, &self.output)?;
            notices.extend(set_aside_previous(
                &self.dir,
                &self.output,
                written,
                &backup,
            ));
        }
        notices.extend(join_sweeper(self.sweeper));
        if backup.used() {
            notices.push(format!(
                "files versus did not write were moved aside to {}; put files to publish in static/",
                backup.path().display()
            ));
        }
        Ok(notices)
    }

    /// Drops the staging folder of a failed build.
    pub fn abandon(mut self) -> Result<(), WriteError> {
        let _ = join_sweeper(self.sweeper.take());
        let result = discard::discard(&self.dir, &FileList::default(), &self.backup);
        match result.failures.first() {
            Some(failure) => Err(WriteError::Io {
                path: self.dir.clone(),
                source: io::Error::other(failure.clone()),
            }),
            None => Ok(()),
        }
    }
}

/// The previous output, now at the staging path `dir`: what the user put in it goes to the
/// backup now (and the build says so), the rest is renamed aside for the next build to take
/// as its staging folder ([`spare`]), since making and deleting a big tree of folders is most
/// of a warm build's system time. An output whose
/// marker does not list its files is sorted out and deleted now.
fn set_aside_previous(
    dir: &Path,
    output: &Path,
    written: FileList,
    backup: &Backup,
) -> Vec<String> {
    if !matches!(discard::owned(dir), Some(Owned::Listed(_))) {
        let result = discard::discard(dir, &written, backup);
        return discard_notices(dir, &result);
    }
    let result = discard::set_aside_foreign(dir, backup);
    // Left at the staging path if the rename fails: the next build removes that as well.
    let _ = fs::rename(dir, unique_sibling(output, SET_ASIDE));
    discard_notices(dir, &result)
}

/// Waits for the removal of leftovers to finish and returns what it has to report.
fn join_sweeper(sweeper: Option<std::thread::JoinHandle<Vec<String>>>) -> Vec<String> {
    match sweeper.map(std::thread::JoinHandle::join) {
        Some(Ok(notices)) => notices,
        Some(Err(_)) => {
            vec!["removing the previous output stopped; the next build finishes it".into()]
        }
        None => Vec::new(),
    }
}

fn discard_notices(dir: &Path, result: &Discarded) -> Vec<String> {
    let mut notices = Vec::new();
    if let Some(first) = result.failures.first() {
        notices.push(format!(
            "{} (a previous output) is not gone yet: {first}; the next build tries again",
            dir.display()
        ));
    }
    notices
}

/// Exchanges two folders in one step, so at no moment is the output missing or mixed.
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, output: &Path) -> Result<(), WriteError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without RENAME_EXCHANGE: two renames instead.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => rename_twice(staging, output),
        Err(err) => Err(io_error(output)(err.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staging: &Path, output: &Path) -> Result<(), WriteError> {
    rename_twice(staging, output)
}

/// The output is moved to a temporary name, then the staging folder takes its place; the
/// previous output ends up at the staging path. A kill between the two renames leaves the
/// output missing, which the next build repairs (see [`restore_and_list_leftovers`]).
fn rename_twice(staging: &Path, output: &Path) -> Result<(), WriteError> {
    let old = unique_sibling(output, "old");
    fs::rename(output, &old).map_err(io_error(output))?;
    if let Err(err) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(io_error(output)(err));
    }
    fs::rename(&old, staging).map_err(io_error(&old))
}

/// The staging and old folders that killed builds of `output` left beside it, and the
/// previous output the last build set aside (this build holds the lock, so no other build is
/// using them). If a kill came between the two renames of [`rename_twice`], the previous
/// output is put back first.
fn restore_and_list_leftovers(output: &Path) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
        return Vec::new();
    };
    let prefix = format!(".{}.versus-", name.to_string_lossy());
    let mut leftovers: Vec<PathBuf> = fs::read_dir(parent)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix).is_some_and(|rest| {
                ["staging", "old", SET_ASIDE]
                    .iter()
                    .any(|kind| rest.starts_with(kind))
            })
        })
        .map(|entry| entry.path())
        .collect();
    leftovers.sort();
    if !output.exists()
        && let Some(old) = leftovers.iter().position(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}old-")))
        })
    {
        let old = leftovers.remove(old);
        let _ = fs::rename(&old, output);
    }
    leftovers
}

/// Removes the folders [`restore_and_list_leftovers`] found, through their markers.
fn sweep_leftovers(output: &Path, leftovers: Vec<PathBuf>) -> Vec<String> {
    let mut notices = Vec::new();
    let backup = Backup::beside(output);
    for leftover in leftovers {
        if !is_ours(&leftover) {
            if fs::remove_dir(&leftover).is_err() {
                notices.push(format!(
                    "{} was left by a build of an older versus and has no {MARKER} file; remove it by hand",
                    leftover.display()
                ));
            }
            continue;
        }
        let result = discard::discard(&leftover, &FileList::default(), &backup);
        notices.extend(discard_notices(&leftover, &result));
    }
    if backup.used() {
        notices.push(format!(
            "files versus did not write were moved aside to {}",
            backup.path().display()
        ));
    }
    notices
}

/// `public` → `.public.versus-<what>` in the same parent, so a swap is a rename.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.versus-{what}"))
}

/// [`sibling`] with this process's id and the time, so no two builds share a folder.
fn unique_sibling(output: &Path, what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    sibling(output, &format!("{what}-{}-{nanos}", std::process::id()))
}

/// The metadata of the regular file at `path` when it holds exactly `bytes`; None otherwise,
/// or when it cannot be read. A symbolic link is not followed, nor is a FIFO waited on.
#[cfg(unix)]
fn holds_exactly(path: &Path, bytes: &[u8]) -> Option<fs::Metadata> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let same_size = |m: &fs::Metadata| m.is_file() && m.len() == bytes.len() as u64;
    if !same_size(&fs::symlink_metadata(path).ok()?) {
        return None;
    }
    #[cfg(target_os = "linux")]
    let flags = (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32;
    #[cfg(not(target_os = "linux"))]
    let flags = 0;
    let mut file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .ok()?;
    let metadata = file.metadata().ok()?;
    if !same_size(&metadata) {
        return None;
    }
    let mut buffer = [0u8; COMPARE_CHUNK];
    for expected in bytes.chunks(COMPARE_CHUNK) {
        let read = &mut buffer[..expected.len()];
        file.read_exact(read).ok()?;
        if read != expected {
            return None;
        }
    }
    // Not grown since it was measured.
    matches!(file.read(&mut buffer[..1]), Ok(0)).then_some(metadata)
}

/// Writes a new file at `path`, failing when something is there already (it may be a link
/// into the previous output, never to be written through).
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

fn is_ours(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// An absolute, normalised path, also for folders that do not exist yet: the deepest existing
/// ancestor with its links resolved, then the rest with `.` and `..` applied.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let joined = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.as_path();
    let mut rest = Vec::new();
    while let (Err(_), Some(parent), Some(name)) = (
        existing.canonicalize(),
        existing.parent(),
        existing.file_name(),
    ) {
        rest.push(name.to_os_string());
        existing = parent;
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    #[test]
    fn staging_swaps_in_and_replaces_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path().join("site"), dir.path().join("site/public"));
        fs::create_dir_all(&root).unwrap();
        let stage = prepare(&root, &out, false, &Silent).unwrap();
        stage.put(Path::new("a/index.html"), b"one").unwrap();
        stage.commit().unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");

        let stage = prepare(&root, &out, false, &Silent).unwrap();
        stage.put(Path::new("b.html"), b"two").unwrap();
        stage.commit().unwrap();
        assert!(!out.join("a/index.html").exists(), "stale files disappear");
        assert!(out.join("b.html").exists());
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("versus-staging") || n.contains("versus-old"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_previous_output() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let put_all = |files: &[(&str, &str)]| {
            let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
            for (name, text) in files {
                stage.put(Path::new(name), text.as_bytes()).unwrap();
            }
            stage.commit().unwrap();
        };
        let inode = |name: &str| fs::symlink_metadata(out.join(name)).unwrap().ino();
        put_all(&[
            ("a/same.html", "same"),
            ("edited.html", "ours"),
            ("moved.html", "x"),
        ]);
        let same = inode("a/same.html");
        let edited = inode("edited.html");
        // The user edits one in place (same size), and replaces another with a link.
        fs::write(out.join("edited.html"), "mine").unwrap();
        let outside = dir.path().join("outside.html");
        fs::write(&outside, "x").unwrap();
        fs::remove_file(out.join("moved.html")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("moved.html")).unwrap();

        put_all(&[
            ("a/same.html", "same"),
            ("edited.html", "ours"),
            ("moved.html", "x"),
        ]);
        assert_eq!(inode("a/same.html"), same, "the unchanged file is linked");
        assert_eq!(fs::read_to_string(out.join("edited.html")).unwrap(), "ours");
        assert_ne!(inode("edited.html"), edited);
        assert!(
            fs::symlink_metadata(out.join("moved.html"))
                .unwrap()
                .is_file()
        );
        assert_eq!(fs::read_to_string(&outside).unwrap(), "x");
    }

    /// A file the user put in the output goes to the backup; the new output must not share it,
    /// or an edit of one would change the other.
    #[cfg(unix)]
    #[test]
    fn a_users_file_with_the_same_bytes_is_written_not_linked() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
        stage.put(Path::new("index.html"), b"home").unwrap();
        stage.commit().unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
        stage.put(Path::new("index.html"), b"home").unwrap();
        stage.put(Path::new("CNAME"), b"example.org").unwrap();
        stage.commit().unwrap();
        let backup = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("versus-backup"))
            .expect("the user's file is moved to a backup");
        let ino = |p: &Path| fs::symlink_metadata(p).unwrap().ino();
        assert_eq!(
            fs::read_to_string(backup.join("CNAME")).unwrap(),
            "example.org"
        );
        assert_ne!(ino(&backup.join("CNAME")), ino(&out.join("CNAME")));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_put_again_never_writes_through_a_link_into_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
        stage.put(Path::new("a.html"), b"first").unwrap();
        stage.commit().unwrap();
        let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
        stage.put(Path::new("a.html"), b"first").unwrap();
        stage.put(Path::new("a.html"), b"other").unwrap();
        let static_file = dir.path().join("a.txt");
        fs::write(&static_file, "copied").unwrap();
        stage.copy(&static_file, Path::new("a.html")).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "first");
        stage.abandon().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "first");
    }

    #[test]
    fn abandoned_build_leaves_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        prepare(dir.path(), &out, false, &Silent)
            .unwrap()
            .commit()
            .unwrap();
        fs::write(out.join("keep.html"), "kept").unwrap();
        let stage = prepare(dir.path(), &out, false, &Silent).unwrap();
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
        let refused = |out: &Path| prepare(&root, out, true, &Silent).is_err();
        assert!(refused(&root));
        assert!(refused(dir.path()));
        assert!(refused(&root.join("content/out")));
        let foreign = dir.path().join("photos");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("cat.jpg"), "meow").unwrap();
        let err = prepare(&root, &foreign, false, &Silent).unwrap_err();
        assert!(matches!(err, WriteError::Foreign { .. }), "{err}");
        assert!(foreign.join("cat.jpg").exists());
        assert!(stage_target_rejects_escapes(&root));
    }

    fn stage_target_rejects_escapes(root: &Path) -> bool {
        let stage = prepare(root, &root.join("public"), false, &Silent).unwrap();
        let escapes = stage.put(Path::new("../evil.html"), b"x").is_err()
            && stage.put(Path::new("/etc/x"), b"x").is_err();
        stage.abandon().unwrap();
        escapes
    }
}

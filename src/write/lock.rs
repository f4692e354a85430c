//! One build at a time per output folder: an advisory lock on a file beside it, which the
//! kernel releases when the process ends, killed or not, so a lock is never left stale.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::progress::Progress;

/// Held while a build prepares, fills and swaps in one output folder.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Takes the lock at `path`, waiting for a build that holds it (and telling `progress`).
    pub fn acquire(path: &Path, output: &Path, progress: &dyn Progress) -> io::Result<OutputLock> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(path).unwrap_or_default();
                let holder = holder.trim();
                let by = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                progress.waiting(&format!(
                    "waiting for another build of {} to finish{by}",
                    output.display()
                ));
                file.lock()?;
            }
            Err(TryLockError::Error(err)) => return Err(err),
        }
        // Who holds it, for the message of the next build that has to wait.
        file.set_len(0)?;
        write!(file, "{}", std::process::id())?;
        Ok(OutputLock { _file: file })
    }
}

/// `public` → `.public.versus-lock` beside it.
pub fn path_for(output: &Path) -> PathBuf {
    super::sibling(output, "lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.versus-lock");
        let out = dir.path().join("public");
        let first = OutputLock::acquire(&path, &out, &crate::progress::Silent).unwrap();
        let (sent, received) = std::sync::mpsc::channel();
        let (path2, out2) = (path.clone(), out.clone());
        let waiter = std::thread::spawn(move || {
            let lock = OutputLock::acquire(&path2, &out2, &crate::progress::Silent).unwrap();
            sent.send(()).unwrap();
            lock
        });
        let waited = received.recv_timeout(std::time::Duration::from_millis(200));
        assert!(
            waited.is_err(),
            "the second lock was granted while the first was held"
        );
        drop(first);
        received
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("granted once the first is released");
        drop(waiter.join().unwrap());
    }
}

//! The preview server's sink: a build's files kept in memory.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::{Outputs, key_of};
use crate::source;
use crate::write::{self, Sink, WriteError};

/// Collects a build's files in memory.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Outputs>,
}

impl MemorySink {
    pub fn into_outputs(self) -> Outputs {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, relative: &Path, bytes: Arc<Vec<u8>>) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(key_of(relative), bytes);
    }
}

impl Sink for MemorySink {
    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        self.insert(relative, Arc::new(bytes.to_vec()));
        Ok(())
    }

    fn put_shared(&self, relative: &Path, bytes: Arc<Vec<u8>>) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        self.insert(relative, bytes);
        Ok(())
    }

    fn copy(&self, from: &Path, relative: &Path) -> Result<(), WriteError> {
        write::check_relative(relative)?;
        let io = |source| WriteError::Io {
            path: from.to_path_buf(),
            source,
        };
        // A static file replaced by a FIFO since the last scan would block the server.
        let file_type = std::fs::metadata(from).map_err(io)?.file_type();
        if let Some(what) = source::not_regular(&file_type) {
            let message = source::ReadError::NotRegular(what).to_string();
            return Err(io(std::io::Error::other(message)));
        }
        let bytes = std::fs::read(from).map_err(io)?;
        self.insert(relative, Arc::new(bytes));
        Ok(())
    }
}

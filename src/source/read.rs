//! The one way the build reads a text file of the site: the file type checked before opening
//! (opening a FIFO blocks, a device never ends), the size bounded, UTF-8 decoded with a byte
//! order mark dropped, and every failure said in the user's terms, at its line and column.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Text files larger than this are refused unread: no post, layout or data file comes near,
/// and a wrong file (a disk image, a log) should not fill the memory.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// Why a file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    #[error("cannot read: a symbolic link to `{}`, which does not exist", .0.display())]
    DanglingLink(PathBuf),
    #[error(
        "too large for a text file: {} MiB (the limit is {} MiB)",
        .0 >> 20,
        MAX_TEXT_BYTES >> 20
    )]
    TooLarge(u64),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not UTF-8: {0}")]
    Encoding(#[from] EncodingError),
}

/// Bytes that are not UTF-8 text, and where the first bad one is.
#[derive(Debug, thiserror::Error)]
#[error("{problem}")]
pub struct EncodingError {
    /// 1-based line and column (in characters) of the first bad byte.
    pub line: usize,
    pub col: usize,
    pub problem: String,
    pub help: Option<String>,
    /// The file decoded with replacement characters, for the source line under the message.
    pub lossy: String,
}

impl ReadError {
    /// The error as users see it, for the file at `path` (relative to the site root): an
    /// encoding error is a content error at its position, the others make the file unreadable.
    pub fn diagnostic(self, path: &Path) -> Diagnostic {
        match self {
            ReadError::Encoding(err) => {
                let diagnostic = Diagnostic::error(path, format!("not UTF-8: {err}"));
                let diagnostic = diagnostic.at(&err.lossy, err.line, err.col);
                match err.help {
                    Some(help) => diagnostic.with_help(help),
                    None => diagnostic,
                }
            }
            other => Diagnostic::unreadable(path, other.to_string()),
        }
    }
}

/// Reads `root/relative` as UTF-8 text; errors name `relative`.
pub fn read_text(root: &Path, relative: &Path) -> Result<String, Diagnostic> {
    read_file(&root.join(relative)).map_err(|err| err.diagnostic(relative))
}

/// [`read_text`] for a file that may be absent (site.yaml): `None` when there is nothing at
/// the path; a symbolic link to nothing is an error, not an absent file.
pub fn read_text_if_present(root: &Path, relative: &Path) -> Result<Option<String>, Diagnostic> {
    let path = root.join(relative);
    match std::fs::symlink_metadata(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(root, relative).map(Some),
    }
}

/// Reads a file as UTF-8 text, after checking that it is a regular file of a sane size.
pub fn read_file(path: &Path) -> Result<String, ReadError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(match std::fs::read_link(path) {
                Ok(target) => ReadError::DanglingLink(target),
                Err(_) => ReadError::Io(err),
            });
        }
        Err(err) => return Err(ReadError::Io(err)),
    };
    if let Some(kind) = not_regular(&metadata.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    if metadata.len() > MAX_TEXT_BYTES {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // Bounded again while reading: the file may grow after the check.
    std::fs::File::open(path)?
        .take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(decode(bytes)?)
}

/// What a file that is not a regular file is, in words; `None` for a regular file.
pub fn not_regular(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    if file_type.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
    }
    Some("a special file")
}

/// UTF-8 bytes → text without the byte order mark editors on Windows write; anything else is
/// an error at its first bad byte, naming the encoding the file seems to be in.
pub fn decode(bytes: Vec<u8>) -> Result<String, EncodingError> {
    for (mark, name) in [([0xFF, 0xFE], "UTF-16 LE"), ([0xFE, 0xFF], "UTF-16 BE")] {
        if bytes.starts_with(&mark) {
            return Err(EncodingError {
                line: 1,
                col: 1,
                problem: format!(
                    "{name} (it starts with a UTF-16 byte order mark); save it as UTF-8"
                ),
                help: None,
                lossy: String::new(),
            });
        }
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let (bad_at, error_len) = match std::str::from_utf8(&bytes) {
        Ok(text) => match text.find('\0') {
            None => return Ok(String::from_utf8(bytes).expect("checked above")),
            Some(nul) => (nul, Some(1)),
        },
        Err(err) => (err.valid_up_to(), err.error_len()),
    };
    let valid = std::str::from_utf8(&bytes[..bad_at]).expect("valid up to here");
    let line = valid.matches('\n').count() + 1;
    let col = valid[valid.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    let byte = bytes[bad_at];
    let (problem, help) = if byte == 0 || bytes.contains(&0) {
        let guess = match utf16_without_mark(&bytes) {
            Some(name) => format!("the file looks like {name} without a byte order mark"),
            None => "the file looks binary, not text".to_owned(),
        };
        let what = if byte == 0 {
            "a NUL byte".to_owned()
        } else {
            format!("invalid byte 0x{byte:02X}")
        };
        (format!("{what} ({guess})"), None)
    } else if error_len.is_none() {
        (
            format!("the file ends inside a character (byte 0x{byte:02X}): was it cut short?"),
            None,
        )
    } else {
        let help = windows_1252(byte)
            .map(|c| format!("in Windows-1252, 0x{byte:02X} is `{c}`: re-save the file as UTF-8"));
        (
            format!("invalid byte 0x{byte:02X} (the file looks like Latin-1/Windows-1252)"),
            help,
        )
    };
    Err(EncodingError {
        line,
        col,
        problem,
        help,
        lossy: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// UTF-16 of mostly ASCII text has a NUL in every other byte: odd ones for little-endian.
fn utf16_without_mark(bytes: &[u8]) -> Option<&'static str> {
    let start = &bytes[..bytes.len().min(256) & !1];
    let pairs = start.len() / 2;
    let nul_at = |parity: usize| {
        start
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    if pairs == 0 {
        None
    } else if odd * 4 >= pairs * 3 && even * 4 < pairs {
        Some("UTF-16 LE")
    } else if even * 4 >= pairs * 3 && odd * 4 < pairs {
        Some("UTF-16 BE")
    } else {
        None
    }
}

/// What a byte means in Windows-1252 (Latin-1 above 0x9F), for the help line.
fn windows_1252(byte: u8) -> Option<char> {
    /// 0x80..=0x9F; the five unassigned bytes are None.
    const LOW: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    match byte {
        0x80..=0x9F => LOW[usize::from(byte - 0x80)],
        0xA0..=0xFF => Some(char::from(byte)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(b"plain".to_vec()).unwrap(), "plain");
    }

    #[test]
    fn latin1_is_placed_at_its_first_bad_byte_in_characters() {
        let err = decode("ça\nh\u{e9}".bytes().chain(*b" Z\xFCrich").collect()).unwrap_err();
        assert_eq!((err.line, err.col), (2, 5), "é is one column");
        assert_eq!(
            err.problem,
            "invalid byte 0xFC (the file looks like Latin-1/Windows-1252)"
        );
        assert_eq!(
            err.help.as_deref(),
            Some("in Windows-1252, 0xFC is `ü`: re-save the file as UTF-8")
        );
        let err = decode(b"\x93quoted\x94".to_vec()).unwrap_err();
        assert_eq!((err.line, err.col), (1, 1));
        assert!(err.help.unwrap().contains("is `“`"));
    }

    #[test]
    fn utf16_is_named_with_or_without_a_mark() {
        let le: Vec<u8> = "title: x\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let marked = [&[0xFF, 0xFE][..], &le].concat();
        assert!(
            decode(marked)
                .unwrap_err()
                .problem
                .starts_with("UTF-16 LE (it starts")
        );
        let err = decode(le).unwrap_err();
        assert_eq!((err.line, err.col), (1, 2));
        assert_eq!(
            err.problem,
            "a NUL byte (the file looks like UTF-16 LE without a byte order mark)"
        );
        let be: Vec<u8> = "title: x\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(
            decode(be)
                .unwrap_err()
                .problem
                .contains("UTF-16 BE without")
        );
    }

    #[test]
    fn a_cut_multibyte_character_and_binary_files() {
        let err = decode(b"caf\xC3".to_vec()).unwrap_err();
        assert!(err.problem.contains("cut short"), "{}", err.problem);
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).unwrap_err();
        assert!(err.problem.contains("looks binary"), "{}", err.problem);
    }

    #[test]
    fn special_files_are_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(dir.path()).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (a folder)");
        #[cfg(unix)]
        {
            let err = read_file(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(err.to_string(), "not a regular file (a character device)");
            let link = dir.path().join("gone.yaml");
            std::os::unix::fs::symlink("nowhere", &link).unwrap();
            let err = read_file(&link).unwrap_err();
            assert_eq!(
                err.to_string(),
                "cannot read: a symbolic link to `nowhere`, which does not exist"
            );
        }
    }

    #[test]
    fn an_absent_file_is_none_but_a_dangling_link_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let absent = read_text_if_present(dir.path(), Path::new("site.yaml"));
        assert_eq!(absent.unwrap(), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("nowhere", dir.path().join("site.yaml")).unwrap();
            let err = read_text_if_present(dir.path(), Path::new("site.yaml")).unwrap_err();
            assert!(err.is_unreadable());
            assert_eq!(err.path, Path::new("site.yaml"));
        }
    }
}

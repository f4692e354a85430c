use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2026-11-25T00:00:00Z, the day every test build runs on.
pub const TODAY: i64 = 1_795_564_800;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sites")
        .join(name)
}

/// A copy of a fixture site in a temporary folder.
pub struct TestSite {
    dir: tempfile::TempDir,
}

/// The outcome of one `versus build`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestSite {
    pub fn new(name: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&fixture(name), dir.path());
        // Fixtures without layouts of their own share the basic site's.
        if !dir.path().join("layouts").exists() {
            copy_tree(
                &fixture("basic").join("layouts"),
                &dir.path().join("layouts"),
            );
        }
        TestSite { dir }
    }

    /// A copy of a fixture as it is, without layouts of its own: it builds with the built-in
    /// theme.
    pub fn bare(name: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&fixture(name), dir.path());
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `versus build` on the day [`TODAY`], so stale marks do not depend on the clock.
    pub fn build(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_versus"))
            .env("SOURCE_DATE_EPOCH", TODAY.to_string())
            // Diagnostics are asserted as plain text, whatever the developer's shell forces.
            .env_remove("CLICOLOR_FORCE")
            .arg("build")
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run versus");
        Run::from(output)
    }

    /// Builds and fails the test on a non-zero exit, showing versus's messages.
    pub fn build_ok(&self) -> Run {
        let run = self.build(&[]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    pub fn read(&self, path: &str) -> String {
        let path = self.root().join("public").join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_atomic(&path, text);
        self
    }

    /// Replaces the first `from` in a file with `to`.
    pub fn edit(&self, path: &str, from: &str, to: &str) -> &Self {
        let text = std::fs::read_to_string(self.root().join(path)).unwrap();
        assert!(text.contains(from), "{path} does not contain {from:?}");
        self.write(path, &text.replacen(from, to, 1))
    }

    /// Every file under `public/` with its bytes, in path order.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let public = self.root().join("public");
        let mut files: Vec<_> = walkdir::WalkDir::new(&public)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(&public).unwrap().to_path_buf();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }
}

/// Builds `site` expecting content errors: exit 1 (not a crash: an abort is 134, a kill 137)
/// and every message on stderr.
pub fn errors_of(site: &TestSite) -> String {
    let run = site.build(&[]);
    assert_eq!(
        run.code, 1,
        "expected a failed build, got:\n{}{}",
        run.stdout, run.stderr
    );
    run.stderr
}

/// Fails the test unless `text` (versus's messages) contains `expected`.
pub fn assert_has(text: &str, expected: &str) {
    assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Writes as editors save: a temporary file beside the target, then a rename, so a watcher
/// never sees a half-written file.
pub fn write_atomic(path: &Path, text: &str) {
    let name = path.file_name().unwrap().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.tmp~"));
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

/// A real PNG of `width`×`height` at `path` (folders made): sites refer to images that versus
/// now reads for their size, so a placeholder must decode.
pub fn write_png(path: &Path, width: u32, height: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 96]))
        .save(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Reads an HTTP/1.1 request head from `stream` (for the tests' small servers): its path.
pub fn request_path(stream: &std::net::TcpStream) -> String {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(stream);
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    first.split_whitespace().nth(1).unwrap_or("").to_owned()
}

/// Runs `versus args…` in `dir` on the day [`TODAY`], as a user at a terminal there would.
pub fn versus_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .env_remove("CLICOLOR_FORCE")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run versus")
        .into()
}

//! Issue #11: no command, with any flag, deletes a file versus did not create, and a failed,
//! concurrent or killed build never damages the previous output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Run, TODAY, TestSite};

/// `versus build --root <site> <args>` with `HOME` set, as a user's shell would have it.
fn build_at_home(site: &TestSite, home: &Path, args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .env("HOME", home)
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .args(args)
        .output()
        .expect("run versus")
        .into()
}

fn spawn_build(root: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .arg("build")
        .arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run versus")
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (relative, fs::read(e.path()).unwrap_or_default())
        })
        .collect()
}

/// The names in `dir` that a build of `public` leaves beside it while it runs.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".versus-staging") || n.contains(".versus-old"))
        .collect()
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".versus-backup-"))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Finding 1: `--output "$HOME" --force` deleted the home folder's files, `.ssh/` included.
#[test]
fn force_never_touches_the_home_folder() {
    let site = TestSite::new("basic");
    let home = tempfile::tempdir().unwrap();
    fs::create_dir_all(home.path().join(".ssh")).unwrap();
    fs::write(home.path().join(".ssh/id_ed25519"), "secret").unwrap();
    fs::write(home.path().join("notes.txt"), "mine").unwrap();
    let before = tree(home.path());
    for args in [&["--force"][..], &[]] {
        let mut all = vec!["--output", home.path().to_str().unwrap()];
        all.extend(args);
        let run = build_at_home(&site, home.path(), &all);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("your home folder"), "{}", run.stderr);
        assert!(!run.stderr.contains("pass --force"), "{}", run.stderr);
    }
    assert_eq!(
        tree(home.path()),
        before,
        "the home folder is exactly as it was"
    );
    let parent = home.path().parent().unwrap().to_str().unwrap().to_owned();
    let run = build_at_home(&site, home.path(), &["--output", &parent, "--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// Finding 1: `--output .git --force` destroyed the repository.
#[test]
fn force_never_touches_a_repository() {
    let site = TestSite::new("basic");
    site.write(".git/HEAD", "ref: refs/heads/main\n");
    site.write(".git/objects/ab/cdef", "object");
    let elsewhere = tempfile::tempdir().unwrap();
    let repo = elsewhere.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let git = site.root().join(".git");
    let before = tree(&git);
    for output in [git.clone(), git.join("objects"), repo.clone()] {
        let run = site.build(&["--output", output.to_str().unwrap(), "--force"]);
        assert_eq!(run.code, 2, "{}: {}", output.display(), run.stderr);
        assert!(
            run.stderr.contains("refusing to write into"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(tree(&git), before);
    assert!(repo.join(".git/HEAD").is_file());
}

/// Finding 1: `--output src --force` replaced the source. Now the foreign folder is moved
/// aside whole, to a backup folder whose path is printed, and nothing of it is deleted.
#[test]
fn force_moves_a_foreign_folder_aside_instead_of_deleting_it() {
    let site = TestSite::new("basic");
    site.write("src/main.rs", "fn main() {}\n");
    site.write("src/deep/lib.rs", "// lib\n");
    let src = site.root().join("src");
    let before = tree(&src);
    let run = site.build(&["--output", src.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("it was not made by versus"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&src), before, "refused without --force, untouched");

    let run = site.build(&["--output", src.to_str().unwrap(), "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let backups = backups(site.root());
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(
        backups[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("src.versus-backup-"),
        "{backups:?}"
    );
    assert_eq!(tree(&backups[0]), before, "every file kept, unchanged");
    assert!(
        run.stderr.contains(&backups[0].display().to_string()),
        "the backup's path is printed: {}",
        run.stderr
    );
    assert!(src.join("index.html").is_file(), "the site is built there");
}

/// A file dropped into the output by hand (a CNAME, a verification file) is not deleted by
/// the next build: it is moved aside, and the build says where.
#[test]
fn files_added_to_the_output_by_hand_are_kept() {
    let site = TestSite::new("basic");
    site.build_ok();
    site.write("public/CNAME", "example.org\n");
    site.write("public/about/notes.txt", "mine\n");
    let run = site.build_ok();
    let backups = backups(site.root());
    assert_eq!(backups.len(), 1, "{backups:?}\n{}", run.stderr);
    assert_eq!(
        fs::read_to_string(backups[0].join("CNAME")).unwrap(),
        "example.org\n"
    );
    assert_eq!(
        fs::read_to_string(backups[0].join("about/notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(run.stderr.contains("moved aside"), "{}", run.stderr);
    assert!(
        !site.root().join("public/CNAME").exists(),
        "not published unasked"
    );
    assert!(site.root().join("public/about/index.html").is_file());
    // Nothing else was moved: the files versus wrote are simply replaced.
    assert_eq!(tree(&backups[0]).len(), 2);
}

/// Finding 4: an empty output folder made beforehand (`mkdir public`, as CI and volume mounts
/// do) made the first build exit 2 after swapping, and every later build fail.
#[test]
fn an_empty_output_folder_is_adopted() {
    let site = TestSite::new("basic");
    fs::create_dir(site.root().join("public")).unwrap();
    site.build_ok();
    assert!(site.root().join("public/index.html").is_file());
    site.build_ok();
    let run = site.build(&["--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        leftovers(site.root()).is_empty(),
        "{:?}",
        leftovers(site.root())
    );
    assert!(backups(site.root()).is_empty());
}

/// Finding 13: `--output includes/out` was accepted; no folder inside a source folder is.
#[test]
fn outputs_inside_source_folders_are_refused() {
    let site = TestSite::new("basic");
    site.write("includes/note.html", "<p>note</p>\n");
    for folder in [
        "includes/out",
        "content/out",
        "static/css/out",
        "layouts/out",
        "data/x",
    ] {
        let output = site.root().join(folder);
        let run = site.build(&["--output", output.to_str().unwrap(), "--force"]);
        assert_eq!(run.code, 2, "{folder}: {}", run.stderr);
        assert!(run.stderr.contains("source folder"), "{}", run.stderr);
        assert!(!output.exists(), "{folder} was made");
    }
}

/// Finding 5: a kill during the previous output's removal (its marker went first) wedged every
/// later build. Leftovers of killed builds are recognised by their marker and cleaned.
#[test]
fn leftovers_of_killed_builds_are_cleaned_by_the_next_build() {
    let site = many_posts(200);
    site.build_ok();
    let public = site.root().join("public");
    // A previous output half removed: some of its files gone, its marker still there.
    let half = site.root().join(".public.versus-staging-4242-1");
    crate::harness::copy_tree(&public, &half);
    fs::remove_file(half.join("index.html")).unwrap();
    // The staging folder of a build killed while it wrote pages.
    let mut child = spawn_build(site.root(), &["--no-cache"]);
    let started = Instant::now();
    let killed_staging = |names: Vec<String>| {
        names
            .iter()
            .any(|n| n.contains("staging-") && !n.contains("-4242-"))
    };
    while !killed_staging(leftovers(site.root())) && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        killed_staging(leftovers(site.root())),
        "{:?}",
        leftovers(site.root())
    );
    site.build_ok();
    assert!(
        leftovers(site.root()).is_empty(),
        "{:?}",
        leftovers(site.root())
    );
    assert!(backups(site.root()).is_empty(), "all of it was versus's");
    site.build_ok();
}

/// Finding 5: a read-only folder in the old output stopped its removal and wedged the next
/// builds. Run as an ordinary user (permissions do not bind root).
#[test]
fn a_read_only_old_output_does_not_wedge_builds() {
    let site = TestSite::new("basic");
    let as_user = |args: &[&str]| -> Run {
        let mut command = if is_root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
            c.arg(env!("CARGO_BIN_EXE_versus"));
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_versus"))
        };
        command
            .env("SOURCE_DATE_EPOCH", TODAY.to_string())
            .args(["build", "--no-cache", "--root"])
            .arg(site.root())
            .args(args)
            .output()
            .expect("run versus (setpriv is in util-linux)")
            .into()
    };
    if is_root() {
        let chown = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(site.root())
            .status()
            .unwrap();
        assert!(chown.success());
        // The user must reach the site through the folders above it.
        let mut up = site.root().parent();
        while let Some(dir) = up {
            let mode = fs::metadata(dir).unwrap().permissions();
            use std::os::unix::fs::PermissionsExt;
            assert!(
                mode.mode() & 0o001 != 0,
                "{} is not searchable",
                dir.display()
            );
            up = dir.parent();
        }
    }
    let first = as_user(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    use std::os::unix::fs::PermissionsExt;
    let about = site.root().join("public/about");
    fs::set_permissions(&about, fs::Permissions::from_mode(0o555)).unwrap();
    let run = as_user(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = as_user(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        leftovers(site.root()).is_empty(),
        "{:?}",
        leftovers(site.root())
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A site of `posts` short posts, to give builds enough to do to be interrupted.
fn many_posts(posts: usize) -> TestSite {
    let site = TestSite::new("basic");
    for n in 0..posts {
        let day = n % 28 + 1;
        let month = n / 28 % 12 + 1;
        let year = 2000 + n / (28 * 12);
        site.write(
            &format!("content/posts/{year}-{month:02}-{day:02}-post-{n}.md"),
            &format!(
                "---\ntitle: Post {n}\ntags: [t{}]\n---\nThe text of post {n}, with [a link](/about/).\n\n## A part\n\nMore words about number {n}.\n",
                n % 7
            ),
        );
    }
    site
}

/// Finding 3: two builds of one site at once both exited 0 with an incomplete output, or left
/// the site unbuildable. Now the second waits for the first.
#[test]
fn two_builds_at_once_both_succeed_and_leave_a_complete_output() {
    let site = many_posts(120);
    site.build_ok();
    let public = site.root().join("public");
    let expected = tree(&public);
    for round in 0..20 {
        let first = spawn_build(site.root(), &[]);
        let second = spawn_build(site.root(), &[]);
        for child in [first, second] {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {stderr}");
        }
        assert!(
            tree(&public) == expected,
            "round {round}: the output is not complete"
        );
        assert!(
            leftovers(site.root()).is_empty(),
            "{:?}",
            leftovers(site.root())
        );
    }
    assert!(backups(site.root()).is_empty());
}

/// A small deterministic generator, so a failing run can be repeated.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Whether the marker of `public` is another file than `before`: the swap has happened.
fn swapped(public: &Path, before: u64) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(public.join(".versus-output")).is_ok_and(|m| m.ino() != before)
}

fn marker_inode(public: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(public.join(".versus-output")).map_or(0, |m| m.ino())
}

/// SIGKILL at random moments of a 1,000-post build, a third of them right after the swap,
/// while the previous output is being removed: `public/` is always one whole output, the old
/// or the new, and the next build succeeds.
#[test]
fn a_killed_build_leaves_the_old_or_the_new_output_and_the_next_build_succeeds() {
    let site = many_posts(1000);
    let public = site.root().join("public");
    let title = |name: &str| {
        let config = fs::read_to_string(site.root().join("site.yaml")).unwrap();
        let config: String = config
            .lines()
            .map(|l| {
                if l.starts_with("title:") {
                    format!("title: {name}")
                } else {
                    l.into()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        site.write("site.yaml", &(config + "\n"));
    };
    let mut whole = Vec::new();
    let mut took = Duration::ZERO;
    for name in ["Variant A", "Variant B"] {
        title(name);
        let started = Instant::now();
        site.build_ok();
        took = took.max(started.elapsed());
        whole.push(tree(&public));
    }
    let mut random = XorShift(0x5EED_1234_ABCD_0011);
    let mut during_removal = 0;
    for round in 0..50 {
        let name = ["Variant A", "Variant B"][round % 2];
        title(name);
        let before = marker_inode(&public);
        let mut child = spawn_build(site.root(), &[]);
        let started = Instant::now();
        if round % 3 == 2 {
            // Right after the swap, when the previous output is being taken away.
            while !swapped(&public, before) && started.elapsed() < took * 4 {
                std::hint::spin_loop();
            }
        } else {
            let at = Duration::from_micros(random.below(took.as_micros() as u64 + 1));
            while started.elapsed() < at {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !leftovers(site.root()).is_empty() && swapped(&public, before) && !status.success() {
            during_removal += 1;
        }
        let now = tree(&public);
        assert!(
            now == whole[0] || now == whole[1],
            "round {round}: public/ is neither the old nor the new output ({} files)",
            now.len()
        );
        let run = site.build(&[]);
        assert_eq!(run.code, 0, "round {round}: {}", run.stderr);
        assert!(
            tree(&public) == whole[round % 2],
            "round {round}: not the new output"
        );
        assert!(
            leftovers(site.root()).is_empty(),
            "{:?}",
            leftovers(site.root())
        );
    }
    assert!(
        during_removal > 0,
        "no kill came while the previous output was being removed"
    );
    assert!(backups(site.root()).is_empty(), "nothing foreign was found");
}

/// The previous outputs a build sets aside beside `dir` for the next build to delete.
fn set_aside(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(".versus-previous-")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Issue #16: deleting the previous output was most of a warm build, so a build renames it
/// aside and the next build deletes it while rendering. There is never more than one, it is
/// the output just replaced, and the live output is whole throughout.
#[test]
fn the_previous_output_is_set_aside_and_removed_by_the_next_build() {
    let site = TestSite::new("basic");
    site.build_ok();
    assert!(
        set_aside(site.root()).is_empty(),
        "a first build replaces nothing"
    );
    let first = tree(&site.root().join("public"));
    site.build_ok();
    let aside = set_aside(site.root());
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(tree(&aside[0]), first, "it is the output just replaced");
    site.build_ok();
    let later = set_aside(site.root());
    assert_eq!(later.len(), 1, "{later:?}");
    assert_ne!(later, aside, "the one before was removed");
    assert!(site.root().join("public/about/index.html").is_file());
    assert!(backups(site.root()).is_empty(), "all of it was versus's");
}

/// A removal of a set-aside output cut short (a kill while the next build deleted it) is
/// finished by the build after, and a file someone put in it is moved to a backup, not deleted.
#[test]
fn a_set_aside_output_cut_short_is_finished_and_user_files_in_it_kept() {
    let site = TestSite::new("basic");
    site.build_ok();
    site.build_ok();
    let aside = set_aside(site.root()).pop().expect("a set-aside output");
    fs::remove_dir_all(aside.join("about")).unwrap();
    site.write(
        aside
            .strip_prefix(site.root())
            .unwrap()
            .join("notes.txt")
            .to_str()
            .unwrap(),
        "mine\n",
    );
    let run = site.build_ok();
    assert!(!aside.exists(), "{}", run.stderr);
    let backups = backups(site.root());
    assert_eq!(backups.len(), 1, "{backups:?}\n{}", run.stderr);
    assert_eq!(
        fs::read_to_string(backups[0].join("notes.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(set_aside(site.root()).len(), 1);
}

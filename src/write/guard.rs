//! Which folders may never be an output, with or without `--force`: replacing them would hide
//! or move a user's work even when nothing is deleted.

use std::path::{Component, Path, PathBuf};

/// The site's own folders: an output inside one would be read back as input.
pub const SOURCE_FOLDERS: [&str; 5] = ["content", "layouts", "data", "static", "includes"];

/// What marks a folder as someone's project rather than a place for output.
const PROJECT_MARKS: [&str; 4] = [".git", ".hg", ".svn", "site.yaml"];

/// Folders of the operating system, refused whatever they hold.
const SYSTEM_FOLDERS: [&str; 22] = [
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt",
    "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/Users", "/System",
];

/// How deep a forced, foreign output folder is searched for a project inside it.
const PROJECT_SEARCH_DEPTH: usize = 3;

/// Why `output` (absolute, normalised) can never be the output of the site at `root`, if so.
/// `home` is the user's home folder, when known.
pub fn refusal(root: &Path, output: &Path, home: Option<&Path>) -> Option<String> {
    if output.parent().is_none() {
        return Some("the root of the file system".into());
    }
    if let Some(home) = home {
        if output == home {
            return Some("your home folder".into());
        }
        if home.starts_with(output) {
            return Some("a folder that holds your home folder".into());
        }
    }
    if SYSTEM_FOLDERS.iter().any(|f| output == Path::new(f))
        || ["/proc", "/sys", "/dev"]
            .iter()
            .any(|f| output.starts_with(f))
    {
        return Some("a folder of the operating system".into());
    }
    if output == root {
        return Some("the site root".into());
    }
    if root.starts_with(output) {
        return Some("a folder that holds the site".into());
    }
    if let Some(folder) = SOURCE_FOLDERS
        .iter()
        .find(|f| output.starts_with(root.join(f)))
    {
        return Some(format!("inside the site's source folder {folder}/"));
    }
    if let Some(vcs) = output.components().find_map(|c| match c {
        Component::Normal(name) if [".git", ".hg", ".svn"].contains(&&*name.to_string_lossy()) => {
            Some(name.to_string_lossy().into_owned())
        }
        _ => None,
    }) {
        return Some(format!("inside a version control folder ({vcs})"));
    }
    if let Some(mark) = PROJECT_MARKS.iter().find(|m| output.join(m).exists()) {
        return Some(format!("a project folder (it holds {mark})"));
    }
    if let Some(folder) = SOURCE_FOLDERS.iter().find(|f| output.join(f).is_dir()) {
        return Some(format!("a site folder (it holds {folder}/)"));
    }
    None
}

/// A project (a repository or a site) inside a foreign folder that `--force` would move aside,
/// found within a few levels; the path to show the user.
pub fn project_inside(folder: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(folder)
        .min_depth(1)
        .max_depth(PROJECT_SEARCH_DEPTH)
        .into_iter()
        .filter_map(Result::ok)
        .find(|entry| {
            let name = entry.file_name().to_string_lossy();
            PROJECT_MARKS.contains(&&*name)
        })
        .map(|entry| entry.path().to_path_buf())
}

/// The user's home folder, normalised, when the environment names one.
pub fn home() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    let home = PathBuf::from(home);
    Some(home.canonicalize().unwrap_or(home))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let home = dir.path().join("home/ann");
        for folder in [
            "site/content",
            "home/ann",
            "repo/.git",
            "other-site/layouts",
        ] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        let refused = |output: &Path| refusal(&root, output, Some(&home));
        assert!(refused(Path::new("/")).is_some());
        assert!(refused(Path::new("/usr")).is_some());
        assert!(refused(Path::new("/proc/self")).is_some());
        assert!(refused(&home).is_some());
        assert!(refused(&dir.path().join("home")).is_some());
        assert!(refused(&root).is_some());
        assert!(refused(dir.path()).is_some());
        assert!(refused(&root.join("content/out")).is_some());
        assert!(refused(&root.join("includes/out")).is_some());
        assert!(refused(&dir.path().join("repo")).is_some());
        assert!(refused(&dir.path().join("repo/.git")).is_some());
        assert!(refused(&dir.path().join("repo/.git/objects")).is_some());
        assert!(refused(&dir.path().join("other-site")).is_some());
        assert_eq!(refused(&root.join("public")), None);
        assert_eq!(refused(&dir.path().join("www")), None);
        assert_eq!(refused(&home.join("www")), None);
    }

    #[test]
    fn projects_deep_inside_are_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b/.git")).unwrap();
        assert_eq!(
            project_inside(dir.path()),
            Some(dir.path().join("a/b/.git"))
        );
        assert_eq!(project_inside(&dir.path().join("a/b/.git")), None);
    }
}

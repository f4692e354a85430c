use crate::harness::TestSite;

#[test]
fn failed_build_leaves_previous_output_unchanged() {
    let site = TestSite::new("basic");
    site.build_ok();
    let before = site.snapshot();
    site.edit("content/about.md", "title: About", "title: [About");
    site.edit(
        "content/posts/2023-09-01-second-post.md",
        "Back to",
        "Forth to",
    );
    assert_eq!(site.build(&[]).code, 1);
    assert_eq!(
        before,
        site.snapshot(),
        "public/ is exactly as before the failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".versus-staging") || n.contains(".versus-old"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn files_removed_from_the_site_disappear_from_the_output() {
    let site = TestSite::new("basic");
    site.build_ok();
    std::fs::remove_file(site.root().join("content/about.md")).unwrap();
    site.build_ok();
    assert!(!site.root().join("public/about/index.html").exists());
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let site = TestSite::new("basic");
    let foreign = site.root().join("photos");
    site.write("photos/cat.jpg", "meow");
    let output = foreign.to_string_lossy().into_owned();
    let run = site.build(&["--output", &output]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("it was not made by versus"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("cat.jpg")).unwrap(),
        "meow"
    );

    let run = site.build(&["--output", &output, "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(foreign.join("index.html").is_file());
}

#[test]
fn refuses_the_site_root_and_its_ancestors() {
    let site = TestSite::new("basic");
    for output in [
        site.root().to_path_buf(),
        site.root().parent().unwrap().to_path_buf(),
    ] {
        let run = site.build(&["--output", &output.to_string_lossy(), "--force"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("refusing to write into"),
            "{}",
            run.stderr
        );
    }
    assert!(site.root().join("content/about.md").is_file());
}

#[test]
fn output_elsewhere_with_output_flag() {
    let site = TestSite::new("basic");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("www");
    let run = site.build(&["--output", &target.to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(target.join("index.html").is_file());
    assert!(!site.root().join("public").exists());
}

/// A rebuild leaves a page that did not change as it was (its modification time, which rsync and
/// the like go by), writes a changed page anew, and restores one edited in `public/` by hand.
#[cfg(unix)]
#[test]
fn a_rebuild_keeps_unchanged_files_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = TestSite::new("basic");
    site.build_ok();
    let public = site.root().join("public");
    let file = |page: &str| std::fs::metadata(public.join(page)).unwrap();
    let about = file("about/index.html");
    let first = "2023/08/11/first-post/index.html";
    let built = site.read(first);
    std::fs::write(public.join(first), built.replace('<', "[")).unwrap();
    site.edit(
        "content/posts/2023-09-01-second-post.md",
        "Back to",
        "Forth to",
    );
    site.build_ok();
    let again = file("about/index.html");
    assert_eq!(
        (again.ino(), again.mtime(), again.mtime_nsec()),
        (about.ino(), about.mtime(), about.mtime_nsec()),
        "the unchanged page is the same file"
    );
    assert_eq!(
        site.read(first),
        built,
        "the page edited by hand is rebuilt"
    );
    assert!(
        site.read("2023/09/01/second-post/index.html")
            .contains("Forth to")
    );
}

//! Issue #15, `versus import jekyll SRC DEST`: the Jekyll source of the oracle of
//! `tests/it/jekyll.rs`, imported and built, gives the post pages Jekyll 4.3 gave; SRC is never
//! changed; a non-empty DEST is refused untouched; what does not carry over is named at its file
//! and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Run, TODAY};
use crate::jekyll::{FACETS, differences, expected_pages, jekyll_source, source_of};

fn versus(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("run versus")
        .into()
}

fn import(src: &Path, dest: &Path) -> Run {
    versus(&[&"import", &"jekyll", &src, &dest])
}

/// Every file under `dir` with its bytes and permissions, in path order: what "unchanged" means.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, bool)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path() != dir)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let bytes = match e.file_type().is_file() {
                true => std::fs::read(e.path()).unwrap(),
                false => Vec::new(),
            };
            let readonly = e.metadata().unwrap().permissions().readonly();
            (rel, (bytes, readonly))
        })
        .collect()
}

/// The fixture's Jekyll site in a scratch folder, and an empty place for the import.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn fixture() -> Scratch {
        let scratch = Scratch {
            dir: tempfile::tempdir().unwrap(),
        };
        jekyll_source(&scratch.src());
        scratch
    }

    fn with(files: &[(&str, &str)]) -> Scratch {
        let scratch = Scratch {
            dir: tempfile::tempdir().unwrap(),
        };
        for (path, text) in files {
            let path = scratch.src().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        scratch
    }

    fn src(&self) -> PathBuf {
        self.dir.path().join("jekyll-site")
    }

    fn dest(&self) -> PathBuf {
        self.dir.path().join("versus-site")
    }

    fn read(&self, path: &str) -> String {
        let path = self.dest().join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

#[test]
fn the_imported_fixture_builds_the_post_pages_jekyll_built() {
    let scratch = Scratch::fixture();
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 0, "import failed:\n{}{}", run.stdout, run.stderr);
    let build = versus(&[&"build", &"--root", &scratch.dest()]);
    assert_eq!(
        build.code, 0,
        "build of the import failed:\n{}",
        build.stderr
    );

    let public = scratch.dest().join("public");
    let missing: Vec<String> = expected_pages()
        .into_keys()
        .filter(|path| !public.join(path).is_file())
        .map(|path| format!("{} -> public/{path}", source_of(&path)))
        .collect();
    assert!(
        missing.is_empty(),
        "the imported site did not write these posts where Jekyll did:\n  {}",
        missing.join("\n  ")
    );
    // The built-in theme wraps a post's content in `.post-content`; Jekyll's fixture layout
    // puts it alone in `<main>`.
    let mut failures = Vec::new();
    for (what, facet) in FACETS {
        failures.extend(differences(&public, ".post-content", what, *facet));
    }
    assert!(
        failures.is_empty(),
        "the imported fixture's post pages differ from Jekyll 4.3's:\n\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_jekyll_site_is_never_changed() {
    let scratch = Scratch::fixture();
    let before = tree(&scratch.src());
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = versus(&[&"build", &"--root", &scratch.dest()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        before == tree(&scratch.src()),
        "importing (and building the import) changed the Jekyll site"
    );
    assert!(!scratch.src().join("public").exists());
}

#[test]
fn a_folder_that_is_not_empty_is_refused_untouched() {
    let scratch = Scratch::fixture();
    std::fs::create_dir_all(scratch.dest().join("content")).unwrap();
    std::fs::write(scratch.dest().join("notes.txt"), "mine").unwrap();
    let before = tree(&scratch.dest());
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(
        before == tree(&scratch.dest()),
        "the refused folder was changed"
    );

    // Nor into the Jekyll site itself.
    let inside = scratch.src().join("versus");
    let run = import(&scratch.src(), &inside);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("never writes into the site it reads"));
    assert!(!inside.exists());
}

#[test]
fn a_folder_that_is_not_a_jekyll_site_is_refused() {
    let scratch = Scratch::with(&[("index.md", "# Not Jekyll\n")]);
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("not a Jekyll site: there is no _config.yml"),
        "{}",
        run.stderr
    );
    assert!(!scratch.dest().exists(), "a refused import wrote DEST");
}

#[test]
fn a_broken_config_is_an_error_at_its_line_and_nothing_is_written() {
    let scratch = Scratch::with(&[("_config.yml", "title: A\nurl: \"https://x\n")]);
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("_config.yml:2:"), "{}", run.stderr);
    assert!(!scratch.dest().exists());
}

/// A blog of the usual shape: settings with plugins and a collection, a page, a home page, a
/// draft, data, includes, assets, layouts and Sass.
const BLOG: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: My blog\ndescription: Notes\nurl: https://me.example\nbaseurl: \"\"\nlang: en-GB\nplugins:\n  - jekyll-feed\n  - jekyll-redirect-from\ncollections:\n  recipes:\n    output: true\ntwitter_username: me\nkramdown:\n  input: GFM\n  auto_ids: true\nexclude: [notes]\n",
    ),
    (
        "_posts/2024-01-02-hello.markdown",
        "---\nlayout: default\ntitle: Hello\n---\nHi from {{ site.title }}, see {{ site.twitter_username }}.\n",
    ),
    (
        "_posts/2024-02-03-wide.md",
        "---\ntitle: Wide\nlayout: full-width\n---\nWide.\n",
    ),
    (
        "_drafts/coming-soon.md",
        "---\ntitle: Coming soon\ndate: 2024-03-04\n---\nSoon.\n",
    ),
    (
        "index.md",
        "---\nlayout: home\ntitle: Home\n---\nWelcome.\n",
    ),
    ("about.md", "---\nlayout: page\ntitle: About\n---\nMe.\n"),
    (
        "travel/_posts/2024-04-05-lisbon.md",
        "---\ntitle: Lisbon\n---\nSun.\n",
    ),
    ("assets/_drafts-old/x.md", "---\n---\nold\n"),
    (
        "_posts/2024-05-06-hidden.md",
        "---\ntitle: Hidden\npublished: false\n---\nNot yet.\n",
    ),
    (
        "archive.html",
        "---\nlayout: default\n---\n{% for p in site.posts %}{% endfor %}\n",
    ),
    ("_data/links.yml", "- name: Me\n  url: https://me.example\n"),
    ("_data/people.csv", "name\nMe\n"),
    ("_includes/box.html", "<div>{{ include.text }}</div>\n"),
    ("_layouts/default.html", "<html>{{ content }}</html>\n"),
    ("_sass/main.scss", "body { margin: 0 }\n"),
    ("_recipes/soup.md", "---\ntitle: Soup\n---\nHot.\n"),
    ("assets/img/me.png", "not really a png"),
    ("assets/main.scss", "---\n---\n@import 'main';\n"),
    ("CNAME", "me.example\n"),
    ("Gemfile", "source 'https://rubygems.org'\n"),
    ("notes/todo.md", "---\n---\nprivate\n"),
    (".jekyll-cache/x", "cache"),
];

#[test]
fn a_blog_is_mapped_folder_by_folder_and_builds() {
    let scratch = Scratch::with(BLOG);
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let site = scratch.read("site.yaml");
    for line in [
        "title: My blog",
        "description: Notes",
        "base_url: https://me.example\n",
        "language: en-GB",
        "permalink: date",
        "liquid: true",
        "code_markup: jekyll",
        "twitter_username: me",
        "kramdown:\n  input: GFM\n  auto_ids: true",
    ] {
        assert!(site.contains(line), "site.yaml lacks {line:?}:\n{site}");
    }
    for key in [
        "plugins:",
        "collections:",
        "exclude:",
        "url:",
        "baseurl:",
        "lang:",
    ] {
        let kept = site.lines().any(|line| line.starts_with(key));
        assert!(!kept, "site.yaml keeps `{key}`:\n{site}");
    }
    assert!(
        scratch
            .read("content/posts/2024-01-02-hello.md")
            .contains("layout: post\n")
    );
    assert!(
        scratch
            .read("content/posts/2024-02-03-wide.md")
            .contains("layout: post\n")
    );
    assert_eq!(
        scratch.read("content/posts/2024-03-04-coming-soon.md"),
        "---\ndraft: true\ntitle: Coming soon\ndate: 2024-03-04\n---\nSoon.\n"
    );
    assert!(scratch.read("content/index.md").contains("layout: index\n"));
    assert!(
        scratch
            .read("content/posts/2024-05-06-hidden.md")
            .starts_with("---\ndraft: true\ntitle: Hidden\npublished: false\n")
    );
    // A folder above `_posts` is a category, as on Jekyll.
    assert_eq!(
        scratch.read("content/posts/2024-04-05-lisbon.md"),
        "---\ncategories: [travel]\ntitle: Lisbon\n---\nSun.\n"
    );
    // Jekyll's `date` style wrote pages as /about.html; versus would write /about/.
    assert_eq!(
        scratch.read("content/about.md"),
        "---\npermalink: /about.html\nlayout: page\ntitle: About\n---\nMe.\n"
    );
    assert_eq!(
        scratch.read("data/links.yml"),
        "- name: Me\n  url: https://me.example\n"
    );
    assert_eq!(
        scratch.read("includes/box.html"),
        "<div>{{ include.text }}</div>\n"
    );
    assert_eq!(scratch.read("static/assets/img/me.png"), "not really a png");
    assert_eq!(scratch.read("static/CNAME"), "me.example\n");
    for left_out in [
        "Gemfile",
        "static/Gemfile",
        "static/notes/todo.md",
        "content/notes/todo.md",
        "layouts",
        "static/.jekyll-cache",
        "content/archive.md",
        "static/archive.html",
        "data/people.csv",
        "content/recipes",
        "static/assets/main.scss",
        "content/travel",
        "static/assets/_drafts-old",
    ] {
        assert!(
            !scratch.dest().join(left_out).exists(),
            "{left_out} was written"
        );
    }

    let build = versus(&[&"build", &"--root", &scratch.dest()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let hello =
        std::fs::read_to_string(scratch.dest().join("public/2024/01/02/hello.html")).unwrap();
    assert!(hello.contains("Hi from My blog, see me."), "{hello}");
    assert!(scratch.dest().join("public/about.html").is_file());
    assert!(
        scratch
            .dest()
            .join("public/travel/2024/04/05/lisbon.html")
            .is_file()
    );
    assert!(scratch.dest().join("public/index.html").is_file());
    // The draft and the unpublished post stay out, as on Jekyll without --drafts and
    // --unpublished.
    assert!(
        !scratch
            .dest()
            .join("public/2024/05/06/hidden.html")
            .exists()
    );
    assert!(
        !scratch
            .dest()
            .join("public/2024/03/04/coming-soon.html")
            .exists()
    );
}

#[test]
fn what_does_not_carry_over_is_named_at_its_file_and_line() {
    let scratch = Scratch::with(BLOG);
    let outside = scratch.dir.path().join("outside.txt");
    std::fs::write(&outside, "not part of the site").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, scratch.src().join("assets/linked.txt")).unwrap();
    let run = import(&scratch.src(), &scratch.dest());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let src = scratch.src();
    let at =
        |path: &str, line_col: &str| format!("{}:{line_col}: warning: ", src.join(path).display());
    for (path, line_col, what) in [
        (
            "_config.yml",
            "7:5",
            "plugin `jekyll-feed` not carried over: versus writes an Atom feed",
        ),
        (
            "_config.yml",
            "8:5",
            "plugin `jekyll-redirect-from` not carried over: versus runs no plugins",
        ),
        (
            "_config.yml",
            "9:1",
            "collections not carried over (recipes)",
        ),
        (
            "_posts/2024-02-03-wide.md",
            "3:9",
            "layout `full-width` not carried over: the built-in `post` layout is used",
        ),
        (
            "_layouts/default.html",
            "1:1",
            "Jekyll layout not carried over: the built-in theme is used; `versus theme copy` to change it",
        ),
        ("_sass/main.scss", "1:1", "Sass not carried over"),
        (
            "_recipes/soup.md",
            "1:1",
            "collection `recipes` (_recipes/) not carried over",
        ),
        (
            "_data/people.csv",
            "1:1",
            "data file not carried over: versus reads YAML data only; convert this .csv file to data/people.yaml",
        ),
        (
            "archive.html",
            "1:1",
            "HTML page with front matter not carried over",
        ),
        (
            "assets/main.scss",
            "1:1",
            "stylesheet with front matter (Sass) not carried over",
        ),
    ] {
        let expected = format!("{}{what}", at(path, line_col));
        assert!(
            run.stderr.contains(&expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
    #[cfg(unix)]
    {
        let expected = format!(
            "{}symbolic link not carried over",
            at("assets/linked.txt", "1:1")
        );
        assert!(run.stderr.contains(&expected), "{}", run.stderr);
        assert!(!scratch.dest().join("static/assets/linked.txt").exists());
    }
    // Mapped as Jekyll means them, without a word: `default` on a post, `home` on the home page.
    assert!(!run.stderr.contains("2024-01-02-hello"), "{}", run.stderr);
    assert!(!run.stderr.contains("index.md"), "{}", run.stderr);
}

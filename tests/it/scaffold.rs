//! Issue #14: anyone can start a comparison site: `versus init` writes a site that builds,
//! passes `check --strict` and serves at once; `versus new post|matrix` adds to it; nothing is
//! ever written over.

use crate::harness::{assert_has, versus_in as versus};
use crate::serve::Server;

#[test]
fn init_starts_a_site_that_builds_checks_clean_and_serves() {
    let temp = tempfile::tempdir().unwrap();
    let run = versus(temp.path(), &["init", "eks-vs-aks"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("started a site in eks-vs-aks ("),
        "{}",
        run.stdout
    );
    for next in [
        "cd eks-vs-aks",
        "versus serve --open",
        "versus check --strict",
        "versus build",
    ] {
        assert!(run.stdout.contains(next), "{next}: {}", run.stdout);
    }
    let site = temp.path().join("eks-vs-aks");
    for file in [
        "site.yaml",
        ".gitignore",
        "data/providers.yaml",
        "data/matrices/basics.yaml",
        "data/series.yaml",
        "content/posts/2026-11-25-alpha-and-beta-compared.md",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    // The look is the built-in theme's: the smallest site has no layouts or stylesheet.
    assert!(!site.join("layouts").exists() && !site.join("static").exists());

    let check = versus(&site, &["check", "--strict"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stderr.contains("check: 0 error(s), 0 warning(s)"),
        "{}",
        check.stderr
    );
    let build = versus(&site, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let post =
        std::fs::read_to_string(site.join("public/2026/11/25/alpha-and-beta-compared/index.html"))
            .unwrap();
    assert!(
        post.contains(r#"<figure class="matrix"#),
        "the post shows its table"
    );
    assert!(post.contains(r#"<abbr title="Alpha">Alpha</abbr>"#));
    assert!(
        post.contains("part 1 of 2"),
        "the post is part of its series"
    );
    assert!(site.join("public/compare/basics/index.html").is_file());
    // The theme links only the listings that exist: these posts have tags, no categories.
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains(r#"<a href="/tags/">Tags</a>"#), "{home}");
    assert!(!home.contains(r#"href="/categories/""#), "{home}");

    let server = Server::start(&site);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("Alpha and Beta compared"), "{home}");

    // The next post and the next matrix, still clean.
    let new_post = versus(&site, &["new", "post", "Pricing, in depth"]);
    assert_eq!(new_post.code, 0, "{}", new_post.stderr);
    assert!(
        new_post
            .stdout
            .contains("content/posts/2026-11-25-pricing-in-depth.md")
    );
    let new_matrix = versus(&site, &["new", "matrix", "Pricing"]);
    assert_eq!(new_matrix.code, 0, "{}", new_matrix.stderr);
    let matrix = std::fs::read_to_string(site.join("data/matrices/pricing.yaml")).unwrap();
    assert!(matrix.contains("    alpha:\n      support: unknown") && matrix.contains("    beta:"));
    let check = versus(&site, &["check", "--strict"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn init_and_new_never_write_over_anything() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("notes.md"), "mine").unwrap();
    let run = versus(temp.path(), &["init"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the folder is not empty"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_dir(temp.path()).unwrap().count(),
        1,
        "nothing written"
    );
    assert_eq!(
        std::fs::read_to_string(temp.path().join("notes.md")).unwrap(),
        "mine"
    );

    let site = temp.path().join("site");
    assert_eq!(versus(temp.path(), &["init", "site"]).code, 0);
    let post = site.join("content/posts/2026-11-25-alpha-and-beta-compared.md");
    let before = std::fs::read_to_string(&post).unwrap();
    let again = versus(&site, &["new", "post", "Alpha and Beta: compared!"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&post).unwrap(), before);
    let outside = versus(temp.path(), &["new", "matrix", "x"]);
    assert_eq!(outside.code, 2);
    assert!(
        outside.stderr.contains("no data/providers.yaml"),
        "{}",
        outside.stderr
    );
}

/// First-run messages: a missing `base_url` warns once, and a key a letter or two from a known
/// one (in site.yaml or front matter) gets a did-you-mean, at its line.
#[test]
fn mistyped_settings_and_front_matter_keys_get_a_did_you_mean() {
    let temp = tempfile::tempdir().unwrap();
    assert_eq!(versus(temp.path(), &["init", "s"]).code, 0);
    let site = temp.path().join("s");
    let settings = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    let settings = settings
        .replace("base_url: https://my-comparison.example\n", "")
        .replace("stale_after_days: 365", "stale_afte_days: 365");
    std::fs::write(site.join("site.yaml"), &settings).unwrap();
    let post = site.join("content/posts/2026-11-25-alpha-and-beta-compared.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("tags: [alpha, beta]", "tag: [alpha, beta]"),
    )
    .unwrap();
    let run = versus(&site, &["build"]);
    assert_eq!(run.code, 0, "warnings only: {}", run.stderr);
    let line = settings
        .lines()
        .position(|l| l.starts_with("stale_afte_days"))
        .unwrap()
        + 1;
    for expected in [
        "site.yaml: warning: no `base_url`: feeds, the sitemap and page metadata link to http://localhost".to_owned(),
        format!("site.yaml:{line}:1: warning: unknown setting `stale_afte_days`: did you mean `stale_after_days`?"),
        "content/posts/2026-11-25-alpha-and-beta-compared.md:5:1: warning: unknown front matter key `tag`: did you mean `tags`?".to_owned(),
    ] {
        assert!(run.stderr.contains(&expected), "missing {expected:?} in:\n{}", run.stderr);
    }
    assert_eq!(run.stderr.matches("no `base_url`").count(), 1, "once");
    // With --base-url, or an extra key of the site's own, nothing to say.
    let run = versus(&site, &["build", "-b", "https://example.com/"]);
    assert!(!run.stderr.contains("base_url"), "{}", run.stderr);
}

/// A first build that fails still answers with the errors, not a bare 404, and the page turns
/// into the site once the error is fixed.
#[test]
fn serve_shows_the_errors_of_a_first_build_that_fails() {
    let temp = tempfile::tempdir().unwrap();
    assert_eq!(versus(temp.path(), &["init", "s"]).code, 0);
    let site = temp.path().join("s");
    let copy = versus(&site, &["theme", "copy", "layouts/post.html"]);
    assert_eq!(copy.code, 0, "{}", copy.stderr);
    let layout = site.join("layouts/post.html");
    let good = std::fs::read_to_string(&layout).unwrap();
    let broken = good.replacen("{% block content %}", "{% block content %}{{ nope( }}", 1);
    std::fs::write(&layout, &broken).unwrap();
    let server = Server::start(&site);
    let (status, page) = server.get("/");
    assert_eq!(status, 503, "{page}");
    assert!(
        page.contains("<h1>The site does not build yet</h1>"),
        "{page}"
    );
    assert!(
        page.contains("layouts/post.html:4:"),
        "the error, at its place: {page}"
    );
    assert!(page.contains("/__versus/live.js"), "reloads when fixed");
    let (status, _) = server.get("/any/page/");
    assert_eq!(status, 503);

    crate::harness::write_atomic(&layout, &good);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, page) = server.get("/");
        if status == 200 {
            assert!(page.contains("Alpha and Beta compared"));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never rebuilt: {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// First-run messages: `init` names the site after its folder, and a site whose title is
/// missing or a starter's placeholder warns once, at its key, with what to do.
#[test]
fn init_names_the_site_after_its_folder_and_a_placeholder_title_warns() {
    let temp = tempfile::tempdir().unwrap();
    assert_eq!(versus(temp.path(), &["init", "eks-vs-aks"]).code, 0);
    let site = temp.path().join("eks-vs-aks");
    let settings = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    assert!(settings.contains("\ntitle: \"Eks vs aks\"\n"), "{settings}");
    assert_eq!(versus(&site, &["build"]).code, 0);
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("<h1>Eks vs aks</h1>"), "{home}");

    // `init` with no folder names the site after the current one, quoted as YAML needs.
    let here = temp.path().join("kube: \"notes\" #1");
    std::fs::create_dir(&here).unwrap();
    assert_eq!(versus(&here, &["init"]).code, 0);
    let check = versus(&here, &["check", "--strict"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let settings = std::fs::read_to_string(here.join("site.yaml")).unwrap();
    assert!(
        settings.contains(r#"title: "Kube: \"notes\" #1""#),
        "{settings}"
    );

    // A folder that names nothing gives a placeholder, and the build says so once.
    let started = versus(temp.path(), &["init", "my-site"]);
    assert_eq!(started.code, 0);
    assert_has(
        &started.stdout,
        "  cd my-site\n  edit site.yaml          give the site its name (`title:`)\n",
    );
    let named = versus(temp.path(), &["init", "eks-vs-gke"]);
    assert!(!named.stdout.contains("edit site.yaml"), "{}", named.stdout);
    let site = temp.path().join("my-site");
    let run = versus(&site, &["build"]);
    assert_eq!(run.code, 0, "a warning only: {}", run.stderr);
    let line = std::fs::read_to_string(site.join("site.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("title:"))
        .unwrap()
        + 1;
    let expected = format!(
        "site.yaml:{line}:1: warning: `title` is a placeholder (`My site`): pages, the home page and feeds show it as the site's name\n  = help: name the site in site.yaml, such as `title: EKS versus AKS`"
    );
    assert!(
        run.stderr.contains(&expected),
        "{expected}\nin:\n{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("`title`").count(), 1, "once");
    let check = versus(&site, &["check", "--strict"]);
    assert_eq!(check.code, 1, "--strict fails on it: {}", check.stdout);

    // No title at all.
    let settings = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    let untitled: String = settings
        .lines()
        .filter(|l| !l.starts_with("title:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(site.join("site.yaml"), untitled).unwrap();
    let run = versus(&site, &["build"]);
    assert!(
        run.stderr.contains(
            "site.yaml: warning: no `title`: pages, the home page and feeds show no site name"
        ),
        "{}",
        run.stderr
    );
}

//! Issue #14, social cards: every post and area page without an `image:` gets a 1200×630 PNG
//! that its `og:image` points to; one with its own image keeps it; the cards are cached, can
//! be switched off, and the preview server serves them too.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::harness::{assert_has, versus_in as versus, write_atomic, write_png};
use crate::serve::Server;

const BASE: &str = "https://my-comparison.example";

/// A site from `versus init`, with a post that has its own image and one whose title is long
/// and full of markup characters.
fn site() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let run = versus(temp.path(), &["init", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = temp.path().join("site");
    write(
        &root,
        "content/posts/2026-11-20-own-image.md",
        "---\ntitle: A post with a picture\nimage: /img/own.png\n---\n\nText.\n",
    );
    write_png(&root.join("static/img/own.png"), 320, 200);
    write(
        &root,
        "content/posts/2026-11-21-markup.md",
        "---\ntitle: \"Alpha <&> Beta: a title long enough to wrap over three lines of the \
         card and then some more, so that it has to be cut short with an ellipsis\"\n---\n\n\
         Text.\n",
    );
    (temp, root)
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_atomic(&path, text);
}

fn build(root: &Path, args: &[&str]) {
    let args: Vec<&str> = ["build"].into_iter().chain(args.iter().copied()).collect();
    let run = versus(root, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The `content` of the `<meta>` whose `property` or `name` is `key`.
fn meta(html: &str, key: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(&format!("meta[property='{key}'], meta[name='{key}']")).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|m| m.value().attr("content").map(str::to_owned))
}

/// (width, height) from the IHDR chunk of a PNG; fails the test unless `bytes` is one.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "no PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR is not the first chunk");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Every post page of the output (`og:type` article), by path.
fn post_pages(public: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            (
                e.path().to_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .filter(|(_, html)| meta(html, "og:type").as_deref() == Some("article"))
        .collect()
}

/// The card a page's metadata names: checked to be a 1200×630 PNG in the output, as the
/// metadata says; returns its path in the output.
fn card_of(public: &Path, page: &Path, html: &str) -> PathBuf {
    let name = page.display();
    let url = meta(html, "og:image").unwrap_or_else(|| panic!("{name}: no og:image"));
    let path = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{name}: og:image {url} is not on the site"));
    let file = public.join(path.trim_start_matches('/'));
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{name}: {url}: {e}"));
    assert_eq!(png_size(&bytes), (1200, 630), "{name}");
    assert_eq!(
        meta(html, "og:image:width").as_deref(),
        Some("1200"),
        "{name}"
    );
    assert_eq!(
        meta(html, "og:image:height").as_deref(),
        Some("630"),
        "{name}"
    );
    let alt = meta(html, "og:image:alt").unwrap_or_default();
    let title = meta(html, "og:title").unwrap();
    assert!(
        alt.contains(&title),
        "{name}: alt {alt:?} lacks the title {title:?}"
    );
    assert_eq!(
        meta(html, "twitter:card").as_deref(),
        Some("summary_large_image"),
        "{name}"
    );
    assert_eq!(meta(html, "twitter:image"), Some(url), "{name}");
    file
}

#[test]
fn posts_and_area_pages_without_an_image_point_to_a_card_png_of_their_own() {
    let (_temp, root) = site();
    build(&root, &[]);
    let public = root.join("public");
    let posts = post_pages(&public);
    assert_eq!(posts.len(), 3, "the post of init and the two added");
    let mut cards = Vec::new();
    for (page, html) in &posts {
        if html.contains("A post with a picture") {
            // Its own image stays, and no card is drawn for it.
            let image = meta(html, "og:image");
            assert_eq!(image.as_deref(), Some(&*format!("{BASE}/img/own.png")));
            assert_eq!(meta(html, "og:image:width"), None);
            assert!(!page.with_file_name("card.png").exists());
            continue;
        }
        let card = card_of(&public, page, html);
        assert_eq!(card, page.with_file_name("card.png"), "beside its page");
        cards.push(card);
    }
    assert_eq!(cards.len(), 2);
    // The title of markup characters is the page's title, escaped once in the HTML.
    let markup = &posts
        .iter()
        .find(|(_, h)| h.contains("Alpha &lt;&amp;&gt; Beta"));
    assert!(markup.is_some(), "the markup post is there");

    // The area page of the matrix too.
    let area = public.join("compare/basics/index.html");
    let html = std::fs::read_to_string(&area).unwrap();
    let card = card_of(&public, &area, &html);
    assert_eq!(card, public.join("compare/basics/card.png"));
    assert!(meta(&html, "og:image:alt").unwrap().contains("Alpha"));

    // Pages that are neither get none; no card is a page of the sitemap.
    let about = std::fs::read_to_string(public.join("about/index.html")).unwrap();
    assert_eq!(meta(&about, "og:image"), None);
    assert_eq!(meta(&about, "twitter:card").as_deref(), Some("summary"));
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains(".png"), "{sitemap}");
}

#[test]
fn cards_differ_by_what_they_show() {
    let (_temp, root) = site();
    build(&root, &[]);
    let public = root.join("public");
    let cards: Vec<Vec<u8>> = post_pages(&public)
        .iter()
        .filter(|(_, html)| meta(html, "og:image:width").is_some())
        .map(|(page, _)| std::fs::read(page.with_file_name("card.png")).unwrap())
        .chain([std::fs::read(public.join("compare/basics/card.png")).unwrap()])
        .collect();
    assert_eq!(cards.len(), 3);
    assert_ne!(cards[0], cards[1]);
    assert_ne!(cards[1], cards[2]);
    assert_ne!(cards[0], cards[2]);
}

#[test]
fn social_cards_false_draws_none() {
    let (_temp, root) = site();
    let settings = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    write(
        &root,
        "site.yaml",
        &format!("{settings}social_cards: false\n"),
    );
    build(&root, &[]);
    let public = root.join("public");
    let pngs: Vec<PathBuf> = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_owned())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(pngs, [public.join("img/own.png")]);
    for (page, html) in post_pages(&public) {
        if !html.contains("A post with a picture") {
            assert_eq!(meta(&html, "og:image"), None, "{}", page.display());
            assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"));
        }
    }
    assert!(!root.join(".versus-cache/cards").exists());
}

#[test]
fn social_cards_must_be_true_or_false() {
    let (_temp, root) = site();
    let settings = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    write(
        &root,
        "site.yaml",
        &format!("{settings}social_cards: sometimes\n"),
    );
    let run = versus(&root, &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = settings.lines().count() + 1;
    assert_has(
        &run.stderr,
        &format!("site.yaml:{line}:1: error: `social_cards` must be true or false"),
    );
}

#[test]
fn an_unchanged_card_comes_from_the_cache_and_no_cache_draws_it_afresh() {
    let (_temp, root) = site();
    build(&root, &[]);
    let cache = root.join(".versus-cache/cards");
    let entries = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().to_owned())
            .collect();
        files.sort();
        files
    };
    let kept = entries(&cache);
    assert_eq!(kept.len(), 3, "two posts and the area: {kept:?}");
    let area_card = root.join("public/compare/basics/card.png");
    let drawn = std::fs::read(&area_card).unwrap();
    let entry = kept
        .iter()
        .find(|e| std::fs::read(e).unwrap() == drawn)
        .expect("the area's card is in the cache");

    // A marked entry shows up in the output: the build read it instead of drawing.
    let mut marked = drawn.clone();
    marked.splice(33..33, *b"\0\0\0\x04tEXtmark\0\0\0\0");
    std::fs::write(entry, &marked).unwrap();
    build(&root, &[]);
    assert_eq!(std::fs::read(&area_card).unwrap(), marked);

    // --no-cache draws every card, and leaves the cache alone.
    build(&root, &["--no-cache"]);
    assert_eq!(std::fs::read(&area_card).unwrap(), drawn);
    assert_eq!(std::fs::read(entry).unwrap(), marked);

    // A new title is a new card.
    let post = "content/posts/2026-11-20-own-image.md";
    write(
        &root,
        post,
        "---\ntitle: Now without a picture\n---\n\nText.\n",
    );
    build(&root, &[]);
    assert_eq!(entries(&cache).len(), 4);
}

#[test]
fn the_preview_server_serves_the_cards_redraws_a_retitled_one_and_drops_one_given_an_image() {
    let (_temp, root) = site();
    build(&root, &[]);
    let built = std::fs::read(root.join("public/compare/basics/card.png")).unwrap();
    let server = Server::start(&root);
    let get = |path: &str| {
        let mut response = Server::agent()
            .get(&format!("{}{path}", server.base))
            .call()
            .expect("GET");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.body_mut().read_to_vec().unwrap();
        (status, kind, body)
    };
    let (status, kind, served) = get("/compare/basics/card.png");
    assert_eq!(status, 200);
    assert_eq!(kind.as_deref(), Some("image/png"));
    assert_eq!(served, built, "served as built");

    let posts = std::fs::read_dir(root.join("public/2026/11/21")).unwrap();
    let slug = posts.map(|e| e.unwrap().file_name()).next().unwrap();
    let slug = slug.to_string_lossy();
    let card = format!("/2026/11/21/{slug}/card.png");
    let (status, _, before) = get(&card);
    assert_eq!(status, 200);
    assert_eq!(png_size(&before), (1200, 630));
    let post = "content/posts/2026-11-21-markup.md";
    let text = std::fs::read_to_string(root.join(post)).unwrap();
    write(&root, post, &text.replace("Alpha <&> Beta", "Gamma"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, _, now) = get(&card);
        if status == 200 && now != before {
            assert_eq!(png_size(&now), (1200, 630));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the card did not change"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // An image given later replaces the card, which is gone.
    let text = std::fs::read_to_string(root.join(post)).unwrap();
    write(
        &root,
        post,
        &text.replacen("---\n", "---\nimage: /img/own.png\n", 1),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while get(&card).0 != 404 {
        assert!(
            std::time::Instant::now() < deadline,
            "the card is still served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, _, page) = get(&format!("/2026/11/21/{slug}/"));
    let page = String::from_utf8(page).unwrap();
    assert_eq!(meta(&page, "og:image:width"), None);
    assert!(page.contains("/img/own.png"), "{page}");
}

/// The big networks show no SVG: a post whose `image:` is one gets a drawn card in its link
/// preview, while `page.image` stays for the layout's own use.
#[test]
fn an_svg_image_gets_a_card_for_link_previews() {
    let (_temp, root) = site();
    write(
        &root,
        "content/posts/2026-11-22-diagram.md",
        "---\ntitle: A post with a diagram\nimage: /img/diagram.SVG?v=1\n---\n\nText.\n",
    );
    write(
        &root,
        "static/img/diagram.SVG",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    build(&root, &[]);
    let public = root.join("public");
    let (page, html) = post_pages(&public)
        .into_iter()
        .find(|(_, html)| html.contains("A post with a diagram"))
        .unwrap();
    let card = card_of(&public, &page, &html);
    assert_eq!(card, page.with_file_name("card.png"));
    assert!(!html.contains("diagram.SVG\">"), "no SVG in the meta tags");
}

//! `versus serve` against a real server on an ephemeral port: HTTP with ureq (and raw bytes
//! where a client would tidy the path), live-reload events read from the SSE stream.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::harness::{TODAY, TestSite, write_atomic, write_png};

/// A running `versus serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub address: String,
}

impl Server {
    pub fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// [`Server::start`] with more arguments for `versus serve`.
    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_versus"))
            .env("SOURCE_DATE_EPOCH", TODAY.to_string())
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start versus serve");
        let stdout = child.stdout.take().unwrap();
        // Owned at once, so the process is stopped even if it never prints its address.
        let mut server = Server {
            child,
            base: String::new(),
            address: String::new(),
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            // Reads to the end, so the server never writes into a closed pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("versus serve printed its address");
            if let Some(url) = line.strip_prefix("serving ") {
                let base = url.split_whitespace().next().unwrap().trim_end_matches('/');
                server.base = base.to_owned();
                let host = base.trim_start_matches("http://");
                server.address = host.split('/').next().unwrap().to_owned();
                return server;
            }
        }
    }

    pub fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into()
    }

    /// GET with a real client: status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut response = Self::agent()
            .get(&format!("{}{path}", self.base))
            .call()
            .expect("GET");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (status, body)
    }

    /// The request line exactly as given, for paths a client would normalise.
    pub fn raw(&self, method: &str, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    /// Subscribes to the live-reload stream.
    pub fn events(&self) -> Events {
        self.events_of("/__versus/events")
    }

    /// Subscribes to the live-reload stream as the page at `path` does (`/a/`).
    pub fn events_on(&self, path: &str) -> Events {
        let page = percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
        self.events_of(&format!("/__versus/events?page={page}"))
    }

    fn events_of(&self, target: &str) -> Events {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            let mut data = Vec::new();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_owned();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push(d.trim_start().to_owned());
                } else if line.is_empty() && !name.is_empty() {
                    if tx
                        .send((std::mem::take(&mut name), data.join("\n")))
                        .is_err()
                    {
                        break;
                    }
                    data.clear();
                }
            }
        });
        let events = Events { rx };
        let (name, _) = events.next(Duration::from_secs(10)).expect("hello event");
        assert_eq!(name, "hello");
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    pub fn next(&self, timeout: Duration) -> Option<(String, String)> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// Waits for the next rebuild to finish, then for the watcher to settle: every event
    /// until 400 ms pass without one. Returns the events seen, but for `check` and the
    /// `settled` that ends each rebuild.
    pub fn settle(&self) -> Vec<(String, String)> {
        self.settle_all()
            .into_iter()
            .filter(|(name, _)| name != "check" && name != "settled")
            .collect()
    }

    /// [`Events::settle`], with the `versus check` summaries that follow each rebuild.
    pub fn settle_all(&self) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        loop {
            let event = self.next(Duration::from_secs(20)).expect("a rebuild event");
            let rebuilt = event.0 != "check";
            seen.push(event);
            if rebuilt {
                break;
            }
        }
        while let Some(event) = self.next(Duration::from_millis(400)) {
            seen.push(event);
        }
        seen
    }
}

const POST: &str = "content/posts/2023-08-11-first-post.md";
const POST_URL: &str = "/2023/08/11/first-post/";

#[test]
fn editing_a_post_reloads_pages_and_serves_the_new_text() {
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let (status, page) = server.get(POST_URL);
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<script src="/__versus/live.js?build=1"></script></body>"#),
        "serve adds the reload script"
    );
    let events = server.events();
    site.edit(
        POST,
        "Intro with a footnote.",
        "Freshly edited intro. <!-- TODO: more -->",
    );
    let seen = events.settle_all();
    // The fixture has three warnings of its own; the new TODO makes four.
    let checks: Vec<&str> = seen
        .iter()
        .filter(|(n, _)| n == "check")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(
        checks.last().copied(),
        Some("versus check: 0 error(s), 4 warning(s)"),
        "the preview shows the count of `versus check` findings: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(name, data)| name == "reload"
                && data.contains("2023/08/11/first-post/index.html")),
        "{seen:?}"
    );
    let (_, page) = server.get(POST_URL);
    assert!(page.contains("Freshly edited intro."));
    assert!(
        !site.root().join("public").exists(),
        "serve never writes public/"
    );
}

/// A reload names only the outputs whose bytes changed, also when a new file makes the server
/// assemble the site again.
#[test]
fn a_new_post_reloads_what_shows_it_and_not_the_rest() {
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let events = server.events();
    site.write(
        "content/posts/2023-09-01-second.md",
        "---\ntitle: Second post\n---\nMore.\n",
    );
    let seen = events.settle();
    let (_, changed) = seen
        .iter()
        .find(|(n, _)| n == "reload")
        .unwrap_or_else(|| panic!("{seen:?}"));
    let changed: Vec<&str> = changed.lines().collect();
    assert!(
        changed.contains(&"2023/09/01/second/index.html"),
        "{changed:?}"
    );
    assert!(changed.contains(&"index.html"), "{changed:?}");
    for same in ["css/site.css", "404.html", "robots.txt"] {
        assert!(
            !changed.contains(&same),
            "{same} did not change: {changed:?}"
        );
    }
}

#[test]
fn a_css_edit_sends_a_css_event() {
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let events = server.events();
    site.write("static/css/site.css", "body { color: #000; }\n");
    let seen = events.settle();
    assert_eq!(
        seen.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["css"],
        "{seen:?}"
    );
    assert_eq!(server.get("/css/site.css").1, "body { color: #000; }\n");
}

#[test]
fn a_broken_template_shows_errors_and_the_server_keeps_serving() {
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let events = server.events();
    site.edit("layouts/post.html", "{{ page.title }}", "{{ page.title }");
    let seen = events.settle();
    let (_, errors) = seen
        .iter()
        .find(|(n, _)| n == "build-error")
        .unwrap_or_else(|| panic!("{seen:?}"));
    assert!(errors.contains("layouts/post.html:5:"), "{errors}");
    assert!(errors.contains("syntax error"), "{errors}");
    let (status, page) = server.get(POST_URL);
    assert_eq!(status, 200, "the last good build is still served");
    assert!(page.contains("First post: the basics"));
    // A page opened now learns about the errors as soon as it connects.
    let late = server.events();
    let (name, data) = late.next(Duration::from_secs(5)).unwrap();
    assert_eq!(
        (name.as_str(), data.contains("layouts/post.html")),
        ("build-error", true)
    );
    site.edit("layouts/post.html", "{{ page.title }", "{{ page.title }}");
    let seen = events.settle();
    assert!(
        seen.iter().any(|(n, _)| n == "build-ok" || n == "reload"),
        "{seen:?}"
    );
}

#[test]
fn nothing_outside_the_output_is_served() {
    let site = TestSite::new("basic");
    site.write("secret.txt", "TOP SECRET");
    std::os::unix::fs::symlink(
        site.root().join("secret.txt"),
        site.root().join("static/leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(site.root(), site.root().join("static/root")).unwrap();
    let server = Server::start(site.root());
    for path in [
        "/../secret.txt",
        "/css/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "/..%5csecret.txt",
        "/css\\..\\..\\secret.txt",
        "//secret.txt",
        "/leak.txt",
        "/root/secret.txt",
        "/site.yaml",
        "/content/about.md",
        "/secret.txt%00.html",
    ] {
        let (status, text) = server.raw("GET", path);
        assert!(status == 403 || status == 404, "{path}: {status}");
        assert!(!text.contains("TOP SECRET"), "{path}");
    }
}

#[test]
fn head_folders_redirects_404_and_no_caching() {
    let site = TestSite::new("basic");
    site.write(
        "layouts/404.html",
        "{% extends \"base.html\" %}{% block main %}Lost here{% endblock %}",
    );
    let server = Server::start(site.root());
    let (status, text) = server.raw("HEAD", POST_URL);
    assert_eq!(status, 200);
    assert!(text.ends_with("\r\n\r\n"), "HEAD has no body: {text}");
    assert!(text.contains("Content-Type: text/html; charset=utf-8"));
    assert!(text.contains("Cache-Control: no-store"));
    let (status, text) = server.raw("GET", "/2023/08/11/first-post");
    assert_eq!(status, 301);
    assert!(text.contains("Location: /2023/08/11/first-post/"), "{text}");
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(
        body.contains("Lost here"),
        "the site's own 404 page: {body}"
    );
    let (status, _) = server.raw("GET", "/css/site.css");
    assert_eq!(status, 200);
}

#[test]
fn many_open_event_streams_do_not_starve_requests() {
    let site = TestSite::new("basic");
    let server = Server::start(site.root());
    let streams: Vec<Events> = (0..60).map(|_| server.events()).collect();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(server.get("/").0, 200);
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(streams);
}

/// A small deterministic random source, so a failing sequence can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// The page open in the browser reloads as soon as it is current, before the thousand
/// listing pages a new date shifts (at 10,000 posts they took 0.3 s); those are held until
/// current, so a page asked for right after the reload is never stale.
#[test]
fn an_open_page_reloads_first_and_the_rest_is_held_until_current() {
    let dir = site_of_many_posts("title: T\npermalink: /:slug/\npaginate: 2\n");
    let root = dir.path();
    let server = Server::start(root);
    let events = server.events_on("/p0/");
    // The oldest post becomes the newest: it moves across every page of the listings.
    many_posts_post(root, 0, "date: 2024-02-01\n");
    let (name, first) = std::iter::from_fn(|| events.next(Duration::from_secs(20)))
        .find(|(name, _)| name != "check")
        .expect("a reload");
    assert_eq!(name, "reload", "{first}");
    // Asked for at once, as the reloaded page's links would be.
    let asked = [
        "index.html",
        "page/50/index.html",
        "tags/rust/page/2/index.html",
        "p1/index.html",
    ];
    let served: Vec<(u16, Vec<u8>)> = asked.iter().map(|key| served(&server, key)).collect();
    assert_eq!(first, "p0/index.html", "only the open page, first");
    let built = clean_build(root, &server.base);
    for (key, (status, bytes)) in asked.iter().zip(served) {
        let clean = built.iter().find(|(k, _)| k == key).map(|(_, b)| b);
        assert_eq!(status, 200, "{key}");
        assert!(
            clean == Some(&bytes),
            "{key} was served before it was current"
        );
    }
    let rest = events.settle_all();
    assert!(
        rest.iter().any(|(name, _)| name == "settled"),
        "the rest followed: {rest:?}"
    );
    assert!(
        !rest.iter().any(|(name, _)| name == "reload"),
        "the open page did not change again: {rest:?}"
    );
}

/// A new date moves a post to another URL (the permalink has the date): the page showing it
/// is told where it went, once that page is current there, before the listings are done.
#[test]
fn an_open_page_whose_post_moves_is_sent_where_it_went() {
    let dir = site_of_many_posts("title: T\npaginate: 2\n");
    let root = dir.path();
    let server = Server::start(root);
    let events = server.events_on("/2023/01/01/p0/");
    many_posts_post(root, 0, "date: 2024-02-01\n");
    let (name, url) = std::iter::from_fn(|| events.next(Duration::from_secs(20)))
        .find(|(name, _)| name != "check")
        .expect("an event");
    assert_eq!((name.as_str(), url.as_str()), ("moved", "/2024/02/01/p0/"));
    let key = "2024/02/01/p0/index.html";
    let (status, bytes) = served(&server, key);
    let built = clean_build(root, &server.base);
    let clean = built.iter().find(|(k, _)| k == key).map(|(_, b)| b);
    assert_eq!(status, 200);
    assert!(
        clean == Some(&bytes),
        "the page where the post went is current"
    );
    let rest = events.settle_all();
    assert!(rest.iter().any(|(name, _)| name == "settled"), "{rest:?}");
}

/// A site of 200 posts, enough that its listings take a while after an open page is done.
fn site_of_many_posts(site_yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), site_yaml).unwrap();
    std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
    for n in 0..200 {
        many_posts_post(dir.path(), n, "");
    }
    dir
}

/// Post `n` of [`site_of_many_posts`], dated by `n` in 2023, with more front matter.
fn many_posts_post(root: &Path, n: usize, front: &str) {
    let (month, day) = (1 + n / 28, 1 + n % 28);
    let path = root.join(format!("content/posts/2023-{month:02}-{day:02}-p{n}.md"));
    let text = format!("---\ntitle: Post {n}\ntags: [rust]\n{front}---\nWords.\n");
    write_atomic(&path, &text);
}

/// The repository's own site (posts, matrices, series, layouts), copied to a scratch folder.
fn repository_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Its look is the built-in theme's: it has no layouts/ of its own.
    for part in ["content", "data", "static"] {
        crate::harness::copy_tree(&repo.join(part), &dir.path().join(part));
    }
    std::fs::copy(repo.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    dir
}

/// Every file of a clean build of `root`, with the base URL the server uses.
fn clean_build(root: &Path, base: &str) -> Vec<(String, Vec<u8>)> {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_versus"))
        .env("SOURCE_DATE_EPOCH", TODAY.to_string())
        .args(["build", "--base-url", base, "--root"])
        .arg(root)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    walkdir::WalkDir::new(&output)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let key = e
                .path()
                .strip_prefix(&output)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (key, without_fingerprints(std::fs::read(e.path()).unwrap()))
        })
        .filter(|(key, _)| key != ".versus-output")
        .collect()
}

/// A built file as the server answers it: `asset_url` links without their `?v=<hash>`, which
/// only `build` adds (the server's reused pages do not depend on the files' bytes).
fn without_fingerprints(mut bytes: Vec<u8>) -> Vec<u8> {
    let marker = b".css?v=";
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(marker.len()).position(|w| w == marker) {
        let start = at + found + 4;
        bytes.drain(start..start + 13);
        at = start;
    }
    bytes
}

/// A served file as `build` would have written it: without the live-reload script tag.
fn served(server: &Server, key: &str) -> (u16, Vec<u8>) {
    // A Jekyll category keeps its spaces in the folder (`queue basics, explained/`).
    const PATH: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'#').add(b'?');
    let path = percent_encoding::utf8_percent_encode(key, PATH);
    let mut response = Server::agent()
        .get(&format!("{}/{path}", server.base))
        .call()
        .unwrap();
    let status = response.status().as_u16();
    let mut body = response.body_mut().read_to_vec().unwrap();
    let marker = b"<script src=\"/__versus/live.js?build=";
    if let Some(start) = body.windows(marker.len()).position(|w| w == marker) {
        let end = body[start..]
            .windows(9)
            .position(|w| w == b"</script>")
            .unwrap()
            + start
            + 9;
        body.drain(start..end);
    }
    (status, body)
}

/// The incremental rebuilds of `serve` never go stale: after every step of a random sequence
/// of edits, creations, renames and deletions across posts, data and layouts, every page
/// served equals a clean build of the same files, and nothing else is served. Edits cover
/// what the server patches in place (a post's text, title, tags, description) and what makes
/// it assemble the site again (dates, drafts, renames, data, layouts, settings).
#[test]
fn served_pages_equal_a_clean_build_after_random_edits() {
    let dir = repository_site();
    let root = dir.path();
    // A page listing every post through `posts`, reading a post's reading time only when
    // its title has "alpha": what it reads of the posts depends on what it read before.
    std::fs::create_dir_all(root.join("layouts")).unwrap();
    std::fs::write(
        root.join("layouts/archive.html"),
        "{% extends \"base.html\" %}{% block content %}<ul>{% for p in posts %}<li>{{ p.title }}{% if \"alpha\" in p.title %} ({{ p.reading_time }} min){% endif %}</li>{% endfor %}</ul>{% endblock %}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/archive.md"),
        "---\ntitle: Archive\nlayout: archive\n---\nEvery post.\n",
    )
    .unwrap();
    // Feeds with whole posts, RSS and a feed per term: each made from what it lists.
    let config = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    std::fs::write(
        root.join("site.yaml"),
        format!("{config}\nfeed: {{content: full, rss: true, taxonomies: [tags, categories, authors], entries: 5}}\n"),
    )
    .unwrap();
    let server = Server::start(root);
    // Open pages are rendered first and the rest is held until current: a generated page,
    // and a content page whose stream is only kept open.
    let events = server.events_on("/");
    let _about = server.events_on("/about/");
    let mut random = Lcg(0x5eed_2026);
    let mut created: Vec<String> = Vec::new();
    let mut ever_built: BTreeSet<String> = BTreeSet::new();
    let posts = |root: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root.join("content/posts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let edit = |path: &Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{} lacks {from:?}", path.display());
        write_atomic(path, &text.replacen(from, to, 1));
    };
    let mut log = Vec::new();
    for step in 0..30 {
        let word = ["alpha", "bravo", "charlie", "delta", "echo"][random.below(5)];
        let all = posts(root);
        let post = root
            .join("content/posts")
            .join(&all[random.below(all.len())]);
        let action = random.below(16);
        match action {
            0 => {
                let mut text = std::fs::read_to_string(&post).unwrap();
                text.push_str(&format!("\nA new paragraph about {word} in step {step}.\n"));
                write_atomic(&post, &text);
            }
            // A quoted title gets the word inside its quotes, so the YAML stays valid.
            1 if std::fs::read_to_string(&post)
                .unwrap()
                .contains("title: \"") =>
            {
                edit(&post, "title: \"", &format!("title: \"{word} "))
            }
            1 => edit(&post, "title: ", &format!("title: {word} ")),
            2 => {
                let name = format!(
                    "2024-0{}-1{}-{word}-{step}.md",
                    1 + random.below(9),
                    random.below(9)
                );
                // The repository's post, which is never renamed, deleted or made a draft.
                let link = all[0].clone();
                let text = format!(
                    "---\ntitle: About {word}\ntags: [{word}, aws]\n---\nSee [an earlier post]({link}).\n\n{{{{ matrix(\"storage\", only=\"differences\") }}}}\n\n## {word} heading\n\nText.\n"
                );
                write_atomic(&root.join("content/posts").join(&name), &text);
                created.push(name);
            }
            3 if !created.is_empty() => {
                let name = created.remove(random.below(created.len()));
                std::fs::remove_file(root.join("content/posts").join(name)).unwrap();
            }
            3 | 4 if !created.is_empty() => {
                let i = random.below(created.len());
                let renamed = format!(
                    "2025-0{}-2{}-renamed-{step}.md",
                    1 + random.below(9),
                    random.below(9)
                );
                std::fs::rename(
                    root.join("content/posts").join(&created[i]),
                    root.join("content/posts").join(&renamed),
                )
                .unwrap();
                created[i] = renamed;
            }
            5 => edit(
                &root.join("data/authors.yaml"),
                "name: ",
                &format!("name: {word} "),
            ),
            6 => {
                let matrix = root.join("data/matrices/storage.yaml");
                edit(&matrix, "note: ", &format!("note: ({word}) "));
            }
            7 => {
                let (layout, at) = [
                    ("layouts/post.html", "{% endblock %}"),
                    ("layouts/base.html", "</main>"),
                    ("layouts/index.html", "{% endblock %}"),
                    ("layouts/archive.html", "</ul>"),
                ][random.below(4)];
                // The first edit of a built-in layout takes it over: the site's copy replaces it.
                let path = root.join(layout);
                if !path.exists() {
                    let builtin = Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("theme")
                        .join(layout);
                    write_atomic(&path, &std::fs::read_to_string(builtin).unwrap());
                    events.settle();
                    assert_serves_a_clean_build(&server, root, &mut ever_built, &log);
                }
                edit(&path, at, &format!("<p>{word} {step}</p>{at}"));
            }
            8 => edit(
                &root.join("site.yaml"),
                "description: ",
                &format!("description: {word} "),
            ),
            9 => edit(
                &root.join("data/series.yaml"),
                "  - title: ",
                &format!("  - title: {word} "),
            ),
            10 if !created.is_empty() => {
                // An old URL: a redirect page and a line of _redirects.
                let post = root
                    .join("content/posts")
                    .join(&created[random.below(created.len())]);
                let alias = format!("/was/{word}-{step}/");
                let text = std::fs::read_to_string(&post).unwrap();
                let text = match text.contains("\naliases: [") {
                    true => text.replacen("\naliases: [", &format!("\naliases: [{alias}, "), 1),
                    false => text.replacen("---\n", &format!("---\naliases: [{alias}]\n"), 1),
                };
                write_atomic(&post, &text);
            }
            11 => edit(&post, "tags: [", &format!("tags: [{word}-{step}, ")),
            12 if !created.is_empty() => {
                // In and out of draft (drafts are left out of the site).
                let post = root
                    .join("content/posts")
                    .join(&created[random.below(created.len())]);
                let text = std::fs::read_to_string(&post).unwrap();
                let text = match text.strip_prefix("---\ndraft: true\n") {
                    Some(rest) => format!("---\n{rest}"),
                    None => text.replacen("---\n", "---\ndraft: true\n", 1),
                };
                write_atomic(&post, &text);
            }
            13 => {
                // A new date moves the post in every listing (and its URL).
                let text = std::fs::read_to_string(&post).unwrap();
                let date = format!("date: 2022-0{}-1{}\n", 1 + random.below(9), random.below(9));
                let text = match text.find("\ndate: ") {
                    Some(at) => {
                        let end = at + 1 + text[at + 1..].find('\n').unwrap() + 1;
                        format!("{}{date}{}", &text[..at + 1], &text[end..])
                    }
                    None => text.replacen("---\n", &format!("---\n{date}"), 1),
                };
                write_atomic(&post, &text);
            }
            14 => {
                // A description shows in listings and feeds.
                let text = std::fs::read_to_string(&post).unwrap();
                let text = match text.contains("\ndescription: ") {
                    true => text.replacen("\ndescription: ", &format!("\ndescription: {word} "), 1),
                    false => text.replacen("---\n", &format!("---\ndescription: {word}\n"), 1),
                };
                write_atomic(&post, &text);
            }
            15 => {
                let about = root.join("content/about.md");
                let mut text = std::fs::read_to_string(&about).unwrap();
                text.push_str(&format!("\nAbout {word} in step {step}.\n"));
                write_atomic(&about, &text);
            }
            _ => {
                let css = root.join("static/style.css");
                let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("theme/static/style.css");
                let text = std::fs::read_to_string(&css)
                    .unwrap_or_else(|_| std::fs::read_to_string(builtin).unwrap());
                write_atomic(&css, &format!("{text}\n.{word}-{step} {{ color: red; }}\n"));
            }
        }
        log.push(format!("step {step}: action {action}"));
        events.settle();
        assert_serves_a_clean_build(&server, root, &mut ever_built, &log);
    }
}

/// Every file of a clean build of `root` is served with the same bytes, and every file an
/// earlier build had but this one has not is gone (404).
fn assert_serves_a_clean_build(
    server: &Server,
    root: &Path,
    ever_built: &mut BTreeSet<String>,
    log: &[String],
) {
    let built = clean_build(root, &server.base);
    let keys: BTreeSet<String> = built.iter().map(|(k, _)| k.clone()).collect();
    for (key, bytes) in &built {
        let (status, body) = served(server, key);
        assert_eq!(status, 200, "{key} after {log:?}");
        assert!(
            body == *bytes,
            "{key} differs from a clean build after {log:?}:\nserved:\n{}\nbuilt:\n{}",
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(bytes)
        );
    }
    for gone in ever_built.difference(&keys) {
        let (status, _) = served(server, gone);
        assert_eq!(status, 404, "{gone} should be gone after {log:?}");
    }
    ever_built.extend(keys);
}

/// On a site with Liquid (the Jekyll fixture), what posts pull in from elsewhere is followed
/// too: an include, a new include, a `site.*` value, Liquid in a post, a file a post reads
/// with `include_relative`. Each edit reloads and the site served equals a clean build.
#[test]
fn liquid_includes_and_settings_are_followed() {
    let site = crate::jekyll::Site::new();
    let root = site.root();
    let server = Server::start(root);
    let events = server.events();
    let cold_starts = "content/posts/2024-03-10-serverless-cold-starts.md";
    let pricing = "content/posts/2024-02-03-object-storage-pricing.md";
    let aside = "content/posts/liquid-aside.txt";
    let mut ever_built = BTreeSet::new();
    let mut log = Vec::new();
    let steps: [(&str, &str, &str, &str); 5] = [
        (
            "includes/note.html",
            "<aside class=\"note",
            "<aside data-edited class=\"note",
            "data-edited",
        ),
        (
            cold_starts,
            "{% include note.html kind=\"tip\"",
            "{% include extra.html who=\"us\" %}\n\n{% include note.html kind=\"tip\"",
            "Added by us",
        ),
        ("site.yaml", "editor: ", "editor: Dr. ", "by Dr. "),
        (
            pricing,
            "by {{ site.editor }}",
            "by {{ site.editor | upcase }}",
            "by DR. ",
        ),
        (
            aside,
            "An aside read",
            "An edited aside read",
            "An edited aside",
        ),
    ];
    // A new include, used by no page yet: a rebuild that changes nothing.
    std::fs::write(
        root.join("includes/extra.html"),
        "<p>Added by {{ include.who }}.</p>\n",
    )
    .unwrap();
    events.settle();
    for (file, from, to, shows) in steps {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        write_atomic(&path, &text.replacen(from, to, 1));
        let seen = events.settle();
        assert!(
            seen.iter().any(|(name, _)| name == "reload"),
            "{file}: {seen:?}"
        );
        log.push(format!("{file}: {from} → {to}"));
        assert_serves_a_clean_build(&server, root, &mut ever_built, &log);
        let page = if file == pricing || file == "site.yaml" {
            "cloud/storage/2024/02/03/object-storage-pricing.html"
        } else if file == aside {
            "meta/2024/07/02/liquid-tags-in-posts.html"
        } else {
            "serverless/2024/03/10/serverless-cold-starts.html"
        };
        let (_, body) = served(&server, page);
        assert!(
            String::from_utf8_lossy(&body).contains(shows),
            "{page} shows {shows:?} after {log:?}"
        );
    }
}

/// `serve --base-url https://example.com/blog/` previews the site under /blog/, as a host
/// serves it once published: links work, the root leads there, nothing answers outside it.
#[test]
fn serve_with_a_base_url_serves_the_site_under_its_path() {
    let site = crate::harness::TestSite::new("blog");
    let server = Server::start_with(site.root(), &["-b", "https://example.com/blog/"]);
    assert!(server.base.ends_with("/blog"), "{}", server.base);
    let (status, home) = server.get("/");
    assert_eq!(status, 200, "{home}");
    let post = home
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/blog/20"))
        .unwrap_or_else(|| panic!("no post link under /blog/ in {home}"))
        .to_owned();
    let (status, _) = server.raw("GET", &post);
    assert_eq!(status, 200, "{post}");
    for (path, location) in [("/", "/blog/"), ("/blog", "/blog/")] {
        let (status, head) = server.raw("GET", path);
        assert_eq!(status, 301, "{path}: {head}");
        assert!(
            head.contains(&format!("Location: {location}\r\n")),
            "{head}"
        );
    }
    let (status, _) = server.raw("GET", post.trim_start_matches("/blog"));
    assert_eq!(status, 404, "outside /blog/ nothing is served");
}

/// The width and height versus gives an `<img>` of a file under `static/` follow the file:
/// an image replaced by one of another size reloads the page with the new size, as a clean
/// build writes it (they stayed those of the old file until a restart).
#[test]
fn an_image_of_another_size_changes_the_sizes_on_the_page() {
    let site = TestSite::new("basic");
    let root = site.root();
    std::fs::create_dir_all(root.join("static/img")).unwrap();
    let image = root.join("static/img/chart.png");
    write_png(&image, 640, 480);
    let post = root.join("content/posts/2023-09-01-second-post.md");
    let text = std::fs::read_to_string(&post).unwrap();
    write_atomic(&post, &format!("{text}\n![A chart](/img/chart.png)\n"));
    let server = Server::start(root);
    let events = server.events();
    let mut ever_built = BTreeSet::new();
    assert_serves_a_clean_build(&server, root, &mut ever_built, &[]);
    let sized = |width: &str| {
        let built = clean_build(root, &server.base);
        let (page, _) = built
            .iter()
            .find(|(_, bytes)| String::from_utf8_lossy(bytes).contains("alt=\"A chart\""))
            .expect("a page shows the chart");
        let (_, body) = served(&server, page);
        let body = String::from_utf8_lossy(&body).into_owned();
        assert!(
            body.contains(&format!("width=\"{width}\"")),
            "{page}: {body}"
        );
    };
    sized("640");
    // Made beside the site and moved in, so the server never reads half a file.
    let resized = root.with_extension("resized.png");
    write_png(&resized, 320, 200);
    std::fs::rename(&resized, &image).unwrap();
    let seen = events.settle();
    assert!(seen.iter().any(|(name, _)| name == "reload"), "{seen:?}");
    sized("320");
    assert_serves_a_clean_build(
        &server,
        root,
        &mut ever_built,
        &["chart.png resized".into()],
    );
}

/// A post's front-matter `image:` that no longer decodes fails the build, in the preview as
/// in a clean build: the server used to keep the page, since only the images its text and
/// layout showed made it render again (this layout shows `image:` without reading it).
#[test]
fn a_front_matter_image_that_stops_decoding_is_an_error_in_the_preview() {
    let site = TestSite::new("basic");
    let root = site.root();
    let image = root.join("static/img/cover.png");
    write_png(&image, 64, 48);
    let post = root.join("content/posts/2023-09-01-second-post.md");
    let text = std::fs::read_to_string(&post).unwrap();
    write_atomic(
        &post,
        &text.replacen("tags: [aws]", "tags: [aws]\nimage: /img/cover.png", 1),
    );
    let server = Server::start(root);
    let events = server.events();
    write_atomic(&image, "not a picture");
    let seen = events.settle();
    let (_, errors) = seen
        .iter()
        .find(|(name, _)| name == "build-error")
        .unwrap_or_else(|| panic!("no build error: {seen:?}"));
    assert!(
        errors.contains("2023-09-01-second-post.md") && errors.contains("image `/img/cover.png`"),
        "{errors}"
    );
    write_png(&image, 32, 24);
    let seen = events.settle();
    assert!(
        seen.iter().any(|(n, _)| n == "build-ok" || n == "reload"),
        "{seen:?}"
    );
}

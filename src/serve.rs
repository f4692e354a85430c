//! `versus serve`: the preview server. It builds the site into memory (never into `public/`),
//! serves it on loopback, watches the sources, rebuilds on change and tells open pages to
//! reload through Server-Sent Events.
//!
//! Threads: each connection has its own (see [`connection`]) and answers from the current
//! outputs; the main thread waits for file changes and rebuilds; a ticker keeps event streams
//! alive. They share one [`State`]; a rebuild swaps in a whole new set of outputs, so a request
//! never sees half a build, and it only queues its events (see [`events`]), so no page can
//! hold it up.

pub mod connection;
pub mod events;
pub mod http;
pub mod watch;

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::net::TcpListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Condvar, Mutex, RwLockReadGuard};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Paint};
use crate::pipeline::BuildOptions;
use crate::rebuild::{DeferredIndex, Outputs, Pending, Rebuild, SharedOutputs, Updated};

/// Keeps idle event streams open through proxies and notices closed tabs.
const PING_EVERY: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    /// How the terminal shows what the server says.
    pub console: Console,
}

/// What the server prints: one line per rebuild on stdout, diagnostics on stderr (dressed by
/// `paint`). Quiet keeps the address and the errors only.
#[derive(Debug, Clone)]
pub struct Console {
    pub quiet: bool,
    pub paint: Arc<dyn Paint>,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            quiet: false,
            paint: Arc::new(crate::diag::Plain),
        }
    }
}

impl Console {
    /// A line about the server's work (hidden under quiet).
    fn say(&self, line: &str) {
        if !self.quiet {
            say(line);
        }
    }

    /// Diagnostics of `root`, errors always, warnings unless quiet.
    fn show(&self, diagnostics: &[Diagnostic], root: &Path) {
        let shown: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error() || !self.quiet)
            .map(|d| d.clone().relative_to(root).render_with(&*self.paint))
            .collect();
        if !shown.is_empty() {
            complain(&shown.join("\n\n"));
        }
    }
}

/// What the HTTP workers and the rebuild loop share.
pub struct State {
    outputs: SharedOutputs,
    /// The search index files, made when first asked for.
    search_index: Arc<DeferredIndex>,
    streams: events::Streams,
    /// The diagnostics of a failed build, shown in an overlay until a build succeeds.
    errors: Mutex<Option<String>>,
    /// Counts successful builds, so a tab that reconnects knows whether it missed one.
    generation: AtomicU64,
    /// The latest `versus check` summary, shown in every open page.
    check: Mutex<Option<String>>,
    /// The path of `--base-url` (`/blog`, or empty): the site is served under it, as published.
    base_path: String,
    /// Between the two passes of a rebuild, the outputs the second may still change: requests
    /// for them wait on `settled` (nothing served is ever stale).
    pending: Mutex<Option<Pending>>,
    settled: Condvar,
}

impl State {
    /// A server of `outputs`, which the rebuilds keep up to date.
    pub fn new(outputs: SharedOutputs) -> State {
        State {
            outputs,
            search_index: Arc::default(),
            streams: events::Streams::default(),
            errors: Mutex::new(None),
            generation: AtomicU64::new(0),
            check: Mutex::new(None),
            base_path: String::new(),
            pending: Mutex::new(None),
            settled: Condvar::new(),
        }
    }

    /// The same, serving the search index files from `index`.
    pub fn with_search_index(mut self, index: Arc<DeferredIndex>) -> State {
        self.search_index = index;
        self
    }

    /// The search index file `output`, made now if the documents changed since it was made.
    pub fn search_file(&self, output: &str) -> Option<Arc<Vec<u8>>> {
        self.search_index.get(output)
    }

    /// The same, serving the site under `base_path` (`/blog`) as a host would.
    pub fn under(mut self, base_path: &str) -> State {
        self.base_path = base_path.trim_end_matches('/').to_owned();
        self
    }

    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The number of the build now served.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The outputs now served; hold the guard only for a lookup.
    pub fn outputs(&self) -> RwLockReadGuard<'_, Outputs> {
        self.outputs.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits while the rebuild under way may still change `output` (or make it), so that a
    /// page never shows a listing older than itself.
    pub fn wait_until_current(&self, output: &str) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        while pending
            .as_ref()
            .is_some_and(|p| p.holds(output, || self.outputs().contains_key(output)))
        {
            pending = self
                .settled
                .wait(pending)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The outputs the open pages show, rendered first by a rebuild.
    pub fn open_pages(&self) -> HashSet<String> {
        self.streams.pages()
    }

    fn hold(&self, pending: Option<Pending>) {
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = pending;
        self.settled.notify_all();
    }

    /// A new event stream of a page showing `page` (an output), when it said: it learns the
    /// build generation and any current errors at once. None when too many are open.
    pub fn add_stream(&self, page: Option<String>) -> Option<Receiver<Arc<[u8]>>> {
        self.streams.subscribe(page, || {
            let mut hello = event("hello", &self.generation.load(Ordering::SeqCst).to_string());
            let errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(errors) = errors.as_deref() {
                hello.push_str(&event("build-error", errors));
            }
            let check = self.check.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(check) = check.as_deref() {
                hello.push_str(&event("check", check));
            }
            hello
        })
    }

    /// Sends an event to every open page; it never waits for one (see [`events`]).
    pub fn broadcast(&self, name: &str, data: &str) {
        self.streams.send(&event(name, data));
    }

    /// An event for the pages showing `page` (an output) only.
    fn tell(&self, page: &str, name: &str, data: &str) {
        self.streams.send_to(page, &event(name, data));
    }

    fn ping(&self) {
        self.streams.send(": ping\n\n");
    }

    /// A build succeeded (its outputs are in place): its errors are gone.
    fn built(&self) {
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn set_check(&self, summary: String) {
        *self.check.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary);
    }

    /// The diagnostics of the failed build, while no build since has succeeded.
    pub fn errors(&self) -> Option<String> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn fail(&self, text: String) {
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = Some(text);
    }
}

impl Default for State {
    fn default() -> Self {
        State::new(SharedOutputs::default())
    }
}

/// One Server-Sent Event; every line of the data gets its own `data:` field.
fn event(name: &str, data: &str) -> String {
    let mut out = format!("event: {name}\n");
    for line in data.lines() {
        out.push_str(&format!("data: {line}\n"));
    }
    if data.is_empty() {
        out.push_str("data:\n");
    }
    out.push('\n');
    out
}

/// Serves until Ctrl-C. Errors here are about starting (port taken, no watcher).
pub fn run(mut options: ServeOptions) -> Result<(), String> {
    let listener = TcpListener::bind((options.bind.as_str(), options.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.bind, options.port))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.bind, options.port))?;
    // `--base-url https://example.com/blog/` previews the site under /blog/, as published.
    let base_path = match &options.build.overrides.base_url {
        Some(url) => base_path_of(url)?,
        None => String::new(),
    };
    let url = format!("http://{address}{base_path}/");
    // Absolute URLs (canonical links, feeds) point at the preview, not at the real site.
    options.build.overrides.base_url = Some(format!("http://{address}{base_path}"));
    let mut watcher = watch::Watcher::new(&options.build.root)?;
    let mut builder = Rebuild::new(options.build.clone());
    let state = Arc::new(
        State::new(builder.outputs())
            .with_search_index(builder.search_index())
            .under(&base_path),
    );
    let console = options.console.clone();
    rebuild(&state, &mut builder, None, "initial build", &console);
    // Even when quiet: with `--port 0` this is the only way to learn the address.
    say(&format!("serving {url} (Ctrl-C to stop)"));

    let answering = Arc::clone(&state);
    let handler: Arc<connection::Handler> =
        Arc::new(move |request| http::handle(request, &answering));
    std::thread::spawn(move || connection::serve(listener, handler));
    let ticker = Arc::clone(&state);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(PING_EVERY);
            ticker.ping();
        }
    });
    let quiet = console.quiet;
    ctrlc::set_handler(move || {
        if !quiet {
            println!("\nstopped");
        }
        std::process::exit(0);
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    if options.open {
        let _ = open::that(&url);
    }

    while let Some(changes) = watcher.next_changes() {
        let what = describe(&changes);
        let paths = (!changes.rescan).then_some(&changes.paths);
        rebuild(&state, &mut builder, paths, &what, &console);
    }
    Ok(())
}

/// The path of an absolute http(s) URL, without its trailing slash: `/blog`, or empty.
fn base_path_of(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("--base-url `{url}` must be an absolute http(s) URL such as `https://example.org/blog/`"))?;
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    Ok(path.trim_end_matches('/').to_owned())
}

/// "content/posts/a.md", "3 files", or "rescan".
fn describe(changes: &watch::Changes) -> String {
    match changes.paths.len() {
        0 => "rescan".into(),
        1 => changes
            .paths
            .iter()
            .next()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        n => format!("{n} files"),
    }
}

/// Rebuilds, installs the outputs and tells the open pages; prints one line. The pages open
/// in a browser are rendered first and reloaded at once; the rest follows, and requests for
/// it wait until it is current.
fn rebuild(
    state: &State,
    builder: &mut Rebuild,
    changed: Option<&BTreeSet<std::path::PathBuf>>,
    what: &str,
    console: &Console,
) {
    let started = Instant::now();
    let root = builder.root().to_path_buf();
    let open = state.open_pages();
    // A bug in versus must not take the preview down: it is shown like a build error.
    let first = catch_unwind(AssertUnwindSafe(|| {
        builder.update_open_first(changed, &open)
    }))
    .unwrap_or_else(|panic| Err(vec![internal_error(&root, "the rebuild", &*panic)]));
    let first = match first {
        Ok(first) => first,
        Err(diagnostics) => return failed(state, &root, what, &diagnostics, console),
    };
    let Some(pending) = first.pending else {
        announce(state, &first.updated, false);
        state.broadcast("settled", "");
        let elapsed = started.elapsed().as_millis();
        return finished(state, builder, what, &first.updated, elapsed, None, console);
    };
    state.hold(Some(pending));
    // A page whose post moved goes where it is now (rendered already), before any reload.
    for (shown, url) in &first.moved {
        state.tell(shown, "moved", url);
    }
    announce(state, &first.updated, true);
    let reloaded = started.elapsed().as_millis();
    let rest = catch_unwind(AssertUnwindSafe(|| builder.finish()))
        .unwrap_or_else(|panic| Some(Err(vec![internal_error(&root, "the rebuild", &*panic)])));
    state.hold(None);
    match rest {
        Some(Err(diagnostics)) => failed(state, &root, what, &diagnostics, console),
        rest => {
            let mut updated = first.updated;
            if let Some(Ok(rest)) = rest {
                // Another reload only when an open page's output changed again.
                let again: Vec<&str> = (rest.changed.iter())
                    .filter(|c| open.contains(*c))
                    .map(String::as_str)
                    .collect();
                if !again.is_empty() {
                    state.broadcast("reload", &again.join("\n"));
                }
                updated.changed.extend(rest.changed);
                updated.rendered += rest.rendered;
                updated.pages = rest.pages;
                updated.warnings = rest.warnings;
            }
            state.broadcast("settled", "");
            let elapsed = started.elapsed().as_millis();
            finished(
                state,
                builder,
                what,
                &updated,
                elapsed,
                Some(reloaded),
                console,
            );
        }
    }
}

/// Tells the open pages what a (first) pass changed; `settled` follows the last pass of every
/// successful rebuild. `partial`: more follows, so nothing is
/// sent when nothing changed yet.
fn announce(state: &State, updated: &Updated, partial: bool) {
    state.built();
    let changed = &updated.changed;
    let only_css = !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css"));
    let event_name = if only_css { "css" } else { "reload" };
    if !changed.is_empty() {
        let list: Vec<&str> = changed.iter().map(String::as_str).collect();
        state.broadcast(event_name, &list.join("\n"));
    } else if !partial {
        state.broadcast("build-ok", "");
    }
}

/// After the last pass: warnings, `versus check`, and the one line about the rebuild.
fn finished(
    state: &State,
    builder: &Rebuild,
    what: &str,
    updated: &Updated,
    elapsed: u128,
    reloaded: Option<u128>,
    console: &Console,
) {
    let root = builder.root().to_path_buf();
    console.show(&updated.warnings, &root);
    // After the reload went out: the check never delays the page.
    let check = catch_unwind(AssertUnwindSafe(|| builder.check())).unwrap_or_else(|panic| {
        console.show(&[internal_error(&root, "versus check", &*panic)], &root);
        None
    });
    let checked = match check {
        Some((errors, warnings)) => {
            let summary = format!("versus check: {errors} error(s), {warnings} warning(s)");
            state.set_check(summary.clone());
            state.broadcast("check", &summary);
            format!("; {summary}")
        }
        None => "; run `versus check` for links and leftovers".into(),
    };
    let open_first = match reloaded {
        Some(ms) => format!(" (open pages reloaded at {ms} ms)"),
        None => String::new(),
    };
    console.say(&format!(
        "{what}: {} of {} pages rendered, {} outputs changed, in {elapsed} ms{open_first}{checked}",
        updated.rendered,
        updated.pages,
        updated.changed.len(),
    ));
}

/// A rebuild failed: the last good build stays served, the pages show the errors.
fn failed(state: &State, root: &Path, what: &str, diagnostics: &[Diagnostic], console: &Console) {
    let text: Vec<String> = diagnostics
        .iter()
        .map(|d| d.clone().relative_to(root).render())
        .collect();
    let text = text.join("\n\n");
    console.show(diagnostics, root);
    complain(&format!(
        "{what}: build failed; still serving the last good build"
    ));
    state.fail(text.clone());
    state.broadcast("build-error", &text);
}

/// A panic caught in `what`, as a diagnostic that asks for a report.
fn internal_error(root: &Path, what: &str, panic: &(dyn std::any::Any + Send)) -> Diagnostic {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Diagnostic::error(
        root,
        format!("{what} failed inside versus ({message}); this is a bug, please report it"),
    )
}

/// Diagnostics on stderr; as with [`say`], a closed stream is ignored.
fn complain(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// One line on stdout; a closed terminal or pipe must not stop the server.
fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

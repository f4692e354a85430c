//! Answering requests from the in-memory site: safe paths, content types, the live-reload
//! stream and script. Nothing outside the built output is ever read.

use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::State;
use super::connection::{Body, Request, Response};

/// The Server-Sent Events stream pages listen on.
pub const EVENTS_PATH: &str = "/__versus/events";
/// The script that listens; injected into every HTML page in serve mode only.
pub const SCRIPT_PATH: &str = "/__versus/live.js";

const LIVE_SCRIPT: &str = include_str!("live.js");

/// Characters escaped when a path goes back into a `Location` header.
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub fn handle(request: &Request, state: &State) -> Response {
    let method = request.method.as_str();
    if !matches!(method, "GET" | "HEAD") {
        return Response::text(405, "only GET and HEAD").header("Allow", "GET, HEAD");
    }
    let path = request.target.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH {
        let page = page_of(&request.target, state.base_path());
        return open_stream(state, page, method == "HEAD");
    }
    if path == SCRIPT_PATH {
        return Response::new(200, Body::Bytes(LIVE_SCRIPT.as_bytes().to_vec()))
            .header("Content-Type", "text/javascript; charset=utf-8")
            .header("Cache-Control", "no-store");
    }
    let base = state.base_path();
    let redirect = |to: &str| {
        let location = utf8_percent_encode(&format!("{base}{to}"), PATH_ESCAPES).to_string();
        Response::new(301, Body::Empty).header("Location", location)
    };
    // Under a base path the site lives at /blog/…; its root and the bare /blog lead there.
    let path = if base.is_empty() {
        path
    } else if let Some(inside) = path.strip_prefix(base).filter(|p| p.starts_with('/')) {
        inside
    } else if path == base || path == "/" {
        return redirect("/");
    } else {
        return not_found(state);
    };
    match resolve(path, state) {
        Resolved::File(key, bytes) => file_response(&key, &bytes, state.generation()),
        Resolved::Redirect(to) => redirect(&to),
        Resolved::Forbidden => Response::text(403, "forbidden"),
        Resolved::NotFound => not_found(state),
    }
}

/// What a request path names.
#[derive(Debug, PartialEq)]
pub enum Resolved {
    File(String, Arc<Vec<u8>>),
    /// A folder asked for without its trailing slash: the path to send the browser to.
    Redirect(String),
    Forbidden,
    NotFound,
}

/// Maps a raw request path to an output file. The path is percent-decoded once; `..`,
/// backslashes and NUL are refused, so no request can name a file outside the output.
pub fn resolve(raw_path: &str, state: &State) -> Resolved {
    let Some(decoded) = safe_path(raw_path) else {
        return Resolved::Forbidden;
    };
    let folder = decoded.is_empty() || decoded.ends_with('/');
    let key = output_of(&decoded);
    // Asked for between the passes of a rebuild: served once current.
    state.wait_until_current(&key);
    if let Some(bytes) = state.search_file(&key) {
        return Resolved::File(key, bytes);
    }
    let outputs = state.outputs();
    if let Some(bytes) = outputs.get(&key) {
        return Resolved::File(key, Arc::clone(bytes));
    }
    if !folder && outputs.contains_key(&format!("{decoded}/index.html")) {
        return Resolved::Redirect(format!("/{decoded}/"));
    }
    Resolved::NotFound
}

/// The output a safe path names: a folder's `index.html`.
fn output_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// The output the page of an event stream shows, from its `?page=` (the page's
/// `location.pathname`, under the base path).
pub fn page_of(target: &str, base: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))?;
    let pathname = percent_decode_str(value).decode_utf8().ok()?;
    let inside = pathname.strip_prefix(base).filter(|p| p.starts_with('/'))?;
    Some(output_of(&safe_path(inside)?))
}

/// The path relative to the output folder, without a leading slash; None when it tries to
/// leave the output.
pub fn safe_path(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    if decoded.contains(['\0', '\\']) {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

fn file_response(key: &str, bytes: &Arc<Vec<u8>>, generation: u64) -> Response {
    let content_type = content_type(key);
    let body = if content_type.starts_with("text/html") {
        Body::Bytes(with_live_script(bytes, generation))
    } else {
        Body::Shared(Arc::clone(bytes))
    };
    Response::new(200, body)
        .header("Content-Type", content_type)
        // Every response is fresh: a rebuilt page must never come from the browser's cache.
        .header("Cache-Control", "no-store")
}

fn content_type(key: &str) -> String {
    let guess = mime_guess::from_path(key).first_or_octet_stream();
    match guess.type_() {
        mime_guess::mime::TEXT => format!("{guess}; charset=utf-8"),
        _ if guess.subtype() == "javascript" || guess.subtype() == "json" => {
            format!("{guess}; charset=utf-8")
        }
        _ => guess.to_string(),
    }
}

/// Adds the live-reload script before `</body>` (or at the end). It carries the build the page
/// comes from, so a page that connects after a rebuild it missed reloads at once.
pub fn with_live_script(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}?build={generation}\"></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

fn not_found(state: &State) -> Response {
    state.wait_until_current("404.html");
    if state.outputs().is_empty()
        && let Some(errors) = state.errors()
    {
        return first_build_failed(&errors, state.generation());
    }
    match state.outputs().get("404.html") {
        Some(page) => {
            let mut response = file_response("404.html", page, state.generation());
            response.status = 404;
            response
        }
        None => Response::text(404, "not found"),
    }
}

/// Before any build has succeeded there is no page to show the error overlay on: this one
/// shows the errors (also without JavaScript) and reloads into the site once they are fixed.
fn first_build_failed(errors: &str, generation: u64) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>The site does not build yet</title></head>\n<body><main><h1>The site does not build yet</h1>\n<p>Fix the errors below; this page reloads into the site when the build succeeds.</p>\n<pre>{}</pre></main></body></html>\n",
        crate::text::escape_html(errors)
    );
    Response::new(
        503,
        Body::Bytes(with_live_script(html.as_bytes(), generation)),
    )
    .header("Content-Type", "text/html; charset=utf-8")
    .header("Cache-Control", "no-store")
}

/// The live-reload stream: its connection thread writes the events [`State`] queues for it.
fn open_stream(state: &State, page: Option<String>, head_only: bool) -> Response {
    let body = if head_only {
        Body::Empty
    } else {
        match state.add_stream(page) {
            Some(events) => Body::Stream(events),
            None => return Response::text(503, "too many live-reload streams"),
        }
    };
    Response::new(200, body)
        .header("Content-Type", "text/event-stream")
        .header("Cache-Control", "no-store")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert_eq!(safe_path("/").as_deref(), Some(""));
        assert_eq!(safe_path("/a/b/").as_deref(), Some("a/b/"));
        assert_eq!(safe_path("/a//./b.css").as_deref(), Some("a/b.css"));
        assert_eq!(safe_path("/caf%C3%A9/").as_deref(), Some("café/"));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/x",
            "/a%5c..%5cx",
            "/a\\..\\x",
            "/a%00.html",
        ] {
            assert_eq!(safe_path(bad), None, "{bad}");
        }
        // Decoded once: a double-encoded `..` is a literal name, not a parent folder.
        assert_eq!(safe_path("/%252e%252e/x").as_deref(), Some("%2e%2e/x"));
    }

    #[test]
    fn the_page_of_an_event_stream_is_an_output() {
        let page = |target: &str, base: &str| page_of(target, base);
        let events = "/__versus/events";
        assert_eq!(
            page(&format!("{events}?page=%2F"), ""),
            Some("index.html".into())
        );
        assert_eq!(
            page(&format!("{events}?x=1&page=%2Fa%2Fcaf%25C3%25A9%2F"), ""),
            Some("a/café/index.html".into())
        );
        assert_eq!(
            page(&format!("{events}?page=%2Fblog%2Fa.html"), "/blog"),
            Some("a.html".into())
        );
        assert_eq!(page(&format!("{events}?page=%2F..%2Fx"), ""), None);
        assert_eq!(page(&format!("{events}?page=%2Fother%2F"), "/blog"), None);
        assert_eq!(page(events, ""), None);
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let html = with_live_script(b"<html><body><p>x</p></body></html>", 7);
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__versus/live.js?build=7\"></script></body></html>"
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("img/a.svg"), "image/svg+xml");
        assert_eq!(content_type("feed.xml"), "text/xml; charset=utf-8");
    }
}

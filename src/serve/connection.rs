//! HTTP/1.1 over TCP for the preview server, written for careless and hostile clients: request
//! heads are bounded, bodies are refused unread, every read and write has a deadline, each
//! connection has its own thread under a cap (idle ones give way), and TCP_NODELAY is set so a
//! keep-alive answer goes out at once instead of waiting for the client's delayed ACK.
//!
//! It replaces tiny_http 0.12, which allocates a body of any announced length when it drops an
//! unread request, reads header lines without limit, has no timeouts, and stops accepting for
//! good at the first accept error (see the README's `versus serve` section and issue #11).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest request line plus headers; beyond it the answer is 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most headers in one request (browsers send about 20); beyond it the answer is 431.
const MAX_HEADERS: usize = 64;
/// Open connections at most. At the cap, the connection idle the longest is closed for a new
/// one; when none is idle, the new one gets 503.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a client has to send a whole request head, and how long an idle keep-alive
/// connection is kept.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole response may take to write.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one chunk of a streamed body may take to write; a stream slower than that is
/// closed.
const CHUNK_TIMEOUT: Duration = Duration::from_secs(5);
/// After refusing a request, its unread input is read and thrown away for this long (at most
/// [`LINGER_BYTES`]), so that closing does not reset the connection before the client has read
/// the refusal.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1024 * 1024;
/// Stack of a connection thread: handlers build pages on the heap.
const THREAD_STACK: usize = 256 * 1024;

/// What the handler sees of a request: it has no body (requests with one are refused first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent, e.g. `/a/b/?x=1`.
    pub target: String,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

#[derive(Debug)]
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    Shared(Arc<Vec<u8>>),
    /// Chunks written as they arrive, until the sender is dropped or a chunk cannot be written
    /// within [`CHUNK_TIMEOUT`]; then the connection closes.
    Stream(Receiver<Arc<[u8]>>),
}

impl Response {
    pub fn new(status: u16, body: Body) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// A short plain-text answer.
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(status, Body::Bytes(text.as_bytes().to_vec()))
            .header("Content-Type", "text/plain; charset=utf-8")
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Bytes(bytes) => bytes,
            Body::Shared(bytes) => bytes,
            Body::Empty | Body::Stream(_) => &[],
        }
    }
}

/// Answers one request; called on the request's connection thread.
pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Accepts connections until the process ends; never stops on an accept error (running out of
/// file descriptors closes the connection idle the longest, then tries again).
pub fn serve(listener: TcpListener, handler: Arc<Handler>) {
    let connections = Arc::new(Connections::default());
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // A client that gave up before it was accepted.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            // Out of file descriptors (or threads, or memory): make room and try again.
            Err(_) => {
                connections.close_oldest_idle();
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        // Answers are written whole, so there is nothing to gain from Nagle's algorithm, and
        // with it every reused connection waits ~40 ms for the client's delayed ACK.
        let _ = stream.set_nodelay(true);
        let Some(id) = connections.admit(&stream) else {
            refuse_busy(stream);
            continue;
        };
        let (shared, handler) = (Arc::clone(&connections), Arc::clone(&handler));
        let spawned = std::thread::Builder::new()
            .name("versus-http".into())
            .stack_size(THREAD_STACK)
            .spawn(move || {
                converse(stream, id, &shared, &*handler);
                shared.leave(id);
            });
        if spawned.is_err() {
            connections.leave(id);
        }
    }
}

/// The open connections, so that a new one can take the place of one idle the longest.
#[derive(Default)]
struct Connections {
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    open: BTreeMap<u64, Slot>,
}

struct Slot {
    /// A handle on the socket, to close it from the accepting thread.
    stream: TcpStream,
    /// Since when it waits for a request head; None while a request is answered.
    idle_since: Option<Instant>,
}

impl Connections {
    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection, closing the one idle the longest at the cap. None when every
    /// connection is busy.
    fn admit(&self, stream: &TcpStream) -> Option<u64> {
        let mut table = self.table();
        // Out of file descriptors: the handle of the connection idle the longest makes room.
        let handle = match stream.try_clone() {
            Ok(handle) => handle,
            Err(_) if table.close_oldest_idle() => stream.try_clone().ok()?,
            Err(_) => return None,
        };
        if table.open.len() >= MAX_CONNECTIONS && !table.close_oldest_idle() {
            return None;
        }
        let id = table.next_id;
        table.next_id += 1;
        table.open.insert(
            id,
            Slot {
                stream: handle,
                idle_since: Some(Instant::now()),
            },
        );
        Some(id)
    }

    fn close_oldest_idle(&self) -> bool {
        self.table().close_oldest_idle()
    }

    fn set_idle(&self, id: u64, idle: bool) {
        if let Some(slot) = self.table().open.get_mut(&id) {
            slot.idle_since = idle.then(Instant::now);
        }
    }

    fn leave(&self, id: u64) {
        self.table().open.remove(&id);
    }
}

impl Table {
    /// Shuts the connection idle the longest: its thread's read returns and it ends.
    fn close_oldest_idle(&mut self) -> bool {
        let oldest = self
            .open
            .iter()
            .filter_map(|(id, slot)| Some((slot.idle_since?, *id)))
            .min();
        let Some((_, id)) = oldest else {
            return false;
        };
        if let Some(slot) = self.open.remove(&id) {
            let _ = slot.stream.shutdown(Shutdown::Both);
        }
        true
    }
}

/// Every connection is busy: a short 503, written only if the socket takes it at once.
fn refuse_busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let response = Response::text(503, "too many connections; try again");
    let _ = stream.write_all(&head(&response, true, false));
    let _ = stream.write_all(response.bytes());
}

/// Requests and answers on one connection, until it closes, idles too long or must close.
fn converse(mut stream: TcpStream, id: u64, connections: &Connections, handler: &Handler) {
    let mut input = Vec::new();
    loop {
        connections.set_idle(id, true);
        let head = match read_head(&mut stream, &mut input) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(refusal) => return refuse(&mut stream, refusal),
        };
        connections.set_idle(id, false);
        if let Err(refusal) = head.body {
            return refuse(&mut stream, refusal);
        }
        let is_head = head.request.method == "HEAD";
        let response = handler(&head.request);
        let close = !head.keep_alive || matches!(response.body, Body::Stream(_));
        if write_response(&mut stream, response, close, is_head).is_err() || close {
            return;
        }
    }
}

/// Why a request is answered with an error and the connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A body is announced (a length above 0, a transfer coding): 413, never read.
    Body,
    /// A Content-Length that is not a length, or two that disagree: 400.
    BadLength,
    /// The request line and headers pass [`MAX_HEAD`] or [`MAX_HEADERS`]: 431.
    HeadTooLarge,
    /// Not HTTP/1.x: 400.
    Malformed,
    /// Half a head within [`HEAD_TIMEOUT`]: 408.
    TooSlow,
}

impl Refusal {
    fn response(self) -> Response {
        match self {
            Refusal::Body => Response::text(413, "request bodies are not accepted"),
            Refusal::BadLength => Response::text(400, "invalid Content-Length"),
            Refusal::HeadTooLarge => Response::text(
                431,
                &format!("request line and headers must fit in {MAX_HEAD} bytes"),
            ),
            Refusal::Malformed => Response::text(400, "malformed request"),
            Refusal::TooSlow => Response::text(408, "the request took too long"),
        }
    }
}

/// Answers with the refusal, then lets the client read it before closing.
fn refuse(stream: &mut TcpStream, refusal: Refusal) {
    if write_response(stream, refusal.response(), true, false).is_ok() {
        linger(stream);
    }
}

/// Reads and throws away what the client still sends, bounded in time and bytes: closing a
/// socket with unread input resets the connection, and the client may lose the answer.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut discarded = 0;
    let mut buffer = [0u8; 8192];
    while discarded < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => discarded += n,
        }
    }
}

/// A request head, read and checked.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    request: Request,
    keep_alive: bool,
    /// Err when the request announces a body or a bad length.
    body: Result<(), Refusal>,
}

/// Reads one request head; bytes after it (a pipelined request) stay in `input`. None when the
/// client closed or stayed silent for [`HEAD_TIMEOUT`].
fn read_head(stream: &mut TcpStream, input: &mut Vec<u8>) -> Result<Option<Head>, Refusal> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut chunk = [0u8; 4096];
    loop {
        // Empty lines before a request line are allowed (RFC 9112, 2.2).
        let blank = input
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        input.drain(..blank);
        if let Some(end) = head_end(input) {
            let head = parse_head(&input[..end]);
            input.drain(..end);
            return head.map(Some);
        }
        if input.len() >= MAX_HEAD {
            return Err(Refusal::HeadTooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let silent = || {
            if input.is_empty() {
                Ok(None)
            } else {
                Err(Refusal::TooSlow)
            }
        };
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return silent();
        }
        let room = chunk.len().min(MAX_HEAD - input.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return Ok(None),
            Ok(n) => input.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return silent();
            }
            Err(_) => return Ok(None),
        }
    }
}

/// Where the head ends (after its empty line), if it is all there.
fn head_end(input: &[u8]) -> Option<usize> {
    input.iter().enumerate().find_map(|(at, &byte)| {
        if byte != b'\n' {
            return None;
        }
        match input.get(at + 1..) {
            Some([b'\n', ..]) => Some(at + 2),
            Some([b'\r', b'\n', ..]) => Some(at + 3),
            _ => None,
        }
    })
}

fn parse_head(bytes: &[u8]) -> Result<Head, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(Refusal::Malformed),
        Err(httparse::Error::TooManyHeaders) => return Err(Refusal::HeadTooLarge),
        Err(_) => return Err(Refusal::Malformed),
    }
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(Refusal::Malformed);
    };
    let values = |name: &'static str| {
        parsed
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let connection: Vec<String> = values("Connection")
        .flat_map(|v| {
            v.split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let keep_alive = match version {
        1 => !connection.iter().any(|t| t == "close"),
        _ => connection.iter().any(|t| t == "keep-alive"),
    };
    let body = announced_body(
        values("Content-Length"),
        values("Transfer-Encoding").count(),
    );
    Ok(Head {
        request: Request {
            method: method.to_owned(),
            target: target.to_owned(),
        },
        keep_alive,
        body,
    })
}

/// Whether the head announces a body: any transfer coding does, and so does a length above 0.
/// A length is digits only (however many: it is never allocated), and repeated lengths must
/// agree (RFC 9112, 6.3).
fn announced_body(
    lengths: impl Iterator<Item = String>,
    transfer_codings: usize,
) -> Result<(), Refusal> {
    let mut seen: Option<String> = None;
    for value in lengths {
        for length in value.split(',').map(str::trim) {
            if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::BadLength);
            }
            let length = length.trim_start_matches('0');
            if seen.as_deref().is_some_and(|s| s != length) {
                return Err(Refusal::BadLength);
            }
            seen = Some(length.to_owned());
        }
    }
    if transfer_codings > 0 || seen.is_some_and(|s| !s.is_empty()) {
        return Err(Refusal::Body);
    }
    Ok(())
}

/// Writes the status line, headers and body; a HEAD answer has the headers only.
fn write_response(
    stream: &mut TcpStream,
    response: Response,
    close: bool,
    is_head: bool,
) -> io::Result<()> {
    let deadline = Instant::now() + RESPONSE_TIMEOUT;
    let mut out = head(&response, close, matches!(response.body, Body::Stream(_)));
    let body = if is_head { &[][..] } else { response.bytes() };
    // Small answers go out in one write; large ones follow the head.
    if body.len() <= 64 * 1024 {
        out.extend_from_slice(body);
        write_within(stream, &out, deadline)?;
    } else {
        write_within(stream, &out, deadline)?;
        write_within(stream, body, deadline)?;
    }
    if let Body::Stream(chunks) = response.body {
        if is_head {
            return Ok(());
        }
        while let Ok(chunk) = chunks.recv() {
            write_within(stream, &chunk, Instant::now() + CHUNK_TIMEOUT)?;
        }
    }
    Ok(())
}

/// The status line and headers, with Date, Content-Length (unless streamed) and Connection.
fn head(response: &Response, close: bool, streamed: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nDate: {}\r\n",
        response.status,
        reason(response.status),
        jiff::Timestamp::now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    );
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !streamed {
        out.push_str(&format!("Content-Length: {}\r\n", response.bytes().len()));
    }
    if close {
        out.push_str("Connection: close\r\n");
    } else {
        out.push_str("Connection: keep-alive\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes all of `bytes` by `deadline`, or fails: a client that stops reading cannot hold the
/// thread longer.
fn write_within(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(&rest[..rest.len().min(256 * 1024)]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(values: &[&str]) -> Result<(), Refusal> {
        announced_body(values.iter().map(|v| v.to_string()), 0)
    }

    #[test]
    fn bodies_are_announced_by_a_length_or_a_coding() {
        assert_eq!(lengths(&[]), Ok(()));
        assert_eq!(lengths(&["0"]), Ok(()));
        assert_eq!(lengths(&["000", "0"]), Ok(()));
        assert_eq!(lengths(&["3"]), Err(Refusal::Body));
        assert_eq!(lengths(&["99999999999999999999999999"]), Err(Refusal::Body));
        assert_eq!(lengths(&["5, 5"]), Err(Refusal::Body));
        assert_eq!(lengths(&["lots"]), Err(Refusal::BadLength));
        assert_eq!(lengths(&["-1"]), Err(Refusal::BadLength));
        assert_eq!(lengths(&[""]), Err(Refusal::BadLength));
        assert_eq!(lengths(&["0", "5"]), Err(Refusal::BadLength));
        assert_eq!(
            announced_body(std::iter::empty(), 1),
            Err(Refusal::Body),
            "Transfer-Encoding"
        );
    }

    #[test]
    fn heads_end_at_the_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: x\n\n"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection_header() {
        let keep = |head: &str| parse_head(head.as_bytes()).unwrap().keep_alive;
        assert!(keep("GET / HTTP/1.1\r\n\r\n"));
        assert!(!keep("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"));
        assert!(!keep("GET / HTTP/1.0\r\n\r\n"));
        assert!(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assert_eq!(
            parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(),
            Refusal::Malformed
        );
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: a\r\n"))
            .collect();
        assert_eq!(
            parse_head(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()).unwrap_err(),
            Refusal::HeadTooLarge
        );
    }

    /// A loopback pair: the client end and the server end of one connection.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn pipelined_requests_are_read_one_at_a_time() {
        let (mut client, mut server) = pair();
        client
            .write_all(b"\r\nGET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut input = Vec::new();
        let first = read_head(&mut server, &mut input).unwrap().unwrap();
        assert_eq!(first.request.target, "/a");
        let second = read_head(&mut server, &mut input).unwrap().unwrap();
        assert_eq!(
            (second.request.method.as_str(), second.keep_alive),
            ("HEAD", false)
        );
        drop(client);
        assert_eq!(read_head(&mut server, &mut input), Ok(None));
    }

    #[test]
    fn a_head_over_the_limit_is_refused_after_the_limit() {
        let (mut client, mut server) = pair();
        let writer = std::thread::spawn(move || {
            let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
            head.resize(MAX_HEAD * 2, b'a');
            let _ = client.write_all(&head);
            client
        });
        let mut input = Vec::new();
        assert_eq!(
            read_head(&mut server, &mut input),
            Err(Refusal::HeadTooLarge)
        );
        assert_eq!(input.len(), MAX_HEAD, "read no further than the limit");
        drop(server);
        drop(writer.join().unwrap());
    }
}

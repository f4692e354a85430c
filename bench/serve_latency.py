#!/usr/bin/env python3
"""Save-to-reload latency of `versus serve`: the time from a change to the site's files to the
moment the server's live-reload event arrives, and to the moment the rebuild is complete (the
`settled` event that ends every rebuild), over several edits; prints the median and p90 of each.

The event stream is opened as the edited post's page opens it (`?page=` its URL before the
edit), so the server renders that page first and reloads it before the rest; for `new` and
`delete` it is the home page `/`, for `layout` the target post. A `date` or `rename` edit moves
the post to a new URL (gen.py's permalink has the date): the page open at the old URL gets a
`moved` event naming the new one, once the post is current there, and that event counts as its
reload. Every other `draft` edit takes the post out: the page is gone, and reloads when the
rest is done.

Usage: python3 bench/serve_latency.py SITE_ROOT [EDITS=15] [KIND[,KIND...]|all] [BINARY]
Run from the repository root after `cargo build --release` (BINARY defaults to
target/release/versus). The site's files are edited in place and restored at the end; use a
copy (a generated site under /tmp) rather than your working site. What each edit changes:

  text    adds a sentence to a post's body
  title   changes its title (every listing of it changes)
  tags    adds a new tag (the tag pages and the list of tags change)
  date    gives it a `date:` years earlier or later in turn (it moves across the home page's
          pagination and the sitemap)
  draft   sets `draft: true`, then takes it away again, in turn (the post goes and comes)
  new     writes a new post
  delete  deletes a post (another one each time)
  rename  renames the post's file (its URL changes)
  layout  adds a paragraph to layouts/post.html (every post renders again, and changes)

The bench sites of gen.py turn search and pagination off (equal work with Hugo and Zola); here
site.yaml is given `search: true` and `paginate: 10` for the run (and restored), so each edit
also keeps the search index and paginated listings (a tag's pages list thousands of posts) as
a clean build writes them. An edit that ends in a build error stops the run.
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import queue
import urllib.parse

KINDS = ["text", "title", "tags", "date", "draft", "new", "delete", "rename", "layout"]


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


class Server:
    def __init__(self, binary, root):
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--root", root],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(
            target=lambda: [self.lines.put(l) for l in self.process.stdout], daemon=True
        ).start()
        address = None
        started = time.monotonic()
        while address is None:
            line = self.lines.get(timeout=900)
            m = re.match(r"serving http://([\d.]+):(\d+)/", line)
            if m:
                address = (m.group(1), int(m.group(2)))
        print(f"initial build and start: {time.monotonic() - started:.2f} s", flush=True)
        self.address = address
        self.events = queue.Queue()
        self.sock = None
        self.open("/")

    def open(self, page):
        """(Re)opens the event stream as the page at `page` (a URL path) does."""
        if self.sock is not None:
            self.sock.close()
        self.events = queue.Queue()
        self.sock = socket.create_connection(self.address)
        target = "/__versus/events?page=" + urllib.parse.quote(page, safe="")
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        threading.Thread(target=self.read_events, args=(self.sock, self.events), daemon=True).start()
        assert self.events.get(timeout=10)[1] == "hello"

    def read_events(self, sock, events):
        buf = b""
        name = None
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                text = raw.decode()
                if text.startswith("event: "):
                    name = text[7:]
                elif text == "" and name:
                    events.put((time.perf_counter(), name))
                    name = None

    def settle(self):
        time.sleep(0.4)  # let the previous rebuild and its events settle
        for q in (self.events, self.lines):
            while not q.empty():
                q.get()

    def measure(self, change, page):
        """Runs `change()` with `page` open; returns (ms to the first reload event, ms to the
        end of the rebuild, the server's line)."""
        self.settle()
        self.open(page)
        saved = time.perf_counter()
        change()
        reloaded = None
        while True:
            at, name = self.events.get(timeout=120)
            if name == "build-error":
                sys.exit(f"the edit made a build error: {self.lines.get(timeout=30).strip()}")
            if name in ("reload", "css", "moved") and reloaded is None:
                reloaded = at
            if name == "settled":  # the end of the rebuild, sent after every successful one
                break
        line = self.lines.get(timeout=30).strip()
        if reloaded is None:  # nothing the page shows changed
            reloaded = at
        return (reloaded - saved) * 1000, (at - saved) * 1000, line

    def stop(self):
        self.process.terminate()
        self.process.wait()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run_kind(server, root, kind, edits):
    posts_dir = os.path.join(root, "content", "posts")
    posts = sorted(os.listdir(posts_dir))
    target = os.path.join(posts_dir, posts[len(posts) // 2])
    original = read(target)
    layout = os.path.join(root, "layouts", "post.html")
    original_layout = read(layout)
    created, deleted, current = [], [], target

    def url(path, date=None):
        # gen.py's permalink: /:year/:month/:day/:slug/, the date from the file name or `date:`.
        year, month, day, slug = os.path.basename(path)[: -len(".md")].split("-", 3)
        if date:
            year, month, day = date.split("-")
        return f"/{year}/{month}/{day}/{slug}/"

    def date_of(i):
        year = 2010 + (i % 2) * 14  # before every post, then after them
        return f"{year}-06-0{1 + i % 9}"

    results = []
    try:
        for i in range(edits):
            # The page as open before the edit (a date edit moves it: its URL has the date).
            page = "/" if kind in ("new", "delete") else url(current, kind == "date" and i > 0 and date_of(i - 1))
            if kind == "text":
                change = lambda: write(target, original + f"\n\nEdit number {i} with a few more words.\n")
            elif kind == "title":
                change = lambda: write(target, original.replace("title: ", f"title: Edit {i} ", 1))
            elif kind == "tags":
                change = lambda: write(target, original.replace("tags: [", f"tags: [edit-{i}, ", 1))
            elif kind == "date":
                change = lambda: write(target, original.replace("---\n", f"---\ndate: {date_of(i)}\n", 1))
            elif kind == "draft":
                drafted = i % 2 == 0
                change = lambda: write(target, original.replace("---\n", "---\ndraft: true\n", 1) if drafted else original)
            elif kind == "new":
                path = os.path.join(posts_dir, f"2019-03-0{1 + i % 9}-a-new-post-{i}.md")
                created.append(path)
                change = lambda: write(path, f"---\ntitle: A new post {i}\ntags: [rust]\n---\n\nNew words {i}.\n")
            elif kind == "delete":
                victim = os.path.join(posts_dir, posts[len(posts) // 3 + i])
                deleted.append((victim, read(victim)))
                change = lambda: os.remove(victim)
            elif kind == "rename":
                name = os.path.basename(target).replace(".md", f"-renamed-{i}.md")
                renamed = os.path.join(posts_dir, name)
                before = current
                change = lambda: os.rename(before, renamed)
                current = renamed
            elif kind == "layout":
                change = lambda: write(layout, original_layout.replace("</article>", f"<p>edit {i}</p></article>", 1))
            ms, done, line = server.measure(change, page)
            results.append((ms, done))
            print(f"  {kind} {i}: reload {ms:.1f} ms, complete {done:.1f} ms ({line})", flush=True)
    finally:
        # Restore the site for the next kind (each restore is a rebuild too, not measured).
        if current != target:
            os.rename(current, target)
        write(target, original)
        write(layout, original_layout)
        for path in created:
            os.remove(path)
        for path, text in deleted:
            write(path, text)
        server.settle()
        time.sleep(1.5 if kind == "layout" else 0.5)
    return results


def main():
    root = sys.argv[1]
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    kinds = sys.argv[3] if len(sys.argv) > 3 else "text"
    kinds = KINDS if kinds == "all" else kinds.split(",")
    for kind in kinds:
        if kind not in KINDS:
            sys.exit(f"unknown edit `{kind}`: use {', '.join(KINDS)} or all")
    binary = sys.argv[4] if len(sys.argv) > 4 else os.path.join("target", "release", "versus")
    config = os.path.join(root, "site.yaml")
    original_config = read(config)
    served = re.sub(r"(?m)^search: false$", "search: true", original_config)
    served = re.sub(r"(?m)^paginate: 0$", "paginate: 10", served)
    write(config, served)
    summary = []
    try:
        server = Server(binary, root)
        try:
            for kind in kinds:
                results = run_kind(server, root, kind, edits)
                reloads, completes = [r for r, _ in results], [d for _, d in results]
                summary.append((kind, reloads, completes))
        finally:
            server.stop()
    finally:
        write(config, original_config)
    posts = len(os.listdir(os.path.join(root, "content", "posts")))
    print(f"site: {root} ({posts} posts), {edits} edits each, save -> reload event, and -> rebuild complete:")
    print("| edit | reload median | reload p90 | complete median | complete p90 |")
    print("|---|---:|---:|---:|---:|")
    for kind, reloads, completes in summary:
        figures = [statistics.median(reloads), p90(reloads), statistics.median(completes), p90(completes)]
        print(f"| {kind} | " + " | ".join(f"{f:.1f} ms" for f in figures) + " |")


if __name__ == "__main__":
    main()

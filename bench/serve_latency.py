#!/usr/bin/env python3
"""Save-to-reload latency of `versus serve`: the time from writing a post to the moment the
server's live-reload event for that page arrives, over several edits; prints the median.

Usage: python3 bench/serve_latency.py SITE_ROOT [EDITS=15] [text|title|tags]
Run from the repository root after `cargo build --release`. The site's files are edited in
place and restored at the end; use a copy (bench/out/...) rather than your working site.
What each edit changes: `text` (the default) adds a sentence to the post's body, `title`
changes its title (so every listing of it changes), `tags` adds a tag (so the tag pages and
the list of tags change).
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


def main():
    root = sys.argv[1]
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    what = sys.argv[3] if len(sys.argv) > 3 else "text"
    if what not in ("text", "title", "tags"):
        sys.exit(f"unknown edit `{what}`: use text, title or tags")
    binary = os.path.join("target", "release", "versus")
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--root", root],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in server.stdout], daemon=True).start()
    try:
        address = None
        started = time.monotonic()
        while address is None:
            line = lines.get(timeout=600)
            m = re.match(r"serving http://([\d.]+):(\d+)/", line)
            if m:
                address = (m.group(1), int(m.group(2)))
        print(f"initial build and start: {time.monotonic() - started:.2f} s")

        events = queue.Queue()
        sock = socket.create_connection(address)
        sock.sendall(b"GET /__versus/events HTTP/1.1\r\nHost: x\r\n\r\n")

        def read_events():
            buf = b""
            name = None
            while True:
                chunk = sock.recv(65536)
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

        threading.Thread(target=read_events, daemon=True).start()
        assert events.get(timeout=10)[1] == "hello"

        posts_dir = os.path.join(root, "content", "posts")
        posts = sorted(os.listdir(posts_dir))
        target = os.path.join(posts_dir, posts[len(posts) // 2])
        with open(target, encoding="utf-8") as f:
            original = f.read()
        latencies = []
        server_ms = []
        try:
            for i in range(edits):
                time.sleep(0.3)  # let the previous rebuild and its events settle
                while not events.empty():
                    events.get()
                while not lines.empty():
                    lines.get()
                if what == "title":
                    text = original.replace("title: ", f"title: Edit {i} ", 1)
                elif what == "tags":
                    text = original.replace("tags: [", f"tags: [edit-{i}, ", 1)
                else:
                    text = original + f"\n\nEdit number {i} with a few more words.\n"
                saved = time.perf_counter()
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
                while True:
                    at, name = events.get(timeout=60)
                    if name in ("reload", "build-ok", "build-error"):
                        break
                latencies.append((at - saved) * 1000)
                line = lines.get(timeout=10)
                m = re.search(r"in (\d+) ms", line)
                if m:
                    server_ms.append(int(m.group(1)))
                print(f"  edit {i}: {latencies[-1]:.1f} ms ({line.strip()})")
        finally:
            with open(target, "w", encoding="utf-8") as f:
                f.write(original)
        print(f"site: {root} ({len(posts)} posts)")
        print(f"save -> reload event, median of {edits}: {statistics.median(latencies):.1f} ms "
              f"(min {min(latencies):.1f}, max {max(latencies):.1f})")
        if server_ms:
            print(f"rebuild as reported by the server, median: {statistics.median(server_ms)} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

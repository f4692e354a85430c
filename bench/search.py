#!/usr/bin/env python3
"""Search benchmark: the index versus writes (src/search.rs) against Pagefind, on a generated site.

    python3 bench/search.py SITE [--binary target/release/versus] [--pagefind PATH] [--runs 3]

SITE is a site from bench/gen.py (e.g. /tmp/sites/versus-10000). The script

1. builds it RUNS times with the search on and RUNS times with `search: false` (site.yaml is
   restored afterwards), with `--verbose`, and reports the median wall time and the median
   time of the `generate` stage, where the index is made;
2. reports the size of the index (files, bytes, bytes gzipped file by file at level 6, the
   largest file);
3. with --pagefind, runs Pagefind's indexer on the built HTML (timed) and reports its size;
4. serves the output on 127.0.0.1 (Python's static file server, no compression) and, in
   headless Chromium through chromedriver, times each query with performance.now() around
   the search and the loading of the first ten results' titles, URLs and excerpts: cold
   (browser cache cleared, page just loaded) and warm (the same query again), with the bytes
   the query downloaded (Resource Timing).

Needs python3 (standard library), chromium and chromium-driver; Pagefind from PyPI
(`pip install pagefind-bin`) for the comparison. Prints Markdown tables.
"""

import argparse
import gzip
import http.server
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Words of bench/gen.py's list: one common word, two words, a prefix, three words, and
# one nothing holds.
QUERIES = ["benchmark", "cache latency", "compr", "kernel layout index", "zzzzqx"]


def die(message):
    print(f"bench/search.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(binary, site, search):
    """One build; (wall seconds, generate-stage ms)."""
    config = site / "site.yaml"
    original = config.read_text()
    try:
        # gen.py turns the search off (the peers have none): this sets it either way.
        kept = [line for line in original.splitlines() if not line.startswith("search:")]
        config.write_text("\n".join(kept) + f"\nsearch: {'true' if search else 'false'}\n")
        started = time.monotonic()
        run = subprocess.run(
            [binary, "build", "--root", site, "--output", site / "public", "--verbose"],
            capture_output=True,
            text=True,
        )
        wall = time.monotonic() - started
    finally:
        config.write_text(original)
    if run.returncode != 0:
        die(f"build failed:\n{run.stderr}")
    match = re.search(r"generate\s+(\d+) ms", re.sub(r"\x1b\[[0-9;]*m", "", run.stderr))
    if not match:
        die(f"no generate stage in:\n{run.stderr}")
    return wall, int(match.group(1))


def folder_size(folder):
    """(files, bytes, bytes gzipped file by file, largest file's bytes)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    sizes = [p.stat().st_size for p in files]
    gzipped = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    return len(files), sum(sizes), gzipped, max(sizes, default=0)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(public):
    port = free_port()
    handler = lambda *a, **k: Quiet(*a, directory=str(public), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


class Browser:
    def __init__(self):
        self.port = free_port()
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        self.profile = Path(f"/tmp/bench-search-profile-{os.getpid()}")
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", f"--user-data-dir={self.profile}"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def do(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def navigate(self, url):
        self.do("POST", "/url", {"url": url})

    def clear_cache(self):
        self.do("POST", "/goog/cdp/execute", {"cmd": "Network.clearBrowserCache", "params": {}})

    def run_async(self, body):
        script = ("const done = arguments[arguments.length - 1];"
                  f"(async () => {{ {body} }})().then(done, e => done({{error: String(e)}}));")
        return self.do("POST", "/execute/async", {"script": script, "args": []})

    def close(self):
        try:
            self.do("DELETE", "")
        finally:
            self.driver.kill()
            self.driver.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


# The query's time and what it downloaded: `SEARCH` is the engine's call, giving
# {count, docs}.
TIMED = """
  const before = performance.getEntriesByType("resource").length;
  const started = performance.now();
  const found = await (SEARCH);
  const ms = performance.now() - started;
  const loaded = performance.getEntriesByType("resource").slice(before)
    .filter(e => PATTERN.test(e.name));
  const bytes = loaded.reduce((n, e) => n + e.encodedBodySize, 0);
  return {ms, bytes, requests: loaded.length, count: found.count, shown: found.docs.length};
"""

ENGINES = {
    "versus": {
        "page": "/search/",
        "pattern": r"/\/search\//",
        "search": "window.versusSearch(QUERY).then(r => ({count: r.hits.length, docs: r.docs}))",
    },
    "pagefind": {
        "page": "/",
        "pattern": r"/\/pagefind\//",
        "search": """(async () => {
            window.pf = window.pf || await import("/pagefind/pagefind.js");
            const s = await window.pf.search(QUERY);
            const docs = await Promise.all(s.results.slice(0, 10).map(r => r.data()));
            return {count: s.results.length, docs};
        })()""",
    },
}


def time_queries(browser, origin, engine):
    spec = ENGINES[engine]
    rows = []
    for query in QUERIES:
        browser.clear_cache()
        browser.navigate(origin + spec["page"])
        body = TIMED.replace("SEARCH", spec["search"]).replace("PATTERN", spec["pattern"])
        body = body.replace("QUERY", json.dumps(query))
        cold = browser.run_async(body)
        warm = browser.run_async(body)
        if "error" in cold or "error" in warm:
            die(f"{engine} {query!r}: {cold} {warm}")
        rows.append((query, cold, warm))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--binary", default="target/release/versus")
    parser.add_argument("--pagefind")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "site.yaml").is_file():
        die(f"{site} is not a site (no site.yaml); generate one with bench/gen.py")
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not Path(tool).exists():
            die(f"{tool} missing: apt-get install chromium chromium-driver")
    public = site / "public"

    print(f"## {site.name}\n")
    build(args.binary, site, True)  # warm-up: fills the highlight cache
    timings = {True: [], False: []}
    for _ in range(args.runs):
        for search in (True, False):
            timings[search].append(build(args.binary, site, search))
    print("| search | median wall (s) | median generate stage (ms) | runs |")
    print("|---|---:|---:|---:|")
    for search in (True, False):
        walls = [w for w, _ in timings[search]]
        stages = [g for _, g in timings[search]]
        print(f"| {'on' if search else 'off'} | {statistics.median(walls):.2f} "
              f"| {statistics.median(stages):.0f} | {args.runs} |")
    build(args.binary, site, True)

    print("\n| index | files | bytes | gzipped | largest file |")
    print("|---|---:|---:|---:|---:|")
    files, size, gzipped, largest = folder_size(public / "search")
    print(f"| versus `search/` | {files} | {size:,} | {gzipped:,} | {largest:,} |")
    engines = ["versus"]
    if args.pagefind:
        shutil.rmtree(public / "pagefind", ignore_errors=True)
        started = time.monotonic()
        run = subprocess.run([args.pagefind, "--site", public], capture_output=True, text=True)
        took = time.monotonic() - started
        if run.returncode != 0:
            die(f"pagefind failed:\n{run.stdout}{run.stderr}")
        files, size, gzipped, largest = folder_size(public / "pagefind")
        print(f"| Pagefind `pagefind/` (indexing took {took:.1f} s) | {files} | {size:,} "
              f"| {gzipped:,} | {largest:,} |")
        engines.append("pagefind")

    server, origin = serve(public)
    browser = Browser()
    try:
        print("\n| engine | query | results | cold (ms) | cold downloads | warm (ms) |")
        print("|---|---|---:|---:|---:|---:|")
        for engine in engines:
            for query, cold, warm in time_queries(browser, origin, engine):
                print(f"| {engine} | `{query}` | {cold['count']:,} | {cold['ms']:.1f} "
                      f"| {cold['requests']} files, {cold['bytes']:,} B | {warm['ms']:.1f} |")
    finally:
        browser.close()
        server.shutdown()
        if args.pagefind:
            shutil.rmtree(public / "pagefind", ignore_errors=True)


if __name__ == "__main__":
    main()

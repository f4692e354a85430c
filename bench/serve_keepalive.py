#!/usr/bin/env python3
"""Keep-alive latency of `versus serve`: the time of each of N page requests sent one after the
other on one reused connection; prints the median (p50), p90 and max.

Usage: python3 bench/serve_keepalive.py SITE_ROOT [REQUESTS=200] [PATH=/] [BINARY=target/release/versus]
The server writes a cache into SITE_ROOT: use a copy (bench/out/...).
Each request is one write; the client sets TCP_NODELAY itself, so what is measured is the
server's side. A server without TCP_NODELAY that writes a response in two parts waits for
the client's delayed ACK (~40 ms on Linux) on every reused connection.
"""

import re
import socket
import statistics
import subprocess
import sys
import time


def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    length = int(m.group(1)) if m else 0
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    status = int(head.split()[1])
    return status, buf[:length], buf[length:]


def main():
    root = sys.argv[1]
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    path = sys.argv[3] if len(sys.argv) > 3 else "/"
    binary = sys.argv[4] if len(sys.argv) > 4 else "target/release/versus"
    server = subprocess.Popen(
        [binary, "serve", "--port", "0", "--root", root],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = None
        while address is None:
            line = server.stdout.readline()
            if not line:
                sys.exit("versus serve stopped before serving")
            m = re.match(r"serving http://([\d.]+):(\d+)/", line)
            if m:
                address = (m.group(1), int(m.group(2)))
        sock = socket.create_connection(address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(10)
        request = f"GET {path} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n\r\n".encode()
        buf = b""
        sock.sendall(request)  # warm-up: the first request opens the connection
        status, body, buf = read_response(sock, buf)
        assert status == 200, status
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            sock.sendall(request)
            status, body, buf = read_response(sock, buf)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
        times.sort()
        print(f"{requests} keep-alive GET {path} ({len(body)} bytes) on one connection: "
              f"p50 {statistics.median(times):.2f} ms, p90 {times[int(len(times) * 0.9)]:.2f} ms, "
              f"max {times[-1]:.2f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

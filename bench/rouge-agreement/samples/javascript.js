'use strict';

const http = require('http');
const { URL } = require('url');

// A tiny rate limiter: at most `limit` requests per `windowMs` for each client.
class RateLimiter {
  constructor(limit = 60, windowMs = 60 * 1000) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.hits = new Map();
  }

  allow(client, now = Date.now()) {
    const recent = (this.hits.get(client) || []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(client, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(client, recent);
    return true;
  }

  /* Forget clients that have not been seen for a whole window. */
  sweep(now = Date.now()) {
    for (const [client, times] of this.hits) {
      if (times.every((t) => now - t >= this.windowMs)) {
        this.hits.delete(client);
      }
    }
  }
}

function parseLimit(value, fallback) {
  const n = parseInt(value, 10);
  return Number.isNaN(n) || n <= 0 ? fallback : n;
}

const limiter = new RateLimiter(parseLimit(process.env.RATE_LIMIT, 60));
const started = new Date();
let served = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const client = req.socket.remoteAddress ?? 'unknown';

  if (!limiter.allow(client)) {
    res.writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': '60' });
    res.end('Too many requests\n');
    return;
  }

  served += 1;
  if (url.pathname === '/health') {
    const body = JSON.stringify({ ok: true, served, since: started.toISOString() });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  } else if (/^\/echo\/(\w+)$/.test(url.pathname)) {
    const word = url.pathname.split('/').pop();
    res.end(`You said: ${word.toUpperCase()}\n`);
  } else {
    res.writeHead(404);
    res.end();
  }
});

setInterval(() => limiter.sweep(), 30000).unref();

async function shutdown(signal) {
  console.log(`received ${signal}, closing after ${served} requests`);
  await new Promise((resolve) => server.close(resolve));
  process.exit(0);
}

['SIGINT', 'SIGTERM'].forEach((signal) => process.on(signal, () => shutdown(signal)));

server.listen(process.env.PORT || 8080, () => {
  console.log('listening on', server.address().port);
});

module.exports = { RateLimiter, parseLimit };

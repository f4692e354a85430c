// The search page of versus: runs a query against the static index under search/ (its format
// is described in src/search.rs), loading only the shards the query's words fall in and the
// documents of the results shown. Every URL comes from the page (data-index), so it works
// under any base path. Without this script the page says that search needs JavaScript.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || !window.fetch || !window.Map) return;
  var TOKEN;
  try {
    // As src/search.rs `tokens`: Rust's char::is_alphanumeric.
    TOKEN = new RegExp("[\\p{Alphabetic}\\p{N}]+", "gu");
  } catch (e) {
    return;
  }
  var VERSION = 1;
  var MAX_TERM_CHARS = 40;
  // As src/search.rs `CJK_RANGES`: letters of Han, Hiragana, Katakana and Hangul, by code
  // point. Their runs are split into overlapping pairs and the run's last character.
  var CJK = [
    [0x1100, 0x11ff], [0x3005, 0x3007], [0x3021, 0x3029], [0x3038, 0x303c],
    [0x3041, 0x30ff], [0x3131, 0x318f], [0x31f0, 0x31ff], [0x3400, 0x4dbf],
    [0x4e00, 0x9fff], [0xa960, 0xa97f], [0xac00, 0xd7ff], [0xf900, 0xfaff],
    [0xff66, 0xffdc], [0x20000, 0x2ffff], [0x30000, 0x3ffff],
  ];
  // A word this long or longer also matches the terms it begins.
  var PREFIX_CHARS = 3;
  // At most this many term shards per word (a short prefix can span many).
  var MAX_SHARDS = 16;
  var PAGE = 10;

  var indexUrl = root.getAttribute("data-index");
  var words = JSON.parse(root.getAttribute("data-words"));
  var lang = root.getAttribute("data-lang") || undefined;
  var form = root.querySelector("form");
  var input = root.querySelector("input[type=search]");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");

  var meta = null;
  var metaLoading = null;
  var files = new Map();

  function getJson(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  function loadMeta() {
    if (!metaLoading) {
      metaLoading = getJson(indexUrl + "index.json", { cache: "no-cache" }).then(function (m) {
        if (m.version !== VERSION) throw new Error("search index version " + m.version);
        meta = m;
        return m;
      });
      metaLoading.catch(function () {
        metaLoading = null;
      });
    }
    return metaLoading;
  }

  // A shard of this build's index, fetched once.
  function load(path) {
    if (!files.has(path)) {
      var loading = getJson(indexUrl + path + "?v=" + meta.id);
      loading.catch(function () {
        files.delete(path);
      });
      files.set(path, loading);
    }
    return files.get(path);
  }

  // Called only on characters of TOKEN's runs, which are letters or digits.
  function isCjk(character) {
    var code = character.codePointAt(0);
    for (var i = 0; i < CJK.length; i++) {
      if (code >= CJK[i][0] && code <= CJK[i][1]) return true;
    }
    return false;
  }

  // A run of letters and digits as its parts: [text, isCjk], in order.
  function parts(run) {
    var out = [];
    Array.from(run).forEach(function (character) {
      var cjk = isCjk(character);
      var last = out[out.length - 1];
      if (last && last[1] === cjk) last[0] += character;
      else out.push([character, cjk]);
    });
    return out;
  }

  // The terms of `text` exactly as src/search.rs `tokens` makes them for the index.
  function tokens(text) {
    var out = [];
    (text.match(TOKEN) || []).forEach(function (run) {
      parts(run).forEach(function (part) {
        var characters = Array.from(part[0]);
        if (!part[1]) {
          if (characters.length <= MAX_TERM_CHARS) out.push(part[0].toLowerCase());
          return;
        }
        for (var i = 0; i + 1 < characters.length; i++) out.push(characters[i] + characters[i + 1]);
        out.push(characters[characters.length - 1]);
      });
    });
    return out;
  }

  // Whether `token` is one CJK character (a run's last, or a run of one).
  function singleCjk(token) {
    var characters = Array.from(token);
    return characters.length === 1 && isCjk(characters[0]);
  }

  // The terms a query looks up: its tokens, each once, without a run's last character after
  // the pair that holds it (it adds nothing to the pair); a query of one character keeps it.
  function tokenize(text) {
    var all = tokens(text), out = [];
    all.forEach(function (token, i) {
      var before = i > 0 ? Array.from(all[i - 1]) : [];
      var inPair = before.length === 2 && isCjk(before[1]) && before[1] === token;
      if (!(inPair && singleCjk(token)) && out.indexOf(token) < 0) out.push(token);
    });
    return out;
  }

  // How many shards begin at or before `term` (JavaScript's string order is the index's).
  function shardsUpTo(term) {
    var shards = meta.shards, low = 0, high = shards.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (shards[mid] <= term) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // Document → score for one word of the query: its own term, and with a prefix the
  // terms it begins (scored lower the more they add).
  function matches(token) {
    // One CJK character stands first in the pairs that hold it (or alone, last of a run).
    var prefix = Array.from(token).length >= PREFIX_CHARS || singleCjk(token);
    var first = Math.max(0, shardsUpTo(token) - 1);
    var last = prefix ? Math.max(first, shardsUpTo(token + "\uffff") - 1) : first;
    last = Math.min(last, first + MAX_SHARDS - 1);
    var loading = [];
    for (var i = first; i <= last; i++) loading.push(load("t/" + i + ".json"));
    return Promise.all(loading).then(function (shards) {
      var scores = new Map();
      function add(term, postings) {
        var idf = Math.log(1 + meta.docs / (postings.length / 2));
        var closeness = term === token ? 1 : 0.5 + (0.5 * token.length) / term.length;
        var doc = 0;
        for (var i = 0; i < postings.length; i += 2) {
          doc += postings[i];
          var weight = postings[i + 1];
          var score = (idf * closeness * weight) / (weight + 2);
          if (!(scores.get(doc) >= score)) scores.set(doc, score);
        }
      }
      shards.forEach(function (shard) {
        if (prefix) {
          for (var term in shard) if (term.lastIndexOf(token, 0) === 0) add(term, shard[term]);
        } else if (Object.prototype.hasOwnProperty.call(shard, token)) {
          add(token, shard[token]);
        }
      });
      return scores;
    });
  }

  // [document, score] of every document matching every word, best first.
  function rank(tokens) {
    return Promise.all(tokens.map(matches)).then(function (maps) {
      maps.sort(function (a, b) {
        return a.size - b.size;
      });
      var hits = [];
      maps[0].forEach(function (score, doc) {
        for (var i = 1; i < maps.length; i++) {
          var other = maps[i].get(doc);
          if (other === undefined) return;
          score += other;
        }
        hits.push([doc, score]);
      });
      hits.sort(function (a, b) {
        return b[1] - a[1] || a[0] - b[0];
      });
      return hits;
    });
  }

  function documents(hits) {
    var per = meta.docs_per_shard;
    return Promise.all(
      hits.map(function (hit) {
        var shard = Math.floor(hit[0] / per);
        return load("d/" + shard + ".json").then(function (docs) {
          return docs[hit[0] - shard * per];
        });
      })
    );
  }

  // The query's results: their count, and the documents of the first `shown` of them.
  function search(query, shown) {
    var tokens = tokenize(query);
    if (!tokens.length) return Promise.resolve({ tokens: tokens, hits: [], docs: [] });
    return loadMeta()
      .then(function () {
        return rank(tokens);
      })
      .then(function (hits) {
        return documents(hits.slice(0, shown)).then(function (docs) {
          return { tokens: tokens, hits: hits, docs: docs };
        });
      });
  }
  // For benchmarks and tests: `await versusSearch("word")`, and `versusTokens(text)`.
  window.versusSearch = function (query) {
    return search(query, PAGE);
  };
  window.versusTokens = tokens;

  // [start, end] of what to mark in `text` (UTF-16 offsets, in order): the words a query
  // word begins, and in CJK runs each place a query's CJK term stands.
  function marks(text, terms) {
    var out = [];
    text.replace(TOKEN, function (run, offset) {
      var at = offset;
      parts(run).forEach(function (part) {
        var piece = part[0];
        if (!part[1]) {
          var lower = piece.toLowerCase();
          var hit = terms.some(function (t) {
            return lower.lastIndexOf(t, 0) === 0;
          });
          if (hit) out.push([at, at + piece.length]);
        } else {
          terms.forEach(function (t) {
            for (var i = piece.indexOf(t); t && i >= 0; i = piece.indexOf(t, i + 1)) {
              out.push([at + i, at + i + t.length]);
            }
          });
        }
        at += piece.length;
      });
      return run;
    });
    out.sort(function (a, b) {
      return a[0] - b[0];
    });
    // Overlapping pairs (東京, 京都) make one mark.
    var merged = [];
    out.forEach(function (span) {
      var last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push(span.slice());
    });
    return merged;
  }

  // `text` into `element`, what the query's terms match marked.
  function marked(element, text, terms) {
    var last = 0;
    marks(text, terms).forEach(function (span) {
      element.appendChild(document.createTextNode(text.slice(last, span[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(span[0], span[1]);
      element.appendChild(mark);
      last = span[1];
    });
    element.appendChild(document.createTextNode(text.slice(last)));
    return element;
  }

  function formatDate(day) {
    try {
      return new Date(day + "T00:00:00Z").toLocaleDateString(lang, {
        year: "numeric",
        month: "long",
        day: "numeric",
        timeZone: "UTC",
      });
    } catch (e) {
      return day;
    }
  }

  function item(doc, tokens) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = doc.u;
    li.appendChild(marked(link, doc.t, tokens));
    var line = document.createElement("p");
    line.className = "search-meta";
    if (doc.k === "feature") {
      line.textContent = words.feature + " · " + doc.a;
    } else if (doc.d) {
      var time = document.createElement("time");
      time.dateTime = doc.d;
      time.textContent = formatDate(doc.d);
      line.appendChild(time);
    }
    if (line.childNodes.length) li.appendChild(line);
    if (doc.e) li.appendChild(marked(document.createElement("p"), doc.e, tokens));
    return li;
  }

  function message(count, query) {
    var text = count === 0 ? words.none : count === 1 ? words.one : words.many;
    return text.replace("{count}", count.toLocaleString(lang)).replace("{query}", query);
  }

  var current = 0;
  var state = null;

  function run(query) {
    var n = ++current;
    if (!tokenize(query).length) {
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      state = null;
      return;
    }
    status.textContent = words.loading;
    var started = performance.now();
    search(query, PAGE)
      .then(function (found) {
        if (n !== current) return;
        state = { query: query, found: found, shown: found.docs.length };
        list.textContent = "";
        found.docs.forEach(function (doc) {
          list.appendChild(item(doc, found.tokens));
        });
        more.hidden = state.shown >= found.hits.length;
        status.textContent = message(found.hits.length, query);
        root.setAttribute("data-query-ms", (performance.now() - started).toFixed(1));
      })
      .catch(function () {
        if (n === current) status.textContent = words.failed;
      });
  }

  function update() {
    var query = input.value;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    run(query);
  }

  var timer = null;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    update();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  input.addEventListener("focus", function () {
    loadMeta().catch(function () {});
  });
  more.addEventListener("click", function () {
    if (!state) return;
    var n = current, from = state.shown;
    documents(state.found.hits.slice(from, from + PAGE)).then(function (docs) {
      if (n !== current) return;
      docs.forEach(function (doc) {
        list.appendChild(item(doc, state.found.tokens));
      });
      state.shown = from + docs.length;
      more.hidden = state.shown >= state.found.hits.length;
      // Keyboard users go on reading where the new results begin.
      var next = list.children[from] && list.children[from].querySelector("a");
      if (next) next.focus();
    });
  });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
})();

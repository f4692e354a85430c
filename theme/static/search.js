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

  function tokenize(text) {
    var out = [];
    (text.match(TOKEN) || []).forEach(function (word) {
      word = word.toLowerCase();
      if (Array.from(word).length <= MAX_TERM_CHARS && out.indexOf(word) < 0) out.push(word);
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
    var prefix = Array.from(token).length >= PREFIX_CHARS;
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
  // For benchmarks and tests: `await versusSearch("word")`.
  window.versusSearch = function (query) {
    return search(query, PAGE);
  };

  // `text` into `element`, the words a query word begins marked.
  function marked(element, text, tokens) {
    var last = 0;
    text.replace(TOKEN, function (word, offset) {
      var lower = word.toLowerCase();
      var hit = tokens.some(function (t) {
        return lower.lastIndexOf(t, 0) === 0;
      });
      if (hit) {
        element.appendChild(document.createTextNode(text.slice(last, offset)));
        var mark = document.createElement("mark");
        mark.textContent = word;
        element.appendChild(mark);
        last = offset + word.length;
      }
      return word;
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

#!/usr/bin/env python3
"""Generate the synthetic benchmark site, once for versus and once for Hugo.

    python3 bench/gen.py N [--out bench/out] [--seed 1]

writes bench/out/versus-N/ and bench/out/hugo-N/ from the same N posts. Standard library only.

Every post is drawn from its own random generator, seeded with (seed, post number), so the output
is byte-for-byte reproducible and post K is the same in every site that has it (the first 1,000
posts of the 10,000-post site are the 1,000-post site). Each post has ~1,200 words of prose in
paragraphs, six `##`/`###` headings, one 30-line fenced code block (language rotating through
rust, python, yaml, bash, go, javascript; content differs per post), one GFM table of 4 rows,
one bullet list, three tags from a pool of 30, and a date between 2015 and 2024. File names are
`YYYY-MM-DD-<slug>-K.md`, so slugs and URLs are unique.

Both sites get the same posts, the same home page listing every post and one extra plain page
(about), with minimal layouts doing the same work: title, date, tags, table of contents, body.
A `.complete` file written last records the generator's fingerprint; bench/run.sh regenerates a
site whose fingerprint is missing or stale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import shutil
import sys
from pathlib import Path

GENERATOR_VERSION = 1

WORDS = """
ability absolute abstract accept access account accurate achieve acquire action active actual
adapt address adjust advance advice affect agency agenda agree allocate allow almost alter amount
analyse anchor angle annual answer anticipate apply approach approve archive argue arrange array
artifact aspect assemble assess asset assume attach attempt attribute audit author automate
available average avoid backend balance bandwidth barrier baseline batch behaviour benchmark
benefit binary block border boundary branch bridge brief broad browser budget buffer build bundle
burden cache calendar canvas capable capacity capture careful carry catalog category cause caution
certain chain challenge channel chapter charge check choice chunk circle claim classic clause clean
clear client climate close cluster coarse code collect column combine comfort command comment
commit common compact compare compile complete complex component compose compress compute concept
concern concise condition config conflict connect consider consist constant construct consume
contain content context contract contrast control convert copy core correct cost count couple
course cover create credit critical crowd current cursor custom cycle daily damage dashboard data
debate decade decide declare decline decode default defer define degree delay deliver demand
deploy depth derive describe design detail detect develop device diagram differ digest direct
discover display distance divide document domain double draft drive durable dynamic early easy
edge effect effort element embed emerge emit enable encode endless engine enough ensure entire
entry equal error escape estimate evaluate event evidence exact example exceed exchange execute
exist expand expect expense explain explore export expose extend extent extract factor failure
fair feature feedback field figure filter final finish fixture flag flexible float focus folder
follow format forward fragment frame frequent fresh function future gather general generate
gentle global govern gradual graph great group growth guard guide handle harbour hardware header
health heavy helpful hidden history honest horizon host human hybrid ideal identify ignore image
impact import improve include index indicate infer inform initial inline input insight install
instance intend interval invest invoke isolate issue item journey judge keep kernel label language
large latency launch layer layout leading lesson level library light limit linear listen literal
little local logic lookup loop lower machine maintain major manage manual margin market match
matter measure medium memory merge message method metric middle minor mirror mobile model modest
module moment monitor motion native natural network neutral notice number object observe obtain
offer offset online open operate option order origin outline output overlap owner package page
parallel parse partial pattern pause payload people perform period permit phase pipeline pivot
plain planet platform please plenty pointer policy portable position possible power practice
predict prefer prepare present preserve pressure prevent primary print private problem process
produce profile program project promise prompt proper protect provide public publish purpose
query queue quick quiet random range rapid rather reach ready reason receive record recover reduce
refer reflect region regular relate release reliable remote render repair repeat replace report
request require research reserve resolve resource respond result retain return reveal review
rhythm right robust route routine runtime safety sample scale schedule schema scope screen script
search season second section secure select semantic sender sequence serial server service session
settle shadow shape share shift signal silent simple single sketch slice small smooth socket
solid source space sparse special stable stage standard start state static steady storage
strategy stream street strict string strong structure study subject submit subtle success suggest
summary supply support surface switch symbol syntax system table target task template tension
terminal test texture theme theory thread through ticket timeline token topic total trace track
trade traffic transfer transform travel tree trigger trust tuple typical unique unit update
upgrade usage useful value vector verify version vertical view visible volume warning weight
widget window worker write yield zone
""".split()

TAGS = [
    "rust", "python", "go", "javascript", "hugo", "jekyll", "performance", "testing", "devops",
    "kubernetes", "docker", "cloud", "security", "databases", "frontend", "backend", "tooling",
    "design", "accessibility", "css", "markdown", "templates", "caching", "concurrency",
    "networking", "observability", "automation", "architecture", "linux", "release-notes",
]

LANGUAGES = ["rust", "python", "yaml", "bash", "go", "javascript"]

# Per language: opening lines, body line templates, closing lines. Placeholders: @ID@ (an
# identifier), @ID2@, @N@ (a number), @W@ (a word), @S@ (a short sentence). Every template is
# one complete line, so any mix of them stays well formed for the highlighter.
CODE = {
    "rust": (
        ["use std::collections::HashMap;", "", "pub fn @ID@(input: &[u64], name: &str) -> u64 {"],
        [
            "    let @ID@: u64 = input.iter().map(|x| x * @N@).sum();",
            "    let @ID@: Vec<String> = vec![\"@W@\".to_string(), name.into()];",
            "    if input.len() > @N@ { return @N@; }",
            "    // @S@",
            "    println!(\"@W@: {} of {}\", @N@, input.len());",
            "    let mut @ID@ = HashMap::<&str, u32>::with_capacity(@N@);",
            "    for i in 0..@N@ { total = total.wrapping_add(i as u64); }",
            "    let @ID@ = match input.first() { Some(v) => *v, None => @N@ };",
            "    assert!(@N@ < u64::MAX, \"@W@ overflow\");",
            "    let @ID@ = name.split(',').filter(|s| s.starts_with(\"@W@\")).count();",
        ],
        ["    total", "}"],
    ),
    "python": (
        ["import itertools", "", "", "def @ID@(items, limit=@N@):", "    \"\"\"@S@\"\"\""],
        [
            "    @ID@ = [x * @N@ for x in items if x > @N@]",
            "    @ID@ = {\"@W@\": @N@, \"@W@\": len(items)}",
            "    # @S@",
            "    if len(items) > limit:\n        return @N@",
            "    for @ID@ in range(@N@):\n        total += @ID@ % @N@",
            "    @ID@ = \", \".join(str(x) for x in itertools.islice(items, @N@))",
            "    print(f\"@W@={total} of {limit}\")",
            "    @ID@ = sorted(items, key=lambda v: (v % @N@, -v))",
        ],
        ["    return total"],
    ),
    "yaml": (
        ["# @S@", "@ID@:"],
        [
            "  @ID@: @N@",
            "  @ID@: \"@W@ @W@\"",
            "  @ID@: [@W@, @W@, @W@]",
            "  # @S@",
            "  @ID@: true",
            "  @ID@:",
            "    - name: @W@",
            "      value: @N@",
            "  @ID@: https://example.org/@W@/@N@",
            "  @ID@: null",
        ],
        ["  done: false"],
    ),
    "bash": (
        ["#!/usr/bin/env bash", "set -euo pipefail", "", "@ID@() {"],
        [
            "  local @ID@=\"${1:-@W@}\"",
            "  echo \"@W@ $@ID@ @N@\"",
            "  # @S@",
            "  if [[ -f \"/tmp/@W@-@N@\" ]]; then return @N@; fi",
            "  for i in $(seq 1 @N@); do total=$((total + i)); done",
            "  grep -c '@W@' \"$file\" || true",
            "  @ID@=$(printf '%s-%d' \"@W@\" @N@)",
            "  export @ID@=\"@W@\"",
            "  find . -name '*.@W@' -mtime -@N@ | wc -l",
            "  [[ $total -gt @N@ ]] && echo \"@W@\"",
        ],
        ["}", "@ID@ \"$@\""],
    ),
    "go": (
        ["package main", "", "import \"fmt\"", "", "func @ID@(items []int, name string) int {"],
        [
            "\t@ID@ := len(items) * @N@",
            "\t@ID@ := map[string]int{\"@W@\": @N@, \"@W@\": len(name)}",
            "\t// @S@",
            "\tif len(items) > @N@ {\n\t\treturn @N@\n\t}",
            "\tfor i := 0; i < @N@; i++ {\n\t\ttotal += i\n\t}",
            "\tfmt.Printf(\"@W@: %d of %s\\n\", @N@, name)",
            "\tvar @ID@ []string = []string{\"@W@\", \"@W@\"}",
            "\t_ = @ID@",
            "\t@ID@ := struct{ A int }{A: @N@}",
            "\tdefer fmt.Println(\"@W@\")",
        ],
        ["\treturn total", "}"],
    ),
    "javascript": (
        ["'use strict';", "", "export async function @ID@(items, name = '@W@') {"],
        [
            "  const @ID@ = items.map((x) => x * @N@);",
            "  let @ID@ = { @W@: @N@, count: items.length };",
            "  // @S@",
            "  if (items.length > @N@) { return @N@; }",
            "  for (let i = 0; i < @N@; i += 1) { total += i; }",
            "  console.log(`@W@: ${total} of ${name}`);",
            "  const @ID@ = items.filter((v) => v % @N@ === 0);",
            "  const @ID@ = await fetch('https://example.org/@W@/@N@');",
            "  const [@ID@, ...rest] = items;",
            "  @ID@ = items.reduce((a, b) => a + b, @N@);",
        ],
        ["  return total;", "}"],
    ),
}

CODE_LINES = 30
PROSE_WORDS = 1200
START = dt.date(2015, 1, 1)
DAYS = (dt.date(2024, 12, 31) - START).days + 1


def fingerprint(seed: int) -> str:
    """Changes whenever the generator or the seed does; stored in `.complete`."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"{GENERATOR_VERSION}:{seed}".encode())
    return h.hexdigest()[:16]


def sentence(rng: random.Random, lo: int = 6, hi: int = 18, markup: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    if markup:
        r = rng.random()
        i = rng.randrange(len(words))
        if r < 0.10:
            words[i] = f"`{words[i]}`"
        elif r < 0.16:
            words[i] = f"**{words[i]}**"
        elif r < 0.22:
            words[i] = f"*{words[i]}*"
        elif r < 0.27:
            words[i] = f"[{words[i]}](https://example.org/{words[i]}/)"
        if len(words) > 9 and rng.random() < 0.3:
            words[rng.randrange(2, len(words) - 2)] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def paragraph(rng: random.Random, target: int) -> tuple[str, int]:
    out, n = [], 0
    while n < target:
        s = sentence(rng)
        out.append(s)
        n += len(s.split())
    return " ".join(out), n


def title(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join([words[0].capitalize()] + words[1:])


def code_block(rng: random.Random, lang: str) -> str:
    head, body, tail = CODE[lang]

    def fill(line: str) -> str:
        while "@ID@" in line:
            line = line.replace("@ID@", f"{rng.choice(WORDS)}_{rng.choice(WORDS)}", 1)
        while "@N@" in line:
            line = line.replace("@N@", str(rng.randint(1, 9999)), 1)
        while "@W@" in line:
            line = line.replace("@W@", rng.choice(WORDS), 1)
        while "@S@" in line:
            line = line.replace("@S@", sentence(rng, 4, 9, markup=False).rstrip(".?!"), 1)
        return line

    lines = [fill(x) for x in head]
    closing = [fill(x) for x in tail]
    while len(lines) < CODE_LINES - len(closing):
        room = CODE_LINES - len(closing) - len(lines)
        template = rng.choice(body)
        if template.count("\n") < room:  # multi-line templates only where they fit whole
            lines.extend(fill(template).split("\n"))
    lines += closing
    assert len(lines) == CODE_LINES
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def table(rng: random.Random) -> str:
    cols = [rng.choice(WORDS).capitalize() for _ in range(3)]
    rows = [f"| {cols[0]} | {cols[1]} | {cols[2]} |", "|---|:---:|---:|"]
    for _ in range(4):
        rows.append(
            f"| {title(rng, 1, 3)} | `{rng.choice(WORDS)}` | {rng.randint(1, 99999):,} |"
        )
    return "\n".join(rows)


def bullet_list(rng: random.Random) -> str:
    return "\n".join(f"- {sentence(rng, 4, 12)}" for _ in range(rng.randint(4, 6)))


class Post:
    """One post; everything is drawn from an rng seeded with (seed, k) only."""

    def __init__(self, seed: int, k: int):
        rng = random.Random(f"versus-bench:{seed}:{k}")
        self.k = k
        self.date = START + dt.timedelta(days=rng.randrange(DAYS))
        self.title = title(rng, 3, 7)
        slug_words = self.title.lower().split()[:4]
        self.slug = "-".join(slug_words + [str(k)])
        self.tags = rng.sample(TAGS, 3)
        self.body = self._body(rng, LANGUAGES[k % len(LANGUAGES)])

    @property
    def filename(self) -> str:
        return f"{self.date.isoformat()}-{self.slug}.md"

    def _body(self, rng: random.Random, lang: str) -> str:
        # Six headings: ## and ### mixed, the first always ##; unique within the post.
        levels = ["##"] + [rng.choice(["##", "###", "###"]) for _ in range(5)]
        headings: list[str] = []
        while len(headings) < 6:
            h = title(rng, 2, 5)
            if h not in headings:
                headings.append(h)
        # Sections 1, 3 and 4 carry the code block, the table and the list.
        extras = {1: code_block(rng, lang), 3: table(rng), 4: bullet_list(rng)}
        # Prose: an introduction plus six sections, ~1,200 words in all.
        budget = PROSE_WORDS
        per_part = budget // 7
        blocks: list[str] = []
        words = 0
        for part in range(7):
            if part > 0:
                blocks.append(f"{levels[part - 1]} {headings[part - 1]}")
            share = per_part if part < 6 else max(budget - words, 40)
            done = 0
            while done < share - 20:
                p, n = paragraph(rng, min(rng.randint(55, 110), share - done))
                blocks.append(p)
                done += n
            words += done
            if part - 1 in extras:
                blocks.append(extras[part - 1])
                if rng.random() < 0.5:
                    p, n = paragraph(rng, rng.randint(20, 40))
                    blocks.append(p)
                    words += n
        return "\n\n".join(blocks) + "\n"


def yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


STYLE = """\
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; }
pre { overflow-x: auto; padding: .75rem; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .25rem .5rem; }
.tags { list-style: none; padding: 0; display: flex; gap: .5rem; }
"""

# ---------------------------------------------------------------- versus

VERSUS_SITE = """\
title: Versus benchmark
base_url: https://example.org
language: en
permalink: /:year/:month/:day/:slug/
highlight:
  light: InspiredGitHub
  dark: base16-ocean.dark
# Equal work: the peers have no client-side search or drawn social cards, and list a term's
# posts on one page.
search: false
social_cards: false
paginate: 0
"""

VERSUS_LAYOUTS = {
    "base.html": """\
<!doctype html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ site.title }}{% endblock %}</title>
<link rel="stylesheet" href="{{ '/style.css' | relative_url }}">
</head>
<body>
<header><a href="{{ '/' | relative_url }}">{{ site.title }}</a></header>
<main>
{% block content %}{% endblock %}
</main>
</body>
</html>
""",
    "post.html": """\
{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ site.title }}{% endblock %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
<p><time>{{ page.date | date("%B %-d, %Y") }}</time></p>
<ul class="tags">{% for tag in page.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
<nav class="toc">
<ul>
{%- for entry in page.toc recursive %}
<li><a href="#{{ entry.id }}">{{ entry.title }}</a>
{%- if entry.children %}
<ul>{{ loop(entry.children) }}</ul>
{%- endif %}</li>
{%- endfor %}
</ul>
</nav>
{{ page.content }}
</article>
{% endblock %}
""",
    "index.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ site.title }}</h1>
<ul class="posts">
{%- for p in posts %}
<li><a href="{{ p.url | relative_url }}">{{ p.title }}</a></li>
{%- endfor %}
</ul>
{% endblock %}
""",
    "page.html": """\
{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ site.title }}{% endblock %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
{{ page.content }}
</article>
{% endblock %}
""",
}


def write_versus(root: Path, posts: list[Post]) -> None:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "layouts").mkdir()
    (root / "data").mkdir()
    (root / "static").mkdir()
    (root / "site.yaml").write_text(VERSUS_SITE)
    for name, text in VERSUS_LAYOUTS.items():
        (root / "layouts" / name).write_text(text)
    (root / "data" / "authors.yaml").write_text("bench:\n  name: Bench\n")
    (root / "static" / "style.css").write_text(STYLE)
    (root / "content" / "index.md").write_text(
        "---\nlayout: index\ntitle: Home\n---\n"
    )
    (root / "content" / "about.md").write_text(
        "---\nlayout: page\ntitle: About\n---\n\nA synthetic site for the versus benchmark.\n"
    )
    for p in posts:
        front = (
            "---\n"
            "layout: post\n"
            f"title: {yaml_str(p.title)}\n"
            "authors: [bench]\n"
            f"tags: [{', '.join(p.tags)}]\n"
            "---\n\n"
        )
        (root / "content" / "posts" / p.filename).write_text(front + p.body)


# ---------------------------------------------------------------- Hugo

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Versus benchmark"
# Equal work: versus also writes tag and author pages, their indexes, a feed, a sitemap and a
# 404 page; only Hugo's /posts/ section list has no versus counterpart.
disableKinds = ["section"]
# versus writes one feed, of the newest 20 posts (feed.entries): by default Hugo writes an RSS
# feed of every page for the home page, each taxonomy and each term.
rssLimit = 20

[outputs]
  home = ["html", "rss"]
  taxonomy = ["html"]
  term = ["html"]

[permalinks]
  posts = "/:year/:month/:day/:slug/"

[taxonomies]
  tag = "tags"
  author = "authors"

[markup.highlight]
  noClasses = false

[markup.goldmark.renderer]
  unsafe = true

[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
  ordered = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "title" }}{{ .Title }} | {{ .Site.Title }}{{ end }}
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}<p><time>{{ .Date.Format "January 2, 2006" }}</time></p>{{ end }}
{{ with .Params.tags }}<ul class="tags">{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ if not .Date.IsZero }}{{ .TableOfContents }}{{ end }}
{{ .Content }}
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="posts">
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Not found</h1>{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<ul class="posts">
{{ range where .Site.RegularPages "Section" "posts" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
""",
}


def write_hugo(root: Path, posts: list[Post]) -> None:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "static").mkdir()
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).write_text(text)
    (root / "static" / "style.css").write_text(STYLE)
    (root / "content" / "about.md").write_text(
        "---\ntitle: About\n---\n\nA synthetic site for the versus benchmark.\n"
    )
    for p in posts:
        front = (
            "---\n"
            f"title: {yaml_str(p.title)}\n"
            f"date: {p.date.isoformat()}\n"
            f"tags: [{', '.join(p.tags)}]\n"
            "authors: [bench]\n"
            f"slug: {p.slug}\n"
            "---\n\n"
        )
        (root / "content" / "posts" / p.filename).write_text(front + p.body)


# ---------------------------------------------------------------- Zola

# Zola's recommended setup (getzola.org/documentation: configuration, syntax highlighting,
# taxonomies), doing what versus does: light and dark highlighting with classes, an Atom feed of
# the newest 20 posts, tag and author pages without feeds, a sitemap and a 404 page.
ZOLA_CONFIG = """\
base_url = "https://example.org"
title = "Versus benchmark"
default_language = "en"
compile_sass = false
build_search_index = false
generate_feeds = true
feed_filenames = ["atom.xml"]
feed_limit = 20
taxonomies = [
  { name = "tags" },
  { name = "authors" },
]

[markdown.highlighting]
light_theme = "github-light"
dark_theme = "github-dark"
style = "class"
error_on_missing_language = true
"""

ZOLA_LAYOUTS = {
    "base.html": """\
<!doctype html>
<html lang="{{ config.default_language }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ config.title }}{% endblock %}</title>
<link rel="stylesheet" href="{{ get_url(path='style.css') }}">
</head>
<body>
<header><a href="{{ get_url(path='/') }}">{{ config.title }}</a></header>
<main>
{% block content %}{% endblock %}
</main>
</body>
</html>
""",
    "page.html": """\
{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
{% if page.date %}<p><time>{{ page.date | date(format="%B %-d, %Y") }}</time></p>{% endif %}
{% if page.taxonomies.tags %}<ul class="tags">{% for tag in page.taxonomies.tags %}<li>{{ tag }}</li>{% endfor %}</ul>{% endif %}
{% if page.toc %}<nav class="toc">
<ul>
{%- for h2 in page.toc %}
<li><a href="#{{ h2.id }}">{{ h2.title }}</a>
{%- if h2.children %}
<ul>{% for h3 in h2.children %}<li><a href="#{{ h3.id }}">{{ h3.title }}</a></li>{% endfor %}</ul>
{%- endif %}</li>
{%- endfor %}
</ul>
</nav>{% endif %}
{{ page.content | safe }}
</article>
{% endblock %}
""",
    "index.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ config.title }}</h1>
<ul class="posts">
{%- set posts = get_section(path="posts/_index.md") %}
{%- for p in posts.pages %}
<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>
{%- endfor %}
</ul>
{% endblock %}
""",
    "taxonomy_list.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ taxonomy.name }}</h1>
<ul class="posts">
{%- for term in terms %}
<li><a href="{{ term.permalink }}">{{ term.name }}</a></li>
{%- endfor %}
</ul>
{% endblock %}
""",
    "taxonomy_single.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ term.name }}</h1>
<ul class="posts">
{%- for p in term.pages %}
<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>
{%- endfor %}
</ul>
{% endblock %}
""",
    "404.html": """\
{% extends "base.html" %}
{% block content %}<h1>Not found</h1>{% endblock %}
""",
}


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_zola(root: Path, posts: list[Post]) -> None:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "static").mkdir()
    (root / "config.toml").write_text(ZOLA_CONFIG)
    for name, text in ZOLA_LAYOUTS.items():
        (root / "templates" / name).write_text(text)
    (root / "static" / "style.css").write_text(STYLE)
    (root / "content" / "_index.md").write_text('+++\ntitle = "Home"\n+++\n')
    # The posts' section lists nothing itself (as Hugo's disabled section kind); its pages are
    # still rendered, newest first in the home page's list.
    (root / "content" / "posts" / "_index.md").write_text(
        '+++\nrender = false\nsort_by = "date"\n+++\n'
    )
    (root / "content" / "about.md").write_text(
        '+++\ntitle = "About"\n+++\n\nA synthetic site for the versus benchmark.\n'
    )
    for p in posts:
        front = (
            "+++\n"
            f"title = {toml_str(p.title)}\n"
            f"date = {p.date.isoformat()}\n"
            f'path = "{p.date.year:04}/{p.date.month:02}/{p.date.day:02}/{p.slug}"\n'
            "[taxonomies]\n"
            f"tags = [{', '.join(toml_str(t) for t in p.tags)}]\n"
            'authors = ["bench"]\n'
            "+++\n\n"
        )
        (root / "content" / "posts" / p.filename).write_text(front + p.body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of posts")
    ap.add_argument(
        "--fingerprint", action="store_true", help="print the generator fingerprint and exit"
    )
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.fingerprint:
        print(fingerprint(args.seed))
        return 0
    if args.n < 1:
        ap.error("N must be at least 1")

    posts = [Post(args.seed, k) for k in range(1, args.n + 1)]
    assert len({p.filename for p in posts}) == len(posts), "slugs must be unique"
    fp = fingerprint(args.seed)
    for name, write in (("versus", write_versus), ("hugo", write_hugo), ("zola", write_zola)):
        root = args.out / f"{name}-{args.n}"
        if root.exists():
            shutil.rmtree(root)
        write(root, posts)
        (root / ".complete").write_text(fp + "\n")
        print(f"wrote {root} ({len(posts)} posts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

//! One integration test binary: each module builds small fixture sites with the real `versus`
//! binary and checks what a user would see (files written, HTML, messages, exit codes).

/// A fixture site copied to a scratch folder, built with the real binary.
mod harness;

/// The blog around the posts: series, taxonomies, pagination, feeds, sitemap, drafts and future.
mod blog;
/// Issue #14, accessibility: axe-core in headless Chromium over the theme's pages, light and dark.
mod a11y;
/// Live reload and the error overlay in a real headless Chromium, through chromedriver.
mod browser;
/// `versus check`: each kind of finding, JSON output, exit codes, external links on a local server.
mod check;
/// Successful builds: pages, URLs, Markdown features, byte-identical rebuilds.
mod build;
/// Bad input: one case per kind of error, with its message and position.
mod errors;
/// Jekyll compatibility: the fixture of tests/fixtures/jekyll against Jekyll 4.3's own output.
mod jekyll;
/// Feature matrices: validation, embedded tables, /compare/ pages and exports.
mod matrix;
/// Issue #14, the wording is the author's: built-in strings per language, a site's own in
/// their place, and a non-Kubernetes site on the built-in theme.
mod wording;
/// Issue #13: claim history on area pages, /compare/changes/ and its feed, freshness lines.
mod history;
/// The output folder: atomic replacement, refusals.
mod output;
/// The repository's own site, and the seed post as its author wrote it for Jekyll.
mod site;
/// The preview server: live reload, errors, safe paths, serve equals a clean build.
mod serve;
/// Issue #11, nothing lost: output folders, `--force`, the build lock, killed and concurrent builds.
mod nothing_lost;
/// Issue #11, bad input: front matter, BOMs, encodings, non-regular files, error positions.
mod bad_input;
/// Issue #11, bounded Liquid: nesting depth, ranges, division by zero.
mod liquid_limits;
/// Issue #11, hostile clients of `versus serve`: bodies, stalled streams, keep-alive latency.
mod serve_hostile;
/// Issue #11, code too expensive to highlight is written plain, with a warning.
mod highlight_budget;
/// Issue #11, property tests over the parsers with a fixed seed budget.
mod fuzz;
/// Issue #13, claims that stay true: `check --external` notices a changed source; the lock.
mod sources;
/// Issue #14, the habits people type: short flags as in Hugo and Zola, a closed pipe.
mod cli;
/// Issue #14: `versus init` starts a site that builds, checks clean and serves; `versus new`.
mod scaffold;
/// Issue #14: the built-in theme, one file overridden at a time, `versus theme list|copy`.
mod theme;
/// Issue #14: a site under a subpath, crawled link by link; what `check` says it cannot rewrite.
mod subpath;
/// Issue #14: a drawn PNG social card for every post and area page without an `image:`.
mod cards;
/// Issue #15: `versus import jekyll` on the Jekyll fixture builds the posts Jekyll built.
mod import;
/// Issue #17: feed settings, RSS beside Atom, per-tag feeds, paginated term pages.
mod feeds;
/// Issue #17: `aliases:` redirect pages, `_redirects`, the warning when a post's URL changes.
mod redirects;
/// Issue #17: client-side search: the index, the page and box, a query in a real Chromium.
mod search;
/// Issue #17, images: sizes, lazy loading, resized variants (srcset, WebP), missing and corrupt files.
mod images;

//! versus: a static site generator for comparison blogs.
//!
//! The modules in pipeline order; a module uses only modules above it.

/// Diagnostics: `path:line:col: message`, line indexes, did-you-mean.
pub mod diag;
/// The one HTML escape and the one slug.
pub mod text;
/// Walking the site folders, what kind of input each path is, and the one way to read a text file.
pub mod source;
/// The built-in theme: the layouts and static files a site does not write itself.
pub mod theme;
/// The one call site of the YAML library.
pub mod yaml;
/// `site.yaml` and command-line overrides.
pub mod config;
/// `data/**/*.yaml` as one tree for templates.
pub mod data;
/// Feature matrices: providers and areas, validated; row selections.
pub mod matrix;
/// The words versus writes itself, per language, and a site's own in their place.
pub mod strings;

/// Parse: Jekyll's Liquid in post bodies, before Markdown.
pub mod liquid;
/// One content file → a resolved page (front matter, date, slug, URL).
pub mod page;
/// All pages together: sorting, authors, URL clashes, links between sources.
pub mod site;
/// Code highlighting with syntect: CSS classes and theme stylesheets.
pub mod highlight;
/// A page's images: measured, checked, resized into `srcset` variants kept between builds.
pub mod image;
/// Markdown → HTML: kramdown attribute lists, heading ids, table of contents, code, footnotes.
pub mod markdown;
/// Series, taxonomies, the paginated home page: what the blog generates around the posts.
pub mod blog;
/// Atom feeds, the sitemap and robots.txt, written in Rust with XML escaping.
pub mod feed;
/// A matrix selection → an accessible HTML table.
pub mod table;
/// The generated /compare/ pages (areas, what changed and its feed) and the JSON and CSV exports.
pub mod compare;
/// Social cards: a PNG per post and area page without an `image:`, for link previews.
pub mod card;
/// Old URLs (`aliases:`): redirect pages and the `_redirects` file.
pub mod redirect;
/// The client-side search: an index of posts and matrix features as sharded static JSON.
pub mod search;
/// What the preview server's rebuilds key outputs by, and its cache of what they made.
pub mod incremental;
/// minijinja layouts, filters and page contexts.
pub mod render;
/// How a build reports its stages and items, for a progress line or `--verbose`.
pub mod progress;
/// The only writer: staging folder, atomic swap, refusals.
pub mod write;
/// The stage order of a build.
pub mod pipeline;
/// `versus check`: broken links and anchors, authoring leftovers, stale claims, external links.
pub mod check;
/// Incremental rebuilds into memory, for the preview server.
pub mod rebuild;
/// The preview server: builds into memory, serves, watches, live-reloads.
pub mod serve;
/// `versus init` and `versus new`: a working site, and the next post or matrix, in one command.
pub mod scaffold;
/// `versus import jekyll`: a Jekyll site written as a versus site, with what does not carry over.
pub mod import;

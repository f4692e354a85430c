//! Markdown body → HTML, table of contents and problems.
//!
//! The body is parsed once with pulldown-cmark (`into_offset_iter`, so every event
//! knows its byte range in the body) into a vector of items ([`doc`]). Small passes then
//! rewrite that vector in place; removed events become empty text so indices stay
//! stable. In order:
//!
//! 1. [`comments`]: drop `<!-- -->` from raw HTML; [`raw_html`]: its root-relative URLs
//!    under the base path.
//! 2. [`embeds`]: a paragraph that is only `{{ matrix(...) }}` → a generated table.
//! 3. [`links`]: `foo.md` links → page URLs (or a [`Problem`]); links and images from the site
//!    root under the base path.
//! 4. [`attributes`]: kramdown `{:...}` right after a link or image,
//! 5. and `{:...}` lines after a block; the `{:toc}` marker; [`lists`]: definition lists and
//!    ordered lists as kramdown writes them.
//! 6. [`code`]: highlighted `<pre>` blocks.
//! 7. [`ids`]: Jekyll-compatible heading ids, the flat heading list and the [`toc`].
//! 8. [`abbreviations`]: kramdown's `*[HTML]: …` definitions marked in the text;
//!    [`footnotes`]: footnote references in order of first use.
//! 9. [`html`]: pulldown's `push_html` plus the footnotes section.
//!
//! Before parsing, [`kramdown`] rewrites kramdown's block habits; after it, [`typography`]
//! curls quotes as kramdown does. IALs are always read from the source text, never from
//! `Text` events, because smart punctuation rewrites quotes and dashes in those events.

mod abbreviations;
mod attributes;
mod code;
mod comments;
mod doc;
mod embeds;
mod footnotes;
mod html;
mod ids;
mod images;
mod kramdown;
mod links;
mod lists;
mod plain;
mod raw_html;
mod toc;
mod typography;

use serde::Serialize;

use crate::config::CodeMarkup;
pub use crate::text::{escape_html, push_escaped};
pub use ids::heading_id;
pub use links::under_base_path;
pub use plain::plain_text;
pub use raw_html::{Unrewritten, map_urls, unrewritten_root_links};

use attributes::{apply_block_ials, apply_span_ials};
use code::{mark_inline_code, render_code_blocks};
use comments::strip_html_comments;
use doc::Doc;
use embeds::expand_embeds;
use footnotes::number_footnotes;
use html::write_html;
use ids::assign_heading_ids;
use kramdown::KramdownSource;
use links::rewrite_links;
use raw_html::rewrite_raw_html;
use typography::kramdown_quotes;

/// Turns a relative link to a Markdown source (as written, without `#fragment`: "2023-08-11-foo.md",
/// "../about.md") into the site path of the page built from it (the base path is added after);
/// None if no such source exists.
pub type ResolveSourceLink<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Expands a paragraph that is only a `{{ call(...) }}` (a matrix table), given the plain text
/// of the heading right above it if there is one (a table's caption need not say it again):
/// None leaves it as text, `Some(Ok(html))` replaces it, `Some(Err(message))` reports a
/// problem.
pub type ExpandEmbed<'a> =
    &'a (dyn Fn(&str, Option<&str>) -> Option<Result<String, String>> + Sync);

/// What the site knows of the image at `src` (as written in the Markdown, base path
/// included): None for an image elsewhere (another host), `Some(Err(message))` for one the
/// site should have but cannot use (missing, undecodable), reported at the image.
pub type ImageLookup<'a> = &'a (dyn Fn(&str) -> Option<Result<ImageInfo, String>> + Sync);

/// An image of the site as its `<img>` shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageInfo {
    /// Width and height in pixels, so the page does not shift as it loads; None for SVG.
    pub size: Option<(u32, u32)>,
    /// `srcset` in the image's own format (`/_img/…-480w.png 480w, /img/a.png 1600w`), for an
    /// image wider than the content column.
    pub srcset: Option<String>,
    /// The `srcset` of a WebP `<source>` before it.
    pub webp_srcset: Option<String>,
    /// The content column in CSS pixels, for `sizes`.
    pub column: u32,
}

/// How [`render`] connects a page to the rest of the site; without them, source links and
/// embeds stay as written, images get no size, and code is highlighted afresh.
#[derive(Default, Clone, Copy)]
pub struct Options<'a> {
    pub resolve_source_link: Option<ResolveSourceLink<'a>>,
    pub expand_embed: Option<ExpandEmbed<'a>>,
    pub highlight_cache: Option<&'a crate::highlight::DiskCache>,
    /// The classes of versus's code markup; without it, those of the default themes.
    pub palette: Option<&'a crate::highlight::Palette>,
    pub images: Option<ImageLookup<'a>>,
    /// Images after the body's first get `loading="lazy" decoding="async"`; the first may be
    /// the largest paint of the page, which a browser should not put off.
    pub lazy_images: bool,
    /// The HTML around code: versus's, or Jekyll's for a Jekyll theme's stylesheet.
    pub code_markup: CodeMarkup,
    /// The path the site is published under (`/blog`, or empty): links written from the site
    /// root (`/posts/a/`, in Markdown or raw HTML) get it, see [`under_base_path`].
    pub base_path: &'a str,
    /// The site path of the page, when the HTML is shown on other pages (a summary in a listing
    /// or a feed): relative links are resolved against it, so they lead where they did.
    pub relative_to: Option<&'a str>,
}

/// The result of rendering one body.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub html: String,
    /// Nested by heading level; headings marked `.no_toc` are left out.
    pub toc: Vec<TocEntry>,
    /// Every heading we gave an id, flat, in document order.
    pub headings: Vec<Heading>,
    /// The caller turns offsets into `path:line:col`.
    pub problems: Vec<Problem>,
    /// Like problems, but the page is still written: code too expensive to highlight.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// HTML of the heading's inline content, without links (the entry is itself a link).
    pub title: String,
    pub children: Vec<TocEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    /// Plain text, as rendered (smart punctuation applied).
    pub text: String,
    /// Byte offset of the heading in the body.
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Byte offset in the body.
    pub offset: usize,
    pub message: String,
}

/// Renders a Markdown body; never fails, anything suspicious becomes a [`Problem`].
pub fn render(body: &str, options: &Options) -> Rendered {
    let mut source = KramdownSource::new(body);
    let alds = std::mem::take(&mut source.alds);
    let abbreviations = std::mem::take(&mut source.abbreviations);
    let mut doc = Doc::parse(&source.text, alds);
    source.unmark(&mut doc);
    doc.wrap_tables = options.code_markup == CodeMarkup::Versus;
    let mut problems = Vec::new();
    strip_html_comments(&mut doc);
    if !options.base_path.is_empty() {
        rewrite_raw_html(&mut doc, options.base_path);
    }
    kramdown_quotes(&mut doc);
    if let Some(expand) = options.expand_embed {
        expand_embeds(&mut doc, expand, &mut problems);
    }
    rewrite_links(
        &mut doc,
        options.resolve_source_link,
        options.base_path,
        options.relative_to,
        &mut problems,
    );
    apply_span_ials(&mut doc);
    apply_block_ials(&mut doc);
    lists::kramdown_definition_lists(&mut doc);
    if options.code_markup == CodeMarkup::Jekyll {
        lists::ordered_lists_from_one(&mut doc);
    }
    if let Some(lookup) = options.images {
        images::size_images(&mut doc, lookup, options.lazy_images, &mut problems);
    }
    let mut warnings = Vec::new();
    if doc.parser_failed {
        warnings.push(Problem {
            offset: 0,
            message: "the Markdown parser (pulldown-cmark) failed on this text and it was read again without `{#id}` heading attributes; look for an odd mix of `>`, backticks and `{}`".into(),
        });
    }
    render_code_blocks(&mut doc, options, &mut warnings);
    let (headings, toc) = assign_heading_ids(&mut doc, options.code_markup);
    if options.code_markup == CodeMarkup::Jekyll {
        mark_inline_code(&mut doc);
    }
    abbreviations::mark_abbreviations(&mut doc, &abbreviations);
    let footnotes = number_footnotes(&mut doc);
    let html = write_html(&doc, &toc, &footnotes);
    Rendered {
        html,
        toc,
        headings: headings
            .into_iter()
            .map(|h| Heading {
                offset: source.body_offset(h.offset),
                ..h
            })
            .collect(),
        problems: problems
            .into_iter()
            .map(|p| Problem {
                offset: source.body_offset(p.offset),
                ..p
            })
            .collect(),
        warnings: warnings
            .into_iter()
            .map(|p| Problem {
                offset: source.body_offset(p.offset),
                ..p
            })
            .collect(),
    }
}

/// Short Markdown (a note, a description) as inline HTML: one paragraph loses its `<p>`. Links
/// from the site root get `base_path`, as in a page.
pub fn render_inline(text: &str, base_path: &str, code_markup: CodeMarkup) -> String {
    let options = Options {
        base_path,
        code_markup,
        ..Options::default()
    };
    let html = render(text, &options).html;
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn no_sources(_: &str) -> Option<String> {
        None
    }

    pub(super) fn html(body: &str) -> String {
        render_with(body, &no_sources).html
    }

    pub(super) fn render_with(
        body: &str,
        resolve: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Rendered {
        render(
            body,
            &Options {
                resolve_source_link: Some(resolve),
                expand_embed: None,
                highlight_cache: None,
                palette: None,
                images: None,
                lazy_images: false,
                code_markup: CodeMarkup::Versus,
                base_path: "",
                relative_to: None,
            },
        )
    }
}

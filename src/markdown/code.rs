//! Pass 6: code blocks highlighted at build time, in versus's markup or Jekyll's.

use pulldown_cmark::{CodeBlockKind, Event, Tag};

use super::attributes::{Attrs, push_attr};
use super::doc::Doc;
use super::{Options, Problem, push_escaped};
use crate::config::CodeMarkup;

/// Highlighted at build time; readers get no JavaScript and no layout shift. A block too
/// expensive to highlight is written plain, with a warning at its opening fence.
pub(super) fn render_code_blocks(doc: &mut Doc, options: &Options, warnings: &mut Vec<Problem>) {
    for i in 0..doc.items.len() {
        let Event::Start(Tag::CodeBlock(kind)) = &doc.items[i].event else {
            continue;
        };
        let (lang, from_tag) = match kind {
            CodeBlockKind::Fenced(info) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("").to_owned();
                (
                    lang,
                    words.next() == Some(crate::liquid::HIGHLIGHT_TAG_MARK),
                )
            }
            CodeBlockKind::Indented => (String::new(), false),
        };
        let end = doc.partner[i];
        let content_column = match kind {
            CodeBlockKind::Fenced(_) => container_column(doc, i),
            CodeBlockKind::Indented => None,
        };
        let mut code = String::new();
        for item in &doc.items[i + 1..end] {
            if let Event::Text(t) = &item.event {
                if let Some(column) = content_column {
                    code.push_str(fence_indent(doc.body, item.range.start, column));
                }
                code.push_str(t);
            }
        }
        if from_tag {
            // Jekyll's tag strips the code's trailing newline: `…</code></pre></figure>`.
            if code.ends_with('\n') {
                code.pop();
            }
        }
        let classes = match options.code_markup {
            CodeMarkup::Versus => crate::highlight::Classes::Versus(
                options
                    .palette
                    .unwrap_or(crate::highlight::Palette::default_themes()),
            ),
            CodeMarkup::Jekyll => crate::highlight::Classes::Rouge,
        };
        let highlighted = match options.highlight_cache {
            Some(cache) => cache.highlight_with(&lang, &code, classes),
            None => crate::highlight::highlight_with(&lang, &code, classes),
        };
        let mut inner = String::with_capacity(code.len() * 2);
        match highlighted {
            Ok(highlighted) if !lang.is_empty() => inner.push_str(&highlighted),
            Err(crate::highlight::NotHighlighted::OverBudget(over)) => {
                warnings.push(Problem {
                    offset: doc.items[i].range.start,
                    message: over.to_string(),
                });
                push_escaped(&mut inner, &code);
            }
            _ => push_escaped(&mut inner, &code),
        }
        let attrs = doc.items[i].attrs.take().map(|a| *a).unwrap_or_default();
        let html = match options.code_markup {
            CodeMarkup::Versus => versus_code_block(&lang, &inner, &attrs),
            CodeMarkup::Jekyll => jekyll_code_block(&lang, &inner, &attrs, from_tag),
        };
        for k in i + 1..=end {
            doc.remove(k);
        }
        doc.items[i].event = Event::Html(html.into());
    }
}

/// The column where the content of the list item holding fenced code block `i` starts (0 at the
/// top level), from the item's first line; None inside a quote, which is left to CommonMark.
/// kramdown keeps the spaces a fence is indented by in each line of its code, CommonMark takes
/// them off: [`fence_indent`] gives them back.
fn container_column(doc: &Doc, i: usize) -> Option<usize> {
    let mut parent = doc.parent[i];
    while let Some(p) = parent {
        match doc.items[p].event {
            Event::Start(Tag::BlockQuote(_)) => return None,
            Event::Start(Tag::Item) => break,
            _ => parent = doc.parent[p],
        }
    }
    let Some(item) = parent else { return Some(0) };
    let start = doc.items[item].range.start;
    let line_start = doc.body[..start].rfind('\n').map_or(0, |n| n + 1);
    let line = &doc.body[start..];
    let marker = match line.strip_prefix(['*', '-', '+']) {
        Some(_) => 1,
        None => {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            digits + 1
        }
    };
    let after = &line[marker.min(line.len())..];
    let first_line = after.split('\n').next().unwrap_or("");
    let spaces = first_line.len() - first_line.trim_start_matches(' ').len();
    let spaces = match spaces {
        1..=4 if spaces < first_line.len() => spaces,
        _ => 1,
    };
    Some(start - line_start + marker + spaces)
}

/// The spaces between the content column of a code line's container and the code CommonMark
/// kept (the fence's indentation it took off), "" if the line is not indented that way.
fn fence_indent(body: &str, text_start: usize, column: usize) -> &str {
    let line_start = body[..text_start].rfind('\n').map_or(0, |n| n + 1);
    body.get(line_start + column..text_start)
        .filter(|gap| gap.bytes().all(|b| b == b' '))
        .unwrap_or("")
}

/// kramdown with Rouge marks inline code as plain text; after the heading ids, which read the
/// code's text.
pub(super) fn mark_inline_code(doc: &mut Doc) {
    for item in &mut doc.items {
        if let Event::Code(code) = &item.event {
            item.event = Event::InlineHtml(jekyll_inline_code(code).into());
        }
    }
}

pub(super) fn jekyll_inline_code(code: &str) -> String {
    let mut html = String::from("<code class=\"language-plaintext highlighter-rouge\">");
    push_escaped(&mut html, code);
    html.push_str("</code>");
    html
}

/// `<pre class="highlight" data-lang="x"><code class="language-x">`.
fn versus_code_block(lang: &str, inner: &str, attrs: &Attrs) -> String {
    let mut html = String::with_capacity(inner.len() + 100);
    html.push_str("<pre");
    attrs.write(&mut html, Some("highlight"));
    if !lang.is_empty() {
        push_attr(&mut html, "data-lang", lang);
    }
    if !attrs.pairs.iter().any(|(key, _)| key == "tabindex") {
        push_attr(&mut html, "tabindex", "0");
    }
    if !lang.is_empty() {
        html.push_str("><code");
        push_attr(&mut html, "class", &format!("language-{lang}"));
        html.push('>');
    } else {
        html.push_str("><code>");
    }
    html.push_str(inner);
    html.push_str("</code></pre>\n");
    html
}

/// The markup Jekyll writes with kramdown and Rouge: a fence as
/// `div.language-x.highlighter-rouge > div.highlight > pre.highlight > code`, a Liquid
/// `{% highlight %}` as `figure.highlight > pre > code.language-x`.
fn jekyll_code_block(lang: &str, inner: &str, attrs: &Attrs, from_tag: bool) -> String {
    let mut html = String::with_capacity(inner.len() + 160);
    if from_tag {
        html.push_str("<figure class=\"highlight\"><pre><code");
        push_attr(&mut html, "class", &format!("language-{lang}"));
        push_attr(&mut html, "data-lang", lang);
        html.push('>');
        html.push_str(inner);
        html.push_str("</code></pre></figure>\n");
        return html;
    }
    let lang = if lang.is_empty() { "plaintext" } else { lang };
    html.push_str("<div");
    attrs.write(
        &mut html,
        Some(&format!("language-{lang} highlighter-rouge")),
    );
    html.push_str("><div class=\"highlight\"><pre class=\"highlight\"><code>");
    html.push_str(inner);
    html.push_str("</code></pre></div></div>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #14: a code block that scrolls sideways can be reached and scrolled by keyboard;
    /// an author's own `tabindex` is kept, not doubled.
    #[test]
    fn code_blocks_are_keyboard_focusable() {
        let out = html("```yaml\na: b\n```\n");
        assert!(
            out.starts_with("<pre class=\"highlight\" data-lang=\"yaml\" tabindex=\"0\">"),
            "{out}"
        );
        let out = html("```\nplain\n```\n{: tabindex=\"-1\"}\n");
        assert_eq!(out.matches("tabindex").count(), 1, "{out}");
        assert!(out.contains("tabindex=\"-1\""), "{out}");
    }
    use crate::markdown::render;
    use crate::markdown::tests::*;

    #[test]
    fn jekyll_code_markup() {
        let options = Options {
            code_markup: CodeMarkup::Jekyll,
            ..Options::default()
        };
        let out = render("## The `x` knob\n\nUse `y`.\n\n```yaml\na: 1\n```\n\n```\nplain\n```\n\n```python {%highlight%}\npass\n```\n", &options).html;
        assert!(out.starts_with("<h2 id=\"the-x-knob\">The <code class=\"language-plaintext highlighter-rouge\">x</code> knob</h2>"), "{out}");
        assert!(out.contains("<div class=\"language-yaml highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>"), "{out}");
        assert!(out.contains("<div class=\"language-plaintext highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>plain\n</code></pre></div></div>"), "{out}");
        assert!(out.contains("<figure class=\"highlight\"><pre><code class=\"language-python\" data-lang=\"python\">"), "{out}");
    }

    #[test]
    fn code_blocks_are_highlighted_or_escaped() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert!(out.starts_with("<pre class=\"highlight\" data-lang=\"rust\" tabindex=\"0\"><code class=\"language-rust\"><span class=\"l"), "{out}");
        let out = html("```nosuchlang extra\n<b> & \"x\" -- {:.c}\n```\n");
        assert_eq!(
            out,
            "<pre class=\"highlight\" data-lang=\"nosuchlang\" tabindex=\"0\"><code class=\"language-nosuchlang\">&lt;b&gt; &amp; &quot;x&quot; -- {:.c}\n</code></pre>\n"
        );
        let out = html("    indented <i>\n");
        assert_eq!(
            out,
            "<pre class=\"highlight\" tabindex=\"0\"><code>indented &lt;i&gt;\n</code></pre>\n"
        );
    }

    /// Found on a real Jekyll blog: kramdown keeps the spaces a fence in a list item is
    /// indented by beyond the item's text in every line of the code; CommonMark drops them.
    #[test]
    fn a_fence_indented_in_a_list_item_keeps_its_indentation() {
        let out = html(
            "* Item\n\n    ```\n    four\n      six\n    ```\n\n1. Num\n   ```\n   three\n   ```\n\n  ```\n  top\n  ```\n\n> ```\n> q\n> ```\n",
        );
        assert!(out.contains("<code>  four\n    six\n</code>"), "{out}");
        assert!(out.contains("<code>three\n</code>"), "{out}");
        assert!(out.contains("<code>  top\n</code>"), "{out}");
        assert!(out.contains("<code>q\n</code>"), "{out}");
    }

    /// Found on a real Jekyll blog: Jekyll's `{% highlight %}` ends its code without a newline.
    #[test]
    fn highlight_tag_code_has_no_trailing_newline() {
        let options = Options {
            code_markup: CodeMarkup::Jekyll,
            ..Options::default()
        };
        let out = render("```text {%highlight%}\nplain\n```\n", &options).html;
        assert_eq!(
            out,
            "<figure class=\"highlight\"><pre><code class=\"language-text\" data-lang=\"text\">plain</code></pre></figure>\n"
        );
    }

    #[test]
    fn code_spans_are_untouched() {
        let out = html("Use `[a](b.md){:.x} \"q\" --` here.\n");
        assert_eq!(
            out,
            "<p>Use <code>[a](b.md){:.x} \"q\" --</code> here.</p>\n"
        );
    }
}

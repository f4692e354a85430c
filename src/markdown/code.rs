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
        let mut code = String::new();
        for item in &doc.items[i + 1..end] {
            if let Event::Text(t) = &item.event {
                code.push_str(t);
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

    #[test]
    fn code_spans_are_untouched() {
        let out = html("Use `[a](b.md){:.x} \"q\" --` here.\n");
        assert_eq!(
            out,
            "<p>Use <code>[a](b.md){:.x} \"q\" --</code> here.</p>\n"
        );
    }
}

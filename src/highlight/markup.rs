//! versus's code markup: flat spans, one per run of text styled alike in both themes.
//!
//! syntect's own HTML nests a span per scope, each naming the whole scope
//! (`<span class="hl-string hl-quoted hl-double hl-rust">`), so most of a highlighted block was
//! class names. Here the code is parsed once, each theme resolves the style of every piece,
//! and the pieces are written as [`Palette`] classes: neighbours whose classes agree share one
//! span, plain text has none, and whitespace joins the span around it (or stays bare) unless
//! a background or an underline would show on it.

use std::collections::HashMap;

use syntect::highlighting::Highlighter;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference};
use syntect::util::LinesWithEndings;

use super::NotHighlighted;
use super::budget::Deadline;
use super::palette::Palette;
use super::sets::SYNTAXES;
use crate::text::push_escaped;

/// The inner HTML of a `<code>` element for `code`, coloured by `palette`'s two themes.
pub(super) fn highlight_versus(
    syntax: &SyntaxReference,
    code: &str,
    palette: &Palette,
    deadline: &mut Deadline,
) -> Result<String, NotHighlighted> {
    let mut classes = Classes::new(palette);
    let mut parse = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut writer = Writer::new(code.len());
    for line in LinesWithEndings::from(code) {
        let ops = parse
            .parse_line(line, &SYNTAXES)
            .map_err(|_| NotHighlighted::Failed)?;
        let mut from = 0;
        for (at, op) in ops {
            if at > from {
                let (class, shows) = classes.of(&stack.scopes);
                writer.piece(class, shows, &line[from..at]);
                from = at;
            }
            stack.apply(&op).map_err(|_| NotHighlighted::Failed)?;
        }
        if from < line.len() {
            let (class, shows) = classes.of(&stack.scopes);
            writer.piece(class, shows, &line[from..]);
        }
        deadline.line_done()?;
    }
    Ok(writer.finish())
}

/// The class of each scope stack met in one block, resolved by both themes once: a block meets
/// a few dozen stacks in hundreds of pieces, and resolving one scores every rule of a theme.
struct Classes<'p> {
    palette: &'p Palette,
    light: Highlighter<'p>,
    dark: Highlighter<'p>,
    known: HashMap<Vec<Scope>, (String, bool)>,
}

impl<'p> Classes<'p> {
    fn new(palette: &'p Palette) -> Classes<'p> {
        Classes {
            palette,
            light: Highlighter::new(&palette.light.theme),
            dark: Highlighter::new(&palette.dark.theme),
            known: HashMap::new(),
        }
    }

    /// The class attribute for text under `stack`, and whether a space under it shows.
    fn of(&mut self, stack: &[Scope]) -> (&str, bool) {
        if !self.known.contains_key(stack) {
            let (light, dark) = (
                self.light.style_for_stack(stack),
                self.dark.style_for_stack(stack),
            );
            let mut class = String::new();
            let shows = self.palette.class(light, dark, &mut class);
            self.known.insert(stack.to_vec(), (class, shows));
        }
        let (class, shows) = &self.known[stack];
        (class, *shows)
    }
}

/// Writes pieces as spans, joining neighbours of the same class.
struct Writer {
    html: String,
    /// The class of the span still open, empty when none is.
    open: String,
    /// Whitespace not written yet: inside the open span if the next piece continues it.
    spaces: String,
}

impl Writer {
    fn new(code_len: usize) -> Writer {
        Writer {
            html: String::with_capacity(code_len * 2),
            open: String::new(),
            spaces: String::new(),
        }
    }

    fn piece(&mut self, class: &str, shows: bool, text: &str) {
        if !shows && text.bytes().all(|b| b.is_ascii_whitespace()) {
            self.spaces.push_str(text);
            return;
        }
        if class != self.open {
            if !self.open.is_empty() {
                self.html.push_str("</span>");
            }
            self.html.push_str(&self.spaces);
            if !class.is_empty() {
                self.html.push_str("<span class=\"");
                self.html.push_str(class);
                self.html.push_str("\">");
            }
            self.open.clear();
            self.open.push_str(class);
        } else {
            self.html.push_str(&self.spaces);
        }
        self.spaces.clear();
        push_escaped(&mut self.html, text);
    }

    fn finish(mut self) -> String {
        if !self.open.is_empty() {
            self.html.push_str("</span>");
        }
        self.html.push_str(&self.spaces);
        self.html
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::sets::find_syntax;

    fn html(lang: &str, code: &str, light: &str, dark: &str) -> String {
        let palette = Palette::new(light, dark).expect("known themes");
        let syntax = find_syntax(lang).expect("known language");
        highlight_versus(syntax, code, &palette, &mut Deadline::start()).expect("highlights")
    }

    /// The text without the tags, entities decoded: what a reader sees.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn spans_are_flat_short_and_keep_the_text() {
        let code = "fn main() {\n    let s = \"a <b> & c\"; // note\n    x += 1;\n}\n";
        let out = html("rust", code, "InspiredGitHub", "base16-ocean.dark");
        assert_eq!(text_of(&out), code);
        assert!(!out.contains("hl-"), "{out}");
        // Flat: no span opens inside another.
        let mut depth = 0;
        for part in out.split('<').skip(1) {
            if part.starts_with("span") {
                depth += 1;
                assert_eq!(depth, 1, "{out}");
            } else if part.starts_with("/span") {
                depth -= 1;
            }
        }
        assert_eq!(depth, 0);
        // Every class token is a light or dark one.
        for class in out.split("class=\"").skip(1) {
            let class = class.split('"').next().unwrap();
            for token in class.split(' ') {
                let (side, rest) = token.split_at(1);
                assert!(side == "l" || side == "d", "{token} in {out}");
                assert!(
                    rest.parse::<usize>().is_ok() || ["b", "i", "u"].contains(&rest),
                    "{token}"
                );
            }
        }
        // Where both themes give the quotes the string's colour, the string is one span, not
        // one per scope (the quotes' punctuation scopes inside the string's).
        let same = html("rust", code, "InspiredGitHub", "InspiredGitHub");
        assert!(
            same.contains("\">&quot;a &lt;b&gt; &amp; c&quot;</span>"),
            "{same}"
        );
        // base16-ocean.dark gives the quotes the plain colour: two classes there.
        assert!(
            out.contains("<span class=\"l2\">&quot;</span><span class=\"l2 d8\">a &lt;b"),
            "{out}"
        );
    }

    #[test]
    fn plain_text_and_whitespace_get_no_span() {
        let out = html("rust", "    \n\t\n", "InspiredGitHub", "base16-ocean.dark");
        assert_eq!(out, "    \n\t\n");
        // A comment over two lines with only spaces between: one span holds them.
        let out = html(
            "rust",
            "// a\n// b\n",
            "InspiredGitHub",
            "base16-ocean.dark",
        );
        assert_eq!(out.matches("<span").count(), 1, "{out}");
        assert_eq!(text_of(&out), "// a\n// b\n");
    }

    #[test]
    fn the_same_themes_give_the_same_markup_and_other_themes_other_classes() {
        let code = "def f(x):\n    return x + 1  # one\n";
        let a = html("python", code, "InspiredGitHub", "base16-ocean.dark");
        assert_eq!(
            a,
            html("python", code, "InspiredGitHub", "base16-ocean.dark")
        );
        let b = html("python", code, "Solarized (light)", "Dracula");
        assert_ne!(a, b);
        assert_eq!(text_of(&a), text_of(&b));
    }

    /// What a reader sees of each character: its colour, background and font in one theme, as
    /// the stylesheet's half for `side` ('l' or 'd') paints the spans; `pre.highlight` first.
    fn painted(out: &str, css: &str, side: char) -> Vec<(char, String)> {
        let rule = |selector: &str| {
            css.split('}')
                .filter_map(|r| r.rsplit_once('{'))
                .find(|(s, _)| s.lines().last().unwrap_or("").trim() == selector.trim())
                .map(|(_, body)| body.trim().to_owned())
        };
        let block = rule("pre.highlight").expect("the block's rule");
        let mut seen = Vec::new();
        let mut rest = out;
        let mut class = "";
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let (name, after) = after.split_once("\">").unwrap();
                class = name;
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</span>") {
                class = "";
                rest = after;
                continue;
            }
            let mut paint = vec![block.clone()];
            for token in class.split(' ').filter(|t| t.starts_with(side)) {
                paint.push(rule(&format!(".highlight .{token} ")).expect(token));
            }
            let (c, len) = match rest.find(';').filter(|_| c == '&') {
                Some(end) => (text_of(&rest[..=end]).chars().next().unwrap(), end + 1),
                None => (c, c.len_utf8()),
            };
            seen.push((c, paint.join(" ")));
            rest = &rest[len..];
        }
        seen
    }

    /// The same as syntect paints it with the theme alone (its colours made readable).
    fn expected(lang: &str, code: &str, theme: &str) -> Vec<(char, String)> {
        use super::super::contrast::{readable_on, readable_theme};
        use super::super::palette::css_color;
        use syntect::easy::HighlightLines;
        use syntect::highlighting::FontStyle;
        let theme = readable_theme(super::super::sets::find_theme(theme).unwrap());
        let default = Highlighter::new(&theme).get_default();
        let mut lines = HighlightLines::new(find_syntax(lang).unwrap(), &theme);
        let mut seen = Vec::new();
        for line in LinesWithEndings::from(code) {
            for (style, text) in lines.highlight_line(line, &SYNTAXES).unwrap() {
                for c in text.chars() {
                    seen.push((c, style));
                }
            }
        }
        // Compared as properties, not as rule text: the block's, then the token's own.
        let block = format!(
            "color: {}; background-color: {};",
            css_color(default.foreground),
            css_color(default.background)
        );
        seen.into_iter()
            .map(|(c, style)| {
                let mut paint = vec![block.clone()];
                if (style.foreground, style.background) != (default.foreground, default.background)
                {
                    let mut rule = format!(
                        "color: {};",
                        css_color(readable_on(style.foreground, style.background))
                    );
                    if style.background != default.background {
                        rule.push_str(&format!(
                            " background-color: {};",
                            css_color(style.background)
                        ));
                    }
                    paint.push(rule);
                }
                for (flag, property) in [
                    (FontStyle::BOLD, "font-weight: bold;"),
                    (FontStyle::ITALIC, "font-style: italic;"),
                    (FontStyle::UNDERLINE, "text-decoration: underline;"),
                ] {
                    if style.font_style.contains(flag) {
                        paint.push(property.to_owned());
                    }
                }
                (c, paint.join(" "))
            })
            .collect()
    }

    /// Issue #16: the short classes lose nothing. Every character of the code, painted by the
    /// stylesheet through its classes, has the colour, background and font the theme gives
    /// it, in the light and in the dark half; spaces only where they show nothing anyway.
    #[test]
    fn the_stylesheet_paints_every_character_as_the_theme_does() {
        let samples = [
            (
                "rust",
                "use std::io;\n/// Docs.\nfn main() -> io::Result<()> {\n    let s = \"a\\n\";\n    println!(\"{s} {}\", 1 + 2);\n    Ok(())\n}\n",
            ),
            (
                "python",
                "@decorator\ndef f(x: int) -> str:\n    \"\"\"Doc.\"\"\"\n    return f'{x!r}' + r'\\d'  # c\n",
            ),
            (
                "yaml",
                "key: value\nlist:\n  - 1\n  - \"two\"\nanchor: &a {x: 1}\n",
            ),
            (
                "bash",
                "for f in *.md; do\n  echo \"$f\" | grep -c '$(x)' >> out.txt\ndone\n",
            ),
            (
                "js",
                "const a = [1, 2].map((x) => x * 2); // c\nclass A extends B { #p = `t${a}`; }\n",
            ),
            ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n"),
        ];
        let pairs = [
            ("InspiredGitHub", "base16-ocean.dark"),
            ("Monokai Extended Light", "DarkNeon"),
            ("Solarized (light)", "Dracula"),
        ];
        for (light, dark) in pairs {
            let css = crate::highlight::theme_css(light, dark).unwrap();
            let media = css.find("@media (prefers-color-scheme: dark)").unwrap();
            for (lang, code) in samples {
                let out = html(lang, code, light, dark);
                for (side, half, theme) in [('l', &css[..media], light), ('d', &css[media..], dark)]
                {
                    let got = painted(&out, half, side);
                    let want = expected(lang, code, theme);
                    assert_eq!(got.len(), want.len(), "{lang} {theme}");
                    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                        if g.0.is_whitespace() && g != w {
                            // A bare space: fine unless the theme gives it a background or an
                            // underline, which would show.
                            assert_eq!(
                                w.1.matches("background-color").count(),
                                1,
                                "{lang} {theme}: space {i} lost {}",
                                w.1
                            );
                            assert!(!w.1.contains("underline"), "{lang} {theme}: space {i}");
                            continue;
                        }
                        assert_eq!(g, w, "{lang} {theme}: character {i} in {out}");
                    }
                }
            }
        }
    }
}

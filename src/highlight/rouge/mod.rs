//! Rouge's short token classes (`k`, `s2`, …) from syntect's scopes, as flat spans.

use std::collections::HashMap;
use std::sync::LazyLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference};
use syntect::util::LinesWithEndings;

use super::NotHighlighted;
use super::budget::Deadline;
use super::sets::SYNTAXES;
use lexicon::{Context, Lexicon};
pub(super) use rules::{ROUGE_RULES, Token};

mod css;
mod lexicon;
mod rules;
mod shell;
mod vue;
#[cfg(test)]
pub(super) use lexicon::CLASSES as LEXICON_CLASSES;

/// [`ROUGE_RULES`] as parsed scopes.
struct RougeRule {
    lang: Option<Scope>,
    scope: Scope,
    token: Token,
}

static RULES: LazyLock<Vec<RougeRule>> = LazyLock::new(|| {
    let scope = |s: &str| Scope::new(s).expect("rule scopes are valid");
    ROUGE_RULES
        .iter()
        .map(|&(lang, prefix, token)| RougeRule {
            lang: (!lang.is_empty()).then(|| scope(lang)),
            scope: scope(prefix),
            token,
        })
        .collect()
});

/// Maps scope stacks to Rouge classes, remembering each scope's rules per language.
struct RougeClasses {
    /// The syntax's top scope: the language of code outside any embedded one.
    language: Scope,
    /// `source` and `text`: the first atom of a (possibly embedded) language's scope.
    source: Scope,
    text: Scope,
    /// Per language and scope: the token of the language's own rules, and of the general rules.
    seen: HashMap<(Scope, Scope), (Option<Token>, Option<Token>)>,
    /// Per language scope: the lexicon that classes its words again, if any.
    lexicons: HashMap<Scope, Option<Lexicon>>,
    /// Per scope: whether it is a string's `${…}` (Terraform's operators differ there).
    interpolations: HashMap<Scope, bool>,
}

impl RougeClasses {
    fn new(language: Scope) -> RougeClasses {
        let scope = |s: &str| Scope::new(s).expect("valid scope");
        RougeClasses {
            language,
            source: scope("source"),
            text: scope("text"),
            seen: HashMap::new(),
            lexicons: HashMap::new(),
            interpolations: HashMap::new(),
        }
    }

    /// The language of code under `stack`: the innermost `source.*` or `text.*` scope, so
    /// that CSS and JavaScript in HTML follow their own languages' rules.
    fn language_of(&self, stack: &[Scope]) -> Scope {
        stack
            .iter()
            .rev()
            .find(|s| self.source.is_prefix_of(**s) || self.text.is_prefix_of(**s))
            .copied()
            .unwrap_or(self.language)
    }

    fn tokens(&mut self, language: Scope, scope: Scope) -> (Option<Token>, Option<Token>) {
        *self.seen.entry((language, scope)).or_insert_with(|| {
            let best = |own: bool| {
                RULES
                    .iter()
                    .filter(|rule| match rule.lang {
                        Some(lang) => own && lang.is_prefix_of(language),
                        None => !own,
                    })
                    .filter(|rule| rule.scope.is_prefix_of(scope))
                    .max_by_key(|rule| rule.scope.len())
                    .map(|rule| rule.token)
            };
            (best(true), best(false))
        })
    }

    /// The lexicon of the language of code under `stack`, if its words are classed by text.
    fn lexicon(&mut self, stack: &[Scope]) -> Option<Lexicon> {
        let language = self.language_of(stack);
        *self
            .lexicons
            .entry(language)
            .or_insert_with(|| Lexicon::of_scope(&language.build_string()))
    }

    /// Whether `stack` is inside a string's interpolation.
    fn interpolated(&mut self, stack: &[Scope]) -> bool {
        stack.iter().any(|scope| {
            *self
                .interpolations
                .entry(*scope)
                .or_insert_with(|| scope.build_string().contains("interpolation"))
        })
    }

    /// The class of `text` under `stack`, as [`ROUGE_RULES`] describes, and whether it is
    /// [`Token::Final`].
    fn class(&mut self, stack: &[Scope], text: &str) -> (&'static str, bool) {
        let language = self.language_of(stack);
        for &scope in stack {
            if let (Some(Token::Whole(class)), _) = self.tokens(language, scope) {
                return (class, true);
            }
        }
        for &scope in stack.iter().rev() {
            if let (Some(token), _) = self.tokens(language, scope) {
                return (token.class(text), matches!(token, Token::Final(_)));
            }
        }
        (self.general_class(language, stack, text), false)
    }

    /// The class of `text` under `stack` by the general rules.
    fn general_class(&mut self, language: Scope, stack: &[Scope], text: &str) -> &'static str {
        for (depth, &scope) in stack.iter().enumerate().rev() {
            match self.tokens(language, scope).1 {
                None => {}
                Some(Token::Punctuation) => {
                    for &outer in stack[..depth].iter().rev() {
                        match self.tokens(language, outer).1 {
                            None | Some(Token::Punctuation) | Some(Token::Class("")) => {}
                            Some(token) => return token.class(text),
                        }
                    }
                    return "p";
                }
                Some(token) => return token.class(text),
            }
        }
        ""
    }
}

/// Flat `<span class="…">` runs: consecutive pieces of one class become one span.
#[derive(Default)]
struct FlatSpans {
    html: String,
    class: &'static str,
    text: String,
}

impl FlatSpans {
    fn push(&mut self, class: &'static str, text: &str) {
        if text.is_empty() {
            return;
        }
        if class != self.class {
            self.flush();
            self.class = class;
        }
        self.text.push_str(text);
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        if self.class.is_empty() {
            escape_into(&mut self.html, &self.text);
        } else {
            self.html.push_str("<span class=\"");
            self.html.push_str(self.class);
            self.html.push_str("\">");
            escape_into(&mut self.html, &self.text);
            self.html.push_str("</span>");
        }
        self.text.clear();
    }

    fn finish(mut self) -> String {
        self.flush();
        self.html
    }
}

/// Escapes what Rouge escapes in code: `&`, `<` and `>`.
fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            c => html.push(c),
        }
    }
}

/// Walks syntect's scope stacks for each piece of text and writes flat Rouge-class spans.
pub(super) fn highlight_rouge(
    syntax: &SyntaxReference,
    code: &str,
    deadline: &mut Deadline,
) -> Result<String, NotHighlighted> {
    let mut classes = RougeClasses::new(syntax.scope);
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = FlatSpans::default();
    let mut context = Context::default();
    let top = syntax.scope.build_string();
    let mut vue = (top == "text.html.vue").then(vue::Vue::default);
    let mut shell = top.starts_with("source.shell").then(shell::Shell::default);
    for line in LinesWithEndings::from(code) {
        let mut start = 0;
        let ops = state
            .parse_line(line, &SYNTAXES)
            .map_err(|_| NotHighlighted::Failed)?;
        let mut piece = |stack: &ScopeStack, start: usize, end: usize| {
            if end <= start {
                return;
            }
            let scopes = stack.as_slice();
            let special = match (vue.as_mut(), shell.as_mut()) {
                (Some(vue), _) => vue.class(scopes, line, start, end),
                (_, Some(shell)) => shell.class(scopes, line, start, end),
                _ => None,
            };
            if let Some(class) = special {
                spans.push(class, &line[start..end]);
                return;
            }
            let (class, final_class) = classes.class(scopes, &line[start..end]);
            match classes.lexicon(scopes) {
                Some(lexicon) if !final_class && lexicon.reads(class) => {
                    let interpolated = classes.interpolated(scopes);
                    lexicon::split(
                        lexicon,
                        class,
                        interpolated,
                        lexicon::Run { line, start, end },
                        &mut context,
                        &mut |class, text| spans.push(class, text),
                    );
                }
                _ => spans.push(class, &line[start..end]),
            }
        };
        for (at, op) in ops {
            piece(&stack, start, at);
            start = at;
            stack.apply(&op).map_err(|_| NotHighlighted::Failed)?;
        }
        piece(&stack, start, line.len());
        deadline.line_done()?;
    }
    Ok(spans.finish())
}

#[cfg(test)]
mod tests {
    use super::super::{Classes, highlight_with};

    /// Rouge markup as (class, text) pairs; plain text has the class "". Panics on nested or
    /// unclosed spans, so every test also checks that the markup is flat.
    fn rouge_tokens(lang: &str, code: &str) -> Vec<(String, String)> {
        let html = highlight_with(lang, code, Classes::Rouge).expect("known language");
        let mut tokens = Vec::new();
        let mut rest = html.as_str();
        while !rest.is_empty() {
            if let Some(open) = rest.strip_prefix("<span class=\"") {
                let (class, open) = open.split_once("\">").expect("class ends");
                let (text, after) = open.split_once("</span>").expect("span closes");
                assert!(!text.contains('<'), "nested span in {html}");
                tokens.push((class.to_owned(), unescape(text)));
                rest = after;
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                tokens.push((String::new(), unescape(&rest[..end])));
                rest = &rest[end..];
            }
        }
        let text: String = tokens.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(text, code, "the text is the code, exactly: {html}");
        tokens
    }

    fn unescape(html: &str) -> String {
        html.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    /// The class of the first token whose text, trimmed, is `text`.
    fn class_of<'a>(tokens: &'a [(String, String)], text: &str) -> &'a str {
        tokens
            .iter()
            .find(|(_, t)| t.trim() == text)
            .map(|(class, _)| class.as_str())
            .unwrap_or_else(|| panic!("no token `{text}` in {tokens:?}"))
    }

    #[test]
    fn rouge_python_classes() {
        let code = "import os\n\n@cached\nclass Foo(Base):\n    \"\"\"Docs.\"\"\"\n\n    def bar(self, n=42, f=1.5, h=0xff):\n        # a comment\n        s = \"dq\" + 'sq'\n        return n and not True\n\nprint(len(s))\n";
        let tokens = rouge_tokens("python", code);
        for (text, class) in [
            ("import", "kn"),
            ("@cached", "nd"),
            ("class", "k"),
            ("Foo", "nc"),
            ("\"\"\"Docs.\"\"\"", "sd"),
            ("def", "k"),
            ("bar", "nf"),
            ("42", "mi"),
            ("1.5", "mf"),
            ("0xff", "mh"),
            ("# a comment", "c1"),
            ("\"dq\"", "s2"),
            ("'sq'", "s1"),
            ("return", "k"),
            ("and", "ow"),
            ("True", "bp"),
            ("print", "nb"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }

    #[test]
    fn rouge_yaml_classes() {
        let code = "---\n# settings\ntitle: My Blog\nport: 4000\nsafe: true\nquoted: \"x\"\nlist:\n  - a\n";
        let tokens = rouge_tokens("yaml", code);
        for (text, class) in [
            ("---", "nn"),
            ("# settings", "c1"),
            ("title", "na"),
            (":", "pi"),
            ("My Blog", "s"),
            ("4000", "m"),
            ("true", "no"),
            // Rouge 3.30 gives the opening quote `s2`, the rest of the string `s`.
            ("\"", "s2"),
            ("x\"", "s"),
            ("-", "pi"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }

    #[test]
    fn rouge_shell_classes() {
        let code = "# list pods\nexport NS=\"kube-$USER\"\nif [ -n \"$NS\" ]; then echo 'ok'; fi\nkubectl get pods --all-namespaces\n";
        let tokens = rouge_tokens("bash", code);
        for (text, class) in [
            ("# list pods", "c"),
            ("export", "nb"),
            ("NS", "nv"),
            ("$USER", "nv"),
            ("if", "k"),
            ("-n", "nt"),
            ("echo", "nb"),
            ("'ok'", "s1"),
            ("--all-namespaces", "nt"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
        // Rouge leaves command names and their arguments plain.
        assert!(
            tokens
                .iter()
                .any(|(class, text)| class.is_empty() && text.contains("kubectl get pods")),
            "{tokens:?}"
        );
    }

    #[test]
    fn rouge_json_classes() {
        let code = "{\n  \"name\": \"versus\",\n  \"n\": 42, \"f\": -1.5e3,\n  \"ok\": true, \"none\": null\n}\n";
        let tokens = rouge_tokens("json", code);
        for (text, class) in [
            ("{", "p"),
            ("\"name\"", "nl"),
            ("\"versus\"", "s2"),
            ("42", "mi"),
            ("-1.5e3", "mf"),
            ("true", "kc"),
            ("null", "kc"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }

    #[test]
    fn rouge_markup_is_flat_escaped_and_merged() {
        let code = "if [ \"$a\" ] && echo '<b>' > /dev/null; then :; fi\n";
        let html = highlight_with("bash", code, Classes::Rouge).expect("bash is known");
        assert!(
            html.contains("<span class=\"s1\">'&lt;b&gt;'</span>"),
            "{html}"
        );
        assert!(html.contains("&amp;&amp;"), "{html}");
        assert!(!html.contains("hl-"), "{html}");
        // rouge_tokens checks flatness and that the text is the code.
        let tokens = rouge_tokens("bash", code);
        for pair in tokens.windows(2) {
            assert_ne!(
                pair[0].0, pair[1].0,
                "neighbours of one class merge: {tokens:?}"
            );
        }
        // A number split by the grammar ("1", ".", "5") is one span.
        assert!(
            highlight_with("python", "x = 1.5\n", Classes::Rouge)
                .expect("python is known")
                .contains("<span class=\"mf\">1.5</span>")
        );
    }

    #[test]
    fn rouge_keeps_the_text_of_every_language() {
        for (lang, code) in [
            ("rust", "fn main() {\n    let s = \"<&>\";\n}\n"),
            ("go", "func f() int { return 1 << 2 }\n"),
            ("ruby", "class A < B; def x = @y; end\n"),
            ("js", "const t = `a${b}c` && x < 1;\n"),
            ("html", "<a href=\"/x?a&b\">&amp;</a>\n"),
            ("css", ".a > b { color: #fff; }\n"),
            ("diff", "-old\n+new\n"),
            ("yaml", "a: |\n  text\n"),
            ("python", "x = 1\n\n\n"),
            ("json", ""),
            ("sh", "echo no newline at the end"),
            // The lexicon languages, with unbalanced brackets, non-ASCII names and digits.
            (
                "java",
                "}} ) class Ünïcode<T>> { int ٣x = 1_0L; @ import ;\n",
            ),
            (
                "kotlin",
                "val (a, b = x?.y ?: z!! :: ..\nfun `odd name`() {}\ndata\n",
            ),
            ("typescript", "}{ a?: b ?? c; `${`${x}`}` 'q\\'\n"),
            ("javascript", "x = {a: {b: [c, {d: 1}]}}; } } ]\n"),
            ("terraform", "a = \"${b > 1 ? c : d}\" ? : >\n"),
            ("html", "<script>let a = '</script>\n"),
        ] {
            rouge_tokens(lang, code);
        }
    }

    /// Asserts that versus marks `code` up exactly as Rouge 3.30 does: `rouge` is the output
    /// of `Rouge::Formatters::HTML.new.format(Rouge::Lexer.find_fancy(lang, code).lex(code))`.
    fn assert_same_as_rouge(lang: &str, code: &str, rouge: &str) {
        let html = highlight_with(lang, code, Classes::Rouge).expect("known language");
        assert_eq!(html, rouge, "{lang}");
    }

    #[test]
    fn java_classes_are_rouges() {
        let code = r#"@Override
public static Optional<Long> load(String sku) throws IOException {
    final int MAX_SIZE = 10;
    List<String> names = repository.findAll();
    return Optional.of(12L);
}
"#;
        let rouge = concat!(
            r#"<span class="nd">@Override</span>"#,
            "\n",
            r#"<span class="kd">public</span> <span class="kd">static</span> <span class="nc">Optional</span><span class="o">&lt;</span><span class="nc">Long</span><span class="o">&gt;</span> <span class="nf">load</span><span class="o">(</span><span class="nc">String</span> <span class="n">sku</span><span class="o">)</span> <span class="kd">throws</span> <span class="nc">IOException</span> <span class="o">{</span>"#,
            "\n",
            r#"    <span class="kd">final</span> <span class="kt">int</span> <span class="no">MAX_SIZE</span> <span class="o">=</span> <span class="mi">10</span><span class="o">;</span>"#,
            "\n",
            r#"    <span class="nc">List</span><span class="o">&lt;</span><span class="nc">String</span><span class="o">&gt;</span> <span class="n">names</span> <span class="o">=</span> <span class="n">repository</span><span class="o">.</span><span class="na">findAll</span><span class="o">();</span>"#,
            "\n",
            r#"    <span class="k">return</span> <span class="nc">Optional</span><span class="o">.</span><span class="na">of</span><span class="o">(</span><span class="mi">12L</span><span class="o">);</span>"#,
            "\n",
            r#"<span class="o">}</span>"#,
            "\n",
        );
        assert_same_as_rouge("java", code, rouge);
    }

    #[test]
    fn typescript_classes_are_rouges() {
        let code = r#"interface Flag {
  rollout?: number;
}
const store = new FlagStore({ ttl: 5 });
let n: string = `a${store.size}b`;
"#;
        let rouge = concat!(
            r#"<span class="kr">interface</span> <span class="nx">Flag</span> <span class="p">{</span>"#,
            "\n",
            r#"  <span class="nl">rollout</span><span class="p">?:</span> <span class="kr">number</span><span class="p">;</span>"#,
            "\n",
            r#"<span class="p">}</span>"#,
            "\n",
            r#"<span class="kd">const</span> <span class="nx">store</span> <span class="o">=</span> <span class="k">new</span> <span class="nx">FlagStore</span><span class="p">({</span> <span class="na">ttl</span><span class="p">:</span> <span class="mi">5</span> <span class="p">});</span>"#,
            "\n",
            r#"<span class="kd">let</span> <span class="nx">n</span><span class="p">:</span> <span class="kr">string</span> <span class="o">=</span> <span class="s2">`a</span><span class="p">${</span><span class="nx">store</span><span class="p">.</span><span class="nx">size</span><span class="p">}</span><span class="s2">b`</span><span class="p">;</span>"#,
            "\n",
        );
        assert_same_as_rouge("typescript", code, rouge);
    }

    #[test]
    fn javascript_classes_are_rouges() {
        let code = r#"const limiter = new RateLimiter(parseInt(process.env.LIMIT, 10));
res.end('Too many requests' + "!");
"#;
        let rouge = concat!(
            r#"<span class="kd">const</span> <span class="nx">limiter</span> <span class="o">=</span> <span class="k">new</span> <span class="nx">RateLimiter</span><span class="p">(</span><span class="nb">parseInt</span><span class="p">(</span><span class="nx">process</span><span class="p">.</span><span class="nx">env</span><span class="p">.</span><span class="nx">LIMIT</span><span class="p">,</span> <span class="mi">10</span><span class="p">));</span>"#,
            "\n",
            r#"<span class="nx">res</span><span class="p">.</span><span class="nx">end</span><span class="p">(</span><span class="dl">'</span><span class="s1">Too many requests</span><span class="dl">'</span> <span class="o">+</span> <span class="dl">"</span><span class="s2">!</span><span class="dl">"</span><span class="p">);</span>"#,
            "\n",
        );
        assert_same_as_rouge("javascript", code, rouge);
    }

    /// Found on the Vue samples: a key first on its line in an object literal was `nx`; the
    /// `{` or `,` before it is on the line above.
    #[test]
    fn javascript_keys_on_their_own_lines_are_attributes() {
        let code = "export default {\n  name: 1,\n  b: 2,\n};\n";
        let rouge = concat!(
            r#"<span class="k">export</span> <span class="k">default</span> <span class="p">{</span>"#,
            "\n",
            r#"  <span class="na">name</span><span class="p">:</span> <span class="mi">1</span><span class="p">,</span>"#,
            "\n",
            r#"  <span class="na">b</span><span class="p">:</span> <span class="mi">2</span><span class="p">,</span>"#,
            "\n",
            r#"<span class="p">};</span>"#,
            "\n",
        );
        assert_same_as_rouge("javascript", code, rouge);
    }

    /// Rouge's Vue lexer: `template`, `script` and `style` are keywords in their tags, an
    /// attribute's value is one string (`s`) whatever is in it, `{{ }}` are `si`, `@` is an
    /// error and `:key=` an attribute with its `:` and `=`.
    #[test]
    fn vue_classes_are_rouges() {
        let code = "<template>\n  <p :key=\"a.b\" @click=\"go(1)\" v-else class=\"c\">{{ plan.name }}</p>\n</template>\n<script>\nexport default { name: \"A\" };\n</script>\n<style scoped>\n.a { color: red; }\n</style>\n";
        let rouge = concat!(
            r#"<span class="nt">&lt;</span><span class="k">template</span><span class="nt">&gt;</span>"#,
            "\n",
            r#"  <span class="nt">&lt;p</span> <span class="na">:key=</span><span class="s">"a.b"</span> <span class="err">@</span><span class="na">click=</span><span class="s">"go(1)"</span> <span class="na">v-else</span> <span class="na">class=</span><span class="s">"c"</span><span class="nt">&gt;</span><span class="si">{{</span> <span class="nx">plan</span><span class="p">.</span><span class="nx">name</span> <span class="si">}}</span><span class="nt">&lt;/p&gt;</span>"#,
            "\n",
            r#"<span class="nt">&lt;/</span><span class="k">template</span><span class="nt">&gt;</span>"#,
            "\n",
            r#"<span class="nt">&lt;</span><span class="k">script</span><span class="nt">&gt;</span>"#,
            "\n",
            r#"<span class="k">export</span> <span class="k">default</span> <span class="p">{</span> <span class="na">name</span><span class="p">:</span> <span class="dl">"</span><span class="s2">A</span><span class="dl">"</span> <span class="p">};</span>"#,
            "\n",
            r#"<span class="nt">&lt;/</span><span class="k">script</span><span class="nt">&gt;</span>"#,
            "\n",
            r#"<span class="nt">&lt;</span><span class="k">style</span> <span class="na">scoped</span><span class="nt">&gt;</span>"#,
            "\n",
            r#"<span class="nc">.a</span> <span class="p">{</span> <span class="nl">color</span><span class="p">:</span> <span class="no">red</span><span class="p">;</span> <span class="p">}</span>"#,
            "\n",
            r#"<span class="nt">&lt;/</span><span class="k">style</span><span class="nt">&gt;</span>"#,
            "\n",
        );
        assert_same_as_rouge("vue", code, rouge);
    }

    /// Rouge's shell lexer reads `$(`, `${` and `$((` as one token each (`si`, `k`, `k`), the
    /// word after `:-` in `${…}` as a variable and the rest there as punctuation.
    #[test]
    fn shell_expansions_are_rouges() {
        let code = "d=$(date +%s)\necho \"${HOME:-/tmp} $(ls \"$d\") $((n + 1))\"\nx=${#arr[@]} y=${name:-app}\n";
        let rouge = concat!(
            r#"<span class="nv">d</span><span class="o">=</span><span class="si">$(</span><span class="nb">date</span> +%s<span class="si">)</span>"#,
            "\n",
            r#"<span class="nb">echo</span> <span class="s2">"</span><span class="k">${</span><span class="nv">HOME</span><span class="k">:-</span><span class="p">/tmp</span><span class="k">}</span><span class="s2"> </span><span class="si">$(</span><span class="nb">ls</span> <span class="s2">"</span><span class="nv">$d</span><span class="s2">"</span><span class="si">)</span><span class="s2"> </span><span class="k">$((</span>n <span class="o">+</span> <span class="m">1</span><span class="k">))</span><span class="s2">"</span>"#,
            "\n",
            r#"<span class="nv">x</span><span class="o">=</span><span class="k">${#</span><span class="nv">arr</span><span class="p">[@]</span><span class="k">}</span> <span class="nv">y</span><span class="o">=</span><span class="k">${</span><span class="nv">name</span><span class="k">:-</span><span class="nv">app</span><span class="k">}</span>"#,
            "\n",
        );
        assert_same_as_rouge("bash", code, rouge);
    }

    /// Rouge's shell lexer: `|`, `&`, `<` and `2>&1` are text, a lone `>` and `<<` operators.
    #[test]
    fn shell_pipes_and_redirections_are_rouges() {
        let code = "ls | grep x &\ncmd 2>&1 >/dev/null < a\ncat <<EOF\nhi\nEOF\n";
        let tokens = rouge_tokens("bash", code);
        assert_eq!(class_of(&tokens, ">"), "o");
        assert_eq!(class_of(&tokens, "<<"), "o");
        let plain: String = tokens
            .iter()
            .filter(|(class, _)| class.is_empty())
            .map(|(_, text)| text.as_str())
            .collect();
        for text in [" | ", "x &", "cmd 2>&1 ", "/dev/null < a"] {
            assert!(plain.contains(text), "`{text}` is not plain: {tokens:?}");
        }
    }

    #[test]
    fn kotlin_classes_are_rouges() {
        let code = r#"import kotlinx.coroutines.delay
data class Item(val sku: String) {
    fun total(): Int = prices.sum()
}
"#;
        let rouge = concat!(
            r#"<span class="k">import</span> <span class="nn">kotlinx.coroutines.delay</span>"#,
            "\n",
            r#"<span class="kd">data class</span> <span class="nc">Item</span><span class="p">(</span><span class="kd">val</span> <span class="py">sku</span><span class="p">:</span> <span class="nc">String</span><span class="p">)</span> <span class="p">{</span>"#,
            "\n",
            r#"    <span class="k">fun</span> <span class="nf">total</span><span class="p">():</span> <span class="nc">Int</span> <span class="p">=</span> <span class="n">prices</span><span class="p">.</span><span class="nf">sum</span><span class="p">()</span>"#,
            "\n",
            r#"<span class="p">}</span>"#,
            "\n",
        );
        assert_same_as_rouge("kotlin", code, rouge);
    }

    #[test]
    fn terraform_classes_are_rouges() {
        let code = r#"resource "aws_instance" "web" {
  count = var.n
  name  = "${local.prefix}-web"
}
"#;
        let rouge = concat!(
            r#"<span class="k">resource</span> <span class="s2">"aws_instance"</span> <span class="s2">"web"</span> <span class="p">{</span>"#,
            "\n",
            r#"  <span class="nx">count</span> <span class="p">=</span> <span class="kd">var</span><span class="p">.</span><span class="nx">n</span>"#,
            "\n",
            r#"  <span class="nx">name</span>  <span class="p">=</span> <span class="s2">"</span><span class="k">${</span><span class="kd">local</span><span class="p">.</span><span class="nx">prefix</span><span class="k">}</span><span class="s2">-web"</span>"#,
            "\n",
            r#"<span class="p">}</span>"#,
            "\n",
        );
        assert_same_as_rouge("terraform", code, rouge);
    }

    #[test]
    fn html_classes_are_rouges() {
        let code = r#"<!DOCTYPE html>
<!-- nav -->
<a class="logo" href="/?a&amp;b">Home &amp; more</a>
"#;
        let rouge = concat!(
            r#"<span class="cp">&lt;!DOCTYPE html&gt;</span>"#,
            "\n",
            r#"<span class="c">&lt;!-- nav --&gt;</span>"#,
            "\n",
            r#"<span class="nt">&lt;a</span> <span class="na">class=</span><span class="s">"logo"</span> <span class="na">href=</span><span class="s">"/?a&amp;amp;b"</span><span class="nt">&gt;</span>Home <span class="ni">&amp;amp;</span> more<span class="nt">&lt;/a&gt;</span>"#,
            "\n",
        );
        assert_same_as_rouge("html", code, rouge);
    }

    #[test]
    fn xml_classes_are_rouges() {
        let code = r#"<?xml version="1.0"?>
<project a='b'><d><![CDATA[x < y]]></d></project>
"#;
        let rouge = concat!(
            r#"<span class="cp">&lt;?xml version="1.0"?&gt;</span>"#,
            "\n",
            r#"<span class="nt">&lt;project</span> <span class="na">a=</span><span class="s">'b'</span><span class="nt">&gt;&lt;d&gt;</span><span class="cp">&lt;![CDATA[x &lt; y]]&gt;</span><span class="nt">&lt;/d&gt;&lt;/project&gt;</span>"#,
            "\n",
        );
        assert_same_as_rouge("xml", code, rouge);
    }

    #[test]
    fn javascript_template_after_a_single_quoted_string_is_s2() {
        let code = "const a = 'x';\nconst url = `/api?q=${q}`;\n";
        let tokens = rouge_tokens("js", code);
        // Rouge 3.30: `dl` quotes around `s1`, a template `s2` with `${` and `}` `p`.
        for (text, class) in [
            ("'", "dl"),
            ("x", "s1"),
            ("`/api?q=", "s2"),
            ("${", "p"),
            ("q", "nx"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }

    #[test]
    fn rouge_shell_builtins_and_functions() {
        let code = "log() {\n    echo \"[$(date +%T)] $*\" >&2\n}\nmkdir -p \"$HOME/x\" && kubectl get pods\n";
        let tokens = rouge_tokens("bash", code);
        // Rouge 3.30: `nb` for the commands it lists (`date`, `mkdir`), a function's name
        // and other commands plain, a function's `()` and `{` operators.
        for (text, class) in [
            ("log", ""),
            ("()", "o"),
            ("{", "o"),
            ("echo", "nb"),
            ("date", "nb"),
            ("mkdir", "nb"),
            ("$HOME", "nv"),
            ("&&", "o"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
        assert!(
            tokens
                .iter()
                .any(|(class, text)| class.is_empty() && text.contains("kubectl get pods")),
            "{tokens:?}"
        );
    }

    #[test]
    fn rouge_shell_tests_assignments_and_job_specs() {
        let code = "LOG_DIR=/var/log/app\nif [ ! -d \"$LOG_DIR\" ]; then date +%T; fi\n";
        let tokens = rouge_tokens("bash", code);
        // Rouge 3.30: an assigned word is plain text, `[` and `]` operators, `%T` plain.
        for (text, class) in [
            ("LOG_DIR", "nv"),
            ("/var/log/app", ""),
            ("[", "o"),
            ("-d", "nt"),
            ("$LOG_DIR", "nv"),
            ("]", "o"),
            ("date", "nb"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
        assert!(
            tokens
                .iter()
                .any(|(class, text)| class.is_empty() && text.contains("%T")),
            "{tokens:?}"
        );
    }

    #[test]
    fn rouge_yaml_flow_sequences() {
        let tokens = rouge_tokens("yaml", "branches: [main, dev]\n");
        // Rouge 3.30: `[`, `,` and `]` are indicators, plain scalars in them variables.
        for (text, class) in [
            ("branches", "na"),
            ("[", "pi"),
            ("main", "nv"),
            (",", "pi"),
            ("dev", "nv"),
            ("]", "pi"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }

    #[test]
    fn rouge_css_in_html_follows_css() {
        let code = "<style>\n.plan.featured { border-color: #3366cc; }\n</style>\n";
        let tokens = rouge_tokens("html", code);
        // Rouge 3.30 lexes a style element with its CSS lexer.
        for (text, class) in [
            ("<style>", "nt"),
            (".plan.featured", "nc"),
            ("border-color", "nl"),
            ("#3366cc", "m"),
        ] {
            assert_eq!(class_of(&tokens, text), class, "{text}");
        }
    }
}

//! Build-time syntax highlighting with syntect.
//!
//! Code is marked up with CSS classes, never inline styles, so one stylesheet can switch
//! between a light and a dark theme. Two class styles exist (see [`Classes`]): our own
//! `hl-`-prefixed scope classes (stylesheet: [`theme_css`]), and Rouge's short token classes,
//! so that a Jekyll theme's existing stylesheet keeps working (or [`rouge_theme_css`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, Theme};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::LazyThemeSet;

/// The class prefix shared by the generated markup and the stylesheet.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Loaded once and shared by all threads: unpacking the dump is expensive.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Themes are deserialised one by one on first use, so loading the set is cheap.
static THEMES: LazyLock<LazyThemeSet> =
    LazyLock::new(|| LazyThemeSet::from(two_face::theme::extra()));

/// A theme name that is not among [`theme_names`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown highlighting theme `{name}` (known themes: {})", known.join(", "))]
pub struct UnknownTheme {
    /// The name as it was asked for.
    pub name: String,
    /// Every theme name that would have worked, for a "did you mean".
    pub known: Vec<String>,
}

/// Which CSS classes highlighted code is marked up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Classes {
    /// Nested spans with `hl-`-prefixed TextMate scope classes, styled by [`theme_css`].
    #[default]
    Versus,
    /// Flat spans with Rouge's (and Pygments') short token classes, such as `k` or `s2`, as
    /// Jekyll writes them, so the `.highlight .k` rules of a Jekyll theme apply.
    Rouge,
}

impl Classes {
    /// A stable name, part of the disk cache key.
    fn name(self) -> &'static str {
        match self {
            Classes::Versus => "versus",
            Classes::Rouge => "rouge",
        }
    }
}

/// Highlights `code` written in the language `lang` (a fence token such as `rs`
/// or `bash`), returning the inner HTML for a `<code>` element.
///
/// `None` means "render it plain": the language is unknown or syntect failed.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    highlight_with(lang, code, Classes::Versus)
}

/// [`highlight`] with the given class style.
pub fn highlight_with(lang: &str, code: &str, classes: Classes) -> Option<String> {
    let syntax = find_syntax(lang)?;
    match classes {
        Classes::Versus => highlight_versus(syntax, code),
        Classes::Rouge => highlight_rouge(syntax, code),
    }
}

fn highlight_versus(syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Finds a syntax by fence token, trying common aliases that syntect's own
/// extension and name lookup does not know.
fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_lowercase();
    if lang.is_empty() {
        return None;
    }
    let token = match lang.as_str() {
        "shell" | "console" | "shell-session" | "zsh" | "terminal" => "bash",
        "terraform" | "tf" => "hcl",
        "docker" => "dockerfile",
        "ps" | "ps1" | "pwsh" => "powershell",
        "typescript" => "ts",
        "javascript" => "js",
        "yml" => "yaml",
        other => other,
    };
    SYNTAXES
        .find_syntax_by_token(token)
        .or_else(|| SYNTAXES.find_syntax_by_token(&lang))
        .or_else(|| {
            // Some names contain spaces or capitals ("Bourne Again Shell (bash)").
            SYNTAXES
                .syntaxes()
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&lang))
        })
}

/// What a scope stands for in Rouge's token classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// This class; `""` is plain text, left unwrapped.
    Class(&'static str),
    /// A number: `mh`, `mf`, `mi` or `m`, told apart by its text (for grammars that do not).
    Number,
    /// An operator: `ow` when it is a word (`and`, `not`, `in`), else `o`.
    Operator,
    /// Quotes, comment markers and the like belong to the string, comment or number they
    /// delimit, as in Rouge; elsewhere they are punctuation, `p`.
    Punctuation,
}

impl Token {
    fn class(self, text: &str) -> &'static str {
        match self {
            Token::Class(class) => class,
            Token::Number => {
                let lower = text.trim_start_matches(['-', '+']).to_ascii_lowercase();
                if lower.starts_with("0x") {
                    "mh"
                } else if lower.contains(['.', 'e']) {
                    "mf"
                } else if !lower.is_empty()
                    && lower.bytes().all(|b| b.is_ascii_digit() || b == b'_')
                {
                    "mi"
                } else {
                    "m"
                }
            }
            Token::Operator => {
                let word = text.trim();
                if !word.is_empty() && word.chars().all(char::is_alphabetic) {
                    "ow"
                } else {
                    "o"
                }
            }
            Token::Punctuation => "p",
        }
    }
}

/// Scope prefixes and the Rouge token each stands for, with the language (the syntax's
/// top scope) a rule is limited to, or `""` for all. A language's own rules apply first,
/// anywhere on the scope stack (a JSON key is a string inside a key scope); then the general
/// rules, innermost scope first. Per scope the longest matching prefix wins. Chosen to
/// follow what Rouge's own lexers emit for the same kind of token, so a Rouge stylesheet
/// colours it as on a Jekyll site.
const ROUGE_RULES: &[(&str, &str, Token)] = {
    use Token::{Class as C, Number, Operator, Punctuation};
    &[
        ("", "comment", C("c")),
        ("", "comment.line", C("c1")),
        ("", "comment.block", C("cm")),
        ("", "meta.preprocessor", C("cp")),
        ("", "keyword", C("k")),
        ("", "keyword.declaration", C("kd")),
        ("", "keyword.control.import", C("kn")),
        ("", "keyword.other.import", C("kn")),
        ("", "keyword.other.package", C("kn")),
        ("", "keyword.operator", Operator),
        ("", "keyword.operator.word", C("ow")),
        ("", "keyword.other.template", C("sb")),
        ("", "keyword.other.substitution", C("si")),
        ("", "storage.type", C("kt")),
        ("", "storage.type.function", C("kd")),
        ("", "storage.type.class", C("kd")),
        ("", "storage.type.keyword", C("kd")),
        ("", "storage.type.namespace", C("kd")),
        ("", "storage.type.struct", C("kd")),
        ("", "storage.type.enum", C("kd")),
        ("", "storage.type.trait", C("kd")),
        ("", "storage.type.interface", C("kd")),
        ("", "storage.type.module", C("kd")),
        ("", "storage.type.string", C("sa")),
        ("", "storage.modifier", C("kd")),
        ("", "constant.language", C("kc")),
        ("", "constant.numeric", Number),
        ("", "constant.numeric.integer", C("mi")),
        ("", "constant.numeric.integer.hexadecimal", C("mh")),
        ("", "constant.numeric.integer.octal", C("mo")),
        ("", "constant.numeric.float", C("mf")),
        ("", "constant.character", C("sc")),
        ("", "constant.character.escape", C("se")),
        ("", "constant.character.entity", C("ni")),
        ("", "constant.other", C("no")),
        ("", "constant.other.symbol", C("ss")),
        ("", "string", C("s")),
        ("", "string.quoted.single", C("s1")),
        ("", "string.quoted.double", C("s2")),
        ("", "string.interpolated", C("sb")),
        ("", "string.unquoted.heredoc", C("sh")),
        ("", "string.regexp", C("sr")),
        ("", "punctuation", Punctuation),
        ("", "punctuation.section.interpolation", C("si")),
        ("", "punctuation.section.embedded", C("si")),
        ("", "punctuation.definition.template-expression", C("si")),
        ("", "punctuation.definition.tag", C("nt")),
        ("", "punctuation.definition.annotation", C("nd")),
        ("", "meta.brace", C("p")),
        ("", "entity.name.function", C("nf")),
        ("", "entity.name.class", C("nc")),
        ("", "entity.name.type", C("nc")),
        ("", "entity.name.struct", C("nc")),
        ("", "entity.name.enum", C("nc")),
        ("", "entity.name.trait", C("nc")),
        ("", "entity.name.interface", C("nc")),
        ("", "entity.name.namespace", C("nn")),
        ("", "entity.name.module", C("nn")),
        ("", "entity.name.constant", C("no")),
        ("", "entity.name.label", C("nl")),
        ("", "entity.name.tag", C("nt")),
        ("", "entity.other.attribute-name", C("na")),
        ("", "entity.other.inherited-class", C("nc")),
        ("", "variable", C("n")),
        ("", "variable.language", C("bp")),
        ("", "variable.annotation", C("nd")),
        ("", "variable.other.constant", C("no")),
        ("", "variable.other.readwrite.instance", C("vi")),
        ("", "variable.other.readwrite.global", C("vg")),
        ("", "variable.other.readwrite.class", C("vc")),
        ("", "support.function", C("nb")),
        ("", "support.class", C("nb")),
        ("", "support.type", C("kt")),
        ("", "support.type.exception", C("ne")),
        ("", "support.constant", C("no")),
        ("", "markup.heading", C("gu")),
        ("", "markup.heading.1", C("gh")),
        ("", "markup.bold", C("gs")),
        ("", "markup.italic", C("ge")),
        ("", "markup.inserted", C("gi")),
        ("", "markup.deleted", C("gd")),
        ("", "markup.raw", C("sb")),
        ("", "meta.diff.header", C("gh")),
        ("", "meta.diff.range", C("gu")),
        ("", "invalid", C("err")),
        // Python: `def` and `class` are plain keywords, docstrings are strings, `True` and
        // `None` are pseudo-builtins, `int` and `str` builtins.
        ("source.python", "keyword.declaration", C("k")),
        ("source.python", "comment.block.documentation", C("sd")),
        ("source.python", "constant.language", C("bp")),
        ("source.python", "support.type", C("nb")),
        // Ruby: `def`, `class` and `module` are plain keywords.
        ("source.ruby", "keyword.declaration", C("k")),
        // Shell: comments are `c`, `$VAR` is `nv`, options are `nt`, `export` a builtin,
        // command names plain text.
        ("source.shell", "comment", C("c")),
        ("source.shell", "punctuation.definition.variable", C("nv")),
        ("source.shell", "variable.other", C("nv")),
        ("source.shell", "variable.parameter.option", C("nt")),
        ("source.shell", "variable.function", C("")),
        ("source.shell", "storage.modifier", C("nb")),
        ("source.shell", "keyword.operator.logical.continue", C("p")),
        // YAML: keys are `na`, indicators `pi`, `true` and `null` `no`, numbers `m`.
        ("source.yaml", "entity.name.tag", C("na")),
        ("source.yaml", "punctuation.separator.key-value", C("pi")),
        (
            "source.yaml",
            "punctuation.definition.block.sequence",
            C("pi"),
        ),
        ("source.yaml", "keyword.control.flow.block-scalar", C("pi")),
        ("source.yaml", "constant.language", C("no")),
        ("source.yaml", "constant.numeric", C("m")),
        ("source.yaml", "entity.other.document", C("nn")),
        ("source.yaml", "keyword.control.property.anchor", C("nl")),
        ("source.yaml", "entity.name.other.anchor", C("nl")),
        ("source.yaml", "keyword.control.flow.alias", C("nv")),
        ("source.yaml", "variable.other.alias", C("nv")),
        // JSON: keys are labels.
        ("source.json", "meta.mapping.key", C("nl")),
        // JavaScript: names are `nx`, `var`, `let` and `const` declarations.
        ("source.js", "variable", C("nx")),
        ("source.js", "variable.language", C("bp")),
        ("source.js", "storage.type", C("kd")),
        // CSS: `.class` is `nc`, `#id` `nf`, `:hover` `nd`, properties `nl`, colours `nx`,
        // numbers with their unit `m`, comments `c`.
        ("source.css", "entity.other.attribute-name.class", C("nc")),
        ("source.css", "entity.other.attribute-name.id", C("nf")),
        ("source.css", "entity.other.attribute-name.pseudo", C("nd")),
        ("source.css", "support.type.property-name", C("nl")),
        ("source.css", "constant.other.color", C("nx")),
        ("source.css", "constant.numeric", C("m")),
        ("source.css", "support.constant", C("nb")),
        ("source.css", "comment", C("c")),
    ]
};

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

/// Maps scope stacks to Rouge classes for one language, remembering each scope's rules.
struct RougeClasses {
    language: Scope,
    /// Per scope: the token of the language's own rules, and of the general rules.
    seen: HashMap<Scope, (Option<Token>, Option<Token>)>,
}

impl RougeClasses {
    fn new(language: Scope) -> RougeClasses {
        RougeClasses {
            language,
            seen: HashMap::new(),
        }
    }

    fn tokens(&mut self, scope: Scope) -> (Option<Token>, Option<Token>) {
        let language = self.language;
        *self.seen.entry(scope).or_insert_with(|| {
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

    /// The class of `text` under `stack`, as [`ROUGE_RULES`] describes.
    fn class(&mut self, stack: &[Scope], text: &str) -> &'static str {
        for &scope in stack.iter().rev() {
            if let (Some(token), _) = self.tokens(scope) {
                return token.class(text);
            }
        }
        for (depth, &scope) in stack.iter().enumerate().rev() {
            match self.tokens(scope).1 {
                None => {}
                Some(Token::Punctuation) => {
                    for &outer in stack[..depth].iter().rev() {
                        match self.tokens(outer).1 {
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
fn highlight_rouge(syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut classes = RougeClasses::new(syntax.scope);
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = FlatSpans::default();
    for line in LinesWithEndings::from(code) {
        let mut start = 0;
        for (at, op) in state.parse_line(line, &SYNTAXES).ok()? {
            if at > start {
                let piece = &line[start..at];
                spans.push(classes.class(stack.as_slice(), piece), piece);
                start = at;
            }
            stack.apply(&op).ok()?;
        }
        let rest = &line[start..];
        spans.push(classes.class(stack.as_slice(), rest), rest);
    }
    Some(spans.finish())
}

/// Highlighted code kept on disk between builds, one small file per block, named by a hash of
/// the versus version, the class style, the language and the code. Highlighting is most of a build's work;
/// with the cache, a rebuild highlights only the blocks that changed. Files are written
/// atomically (temp file, then rename), so concurrent builds never read half an entry.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: std::path::PathBuf,
}

impl DiskCache {
    pub fn new(dir: impl Into<std::path::PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// [`highlight`], from the cache when this block was highlighted before.
    pub fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        self.highlight_with(lang, code, Classes::Versus)
    }

    /// [`highlight_with`], from the cache when this block was highlighted in this class style
    /// before.
    pub fn highlight_with(&self, lang: &str, code: &str, classes: Classes) -> Option<String> {
        let mut hasher = blake3::Hasher::new();
        for part in [env!("CARGO_PKG_VERSION"), classes.name(), lang, code] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key = hasher.finalize().to_hex();
        let path = self.dir.join(&key[..2]).join(&key[2..]);
        if let Ok(html) = std::fs::read_to_string(&path) {
            return Some(html);
        }
        let html = highlight_with(lang, code, classes)?;
        // A cache that cannot be written only costs speed.
        if let Some(parent) = path.parent() {
            let temp = path.with_extension(format!("tmp-{}", std::process::id()));
            let written = std::fs::create_dir_all(parent)
                .and_then(|()| std::fs::write(&temp, &html))
                .and_then(|()| std::fs::rename(&temp, &path));
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
        }
        Some(html)
    }
}

/// One stylesheet: each theme's classes inside its own `prefers-color-scheme` media query, so
/// no rule of the light theme outranks the dark one. The theme's background and text colour
/// (`.hl-code`) also apply to our `<pre class="highlight">` blocks.
pub fn theme_css(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    let code_too = |css: String| css.replace(".hl-code {", "pre.highlight, .hl-code {");
    Ok(light_and_dark(
        code_too(css_for(light)?),
        code_too(css_for(dark)?),
    ))
}

/// The stylesheet for [`Classes::Rouge`]: `.highlight .k { … }` rules with the colours the
/// themes give the scopes each class stands for, for sites without a Rouge stylesheet of
/// their own. Light and dark as in [`theme_css`].
pub fn rouge_theme_css(light: &str, dark: &str) -> Result<String, UnknownTheme> {
    Ok(light_and_dark(
        rouge_css_for(find_theme(light)?),
        rouge_css_for(find_theme(dark)?),
    ))
}

/// Each stylesheet inside its own `prefers-color-scheme` media query.
fn light_and_dark(light: String, dark: String) -> String {
    let mut css = String::with_capacity(light.len() + dark.len() + 128);
    for (query, theme) in [
        ("not all and (prefers-color-scheme: dark)", light),
        ("(prefers-color-scheme: dark)", dark),
    ] {
        css.push_str(&format!("@media {query} {{\n"));
        css.push_str(&theme);
        css.push_str("}\n");
    }
    css
}

/// The names accepted by [`theme_css`], sorted.
pub fn theme_names() -> Vec<String> {
    THEMES.theme_names().map(str::to_owned).collect()
}

/// Each Rouge class [`ROUGE_RULES`] can give, with the scope whose theme colours it gets in
/// [`rouge_theme_css`]: a typical scope of that kind of token, the one themes style.
const ROUGE_CSS: &[(&str, &str)] = &[
    ("c", "comment"),
    ("c1", "comment.line"),
    ("cm", "comment.block"),
    ("cp", "meta.preprocessor"),
    ("sd", "comment.block.documentation"),
    ("k", "keyword.control"),
    ("kd", "storage.type.function"),
    ("kn", "keyword.control.import"),
    ("kt", "storage.type"),
    ("kc", "constant.language"),
    ("o", "keyword.operator"),
    ("ow", "keyword.operator.word"),
    ("m", "constant.numeric"),
    ("mi", "constant.numeric.integer"),
    ("mf", "constant.numeric.float"),
    ("mh", "constant.numeric.integer.hexadecimal"),
    ("mo", "constant.numeric.integer.octal"),
    ("s", "string.quoted"),
    ("s1", "string.quoted.single"),
    ("s2", "string.quoted.double"),
    ("sa", "storage.type.string"),
    ("sb", "string.interpolated"),
    ("sc", "constant.character"),
    ("se", "constant.character.escape"),
    ("sh", "string.unquoted.heredoc"),
    ("si", "punctuation.section.embedded"),
    ("sr", "string.regexp"),
    ("ss", "constant.other.symbol"),
    ("no", "constant.other"),
    ("ni", "constant.character.entity"),
    ("p", "punctuation"),
    ("pi", "punctuation.separator.key-value"),
    ("n", "variable"),
    ("nx", "variable.other"),
    ("nv", "variable.other.readwrite"),
    ("bp", "variable.language"),
    ("vi", "variable.other.readwrite.instance"),
    ("vg", "variable.other.readwrite.global"),
    ("vc", "variable.other.readwrite.class"),
    ("nf", "entity.name.function"),
    ("nc", "entity.name.class"),
    ("nn", "entity.name.namespace"),
    ("nt", "entity.name.tag"),
    ("na", "entity.other.attribute-name"),
    ("nl", "support.type.property-name"),
    ("nd", "variable.annotation"),
    ("nb", "support.function"),
    ("ne", "support.type.exception"),
    ("gh", "markup.heading.1"),
    ("gu", "markup.heading.2"),
    ("gs", "markup.bold"),
    ("ge", "markup.italic"),
    ("gi", "markup.inserted"),
    ("gd", "markup.deleted"),
    ("err", "invalid"),
];

/// One rule per Rouge class, coloured as the theme colours its [`ROUGE_CSS`] scope.
fn rouge_css_for(theme: &Theme) -> String {
    let highlighter = Highlighter::new(theme);
    let default = highlighter.get_default();
    let mut css = String::from(".highlight {");
    if let Some(color) = theme.settings.foreground {
        css.push_str(&format!(" color: {};", css_color(color)));
    }
    if let Some(color) = theme.settings.background {
        css.push_str(&format!(" background-color: {};", css_color(color)));
    }
    css.push_str(" }\n");
    for &(class, scope) in ROUGE_CSS {
        let scope = Scope::new(scope).expect("CSS scopes are valid");
        let style = highlighter.style_for_stack(&[scope]);
        css.push_str(&format!(
            ".highlight .{class} {{ color: {};",
            css_color(style.foreground)
        ));
        if style.background != default.background {
            css.push_str(&format!(
                " background-color: {};",
                css_color(style.background)
            ));
        }
        for (flag, property) in [
            (FontStyle::BOLD, "font-weight: bold;"),
            (FontStyle::ITALIC, "font-style: italic;"),
            (FontStyle::UNDERLINE, "text-decoration: underline;"),
        ] {
            if style.font_style.contains(flag) {
                css.push(' ');
                css.push_str(property);
            }
        }
        css.push_str(" }\n");
    }
    css
}

fn css_color(color: Color) -> String {
    let Color { r, g, b, a } = color;
    if a == 0xff {
        format!("#{r:02x}{g:02x}{b:02x}")
    } else {
        format!("#{r:02x}{g:02x}{b:02x}{a:02x}")
    }
}

fn unknown_theme(name: &str) -> UnknownTheme {
    UnknownTheme {
        name: name.to_owned(),
        known: theme_names(),
    }
}

fn find_theme(name: &str) -> Result<&'static Theme, UnknownTheme> {
    THEMES.get(name).ok_or_else(|| unknown_theme(name))
}

fn css_for(name: &str) -> Result<String, UnknownTheme> {
    let theme = find_theme(name)?;
    // Only fails on a theme whose scopes cannot be written as CSS; report it as unusable.
    css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|_| unknown_theme(name))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("\"x\"", "s2"),
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
        ] {
            rouge_tokens(lang, code);
        }
    }

    #[test]
    fn classes_leave_plain_highlight_unchanged() {
        let code = "fn main() {}\n";
        assert_eq!(
            highlight_with("rust", code, Classes::Versus),
            highlight("rust", code)
        );
        assert_eq!(
            highlight_with("no-such-language", code, Classes::Rouge),
            None
        );
    }

    #[test]
    fn disk_cache_keeps_class_styles_apart() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path());
        let code = "def f():\n    return 1\n";
        for _ in 0..2 {
            assert_eq!(cache.highlight("python", code), highlight("python", code));
            assert_eq!(
                cache.highlight_with("python", code, Classes::Rouge),
                highlight_with("python", code, Classes::Rouge)
            );
        }
        assert_ne!(
            cache.highlight("python", code),
            cache.highlight_with("python", code, Classes::Rouge)
        );
        let entries = walk_files(dir.path());
        assert_eq!(entries, 2, "one entry per class style");
    }

    fn walk_files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                if path.is_dir() { walk_files(&path) } else { 1 }
            })
            .sum()
    }

    #[test]
    fn every_rouge_class_has_a_css_rule() {
        let mut classes: Vec<&str> = vec!["m", "mi", "mf", "mh", "o", "ow", "p"];
        for &(_, _, token) in ROUGE_RULES {
            if let Token::Class(class) = token {
                classes.push(class);
            }
        }
        for class in classes.into_iter().filter(|class| !class.is_empty()) {
            assert!(
                ROUGE_CSS.iter().any(|&(c, _)| c == class),
                "no CSS scope for `{class}`"
            );
        }
    }

    #[test]
    fn rouge_css_colours_the_short_classes() {
        let css = rouge_theme_css("InspiredGitHub", "base16-ocean.dark").expect("known themes");
        let media = css
            .find("@media (prefers-color-scheme: dark) {")
            .expect("media query");
        for part in [&css[..media], &css[media..]] {
            for class in [
                "k", "kd", "s2", "s1", "c1", "mi", "nf", "na", "nt", "p", "gi", "gd",
            ] {
                assert!(
                    part.contains(&format!(".highlight .{class} {{ color: #")),
                    "{class} in {part}"
                );
            }
            assert!(part.contains(".highlight { color: #"), "{part}");
        }
        // Each class once per theme.
        assert_eq!(css.matches(".highlight .k {").count(), 2);
        let err = rouge_theme_css("nope", "InspiredGitHub").expect_err("unknown");
        assert_eq!(err.name, "nope");
    }

    #[test]
    fn rust_code_gets_prefixed_spans() {
        let html = highlight("rust", "fn main() {\n    let x = 1;\n}\n").expect("rust is known");
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("main"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn aliases_and_case_are_accepted() {
        for lang in [
            "rs",
            "RUST",
            "yaml",
            "yml",
            "sh",
            "bash",
            "shell",
            "console",
            "hcl",
            "terraform",
            "tf",
            "dockerfile",
            "Dockerfile",
            "toml",
            "json",
            "powershell",
            "ts",
            "typescript",
            "python",
            "js",
            "html",
            "css",
            "go",
            "sql",
        ] {
            assert!(highlight(lang, "x = 1\n").is_some(), "{lang}");
        }
    }

    #[test]
    fn html_in_code_is_escaped() {
        let html = highlight("rust", "let s = \"<b>&</b>\";").expect("rust is known");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_language_gives_none() {
        assert_eq!(highlight("no-such-language", "x"), None);
        assert_eq!(highlight("", "x"), None);
    }

    #[test]
    fn css_has_both_themes_and_media_query() {
        let css = theme_css("InspiredGitHub", "base16-ocean.dark").expect("known themes");
        let media = css
            .find("@media (prefers-color-scheme: dark) {")
            .expect("media query");
        assert!(css[..media].contains(".hl-"), "light part has classes");
        assert!(css[media..].contains(".hl-"), "dark part has classes");
        assert!(css.trim_end().ends_with('}'));
        // The two themes differ, so the halves differ.
        let light = theme_css("InspiredGitHub", "InspiredGitHub").expect("known");
        assert_ne!(css, light);
    }

    #[test]
    fn unknown_theme_errors_with_known_names() {
        let err = theme_css("InspiredGitHub", "nope").expect_err("unknown dark theme");
        assert_eq!(err.name, "nope");
        assert!(err.known.iter().any(|n| n == "base16-ocean.dark"));
        assert!(err.to_string().contains("nope"));
        assert!(theme_names().iter().any(|n| n == "InspiredGitHub"));
    }
}

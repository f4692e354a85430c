//! Rouge's classes for the words and symbols of code, by the rules of Rouge's own lexers.
//!
//! For some languages Rouge names an identifier by its text, not by what it is: JavaScript's
//! lexer looks every word up in its lists of keywords and builtins and calls the rest `nx`;
//! Java's calls a capitalised word `nc` and a word after a dot `na`; HCL's calls every name
//! `nx`. syntect's grammars tell these words apart by meaning, so a scope cannot give Rouge's
//! class. For these languages the code between strings, comments and numbers is split into
//! words and symbols again here and classed as the language's Rouge lexer (3.30) classes them:
//! the word lists and rules below are taken from `lib/rouge/lexers/{java,kotlin,javascript,
//! typescript/common,hcl,terraform}.rb`.

/// Every class [`split`] gives, for the stylesheet's test.
#[cfg(test)]
pub(in crate::highlight) const CLASSES: &[&str] = &[
    "dl", "err", "k", "kc", "kd", "kn", "kr", "kt", "m", "mf", "mh", "mi", "n", "na", "nb", "nc",
    "nd", "nf", "nl", "nn", "no", "nx", "o", "p", "py", "s1", "s2",
];

/// A language whose Rouge lexer classes words by their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lexicon {
    Java,
    Kotlin,
    JavaScript,
    TypeScript,
    Terraform,
}

impl Lexicon {
    /// The lexicon of a syntax or embedded language, by its scope's first two atoms.
    pub(super) fn of_scope(scope: &str) -> Option<Lexicon> {
        let mut atoms = scope.split('.');
        match (atoms.next(), atoms.next()) {
            (Some("source"), Some("java")) => Some(Lexicon::Java),
            (Some("source"), Some("Kotlin" | "kotlin")) => Some(Lexicon::Kotlin),
            (Some("source"), Some("js")) => Some(Lexicon::JavaScript),
            (Some("source"), Some("ts" | "tsx")) => Some(Lexicon::TypeScript),
            (Some("source"), Some("terraform" | "hcl")) => Some(Lexicon::Terraform),
            _ => None,
        }
    }

    /// Whether a piece the scope rules gave `class` is code this lexicon classes again:
    /// names, keywords, symbols and plain text, but not strings, comments or numbers.
    pub(super) fn reads(self, class: &str) -> bool {
        let js = matches!(self, Lexicon::JavaScript | Lexicon::TypeScript);
        (js && matches!(class, "dl" | "s"))
            || class.is_empty()
            || matches!(class, "p" | "o" | "ow" | "bp" | "err")
            || class.starts_with('n')
            || class.starts_with('k')
    }
}

/// What the code before a piece says, for the rules that look back past the current line.
#[derive(Debug, Default)]
pub(super) struct Context {
    /// A word that names what comes next: `class`, `fun`, `import`, `val`.
    pending: Pending,
    /// The open brackets, innermost last: whether each `{` opens an object literal.
    brackets: Vec<Bracket>,
    /// The class of the next whitespace, when Rouge lexes two words as one token
    /// (Kotlin's `data class`).
    glue: Option<&'static str>,
    /// The quote of the JavaScript string being read: its text is `s1` in `'`, `s2` in `"`.
    quote: Option<char>,
    /// The last character of code read that is not whitespace: what comes before a word that
    /// starts a line (`{` or `,` at the end of the line above).
    last_char: Option<char>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Pending {
    #[default]
    Nothing,
    /// The next name is a class: `nc`.
    ClassName,
    /// The next name is a function: `nf` (Kotlin's `fun`).
    FunctionName,
    /// The next run of text is a namespace: `nn`.
    Namespace,
    /// The next name is a property: `py` (Kotlin's `val`).
    Property,
    /// Names up to `)` are properties (Kotlin's `val (a, b)`).
    Destructure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bracket {
    Block,
    Object,
    Other,
}

/// One run of a line: its text and where it starts.
pub(super) struct Run<'a> {
    pub line: &'a str,
    pub start: usize,
    pub end: usize,
}

impl Run<'_> {
    fn text(&self) -> &str {
        &self.line[self.start..self.end]
    }
    fn before(&self) -> &str {
        &self.line[..self.start]
    }
    fn after(&self) -> &str {
        &self.line[self.end..]
    }
}

fn is_word_start(c: char, lexicon: Lexicon) -> bool {
    c.is_alphabetic() || c == '_' || (c == '$' && lexicon != Lexicon::Java)
}

fn is_word_char(c: char, lexicon: Lexicon) -> bool {
    c.is_alphanumeric() || c == '_' || (c == '$' && lexicon != Lexicon::Java)
}

/// Splits a piece of a line (code the scope rules gave `scoped`; `interpolated` inside a
/// string's `${…}`) into words, symbols and
/// whitespace and passes each with its Rouge class to `out`.
pub(super) fn split(
    lexicon: Lexicon,
    scoped: &'static str,
    interpolated: bool,
    piece: Run,
    context: &mut Context,
    out: &mut dyn FnMut(&'static str, &str),
) {
    let last = piece.text().trim_end().chars().next_back();
    split_piece(lexicon, scoped, interpolated, piece, context, out);
    if last.is_some() {
        context.last_char = last;
    }
}

/// [`split`] before `last_char` moves on.
fn split_piece(
    lexicon: Lexicon,
    scoped: &'static str,
    interpolated: bool,
    piece: Run,
    context: &mut Context,
    out: &mut dyn FnMut(&'static str, &str),
) {
    let Run { line, start, end } = piece;
    if scoped.starts_with(['s', 'd']) {
        let text = &line[start..end];
        let class = match scoped {
            "dl" => {
                context.quote = text.chars().next();
                "dl"
            }
            // JavaScript's grammar scopes both quotes `string.quoted`: the quote decides.
            _ => match context.quote {
                Some('\'') => "s1",
                Some('"') => "s2",
                _ => scoped,
            },
        };
        out(class, text);
        return;
    }
    let mut at = start;
    while at < end {
        let rest = &line[at..end];
        let first = rest.chars().next().unwrap_or(' ');
        let len = if first.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len())
        } else if is_word_start(first, lexicon) {
            rest.find(|c: char| !is_word_char(c, lexicon))
                .unwrap_or(rest.len())
        } else if first.is_ascii_digit() {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        let run = Run {
            line,
            start: at,
            end: at + len,
        };
        let text = run.text();
        let class = if first.is_whitespace() {
            context.glue.take().unwrap_or("")
        } else if context.pending == Pending::Namespace {
            namespace(lexicon, &run, context)
        } else if is_word_start(first, lexicon) {
            word(lexicon, &run, context)
        } else if first.is_ascii_digit() {
            super::Token::Number.class(text)
        } else {
            symbol(lexicon, interpolated, &run, context)
        };
        out(class, text);
        at += len;
    }
}

/// After `import` or `package`: Java's path is `[a-z0-9_.]+\*?`, Kotlin's any non-space run.
fn namespace(lexicon: Lexicon, run: &Run, context: &mut Context) -> &'static str {
    let text = run.text();
    let ends = match lexicon {
        Lexicon::Kotlin => run.after().is_empty() || run.after().starts_with(char::is_whitespace),
        _ => {
            text == "*"
                || !run
                    .after()
                    .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '*')
        }
    };
    if lexicon == Lexicon::Java && text == ";" {
        context.pending = Pending::Nothing;
        return "o";
    }
    if ends {
        context.pending = Pending::Nothing;
    }
    "nn"
}

/// The first non-space character after the run.
fn next_char(run: &Run) -> Option<char> {
    run.after().trim_start().chars().next()
}

/// The last non-space character before the run on its line.
fn previous_char(run: &Run) -> Option<char> {
    run.before().trim_end().chars().next_back()
}

fn word(lexicon: Lexicon, run: &Run, context: &mut Context) -> &'static str {
    match lexicon {
        Lexicon::Java => java_word(run, context),
        Lexicon::Kotlin => kotlin_word(run, context),
        Lexicon::JavaScript | Lexicon::TypeScript => js_word(lexicon, run, context),
        Lexicon::Terraform => terraform_word(run.text()),
    }
}

const JAVA_KEYWORDS: &[&str] = &[
    "assert",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "do",
    "else",
    "finally",
    "for",
    "if",
    "goto",
    "instanceof",
    "new",
    "return",
    "switch",
    "this",
    "throw",
    "try",
    "while",
];

const JAVA_DECLARATIONS: &[&str] = &[
    "abstract",
    "const",
    "enum",
    "extends",
    "final",
    "implements",
    "native",
    "private",
    "protected",
    "public",
    "static",
    "strictfp",
    "super",
    "synchronized",
    "throws",
    "transient",
    "volatile",
];

const JAVA_TYPES: &[&str] = &[
    "boolean", "byte", "char", "double", "float", "int", "long", "short", "var", "void",
];

/// Java's Rouge lexer: keywords, then a method signature (`Type name(`: `nf`), then
/// declarations, types and constants, then `.name` (`na`), `name:` (`nl`), `CONSTANT` (`no`),
/// `ClassName` (`nc`) and the rest (`n`).
fn java_word(run: &Run, context: &mut Context) -> &'static str {
    let text = run.text();
    if context.pending == Pending::ClassName {
        context.pending = Pending::Nothing;
        return "nc";
    }
    if JAVA_KEYWORDS.contains(&text) {
        return "k";
    }
    if run.before().ends_with('@') {
        return "nd";
    }
    if next_char(run) == Some('(') && java_signature_before(run.before()) {
        return "nf";
    }
    if JAVA_DECLARATIONS.contains(&text) {
        return "kd";
    }
    if JAVA_TYPES.contains(&text) {
        return "kt";
    }
    if matches!(text, "true" | "false" | "null") {
        return "kc";
    }
    if matches!(text, "class" | "interface") {
        context.pending = Pending::ClassName;
        return "kd";
    }
    if matches!(text, "import" | "package") {
        context.pending = Pending::Namespace;
        return "kn";
    }
    if run.before().ends_with('.') {
        return "na";
    }
    if run.after().starts_with(':') && !run.after().starts_with("::") {
        return "nl";
    }
    let mut chars = text.chars();
    if chars.next().is_some_and(char::is_uppercase) {
        if chars
            .clone()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return "no";
        }
        if chars.all(char::is_alphanumeric) {
            return "nc";
        }
    }
    "n"
}

/// Whether the text before a name followed by `(` is what Rouge's method rule takes for the
/// return type: words of `[A-Za-z0-9_.[]<>]` separated by whitespace, right before the name,
/// where the lexer can stand (a word that is not a keyword, or the start of the line).
fn java_signature_before(before: &str) -> bool {
    if !before.ends_with(char::is_whitespace) {
        return false;
    }
    let head = before.trim_end();
    let chunks: Vec<&str> = head.split_whitespace().collect();
    let arg = |chunk: &str| {
        chunk.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && chunk
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]<>".contains(c))
    };
    let mut valid = 0;
    for chunk in chunks.iter().rev() {
        if !arg(chunk) {
            break;
        }
        valid += 1;
    }
    if valid == 0 {
        return false;
    }
    valid == chunks.len()
        || chunks[chunks.len() - valid..]
            .iter()
            .any(|chunk| !JAVA_KEYWORDS.contains(chunk))
}

const KOTLIN_KEYWORDS: &[&str] = &[
    "abstract",
    "annotation",
    "as",
    "break",
    "by",
    "catch",
    "class",
    "companion",
    "const",
    "constructor",
    "continue",
    "crossinline",
    "do",
    "dynamic",
    "else",
    "enum",
    "external",
    "false",
    "final",
    "finally",
    "for",
    "fun",
    "get",
    "if",
    "import",
    "in",
    "infix",
    "inline",
    "inner",
    "interface",
    "internal",
    "is",
    "lateinit",
    "noinline",
    "null",
    "object",
    "open",
    "operator",
    "out",
    "override",
    "package",
    "private",
    "protected",
    "public",
    "reified",
    "return",
    "sealed",
    "set",
    "super",
    "suspend",
    "tailrec",
    "this",
    "throw",
    "true",
    "try",
    "typealias",
    "typeof",
    "val",
    "var",
    "vararg",
    "when",
    "where",
    "while",
    "yield",
];

fn followed_by_space(run: &Run) -> bool {
    run.after().starts_with(char::is_whitespace)
}

/// Kotlin's Rouge lexer: `class Name` (`kd`, `nc`), `fun name` (`k`, `nf`), `import path`
/// (`k`, `nn`), `val name` (`kd`, `py`), keywords, `@Name` (`nd`), `ClassName` (`nc`),
/// `name(` or `name {` (`nf`) and the rest (`n`).
fn kotlin_word(run: &Run, context: &mut Context) -> &'static str {
    let text = run.text();
    let pending = context.pending;
    match pending {
        Pending::ClassName if starts_upper(text) => {
            context.pending = Pending::Nothing;
            return "nc";
        }
        Pending::FunctionName => {
            if starts_upper(text) && run.after().starts_with('.') {
                return "nc";
            }
            context.pending = Pending::Nothing;
            return "nf";
        }
        Pending::Property => {
            context.pending = Pending::Nothing;
            return "py";
        }
        Pending::Destructure => return "py",
        _ => {}
    }
    context.pending = Pending::Nothing;
    if run.before().ends_with('@') && starts_upper(text) {
        return "nd";
    }
    if text == "companion" && run.after().trim_start().starts_with("object") {
        return "k";
    }
    if text == "object" && run.before().trim_end().ends_with("companion") {
        return "k";
    }
    if matches!(text, "class" | "interface" | "object") && followed_by_space(run) {
        context.pending = Pending::ClassName;
        return "kd";
    }
    if text == "data" && run.after().trim_start().starts_with("class") {
        context.glue = Some("kd");
        return "kd";
    }
    if text == "fun" && followed_by_space(run) {
        context.pending = Pending::FunctionName;
        return "k";
    }
    if matches!(text, "package" | "import") && followed_by_space(run) {
        context.pending = Pending::Namespace;
        return "k";
    }
    if matches!(text, "val" | "var") && followed_by_space(run) {
        context.pending = if next_char(run) == Some('(') {
            Pending::Destructure
        } else {
            Pending::Property
        };
        return "kd";
    }
    if KOTLIN_KEYWORDS.contains(&text) {
        return "k";
    }
    if starts_upper(text) {
        return "nc";
    }
    if matches!(next_char(run), Some('(' | '{')) {
        return "nf";
    }
    if run.after().starts_with('@') {
        return "nd";
    }
    "n"
}

fn starts_upper(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

const JS_KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "finally",
    "from",
    "for",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "of",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "try",
    "typeof",
    "void",
    "while",
    "yield",
];
const TS_KEYWORDS: &[&str] = &[
    "is",
    "namespace",
    "static",
    "private",
    "protected",
    "public",
    "implements",
    "readonly",
];
const JS_DECLARATIONS: &[&str] = &[
    "var",
    "let",
    "const",
    "with",
    "function",
    "class",
    "extends",
    "constructor",
    "get",
    "set",
    "static",
];
const TS_DECLARATIONS: &[&str] = &["type", "abstract"];
const JS_RESERVED: &[&str] = &[
    "enum",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
];
const TS_RESERVED: &[&str] = &[
    "string",
    "any",
    "void",
    "number",
    "namespace",
    "module",
    "declare",
    "default",
    "interface",
    "keyof",
];
const JS_CONSTANTS: &[&str] = &["true", "false", "null", "NaN", "Infinity", "undefined"];
const JS_BUILTINS: &[&str] = &[
    "Array",
    "Boolean",
    "Date",
    "Error",
    "Function",
    "Math",
    "netscape",
    "Number",
    "Object",
    "Packages",
    "RegExp",
    "String",
    "sun",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "eval",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "document",
    "window",
    "navigator",
    "self",
    "global",
    "Promise",
    "Set",
    "Map",
    "WeakSet",
    "WeakMap",
    "Symbol",
    "Proxy",
    "Reflect",
    "Int8Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Int16Array",
    "Uint16Array",
    "Uint16ClampedArray",
    "Int32Array",
    "Uint32Array",
    "Uint32ClampedArray",
    "Float32Array",
    "Float64Array",
    "DataView",
    "ArrayBuffer",
];
const TS_BUILTINS: &[&str] = &["Pick", "Partial", "Readonly", "Record"];

/// JavaScript's and TypeScript's Rouge lexers: `name:` is a label (`nl`) at the start of a
/// statement and an attribute (`na`) in an object literal; other words by Rouge's lists
/// (keywords `k`, declarations `kd`, reserved words `kr`, constants `kc`, builtins `nb`), the
/// rest `nx`.
fn js_word(lexicon: Lexicon, run: &Run, context: &Context) -> &'static str {
    let text = run.text();
    let ts = lexicon == Lexicon::TypeScript;
    let after = run.after();
    let label_colon = {
        let rest = if ts {
            after.strip_prefix('?').unwrap_or(after)
        } else {
            after
        };
        let rest = rest.trim_start();
        rest.starts_with(':') && !rest.starts_with("::")
    };
    if label_colon {
        let innermost = context.brackets.last().copied();
        match previous_char(run).or(context.last_char) {
            Some('{' | ',') if innermost == Some(Bracket::Object) => return "na",
            Some('{' | ';' | '}') | None if innermost != Some(Bracket::Object) => return "nl",
            _ => {}
        }
    }
    let within = |js: &[&str], more: &[&str]| js.contains(&text) || (ts && more.contains(&text));
    if within(JS_KEYWORDS, TS_KEYWORDS) {
        "k"
    } else if within(JS_DECLARATIONS, TS_DECLARATIONS) {
        "kd"
    } else if within(JS_RESERVED, TS_RESERVED) {
        "kr"
    } else if JS_CONSTANTS.contains(&text) {
        "kc"
    } else if within(JS_BUILTINS, TS_BUILTINS) {
        "nb"
    } else {
        "nx"
    }
}

/// Terraform's Rouge lexer: its block keywords `k`, `var` and `local` `kd`, `true`, `false`
/// and `null` `kc`, every other name `nx`.
fn terraform_word(text: &str) -> &'static str {
    match text {
        "terraform" | "module" | "provider" | "variable" | "resource" | "data" | "provisioner"
        | "output" => "k",
        "var" | "local" => "kd",
        "true" | "false" | "null" => "kc",
        _ => "nx",
    }
}

fn symbol(lexicon: Lexicon, interpolated: bool, run: &Run, context: &mut Context) -> &'static str {
    let text = run.text();
    let c = text.chars().next().unwrap_or(' ');
    match c {
        '{' => {
            let kind = if matches!(lexicon, Lexicon::JavaScript | Lexicon::TypeScript)
                && js_expression_before(run.before())
            {
                Bracket::Object
            } else {
                Bracket::Block
            };
            context.brackets.push(kind);
        }
        '(' | '[' => context.brackets.push(Bracket::Other),
        '}' | ')' | ']' => {
            context.brackets.pop();
        }
        _ => {}
    }
    match lexicon {
        Lexicon::Java => {
            if c == '@' && run.after().starts_with(char::is_alphabetic) {
                "nd"
            } else {
                "o"
            }
        }
        Lexicon::Kotlin => {
            if context.pending == Pending::Destructure && c == ')' {
                context.pending = Pending::Nothing;
            }
            let after = run.after();
            let pair = |first: char, second: char| {
                (c == first && after.starts_with(second))
                    || (c == second && run.before().ends_with(first))
            };
            if c == '@' && run.after().starts_with(char::is_uppercase) {
                "nd"
            } else if pair(':', ':')
                || pair('!', '!')
                || pair('?', ':')
                || pair('?', '.')
                || pair('.', '.')
            {
                "o"
            } else {
                "p"
            }
        }
        Lexicon::JavaScript | Lexicon::TypeScript => {
            if c == '@' {
                "p"
            } else if "-<>+*%&|^/!=~".contains(c) {
                "o"
            } else if c == '?' && (run.after().starts_with('?') || run.before().ends_with('?')) {
                if lexicon == Lexicon::TypeScript {
                    "o"
                } else {
                    "p"
                }
            } else {
                "p"
            }
        }
        Lexicon::Terraform => {
            if interpolated {
                if "(),[].".contains(c) { "p" } else { "o" }
            } else if "{}[]=,.()*".contains(c) {
                "p"
            } else {
                "err"
            }
        }
    }
}

/// Whether a `{` after this text opens an object literal in Rouge's JavaScript lexer: it
/// follows an operator, an opening bracket, a comma, a colon, or a keyword such as `return`.
fn js_expression_before(before: &str) -> bool {
    let head = before.trim_end();
    match head.chars().next_back() {
        Some(c) if "([,=:?&|!+-*/%<>".contains(c) => true,
        Some(c) if c.is_alphanumeric() => {
            let word: String = head
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            JS_KEYWORDS.contains(&word.as_str())
        }
        _ => false,
    }
}

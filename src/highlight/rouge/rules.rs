//! The table of Rouge tokens per syntect scope and language, and the tokens themselves.

/// What a scope stands for in Rouge's token classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::highlight) enum Token {
    /// This class; `""` is plain text, left unwrapped.
    Class(&'static str),
    /// This class, even in a language whose words a [`Lexicon`](super::Lexicon) classes by their text.
    Final(&'static str),
    /// This class for the scope and everything inside it, which Rouge lexes as one token
    /// (a doctype, `<?xml …?>`): the outermost such scope wins.
    Whole(&'static str),
    /// A number: `mh`, `mf`, `mi` or `m`, told apart by its text (for grammars that do not).
    Number,
    /// An operator: `ow` when it is a word (`and`, `not`, `in`), else `o`.
    Operator,
    /// A shell command: `nb` if Rouge's shell lexer lists it as a builtin, else plain.
    ShellCommand,
    /// The quote a string opens with: `s2` for `"`, `s1` for `'` (Rouge's YAML lexer gives
    /// the opening quote its own class, and the rest of the string `s`).
    OpeningQuote,
    /// A word of a CSS value or media query: `no`, `nb` or `n` by Rouge's CSS word lists.
    CssValue,
    /// Quotes, comment markers and the like belong to the string, comment or number they
    /// delimit, as in Rouge; elsewhere they are punctuation, `p`.
    Punctuation,
}

impl Token {
    pub(super) fn class(self, text: &str) -> &'static str {
        match self {
            Token::Class(class) | Token::Final(class) | Token::Whole(class) => class,
            Token::Number => {
                let lower = text.trim_start_matches(['-', '+']).to_ascii_lowercase();
                // Java's and Kotlin's `12L` and `7u` are integers.
                let unsuffixed = lower.trim_end_matches(['l', 'u']);
                if lower.starts_with("0x") {
                    "mh"
                } else if lower.contains(['.', 'e']) {
                    "mf"
                } else if !unsuffixed.is_empty()
                    && unsuffixed.bytes().all(|b| b.is_ascii_digit() || b == b'_')
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
            Token::CssValue => super::css::value_word_class(text.trim()),
            Token::OpeningQuote => {
                if text.starts_with('\'') {
                    "s1"
                } else {
                    "s2"
                }
            }
            Token::ShellCommand => {
                if SHELL_BUILTINS.contains(&text.trim()) {
                    "nb"
                } else {
                    ""
                }
            }
        }
    }
}

/// The commands Rouge's shell lexer calls builtins (`BUILTINS` in `lexers/shell.rb`).
const SHELL_BUILTINS: &[&str] = &[
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "declare",
    "dirs",
    "disown",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "pushd",
    "pwd",
    "read",
    "readonly",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "time",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
    "cat",
    "tac",
    "nl",
    "od",
    "base32",
    "base64",
    "fmt",
    "pr",
    "fold",
    "head",
    "tail",
    "split",
    "csplit",
    "wc",
    "sum",
    "cksum",
    "b2sum",
    "md5sum",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "sort",
    "shuf",
    "uniq",
    "comm",
    "ptx",
    "tsort",
    "cut",
    "paste",
    "join",
    "tr",
    "expand",
    "unexpand",
    "ls",
    "dir",
    "vdir",
    "dircolors",
    "cp",
    "dd",
    "install",
    "mv",
    "rm",
    "shred",
    "link",
    "ln",
    "mkdir",
    "mkfifo",
    "mknod",
    "readlink",
    "rmdir",
    "unlink",
    "chown",
    "chgrp",
    "chmod",
    "touch",
    "df",
    "du",
    "stat",
    "sync",
    "truncate",
    "echo",
    "printf",
    "yes",
    "expr",
    "tee",
    "basename",
    "dirname",
    "pathchk",
    "mktemp",
    "realpath",
    "stty",
    "printenv",
    "tty",
    "id",
    "logname",
    "whoami",
    "groups",
    "users",
    "who",
    "date",
    "arch",
    "nproc",
    "uname",
    "hostname",
    "hostid",
    "uptime",
    "chcon",
    "runcon",
    "chroot",
    "env",
    "nice",
    "nohup",
    "stdbuf",
    "timeout",
    "kill",
    "sleep",
    "factor",
    "numfmt",
    "seq",
    "tar",
    "grep",
    "sudo",
    "awk",
    "sed",
    "gzip",
    "gunzip",
];

/// Scope prefixes and the Rouge token each stands for, with the language a rule is limited
/// to, or `""` for all. The language of a piece of code is the innermost `source.*` or
/// `text.*` scope on its stack, so CSS inside HTML follows the CSS rules. A [`Token::Whole`]
/// of the language applies first, outermost scope first; then the language's other rules,
/// anywhere on the scope stack (a JSON key is a string inside a key scope); then the general
/// rules, innermost scope first. Per scope the longest matching prefix wins. Chosen to
/// follow what Rouge's own lexers emit for the same kind of token, so a Rouge stylesheet
/// colours it as on a Jekyll site; for the languages of [`Lexicon`](super::Lexicon), words of code are then
/// classed again by their text (see `lexicon.rs`). Measured against Rouge by
/// `bench/rouge-agreement/`.
pub(in crate::highlight) const ROUGE_RULES: &[(&str, &str, Token)] = {
    use Token::{
        Class as C, CssValue, Final, Number, OpeningQuote, Operator, Punctuation, ShellCommand,
        Whole,
    };
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
        ("source.shell", "variable.function", ShellCommand),
        ("source.shell", "entity.name.function", C("")),
        ("source.shell", "punctuation.section.parens", C("o")),
        ("source.shell", "punctuation.section.braces", C("o")),
        ("source.shell", "punctuation.section.brackets", C("o")),
        (
            "source.shell",
            "punctuation.section.expansion.parameter",
            C("k"),
        ),
        ("source.shell", "meta.group.expansion.job", Whole("")),
        // A pipe, `&` and a file descriptor are plain text; a case pattern's `)` punctuation.
        ("source.shell", "keyword.operator.logical.pipe", C("")),
        ("source.shell", "keyword.operator.logical.job", C("")),
        (
            "source.shell",
            "constant.numeric.integer.decimal.file-descriptor",
            C(""),
        ),
        (
            "source.shell",
            "keyword.control.conditional.patterns.end",
            C("p"),
        ),
        // Not the string around `"$(…)"`: its code is code (see `shell.rs` for the rest).
        ("source.shell", "meta.group.expansion.command.parens", C("")),
        ("source.shell", "keyword.control.heredoc-token", C("no")),
        ("source.shell", "support.function.test", C("o")),
        ("source.shell", "support.function.double-brace", C("o")),
        ("source.shell", "string.unquoted", C("")),
        ("source.shell", "string.unquoted.heredoc", C("sh")),
        ("source.shell", "string.quoted.double", C("s2")),
        ("source.shell", "string.quoted.single", C("s1")),
        ("source.shell", "punctuation.section.arithmetic", C("o")),
        ("source.shell", "storage.modifier", C("nb")),
        ("source.shell", "keyword.operator.logical.continue", C("p")),
        // YAML: keys are `na`, indicators `pi`, `true` and `null` `no`, numbers `m`, plain
        // scalars in flow collections `nv`, a quoted string `s` after its opening quote.
        ("source.yaml", "entity.name.tag", C("na")),
        ("source.yaml", "punctuation.separator.key-value", C("pi")),
        ("source.yaml", "punctuation.definition.sequence", C("pi")),
        ("source.yaml", "punctuation.separator.sequence", C("pi")),
        ("source.yaml", "punctuation.definition.mapping", C("pi")),
        ("source.yaml", "punctuation.separator.mapping", C("pi")),
        ("source.yaml", "string.unquoted.plain.in", C("nv")),
        ("source.yaml", "string.quoted", C("s")),
        (
            "source.yaml",
            "punctuation.definition.string.begin",
            OpeningQuote,
        ),
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
        // JavaScript and TypeScript: names are classed by their text (see `lexicon`); strings
        // have `dl` quotes around `s1` or `s2` text (by the quote, see `lexicon`), templates
        // are `s2` with `${` and `}` punctuation around code.
        ("source.js", "punctuation.definition.string", C("dl")),
        (
            "source.js",
            "punctuation.definition.string.template",
            C("s2"),
        ),
        ("source.js", "string.interpolated", C("s2")),
        ("source.js", "string.unquoted.label", C("")),
        ("source.js", "keyword.other.substitution", Final("p")),
        ("source.ts", "punctuation.definition.string", C("dl")),
        (
            "source.ts",
            "punctuation.definition.string.template",
            C("s2"),
        ),
        ("source.ts", "string.template", C("s2")),
        ("source.ts", "meta.template.expression", C("")),
        (
            "source.ts",
            "punctuation.definition.template-expression",
            Final("p"),
        ),
        // Java: strings are `s`, characters `sc`.
        ("source.java", "string", C("s")),
        ("source.java", "string.quoted.single", C("sc")),
        ("source.java", "storage.type.numeric", C("mi")),
        // Kotlin: a string is `s` as a whole, templates included; characters `sc`.
        ("source.Kotlin", "string", C("s")),
        ("source.Kotlin", "string.quoted.single", C("sc")),
        // Terraform: keys are names, `${` and `}` keywords.
        ("source.terraform", "string.unquoted", C("")),
        (
            "source.terraform",
            "keyword.other.interpolation",
            Final("k"),
        ),
        // CSS: `.class` is `nc`, `#id` `nf`, `:hover` `nd`, properties `nl`, colours `nx`,
        // numbers with their unit `m`, comments `c`, value words by Rouge's lists (`css.rs`).
        ("source.css", "entity.other.attribute-name.class", C("nc")),
        ("source.css", "entity.other.attribute-name.id", C("nf")),
        ("source.css", "entity.other.attribute-name.pseudo", C("nd")),
        ("source.css", "support.type.property-name", C("nl")),
        ("source.css", "constant.other.color", C("nx")),
        ("source.css", "constant.other.color.rgb-value", C("m")),
        ("source.css", "constant.numeric", C("m")),
        ("source.css", "support.constant", CssValue),
        ("source.css", "support.function", CssValue),
        ("source.css", "support.type.property-name.media", CssValue),
        ("source.css", "comment", C("c")),
        // HTML and XML: comments `c`, `name=` `na`, attribute values `s` as a whole (entities
        // included), the doctype, `<?xml …?>` and CDATA `cp` as a whole.
        ("text.html.basic", "comment", C("c")),
        ("text.html.basic", "string.quoted", C("s")),
        ("text.html.basic", "string.unquoted", C("s")),
        (
            "text.html.basic",
            "punctuation.separator.key-value",
            C("na"),
        ),
        ("text.html.basic", "meta.tag.sgml.doctype", Whole("cp")),
        // Vue: as HTML, and `{{ }}` are `si`; an attribute's quotes belong to its value (see
        // `vue.rs` for the rest).
        ("text.html.vue", "comment", C("c")),
        ("text.html.vue", "string.quoted", C("s")),
        ("text.html.vue", "string.unquoted", C("s")),
        ("text.html.vue", "punctuation.definition.string", C("s")),
        ("text.html.vue", "punctuation.separator.key-value", C("na")),
        ("text.html.vue", "punctuation.definition.template", C("si")),
        ("text.html.vue", "meta.tag.sgml.doctype", Whole("cp")),
        ("text.xml", "comment", C("c")),
        ("text.xml", "string.quoted", C("s")),
        ("text.xml", "string.unquoted", C("s")),
        ("text.xml", "punctuation.separator.key-value", C("na")),
        ("text.xml", "meta.tag.preprocessor", Whole("cp")),
        ("text.xml", "meta.tag.sgml", Whole("cp")),
    ]
};

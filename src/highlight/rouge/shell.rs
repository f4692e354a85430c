//! Rouge's shell lexer (`lexers/shell.rb`) on expansions, where the grammar's scopes split
//! otherwise: `$(` and its `)` are one interpolation token each (`si`), `${`, `}` and `:-` of a
//! parameter keywords (`k`, `${#` too), and inside the braces a word after `{` or `:-` is a
//! variable (`nv`) and other text punctuation (`p`, `/tmp`, `[@]`); `$((` and `))` are
//! keywords, with numbers `m`, operators `o` and words plain between them. Redirections: see
//! [`redirection`].

use std::collections::HashMap;

use syntect::parsing::Scope;

/// What a scope says to the rules here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `meta.group.expansion.command.parens`: `$(…)`.
    Command,
    /// `meta.group.expansion.arithmetic`: `$((…))`.
    Arithmetic,
    /// `meta.group.expansion.parameter`: `$name` or `${…}`.
    Parameter,
    /// Another expansion (`$[…]`, job specs): the grammar's rules hold inside.
    OtherExpansion,
    /// `punctuation.definition.variable` or `punctuation.section.*`: `$`, brackets.
    Delimiter,
    Number,
    Operator,
    /// `keyword.operator.assignment.redirection`: `>`, `2>&`, `<`, `<<`.
    Redirection,
    Other,
}

#[derive(Debug, Default)]
pub(super) struct Shell {
    kinds: HashMap<Scope, Kind>,
}

impl Shell {
    /// The class of `line[start..end]` under `stack` where Rouge's shell lexer differs from
    /// the scopes in an expansion; None elsewhere.
    pub(super) fn class(
        &mut self,
        stack: &[Scope],
        line: &str,
        start: usize,
        end: usize,
    ) -> Option<&'static str> {
        let kinds: Vec<Kind> = stack.iter().map(|s| self.kind(*s)).collect();
        if kinds.last() == Some(&Kind::Redirection) {
            return Some(redirection(&line[..start], &line[start..end]));
        }
        let group = kinds.iter().rposition(|k| {
            matches!(
                k,
                Kind::Command | Kind::Arithmetic | Kind::Parameter | Kind::OtherExpansion
            )
        })?;
        let inner = &kinds[group + 1..];
        let text = &line[start..end];
        match kinds[group] {
            Kind::Command => (inner == [Kind::Delimiter]).then_some("si"),
            Kind::Arithmetic => match inner {
                [Kind::Delimiter] => Some("k"),
                [Kind::Number] => Some("m"),
                [Kind::Operator] => Some("o"),
                [] => Some(""),
                _ => None,
            },
            Kind::Parameter => {
                let braced = line[..start]
                    .rfind("${")
                    .is_some_and(|at| !line[at..start].contains('}'));
                if inner == [Kind::Delimiter] && text == "$" {
                    return Some(if line[end..].starts_with('{') {
                        "k"
                    } else {
                        "nv"
                    });
                }
                if !braced {
                    return None;
                }
                if (inner == [Kind::Delimiter] && matches!(text, "{" | "}"))
                    || text == ":-"
                    || (text == "#" && line[..start].ends_with("${"))
                {
                    return Some("k");
                }
                let word = text.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
                Some(if word && !in_punctuation_run(&line[..start]) {
                    "nv"
                } else {
                    "p"
                })
            }
            _ => None,
        }
    }

    fn kind(&mut self, scope: Scope) -> Kind {
        *self.kinds.entry(scope).or_insert_with(|| {
            let name = scope.build_string();
            if name.starts_with("meta.group.expansion.command.parens") {
                Kind::Command
            } else if name.starts_with("meta.group.expansion.arithmetic") {
                Kind::Arithmetic
            } else if name.starts_with("meta.group.expansion.parameter") {
                Kind::Parameter
            } else if name.starts_with("meta.group.expansion") {
                Kind::OtherExpansion
            } else if name.starts_with("punctuation.definition.variable")
                || name.starts_with("punctuation.section")
            {
                Kind::Delimiter
            } else if name.starts_with("constant.numeric") {
                Kind::Number
            } else if name.starts_with("keyword.operator.assignment.redirection") {
                Kind::Redirection
            } else if name.starts_with("keyword.operator") {
                Kind::Operator
            } else {
                Kind::Other
            }
        })
    }
}

/// A redirection as Rouge reads it: `>` and a heredoc's `<<` are operators (`o`), but `<` is
/// text, and so is `>` right after other text (`2>&1` is one word to Rouge).
fn redirection(before: &str, text: &str) -> &'static str {
    let glued = before.ends_with(|c: char| !c.is_whitespace());
    if text.starts_with("<<") || (text.starts_with('>') && !glued) {
        "o"
    } else {
        ""
    }
}

/// Whether a word after `before`, in `${…}`, continues a run of Rouge's punctuation
/// (`[^}:"'$]+`, which takes in words after a `/` or `[`): the text back to the word's start
/// is a non-word character other than those that end such a run.
fn in_punctuation_run(before: &str) -> bool {
    // `${#` is one keyword; a word after it starts afresh.
    if before.ends_with("${#") {
        return false;
    }
    for c in before.chars().rev() {
        if c.is_ascii_alphanumeric() || c == '_' {
            continue;
        }
        return !matches!(c, '{' | '}' | ':' | '-' | '"' | '\'' | '`' | '$');
    }
    false
}

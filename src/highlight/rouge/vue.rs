//! Rouge's Vue lexer (`lexers/vue.rb`, an HTML lexer with JavaScript between `{{ }}`), where
//! it reads a single-file component otherwise than the grammar's scopes say: the names of the
//! top-level `template`, `script` and `style` tags are keywords (`k`), and the value of an
//! attribute is one string (`s`), JavaScript or not (`v-if="plans.length"`), as in HTML.
//! The grammar's own scopes give the rest, with the rules of [`super::ROUGE_RULES`].

use std::collections::HashMap;

use syntect::parsing::Scope;

/// The block of the component Rouge's lexer is in: it keeps no count of nested tags, so the
/// first `</template>` ends the template, as here.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Block {
    #[default]
    Top,
    Template,
    Script,
    Style,
}

/// What a scope says to the rules here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `meta.tag.*`: inside a tag.
    Tag,
    /// `source.js.embedded.vue`: JavaScript of an attribute or of `{{ }}`.
    Script,
    /// `entity.name.tag.*`: a tag's name.
    TagName,
    /// `punctuation.definition.attribute`: `:` or `@` before an attribute's name.
    AttributeSign,
    Other,
}

#[derive(Debug, Default)]
pub(super) struct Vue {
    block: Block,
    kinds: HashMap<Scope, Kind>,
}

impl Vue {
    /// The class of `line[start..end]` under `stack` where Rouge's Vue lexer differs from the
    /// scopes; None where the scopes' rules hold.
    pub(super) fn class(
        &mut self,
        stack: &[Scope],
        line: &str,
        start: usize,
        end: usize,
    ) -> Option<&'static str> {
        let kinds: Vec<Kind> = stack.iter().map(|s| self.kind(*s)).collect();
        let text = &line[start..end];
        match kinds.last() {
            Some(Kind::TagName) => return self.tag_name(text, &line[..start]),
            Some(Kind::AttributeSign) => return Some(if text == "@" { "err" } else { "na" }),
            _ => {}
        }
        let in_tag = kinds.contains(&Kind::Tag);
        (in_tag && kinds.contains(&Kind::Script)).then_some("s")
    }

    /// `k` for the name of a tag that opens or closes a block of the component.
    fn tag_name(&mut self, name: &str, before: &str) -> Option<&'static str> {
        let block = match name {
            "template" => Block::Template,
            "script" => Block::Script,
            "style" => Block::Style,
            _ => return None,
        };
        let before = before.trim_end();
        if before.ends_with("</") {
            if self.block == block {
                self.block = Block::Top;
                return Some("k");
            }
        } else if before.ends_with('<') && self.block == Block::Top {
            self.block = block;
            return Some("k");
        }
        None
    }

    fn kind(&mut self, scope: Scope) -> Kind {
        *self.kinds.entry(scope).or_insert_with(|| {
            let name = scope.build_string();
            if name.starts_with("meta.tag") {
                Kind::Tag
            } else if name.starts_with("source.js.embedded.vue") {
                Kind::Script
            } else if name.starts_with("entity.name.tag") {
                Kind::TagName
            } else if name.starts_with("punctuation.definition.attribute") {
                Kind::AttributeSign
            } else {
                Kind::Other
            }
        })
    }
}

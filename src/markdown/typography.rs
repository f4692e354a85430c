//! Smart quotes as kramdown curls them, so text reads as it did on Jekyll.

use pulldown_cmark::{CowStr, Event};

use super::doc::Doc;

/// pulldown-cmark curls quotes by CommonMark's flanking rules; kramdown (Jekyll) by the
/// character before: after anything but whitespace or `[{(-` a quote closes
/// (`target="x"` → `target=”x”`). Each curled quote is one item, decided again here.
pub(super) fn kramdown_quotes(doc: &mut Doc) {
    for i in 0..doc.items.len() {
        let Event::Text(text) = &doc.items[i].event else {
            continue;
        };
        if !matches!(&**text, "“" | "”" | "‘" | "’") {
            continue;
        }
        let range = doc.items[i].range.clone();
        let quote = match doc.body.get(range.clone()) {
            Some("\"") => '"',
            Some("'") => '\'',
            _ => continue,
        };
        let before = doc.body[..range.start].chars().next_back();
        // Emphasis and code marks end a span before the quote: kramdown sees no character.
        let before = before.filter(|c| !matches!(c, '*' | '_' | '`' | '\n'));
        let after = &doc.body[range.end..];
        let opening = kramdown_opens(quote, before, after);
        let curled = match (quote, opening) {
            ('"', true) => "“",
            ('"', false) => "”",
            (_, true) => "‘",
            (_, false) => "’",
        };
        doc.items[i].event = Event::Text(CowStr::Borrowed(curled));
    }
}

/// kramdown's smart quote rules (`SQ_RULES`) for a quote between `before` and `after`.
fn kramdown_opens(quote: char, before: Option<char>, after: &str) -> bool {
    let next = after.chars().next();
    match before {
        // Whitespace: opening, but for the decade abbreviation `'80s`.
        Some(c) if c.is_whitespace() => {
            let decade = after.len() >= 3
                && after.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && after.as_bytes()[2] == b's';
            !(quote == '\'' && decade)
        }
        Some('[' | '{' | '(' | '-') => true,
        Some(_) => false,
        // At the start of the text, the characters after decide.
        None => {
            let mut rest = after.chars();
            let (first, second) = (rest.next(), rest.next());
            let word = |c: char| c.is_alphanumeric() || c == '_';
            let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
            if matches!(first, Some('_' | '*')) && !space(second) {
                return true;
            }
            if first.is_some_and(|c| c.is_ascii_punctuation())
                && !after.starts_with("...")
                && !second.is_some_and(word)
            {
                return false;
            }
            // A closing quote before whitespace, the end, or a possessive `s`.
            let possessive = next == Some('s') && !second.is_some_and(word);
            !space(next) && !possessive
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::*;

    #[test]
    fn quotes_curl_as_on_kramdown() {
        assert_eq!(
            html("a {:x=\"y\"} \"b\" it's (\"c\") '80s\n"),
            "<p>a {:x=”y”} “b” it’s (“c”) ’80s</p>\n"
        );
        assert_eq!(
            html("\"Start\" and *\"em\"*\n"),
            "<p>“Start” and <em>“em”</em></p>\n"
        );
    }

    #[test]
    fn smart_punctuation_in_prose() {
        assert_eq!(html("\"Hi\" -- it's...\n"), "<p>“Hi” – it’s…</p>\n");
    }
}

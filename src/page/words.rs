//! What listings show of a body: its word count and its summary.

/// Words of Markdown prose: fenced code blocks, inline code and HTML comments are left out.
pub fn word_count(body: &str) -> usize {
    let mut count = 0;
    let mut fence: Option<&str> = None;
    let mut in_comment = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let mut text = line;
        let mut in_code = false;
        while !text.is_empty() {
            if in_comment {
                match memchr::memmem::find(text.as_bytes(), b"-->") {
                    Some(end) => {
                        text = &text[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
                continue;
            }
            let next = memchr::memchr2(b'`', b'<', text.as_bytes()).unwrap_or(text.len());
            if !in_code {
                count += prose_words(&text[..next]);
            }
            text = &text[next..];
            if text.starts_with("<!--") {
                in_comment = true;
                text = &text[4..];
            } else if let Some(rest) = text.strip_prefix('`') {
                in_code = !in_code;
                text = rest;
            } else if let Some(rest) = text.strip_prefix('<') {
                text = rest;
            }
        }
    }
    count
}

/// Whitespace-separated words holding a letter or a digit. ASCII text, nearly all of it, is
/// counted byte by byte: decoding every character was most of a warm build's parsing.
fn prose_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
    }
    // Without branches: a branch per byte mispredicted at every space.
    let (mut count, mut alphanumeric) = (0usize, 0usize);
    for &byte in text.as_bytes() {
        let class = ASCII_CLASS[usize::from(byte)];
        let space = usize::from(class >> 1);
        count += alphanumeric & space;
        alphanumeric = (alphanumeric | usize::from(class & 1)) & (space ^ 1);
    }
    count + alphanumeric
}

/// Per ASCII byte: 1 for a letter or digit, 2 for whitespace as `char::is_whitespace` has it
/// (which `split_whitespace` splits at, \x0b included), 0 otherwise.
const ASCII_CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            class[byte] = 1;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
            class[byte] = 2;
        }
        byte += 1;
    }
    class
};

/// The marker that ends a post's summary, as Jekyll's `excerpt_separator` is often set.
pub const MORE_MARKER: &str = "<!-- more -->";

/// See [`Page::summary_source`].
pub fn summary_source(body: &str) -> &str {
    // memmem: `str::find` of a long pattern was a hot spot, run over every post twice.
    if let Some(end) = memchr::memmem::find(body.as_bytes(), MORE_MARKER.as_bytes()) {
        return body[..end].trim();
    }
    let mut start = None;
    let mut offset = 0;
    let mut fence = false;
    for line in body.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let text = line.trim();
        if text.starts_with("```") || text.starts_with("~~~") {
            fence = !fence;
            if start.is_none() {
                continue;
            }
        }
        match start {
            None if fence => {}
            None => {
                let skip = text.is_empty()
                    || text.starts_with('#')
                    || text.starts_with("{:")
                    || text.starts_with("<!--")
                    || text == "* TOC"
                    || text.starts_with("![")
                    || text.starts_with("{{")
                    || (text.starts_with("*[") && text.contains("]:"));
                if !skip {
                    start = Some(line_start);
                }
            }
            Some(begin) if text.is_empty() || text.starts_with("{:") => {
                return body[begin..line_start].trim();
            }
            Some(_) => {}
        }
    }
    start.map_or("", |begin| body[begin..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count as it was before [`prose_words`] went byte by byte: the oracle it must match.
    fn prose_words_by_char(text: &str) -> usize {
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    }

    #[test]
    fn prose_words_counts_as_unicode_does() {
        let texts = [
            "",
            " ",
            "one",
            "  two words  ",
            "It's *very* important, -- here.",
            "a\tb\nc\x0bd\x0ce\rf",
            "- * 1. ... x",
            "café au lait",
            "no\u{a0}break space",
            "日本語 の 文",
            "¿qué? ¡sí! — 42",
            "emoji 🦀 crab",
            "__init__ _ __",
        ];
        for text in texts {
            assert_eq!(prose_words(text), prose_words_by_char(text), "{text:?}");
        }
        assert_eq!(prose_words("a\x0bb"), 2, "a vertical tab separates words");
        assert_eq!(prose_words("-- , 1st"), 1);
    }
}

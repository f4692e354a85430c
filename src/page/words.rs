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
                match text.find("-->") {
                    Some(end) => {
                        text = &text[end + 3..];
                        in_comment = false;
                    }
                    None => break,
                }
                continue;
            }
            let next = text.find(['`', '<']).unwrap_or(text.len());
            if !in_code {
                count += text[..next]
                    .split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphanumeric))
                    .count();
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

/// The marker that ends a post's summary, as Jekyll's `excerpt_separator` is often set.
pub const MORE_MARKER: &str = "<!-- more -->";

/// See [`Page::summary_source`].
pub fn summary_source(body: &str) -> &str {
    if let Some(end) = body.find(MORE_MARKER) {
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

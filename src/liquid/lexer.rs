//! Splitting a template into text, `{{ output }}` and `{% tag %}` tokens, with whitespace
//! control applied and `raw`/`comment` bodies taken out before anything parses them.

/// One `{{ }}` or `{% %}` (or text between them) with whitespace control applied.
#[derive(Debug)]
pub(super) enum Token<'a> {
    /// Body text `start..end`, the inside of `{% raw %}` included.
    Text(usize, usize),
    Output(usize, &'a str),
    Tag(usize, &'a str),
}

pub(super) type ParseError = (usize, String);

pub(super) fn lex(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos < src.len() {
        let next = find_open(src, pos);
        let Some((open, is_tag)) = next else {
            push_text(&mut tokens, src, pos, src.len(), trim_next, false);
            break;
        };
        let close = if is_tag { "%}" } else { "}}" };
        let Some(rel) = src[open + 2..].find(close) else {
            let what = if is_tag { "tag" } else { "variable" };
            return Err((
                open,
                format!(
                    "{what} `{}` is not closed with `{close}`",
                    preview(&src[open..])
                ),
            ));
        };
        let end = open + 2 + rel + 2;
        let mut inner = &src[open + 2..end - 2];
        let trim_before = inner.starts_with('-');
        let trim_after = inner.ends_with('-') && inner.len() > 1;
        if trim_before {
            inner = &inner[1..];
        }
        if trim_after {
            inner = &inner[..inner.len() - 1];
        }
        push_text(&mut tokens, src, pos, open, trim_next, trim_before);
        trim_next = trim_after;
        if is_tag {
            let (name, _) = split_tag(inner);
            if name == "raw" || name == "comment" {
                let end_name = format!("end{name}");
                let Some((close_start, close_end, trims)) = find_end_tag(src, end, &end_name)
                else {
                    return Err((
                        open,
                        format!("`{{% {name} %}}` without `{{% {end_name} %}}`"),
                    ));
                };
                let (mut a, mut b) = (end, close_start);
                if trim_after {
                    a += src[a..b].len() - src[a..b].trim_start().len();
                }
                if trims.0 {
                    b = a + src[a..b].trim_end().len();
                }
                if name == "raw" && a < b {
                    tokens.push(Token::Text(a, b));
                }
                trim_next = trims.1;
                pos = close_end;
                continue;
            }
            tokens.push(Token::Tag(open, inner));
        } else {
            tokens.push(Token::Output(open, inner));
        }
        pos = end;
    }
    Ok(tokens)
}

/// The next `{{` or `{%` from `pos`.
fn find_open(src: &str, pos: usize) -> Option<(usize, bool)> {
    let rel = src[pos..].find('{').map(|i| pos + i)?;
    let mut at = rel;
    loop {
        match src.as_bytes().get(at + 1) {
            Some(b'{') => return Some((at, false)),
            Some(b'%') => return Some((at, true)),
            _ => at = src[at + 1..].find('{').map(|i| at + 1 + i)?,
        }
    }
}

/// Finds `{% end_name %}` (with optional `-`) after `from`: its range and its trim flags.
fn find_end_tag(src: &str, from: usize, end_name: &str) -> Option<(usize, usize, (bool, bool))> {
    let mut pos = from;
    while let Some(i) = src[pos..].find("{%") {
        let open = pos + i;
        let rel = src[open + 2..].find("%}")?;
        let inner = &src[open + 2..open + 2 + rel];
        if inner.trim_matches('-').trim() == end_name {
            let trims = (inner.starts_with('-'), inner.ends_with('-'));
            return Some((open, open + 2 + rel + 2, trims));
        }
        pos = open + 2;
    }
    None
}

fn push_text(
    tokens: &mut Vec<Token>,
    src: &str,
    start: usize,
    end: usize,
    trim_start: bool,
    trim_end: bool,
) {
    let mut a = start;
    let mut b = end;
    if trim_start {
        a += src[a..b].len() - src[a..b].trim_start().len();
    }
    if trim_end {
        b = a + src[a..b].trim_end().len();
    }
    if a < b {
        tokens.push(Token::Text(a, b));
    }
}

fn preview(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    line.chars().take(30).collect()
}

pub(super) fn split_tag(inner: &str) -> (&str, &str) {
    let inner = inner.trim();
    let end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    (&inner[..end], inner[end..].trim())
}

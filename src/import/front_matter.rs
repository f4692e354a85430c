//! The few edits an import makes to a file's front matter, on its text, so everything else in
//! the file (comments, quoting, key order) stays as the author wrote it.

/// The front matter's text between its `---` lines, and where it starts.
pub(super) fn front_matter(text: &str) -> Option<(usize, &str)> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    let first = rest
        .strip_prefix("---\n")
        .map(|_| 4)
        .or_else(|| rest.strip_prefix("---\r\n").map(|_| 5))?;
    let start = bom + first;
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((start, &text[start..offset]));
        }
        offset += line.len();
    }
    None
}

/// The value of a top-level `layout:` line of the front matter: its range and text unquoted.
pub(super) fn layout_value(text: &str) -> Option<(usize, usize, String)> {
    let (start, front) = front_matter(text)?;
    let mut offset = start;
    for line in front.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("layout:") {
            let value = rest.trim_end_matches(['\n', '\r']);
            let lead = value.len() - value.trim_start().len();
            let value = value.trim();
            // A comment after the value is not part of it.
            let value = value.split(" #").next().unwrap_or(value).trim_end();
            let a = offset + "layout:".len() + lead;
            let unquoted = value.trim_matches(['"', '\'']).to_owned();
            return Some((a, a + value.len(), unquoted));
        }
        offset += line.len();
    }
    None
}

/// A draft's `date:` as `YYYY-MM-DD`, for its file name.
pub(super) fn front_matter_date(text: &str) -> Option<String> {
    let (_, front) = front_matter(text)?;
    let line = front.lines().find_map(|l| l.strip_prefix("date:"))?;
    let value = line.trim().trim_matches(['"', '\'']);
    let day = value.get(..10)?;
    jiff::civil::Date::strptime("%Y-%m-%d", day).ok()?;
    Some(day.to_owned())
}

/// `text` with `line` first in its front matter (which it gets when it has none): a draft's
/// `draft: true`, so it stays out of builds without `--drafts` as on Jekyll; a page's
/// `permalink`.
pub(super) fn with_front_matter_line(text: &str, line: &str) -> String {
    match front_matter(text) {
        Some((start, _)) => format!("{}{line}\n{}", &text[..start], &text[start..]),
        None => format!("---\n{line}\n---\n{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_get_a_date_and_the_draft_flag() {
        let draft = "---\ntitle: Soon\ndate: 2024-07-01 10:00\n---\nbody\n";
        assert_eq!(front_matter_date(draft).as_deref(), Some("2024-07-01"));
        assert_eq!(
            with_front_matter_line(draft, "draft: true"),
            "---\ndraft: true\ntitle: Soon\ndate: 2024-07-01 10:00\n---\nbody\n"
        );
        assert_eq!(
            with_front_matter_line("body\n", "draft: true"),
            "---\ndraft: true\n---\nbody\n"
        );
        assert_eq!(front_matter_date("---\ndate: soon\n---\n"), None);
    }
}

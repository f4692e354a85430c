//! A matrix selection → an accessible HTML table, the same for posts, templates and the
//! `/compare/` pages.
//!
//! Accessibility: a caption, header cells with scopes, every support level as text with a
//! symbol (never colour alone), a legend of the levels shown, notes and sources as plain links.
//! The table sits in a focusable scroll region, and `data-label`s let the theme stack cells on
//! a phone.

use jiff::civil::Date;

use crate::config::Config;
use crate::markdown::{self, escape_html};
use crate::matrix::{Cell, Feature, Matrices, Support, View};
use crate::strings::Strings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Support levels only, with a link to the area page for notes and sources.
    #[default]
    Compact,
    /// Notes and source links in every cell.
    Detailed,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "compact" => Some(Mode::Compact),
            "detailed" => Some(Mode::Detailed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    pub mode: Mode,
    /// Replaces the generated caption.
    pub caption: Option<String>,
    /// The area page, for compact tables' links to notes and sources (None on that page).
    pub details_url: Option<String>,
    /// When claims count as possibly out of date (None: never).
    pub stale: Option<Staleness>,
    /// Prefix of the element ids, unique within the page.
    pub anchor: String,
    /// The site's base path (`/blog`, or empty), for links from the site root in notes and
    /// sources.
    pub base_path: String,
    /// Inline code in names and notes as the site's posts mark it up.
    pub code_markup: crate::config::CodeMarkup,
    /// The text of the heading right above the table: a caption saying the same is hidden
    /// from the eye (it still names the table for screen readers).
    pub heading: Option<String>,
}

/// Whether a caption says what the heading above it says: case, spaces and a closing
/// colon or full stop aside.
fn repeats(caption: &str, heading: &str) -> bool {
    let norm = |text: &str| {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        words.join(" ").trim_end_matches([':', '.']).to_owned()
    };
    norm(caption) == norm(heading)
}

/// Claims verified before `before` (`days` before the build's day) may be out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staleness {
    pub before: Date,
    pub days: i64,
}

impl Staleness {
    /// The site's `stale_after_days`, counted back from the build's day.
    pub fn of(config: &Config) -> Staleness {
        Staleness {
            before: config.stale_before(),
            days: config.stale_after_days,
        }
    }

    fn is_stale(self, cell: &Cell) -> bool {
        cell.verified.is_some_and(|v| v < self.before)
    }

    /// `a year`, `2 years`, `90 days`: the age as a reader says it.
    fn age(self, strings: &Strings) -> String {
        let (key, n) = match self.days {
            d if d >= 365 && d % 365 == 0 => ("table.age_years", d / 365),
            d => ("table.age_days", d),
        };
        strings.count(key, n.unsigned_abs(), &[])
    }
}

/// The HTML of one table.
pub fn render(
    view: &View,
    matrices: &Matrices,
    options: &TableOptions,
    strings: &Strings,
) -> String {
    let providers: Vec<_> = view
        .columns
        .iter()
        .map(|&c| &matrices.providers[c])
        .collect();
    let anchor = &options.anchor;
    let caption = options
        .caption
        .clone()
        .unwrap_or_else(|| view.matrix.title.clone());
    let hidden = match &options.heading {
        Some(heading) if repeats(&caption, heading) => " class=\"visually-hidden\"",
        _ => "",
    };
    let mut html = String::with_capacity(4096);
    let mode_class = match options.mode {
        Mode::Compact => "matrix-compact",
        Mode::Detailed => "matrix-detailed",
    };
    html.push_str(&format!(
        "<figure class=\"matrix {mode_class}\" id=\"{anchor}\">\n<div class=\"matrix-scroll\" role=\"region\" aria-labelledby=\"{anchor}-caption\" tabindex=\"0\">\n<table class=\"matrix-table\">\n<caption id=\"{anchor}-caption\"{hidden}>{}</caption>\n",
        escape_html(&caption)
    ));
    html.push_str(&format!(
        "<thead><tr><th scope=\"col\">{}</th>",
        strings.html("table.feature", &[])
    ));
    for provider in &providers {
        html.push_str(&format!(
            "<th scope=\"col\"><abbr title=\"{}\">{}</abbr></th>",
            escape_html(&provider.name),
            escape_html(&provider.short)
        ));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    if view.rows.is_empty() {
        html.push_str(&format!(
            "<tr><td colspan=\"{}\">{}</td></tr>\n",
            providers.len() + 1,
            strings.html("table.empty", &[])
        ));
    }
    let mut current_group: Option<&str> = None;
    for feature in &view.rows {
        let group = feature.group.as_deref();
        if group.is_some()
            && group != current_group
            && let Some(g) = view
                .matrix
                .groups
                .iter()
                .find(|g| Some(g.id.as_str()) == group)
        {
            html.push_str(&format!(
                "<tr class=\"matrix-group\"><th scope=\"colgroup\" colspan=\"{}\">{}</th></tr>\n",
                providers.len() + 1,
                escape_html(&g.title)
            ));
        }
        current_group = group;
        row(&mut html, feature, view, matrices, options, strings);
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    legend(&mut html, view, options, strings);
    html.push_str("</figure>\n");
    html
}

fn row(
    html: &mut String,
    feature: &Feature,
    view: &View,
    matrices: &Matrices,
    options: &TableOptions,
    strings: &Strings,
) {
    html.push_str(&format!(
        "<tr id=\"{}-{}\"><th scope=\"row\">{}",
        options.anchor,
        feature.id,
        markdown::render_inline(&feature.name, &options.base_path, options.code_markup)
    ));
    if let Some(description) = &feature.description
        && options.mode == Mode::Detailed
    {
        html.push_str(&format!(
            "<span class=\"matrix-description\">{}</span>",
            markdown::render_inline(description, &options.base_path, options.code_markup)
        ));
    }
    if let Some(url) = &options.details_url {
        html.push_str(&format!(
            " <a class=\"matrix-details\" href=\"{}#{}-{}\" aria-label=\"{}\">{}</a>",
            escape_html(url),
            view.matrix.id,
            feature.id,
            strings.html(
                "table.notes_label",
                &[("feature", &escape_html(&feature.name))]
            ),
            strings.html("table.notes", &[])
        ));
    }
    html.push_str("</th>");
    for &column in &view.columns {
        let cell = &feature.cells[column];
        let provider = &matrices.providers[column];
        html.push_str(&format!(
            "<td class=\"support support-{}\" data-label=\"{}\">{}",
            cell.support.id(),
            escape_html(&provider.short),
            level_html(cell.support, strings)
        ));
        if options.mode == Mode::Detailed {
            if let Some(note) = &cell.note {
                html.push_str(&format!(
                    "<span class=\"matrix-note\">{}</span>",
                    markdown::render_inline(note, &options.base_path, options.code_markup)
                ));
            }
            if !cell.docs.is_empty() {
                html.push_str(&format!(
                    "<span class=\"matrix-sources\">{}",
                    strings.html("table.sources", &[])
                ));
                let links: Vec<String> = cell
                    .docs
                    .iter()
                    .enumerate()
                    .map(|(i, url)| {
                        // The accessible name starts with the visible text, so a reader who
                        // says what they see (voice control) finds the link (WCAG 2.5.3).
                        let visible = source_label(url);
                        let label = strings.html(
                            "table.source_label",
                            &[
                                ("provider", &escape_html(&provider.short)),
                                ("n", &(i + 1).to_string()),
                                ("feature", &escape_html(&feature.name)),
                            ],
                        );
                        format!(
                            "<a href=\"{}\" aria-label=\"{visible} ({label})\">{visible}</a>",
                            escape_html(
                                &markdown::under_base_path(url, &options.base_path)
                                    .unwrap_or_else(|| url.clone())
                            ),
                        )
                    })
                    .collect();
                html.push_str(&links.join(", "));
                html.push_str("</span>");
            }
        }
        if options.mode == Mode::Detailed {
            history_html(html, cell, strings, options);
        }
        if let (Some(verified), Some(stale)) = (cell.verified, options.stale)
            && stale.is_stale(cell)
        {
            let date = format!("<time datetime=\"{verified}\">{verified}</time>");
            html.push_str(&format!(
                "<span class=\"matrix-stale\">{}</span>",
                strings.html("table.stale", &[("date", &date)])
            ));
        }
        html.push_str("</td>");
    }
    html.push_str("</tr>\n");
}

/// A cell's changes, newest first: one line, or a disclosure when there are several.
fn history_html(html: &mut String, cell: &Cell, strings: &Strings, options: &TableOptions) {
    let lines: Vec<String> = cell
        .history
        .iter()
        .map(|change| {
            let date = change.date;
            strings.html(
                "table.changed",
                &[
                    ("date", &format!("<time datetime=\"{date}\">{date}</time>")),
                    ("level", &level_html(change.support, strings)),
                    (
                        "note",
                        &markdown::render_inline(
                            &change.note,
                            &options.base_path,
                            options.code_markup,
                        ),
                    ),
                ],
            )
        })
        .collect();
    match lines.as_slice() {
        [] => {}
        [line] => html.push_str(&format!("<span class=\"matrix-history\">{line}</span>")),
        [..] => {
            let last = cell.history[0].date;
            let date = format!("<time datetime=\"{last}\">{last}</time>");
            html.push_str(&format!(
                "<details class=\"matrix-history\"><summary>{}</summary><ul>",
                strings.count_html(
                    "table.changed_times",
                    lines.len() as u64,
                    &[("date", &date)]
                )
            ));
            for line in &lines {
                html.push_str(&format!("<li>{line}</li>"));
            }
            html.push_str("</ul></details>");
        }
    }
}

/// "Claims checked between A and B; N older than a year": how fresh the shown claims are,
/// from their `verified` days. None when no shown claim has one.
fn freshness_html(view: &View, options: &TableOptions, strings: &Strings) -> Option<String> {
    let cells: Vec<&Cell> = view
        .rows
        .iter()
        .flat_map(|f| view.columns.iter().map(|&c| &f.cells[c]))
        .collect();
    let days = cells.iter().filter_map(|c| c.verified);
    let (first, last) = (days.clone().min()?, days.max()?);
    let time = |d: Date| format!("<time datetime=\"{d}\">{d}</time>");
    let mut text = if first == last {
        strings.html("table.checked_on", &[("date", &time(first))])
    } else {
        let (first, last) = (time(first), time(last));
        strings.html(
            "table.checked_between",
            &[("first", &first), ("last", &last)],
        )
    };
    if let Some(stale) = options.stale {
        let old = cells.iter().filter(|c| stale.is_stale(c)).count();
        if old > 0 {
            let age = escape_html(&stale.age(strings));
            let old = old.to_string();
            text.push_str(&strings.html("table.older_than", &[("n", &old), ("age", &age)]));
        }
    }
    Some(format!("<p class=\"matrix-freshness\">{text}.</p>"))
}

/// The level as a symbol for the eye and text for everyone.
pub fn level_html(support: Support, strings: &Strings) -> String {
    format!(
        "<span class=\"support-symbol\" aria-hidden=\"true\">{}</span> <span class=\"support-text\">{}</span>",
        support.symbol(),
        escape_html(strings.level_label(support))
    )
}

fn legend(html: &mut String, view: &View, options: &TableOptions, strings: &Strings) {
    let mut used: Vec<Support> = view
        .rows
        .iter()
        .flat_map(|f| view.columns.iter().map(|&c| f.cells[c].support))
        .collect();
    used.sort();
    used.dedup();
    html.push_str("<figcaption class=\"matrix-legend\">");
    if !used.is_empty() {
        html.push_str("<dl>");
        for level in used {
            html.push_str(&format!(
                "<div class=\"support-{}\"><dt>{}</dt><dd>{}</dd></div>",
                level.id(),
                level_html(level, strings),
                escape_html(strings.level_description(level))
            ));
        }
        html.push_str("</dl>");
    }
    if let Some(line) = freshness_html(view, options, strings) {
        html.push_str(&line);
    }
    if let Some(url) = &options.details_url {
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape_html(url),
            strings.html(
                "table.all_notes",
                &[("title", &escape_html(&view.matrix.title))]
            )
        ));
    }
    html.push_str("</figcaption>\n");
}

/// `https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html#x` → `docs.aws.amazon.com:
/// ebs-csi`: the site and the page, so a cell's several sources read apart.
fn source_label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut parts = rest.split('/');
    let host = parts.next().unwrap_or(rest);
    let page = parts.rfind(|p| !p.is_empty()).map(|p| {
        p.strip_suffix(".html")
            .or_else(|| p.strip_suffix(".md"))
            .unwrap_or(p)
    });
    match page {
        Some(page) => escape_html(&format!("{host}: {page}")),
        None => escape_html(host),
    }
}

#[cfg(test)]
mod tests {
    use super::{Staleness, repeats, source_label};
    use crate::strings::Strings;

    #[test]
    fn ages_read_as_a_reader_says_them() {
        let age = |days| {
            Staleness {
                before: jiff::civil::date(2026, 1, 1),
                days,
            }
            .age(&Strings::default())
        };
        assert_eq!(
            [age(365), age(730), age(90), age(1)],
            ["a year", "2 years", "90 days", "a day"]
        );
    }

    #[test]
    fn a_caption_repeats_a_heading_whatever_its_case_and_spacing() {
        assert!(repeats("Disk storage", "Disk  storage:"));
        assert!(repeats("JSON columns", "json columns"));
        assert!(!repeats(
            "Disk storage: where EKS and AKS differ",
            "Disk storage"
        ));
    }

    #[test]
    fn ages_in_german() {
        let age = |days| {
            Staleness {
                before: jiff::civil::date(2026, 1, 1),
                days,
            }
            .age(&Strings::builtin("de"))
        };
        assert_eq!(
            [age(365), age(730), age(90)],
            ["ein Jahr", "2 Jahre", "90 Tage"]
        );
    }

    #[test]
    fn source_labels_name_the_site_and_the_page() {
        assert_eq!(
            source_label("https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html#csi-iam"),
            "docs.aws.amazon.com: ebs-csi"
        );
        assert_eq!(
            source_label("https://learn.microsoft.com/en-us/azure/aks/cluster-autoscaler/"),
            "learn.microsoft.com: cluster-autoscaler"
        );
        assert_eq!(source_label("https://aws.amazon.com/"), "aws.amazon.com");
        assert_eq!(source_label("https://example.org?a=<b>"), "example.org");
    }
}

//! `/compare/changes/` and its Atom feed: every recorded change of a claim, newest first,
//! grouped by day, so a returning reader sees what moved since they last looked.

use jiff::civil::Date;

use crate::config::Config;
use crate::feed;
use crate::markdown::{self, escape_html as escape};
use crate::matrix::{Change, Feature, Matrices, Matrix, Provider, Support};
use crate::strings::Strings;

use super::area_path;

/// The site path of the changes page.
pub const PAGE: &str = "/compare/changes/";
/// The site path of its feed.
pub const FEED: &str = "/compare/changes/feed.xml";

/// One change of one claim, with what it is a change of.
pub struct Entry<'m> {
    pub area: &'m Matrix,
    pub feature: &'m Feature,
    pub provider: &'m Provider,
    pub change: &'m Change,
    /// The level the change led to.
    pub now: Support,
}

/// Every change of every matrix, newest day first; within a day in the order the areas,
/// features and providers are listed.
pub fn entries(matrices: &Matrices) -> Vec<Entry<'_>> {
    let mut entries = Vec::new();
    for area in &matrices.areas {
        for feature in &area.features {
            for (provider, cell) in matrices.providers.iter().zip(&feature.cells) {
                for (change, now) in cell.changes() {
                    entries.push(Entry {
                        area,
                        feature,
                        provider,
                        change,
                        now,
                    });
                }
            }
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.change.date));
    entries
}

/// The entries split by day, newest first.
fn by_day<'e, 'm>(entries: &'e [Entry<'m>]) -> Vec<(Date, &'e [Entry<'m>])> {
    entries
        .chunk_by(|a, b| a.change.date == b.change.date)
        .map(|day| (day[0].change.date, day))
        .collect()
}

fn level(support: Support, strings: &Strings) -> String {
    format!(
        "<span class=\"support-{}\"><span class=\"support-symbol\" aria-hidden=\"true\">{}</span> {}</span>",
        support.id(),
        support.symbol(),
        escape(strings.level_label(support))
    )
}

/// One change as a list item; `url` makes the site paths links (relative on the page,
/// absolute in the feed).
fn item(entry: &Entry, url: &dyn Fn(&str) -> String, strings: &Strings, config: &Config) -> String {
    let inline = |text: &str| markdown::render_inline(text, &config.base_path, config.code_markup);
    let area = url(&area_path(&entry.area.id));
    let feature = format!(
        "<a href=\"{area}#{}-{}\">{}</a>",
        escape(&entry.area.id),
        escape(&entry.feature.id),
        inline(&entry.feature.name),
    );
    let provider = format!(
        "<abbr title=\"{}\">{}</abbr>",
        escape(&entry.provider.name),
        escape(&entry.provider.short),
    );
    let area = format!("<a href=\"{area}\">{}</a>", escape(&entry.area.title));
    let text = strings.html(
        "changes.entry",
        &[
            ("feature", &feature),
            ("provider", &provider),
            ("area", &area),
            ("old", &level(entry.change.support, strings)),
            ("new", &level(entry.now, strings)),
            ("note", &inline(&entry.change.note)),
        ],
    );
    format!("<li>{text}</li>\n")
}

/// The changes page's content.
pub fn html(matrices: &Matrices, config: &Config, strings: &Strings) -> String {
    let entries = entries(matrices);
    let mut html = String::new();
    if entries.is_empty() {
        html.push_str(&format!("<p>{}</p>\n", strings.html("changes.none", &[])));
    } else {
        let feed = format!(
            "<a href=\"{}\">{}</a>",
            escape(&config.relative_url(FEED)),
            strings.html("changes.feed", &[])
        );
        html.push_str(&format!(
            "<p>{}</p>\n",
            strings.html("changes.intro", &[("feed", &feed)])
        ));
    }
    let url = |path: &str| escape(&config.relative_url(path));
    for (date, day) in by_day(&entries) {
        html.push_str(&format!(
            "<section class=\"compare-changes-day\" aria-labelledby=\"{date}\">\n<h2 id=\"{date}\"><time datetime=\"{date}\">{}</time></h2>\n<ul class=\"compare-changes\">\n",
            escape(&strings.date(date))
        ));
        for entry in day {
            html.push_str(&item(entry, &url, strings, config));
        }
        html.push_str("</ul>\n</section>\n");
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>\n",
        escape(&config.relative_url("/compare/")),
        strings.html("compare.all_areas", &[])
    ));
    html
}

/// The paragraph of `/compare/` that leads to the changes page.
pub fn teaser(matrices: &Matrices, config: &Config, strings: &Strings) -> String {
    let entries = entries(matrices);
    let title = strings.html("changes.title", &[]);
    let link = format!(
        "<a href=\"{}\">{title}</a>",
        escape(&config.relative_url(PAGE))
    );
    let latest = match by_day(&entries).first() {
        Some((date, day)) => {
            let claims = strings.count_html("changes.claims", day.len() as u64, &[]);
            let date = format!(
                "<time datetime=\"{date}\">{}</time>",
                escape(&strings.date(*date))
            );
            strings.html("changes.latest", &[("claims", &claims), ("date", &date)])
        }
        None => strings.html("changes.nothing_yet", &[]),
    };
    let feed = format!(
        "<a href=\"{}\">{}</a>",
        escape(&config.relative_url(FEED)),
        strings.html("changes.feed", &[])
    );
    format!(
        "<h2 id=\"what-changed\">{title}</h2>\n<p>{} {latest}</p>\n",
        strings.html("changes.teaser", &[("link", &link), ("feed", &feed)])
    )
}

/// The Atom feed: one entry per day with all that day's changes, newest first (the latest
/// `feed.entries` days), so a reader is told once per review, not once per claim.
pub fn atom(matrices: &Matrices, config: &Config, strings: &Strings) -> String {
    let entries = entries(matrices);
    let days = by_day(&entries);
    let days = &days[..days.len().min(config.feed.entries)];
    let stamp = |date: Date| format!("{date}T00:00:00Z");
    let updated = days
        .first()
        .map_or_else(|| stamp(config.today), |(date, _)| stamp(*date));
    let title = format!("{} · {}", strings.text("changes.title"), config.title);
    let mut xml = feed::head(config, &title, FEED, PAGE, &updated);
    let url = |path: &str| escape(&config.absolute_url(path));
    for (date, day) in days {
        let link = config.absolute_url(&format!("{PAGE}#{date}"));
        let long_date = strings.date(*date);
        let title = strings.count(
            "changes.feed_entry",
            day.len() as u64,
            &[("date", &long_date)],
        );
        let mut content = String::from("<ul>\n");
        for entry in *day {
            content.push_str(&item(entry, &url, strings, config));
        }
        content.push_str("</ul>\n");
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <id>{}</id>\n", feed::escape(&link)));
        xml.push_str(&format!("    <title>{}</title>\n", feed::escape(&title)));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            feed::escape(&link)
        ));
        xml.push_str(&format!("    <updated>{}</updated>\n", stamp(*date)));
        xml.push_str(&format!(
            "    <content type=\"html\">{}</content>\n",
            feed::escape(&feed::absolute_links(config, &content))
        ));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Cell;

    fn change(date: &str, support: Support) -> Change {
        Change {
            date: date.parse().unwrap(),
            support,
            note: "Why.".into(),
            docs: Vec::new(),
        }
    }

    #[test]
    fn entries_are_newest_first_and_know_what_each_change_led_to() {
        let cell = |support, history| Cell {
            support,
            note: None,
            docs: Vec::new(),
            verified: None,
            history,
            offset: 0,
        };
        let provider = |id: &str| Provider {
            id: id.into(),
            name: id.into(),
            short: id.to_uppercase(),
            vendor: String::new(),
            home: None,
            sources: Vec::new(),
        };
        let feature = Feature {
            id: "csi".into(),
            name: "CSI".into(),
            description: None,
            group: None,
            cells: vec![
                cell(
                    Support::Default,
                    vec![
                        change("2025-06-01", Support::Addon),
                        change("2024-01-01", Support::None),
                    ],
                ),
                cell(
                    Support::Option,
                    vec![change("2025-06-01", Support::Unknown)],
                ),
            ],
        };
        let matrices = Matrices {
            providers: vec![provider("eks"), provider("aks")],
            areas: vec![Matrix {
                id: "storage".into(),
                title: "Storage".into(),
                summary: None,
                groups: Vec::new(),
                features: vec![feature],
                order: 0,
                aliases: Vec::new(),
                source: "data/matrices/storage.yaml".into(),
                text: String::new(),
            }],
        };
        let entries = entries(&matrices);
        let seen: Vec<(String, &str, Support, Support)> = entries
            .iter()
            .map(|e| {
                (
                    e.change.date.to_string(),
                    e.provider.id.as_str(),
                    e.change.support,
                    e.now,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("2025-06-01".into(), "eks", Support::Addon, Support::Default),
                (
                    "2025-06-01".into(),
                    "aks",
                    Support::Unknown,
                    Support::Option
                ),
                ("2024-01-01".into(), "eks", Support::None, Support::Addon),
            ]
        );
        let days: Vec<(String, usize)> = by_day(&entries)
            .iter()
            .map(|(d, day)| (d.to_string(), day.len()))
            .collect();
        assert_eq!(days, [("2025-06-01".into(), 2), ("2024-01-01".into(), 1)]);
    }
}

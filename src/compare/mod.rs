//! The generated comparison pages (`/compare/`, `/compare/<area>/`) and the whole matrix as
//! JSON and CSV, for readers and for diffing claims over time; what changed is in [`changes`].

use serde::Serialize;

use crate::config::Config;
use crate::markdown::escape_html as escape;
use crate::matrix::{Matrices, Matrix, Selection, Support};
use crate::strings::Strings;
use crate::table::{self, Mode, TableOptions};

pub mod changes;

/// The site path of an area page.
pub fn area_path(id: &str) -> String {
    format!("/compare/{id}/")
}

/// A post that embeds an area's table: (title, site path).
pub type Mention<'a> = (&'a str, &'a str);

/// `/compare/`: every area with, per provider, how many features it supports at each level.
pub fn index_html(matrices: &Matrices, config: &Config, strings: &Strings) -> String {
    let mut html = format!("<p>{}</p>\n", strings.html("compare.intro", &[]));
    html.push_str(&format!(
        "<div class=\"matrix-scroll\" role=\"region\" aria-labelledby=\"compare-summary\" tabindex=\"0\">\n<table class=\"matrix-table compare-summary\">\n<caption id=\"compare-summary\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
        strings.html("compare.summary", &[]),
        strings.html("compare.area", &[])
    ));
    for provider in &matrices.providers {
        html.push_str(&format!(
            "<th scope=\"col\"><abbr title=\"{}\">{}</abbr></th>",
            escape(&provider.name),
            escape(&provider.short)
        ));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for area in &matrices.areas {
        let (weighed, by_design): (Vec<_>, Vec<_>) = area
            .features
            .iter()
            .partition(|f| f.cells.iter().any(|c| c.support.is_weighed()));
        let mut count = strings.count_html("compare.features", weighed.len() as u64, &[]);
        if !by_design.is_empty() {
            let apart = strings.count_html("compare.not_applicable", by_design.len() as u64, &[]);
            count.push_str(&format!(", {apart}"));
        }
        html.push_str(&format!(
            "<tr><th scope=\"row\"><a href=\"{}\">{}</a> <span class=\"compare-count\">({count})</span></th>",
            escape(&config.relative_url(&area_path(&area.id))),
            escape(&area.title),
        ));
        for column in 0..matrices.providers.len() {
            html.push_str("<td><ul class=\"compare-levels\">");
            // Weighed levels first; what is absent by design comes last, apart.
            let levels = Support::ALL.into_iter().filter(|l| l.is_weighed());
            for level in levels.chain([Support::NotApplicable]) {
                let count = area
                    .features
                    .iter()
                    .filter(|f| f.cells[column].support == level)
                    .count();
                if count > 0 {
                    let label = escape(strings.level_label(level));
                    let count = count.to_string();
                    html.push_str(&format!(
                        "<li class=\"support-{}\"><span class=\"support-symbol\" aria-hidden=\"true\">{}</span> {}</li>",
                        level.id(),
                        level.symbol(),
                        strings.html("compare.level_count", &[("level", &label), ("n", &count)])
                    ));
                }
            }
            html.push_str("</ul></td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    html.push_str(&changes::teaser(matrices, config, strings));
    let link = |path: &str, label: &str| {
        format!(
            "<a href=\"{}\">{label}</a>",
            escape(&config.relative_url(path))
        )
    };
    let (json, csv) = (
        link("/compare/matrix.json", "JSON"),
        link("/compare/matrix.csv", "CSV"),
    );
    html.push_str(&format!(
        "<p class=\"compare-downloads\">{}</p>\n",
        strings.html("compare.downloads", &[("json", &json), ("csv", &csv)])
    ));
    html
}

/// `/compare/<area>/`: the full matrix with notes and sources, and the posts that discuss it.
/// Code in the area's summary gets the classes of `palette` (the site's themes) and the site's
/// code markup, as in posts, or `highlight.css` would not colour it.
pub fn area_html(
    area: &Matrix,
    matrices: &Matrices,
    options: &TableOptions,
    mentions: &[Mention],
    config: &Config,
    strings: &Strings,
    palette: Option<&crate::highlight::Palette>,
) -> String {
    let mut html = String::new();
    if let Some(summary) = &area.summary {
        let options = crate::markdown::Options {
            base_path: &config.base_path,
            palette,
            code_markup: config.code_markup,
            ..Default::default()
        };
        html.push_str(&crate::markdown::render(summary, &options).html);
    }
    let view = matrices
        .select(&area.id, &Selection::default())
        .expect("an area always selects itself");
    let options = TableOptions {
        mode: Mode::Detailed,
        details_url: None,
        anchor: area.id.clone(),
        // The page's own heading is the area's title: the caption need not show it again.
        heading: Some(area.title.clone()),
        ..options.clone()
    };
    html.push_str(&table::render(&view, matrices, &options, strings));
    if !mentions.is_empty() {
        html.push_str(&format!(
            "<h2 id=\"discussed-in\">{}</h2>\n<ul class=\"compare-mentions\">",
            strings.html("compare.discussed_in", &[])
        ));
        for (title, path) in mentions {
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&config.relative_url(path)),
                escape(title)
            ));
        }
        html.push_str("</ul>\n");
    }
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>\n",
        escape(&config.relative_url("/compare/")),
        strings.html("compare.all_areas", &[])
    ));
    html
}

/// The JSON export: providers, the support levels, and every area with one cell per provider id.
pub fn json(matrices: &Matrices, strings: &Strings) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        version: u32,
        providers: &'a [crate::matrix::Provider],
        support_levels: Vec<Level<'a>>,
        areas: Vec<Area<'a>>,
    }
    #[derive(Serialize)]
    struct Level<'s> {
        id: &'static str,
        label: &'s str,
        description: &'s str,
    }
    #[derive(Serialize)]
    struct Area<'a> {
        id: &'a str,
        title: &'a str,
        summary: &'a Option<String>,
        groups: &'a [crate::matrix::Group],
        features: Vec<Feature<'a>>,
    }
    #[derive(Serialize)]
    struct Feature<'a> {
        id: &'a str,
        name: &'a str,
        description: &'a Option<String>,
        group: &'a Option<String>,
        cells: serde_json::Map<String, serde_json::Value>,
    }
    let export = Export {
        version: 1,
        providers: &matrices.providers,
        support_levels: Support::ALL
            .iter()
            .map(|s| Level {
                id: s.id(),
                label: strings.level_label(*s),
                description: strings.level_description(*s),
            })
            .collect(),
        areas: matrices
            .areas
            .iter()
            .map(|area| Area {
                id: &area.id,
                title: &area.title,
                summary: &area.summary,
                groups: &area.groups,
                features: area
                    .features
                    .iter()
                    .map(|f| Feature {
                        id: &f.id,
                        name: &f.name,
                        description: &f.description,
                        group: &f.group,
                        cells: matrices
                            .providers
                            .iter()
                            .zip(&f.cells)
                            .map(|(p, cell)| {
                                let value = serde_json::to_value(cell).unwrap_or_default();
                                (p.id.clone(), value)
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&export).unwrap_or_default();
    text.push('\n');
    text
}

/// The CSV export: one row per claim (area, feature, provider), so a diff shows each change.
pub fn csv(matrices: &Matrices) -> String {
    let mut out =
        String::from("area,feature_id,feature,group,provider,support,note,docs,verified\n");
    for area in &matrices.areas {
        for feature in &area.features {
            for (provider, cell) in matrices.providers.iter().zip(&feature.cells) {
                let fields = [
                    area.id.as_str(),
                    &feature.id,
                    &feature.name,
                    feature.group.as_deref().unwrap_or(""),
                    &provider.id,
                    cell.support.id(),
                    cell.note.as_deref().unwrap_or(""),
                    &cell.docs.join(" "),
                    &cell.verified.map(|d| d.to_string()).unwrap_or_default(),
                ];
                let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
    }
    out
}

/// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

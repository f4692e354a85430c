//! The filters and functions layouts call: URLs, slugs, dates, Markdown, `matrix(...)`, and
//! the escape of printed values.

use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, Value};

use crate::compare;
use crate::config::Config;
use crate::markdown::{self, escape_html as escape};
use crate::matrix::Selection;
use crate::page::slugify;
use crate::site::Site;
use crate::table::{self, Mode, TableOptions};

/// HTML-escapes printed strings without minijinja's `/` → `&#x2f;`, so URLs in the output stay
/// readable (and equal to what Jekyll writes); everything else goes the default way.
pub(super) fn readable_escape(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    match value.as_str() {
        Some(text) if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() => {
            out.write_str(&escape(text)).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

pub(super) fn add_filters(env: &mut Environment<'static>, config: &Arc<Config>) {
    let c = Arc::clone(config);
    env.add_filter("relative_url", move |path: &str| c.relative_url(path));
    let c = Arc::clone(config);
    env.add_filter("absolute_url", move |path: &str| c.absolute_url(path));
    env.add_filter("slugify", |text: &str| slugify(text));
    env.add_filter("date", format_date);
    let c = Arc::clone(config);
    env.add_filter(
        "markdown",
        move |text: &str, kwargs: Kwargs| -> Result<Value, Error> {
            let inline: Option<bool> = kwargs.get("inline")?;
            kwargs.assert_all_used()?;
            Ok(Value::from_safe_string(if inline == Some(true) {
                markdown::render_inline(text, &c.base_path)
            } else {
                let options = markdown::Options {
                    base_path: &c.base_path,
                    ..markdown::Options::default()
                };
                markdown::render(text, &options).html
            }))
        },
    );
}

/// `matrix("encryption", only="differences")`: the same table in posts and in templates.
pub(super) fn add_matrix_function(env: &mut Environment<'static>, site: &Site) {
    let matrices = Arc::new(site.matrices.clone());
    let config = Arc::new(site.config.clone());
    env.add_function(
        "matrix",
        move |id: &str, kwargs: Kwargs| -> Result<Value, Error> {
            let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
            let only: Option<String> = kwargs.get("only")?;
            let mode: Option<String> = kwargs.get("mode")?;
            let selection = Selection {
                features: kwargs.get("features")?,
                differences: match only.as_deref() {
                    None => false,
                    Some("differences") => true,
                    Some(other) => {
                        return Err(fail(format!(
                            "unknown `only = \"{other}\"`: the one choice is \"differences\""
                        )));
                    }
                },
                unique: kwargs.get("unique")?,
                providers: kwargs.get("providers")?,
            };
            let mode = match mode.as_deref() {
                None => Mode::Compact,
                Some(text) => Mode::parse(text).ok_or_else(|| {
                    fail(format!(
                        "unknown `mode = \"{text}\"`: use \"compact\" or \"detailed\""
                    ))
                })?,
            };
            let caption: Option<String> = kwargs.get("caption")?;
            kwargs.assert_all_used()?;
            let view = matrices.select(id, &selection).map_err(fail)?;
            let mut anchor = format!("matrix-{id}");
            if selection.differences {
                anchor.push_str("-differences");
            }
            if let Some(unique) = &selection.unique {
                anchor.push_str(&format!("-only-{unique}"));
            }
            // Ids unique per selection, so a page may show a matrix and a subset of it.
            for (label, ids) in [
                ("features", &selection.features),
                ("providers", &selection.providers),
            ] {
                if let Some(ids) = ids {
                    anchor.push_str(&format!("-{label}-{}", ids.join("-")));
                }
            }
            let caption = caption.or_else(|| {
                let shown: Vec<&str> = view
                    .columns
                    .iter()
                    .map(|&c| matrices.providers[c].short.as_str())
                    .collect();
                let title = &view.matrix.title;
                if let Some(unique) = &selection.unique {
                    let short = matrices
                        .providers
                        .iter()
                        .find(|p| &p.id == unique)
                        .map_or(unique.as_str(), |p| p.short.as_str());
                    Some(format!("{title}: only on {short}"))
                } else if selection.differences {
                    Some(format!("{title}: where {} differ", shown.join(" and ")))
                } else {
                    None
                }
            });
            let options = TableOptions {
                mode,
                caption,
                details_url: Some(config.relative_url(&compare::area_path(id))),
                base_path: config.base_path.clone(),
                stale: Some(table::Staleness::of(&config)),
                anchor,
            };
            Ok(Value::from_safe_string(table::render(
                &view, &matrices, &options,
            )))
        },
    );
}

/// `{{ page.date | date("%B %-d, %Y") }}`: strftime on the date strings pages carry.
fn format_date(value: &str, format: Option<&str>) -> Result<String, Error> {
    use jiff::fmt::strtime;
    let format = format.unwrap_or("%Y-%m-%d");
    let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
    let date = crate::page::PostDate::parse(value)
        .ok_or_else(|| fail(format!("`{value}` is not a date the date filter can read")))?;
    let formatted = match date.offset {
        Some(offset) => date
            .civil
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
            .and_then(|zoned| strtime::format(format, &zoned)),
        None => strtime::format(format, date.civil),
    };
    formatted.map_err(|err| fail(format!("cannot format `{value}` with `{format}`: {err}")))
}

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
use crate::strings::Strings;
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

pub(super) fn add_filters(
    env: &mut Environment<'static>,
    config: &Arc<Config>,
    strings: &Arc<Strings>,
    palette: Option<Arc<crate::highlight::Palette>>,
) {
    let c = Arc::clone(config);
    env.add_filter("relative_url", move |path: &str| c.relative_url(path));
    let c = Arc::clone(config);
    env.add_filter("absolute_url", move |path: &str| c.absolute_url(path));
    env.add_filter("slugify", |text: &str| slugify(text));
    let s = Arc::clone(strings);
    env.add_filter("date", move |value: &str, format: Option<&str>| {
        format_date(value, format, &s)
    });
    let s = Arc::clone(strings);
    env.add_function("t", move |key: &str, kwargs: Kwargs| {
        translate(&s, key, kwargs)
    });
    let c = Arc::clone(config);
    env.add_filter(
        "markdown",
        move |text: &str, kwargs: Kwargs| -> Result<Value, Error> {
            let inline: Option<bool> = kwargs.get("inline")?;
            kwargs.assert_all_used()?;
            Ok(Value::from_safe_string(if inline == Some(true) {
                markdown::render_inline(text, &c.base_path, c.code_markup)
            } else {
                let options = markdown::Options {
                    base_path: &c.base_path,
                    palette: palette.as_deref(),
                    code_markup: c.code_markup,
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
    let strings = Arc::new(site.strings.clone());
    env.add_function(
        "matrix",
        move |state: &State, id: &str, kwargs: Kwargs| -> Result<Value, Error> {
            let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
            // Set by a post's embed: the heading right above the table.
            let heading = state
                .lookup("embed_heading")
                .and_then(|h| h.as_str().map(str::to_owned));
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
                let title = view.matrix.title.as_str();
                if let Some(unique) = &selection.unique {
                    let short = matrices
                        .providers
                        .iter()
                        .find(|p| &p.id == unique)
                        .map_or(unique.as_str(), |p| p.short.as_str());
                    let args = [("title", title), ("provider", short)];
                    Some(strings.plain("table.only_on", &args))
                } else if selection.differences {
                    let shown = strings.join(&shown);
                    let args = [("title", title), ("providers", shown.as_str())];
                    Some(strings.plain("table.differences", &args))
                } else {
                    None
                }
            });
            let options = TableOptions {
                mode,
                caption,
                details_url: Some(config.relative_url(&compare::area_path(id))),
                base_path: config.base_path.clone(),
                code_markup: config.code_markup,
                stale: Some(table::Staleness::of(&config)),
                anchor,
                heading,
            };
            Ok(Value::from_safe_string(table::render(
                &view, &matrices, &options, &strings,
            )))
        },
    );
}

/// `{{ t("updated", date=page.updated) }}`: the site's string `key`, its form for `n=` when
/// it is a count, each `{name}` filled with the argument of that name (escaped, unless it is
/// markup already).
fn translate(strings: &Strings, key: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
    if !strings.has(key) {
        let near = strings
            .near(key)
            .map(|n| format!(": did you mean `{n}`?"))
            .unwrap_or_default();
        return Err(fail(format!("unknown string `{key}`{near}")));
    }
    let mut args: Vec<(String, String)> = Vec::new();
    let mut n = None;
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        if name == "n" {
            n = Some(u64::try_from(value.clone()).map_err(|_| {
                fail(format!(
                    "`n` of `{key}` must be a whole number, not `{value}`"
                ))
            })?);
        }
        let html = match value.as_str() {
            Some(text) if value.is_safe() => text.to_owned(),
            Some(text) => escape(text),
            None => escape(&value.to_string()),
        };
        args.push((name.to_owned(), html));
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(Value::from_safe_string(match n {
        Some(n) => strings.count_html(key, n, &args),
        None => strings.html(key, &args),
    }))
}

/// `{{ page.date | date(t("date_format")) }}`: strftime on the date strings pages carry, with
/// `%B` the month's name in the site's language.
fn format_date(value: &str, format: Option<&str>, strings: &Strings) -> Result<String, Error> {
    use jiff::fmt::strtime;
    let format = format.unwrap_or("%Y-%m-%d");
    let fail = |message: String| Error::new(ErrorKind::InvalidOperation, message);
    let date = crate::page::PostDate::parse(value)
        .ok_or_else(|| fail(format!("`{value}` is not a date the date filter can read")))?;
    let format = &strings.date_format(format, date.civil.month());
    let formatted = match date.offset {
        Some(offset) => date
            .civil
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
            .and_then(|zoned| strtime::format(format, &zoned)),
        None => strtime::format(format, date.civil),
    };
    formatted.map_err(|err| fail(format!("cannot format `{value}` with `{format}`: {err}")))
}

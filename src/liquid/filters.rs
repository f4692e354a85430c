//! Liquid's and Jekyll's filters, and how Liquid turns values into numbers and text.

use std::fmt::Write as _;

use serde_json::Value;

pub(super) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number for arithmetic: integers stay integers, so big ones keep every digit.
#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

/// Liquid's `to_number`: what is not a number is 0.
fn as_number(value: Option<&Value>) -> Number {
    let parse = |s: &str| {
        let s = s.trim();
        s.parse()
            .map(Number::Int)
            .or_else(|_| s.parse().map(Number::Float))
            .unwrap_or(Number::Int(0))
    };
    match value {
        Some(Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| Number::Float(n.as_f64().unwrap_or(0.0)), Number::Int),
        Some(Value::String(s)) => parse(s),
        _ => Number::Int(0),
    }
}

/// What is left of the page's budgets when a filter runs.
pub(super) struct Room {
    /// Steps: tags, loop iterations and items made.
    pub(super) steps: usize,
    /// Bytes of text.
    pub(super) text: usize,
}

pub(super) enum FilterError {
    /// A filter Liquid does not know: the input, passed through.
    Unknown(Value),
    /// The filter cannot give a result, as `divided_by: 0`.
    Failed(String),
    /// The result would be more text than the page has room for.
    TooMuchText,
    /// The result would be more items than the page has room for.
    TooManyItems(u128),
}

const BEYOND_INTEGERS: &str =
    "the result is beyond the integers Liquid holds (-9223372036854775808 to 9223372036854775807)";

/// `plus`, `minus`, `times`, `divided_by` and `modulo`, checked: integers as Ruby computes
/// them (division and modulo rounded down) or an error, never a wrapped or rounded number.
fn arithmetic(name: &str, input: &Value, arg: Option<&Value>) -> Result<Value, String> {
    let (a, b) = (as_number(Some(input)), as_number(arg));
    let zero = matches!(b, Number::Int(0)) || matches!(b, Number::Float(f) if f == 0.0);
    if zero && matches!(name, "divided_by" | "modulo") {
        return Err("divided by 0".to_owned());
    }
    if let (Number::Int(a), Number::Int(b)) = (a, b) {
        let result = match name {
            "plus" => a.checked_add(b),
            "minus" => a.checked_sub(b),
            "times" => a.checked_mul(b),
            "divided_by" => a.checked_div(b).map(|q| {
                // Rounded down, not towards zero: -7 / 2 is -4.
                if a % b != 0 && (a < 0) != (b < 0) {
                    q - 1
                } else {
                    q
                }
            }),
            // The sign of the divisor, as Ruby's: -7 % 3 is 2. `i64::MIN % -1` is 0.
            _ => Some(match a.checked_rem(b).unwrap_or(0) {
                r if r != 0 && (r < 0) != (b < 0) => r + b,
                r => r,
            }),
        };
        return result
            .map(Value::from)
            .ok_or_else(|| BEYOND_INTEGERS.to_owned());
    }
    let float = |n: Number| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    };
    let (a, b) = (float(a), float(b));
    let result = match name {
        "plus" => a + b,
        "minus" => a - b,
        "times" => a * b,
        "divided_by" => a / b,
        _ => match a % b {
            r if r != 0.0 && (r < 0.0) != (b < 0.0) => r + b,
            r => r,
        },
    };
    serde_json::Number::from_f64(result)
        .map(Value::Number)
        .ok_or_else(|| "the result is not a finite number".to_owned())
}

/// How Liquid prints a value: nil as nothing, arrays joined without separator.
pub(super) fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(to_text).collect(),
        Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Applies a filter. A filter that could make more than `room` refuses before it does.
pub(super) fn apply_filter(
    name: &str,
    input: Value,
    args: &[Value],
    site: &Value,
    room: &Room,
) -> Result<Value, FilterError> {
    let arg = |i: usize| args.get(i).map(to_text).unwrap_or_default();
    let text = to_text(&input);
    let s = |v: String| Ok(Value::String(v));
    match name {
        "prepend" => s(arg(0) + &text),
        "append" => s(text + &arg(0)),
        "downcase" => s(text.to_lowercase()),
        "upcase" => s(text.to_uppercase()),
        "capitalize" => {
            let mut chars = text.chars();
            s(chars.next().map_or(String::new(), |c| {
                c.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase()
            }))
        }
        "strip" => s(text.trim().to_owned()),
        "lstrip" => s(text.trim_start().to_owned()),
        "rstrip" => s(text.trim_end().to_owned()),
        "escape" | "xml_escape" | "escape_once" => s(crate::text::escape_html(&text)),
        "strip_html" => s(strip_html(&text)),
        "strip_newlines" => s(text.replace(['\r', '\n'], "")),
        "newline_to_br" => s(text.replace('\n', "<br />\n")),
        "url_encode" | "cgi_escape" => s(percent_encoding::utf8_percent_encode(
            &text,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string()
        .replace("%20", "+")),
        "uri_escape" => s(text.replace(' ', "%20")),
        "replace" => {
            let (from, to) = (arg(0), arg(1));
            // `replace: "", "x"` writes `x` between every two characters: measured first.
            let times = text.matches(from.as_str()).count();
            let size =
                (text.len() - times * from.len()).saturating_add(times.saturating_mul(to.len()));
            if size > room.text {
                return Err(FilterError::TooMuchText);
            }
            s(text.replace(&from, &to))
        }
        "replace_first" => s(text.replacen(&arg(0), &arg(1), 1)),
        "remove" => s(text.replace(&arg(0), "")),
        "remove_first" => s(text.replacen(&arg(0), "", 1)),
        "truncate" => {
            let len = args.first().and_then(as_int).unwrap_or(50).max(0) as usize;
            let ellipsis = if args.len() > 1 {
                arg(1)
            } else {
                "...".to_owned()
            };
            if text.chars().count() <= len {
                s(text)
            } else {
                let keep = len.saturating_sub(ellipsis.chars().count());
                s(text.chars().take(keep).collect::<String>() + &ellipsis)
            }
        }
        "truncatewords" => {
            let len = args.first().and_then(as_int).unwrap_or(15).max(1) as usize;
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.len() <= len {
                s(text)
            } else {
                let ellipsis = if args.len() > 1 {
                    arg(1)
                } else {
                    "...".to_owned()
                };
                s(words[..len].join(" ") + &ellipsis)
            }
        }
        "number_of_words" => Ok(Value::from(text.split_whitespace().count())),
        "size" => Ok(match &input {
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            _ => Value::from(text.chars().count()),
        }),
        "first" | "last" => Ok(match input {
            Value::Array(a) => {
                let item = if name == "first" { a.first() } else { a.last() };
                item.cloned().unwrap_or(Value::Null)
            }
            Value::String(t) => {
                let c = if name == "first" {
                    t.chars().next()
                } else {
                    t.chars().last()
                };
                c.map_or(Value::Null, |c| Value::String(c.to_string()))
            }
            _ => Value::Null,
        }),
        "join" => {
            let separator = if args.is_empty() {
                " ".to_owned()
            } else {
                arg(0)
            };
            let Value::Array(items) = &input else {
                return s(text);
            };
            let parts: Vec<String> = items.iter().map(to_text).collect();
            let size = parts.iter().map(String::len).sum::<usize>().saturating_add(
                separator
                    .len()
                    .saturating_mul(parts.len().saturating_sub(1)),
            );
            if size > room.text {
                return Err(FilterError::TooMuchText);
            }
            s(parts.join(&separator))
        }
        "split" => {
            let separator = arg(0);
            let pieces = text.split(separator.as_str()).count();
            if pieces > room.steps {
                return Err(FilterError::TooManyItems(pieces as u128));
            }
            Ok(Value::Array(
                text.split(separator.as_str())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
            ))
        }
        "default" => {
            let empty = match &input {
                Value::Null | Value::Bool(false) => true,
                Value::String(t) => t.is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            Ok(if empty {
                args.first().cloned().unwrap_or(Value::Null)
            } else {
                input
            })
        }
        "plus" | "minus" | "times" | "divided_by" | "modulo" => {
            arithmetic(name, &input, args.first()).map_err(FilterError::Failed)
        }
        "slugify" => s(crate::text::slugify(&text)),
        "relative_url" => s(relative_url(site, &text)),
        "absolute_url" => {
            let base = site.get("url").map(to_text).unwrap_or_default();
            s(base.trim_end_matches('/').to_owned() + &relative_url(site, &text))
        }
        "jsonify" => s(serde_json::to_string(&input).unwrap_or_default()),
        "date"
        | "date_to_string"
        | "date_to_long_string"
        | "date_to_xmlschema"
        | "date_to_rfc822" => {
            let format = match name {
                "date" => arg(0),
                "date_to_string" => "%d %b %Y".to_owned(),
                "date_to_long_string" => "%d %B %Y".to_owned(),
                "date_to_xmlschema" => "%Y-%m-%dT%H:%M:%S%:z".to_owned(),
                _ => "%a, %d %b %Y %H:%M:%S %z".to_owned(),
            };
            s(format_date(&text, &format).unwrap_or(text))
        }
        _ => Err(FilterError::Unknown(input)),
    }
}

/// Jekyll's `relative_url`: the site's `baseurl` before a path, with one `/` between.
fn relative_url(site: &Value, path: &str) -> String {
    if path.contains("://") || path.starts_with("//") {
        return path.to_owned();
    }
    let base = site.get("baseurl").map(to_text).unwrap_or_default();
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let joined = format!("{base}/{path}");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Formats a date written as Jekyll prints one (`2023-08-11 00:00:00 +0000`) or as ISO 8601.
fn format_date(text: &str, format: &str) -> Option<String> {
    let text = text.trim();
    let timestamp = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", text)
        .and_then(|t| t.to_timestamp())
        .or_else(|_| text.parse::<jiff::Timestamp>())
        .ok()
        .or_else(|| {
            let date: jiff::civil::Date = text.get(..10)?.parse().ok()?;
            jiff::tz::TimeZone::UTC
                .to_timestamp(date.at(0, 0, 0, 0))
                .ok()
        })?;
    let mut out = String::new();
    write!(out, "{}", timestamp.strftime(format)).ok()?;
    Some(out)
}

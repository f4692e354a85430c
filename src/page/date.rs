//! A post's date as written: civil date and time, the offset when given, and its forms.

use super::*;

/// A date as written: the civil date and time, with the offset when one was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostDate {
    pub civil: DateTime,
    pub offset: Option<Offset>,
    /// Whether a time of day was written (else the page shows a plain date).
    pub has_time: bool,
}

impl PostDate {
    /// The offset as `+02:00` (`separator` ":") or `+0200` (""); UTC when none was written.
    pub(super) fn offset_text(&self, separator: &str) -> String {
        let seconds = self.offset.unwrap_or(Offset::UTC).seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let (h, m) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
        format!("{sign}{h:02}{separator}{m:02}")
    }

    /// `2023-08-11`, or RFC 3339 `2023-08-11T10:00:00+02:00` when a time was given.
    pub fn to_rfc3339(&self) -> String {
        if !self.has_time {
            return self.civil.date().to_string();
        }
        format!(
            "{}{}",
            self.civil.strftime("%Y-%m-%dT%H:%M:%S"),
            self.offset_text(":")
        )
    }

    /// Seconds since the epoch, for sorting posts newest first.
    pub fn sort_key(&self) -> i64 {
        let offset = self.offset.unwrap_or(Offset::UTC);
        offset.to_timestamp(self.civil).map_or(0, |t| t.as_second())
    }

    /// Parses the forms Jekyll posts use: `2023-08-11`, `2023-08-11 10:00`,
    /// `2023-08-11 10:00:00 +0200`, and RFC 3339.
    pub fn parse(text: &str) -> Option<PostDate> {
        let text = text.trim();
        if let Ok(date) = text.parse::<Date>() {
            return Some(PostDate {
                civil: date.to_datetime(jiff::civil::Time::midnight()),
                offset: None,
                has_time: false,
            });
        }
        let normal = text.replacen('T', " ", 1);
        for format in [
            "%Y-%m-%d %H:%M:%S %z",
            "%Y-%m-%d %H:%M:%S%z",
            "%Y-%m-%d %H:%M:%S %:z",
            "%Y-%m-%d %H:%M:%S%:z",
            "%Y-%m-%d %H:%M %z",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(parsed) = jiff::fmt::strtime::parse(format, &normal)
                && let Ok(civil) = parsed.to_datetime()
            {
                return Some(PostDate {
                    civil,
                    offset: parsed.offset(),
                    has_time: true,
                });
            }
        }
        let utc = normal.strip_suffix('Z')?;
        let civil = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S", utc)
            .ok()?
            .to_datetime()
            .ok()?;
        Some(PostDate {
            civil,
            offset: Some(Offset::UTC),
            has_time: true,
        })
    }
}

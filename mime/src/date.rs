//! The `Date` field: [RFC 5322 §3.3](https://www.rfc-editor.org/rfc/rfc5322#section-3.3) with
//! the obsolete forms of §4.3 (two- and three-digit years, alphabetic zones, comments
//! anywhere).
//!
//! ```
//! use tegami_mime::date::DateTime;
//!
//! let date = DateTime::parse(b"Fri, 15 Feb 2002 16:54:30 -0800").unwrap();
//! assert_eq!(date.to_rfc3339(), "2002-02-15T16:54:30-08:00");
//! let old = DateTime::parse(b"15 Feb 02 16:54 EST (Eastern)").unwrap();
//! assert_eq!(old.to_rfc3339(), "2002-02-15T16:54:00-05:00");
//! assert!(DateTime::parse(b"yesterday").is_none());
//! ```

use core::fmt::Write as _;

/// A date and time with the zone offset as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Four-digit year.
    pub year: u16,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
    /// 0 to 60 (a leap second).
    pub second: u8,
    /// The zone's offset from UTC in minutes (`-0000` and unknown zones read as 0).
    pub offset_minutes: i16,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

impl DateTime {
    /// Parses a `Date` value; `None` when it is not a date.
    pub fn parse(value: &[u8]) -> Option<DateTime> {
        let lossy = String::from_utf8_lossy(value);
        let text = crate::parameters::strip_comments(&lossy);
        let mut words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        // Optional day of week.
        if words
            .first()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        {
            words.remove(0);
        }
        let mut words = words.into_iter();
        let day: u8 = words.next()?.parse().ok()?;
        let month_word = words.next()?.to_ascii_lowercase();
        let month = MONTHS
            .iter()
            .position(|m| month_word.starts_with(m))
            .and_then(|i| u8::try_from(i + 1).ok())?;
        let year_word = words.next()?;
        let year: u16 = year_word.parse().ok()?;
        // §4.3: two-digit years 00-49 are 20xx, 50-99 19xx; three digits add 1900.
        let year = match year_word.len() {
            1 | 2 if year < 50 => year + 2000,
            1 | 2 => year + 1900,
            3 => year + 1900,
            _ => year,
        };
        let time = words.next()?;
        let mut fields = time.split(':');
        let hour: u8 = fields.next()?.parse().ok()?;
        let minute: u8 = fields.next()?.parse().ok()?;
        let second: u8 = match fields.next() {
            Some(s) => s.parse().ok()?,
            None => 0,
        };
        let offset_minutes = zone_offset(words.next().unwrap_or("-0000"))?;
        let valid = (1..=31).contains(&day)
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second <= 60;
        valid.then_some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset_minutes,
        })
    }

    /// RFC 3339 text: `2002-02-15T16:54:30-08:00`.
    pub fn to_rfc3339(&self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.offset_minutes == 0 {
            out.push('Z');
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let offset = self.offset_minutes.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", offset / 60, offset % 60);
        }
        out
    }

    /// The UTC date and time of `seconds` since the Unix epoch (the inverse of
    /// [`DateTime::timestamp`] for offset 0); `None` outside the years 0 to 65535.
    ///
    /// ```
    /// use tegami_mime::date::DateTime;
    ///
    /// let date = DateTime::from_timestamp(1_700_000_000).unwrap();
    /// assert_eq!(date.to_rfc5322(), "Tue, 14 Nov 2023 22:13:20 +0000");
    /// assert_eq!(date.timestamp(), 1_700_000_000);
    /// ```
    pub fn from_timestamp(seconds: i64) -> Option<DateTime> {
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let time = seconds.rem_euclid(86_400);
        Some(DateTime {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(time / 3600).ok()?,
            minute: u8::try_from(time % 3600 / 60).ok()?,
            second: u8::try_from(time % 60).ok()?,
            offset_minutes: 0,
        })
    }

    /// RFC 5322 §3.3 text with the day of the week: `Tue, 14 Nov 2023 22:13:20 +0000`.
    pub fn to_rfc5322(&self) -> String {
        const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        // 1970-01-01 was a Thursday.
        let weekday = usize::try_from(days.rem_euclid(7))
            .ok()
            .and_then(|d| WEEKDAYS.get(d))
            .unwrap_or(&"Thu");
        let month = NAMES
            .get(usize::from(self.month).saturating_sub(1))
            .unwrap_or(&"Jan");
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        format!(
            "{weekday}, {} {month} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            self.day,
            self.year,
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }

    /// Seconds since the Unix epoch.
    pub fn timestamp(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }
}

/// `zone = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone` (§3.3, §4.3).
fn zone_offset(zone: &str) -> Option<i16> {
    if let Some(digits) = zone.strip_prefix(['+', '-']) {
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let hours: i16 = digits.get(..2)?.parse().ok()?;
        let minutes: i16 = digits.get(2..)?.parse().ok()?;
        if minutes > 59 {
            return None;
        }
        let value = hours * 60 + minutes;
        return Some(if zone.starts_with('-') { -value } else { value });
    }
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        // Military zones (their signs were defined backwards) and every other alphabetic zone
        // whose meaning is not known: §4.3 says to read them as -0000.
        z if z.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && z.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            0
        }
        _ => return None,
    };
    Some(hours * 60)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Year, month and day of the proleptic Gregorian date `days` after 1970-01-01 (the inverse of
/// what [`DateTime::timestamp`] computes); public for callers that count whole days.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let cases = [
            (
                "Thu, 13 Feb 1969 23:32:54 -0330",
                "1969-02-13T23:32:54-03:30",
            ),
            ("1 Jan 2026 00:00:00 +0000", "2026-01-01T00:00:00Z"),
            ("Mon, 1 Jan 99 10:00:00 GMT", "1999-01-01T10:00:00Z"),
            ("Mon,1 Jan 126 10:00 PDT", "2026-01-01T10:00:00-07:00"),
            ("29 Feb 2024 12:00:60 +0100", "2024-02-29T12:00:60+01:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                DateTime::parse(text.as_bytes())
                    .map(|d| d.to_rfc3339())
                    .as_deref(),
                Some(expected),
                "{text}"
            );
        }
        for bad in [
            "",
            "30 Feb 2023 00:00 +0000",
            "1 Foo 2020 00:00",
            "1 Jan 2020 25:00",
            "1 Jan 2020 00:00 +99",
        ] {
            assert_eq!(DateTime::parse(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        let date = DateTime::parse(b"Thu, 1 Jan 1970 01:00:00 +0100").unwrap();
        assert_eq!(date.timestamp(), 0);
        let date = DateTime::parse(b"Mon, 23 Nov 2026 12:00:00 +0000").unwrap();
        assert_eq!(date.timestamp(), 1_795_435_200);
    }
}

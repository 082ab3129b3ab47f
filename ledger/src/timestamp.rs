//! UTC timestamps in the two textual forms of `docs/spec/ledger-format.md`.
//!
//! Entries carry `recorded_at` as exactly `YYYY-MM-DDTHH:MM:SS.sssZ`; statements may omit
//! the milliseconds (`YYYY-MM-DDTHH:MM:SSZ`). Both are parsed by hand into milliseconds
//! since the Unix epoch so that there is one spelling per instant and nothing depends on a
//! time zone database. This module never reads a clock.

use std::fmt;

/// Milliseconds in one second.
const MILLIS_PER_SECOND: i64 = 1_000;
/// Milliseconds in one day (UTC has no leap seconds in this format).
const MILLIS_PER_DAY: i64 = 86_400 * MILLIS_PER_SECOND;
/// Length of `YYYY-MM-DDTHH:MM:SSZ`.
const SECONDS_FORM_LEN: usize = 20;
/// Length of `YYYY-MM-DDTHH:MM:SS.sssZ`.
const MILLIS_FORM_LEN: usize = 24;

/// An instant in UTC, to the millisecond, as milliseconds since the Unix epoch.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The text does not have the required `YYYY-MM-DDTHH:MM:SS[.sss]Z` shape.
    #[error("timestamp is not in the form YYYY-MM-DDTHH:MM:SS.sssZ")]
    Malformed,
    /// The shape is right but a field is out of range (month 13, February 30, hour 24...).
    #[error("timestamp names a date or time that does not exist")]
    OutOfRange,
}

impl Timestamp {
    /// Builds a timestamp from milliseconds since the Unix epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Parses the entry form, exactly `YYYY-MM-DDTHH:MM:SS.sssZ`.
    ///
    /// # Errors
    /// [`TimestampError::Malformed`] for any other shape (including the form without
    /// milliseconds), [`TimestampError::OutOfRange`] for a date or time that does not exist.
    pub fn parse_entry(s: &str) -> Result<Self, TimestampError> {
        if s.len() != MILLIS_FORM_LEN {
            return Err(TimestampError::Malformed);
        }
        parse(s.as_bytes())
    }

    /// Parses the statement form: `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`.
    ///
    /// # Errors
    /// As [`Timestamp::parse_entry`].
    pub fn parse_statement(s: &str) -> Result<Self, TimestampError> {
        parse(s.as_bytes())
    }

    /// Writes the entry form `YYYY-MM-DDTHH:MM:SS.sssZ`.
    ///
    /// Years outside 0000..=9999 cannot be written in four digits; they are written with
    /// as many digits (and sign) as they need, which the parsers then refuse. The ledger
    /// never produces such instants, since its clock is in the present.
    pub fn to_entry_string(self) -> String {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let ms_of_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let hour = ms_of_day / (3_600 * MILLIS_PER_SECOND);
        let minute = ms_of_day / (60 * MILLIS_PER_SECOND) % 60;
        let second = ms_of_day / MILLIS_PER_SECOND % 60;
        let milli = ms_of_day % MILLIS_PER_SECOND;
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
    }

    /// This instant moved by `ms` milliseconds (saturating at the ends of the range).
    pub fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_entry_string())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_entry_string())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_statement(&s).map_err(serde::de::Error::custom)
    }
}

/// Parses either form; the caller has already checked the length where it matters.
fn parse(b: &[u8]) -> Result<Timestamp, TimestampError> {
    let millis = match b.len() {
        SECONDS_FORM_LEN => None,
        MILLIS_FORM_LEN => Some(()),
        _ => return Err(TimestampError::Malformed),
    };
    // Fixed separators of YYYY-MM-DDTHH:MM:SS
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return Err(TimestampError::Malformed);
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let milli = match millis {
        None => {
            if b[19] != b'Z' {
                return Err(TimestampError::Malformed);
            }
            0
        }
        Some(()) => {
            if b[19] != b'.' || b[23] != b'Z' {
                return Err(TimestampError::Malformed);
            }
            digits(&b[20..23])?
        }
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(TimestampError::OutOfRange);
    }
    let days = days_from_civil(year, month, day);
    let ms =
        days * MILLIS_PER_DAY + ((hour * 60 + minute) * 60 + second) * MILLIS_PER_SECOND + milli;
    Ok(Timestamp(ms))
}

/// Reads ASCII decimal digits (at most four, so the value always fits).
fn digits(b: &[u8]) -> Result<i64, TimestampError> {
    b.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err(TimestampError::Malformed)
        }
    })
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`] (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        assert_eq!(
            Timestamp::parse_entry("1970-01-01T00:00:00.000Z"),
            Ok(Timestamp(0))
        );
        // 2000-02-29 is a leap day (divisible by 400); 951782400 is its Unix time.
        assert_eq!(
            Timestamp::parse_entry("2000-02-29T00:00:00.001Z"),
            Ok(Timestamp(951_782_400_001))
        );
        // The statement example of docs/spec/ledger-format.md (section 3): 1768469398 is
        // 2026-01-15T09:29:58Z.
        assert_eq!(
            Timestamp::parse_statement("2026-01-15T09:29:58Z"),
            Ok(Timestamp(1_768_469_398_000))
        );
        assert_eq!(
            Timestamp(1_768_469_398_000).to_entry_string(),
            "2026-01-15T09:29:58.000Z"
        );
        assert_eq!(Timestamp(-1).to_entry_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn refuses_other_shapes_and_impossible_dates() {
        for s in [
            "2026-01-15T09:29:58Z",   // entries require milliseconds
            "2026-01-15T09:29:58.0Z", // short fraction
            "2026-01-15 09:29:58.000Z",
            "2026-01-15T09:29:58.000+00:00",
            "2026-01-15T09:29:58.000z",
            "+026-01-15T09:29:58.000Z",
            "2026-1-15T09:29:58.0000Z",
            "",
            "２026-01-15T09:29:58.000Z",
        ] {
            assert_eq!(
                Timestamp::parse_entry(s),
                Err(TimestampError::Malformed),
                "{s}"
            );
        }
        for s in [
            "2026-13-01T00:00:00.000Z",
            "2026-00-01T00:00:00.000Z",
            "2025-02-29T00:00:00.000Z",
            "1900-02-29T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-01-01T24:00:00.000Z",
            "2026-01-01T00:60:00.000Z",
            "2026-01-01T00:00:60.000Z",
        ] {
            assert_eq!(
                Timestamp::parse_entry(s),
                Err(TimestampError::OutOfRange),
                "{s}"
            );
        }
        assert_eq!(
            Timestamp::parse_statement("2026-01-15T09:29:58.5Z"),
            Err(TimestampError::Malformed)
        );
    }

    #[test]
    fn serde_uses_the_entry_form_and_accepts_the_statement_form() {
        let t: Timestamp = serde_json::from_str("\"2026-01-15T09:29:58Z\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-01-15T09:29:58.000Z\""
        );
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    proptest! {
        #[test]
        fn entry_string_round_trips(ms in -62_167_219_200_000i64..253_402_300_800_000i64) {
            // The range is 0000-01-01 to 9999-12-31T23:59:59.999, all writable in four digits.
            let t = Timestamp(ms);
            prop_assert_eq!(Timestamp::parse_entry(&t.to_entry_string()), Ok(t));
        }

        #[test]
        fn parsers_never_panic(s in ".{0,30}") {
            let _ = Timestamp::parse_entry(&s);
            let _ = Timestamp::parse_statement(&s);
        }

        #[test]
        fn formatting_never_panics(ms in any::<i64>()) {
            let _ = Timestamp(ms).to_entry_string();
        }
    }
}

//! Morocco's civil calendar, for the rules that speak of dates: the first quarter of a
//! fiscal year ends at midnight on 1 April in Africa/Casablanca (whose offset moves around
//! Ramadan, so a fixed UTC+1 would be wrong some years), and an association's age counts
//! in whole years of local dates.
//!
//! Pure: the time-zone database is compiled into the binary (jiff's bundled tzdb), so no
//! file is read.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp as Instant;
use ledger::Timestamp;

/// The zone every date rule is judged in.
pub const ZONE: &str = "Africa/Casablanca";

fn zone() -> TimeZone {
    // The bundled database always holds this zone; the fixed offset is Morocco's legal
    // time, the only sane fallback should a build ever lack the database.
    TimeZone::get(ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)))
}

/// Parses a date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// The local date in Morocco at an instant.
pub fn local_date(t: Timestamp) -> Date {
    Instant::from_millisecond(t.millis())
        .map(|i| i.to_zoned_datetime(zone()).date())
        .unwrap_or(Date::MIN)
}

/// The instant a local date begins in Morocco.
pub fn start_of_day(date: Date) -> Timestamp {
    let millis = date
        .to_zoned_datetime(zone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(i64::MAX);
    Timestamp::from_millis(millis)
}

/// The instant the first quarter of `fiscal_year` ends: 1 April, 00:00, Morocco time.
/// An offer recorded at or after it was not published in the first quarter.
pub fn q1_deadline(fiscal_year: i16) -> Timestamp {
    match Date::new(fiscal_year, 4, 1) {
        Ok(date) => start_of_day(date),
        Err(_) => Timestamp::from_millis(i64::MAX),
    }
}

/// The date `years` whole years after `date` (29 February rolls to 28 February).
pub fn years_after(date: Date, years: u32) -> Date {
    let years = i16::try_from(years).unwrap_or(i16::MAX);
    date.checked_add(jiff::Span::new().years(years))
        .unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Timestamp {
        Timestamp::parse_statement(s).unwrap()
    }

    #[test]
    fn q1_ends_at_local_midnight_whatever_the_offset() {
        // 2026: Ramadan ended in March, Morocco is back on UTC+1 on 1 April.
        assert_eq!(q1_deadline(2026), utc("2026-03-31T23:00:00Z"));
        // 2024: Ramadan ran until 9 April, Morocco was on UTC+0 on 1 April.
        assert_eq!(q1_deadline(2024), utc("2024-04-01T00:00:00Z"));
    }

    #[test]
    fn local_dates_follow_morocco() {
        let date = local_date(utc("2026-03-31T23:30:00Z"));
        assert_eq!(date, Date::new(2026, 4, 1).unwrap());
        assert_eq!(
            parse_date("2020-02-29"),
            Some(Date::new(2020, 2, 29).unwrap())
        );
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("2021-2-1"), None);
        assert_eq!(
            years_after(Date::new(2020, 2, 29).unwrap(), 1),
            Date::new(2021, 2, 28).unwrap()
        );
    }
}

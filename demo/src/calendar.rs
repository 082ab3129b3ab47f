//! The demo's calendar: days as plain numbers, the instants of the story, and the time
//! frame derived from the real present (which fiscal years the story covers, when it
//! starts, where it must stop).
//!
//! The story is written in days and office hours (UTC) so that it reads like a year of a
//! ministry; the frame is the only part that depends on the real present, so the same day
//! always gives the same story.

use ledger::Timestamp;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// A calendar day (UTC), as days since 1970-01-01.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day of this civil date. Out-of-range months or days roll over (31 February is
    /// 3 March), which is what a story that adds "so many days" wants anyway.
    pub fn ymd(year: i64, month: i64, day: i64) -> Self {
        Day(days_from_civil(year, month, 1) + day - 1)
    }

    /// The day an instant falls on.
    pub fn of(t: Timestamp) -> Self {
        Day(t.millis().div_euclid(MILLIS_PER_DAY))
    }

    pub fn plus(self, days: i64) -> Self {
        Day(self.0 + days)
    }

    /// Days from `other` to `self`.
    pub fn since(self, other: Day) -> i64 {
        self.0 - other.0
    }

    /// This day at `hour:minute` UTC.
    pub fn at(self, hour: i64, minute: i64) -> Timestamp {
        Timestamp::from_millis(self.0 * MILLIS_PER_DAY + (hour * 60 + minute) * 60_000)
    }

    pub fn year(self) -> i64 {
        civil_from_days(self.0).0
    }

    /// `YYYY-MM-DD`, as association registration dates are written.
    pub fn iso(self) -> String {
        let (y, m, d) = civil_from_days(self.0);
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The same month and day `years` later (29 February becomes 1 March).
    pub fn plus_years(self, years: i64) -> Self {
        let (y, m, d) = civil_from_days(self.0);
        Day::ymd(y + years, m, d)
    }
}

/// An instant as bodies write it: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn instant(t: Timestamp) -> String {
    let full = t.to_entry_string();
    // The story's instants fall on whole seconds: drop the `.000` for readability.
    match full.strip_suffix(".000Z") {
        Some(seconds) => format!("{seconds}Z"),
        None => full,
    }
}

/// Howard Hinnant's `days_from_civil`: proleptic Gregorian, valid far beyond any story.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Months outside 1..=12 move the year, so the algorithm below sees a normal month.
    let year = year + (month - 1).div_euclid(12);
    let month = (month - 1).rem_euclid(12) + 1;
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// When the story happens, decided from the real present.
#[derive(Clone, Debug)]
pub struct Frame {
    pub today: Day,
    /// The fiscal years whose calls the story runs, oldest first; the last is the
    /// current year, cut at the present.
    pub fiscal_years: Vec<i64>,
    /// The genesis entry's instant: the story's first moment.
    pub start: Timestamp,
    /// Nothing of the story is recorded at or after this instant, so that the live server,
    /// back on the real clock, continues a log whose last entry lies in its past.
    pub cutoff: Timestamp,
}

/// From 1 July a year's first-quarter calls have been decided and paid, so the story can
/// begin a year later and still show two complete fiscal years.
const MID_YEAR_MONTH: i64 = 7;

impl Frame {
    pub fn new(now: Timestamp) -> Self {
        let today = Day::of(now);
        let year = today.year();
        let first = if today >= Day::ymd(year, MID_YEAR_MONTH, 1) {
            year - 1
        } else {
            year - 2
        };
        Self {
            today,
            fiscal_years: (first..=year).collect(),
            start: Day::ymd(first, 1, 5).at(8, 0),
            // An hour of margin: recording takes a while, and the real clock must have
            // passed the story's end by the time it takes over.
            cutoff: now.plus_millis(-3_600_000),
        }
    }

    /// The first day of the story.
    pub fn first_day(&self) -> Day {
        Day::of(self.start)
    }

    /// Whether an offer for `fiscal_year` published on `day` is late: published after the
    /// first quarter. Q1 ends at midnight in Casablanca (UTC+1, or UTC in Ramadan), so a
    /// publication on 31 March before 23:00 UTC is always on time, and one from 1 April on
    /// is always late; the story publishes only in office hours.
    pub fn is_late(fiscal_year: i64, day: Day) -> bool {
        day > Day::ymd(fiscal_year, 3, 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_civil_dates() {
        assert_eq!(Day::ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::ymd(2024, 2, 29).iso(), "2024-02-29");
        assert_eq!(Day::ymd(2025, 2, 29).iso(), "2025-03-01");
        assert_eq!(Day::ymd(2025, 13, 1).iso(), "2026-01-01");
        assert_eq!(Day::ymd(2024, 2, 29).plus_years(1).iso(), "2025-03-01");
        assert_eq!(
            instant(Day::ymd(2026, 3, 15).at(9, 30)),
            "2026-03-15T09:30:00Z"
        );
        let t = Timestamp::parse_entry("2026-11-26T16:49:51.123Z").unwrap();
        assert_eq!(Day::of(t).iso(), "2026-11-26");
        assert_eq!(Day::of(t).year(), 2026);
    }

    #[test]
    fn the_frame_shows_two_complete_fiscal_years() {
        let late = Frame::new(Day::ymd(2026, 11, 26).at(16, 0));
        assert_eq!(late.fiscal_years, vec![2025, 2026]);
        assert_eq!(instant(late.start), "2025-01-05T08:00:00Z");
        let early = Frame::new(Day::ymd(2026, 2, 10).at(16, 0));
        assert_eq!(early.fiscal_years, vec![2024, 2025, 2026]);
        assert!(early.cutoff < Day::ymd(2026, 2, 10).at(16, 0));
        assert!(Frame::is_late(2026, Day::ymd(2026, 4, 1)));
        assert!(!Frame::is_late(2026, Day::ymd(2026, 3, 31)));
    }
}

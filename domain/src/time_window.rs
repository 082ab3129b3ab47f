//! How a decision that depends on time is bound to the entry's `recorded_at`.
//!
//! An aggregate decides with the clock it is given, but the entry's `recorded_at` is only
//! fixed later, under the lock that orders appends (`docs/spec/ledger-format.md`, section 2.2).
//! So a time-dependent decision also states the window of `recorded_at` values for which it
//! holds, and the append path refuses to record it outside that window (the command is then run
//! again and decided afresh). A comment recorded after a consultation's close therefore cannot
//! exist. A decision states its window through the clock it read the time from
//! ([`crate::Clock::hold_within`]).

use ledger::Timestamp;

/// A half-open interval `[not_before, before)` of `recorded_at` values; `None` is unbounded.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeWindow {
    pub not_before: Option<Timestamp>,
    pub before: Option<Timestamp>,
}

impl TimeWindow {
    /// The window of a decision that does not depend on time.
    pub const ALWAYS: Self = Self {
        not_before: None,
        before: None,
    };

    pub fn contains(&self, t: Timestamp) -> bool {
        self.not_before.is_none_or(|nb| t >= nb) && self.before.is_none_or(|b| t < b)
    }

    /// The intersection: a command that relied on two time rules needs both to hold.
    pub fn and(self, other: Self) -> Self {
        let not_before = match (self.not_before, other.not_before) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let before = match (self.before, other.before) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Self { not_before, before }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn a_window_is_half_open_and_intersects() {
        let w = TimeWindow {
            not_before: Some(t(10)),
            before: Some(t(20)),
        };
        assert!(!w.contains(t(9)) && w.contains(t(10)) && w.contains(t(19)) && !w.contains(t(20)));
        assert!(TimeWindow::ALWAYS.contains(t(i64::MIN)));
        let both = w.and(TimeWindow {
            not_before: Some(t(15)),
            before: None,
        });
        assert_eq!(
            both,
            TimeWindow {
                not_before: Some(t(15)),
                before: Some(t(20))
            }
        );
    }
}

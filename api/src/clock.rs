//! The system clock, the one place the server reads the time.

use std::time::{SystemTime, UNIX_EPOCH};

use domain::Clock;
use ledger::Timestamp;

/// Reads the machine's UTC clock in milliseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

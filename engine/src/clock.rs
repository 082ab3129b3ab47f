//! The ledger's clocks, the one place the server reads the time: the system clock, and the
//! clock the server actually runs on, which `sijill serve --demo` can hold at scripted
//! instants while it records its story in the past (docs/demo.md).

use std::sync::atomic::{AtomicI64, Ordering};
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

/// Marks "no scripted instant": the system clock answers.
const UNSET: i64 = i64::MIN;

/// The system clock, unless a scripted instant is set.
///
/// The domain and the sequencer read the time only through [`Clock`], so holding this
/// clock at an instant makes every decision and every `recorded_at` happen then. The demo
/// sets it step by step, only forwards, while nothing else is served, and releases it
/// before the server accepts requests; a server started without `--demo` never sets it.
#[derive(Debug)]
pub struct ScriptableClock {
    scripted: AtomicI64,
}

impl Default for ScriptableClock {
    fn default() -> Self {
        Self {
            scripted: AtomicI64::new(UNSET),
        }
    }
}

impl ScriptableClock {
    /// From now on the clock reads `at`, until set again or released.
    pub fn set(&self, at: Timestamp) {
        // i64::MIN is the marker; the instant before it is as good for any real use.
        self.scripted
            .store(at.millis().max(UNSET + 1), Ordering::SeqCst);
    }

    /// Back to the system clock.
    pub fn release(&self) {
        self.scripted.store(UNSET, Ordering::SeqCst);
    }

    /// Whether a scripted instant is in force.
    pub fn is_scripted(&self) -> bool {
        self.scripted.load(Ordering::SeqCst) != UNSET
    }
}

impl Clock for ScriptableClock {
    fn now(&self) -> Timestamp {
        match self.scripted.load(Ordering::SeqCst) {
            UNSET => SystemClock.now(),
            at => Timestamp::from_millis(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripted_instant_holds_until_released() {
        let clock = ScriptableClock::default();
        assert!(!clock.is_scripted());
        let at = Timestamp::from_millis(1_700_000_000_000);
        clock.set(at);
        assert_eq!(clock.now(), at);
        assert_eq!(clock.now(), at, "a scripted clock does not move by itself");
        clock.release();
        assert!(!clock.is_scripted());
        assert!(
            clock.now() > at,
            "released, it reads the system clock again"
        );
    }
}

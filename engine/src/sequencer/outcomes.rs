//! What became of this process's recent append requests, by request id, as the sequencer
//! settled them: the memory a speculative aggregate is checked against.
//!
//! A command on a busy stream is decided on the state its stream will have once the
//! requests still in the sequencer's queue are committed (`crate::aggregate_cache`).
//! Before such a state is used again, each request it includes is looked up here: one that
//! failed means the state is not the log's and is thrown away. The sequencer records an
//! outcome before it answers the request, so a command that learns of a failure from its
//! answer finds it here too, and an answer that nobody awaits (a client that went away)
//! is still recorded.
//!
//! Memory is bounded: past [`CAPACITY`] outcomes the oldest are forgotten, and a request
//! older than every outcome kept counts as failed, which only costs a fresh load.

use std::collections::{HashMap, VecDeque};

use ledger::Hash;

/// Outcomes kept: many times what can be in flight (the queue holds 1,024 requests), since
/// an outcome is needed only until the next command on its stream looks it up, and a
/// forgotten one costs a fresh load, never a wrong decision.
const CAPACITY: usize = 16_384;

/// How a request was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Committed; its last entry has this sequence number and hash.
    Committed { seq: u64, hash: Hash },
    /// Refused, run again, or lost with its batch: nothing of it is in the log.
    Failed,
}

/// What is known of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    Settled(Settled),
    /// Not settled yet.
    Pending,
}

/// Outcomes of recent requests.
#[derive(Debug, Default)]
pub struct Outcomes {
    settled: HashMap<u64, Settled>,
    order: VecDeque<u64>,
    /// Requests below this id whose outcome is not kept were forgotten.
    forgotten_below: u64,
}

impl Outcomes {
    pub fn record(&mut self, id: u64, settled: Settled) {
        if self.settled.insert(id, settled).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.settled.remove(&old);
                self.forgotten_below = self.forgotten_below.max(old + 1);
            }
        }
    }

    /// What is known of request `id`, of the ids `next_id` has handed out so far.
    pub fn get(&self, id: u64) -> Known {
        match self.settled.get(&id) {
            Some(s) => Known::Settled(*s),
            // Forgotten: whatever became of it, a state resting on it is not trusted.
            None if id < self.forgotten_below => Known::Settled(Settled::Failed),
            None => Known::Pending,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.settled.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_pending_until_settled_and_forgotten_ones_count_as_failed() {
        let mut outcomes = Outcomes::default();
        assert_eq!(outcomes.get(1), Known::Pending);
        let committed = Settled::Committed {
            seq: 3,
            hash: [7; 32],
        };
        outcomes.record(1, committed);
        outcomes.record(2, Settled::Failed);
        assert_eq!(outcomes.get(1), Known::Settled(committed));
        assert_eq!(outcomes.get(2), Known::Settled(Settled::Failed));
        for id in 3..(3 + CAPACITY as u64) {
            outcomes.record(id, Settled::Failed);
        }
        assert!(outcomes.len() <= CAPACITY);
        // Request 1 was forgotten: a state resting on it must not be trusted.
        assert_eq!(outcomes.get(1), Known::Settled(Settled::Failed));
        // A request not yet settled, newer than everything forgotten, is still pending.
        assert_eq!(outcomes.get(10 * CAPACITY as u64), Known::Pending);
    }
}

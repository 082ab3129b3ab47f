//! Commands on one stream take turns inside a process.
//!
//! Two commands on the same stream decided at once both claim the same next `seq`; the
//! sequencer lets one through and the other runs again (cqrs-es's optimistic concurrency).
//! Under a crowd (many citizens commenting on one consultation), each round admits one
//! command and wastes the others' work, and the unlucky ones use up their attempts and get
//! a 503. Letting the commands of one stream wait their turn here instead, first come
//! first served, makes every round count; commands on other streams never wait, and
//! conflicts with other processes are still settled by running again.
//!
//! A turn covers deciding a command and queueing its events, not their commit: the next
//! command is decided on the state the queued one leaves (`crate::aggregate_cache`), so
//! a crowd on one stream fills a batch instead of taking one batch each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{Mutex as TurnLock, OwnedMutexGuard};

/// Streams with a turn lock alive are kept in a map; dead entries are swept once it
/// passes this size, so it stays bounded by the number of streams busy at once.
const SWEEP_ABOVE: usize = 1024;

#[derive(Debug, Default)]
pub struct StreamTurns {
    locks: Mutex<HashMap<String, Weak<TurnLock<()>>>>,
}

impl StreamTurns {
    /// Waits for `stream`'s turn; the turn passes on when the guard is dropped.
    pub async fn wait(&self, stream: String) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            if locks.len() > SWEEP_ABOVE {
                locks.retain(|_, weak| weak.strong_count() > 0);
            }
            match locks.get(&stream).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(TurnLock::new(()));
                    locks.insert(stream, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_stream_takes_turns_and_others_do_not_wait() {
        let turns = Arc::new(StreamTurns::default());
        let first = turns.wait("consultation/C1".into()).await;
        // Another stream goes at once.
        let other =
            tokio::time::timeout(Duration::from_millis(100), turns.wait("offer/O1".into())).await;
        assert!(other.is_ok(), "another stream must not wait");
        // The same stream waits until the first turn ends.
        let waiting = {
            let turns = turns.clone();
            tokio::spawn(async move { turns.wait("consultation/C1".into()).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the same stream waits its turn");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(1), waiting).await;
        assert!(second.is_ok(), "the turn passes on when the first ends");
    }

    #[tokio::test]
    async fn the_map_forgets_streams_nobody_waits_for() {
        let turns = StreamTurns::default();
        for i in 0..(SWEEP_ABOVE + 10) {
            drop(turns.wait(format!("consultation/C{i}")).await);
        }
        drop(turns.wait("consultation/last".into()).await);
        assert!(turns.locks.lock().unwrap().len() <= SWEEP_ABOVE + 1);
    }
}

//! Aggregates as last loaded or decided, kept between commands so that a command on a
//! long stream reads and decodes only the entries appended since, not the whole stream
//! again, and a command on a busy stream need not wait for the one before it to commit.
//!
//! *Invariant*: a cached aggregate is either
//! - *committed*: the state its stream's entries `1..=seq` build, as read from the store.
//!   The next load reads the entries after `seq` from the store (the source of truth,
//!   whatever other processes appended) and checks that the first of them follows the
//!   cached hash, so a stale entry costs one catch-up, never a wrong decision; or
//! - *speculative*: that state with the events of this process's requests still in the
//!   sequencer's queue applied, in queue order, and the ids of those requests. A command
//!   decided on it names the last of them (`AppendRequest::after`) and the sequencer
//!   accepts it only right after that request's entries, so a decision on a state the log
//!   never holds (a request refused or lost) is never appended: it fails and is decided
//!   again on a fresh load. Before a speculative state is used, the requests it rests on
//!   are looked up among the sequencer's outcomes: committed ones make it committed again,
//!   a failed one throws it away, and a refusal decided on it is the log's answer only
//!   once they are all committed (if one failed, the command is decided again).
//!
//! The sequencer still checks every loaded head under the lock.
//!
//! Commands on one stream take turns in a process (`stream_turns`), so a command takes its
//! stream's aggregate out of the cache and puts it back when done; nothing is cloned.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::sequencer::SequencerHandle;

/// What the cache keeps: a loaded aggregate, which can also say what its snapshot is.
pub trait Cached: Send + 'static {
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
    /// Its snapshot, when it is a committed state (its requests all committed by
    /// `sequencer`) at least `every` entries past the last snapshot of its stream: what a
    /// stopping process writes.
    fn due_snapshot(&self, every: u64, sequencer: &SequencerHandle) -> Option<SnapshotWrite>;
}

/// A snapshot to write: of stream `kind`/`id`.
#[derive(Debug)]
pub struct SnapshotWrite {
    pub kind: &'static str,
    pub id: String,
    pub snapshot: store::Snapshot,
}

#[cfg(doc)]
use crate::event_store::Loaded;

/// Most aggregates kept; past it, some are dropped (and loaded in full when next used),
/// so memory stays bounded whatever the number of streams.
const CAPACITY: usize = 4096;

/// Loaded aggregates of every type, by stream name (`<type>/<id>`).
#[derive(Default)]
pub struct AggregateCache {
    loaded: Mutex<HashMap<String, Box<dyn Cached>>>,
}

impl AggregateCache {
    /// Takes the aggregate of `stream` out of the cache, if it holds one of type `T` (a
    /// [`Loaded`] aggregate).
    pub fn take<T: Send + 'static>(&self, stream: &str) -> Option<T> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let cached = loaded.remove(stream)?;
        cached.into_any().downcast::<T>().ok().map(|b| *b)
    }

    /// Puts back the aggregate of `stream` as loaded.
    pub fn put<T: Cached>(&self, stream: String, aggregate: T) {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.len() >= CAPACITY {
            // Dropping an arbitrary eighth keeps this O(1) amortized without an LRU list.
            let drop: Vec<String> = loaded.keys().take(CAPACITY / 8).cloned().collect();
            for key in drop {
                loaded.remove(&key);
            }
        }
        loaded.insert(stream, Box::new(aggregate));
    }

    /// The snapshots of the kept aggregates that are due (see [`Cached::due_snapshot`]).
    pub fn due_snapshots(&self, every: u64, sequencer: &SequencerHandle) -> Vec<SnapshotWrite> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded
            .values()
            .filter_map(|cached| cached.due_snapshot(every, sequencer))
            .collect()
    }

    /// How many aggregates are kept.
    pub fn len(&self) -> usize {
        self.loaded.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain values stand for aggregates here; they have no snapshot.
    macro_rules! cached_without_snapshot {
        ($($t:ty),*) => {$(
            impl Cached for $t {
                fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
                    self
                }
                fn due_snapshot(&self, _: u64, _: &SequencerHandle) -> Option<SnapshotWrite> {
                    None
                }
            }
        )*};
    }
    cached_without_snapshot!(u32, usize);

    #[test]
    fn an_aggregate_is_taken_once_and_only_as_its_own_type() {
        let cache = AggregateCache::default();
        cache.put("offer/O1".into(), 7_u32);
        assert_eq!(
            cache.take::<u64>("offer/O1"),
            None,
            "another type is not this one"
        );
        // A type mismatch drops the entry: the next load reads the stream in full.
        assert_eq!(cache.take::<u32>("offer/O1"), None);
        cache.put("offer/O1".into(), 7_u32);
        assert_eq!(cache.take::<u32>("offer/O2"), None);
        assert_eq!(cache.take::<u32>("offer/O1"), Some(7));
        assert_eq!(
            cache.take::<u32>("offer/O1"),
            None,
            "taken: not there for another"
        );
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = AggregateCache::default();
        for i in 0..3 * CAPACITY {
            cache.put(format!("offer/O{i}"), i);
            assert!(cache.len() <= CAPACITY);
        }
        let last = 3 * CAPACITY - 1;
        assert_eq!(cache.take::<usize>(&format!("offer/O{last}")), Some(last));
    }
}

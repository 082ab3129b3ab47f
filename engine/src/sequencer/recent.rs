//! What the sequencer remembers of recent appends: stream heads, changed guard keys and
//! nonces, so that the checks under the lock need no database round trip.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU64;

use domain::guards;
use ledger::{Entry, Hash};

/// How many recent stream heads and nonces the sequencer remembers: about a minute of
/// appends at the measured rates, far more than a command takes from its check to its
/// batch. It is most of the server's memory; a command checked before what it remembers
/// is simply run again.
const RECENT_CAPACITY: usize = 100_000;

/// The stream heads and nonces of every entry with index >= `floor` that this process has
/// seen (its own commits and what it read back from others).
///
/// A command checked against the database at tree size `checked_at >= floor` is stale
/// exactly when this memory shows an append after its check, which saves a database round
/// trip under the lock. Memory is bounded: forgetting the oldest raises `floor`, and a
/// command checked before the floor is simply run again.
pub(crate) struct RecentAppends {
    floor: u64,
    streams: HashMap<String, StreamHead>,
    /// Derived guard key → index of the last entry that changed it.
    guards: HashMap<String, u64>,
    nonces: HashMap<(String, String), (Hash, Option<String>, u64)>,
    order: VecDeque<(u64, RecentKey)>,
}

/// A stream's last entry as this process saw it committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StreamHead {
    pub seq: u64,
    pub hash: Hash,
    pub index: u64,
    /// The id of this process's append request that wrote it (ids start at 1); `None`
    /// for entries read back from other processes. Non-zero, so the option costs nothing
    /// in a memory of many heads.
    pub writer: Option<NonZeroU64>,
}

enum RecentKey {
    Stream(String),
    Guard(String),
    Nonce(String, String),
}

impl RecentAppends {
    pub(crate) fn new(floor: u64) -> Self {
        Self {
            floor,
            streams: HashMap::new(),
            guards: HashMap::new(),
            nonces: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Entries below this index may have been forgotten: a check made before it cannot be
    /// completed from memory.
    pub(crate) fn floor(&self) -> u64 {
        self.floor
    }

    pub(crate) fn stream(&self, stream: &str) -> Option<StreamHead> {
        self.streams.get(stream).copied()
    }

    pub(crate) fn nonce(&self, actor: &str, nonce: &str) -> Option<(Hash, Option<String>)> {
        self.nonces
            .get(&(actor.to_owned(), nonce.to_owned()))
            .map(|(h, r, _)| (*h, r.clone()))
    }

    pub(crate) fn record_stream(&mut self, stream: &str, head: StreamHead) {
        let index = head.index;
        self.streams.insert(stream.to_owned(), head);
        self.order
            .push_back((index, RecentKey::Stream(stream.to_owned())));
        self.evict();
    }

    /// Whether an entry with index >= `since` changed `key` (a stream name or a derived
    /// guard key). Only meaningful for `since >= floor`.
    pub(crate) fn touched_since(&self, key: &str, since: u64) -> bool {
        self.streams.get(key).is_some_and(|h| h.index >= since)
            || self.guards.get(key).is_some_and(|i| *i >= since)
    }

    pub(crate) fn record_guards(&mut self, entry: &Entry) {
        for key in guards::touches(&entry.event_type, &entry.data) {
            self.guards.insert(key.clone(), entry.index);
            self.order.push_back((entry.index, RecentKey::Guard(key)));
        }
        self.evict();
    }

    pub(crate) fn record_nonce(
        &mut self,
        actor: &str,
        nonce: &str,
        hash: Hash,
        response: Option<String>,
        index: u64,
    ) {
        let key = (actor.to_owned(), nonce.to_owned());
        self.nonces.insert(key, (hash, response, index));
        self.order
            .push_back((index, RecentKey::Nonce(actor.to_owned(), nonce.to_owned())));
        self.evict();
    }

    fn evict(&mut self) {
        while self.order.len() > RECENT_CAPACITY {
            let Some((index, key)) = self.order.pop_front() else {
                break;
            };
            match key {
                RecentKey::Stream(s) => {
                    if self.streams.get(&s).is_some_and(|h| h.index == index) {
                        self.streams.remove(&s);
                    }
                }
                RecentKey::Guard(g) => {
                    if self.guards.get(&g).is_some_and(|i| *i == index) {
                        self.guards.remove(&g);
                    }
                }
                RecentKey::Nonce(a, n) => {
                    let k = (a, n);
                    if self.nonces.get(&k).is_some_and(|(_, _, i)| *i == index) {
                        self.nonces.remove(&k);
                    }
                }
            }
            self.floor = self.floor.max(index + 1);
        }
    }
}

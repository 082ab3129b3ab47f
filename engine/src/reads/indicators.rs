//! `GET /v1/indicators?year=Y&size=N`: the commitment's indicators computed from the first
//! N entries of the log (default: all), for fiscal year Y (default: the year of the last
//! entry read).
//!
//! The head fold is kept between requests and only ever extended with new entries, so a
//! request reads only what was appended since the last one, and no request can make another
//! one read the log again. A request for an older size never touches the head: it starts
//! from the nearest in-memory snapshot of the fold at or below that size (taken as the head
//! passes every K entries; a bounded number of them, K doubling when there would be more)
//! and folds forward on its own copy, outside the head's lock, with a bound on how many
//! such computations run at once (beyond it, 503 `busy`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ledger::SignedEntry;
use projections::indicators::{IndicatorFold, Indicators};

use super::params::optional_param;
use crate::refusal::{Kind, Refusal};
use crate::service::Service;
use store::Db;

/// Snapshots of the head fold kept at most; when a new one would pass this, every other one
/// goes and the interval doubles, so an old size is at most one interval from a snapshot.
const MAX_SNAPSHOTS: usize = 32;
/// The first interval between snapshots, in entries.
const FIRST_INTERVAL: u64 = 1024;
/// Older-size computations running at once; more are refused with 503 `busy`.
const OLDER_AT_ONCE: usize = 2;

/// Folds of the log at the head and at a bounded set of earlier sizes.
pub struct IndicatorCache {
    head: tokio::sync::Mutex<IndicatorFold>,
    snapshots: Mutex<Snapshots>,
    older: tokio::sync::Semaphore,
    folded: AtomicU64,
}

impl Default for IndicatorCache {
    fn default() -> Self {
        Self {
            head: tokio::sync::Mutex::new(IndicatorFold::new()),
            snapshots: Mutex::new(Snapshots::new(FIRST_INTERVAL, MAX_SNAPSHOTS)),
            older: tokio::sync::Semaphore::new(OLDER_AT_ONCE),
            folded: AtomicU64::new(0),
        }
    }
}

impl IndicatorCache {
    /// How many entries this process has read into any fold since it started: the head
    /// reads each entry once, an older size reads from its snapshot to that size.
    pub fn entries_folded(&self) -> u64 {
        self.folded.load(Ordering::Relaxed)
    }

    /// The number of entries the head fold has read.
    pub async fn head_size(&self) -> u64 {
        self.head.lock().await.size()
    }

    /// Reads entries `fold.size()..size` into `fold`; `snapshot` is told each new size.
    async fn fold_to(
        &self,
        db: &Db,
        fold: &mut IndicatorFold,
        size: u64,
        mut snapshot: impl FnMut(&IndicatorFold),
    ) -> Result<(), Refusal> {
        while fold.size() < size {
            let page = db
                .entries(fold.size(), (size - fold.size()).min(1000))
                .await?;
            if page.is_empty() {
                return Err(Refusal::internal(&format!(
                    "entries from {} are missing",
                    fold.size()
                )));
            }
            for (index, bytes) in page {
                let signed = SignedEntry::parse(&bytes)
                    .map_err(|e| Refusal::internal(&format!("stored entry {index}: {e}")))?;
                fold.push(&signed);
                self.folded.fetch_add(1, Ordering::Relaxed);
                snapshot(fold);
            }
        }
        Ok(())
    }
}

/// Copies of the fold at multiples of an interval, at most `max` of them.
pub struct Snapshots {
    every: u64,
    max: usize,
    at: BTreeMap<u64, Arc<IndicatorFold>>,
}

impl Snapshots {
    pub(crate) fn new(every: u64, max: usize) -> Self {
        Self {
            every,
            max,
            at: BTreeMap::new(),
        }
    }

    /// Whether a fold of `size` entries should be kept.
    pub(crate) fn wants(&self, size: u64) -> bool {
        size > 0 && size.is_multiple_of(self.every) && !self.at.contains_key(&size)
    }

    pub(crate) fn keep(&mut self, size: u64, fold: Arc<IndicatorFold>) {
        self.at.insert(size, fold);
        while self.at.len() > self.max {
            self.every *= 2;
            let every = self.every;
            self.at.retain(|size, _| size.is_multiple_of(every));
        }
    }

    /// The kept fold with the largest size at most `size`.
    pub(crate) fn at_or_below(&self, size: u64) -> Option<Arc<IndicatorFold>> {
        self.at.range(..=size).next_back().map(|(_, f)| f.clone())
    }

    #[cfg(test)]
    fn sizes(&self) -> Vec<u64> {
        self.at.keys().copied().collect()
    }
}

pub async fn indicators(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Indicators, Refusal> {
    if let Some(name) = params.keys().find(|k| *k != "year" && *k != "size") {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("unknown parameter {name:?}; use year and size"),
        ));
    }
    let year = optional_param(params, "year")?;
    let year = match year {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        Some(_) => {
            return Err(Refusal::bad_request(
                "invalid_parameter",
                "year must be between 2000 and 2100",
            ))
        }
        None => None,
    };
    let tree_size = service.sequencer.known_size();
    let size = optional_param(params, "size")?.unwrap_or(tree_size);
    if size == 0 || size > tree_size {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("size must be between 1 and the tree size, {tree_size}"),
        ));
    }
    compute(service, year, size).await
}

/// The indicators for `year` (default: the year of the last entry read) over the first
/// `size` entries, typed; the portal's indicator pages render the same answer the API
/// serializes, so a chart and the JSON never disagree.
///
/// # Errors
/// A store error, an entry missing or unreadable below `size`, or 503 `busy` when too many
/// older sizes are being computed at once.
pub async fn compute(
    service: &Service,
    year: Option<i32>,
    size: u64,
) -> Result<Indicators, Refusal> {
    let cache = &service.indicators;
    {
        let mut head = cache.head.lock().await;
        if head.size() <= size {
            cache
                .fold_to(&service.db, &mut head, size, |fold| {
                    let mut snapshots = cache.snapshots.lock().expect("snapshots lock");
                    if snapshots.wants(fold.size()) {
                        snapshots.keep(fold.size(), Arc::new(fold.clone()));
                    }
                })
                .await?;
            return Ok(head.finish(year));
        }
    }
    // An older size: its own copy, never the head's lock.
    let _permit = cache.older.try_acquire().map_err(|_| {
        Refusal::new(
            Kind::Unavailable,
            "busy",
            "too many indicator computations for earlier sizes at once; retry",
        )
    })?;
    let start = cache
        .snapshots
        .lock()
        .expect("snapshots lock")
        .at_or_below(size);
    let mut fold = start.map(|f| (*f).clone()).unwrap_or_default();
    cache.fold_to(&service.db, &mut fold, size, |_| {}).await?;
    Ok(fold.finish(year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_stay_bounded_and_cover_every_size_within_one_interval() {
        let mut snapshots = Snapshots::new(4, 3);
        let fold = Arc::new(IndicatorFold::new());
        for size in 1..=100 {
            if snapshots.wants(size) {
                snapshots.keep(size, fold.clone());
            }
            assert!(snapshots.sizes().len() <= 3, "{:?}", snapshots.sizes());
        }
        // The interval doubled from 4 to 32: 32, 64 and 96 are kept.
        assert_eq!(snapshots.sizes(), vec![32, 64, 96]);
        assert!(snapshots.at_or_below(31).is_none());
        assert!(snapshots.at_or_below(70).is_some());
    }
}

//! Erasure of personal data: once a `PersonalDataErased` entry is in the log, the person's
//! key and ciphertexts are destroyed in the store (docs/public-channel.md).
//!
//! The log is the source of truth, the store follows it. The service erases right after
//! the append ([`after_append`]), so the moderator's 201 means the data is gone; and a
//! reconciliation ([`start`]) erases every person a `PersonalDataErased` entry names, at
//! start-up and whenever this process learns of new entries (its own, or other processes'
//! sharing the database), so a crash between the append and the erasure loses nothing.
//! Erasing is idempotent, so doing it twice costs one cheap UPDATE.

use std::time::Duration;

use domain::names::event;
use domain::participation::ConsultationEvent;
use domain::LedgerEvent;
use ledger::SignedEntry;
use tokio::sync::watch;

use super::persons::PersonStore;
use crate::sequencer::Appended;
use store::Db;

/// How often the reconciliation looks for entries other processes appended, besides
/// being woken by this process's own appends and catch-ups.
const POLL: Duration = Duration::from_secs(5);

/// The person reference and `recorded_at` of a `PersonalDataErased` entry.
pub(crate) fn erased_person(bytes: &[u8]) -> Option<(String, String)> {
    let signed = SignedEntry::parse(bytes).ok()?;
    let entry = signed.entry;
    if entry.event_type != event::PERSONAL_DATA_ERASED {
        return None;
    }
    // Read through the domain's upcaster, so an erasure of a version this build does not
    // know is reported rather than read as version 1.
    match ConsultationEvent::from_entry(&entry.event_type, &entry.version, entry.data) {
        Ok(ConsultationEvent::PersonalDataErased(erased)) => {
            Some((erased.person, entry.recorded_at.to_entry_string()))
        }
        Ok(_) => None,
        Err(e) => {
            tracing::error!(index = entry.index, error = %e, "erasure entry not understood");
            None
        }
    }
}

/// Erases the persons that the entries of a just-appended command name. A failure is
/// logged, not returned: the entry is in the log, and the reconciliation will finish the
/// erasure.
pub async fn after_append(persons: &PersonStore, appended: &Appended) {
    for entry in appended
        .entries
        .iter()
        .filter(|e| e.event_type == event::PERSONAL_DATA_ERASED)
    {
        if let Some((person, at)) = erased_person(&entry.bytes) {
            if let Err(e) = persons.erase(&person, &at).await {
                tracing::warn!(index = entry.index, error = %e,
                    "erasure deferred to the reconciliation");
            }
        }
    }
}

/// Erases every person named by a `PersonalDataErased` entry at index `from` or later.
/// Returns the index to start from next time.
///
/// # Errors
/// A database error; nothing is skipped then, the next run starts from `from` again.
pub async fn reconcile(db: &Db, persons: &PersonStore, from: u64) -> Result<u64, store::Error> {
    // The tree size first: every entry below it is committed, so none is missed by
    // moving the position up to it.
    let (state, _) = db.state().await?;
    let mut next = from.max(state.tree_size);
    for (index, bytes) in db.erasure_entries(from).await? {
        if let Some((person, at)) = erased_person(&bytes) {
            persons.erase(&person, &at).await?;
        }
        next = next.max(index + 1);
    }
    Ok(next)
}

/// Runs the reconciliation once over the whole log (and deletes any withheld document's
/// bytes still stored), then keeps it running in the background, woken by `appended` and
/// by a poll.
///
/// # Errors
/// A database error during the first run: the server must not serve before the data of
/// every erased person is gone.
pub async fn start(
    db: Db,
    persons: PersonStore,
    mut appended: watch::Receiver<u64>,
) -> Result<(), store::Error> {
    let mut next = reconcile(&db, &persons, 0).await?;
    let purged = db.purge_withheld_documents().await?;
    if purged > 0 {
        tracing::info!(purged, "deleted the bytes of withheld documents");
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = appended.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep(POLL) => {}
            }
            match reconcile(&db, &persons, next).await {
                Ok(n) => next = n,
                Err(e) => tracing::warn!(error = %e, "erasure reconciliation failed; will retry"),
            }
        }
    });
    Ok(())
}

//! `sijill replay`: rebuilds every read model from the log. The views and the projection
//! positions are deleted in one transaction, then every projector runs from the first
//! entry to the end, the way a server does at start-up. A digest of the read models'
//! contents is printed before and after, so an operator (and the tests) can see that a
//! rebuild gives back the same rows, or which upgrade changed them.
//!
//! Run it with the servers of that store stopped: a running server keeps its projectors'
//! positions in memory and would not start again from the first entry.

use std::process::ExitCode;

use super::{db_error, finish, Stop, StoreArgs};
use crate::projector;
use store::ViewsDigest;

/// What a replay did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed {
    pub before: ViewsDigest,
    pub after: ViewsDigest,
    /// Entries every projector has applied.
    pub position: u64,
}

/// `sijill replay`: runs [`replay`] and prints the digests (exit 0, 2 when refused).
pub async fn run(store: &StoreArgs) -> ExitCode {
    let outcome = replay(store).await.map(|r| {
        format!(
            "read models before: {} rows, digest {}\nreplayed {} entries\nread models after: {} rows, digest {} ({})\n",
            r.before.rows,
            r.before.digest,
            r.position,
            r.after.rows,
            r.after.digest,
            if r.before == r.after { "unchanged" } else { "changed" }
        )
    });
    finish("replay", outcome)
}

/// Rebuilds the read models of `store`.
///
/// # Errors
/// [`Stop::Refused`] on a database error or an entry the projectors cannot read; the
/// read models are then partly rebuilt, and running the command again finishes them.
pub async fn replay(store: &StoreArgs) -> Result<Replayed, Stop> {
    let db = store.open(false).await?;
    let before = db.views_digest().await.map_err(db_error)?;
    db.clear_read_models().await.map_err(db_error)?;
    let position = projector::catch_up_once(db.clone())
        .await
        .map_err(Stop::Refused)?;
    let after = db.views_digest().await.map_err(db_error)?;
    Ok(Replayed {
        before,
        after,
        position,
    })
}

//! The commands every figure uses: `RegisterInstitution` on a fresh stream
//! `institution/B<n>`, one event per command, as signed statements of the genesis
//! administrator (for the ledger) or as typed commands (for plain cqrs-es).

use std::ops::Range;

use domain::registry::{InstitutionCommand, InstitutionKind, RegisterInstitution};
use ed25519_dalek::SigningKey;
use ledger::{Auth, Statement, Timestamp};
use rayon::prelude::*;
use serde_json::json;

/// Statements signed ahead of their timed run are stale five minutes after `issued_at`
/// (docs/spec/ledger-format.md), so they are signed in rounds of at most this many, each just
/// before it runs: a round stays inside the window down to about 14 commands per second.
pub const SIGN_ROUND: u64 = 4_000;

/// The aggregate id of command `n`.
pub fn institution_id(n: u64) -> String {
    format!("B{n}")
}

fn institution_name(n: u64) -> String {
    format!("Bench institution {n}")
}

/// Command `n` for plain cqrs-es: the same body the ledger's statement carries.
pub fn institution_command(n: u64) -> InstitutionCommand {
    InstitutionCommand::Register(RegisterInstitution {
        name: institution_name(n),
        kind: InstitutionKind::PublicInstitution,
    })
}

/// A client holding the genesis administrator's key: what `sijill submit` builds.
pub struct Issuer {
    pub key: SigningKey,
    pub origin: String,
}

impl Issuer {
    /// The request bodies of `POST /v1/statements` for commands `ids`, signed now, on every
    /// core: client-side signing is the client's cost, not the server's, so it is kept out
    /// of every timed section.
    pub fn sign(&self, ids: Range<u64>) -> Vec<Vec<u8>> {
        let issued_at = Timestamp::from_millis(now_millis()).to_entry_string();
        ids.into_par_iter()
            .map(|n| {
                let statement = Statement {
                    origin: self.origin.clone(),
                    command: "RegisterInstitution".into(),
                    stream: format!("institution/{}", institution_id(n)),
                    body: json!({"name": institution_name(n), "kind": "public_institution"}),
                    issued_at: issued_at.clone(),
                    // Unique per actor across the whole ledger because `n` is.
                    nonce: format!("bench-{n}"),
                };
                Auth::sign(statement, &self.key)
                    .to_value()
                    .to_string()
                    .into_bytes()
            })
            .collect()
    }
}

/// The wall clock in milliseconds since the epoch, as statements' `issued_at` want it.
pub fn now_millis() -> i64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    i64::try_from(ms).unwrap_or(i64::MAX)
}

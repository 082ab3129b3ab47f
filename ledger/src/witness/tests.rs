//! Tests of the add-checkpoint decisions: growth, forks, rollbacks and each refusal's
//! status, on real Merkle trees built from leaves.

use super::*;
use crate::merkle::{consistency_from_leaves, leaf_hash, root_from_leaves};
use crate::note::NoteSigner;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

const ORIGIN: &str = "sijill.local/ledger";

fn log_signer() -> NoteSigner {
    NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32]))
}

/// Leaf hashes of a log; `fork` changes every leaf from that index on, as a log that
/// rewrote its history after index `fork` would.
fn leaves(n: usize, fork: Option<usize>) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            let forked = fork.is_some_and(|f| i >= f);
            leaf_hash(format!("entry {i}{}", if forked { " (rewritten)" } else { "" }).as_bytes())
        })
        .collect()
}

fn note_of(leaves: &[Hash], signer: &NoteSigner) -> String {
    Checkpoint {
        origin: ORIGIN.into(),
        size: leaves.len() as u64,
        root: root_from_leaves(leaves),
    }
    .sign(signer)
    .unwrap()
}

/// The request a log of `leaves` sends to a witness it believes holds `old` leaves.
fn request(leaves: &[Hash], old: usize) -> AddCheckpoint {
    AddCheckpoint {
        old_size: old as u64,
        proof: if old == 0 || old == leaves.len() {
            Vec::new()
        } else {
            consistency_from_leaves(leaves, old as u64)
        },
        checkpoint: note_of(leaves, &log_signer()),
    }
}

fn held(leaves: &[Hash]) -> Option<Witnessed> {
    Some(Witnessed {
        size: leaves.len() as u64,
        root: root_from_leaves(leaves),
    })
}

#[test]
fn an_honest_log_grows_and_is_cosigned_at_each_step() {
    let keys = [log_signer().verifier()];
    let log = leaves(10, None);
    let first = request(&log[..5], 0).check(&keys, |_| None).unwrap();
    assert_eq!(first.size, 5);
    let next = request(&log[..8], 5)
        .check(&keys, |o| {
            assert_eq!(o, ORIGIN);
            held(&log[..5])
        })
        .unwrap();
    assert_eq!(next.root, root_from_leaves(&log[..8]));
    // The same checkpoint again (a log that restarted): cosigned again.
    assert!(request(&log[..8], 8)
        .check(&keys, |_| held(&log[..8]))
        .is_ok());
}

#[test]
fn a_forked_log_is_refused_with_the_specifications_statuses() {
    let keys = [log_signer().verifier()];
    let honest = leaves(10, None);
    // Same key, same first 6 entries, then another history.
    let fork = leaves(10, Some(6));
    // The witness holds the honest log at 8; the fork's proof from 8 to 10 is a valid
    // proof of the fork's own history, but not from the root the witness holds.
    let refusal = request(&fork, 8)
        .check(&keys, |_| held(&honest[..8]))
        .unwrap_err();
    assert!(matches!(refusal, Refusal::InvalidProof(_)), "{refusal:?}");
    assert_eq!(refusal.status(), 422);
    // Same size, another root: 409 with the size held.
    let refusal = request(&fork[..8], 8)
        .check(&keys, |_| held(&honest[..8]))
        .unwrap_err();
    assert_eq!(refusal, Refusal::RootMismatch { latest: 8 });
    assert_eq!((refusal.status(), refusal.latest_size()), (409, Some(8)));
    // The honest proof glued to the fork's checkpoint does not verify either.
    let mut glued = request(&honest, 8);
    glued.checkpoint = note_of(&fork, &log_signer());
    assert_eq!(
        glued
            .check(&keys, |_| held(&honest[..8]))
            .unwrap_err()
            .status(),
        422
    );
}

#[test]
fn rollbacks_and_stale_clients_get_409_with_the_latest_size() {
    let keys = [log_signer().verifier()];
    let log = leaves(10, None);
    // A checkpoint smaller than the one cosigned: a rollback.
    let refusal = request(&log[..5], 0)
        .check(&keys, |_| held(&log[..8]))
        .unwrap_err();
    assert_eq!(refusal, Refusal::SizeMismatch { latest: 8 });
    let refusal = request(&log[..9], 5)
        .check(&keys, |_| held(&log[..8]))
        .unwrap_err();
    assert_eq!((refusal.status(), refusal.latest_size()), (409, Some(8)));
    // A client that believes the witness holds something while it holds nothing.
    let refusal = request(&log[..9], 5).check(&keys, |_| None).unwrap_err();
    assert_eq!(refusal, Refusal::SizeMismatch { latest: 0 });
}

#[test]
fn other_refusals() {
    let keys = [log_signer().verifier()];
    let log = leaves(4, None);
    // Unknown origin: 404.
    let other = NoteSigner::new("other.example/log", SigningKey::from_bytes(&[9; 32]));
    let mut req = request(&log, 0);
    req.checkpoint = Checkpoint {
        origin: "other.example/log".into(),
        size: 4,
        root: root_from_leaves(&log),
    }
    .sign(&other)
    .unwrap();
    assert_eq!(req.check(&keys, |_| None).unwrap_err().status(), 404);
    // Known origin, signed by another key: 403.
    let impostor = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[7; 32]));
    let mut req = request(&log, 0);
    req.checkpoint = note_of(&log, &impostor);
    assert_eq!(req.check(&keys, |_| None).unwrap_err().status(), 403);
    // A tampered checkpoint: 403 (its known signature fails).
    let mut req = request(&log, 0);
    req.checkpoint = req.checkpoint.replacen("\n4\n", "\n5\n", 1);
    assert_eq!(req.check(&keys, |_| None).unwrap_err().status(), 403);
    // Old size above the checkpoint's: 400.
    let mut req = request(&log, 0);
    req.old_size = 5;
    assert_eq!(
        req.check(&keys, |_| held(&log)).unwrap_err(),
        Refusal::OldSizeTooLarge { old: 5, size: 4 }
    );
    // A proof where none is due: 422.
    let mut req = request(&log, 0);
    req.proof = vec![[0; 32]];
    assert_eq!(req.check(&keys, |_| None).unwrap_err().status(), 422);
}

#[test]
fn malformed_bodies() {
    let note = note_of(&leaves(2, None), &log_signer());
    let ok = format!("old 0\n\n{note}");
    assert!(AddCheckpoint::parse(&ok).is_ok());
    for body in [
        format!("old 01\n\n{note}"),
        format!("old -1\n\n{note}"),
        format!("old\n\n{note}"),
        format!("new 0\n\n{note}"),
        format!("old 0\nAAAA\n\n{note}"),
        format!("old 0\n{note}"),
        "old 0\n\nnot a note".to_owned(),
        format!(
            "old 0\n{}\n{note}",
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n".repeat(64)
        ),
    ] {
        let refusal = AddCheckpoint::parse(&body).unwrap_err();
        assert_eq!(refusal.status(), 400, "{body:?}");
    }
}

proptest! {
    #[test]
    fn request_bodies_round_trip(old in any::<u64>(), proof in proptest::collection::vec(any::<[u8; 32]>(), 0..=MAX_PROOF_LINES), size in 0usize..20) {
        let request = AddCheckpoint {
            old_size: old,
            proof,
            checkpoint: note_of(&leaves(size, None), &log_signer()),
        };
        prop_assert_eq!(AddCheckpoint::parse(&request.to_body()), Ok(request));
    }

    #[test]
    fn decimal_sizes_round_trip(n in any::<u64>()) {
        prop_assert_eq!(parse_decimal(&n.to_string()), Some(n));
    }
}

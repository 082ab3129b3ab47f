//! Proof files: a genuine one verifies; each kind of tampering is caught.

use super::*;
use crate::checkpoint::Checkpoint;
use crate::cosignature::{append_signature_lines, Cosigner};
use crate::entry::Entry;
use crate::hash::ZERO_HASH;
use crate::merkle::{inclusion_from_leaves, root_from_leaves};
use crate::note::NoteSigner;
use crate::timestamp::Timestamp;
use ed25519_dalek::SigningKey;
use serde_json::json;

const ORIGIN: &str = "sijill.local/ledger";

fn log() -> NoteSigner {
    NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[1; 32]))
}

fn witness(n: u8) -> Cosigner {
    Cosigner::new(
        &format!("w{n}.example"),
        SigningKey::from_bytes(&[n + 10; 32]),
    )
    .unwrap()
}

fn entries(n: u64) -> Vec<SignedEntry> {
    (0..n)
        .map(|i| {
            Entry {
                index: i,
                stream: format!("training/T{i}"),
                seq: 1,
                event_type: "TrainingSessionRecorded".into(),
                version: "1".into(),
                recorded_at: Timestamp::parse_entry("2026-01-15T09:30:00.123Z").unwrap(),
                data: json!({"n": i}),
                auth: None,
                auth_at: None,
                prev: ZERO_HASH,
            }
            .sign(&SigningKey::from_bytes(&[1; 32]))
            .unwrap()
        })
        .collect()
}

/// The proof file of entry `index` in a log of `size` entries, cosigned by witnesses 1
/// and 2.
fn bundle(index: u64, size: u64) -> ProofBundle {
    let all = entries(size);
    let leaves: Vec<Hash> = all.iter().map(SignedEntry::leaf_hash).collect();
    let checkpoint = Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: root_from_leaves(&leaves),
    };
    let note = checkpoint.sign(&log()).unwrap();
    let lines: Vec<String> = [witness(1), witness(2)]
        .iter()
        .map(|w| {
            w.cosign(&checkpoint.body(), 1_700_000_000)
                .unwrap()
                .to_line()
        })
        .collect();
    ProofBundle {
        format: PROOF_FORMAT_V1.into(),
        index,
        entry: String::from_utf8(all[index as usize].bytes.clone()).unwrap(),
        inclusion: Inclusion {
            size,
            hashes: inclusion_from_leaves(&leaves, index)
                .iter()
                .map(|h| BASE64.encode(h))
                .collect(),
        },
        checkpoint: append_signature_lines(&note, &lines).unwrap(),
    }
}

fn trusted() -> Vec<CosignerKey> {
    vec![witness(1).verifier(), witness(2).verifier()]
}

#[test]
fn a_genuine_proof_file_verifies_offline_at_every_position() {
    for size in [1, 2, 5, 8] {
        for index in 0..size {
            let b = bundle(index, size);
            let proven = b.verify(&[log().verifier()], &trusted(), 2).unwrap();
            assert_eq!((proven.entry.entry.index, proven.size), (index, size));
            assert_eq!(proven.witnesses, trusted());
            // Through JSON and back: the same file.
            let text = serde_json::to_string(&b).unwrap();
            assert_eq!(serde_json::from_str::<ProofBundle>(&text).unwrap(), b);
        }
    }
}

#[test]
fn tampered_proof_files_fail() {
    let keys = [log().verifier()];
    let good = bundle(3, 7);
    let check = |b: &ProofBundle| b.verify(&keys, &trusted(), 2).unwrap_err();

    let mut b = good.clone();
    b.entry = b.entry.replace("\"n\":3", "\"n\":4");
    assert!(check(&b).starts_with("entry:"), "{}", check(&b));

    let mut b = good.clone();
    b.index = 4;
    assert!(check(&b).starts_with("entry: its index"));

    let mut b = good.clone();
    b.inclusion.hashes[0] = BASE64.encode([0u8; 32]);
    assert_eq!(check(&b), "inclusion: proof does not match the root");

    let mut b = good.clone();
    b.inclusion.hashes.pop();
    assert!(check(&b).starts_with("inclusion:"));

    let mut b = good.clone();
    b.checkpoint = b.checkpoint.replacen("\n7\n", "\n8\n", 1);
    assert!(check(&b).starts_with("checkpoint:"));

    // Another entry of the same log, genuine but not the one at this index.
    let mut b = good.clone();
    b.entry = bundle(2, 7).entry;
    assert!(check(&b).starts_with("entry: its index"));

    // A quorum the file cannot meet.
    let third = vec![witness(1).verifier(), witness(3).verifier()];
    assert_eq!(
        good.verify(&keys, &third, 2).unwrap_err(),
        "checkpoint: 1 valid witness cosignatures, 2 required"
    );
    // Without witness keys the log's signature alone decides.
    assert!(good.verify(&keys, &[], 0).is_ok());

    let mut b = good.clone();
    b.format = "other".into();
    assert!(check(&b).starts_with("unknown format"));
    // Unknown members are refused rather than ignored.
    let mut value = serde_json::to_value(&good).unwrap();
    value["extra"] = json!(1);
    assert!(serde_json::from_value::<ProofBundle>(value).is_err());
}

//! Merkle proofs as an auditor or a witness uses them: every inclusion proof and every
//! consistency proof the server serves for a small log verifies (RFC 9162) against the
//! roots of checkpoints the log signed at each size, and bad ranges get 400 JSON.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ledger::merkle::{leaf_hash, root_from_leaves, verify_consistency, verify_inclusion};
use ledger::{Checkpoint, Hash};

use crate::support::{Api, Backend, TestApp};

both_backends!(
    every_proof_verifies_against_signed_checkpoints,
    proofs_for_bad_ranges_get_400,
);

/// Writes to grow the log one entry at a time, keeping every checkpoint: sizes 1 to 13
/// cover complete subtrees, ragged right edges and the one-leaf tree.
const WRITES: usize = 12;

/// The `hashes` of a proof answer, decoded.
pub fn hashes_of(api_answer: &serde_json::Value) -> Vec<Hash> {
    api_answer["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|h| {
            BASE64
                .decode(h.as_str().expect("base64 string"))
                .expect("base64")
                .try_into()
                .expect("32-byte hash")
        })
        .collect()
}

async fn proof(api: &Api, path: &str) -> serde_json::Value {
    let reply = api.get(path).await;
    assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text());
    reply.json
}

async fn every_proof_verifies_against_signed_checkpoints(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut checkpoints: BTreeMap<u64, Checkpoint> = BTreeMap::new();
    let (_, first) = app.checkpoint().await;
    checkpoints.insert(first.size, first);
    for i in 0..WRITES {
        app.register_institution(&format!("P{i}"), &format!("Institution {i}"))
            .await;
        // The checkpoint served after an acknowledged write already covers it.
        let (_, checkpoint) = app.checkpoint().await;
        assert_eq!(checkpoint.size, i as u64 + 2);
        checkpoints.insert(checkpoint.size, checkpoint);
    }
    let size = WRITES as u64 + 1;
    let leaves: Vec<Hash> = app
        .all_entries()
        .await
        .iter()
        .map(|line| leaf_hash(line))
        .collect();
    assert_eq!(leaves.len() as u64, size);
    for (s, checkpoint) in &checkpoints {
        assert_eq!(
            root_from_leaves(&leaves[..*s as usize]),
            checkpoint.root,
            "checkpoint {s} commits to exactly the entries served"
        );
    }

    for (&s, checkpoint) in &checkpoints {
        for i in 0..s {
            let answer = proof(&app, &format!("/v1/log/proof/inclusion?index={i}&size={s}")).await;
            assert_eq!(
                (answer["index"].as_u64(), answer["size"].as_u64()),
                (Some(i), Some(s))
            );
            let path = hashes_of(&answer);
            verify_inclusion(&leaves[i as usize], i, s, &path, &checkpoint.root)
                .unwrap_or_else(|e| panic!("inclusion of {i} in {s}: {e}"));
            // Not vacuous: the same proof does not place another entry there.
            let other = leaves[((i + 1) % size) as usize];
            if s > 1 {
                assert!(verify_inclusion(&other, i, s, &path, &checkpoint.root).is_err());
            }
        }
    }

    for (&from, old) in &checkpoints {
        for (&to, new) in checkpoints.range(from..) {
            let answer = proof(
                &app,
                &format!("/v1/log/proof/consistency?from={from}&to={to}"),
            )
            .await;
            assert_eq!(
                (answer["from"].as_u64(), answer["to"].as_u64()),
                (Some(from), Some(to))
            );
            let path = hashes_of(&answer);
            verify_consistency(from, to, &path, &old.root, &new.root)
                .unwrap_or_else(|e| panic!("consistency {from} -> {to}: {e}"));
            if from < to {
                let forged = checkpoints[&(to - 1).max(1)].root;
                if forged != new.root {
                    assert!(verify_consistency(from, to, &path, &old.root, &forged).is_err());
                }
            }
        }
    }
}

async fn proofs_for_bad_ranges_get_400(backend: Backend) {
    let app = TestApp::start(backend).await;
    for i in 0..3 {
        app.register_institution(&format!("B{i}"), &format!("Institution {i}"))
            .await;
    }
    let size = app.tree_size().await;
    assert_eq!(size, 4);
    for query in [
        "index=4&size=4",  // index must be below size
        "index=0&size=5",  // size beyond the tree
        "index=0&size=0",  // an empty tree includes nothing
        "index=-1&size=3", // not a non-negative integer
        "index=%2B1&size=3",
        "index=1e0&size=3",
        "index=abc&size=3",
        "size=3",  // index missing
        "index=1", // size missing
    ] {
        let reply = app.get(&format!("/v1/log/proof/inclusion?{query}")).await;
        assert_eq!(
            reply.status.as_u16(),
            400,
            "inclusion?{query}: {}",
            reply.text()
        );
        reply.assert_error_shape();
    }
    for query in [
        "from=0&to=3", // from must be at least 1
        "from=4&to=3", // from after to
        "from=1&to=5", // to beyond the tree
        "from=1",      // to missing
        "to=2",
        "from=x&to=2",
        "from=1&to=99999999999999999999", // out of range
    ] {
        let reply = app.get(&format!("/v1/log/proof/consistency?{query}")).await;
        assert_eq!(
            reply.status.as_u16(),
            400,
            "consistency?{query}: {}",
            reply.text()
        );
        reply.assert_error_shape();
    }
}

//! Fuzz target: the streaming export verifier (`audit::Auditor`), fed the input's
//! lines as `entries.jsonl` (the seeds are lines of the seed export).
//!
//! The auditor trusts the seed log's key and the fuzz key under the seed origin. For any
//! input, never a panic, and:
//! - the number of lines accepted before the first failure is the auditor's size, and once
//!   a line has failed every later push returns that same failure;
//! - the batch check of the queued signatures names the same first invalid signature as
//!   checking them one by one;
//! - when every line and signature passed, a checkpoint of the right size and of the root
//!   recomputed from the lines, signed by the fuzz key named after the log's origin, passes
//!   if and only if that key is one of the auditor's `checkpoint_keys` (a key of the log's
//!   chain, from its first trusted key on: a trusted key outside the chain may not sign);
//!   one of another size fails.
#![no_main]

use audit::{first_invalid, Auditor, SigCheck};
use ledger::checkpoint::Checkpoint;
use ledger::merkle::{leaf_hash, root_from_leaves};
use ledger::note::VerifierKey;
use ledger::SignedEntry;
use libfuzzer_sys::fuzz_target;
use sijill_fuzz::{fuzz_note_signer, fuzz_signing_key, seed_log_key, SEED_CHECKPOINT, SEED_ORIGIN};

/// Lines read from one input; beyond, the work per input would slow the fuzzer down.
const MAX_LINES: usize = 64;

fuzz_target!(|data: &[u8]| {
    let trusted = vec![
        seed_log_key().clone(),
        VerifierKey::new(SEED_ORIGIN, fuzz_signing_key().verifying_key()),
    ];
    let mut auditor = Auditor::new(trusted);
    let mut sigs: Vec<SigCheck> = Vec::new();
    let mut accepted = Vec::new();
    let mut failure = None;
    // An export ends its last line with a line feed, which does not start another line.
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    for line in data.split(|&b| b == b'\n').take(MAX_LINES) {
        let result = auditor.push(line, &mut sigs);
        let _ = auditor.take_named_documents();
        match (&failure, result) {
            (None, Ok(())) => accepted.push(leaf_hash(line)),
            (None, Err(f)) => failure = Some(f),
            (Some(first), result) => assert_eq!(result.as_ref(), Err(first), "failure not kept"),
        }
        assert_eq!(auditor.size(), accepted.len() as u64);
    }
    let one_by_one = sigs.iter().position(|c| !c.verify());
    assert_eq!(
        first_invalid(&sigs),
        one_by_one,
        "batch and single verification disagree"
    );

    if failure.is_some() || one_by_one.is_some() || accepted.is_empty() {
        let _ = auditor.check_checkpoint(SEED_CHECKPOINT);
        return;
    }
    let genesis = SignedEntry::parse(data.split(|&b| b == b'\n').next().unwrap_or_default())
        .expect("an accepted genesis parses");
    let origin = genesis.entry.data["origin"]
        .as_str()
        .expect("the genesis names its origin");
    let size = accepted.len() as u64;
    let root = root_from_leaves(&accepted);
    let checkpoint = |size: u64| {
        Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        }
        .sign(&fuzz_note_signer(origin))
    };
    if let Ok(note) = checkpoint(size) {
        let verdict = auditor.check_checkpoint(&note);
        let fuzz_key = VerifierKey::new(origin, fuzz_signing_key().verifying_key());
        let may_sign = auditor.checkpoint_keys().contains(&fuzz_key);
        assert_eq!(verdict.is_ok(), may_sign, "{verdict:?}");
        if let Ok(verified) = verdict {
            assert_eq!((verified.size, verified.root), (size, root));
        }
    }
    if let Ok(note) = checkpoint(size + 1) {
        assert!(auditor.check_checkpoint(&note).is_err());
    }
    if let Ok(verified) = auditor.check_checkpoint(SEED_CHECKPOINT) {
        assert_eq!((verified.size, verified.root), (size, root));
    }
});

//! Fuzz target: the tlog-witness `add-checkpoint` body and cosigned checkpoints
//! (`ledger::witness`, `ledger::cosignature`).
//!
//! The input is text, read as an `add-checkpoint` body (the seed is a genuine request for
//! the seed export's checkpoint, with a cosignature line added). For any input, never a
//! panic, and:
//! - a body that parses writes back as a body that parses to the same request;
//! - a witness's decision, with nothing held and with the seed checkpoint held, never
//!   cosigns a checkpoint smaller than the one held, nor one of the held size with another
//!   root;
//! - the checkpoint opened with cosignatures counts only the trusted witness, at most once,
//!   and a cosignature line that parses writes back as the same line.
#![no_main]

use ledger::cosignature::{open_cosigned, Cosignature};
use ledger::note::split_note;
use ledger::witness::{AddCheckpoint, Witnessed};
use ledger::Checkpoint;
use libfuzzer_sys::fuzz_target;
use sijill_fuzz::{fuzz_cosigner, seed_log_key, SEED_CHECKPOINT};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(request) = AddCheckpoint::parse(text) else {
        return;
    };
    assert_eq!(AddCheckpoint::parse(&request.to_body()).as_ref(), Ok(&request));

    let keys = [seed_log_key().clone()];
    let _ = request.check(&keys, |_| None);
    let seed = Checkpoint::open(SEED_CHECKPOINT, &keys).expect("the seed checkpoint opens");
    let held = Witnessed {
        size: seed.size,
        root: seed.root,
    };
    if let Ok(cosigned) = request.check(&keys, |_| Some(held)) {
        assert!(cosigned.size >= held.size, "a rollback was cosigned");
        assert!(
            cosigned.size != held.size || cosigned.root == held.root,
            "a fork at the held size was cosigned"
        );
    }

    let witness = fuzz_cosigner().verifier();
    if let Ok(opened) = open_cosigned(&request.checkpoint, &keys, std::slice::from_ref(&witness)) {
        assert!(opened.witnesses.len() <= 1);
        assert!(opened.witnesses.iter().all(|(k, _)| *k == witness));
    }
    if let Ok((_, lines)) = split_note(&request.checkpoint) {
        for line in lines {
            if let Ok(cosignature) = Cosignature::parse_line(line) {
                assert_eq!(cosignature.to_line(), line);
            }
        }
    }
});

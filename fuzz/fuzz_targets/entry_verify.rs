//! Fuzz target: reading and verifying a stored entry (`ledger::entry`).
//!
//! For any bytes, never a panic; `SignedEntry::parse` (the one-pass reader, falling back to
//! the strict path) gives exactly what `SignedEntry::parse_strictly` gives; and when it
//! accepts them:
//! - they are canonical JSON and exactly the entry's bytes, and the hash is their SHA-256;
//! - verifying the log signature (against the seed log's key) and the actor's signature of
//!   `auth`, if any, does not panic;
//! - signing the same fields with another key gives bytes that `parse` reads back as the
//!   same entry and whose signature verifies (the `Entry` round trip), of the same length;
//! - the signature of the input never verifies under that other key.
#![no_main]

use ledger::canonical;
use ledger::hash::sha256;
use ledger::SignedEntry;
use libfuzzer_sys::fuzz_target;
use sijill_fuzz::{fuzz_signing_key, seed_log_key};

fuzz_target!(|data: &[u8]| {
    let parsed = SignedEntry::parse(data);
    assert_eq!(parsed, SignedEntry::parse_strictly(data), "the two readers disagree");
    let Ok(signed) = parsed else {
        return;
    };
    assert_eq!(signed.bytes, data);
    assert_eq!(signed.hash, sha256(data));
    assert!(
        canonical::parse_canonical(data).is_ok(),
        "accepted non-canonical JSON"
    );
    let _ = signed.verify(&seed_log_key().key);
    if let Some(auth) = &signed.entry.auth {
        let _ = auth.verify();
    }

    let fuzz_key = fuzz_signing_key();
    let resigned = signed
        .entry
        .clone()
        .sign(fuzz_key)
        .expect("fields that parsed can be signed again");
    // A signature is always 88 base64 characters, so the size cannot change.
    assert_eq!(resigned.bytes.len(), data.len());
    let back = SignedEntry::parse(&resigned.bytes).expect("a signed entry reads back");
    assert_eq!(back, resigned);
    assert_eq!(back.entry, signed.entry);
    assert!(back.verify(&fuzz_key.verifying_key()).is_ok());
    assert!(
        signed.verify(&fuzz_key.verifying_key()).is_err() || signed.sig == resigned.sig,
        "an entry's signature verified under a key that did not make it"
    );
});

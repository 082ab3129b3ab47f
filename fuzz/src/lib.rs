//! Fixtures shared by the fuzz targets in `fuzz_targets/`: the fixed keys they verify and
//! sign with. See `docs/fuzzing.md`.
//!
//! Keys are built once per process: a fuzz target runs thousands of times a second, and
//! parsing a verifier key or expanding a signing key on every run would dominate.

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use ledger::note::{NoteSigner, VerifierKey};

/// `log.pub` of the export the seed corpora were cut from (`fuzz/corpus/README.md`): the
/// seed entries and the seed checkpoint verify under it, so the fuzzer starts from inputs
/// that reach the end of each check, not from inputs refused at the first byte.
pub const SEED_LOG_PUB: &str =
    "sijill.local/ledger+10a4bbbb+AQE18O8E2uI4ZDTieklMLbdfbg74YIHXSdWrCRXoQ9xp";

/// The seed export's origin, the name of its log key.
pub const SEED_ORIGIN: &str = "sijill.local/ledger";

/// The seed export's `checkpoint`: the four entries of `corpus/auditor/export` have this
/// tree head.
pub const SEED_CHECKPOINT: &str = "sijill.local/ledger\n4\n9LCC2IVYf21a7QKwO1MIX2M/EhdkzfFEWD6xHyz5SGk=\n\n\u{2014} sijill.local/ledger EKS7uw6+stvjevazPC7K5/DgcHZnGBgz7lM5ajs0X9VeYM+h/Er+R6/Fh10F7T5gTnQZ72KhEjiAnVQjlOjjSPqllw0=\n";

/// The seed export's log key.
pub fn seed_log_key() -> &'static VerifierKey {
    static KEY: OnceLock<VerifierKey> = OnceLock::new();
    KEY.get_or_init(|| VerifierKey::parse(SEED_LOG_PUB).expect("SEED_LOG_PUB is a verifier key"))
}

/// A key the targets sign with themselves, to check that whatever parses can be signed
/// and read back unchanged. Fixed, so a crash replays identically.
pub fn fuzz_signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[0x5a; 32]))
}

/// A note signer with the fuzz key under `name`.
pub fn fuzz_note_signer(name: &str) -> NoteSigner {
    NoteSigner::new(name, fuzz_signing_key().clone())
}

/// A witness the targets trust, signing with the fuzz key as `fuzz.example/witness`.
pub fn fuzz_cosigner() -> &'static ledger::cosignature::Cosigner {
    static COSIGNER: OnceLock<ledger::cosignature::Cosigner> = OnceLock::new();
    COSIGNER.get_or_init(|| {
        ledger::cosignature::Cosigner::new("fuzz.example/witness", fuzz_signing_key().clone())
            .expect("a valid witness name")
    })
}

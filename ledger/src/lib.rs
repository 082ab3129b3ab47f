//! Sijill's verifiable core: everything an auditor needs to check a log, and nothing else.
//!
//! This crate turns values into the exact bytes the ledger signs ([`canonical`]), signs and
//! verifies entries ([`entry`]) and actors' statements ([`statement`]), computes RFC 9162
//! Merkle tree hashes and proofs ([`merkle`]), and writes and reads C2SP signed notes and
//! checkpoints ([`note`], [`checkpoint`]). The `audit` crate replays an export entry by
//! entry with them.
//!
//! Architecture invariant: no I/O, no async runtime, no clock. Callers hand in bytes and
//! get bytes or verdicts back, so the server, the offline verifier and third-party tools
//! share one implementation of the contract in `docs/spec/ledger-format.md`.

pub mod canonical;
pub mod checkpoint;
pub mod cosignature;
pub mod entry;
pub mod hash;
pub mod limits;
pub mod merkle;
pub mod note;
pub mod proof_bundle;
pub mod roles;
pub mod rotation;
pub mod statement;
pub mod tiles;
pub mod timestamp;
pub mod witness;

pub use checkpoint::Checkpoint;
pub use entry::{Entry, SignedEntry};
pub use hash::Hash;
pub use note::{NoteSigner, VerifierKey};
pub use statement::{Auth, Statement};
pub use timestamp::Timestamp;

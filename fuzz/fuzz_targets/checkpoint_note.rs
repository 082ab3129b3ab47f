//! Fuzz target: C2SP signed notes, checkpoints and verifier keys (`ledger::note`,
//! `ledger::checkpoint`).
//!
//! The input is text: its first line is read as a verifier key string, the rest as a
//! signed note (the seeds are the seed export's `log.pub` and `checkpoint`). For any
//! input, never a panic, and:
//! - a verifier key that parses writes back as exactly the same string;
//! - a note that opens has signatures from known keys only in `verified`, and its text
//!   re-signed by a known key's name opens again to the same text;
//! - a checkpoint that opens has a body that parses to it, and signed again by a key named
//!   after its origin it opens to the same checkpoint;
//! - a body that parses writes back as a body that parses to the same checkpoint.
#![no_main]

use ledger::checkpoint::Checkpoint;
use ledger::note::{open_note, sign_note, VerifierKey};
use libfuzzer_sys::fuzz_target;
use sijill_fuzz::{fuzz_note_signer, seed_log_key};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (key_line, note) = text.split_once('\n').unwrap_or((text, ""));
    let mut keys = vec![seed_log_key().clone()];
    if let Ok(key) = VerifierKey::parse(key_line) {
        assert_eq!(
            key.to_string(),
            key_line,
            "a verifier key writes back differently"
        );
        keys.push(key);
    }

    if let Ok(opened) = open_note(note, &keys) {
        assert!(!opened.verified.is_empty());
        assert!(opened.verified.iter().all(|v| keys.contains(v)));
        assert!(note.starts_with(&opened.text));
        let signer = fuzz_note_signer(&opened.verified[0].name);
        let resigned = sign_note(&opened.text, &[&signer]).expect("opened text can be signed");
        let reopened = open_note(&resigned, &[signer.verifier()]).expect("re-signed note opens");
        assert_eq!(reopened.text, opened.text);
    }

    if let Ok(checkpoint) = Checkpoint::open(note, &keys) {
        let opened = open_note(note, &keys).expect("a checkpoint is a note that opens");
        assert_eq!(
            Checkpoint::parse_body(&opened.text).as_ref(),
            Ok(&checkpoint)
        );
        let signer = fuzz_note_signer(&checkpoint.origin);
        let resigned = checkpoint
            .sign(&signer)
            .expect("an opened checkpoint can be signed");
        assert_eq!(
            Checkpoint::open(&resigned, &[signer.verifier()]).as_ref(),
            Ok(&checkpoint)
        );
    }

    // The body parser alone, on the whole input, as `sijill verify` reads a checkpoint's
    // text.
    if let Ok(checkpoint) = Checkpoint::parse_body(text) {
        assert_eq!(Checkpoint::parse_body(&checkpoint.body()), Ok(checkpoint));
    }
});

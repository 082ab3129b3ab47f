//! Fuzz target: actors' signed statements (`ledger::statement`).
//!
//! The input is read as JSON (strictly, as the server does) and then as an `auth` object
//! and as a bare statement. For any bytes, never a panic, and:
//! - an `Auth` read from a value writes back as a value that reads as the same `Auth`,
//!   and verifying its signature does not panic;
//! - a statement's canonical bytes are canonical JSON of its value, and its hash is their
//!   SHA-256;
//! - any statement that reads can be signed by another key, and that signature verifies
//!   while a signature made over another statement does not;
//! - the statement's body is within itself and its time parses.
#![no_main]

use ledger::canonical;
use ledger::hash::sha256;
use ledger::statement::body_within_data;
use ledger::timestamp::Timestamp;
use ledger::{Auth, Statement};
use libfuzzer_sys::fuzz_target;
use sijill_fuzz::fuzz_signing_key;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = canonical::parse(data) else {
        return;
    };
    if let Ok(auth) = Auth::from_value(&value) {
        let _ = auth.verify();
        assert_eq!(Auth::from_value(&auth.to_value()).as_ref(), Ok(&auth));
        assert_eq!(
            auth.statement_hash(),
            sha256(&auth.statement.canonical_bytes())
        );
        check_statement(&auth.statement);
    }
    if let Ok(statement) = Statement::from_value(&value) {
        check_statement(&statement);
    }
});

fn check_statement(statement: &Statement) {
    let bytes = statement.canonical_bytes();
    assert!(
        !bytes.is_empty(),
        "a statement that reads has canonical bytes"
    );
    assert_eq!(
        canonical::parse_canonical(&bytes).as_ref(),
        Ok(&statement.to_value())
    );
    assert_eq!(
        Statement::from_value(&statement.to_value()).as_ref(),
        Ok(statement)
    );
    assert!(Timestamp::parse_statement(&statement.issued_at).is_ok());
    assert_eq!(
        statement.issued_at(),
        Timestamp::parse_statement(&statement.issued_at).expect("parses")
    );
    assert!(body_within_data(&statement.body, &statement.body));

    let signed = Auth::sign(statement.clone(), fuzz_signing_key());
    assert!(signed.verify().is_ok(), "a fresh signature does not verify");
    let mut other = statement.clone();
    other.nonce.push('x');
    let forged = Auth {
        statement: other,
        ..signed
    };
    assert!(
        forged.verify().is_err(),
        "a signature verified over another statement"
    );
}

//! Tests of tlog-cosignature v1: the specification's example, sign/verify, quorums, and
//! round trips of lines and key strings.

use super::*;
use crate::merkle::empty_root;
use crate::note::NoteSigner;
use proptest::prelude::*;

/// The example checkpoint of the C2SP tlog-cosignature specification (v1.0.0 and later,
/// section "Transparency Log Cosignatures"): a log signature and a cosignature by
/// `witness.example.com/w1`. The specification does not publish the witness's public
/// key, so this checks what can be checked without it: the layout of the timestamped
/// signature (key ID, then the big-endian timestamp 1679315147, the one its signed-message
/// example shows, then 64 bytes) and the signed message's exact bytes.
const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

/// The signed message the specification shows for that checkpoint.
const SPEC_SIGNED_MESSAGE: &str = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn the_specification_example_reads_as_written() {
    let (text, lines) = split_note(SPEC_CHECKPOINT).unwrap();
    let cosignature = Cosignature::parse_line(lines[1]).unwrap();
    assert_eq!(cosignature.name, "witness.example.com/w1");
    assert_eq!(hex::encode(cosignature.id), "8d66cf3f");
    assert_eq!(cosignature.timestamp, 1_679_315_147);
    assert_eq!(cosignature.to_line(), lines[1]);
    assert_eq!(
        signed_message(text, cosignature.timestamp),
        SPEC_SIGNED_MESSAGE.as_bytes()
    );
    // The log's line is a plain note signature (64 bytes after the key ID), not a
    // cosignature.
    assert_eq!(
        Cosignature::parse_line(lines[0]),
        Err(CosignatureError::MalformedLine)
    );
}

/// A cosignature computed outside this crate, with Python's `cryptography` package
/// (OpenSSL's Ed25519) following the tlog-cosignature text alone: seed 32 bytes of 0x5a,
/// name `fuzz.example/witness`, time 1700000000, over the body of the fuzz corpus's seed
/// checkpoint (the same line ends `fuzz/corpus/witness_request/seed-request-cosigned`).
/// Ed25519 is deterministic, so our cosigner must produce it byte for byte.
#[test]
fn an_independently_computed_cosignature_matches_ours() {
    let body = "sijill.local/ledger\n4\n9LCC2IVYf21a7QKwO1MIX2M/EhdkzfFEWD6xHyz5SGk=\n";
    let line = "\u{2014} fuzz.example/witness tT2g5wAAAABlU/EACIohQj4bpRjY4ka9nvhTJlZyjwxf0FHtFqG9+U2bL5/G8szGlHUA43civ8k+SMgJ3vT/PtBjz7Ije0/9PGL4AQ==";
    let cosigner =
        Cosigner::new("fuzz.example/witness", SigningKey::from_bytes(&[0x5a; 32])).unwrap();
    assert_eq!(
        cosigner.cosign(body, 1_700_000_000).unwrap().to_line(),
        line
    );
    let parsed = Cosignature::parse_line(line).unwrap();
    assert_eq!(parsed.verify(&cosigner.verifier(), body), Ok(()));
}

fn log() -> NoteSigner {
    NoteSigner::new("sijill.local/ledger", SigningKey::from_bytes(&[9; 32]))
}

fn witness(n: u8) -> Cosigner {
    Cosigner::new(
        &format!("witness.example/w{n}"),
        SigningKey::from_bytes(&[n; 32]),
    )
    .unwrap()
}

fn checkpoint_note(size: u64) -> (Checkpoint, String) {
    let cp = Checkpoint {
        origin: "sijill.local/ledger".into(),
        size,
        root: if size == 0 {
            empty_root()
        } else {
            [size as u8; 32]
        },
    };
    let note = cp.sign(&log()).unwrap();
    (cp, note)
}

#[test]
fn cosign_add_and_open_with_a_quorum() {
    let (cp, note) = checkpoint_note(3);
    let (w1, w2, w3) = (witness(1), witness(2), witness(3));
    let lines: Vec<String> = [&w1, &w2]
        .iter()
        .map(|w| w.cosign(&cp.body(), 1_700_000_000).unwrap().to_line())
        .collect();
    let cosigned_note = append_signature_lines(&note, &lines).unwrap();
    assert!(
        cosigned_note.starts_with(&note),
        "the log's signature stays first"
    );
    // Adding the same lines again changes nothing.
    assert_eq!(
        append_signature_lines(&cosigned_note, &lines).unwrap(),
        cosigned_note
    );

    let trusted = [w1.verifier(), w2.verifier(), w3.verifier()];
    let opened = open_cosigned(&cosigned_note, &[log().verifier()], &trusted).unwrap();
    assert_eq!(opened.checkpoint, cp);
    assert_eq!(
        opened.witnesses,
        vec![
            (w1.verifier(), 1_700_000_000),
            (w2.verifier(), 1_700_000_000)
        ]
    );
    assert!(opened.require(2).is_ok());
    assert_eq!(
        opened.require(3),
        Err(CosignatureError::QuorumNotMet {
            valid: 2,
            needed: 3
        })
    );
    // Cosignatures of witnesses nobody trusts count for nothing.
    let opened = open_cosigned(&cosigned_note, &[log().verifier()], &[w3.verifier()]).unwrap();
    assert!(opened.witnesses.is_empty());
    // The log's checkpoint checker ignores the cosignature lines.
    assert_eq!(
        Checkpoint::open(&cosigned_note, &[log().verifier()]),
        Ok(cp)
    );
}

#[test]
fn a_cosignature_binds_the_checkpoint_and_the_time() {
    let (cp, note) = checkpoint_note(3);
    let w1 = witness(1);
    let good = w1.cosign(&cp.body(), 1_700_000_000).unwrap();
    // Another checkpoint of the same log: the cosignature does not carry over.
    let (_, other_note) = checkpoint_note(4);
    let moved = append_signature_lines(&other_note, &[good.to_line()]).unwrap();
    assert_eq!(
        open_cosigned(&moved, &[log().verifier()], &[w1.verifier()]),
        Err(CosignatureError::BadCosignature(
            "witness.example/w1".into()
        ))
    );
    // A changed timestamp breaks it.
    let mut later = good.clone();
    later.timestamp += 1;
    let changed = append_signature_lines(&note, &[later.to_line()]).unwrap();
    assert!(matches!(
        open_cosigned(&changed, &[log().verifier()], &[w1.verifier()]),
        Err(CosignatureError::BadCosignature(_))
    ));
    // A plain note signature by the witness's key is not a cosignature: its key ID
    // differs (type 0x01), so it is simply not counted.
    let plain = NoteSigner::new("witness.example/w1", SigningKey::from_bytes(&[1; 32]));
    let plain_note = crate::note::sign_note(&cp.body(), &[&log(), &plain]).unwrap();
    let opened = open_cosigned(&plain_note, &[log().verifier()], &[w1.verifier()]).unwrap();
    assert!(opened.witnesses.is_empty());
    // A note not signed by the log is refused whatever its cosignatures.
    let stranger = NoteSigner::new("sijill.local/ledger", SigningKey::from_bytes(&[8; 32]));
    let forged = crate::note::sign_note(&cp.body(), &[&stranger]).unwrap();
    let forged = append_signature_lines(&forged, &[good.to_line()]).unwrap();
    assert!(matches!(
        open_cosigned(&forged, &[log().verifier()], &[w1.verifier()]),
        Err(CosignatureError::Checkpoint(_))
    ));
}

#[test]
fn key_strings_and_refusals() {
    let w = witness(1).verifier();
    let s = w.to_string();
    assert!(s.starts_with("witness.example/w1+"));
    assert_eq!(CosignerKey::parse(&s), Ok(w.clone()));
    // A log's note verifier key (type 0x01) is not a witness key.
    let note_key = VerifierKey::new("witness.example/w1", w.key).to_string();
    assert_eq!(
        CosignerKey::parse(&note_key),
        Err(CosignatureError::MalformedKey)
    );
    let id = hex::encode(w.id);
    let wrong_id = s.replace(&id, "00000000");
    assert_eq!(
        CosignerKey::parse(&wrong_id),
        Err(CosignatureError::KeyIdMismatch)
    );
    assert!(CosignerKey::parse("w+00000000").is_err());
    assert!(CosignerKey::parse(&s.replace("witness.example/w1", "a b")).is_err());
    assert_eq!(
        witness(1).cosign("x\n", MAX_TIMESTAMP + 1),
        Err(CosignatureError::TimestampOutOfRange)
    );
    assert!(Cosigner::new("bad name", SigningKey::from_bytes(&[1; 32])).is_err());
    assert!(!format!("{:?}", witness(1)).contains("SigningKey"));
}

proptest! {
    #[test]
    fn lines_round_trip(
        name in "[a-z0-9./-]{1,40}",
        id in any::<[u8; 4]>(),
        timestamp in 0..=MAX_TIMESTAMP,
        sig_a in any::<[u8; 32]>(),
        sig_b in any::<[u8; 32]>(),
    ) {
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&sig_a);
        signature[32..].copy_from_slice(&sig_b);
        let c = Cosignature { name, id, timestamp, signature };
        prop_assert_eq!(Cosignature::parse_line(&c.to_line()), Ok(c));
    }

    #[test]
    fn keys_round_trip_and_signatures_verify(
        name in "[a-z0-9./-]{1,40}",
        seed in any::<[u8; 32]>(),
        timestamp in 0..=MAX_TIMESTAMP,
        size in 0u64..1_000_000,
    ) {
        let cosigner = Cosigner::new(&name, SigningKey::from_bytes(&seed)).unwrap();
        let key = cosigner.verifier();
        prop_assert_eq!(CosignerKey::parse(&key.to_string()), Ok(key.clone()));
        let (cp, _) = checkpoint_note(size);
        let c = cosigner.cosign(&cp.body(), timestamp).unwrap();
        prop_assert!(Cosignature::parse_line(&c.to_line()).unwrap().verify(&key, &cp.body()).is_ok());
    }
}

//! Entries: round trips, refusals, and tamper evidence.

use super::*;
use crate::hash::ZERO_HASH;
use crate::statement::Statement;
use proptest::prelude::*;
use serde_json::json;

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

fn actor_key() -> SigningKey {
    SigningKey::from_bytes(&[2; 32])
}

fn genesis() -> Entry {
    Entry {
        index: 0,
        stream: "registry/admin".into(),
        seq: 1,
        event_type: "ActorRegistered".into(),
        version: "1".into(),
        recorded_at: Timestamp::parse_entry("2026-01-15T09:30:00.123Z").unwrap(),
        data: json!({
            "public_key": BASE64.encode(actor_key().verifying_key().as_bytes()),
            "name": "Administrateur",
            "roles": ["admin"],
            "origin": "sijill.local/ledger",
            "log_key": "sijill.local/ledger+00000000+AA=="
        }),
        auth: None,
        auth_at: None,
        prev: ZERO_HASH,
    }
}

fn signed_command_entry() -> Entry {
    let statement = Statement::from_value(&json!({
        "origin": "sijill.local/ledger",
        "command": "RegisterInstitution",
        "stream": "institution/MIN-01",
        "body": {"name": "Ministère", "kind": "ministry"},
        "issued_at": "2026-01-15T09:29:58Z",
        "nonce": "abc"
    }))
    .unwrap();
    Entry {
        index: 1,
        stream: "institution/MIN-01".into(),
        seq: 1,
        event_type: "InstitutionRegistered".into(),
        version: "1".into(),
        recorded_at: Timestamp::parse_entry("2026-01-15T09:30:01.000Z").unwrap(),
        data: json!({"name": "Ministère", "kind": "ministry"}),
        auth: Some(Auth::sign(statement, &actor_key())),
        auth_at: None,
        prev: ZERO_HASH,
    }
}

#[test]
fn sign_parse_verify_round_trip() {
    for entry in [genesis(), signed_command_entry()] {
        let signed = entry.clone().sign(&log_key()).unwrap();
        assert_eq!(signed.hash, sha256(&signed.bytes));
        assert_eq!(signed.leaf_hash(), merkle::leaf_hash(&signed.bytes));
        let parsed = SignedEntry::parse(&signed.bytes).unwrap();
        assert_eq!(parsed, signed);
        parsed.verify(&log_key().verifying_key()).unwrap();
        assert_eq!(
            parsed.verify(&actor_key().verifying_key()),
            Err(EntryError::BadSignature)
        );
        // The signature covers exactly canonical(entry without sig).
        let mut value = canonical::parse(&signed.bytes).unwrap();
        value.as_object_mut().unwrap().remove("sig");
        assert_eq!(
            canonical::to_bytes(&value).unwrap(),
            entry.signing_bytes().unwrap()
        );
        if let Some(auth) = &parsed.entry.auth {
            auth.verify().unwrap();
        }
    }
}

#[test]
fn known_layout() {
    let signed = genesis().sign(&log_key()).unwrap();
    let text = String::from_utf8(signed.bytes.clone()).unwrap();
    // Members in JCS order, timestamps with milliseconds, prev in hex.
    assert!(text.starts_with(
        "{\"data\":{\"log_key\":\"sijill.local/ledger+00000000+AA==\",\"name\":\"Administrateur\","
    ));
    assert!(text.contains(
        "\"index\":0,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"recorded_at\":\"2026-01-15T09:30:00.123Z\",\"seq\":1,\"sig\":\""
    ));
    assert!(text.ends_with(
        "\",\"stream\":\"registry/admin\",\"type\":\"ActorRegistered\",\"version\":\"1\"}"
    ));
}

#[test]
fn size_limit() {
    let mut entry = genesis();
    let base = entry.clone().sign(&log_key()).unwrap().bytes.len();
    // Grow `data` so the entry is exactly at the limit, then one byte over.
    entry.data["pad"] = json!("");
    let with_empty_pad = entry.clone().sign(&log_key()).unwrap().bytes.len();
    assert!(with_empty_pad > base);
    let fill = MAX_ENTRY_BYTES - with_empty_pad;
    entry.data["pad"] = json!("x".repeat(fill));
    let at_limit = entry.clone().sign(&log_key()).unwrap();
    assert_eq!(at_limit.bytes.len(), MAX_ENTRY_BYTES);
    assert!(SignedEntry::parse(&at_limit.bytes).is_ok());
    entry.data["pad"] = json!("x".repeat(fill + 1));
    assert_eq!(
        entry.sign(&log_key()),
        Err(EntryError::TooLarge {
            size: MAX_ENTRY_BYTES + 1
        })
    );
    let mut long = at_limit.bytes.clone();
    long.push(b' ');
    assert_eq!(
        SignedEntry::parse(&long),
        Err(EntryError::TooLarge {
            size: MAX_ENTRY_BYTES + 1
        })
    );
}

#[test]
fn signing_refusals() {
    let mut both = signed_command_entry();
    both.auth_at = Some(0);
    assert_eq!(both.sign(&log_key()), Err(EntryError::AuthAndAuthAt));
    let mut e = genesis();
    e.seq = 0;
    assert_eq!(e.sign(&log_key()), Err(EntryError::InvalidMember("seq")));
    let mut e = genesis();
    e.index = 1 << 53;
    assert_eq!(e.sign(&log_key()), Err(EntryError::InvalidMember("index")));
    let mut e = genesis();
    e.data = json!([1]);
    assert_eq!(e.sign(&log_key()), Err(EntryError::InvalidMember("data")));
    let mut e = genesis();
    e.data["amount"] = json!(0.5);
    assert_eq!(
        e.sign(&log_key()),
        Err(EntryError::Canonical(CanonicalError::NotAnInteger))
    );
}

/// Re-signs a JSON value as if it were an entry, bypassing [`Entry`], to build inputs
/// that are validly signed yet malformed.
fn forge(mut value: Value) -> Vec<u8> {
    value.as_object_mut().unwrap().remove("sig");
    let sig = log_key().sign(&canonical::to_bytes(&value).unwrap());
    value["sig"] = json!(BASE64.encode(sig.to_bytes()));
    canonical::to_bytes(&value).unwrap()
}

#[test]
fn parse_refusals() {
    let signed = signed_command_entry().sign(&log_key()).unwrap();
    let value = canonical::parse(&signed.bytes).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = value.clone();
        f(&mut v);
        SignedEntry::parse(&forge(v))
    };
    assert_eq!(
        with(&|v| v["extra"] = json!(1)),
        Err(EntryError::UnknownMember("extra".into()))
    );
    assert_eq!(
        with(&|v| {
            v.as_object_mut().unwrap().remove("prev");
        }),
        Err(EntryError::MissingMember("prev"))
    );
    assert_eq!(
        with(&|v| v["auth_at"] = json!(0)),
        Err(EntryError::AuthAndAuthAt)
    );
    assert_eq!(
        with(&|v| v["index"] = json!(-1)),
        Err(EntryError::InvalidMember("index"))
    );
    assert_eq!(
        with(&|v| v["index"] = json!("1")),
        Err(EntryError::InvalidMember("index"))
    );
    assert_eq!(
        with(&|v| v["seq"] = json!(0)),
        Err(EntryError::InvalidMember("seq"))
    );
    assert_eq!(
        with(&|v| v["data"] = json!("x")),
        Err(EntryError::InvalidMember("data"))
    );
    assert_eq!(
        with(&|v| v["recorded_at"] = json!("2026-01-15T09:30:01Z")),
        Err(EntryError::InvalidMember("recorded_at"))
    );
    assert_eq!(
        with(&|v| v["prev"] = json!("0".repeat(63) + "A")),
        Err(EntryError::InvalidMember("prev"))
    );
    assert!(matches!(
        with(&|v| v["auth"]["statement"]["nonce"] = json!("")),
        Err(EntryError::Auth(StatementError::BadNonce))
    ));
    // Unpadded signature base64: the same bytes, another spelling.
    let mut v = value.clone();
    let sig = v["sig"].as_str().unwrap().trim_end_matches('=').to_owned();
    v["sig"] = json!(sig);
    assert_eq!(
        SignedEntry::parse(&canonical::to_bytes(&v).unwrap()),
        Err(EntryError::InvalidMember("sig"))
    );
    // Not canonical JSON at all.
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_eq!(
        SignedEntry::parse(&pretty),
        Err(EntryError::Canonical(CanonicalError::NotCanonical))
    );
    assert_eq!(SignedEntry::parse(b"[]"), Err(EntryError::NotAnObject));
    assert!(matches!(
        SignedEntry::parse(br#"{"a":1,"a":1}"#),
        Err(EntryError::Canonical(CanonicalError::DuplicateKey(_)))
    ));
    // A forged entry parses but its log signature does not verify under the real key.
    let stranger = SigningKey::from_bytes(&[3; 32]);
    let parsed = with(&|_| {}).unwrap();
    assert!(parsed.verify(&log_key().verifying_key()).is_ok());
    assert_eq!(
        parsed.verify(&stranger.verifying_key()),
        Err(EntryError::BadSignature)
    );
}

#[test]
fn reasons_are_short_sentences() {
    assert_eq!(
        EntryError::BadSignature.to_string(),
        "invalid log signature"
    );
    assert_eq!(
        EntryError::Canonical(CanonicalError::NotCanonical).to_string(),
        "not canonical JSON"
    );
    assert_eq!(
        EntryError::MissingMember("prev").to_string(),
        "entry: missing member \"prev\""
    );
}

fn arb_data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|i| json!(i)),
        ".{0,12}".prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map("[a-z_]{1,8}", value, 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (
        0u64..1_000_000,
        "[a-z]{1,10}/[A-Za-z0-9][A-Za-z0-9._-]{0,12}",
        1u64..1000,
        "[A-Z][A-Za-z]{0,15}",
        0i64..4_102_444_800_000,
        arb_data(),
        any::<[u8; 32]>(),
        prop_oneof![Just(None), (0u64..1000).prop_map(Some)],
        any::<bool>(),
    )
        .prop_map(
            |(index, stream, seq, event_type, ms, data, prev, auth_at, with_auth)| {
                let auth = (with_auth && auth_at.is_none()).then(|| {
                    let statement = Statement {
                        origin: "o".into(),
                        command: "SubmitComment".into(),
                        stream: stream.clone(),
                        body: data.clone(),
                        issued_at: Timestamp::from_millis(ms).to_entry_string(),
                        nonce: format!("n{index}"),
                    };
                    Auth::sign(statement, &actor_key())
                });
                Entry {
                    index,
                    stream,
                    seq,
                    event_type,
                    version: "1".into(),
                    recorded_at: Timestamp::from_millis(ms),
                    data,
                    auth,
                    auth_at,
                    prev,
                }
            },
        )
}

proptest! {
    #[test]
    fn signed_entries_round_trip(entry in arb_entry()) {
        let signed = entry.sign(&log_key()).unwrap();
        let parsed = SignedEntry::parse(&signed.bytes).unwrap();
        prop_assert!(parsed.verify(&log_key().verifying_key()).is_ok());
        prop_assert_eq!(parsed, signed);
    }

    /// Tamper evidence: any change to any byte of a signed entry is caught, either when
    /// reading it or when checking the log signature (or the actor's).
    #[test]
    fn changing_any_byte_breaks_parse_or_verify(
        entry in arb_entry(),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let signed = entry.sign(&log_key()).unwrap();
        let mut bytes = signed.bytes.clone();
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let caught = match SignedEntry::parse(&bytes) {
            Err(_) => true,
            Ok(parsed) => {
                parsed.verify(&log_key().verifying_key()).is_err()
                    || parsed.entry.auth.as_ref().is_some_and(|a| a.verify().is_err())
            }
        };
        prop_assert!(caught, "byte {} changed to {:#04x} went unnoticed", i, replacement);
    }

    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = SignedEntry::parse(&bytes);
    }
}

/// The one-pass reader accepts what the ledger writes, and whatever it accepts the strict
/// path reads as the same entry (it never accepts more: a wrong acceptance would let an
/// auditor read fields the signatures do not cover as the log wrote them).
fn one_pass_agrees(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Some(fast) = one_pass::read(bytes, &mut ActorKeys::default()) {
        prop_assert_eq!(Ok(fast), SignedEntry::parse_strictly(bytes));
    }
    prop_assert_eq!(
        SignedEntry::parse(bytes),
        SignedEntry::parse_strictly(bytes)
    );
    Ok(())
}

#[test]
fn the_one_pass_reader_takes_every_written_entry_and_no_other_spelling() {
    for mut entry in [genesis(), signed_command_entry()] {
        // A `prev` with letters, so that its uppercase spelling differs.
        entry.prev = sha256(b"the entry before");
        let signed = entry.sign(&log_key()).unwrap();
        assert_eq!(
            one_pass::read(&signed.bytes, &mut ActorKeys::default()),
            Some(signed.clone())
        );
        let value = canonical::parse(&signed.bytes).unwrap();
        let respelled = |member: &str, text: String| {
            let mut v = value.clone();
            v[member] = json!(text);
            canonical::to_bytes(&v).unwrap()
        };
        let prev = to_hex(&signed.entry.prev).to_uppercase();
        let unpadded = BASE64
            .encode(signed.sig.to_bytes())
            .trim_end_matches('=')
            .to_owned();
        for bytes in [
            respelled("prev", prev),
            respelled("sig", unpadded),
            respelled("recorded_at", "2026-01-15T09:30:01.000+00:00".into()),
        ] {
            assert_eq!(one_pass::read(&bytes, &mut ActorKeys::default()), None);
            assert!(SignedEntry::parse(&bytes).is_err());
        }
    }
    // The actor key in another base64 spelling (a flipped padding bit): refused, whether
    // the decoder refuses it or the re-encoding comparison does.
    let signed = signed_command_entry().sign(&log_key()).unwrap();
    let mut value = canonical::parse(&signed.bytes).unwrap();
    let actor = value["auth"]["actor"].as_str().unwrap().to_owned();
    let last = actor.as_bytes()[actor.len() - 2];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let at = alphabet.iter().position(|c| *c == last).unwrap();
    let mut other = actor.clone().into_bytes();
    other[actor.len() - 2] = alphabet[at ^ 1];
    value["auth"]["actor"] = json!(String::from_utf8(other).unwrap());
    let bytes = forge(value);
    assert_eq!(one_pass::read(&bytes, &mut ActorKeys::default()), None);
    one_pass_agrees(&bytes).unwrap();
}

proptest! {
    #[test]
    fn the_one_pass_reader_agrees_with_the_strict_path(
        entry in arb_entry(),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let signed = entry.sign(&log_key()).unwrap();
        prop_assert_eq!(one_pass::read(&signed.bytes, &mut ActorKeys::default()), Some(signed.clone()));
        let mut bytes = signed.bytes.clone();
        let i = position.index(bytes.len());
        bytes[i] = replacement;
        one_pass_agrees(&bytes)?;
        bytes.insert(i, b' ');
        one_pass_agrees(&bytes)?;
    }
}

#[test]
fn remembered_actor_keys_read_as_fresh_ones() {
    let mut keys = ActorKeys::default();
    for entry in [signed_command_entry(), genesis(), signed_command_entry()] {
        let signed = entry.sign(&log_key()).unwrap();
        assert_eq!(
            SignedEntry::parse_with(&signed.bytes, &mut keys),
            Ok(signed)
        );
    }
    // A remembered key stands for its own spelling only.
    let other = BASE64.encode(log_key().verifying_key().as_bytes());
    let actor = BASE64.encode(actor_key().verifying_key().as_bytes());
    assert_eq!(keys.decode(&other), Some(log_key().verifying_key()));
    assert_eq!(keys.decode(&actor), Some(actor_key().verifying_key()));
    assert_eq!(keys.decode("not base64"), None);
}

//! Log-key rotation (`docs/key-rotation.md`): the `LogKeyRotated` entry, the message the
//! new key signs, and the chain of keys a log has been signed by.
//!
//! A rotation is one entry, type [`ROTATION_EVENT`] on stream [`ROTATION_STREAM`], made by
//! an administrator's [`ROTATION_COMMAND`]. It is signed by both keys: its top-level `sig`
//! by the key in force before it (like every entry up to and including the rotation), and
//! its `data.log_key_sig` by the new key over the [rotation message](Rotation::message),
//! which names the tree hash of every entry before the rotation. The new key thereby
//! vouches for the whole history it inherits, so a verifier that trusts only the new key
//! still anchors that history.
//!
//! Invariant kept by [`LogKeyChain`]: each entry has exactly one signing key, the key in
//! force at its index; the spans of the keys are contiguous, start at index 0 with the
//! genesis key, and a key appears in a chain once.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey};
use serde_json::{Map, Value};

use crate::canonical;
use crate::entry::Entry;
use crate::hash::Hash;
use crate::note::VerifierKey;

/// The one stream every rotation goes on: its `seq` n is the log's nth rotation.
pub const ROTATION_STREAM: &str = "log/key";
/// Type of the entry a rotation makes.
pub const ROTATION_EVENT: &str = "LogKeyRotated";
/// The command that rotates the log key (role `admin`).
pub const ROTATION_COMMAND: &str = "RotateLogKey";

/// What a `LogKeyRotated` entry asserts: from the entry after this one, the log `origin`
/// is signed by `log_key` instead of `previous_log_key`, and the `tree_size` entries
/// before this one have Merkle tree hash `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The log's origin, as fixed by its genesis.
    pub origin: String,
    /// Number of entries before the rotation entry, which is also its index.
    pub tree_size: u64,
    /// RFC 9162 Merkle tree hash of entries `0..tree_size`.
    pub root: Hash,
    /// The key in force before the rotation, which signs the rotation entry itself.
    pub previous_log_key: VerifierKey,
    /// The new key, which signs every entry after the rotation entry.
    pub log_key: VerifierKey,
}

impl Rotation {
    /// The rotation message: canonical (RFC 8785) bytes of
    /// `{"log_key": L, "origin": O, "previous_log_key": P, "root": R, "tree_size": N}`,
    /// with the keys as note verifier key strings and the root in base64.
    ///
    /// `tree_size` is an index of the log, so below 2^53 like every integer of the format;
    /// the message is written here member by member (already in canonical order) rather than
    /// through [`canonical::to_bytes`], so it cannot fail.
    pub fn message(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let members: [(&str, String); 4] = [
            ("log_key", self.log_key.to_string()),
            ("origin", self.origin.clone()),
            ("previous_log_key", self.previous_log_key.to_string()),
            ("root", BASE64.encode(self.root)),
        ];
        out.push(b'{');
        for (name, value) in members {
            out.extend_from_slice(&canonical_string(name));
            out.push(b':');
            out.extend_from_slice(&canonical_string(&value));
            out.push(b',');
        }
        out.extend_from_slice(&canonical_string("tree_size"));
        out.push(b':');
        out.extend_from_slice(self.tree_size.to_string().as_bytes());
        out.push(b'}');
        out
    }

    /// Signs the rotation message with the new key. The caller ensures that `new_key` is
    /// the key of [`log_key`](Rotation::log_key); otherwise the signature will not verify.
    pub fn sign(&self, new_key: &SigningKey) -> Signature {
        new_key.sign(&self.message())
    }

    /// Whether `sig` is the new key's signature of the rotation message (strict Ed25519
    /// verification, as everywhere in the ledger).
    pub fn verify(&self, sig: &Signature) -> bool {
        self.log_key.key.verify_strict(&self.message(), sig).is_ok()
    }

    /// The members of a `LogKeyRotated` entry's `data`: `log_key` (which is also the
    /// command's whole body), `previous_log_key`, `tree_size`, `root` (base64) and
    /// `log_key_sig` (base64 of `sig`). The ledger merges them into the body.
    pub fn data_members(&self, sig: &Signature) -> Map<String, Value> {
        let mut members = Map::new();
        members.insert("log_key".into(), self.log_key.to_string().into());
        members.insert(
            "previous_log_key".into(),
            self.previous_log_key.to_string().into(),
        );
        members.insert("tree_size".into(), self.tree_size.into());
        members.insert("root".into(), BASE64.encode(self.root).into());
        members.insert("log_key_sig".into(), BASE64.encode(sig.to_bytes()).into());
        members
    }

    /// Reads a `LogKeyRotated` entry's `data` back, for the log `origin`. Other members
    /// of `data` are ignored. Only the shape is checked here: whether the keys, size and
    /// root are the right ones, and whether the signature verifies, is the caller's
    /// business (the [auditor](crate::audit::Auditor) checks them all).
    ///
    /// # Errors
    /// A short lowercase reason naming the member, e.g. `data.root is not base64 of 32
    /// bytes`.
    pub fn from_data(origin: &str, data: &Value) -> Result<(Rotation, Signature), String> {
        let data = data.as_object().ok_or("data is not an object")?;
        let member = |name: &str| {
            data.get(name)
                .ok_or_else(|| format!("data.{name} is missing"))
        };
        let verifier_key = |name: &str| {
            member(name)?
                .as_str()
                .and_then(|text| VerifierKey::parse(text).ok())
                .ok_or_else(|| format!("data.{name} is not a note verifier key"))
        };
        let log_key = verifier_key("log_key")?;
        let previous_log_key = verifier_key("previous_log_key")?;
        let tree_size = member("tree_size")?
            .as_u64()
            .ok_or("data.tree_size is not a non-negative integer")?;
        let root: Hash = decode_base64(member("root")?)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("data.root is not base64 of 32 bytes")?;
        let sig: [u8; Signature::BYTE_SIZE] = decode_base64(member("log_key_sig")?)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("data.log_key_sig is not base64 of 64 bytes")?;
        let rotation = Rotation {
            origin: origin.to_owned(),
            tree_size,
            root,
            previous_log_key,
            log_key,
        };
        Ok((rotation, Signature::from_bytes(&sig)))
    }
}

/// A JSON string value decoded as standard base64 with padding.
fn decode_base64(value: &Value) -> Option<Vec<u8>> {
    BASE64.decode(value.as_str()?).ok()
}

/// The canonical JSON spelling of a string (quotes and JCS escapes included).
fn canonical_string(text: &str) -> Vec<u8> {
    // Serializing a string value cannot fail: only numbers and depth can.
    canonical::to_bytes(&Value::String(text.to_owned())).unwrap_or_default()
}

/// The keys a log has been signed by, oldest first, each with the first index it signs.
///
/// The genesis key signs from index 0; a rotation at index `r` is signed by the key in
/// force, and its new key signs from `r + 1`. Built by the [auditor](crate::audit::Auditor)
/// as it reads the log; the server keeps one to know which key signs what, and exports it
/// as `log.pub` ([`to_log_pub`](LogKeyChain::to_log_pub)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKeyChain {
    /// (first index signed, key), with first indexes strictly increasing from 0.
    spans: Vec<(u64, VerifierKey)>,
}

impl LogKeyChain {
    /// The chain of a log whose genesis names `genesis`: that key signs from index 0.
    pub fn new(genesis: VerifierKey) -> Self {
        LogKeyChain {
            spans: vec![(0, genesis)],
        }
    }

    /// The key in force: the one that signs the next entry.
    pub fn current(&self) -> &VerifierKey {
        // `spans` is never empty: `new` puts the genesis key in and nothing removes it.
        &self.spans[self.spans.len() - 1].1
    }

    /// The key that signs entry `index`: the last key whose span starts at or before it.
    pub fn key_at(&self, index: u64) -> &VerifierKey {
        // The first span starts at 0, so at least one span starts at or before `index`.
        let after = self.spans.partition_point(|(first, _)| *first <= index);
        &self.spans[after.saturating_sub(1)].1
    }

    /// Records the rotation entry at `rotation_index`, which the key in force signs:
    /// `key` signs from `rotation_index + 1`.
    ///
    /// # Panics
    /// If `rotation_index` is before the first index the key in force signs: a rotation
    /// entry is signed by the key in force, so it cannot come before that key's span.
    pub fn push(&mut self, rotation_index: u64, key: VerifierKey) {
        let current_first = self.spans[self.spans.len() - 1].0;
        assert!(
            rotation_index >= current_first,
            "rotation at index {rotation_index}, before the key in force signs (from {current_first})"
        );
        self.spans.push((rotation_index.saturating_add(1), key));
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> impl Iterator<Item = &VerifierKey> {
        self.spans.iter().map(|(_, key)| key)
    }

    /// Every key with the first index it signs, oldest first.
    pub fn spans(&self) -> &[(u64, VerifierKey)] {
        &self.spans
    }

    /// Whether the chain holds a key with the same name and public key.
    pub fn contains(&self, key: &VerifierKey) -> bool {
        self.keys()
            .any(|known| known.name == key.name && known.key == key.key)
    }

    /// Number of keys: the number of rotations plus one.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Always `false`: a chain holds at least its genesis key.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Follows the chain through entries read in log order and already verified (by the
    /// append path that wrote them, or by `sijill verify` before an import): entry 0 starts
    /// it with the key its `data.log_key` names, and each `LogKeyRotated` entry on
    /// `log/key` adds the key it names. It checks nothing; the [auditor](crate::audit::Auditor)
    /// is what checks a log that is not trusted yet.
    pub fn follow(chain: &mut Option<Self>, entry: &Entry) {
        let named = || {
            entry
                .data
                .get("log_key")
                .and_then(Value::as_str)
                .and_then(|k| VerifierKey::parse(k).ok())
        };
        match chain {
            None if entry.index == 0 => *chain = named().map(Self::new),
            Some(keys) if entry.event_type == ROTATION_EVENT && entry.stream == ROTATION_STREAM => {
                if let Some(key) = named() {
                    keys.push(entry.index, key);
                }
            }
            _ => {}
        }
    }

    /// The export's `log.pub`: one note verifier key string per line, oldest first, each
    /// followed by a line feed.
    pub fn to_log_pub(&self) -> String {
        self.keys().map(|key| format!("{key}\n")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// From the test suites of other signed-note implementations (see `note.rs`).
    const FOO_KEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";

    fn signing(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn verifier(name: &str, seed: u8) -> VerifierKey {
        VerifierKey::new(name, signing(seed).verifying_key())
    }

    fn example() -> Rotation {
        Rotation {
            origin: "example.com/foo".into(),
            tree_size: 7,
            root: [0; 32],
            previous_log_key: VerifierKey::parse(FOO_KEY).unwrap(),
            log_key: verifier("example.com/foo", 1),
        }
    }

    #[test]
    fn message_is_the_canonical_object_of_five_members() {
        let rotation = example();
        // The new key's string, fixed so a change in how keys are written shows here too.
        assert_eq!(
            rotation.log_key.to_string(),
            "example.com/foo+5fdb64a3+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"
        );
        // Members sorted by name, no spaces, the root in base64, the integer in decimal.
        let expected = concat!(
            r#"{"log_key":"example.com/foo+5fdb64a3+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c","#,
            r#""origin":"example.com/foo","#,
            r#""previous_log_key":"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k","#,
            r#""root":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","#,
            r#""tree_size":7}"#,
        );
        assert_eq!(String::from_utf8(rotation.message()).unwrap(), expected);
    }

    #[test]
    fn message_escapes_the_origin_like_rfc_8785() {
        let mut rotation = example();
        rotation.origin = "a\"b\\c\u{e9}\u{2028}".into();
        let expected = canonical::to_bytes(&json!({
            "tree_size": 7,
            "root": BASE64.encode([0; 32]),
            "previous_log_key": FOO_KEY,
            "origin": "a\"b\\c\u{e9}\u{2028}",
            "log_key": rotation.log_key.to_string(),
        }))
        .unwrap();
        assert_eq!(rotation.message(), expected);
    }

    #[test]
    fn signature_by_the_new_key_verifies_and_others_do_not() {
        let rotation = example();
        let sig = rotation.sign(&signing(1));
        assert!(rotation.verify(&sig));
        assert!(!rotation.verify(&rotation.sign(&signing(2))));
        let mut other = rotation.clone();
        other.tree_size = 8;
        assert!(!other.verify(&sig), "the signature covers the tree size");
    }

    #[test]
    fn from_data_names_the_bad_member() {
        let rotation = example();
        let sig = rotation.sign(&signing(1));
        let good = Value::Object(rotation.data_members(&sig));
        let with = |name: &str, value: Value| {
            let mut data = good.clone();
            data[name] = value;
            Rotation::from_data("example.com/foo", &data).unwrap_err()
        };
        assert_eq!(
            with("root", json!("AAAA")),
            "data.root is not base64 of 32 bytes"
        );
        assert_eq!(
            with("log_key_sig", json!(BASE64.encode([0; 32]))),
            "data.log_key_sig is not base64 of 64 bytes"
        );
        assert_eq!(
            with("tree_size", json!(-1)),
            "data.tree_size is not a non-negative integer"
        );
        assert_eq!(
            with("log_key", json!("not a key")),
            "data.log_key is not a note verifier key"
        );
        assert_eq!(
            with("previous_log_key", json!(7)),
            "data.previous_log_key is not a note verifier key"
        );
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("root");
        assert_eq!(
            Rotation::from_data("example.com/foo", &missing).unwrap_err(),
            "data.root is missing"
        );
        assert_eq!(
            Rotation::from_data("example.com/foo", &json!([])).unwrap_err(),
            "data is not an object"
        );
    }

    #[test]
    fn chain_spans_and_log_pub() {
        let (a, b, c) = (verifier("o", 1), verifier("o", 2), verifier("o", 3));
        let mut chain = LogKeyChain::new(a.clone());
        assert_eq!((chain.len(), chain.is_empty()), (1, false));
        chain.push(4, b.clone());
        chain.push(5, c.clone());
        assert_eq!(
            chain.spans(),
            &[(0, a.clone()), (5, b.clone()), (6, c.clone())]
        );
        assert_eq!(chain.key_at(0), &a);
        assert_eq!(
            chain.key_at(4),
            &a,
            "a rotation entry is signed by the old key"
        );
        assert_eq!(chain.key_at(5), &b);
        assert_eq!(chain.key_at(u64::MAX), &c);
        assert_eq!(chain.current(), &c);
        assert!(chain.contains(&b));
        assert!(!chain.contains(&verifier("o", 4)));
        assert!(!chain.contains(&verifier("p", 2)), "same key, other name");
        assert_eq!(chain.to_log_pub(), format!("{a}\n{b}\n{c}\n"));
        assert_eq!(chain.keys().cloned().collect::<Vec<_>>(), vec![a, b, c]);
    }

    #[test]
    #[should_panic(expected = "before the key in force signs")]
    fn rotation_before_the_current_span_panics() {
        let mut chain = LogKeyChain::new(verifier("o", 1));
        chain.push(4, verifier("o", 2));
        chain.push(3, verifier("o", 3));
    }

    proptest! {
        /// `key_at` against a naive model: the key of entry i is the genesis key plus one
        /// for every rotation entry strictly before i.
        #[test]
        fn key_at_matches_a_naive_model(
            gaps in proptest::collection::vec(0u64..5, 0..8),
            queries in proptest::collection::vec(0u64..60, 1..30),
        ) {
            // Rotation indexes: each at or after the previous new key's first index.
            let mut rotations = Vec::new();
            let mut next = 0u64;
            for gap in gaps {
                let at = next + gap;
                rotations.push(at);
                next = at + 1;
            }
            let keys: Vec<VerifierKey> = (0..=rotations.len())
                .map(|n| verifier("o", u8::try_from(n + 1).unwrap()))
                .collect();
            let mut chain = LogKeyChain::new(keys[0].clone());
            for (n, &at) in rotations.iter().enumerate() {
                chain.push(at, keys[n + 1].clone());
            }
            for index in queries.into_iter().chain(rotations.iter().copied()) {
                let model = rotations.iter().filter(|&&at| at < index).count();
                prop_assert_eq!(chain.key_at(index), &keys[model]);
            }
            prop_assert_eq!(chain.current(), keys.last().unwrap());
        }

        /// Whatever a rotation says, its data members read back as the same rotation and
        /// signature, through canonical bytes as an entry stores them, and its message is the
        /// canonical serialization of the five members.
        #[test]
        fn data_members_round_trip(
            origin in "[a-z0-9./\u{e9}\"\\\\-]{1,30}",
            tree_size in 0u64..(1 << 53),
            root in proptest::array::uniform32(any::<u8>()),
            old_seed in any::<u8>(),
            new_seed in any::<u8>(),
        ) {
            let rotation = Rotation {
                origin: origin.clone(),
                tree_size,
                root,
                previous_log_key: verifier(&origin, old_seed),
                log_key: verifier(&origin, new_seed),
            };
            let sig = rotation.sign(&signing(new_seed));
            let mut data = rotation.data_members(&sig);
            data.insert("extra".into(), json!("ignored"));
            let bytes = canonical::to_bytes(&Value::Object(data)).unwrap();
            let stored = canonical::parse_canonical(&bytes).unwrap();
            let (read, read_sig) = Rotation::from_data(&origin, &stored).unwrap();
            prop_assert_eq!(&read, &rotation);
            prop_assert_eq!(read_sig, sig);
            prop_assert!(read.verify(&read_sig));
            let expected = canonical::to_bytes(&json!({
                "log_key": rotation.log_key.to_string(),
                "origin": origin,
                "previous_log_key": rotation.previous_log_key.to_string(),
                "root": BASE64.encode(root),
                "tree_size": tree_size,
            })).unwrap();
            prop_assert_eq!(rotation.message(), expected);
        }
    }
}

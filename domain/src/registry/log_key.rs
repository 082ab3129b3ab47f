//! The `log/key` aggregate: the rotations of the log's own signing key.
//!
//! The log key signs every entry and checkpoint. An administrator rotates it with
//! `RotateLogKey`, naming the new key's note verifier string; the ledger then signs the
//! rotation entry with the old key and adds, under the append lock, what only the log's
//! position can give (`previous_log_key`, `tree_size`, `root`) and the new key's signature
//! over them (`log_key_sig`), so the entry is signed by both keys. Entries after it are
//! signed by the new key (docs/key-rotation.md).
//!
//! What this aggregate decides is what its own history can tell: the key is a well-formed
//! note verifier key string, and no earlier rotation named it. The rules that need the log
//! (the key's name is the origin, it is not the genesis key, the server holds its private
//! half) are the append path's, which sees the log as it is under the lock.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use ledger::note::VerifierKey;
use serde::{Deserialize, Serialize};

use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services};

/// The one aggregate id of the `log` stream type: every rotation is on `log/key`.
pub const LOG_KEY_ID: &str = "key";

/// Body of `RotateLogKey`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateLogKey {
    /// The new key's note verifier key string (`<origin>+<key id>+<base64>`).
    pub log_key: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogKeyCommand {
    Rotate(RotateLogKey),
}

/// `data` of `LogKeyRotated`: the body, then the members the ledger adds when it appends
/// the entry. The domain produces the body only; an entry read back carries all of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogKeyRotated {
    pub log_key: String,
    /// The key in force before, which signs this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_log_key: Option<String>,
    /// The number of entries before this one (its index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_size: Option<u64>,
    /// Base64 Merkle tree hash of the entries before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Base64 signature by the new key over the rotation message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_key_sig: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum LogKeyEvent {
    LogKeyRotated(LogKeyRotated),
}

impl DomainEvent for LogKeyEvent {
    fn event_type(&self) -> String {
        match self {
            Self::LogKeyRotated(_) => event::LOG_KEY_ROTATED.into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for LogKeyEvent {
    const STREAM_TYPE: &'static str = stream::LOG;
    const TYPES: &'static [&'static str] = &[event::LOG_KEY_ROTATED];
}

/// The keys earlier rotations named, oldest first.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogKey {
    rotated_to: Vec<String>,
}

impl Aggregate for LogKey {
    const TYPE: &'static str = "log";
    type Command = LogKeyCommand;
    type Event = LogKeyEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            LogKeyCommand::Rotate(body) => self.rotate(body)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            LogKeyEvent::LogKeyRotated(e) => self.rotated_to.push(e.log_key),
        }
    }
}

impl LogKey {
    fn rotate(&self, body: RotateLogKey) -> Result<LogKeyEvent, DomainError> {
        let key = VerifierKey::parse(&body.log_key).map_err(|e| {
            DomainError::invalid(
                "invalid_log_key",
                format!("log_key is not a note verifier key string: {e}"),
            )
        })?;
        // Written back in its one canonical spelling, so that "used before" compares keys,
        // not spellings, and the entry names the key exactly as log.pub will.
        let log_key = key.to_string();
        if log_key != body.log_key {
            return Err(DomainError::invalid(
                "invalid_log_key",
                format!("log_key is not in canonical form; write it as {log_key}"),
            ));
        }
        if self.rotated_to.contains(&log_key) {
            return Err(DomainError::state(
                "log_key_used",
                "this key was the log key before; a log key is used once, ever",
            ));
        }
        Ok(LogKeyEvent::LogKeyRotated(LogKeyRotated {
            log_key,
            previous_log_key: None,
            tree_size: None,
            root: None,
            log_key_sig: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use ed25519_dalek::SigningKey;

    use super::*;
    use crate::registry::actor::tests::services;

    fn verifier(seed: u8) -> String {
        let key = SigningKey::from_bytes(&[seed; 32]);
        VerifierKey::new("sijill.local/ledger", key.verifying_key()).to_string()
    }

    fn rotate(log_key: &str) -> LogKeyCommand {
        LogKeyCommand::Rotate(RotateLogKey {
            log_key: log_key.to_owned(),
        })
    }

    fn rotated(log_key: &str) -> LogKeyEvent {
        LogKeyEvent::LogKeyRotated(LogKeyRotated {
            log_key: log_key.to_owned(),
            previous_log_key: None,
            tree_size: None,
            root: None,
            log_key_sig: None,
        })
    }

    #[test]
    fn a_well_formed_key_is_rotated_to() {
        TestFramework::<LogKey>::with(services())
            .given_no_previous_events()
            .when(rotate(&verifier(1)))
            .then_expect_events(vec![rotated(&verifier(1))]);
    }

    #[test]
    fn a_later_rotation_names_another_key() {
        TestFramework::<LogKey>::with(services())
            .given(vec![rotated(&verifier(1))])
            .when(rotate(&verifier(2)))
            .then_expect_events(vec![rotated(&verifier(2))]);
    }

    #[test]
    fn a_key_rotated_to_before_is_refused() {
        let err = TestFramework::<LogKey>::with(services())
            .given(vec![rotated(&verifier(1)), rotated(&verifier(2))])
            .when(rotate(&verifier(1)))
            .inspect_result()
            .unwrap_err();
        assert_eq!(err.code, "log_key_used");
    }

    #[test]
    fn a_malformed_key_is_refused() {
        let good = verifier(1);
        let (name, rest) = good.split_once('+').unwrap();
        for bad in [
            String::new(),
            "not a key".to_owned(),
            format!("{name}+{}", rest.replacen('+', "+00", 1)),
            good[..good.len() - 4].to_owned(),
        ] {
            let err = TestFramework::<LogKey>::with(services())
                .given_no_previous_events()
                .when(rotate(&bad))
                .inspect_result()
                .unwrap_err();
            assert_eq!(err.code, "invalid_log_key", "{bad:?}");
        }
    }

    #[test]
    fn the_event_data_is_the_body_and_reads_back_with_the_ledgers_members() {
        let event = rotated(&verifier(1));
        assert_eq!(event.to_data(), serde_json::json!({"log_key": verifier(1)}));
        let appended = serde_json::json!({
            "log_key": verifier(1), "previous_log_key": verifier(2), "tree_size": 7,
            "root": "AA==", "log_key_sig": "AA==",
        });
        let LogKeyEvent::LogKeyRotated(read) =
            LogKeyEvent::from_entry("LogKeyRotated", "1", appended).unwrap();
        assert_eq!(read.tree_size, Some(7));
        assert_eq!(read.previous_log_key, Some(verifier(2)));
        assert!(LogKeyEvent::from_entry(
            "LogKeyRotated",
            "1",
            serde_json::json!({"log_key": verifier(1), "extra": 1})
        )
        .is_err());
    }
}

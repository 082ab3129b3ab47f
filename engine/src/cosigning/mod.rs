//! The log's side of witnessing (`sijill serve --witness URL=VKEY ... --witness-quorum K`):
//! a background task sends each new checkpoint to the configured witnesses and keeps the
//! cosignatures they return, which `/v1/log/checkpoint` and the proof files then carry.
//!
//! Appends never wait for witnesses. The task wakes when the sequencer reports a new tree
//! size (and every few seconds, to retry witnesses that were down and to see appends made
//! by other processes sharing the database), reads the latest checkpoint, and asks each
//! witness in turn: `old` is the size that witness last cosigned (as far as this process
//! knows; 0 at first), with the consistency proof from there. A 409 tells the size the
//! witness holds; the task takes it and tries once more. Cosignatures are checked against
//! the witness's key before they are kept, so a witness cannot make the log serve garbage.

mod collector;

use std::str::FromStr;
use std::sync::RwLock;

use ledger::cosignature::{append_signature_lines, CosignerKey};
use ledger::note::split_note;

pub use collector::start;

/// A witness the log asks: where, and the key its cosignatures must verify with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessTarget {
    /// The witness's submission prefix (`POST <url>/add-checkpoint`).
    pub url: String,
    /// Its tlog-cosignature verifier key.
    pub key: CosignerKey,
}

impl FromStr for WitnessTarget {
    type Err = String;

    /// `URL=VKEY`: the URL holds no `=`, the key string starts after the first one.
    fn from_str(s: &str) -> Result<Self, String> {
        let (url, key) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not URL=WITNESS_KEY"))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("{url:?} is not an http(s) URL"));
        }
        let key = CosignerKey::parse(key).map_err(|e| format!("witness key {key:?}: {e}"))?;
        Ok(WitnessTarget {
            url: url.trim_end_matches('/').to_owned(),
            key,
        })
    }
}

/// Which witnesses to ask, and how many cosignatures make a checkpoint "cosigned".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WitnessPolicy {
    pub witnesses: Vec<WitnessTarget>,
    /// Default: all the witnesses.
    pub quorum: Option<usize>,
}

impl WitnessPolicy {
    /// The number of valid cosignatures a checkpoint needs to count as cosigned.
    pub fn quorum(&self) -> usize {
        self.quorum.unwrap_or(self.witnesses.len())
    }
}

/// The cosignatures collected so far, shared by the collector and the HTTP handlers.
#[derive(Debug, Default)]
pub struct Cosignatures {
    state: RwLock<Collected>,
}

#[derive(Debug, Default)]
struct Collected {
    /// The latest checkpoint's note text and the note with every cosignature got for it.
    latest: Option<(String, String)>,
    /// The largest checkpoint that reached the quorum: its size and cosigned note.
    quorum: Option<(u64, String)>,
}

impl Cosignatures {
    /// The note to serve for the log's checkpoint `note`: with the cosignatures collected
    /// for that very checkpoint, or as it is if none were (yet).
    pub fn serve(&self, note: &str) -> String {
        let Ok((text, _)) = split_note(note) else {
            return note.to_owned();
        };
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        match &state.latest {
            Some((body, cosigned)) if body == text => cosigned.clone(),
            _ => note.to_owned(),
        }
    }

    /// The largest checkpoint cosigned by a quorum, with its size.
    pub fn with_quorum(&self) -> Option<(u64, String)> {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        state.quorum.clone()
    }

    /// Records the cosignature lines got for the checkpoint `note` (of `size`), and
    /// whether they reach the quorum.
    fn record(&self, note: &str, size: u64, lines: &[String], quorum_met: bool) {
        let Ok((text, _)) = split_note(note) else {
            return;
        };
        let Ok(cosigned) = append_signature_lines(note, lines) else {
            return;
        };
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        state.latest = Some((text.to_owned(), cosigned.clone()));
        if quorum_met && !matches!(&state.quorum, Some((s, _)) if *s > size) {
            state.quorum = Some((size, cosigned));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witness_targets_parse() {
        let key = ledger::cosignature::Cosigner::new(
            "w.example",
            ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
        )
        .unwrap()
        .verifier();
        let target: WitnessTarget = format!("http://127.0.0.1:9/={key}").parse().unwrap();
        assert_eq!(target.url, "http://127.0.0.1:9");
        assert_eq!(target.key, key);
        assert!("http://x".parse::<WitnessTarget>().is_err());
        assert!(format!("ftp://x={key}").parse::<WitnessTarget>().is_err());
        assert!("http://x=w.example+00000000+AA=="
            .parse::<WitnessTarget>()
            .is_err());
    }
}

//! Records the story exactly as a client would: each step becomes a statement signed with
//! its actor's key and submitted through [`Service::submit_statement`], the same checks
//! and the same append path as `POST /v1/statements`; a report's document is stored first,
//! as `POST /v1/documents` stores it. Only the clock differs: it is set to the step's
//! instant before the statement is checked.
//!
//! The demo's keys are written to `DIR/keys/demo/<actor id>.key`, so that whoever runs the
//! demo can go on acting as any of its officials or associations with `sijill submit`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use ledger::{canonical, Auth, Statement};
use rand::RngCore;
use serde_json::Value;

use super::calendar::instant;
use super::script::{Step, ADMIN};
use engine::clock::ScriptableClock;
use engine::service::Service;

/// Signs and submits steps, holding the keys they need.
pub struct Recorder<'a> {
    service: &'a Service,
    clock: &'a ScriptableClock,
    key_dir: PathBuf,
    keys: HashMap<String, SigningKey>,
}

impl<'a> Recorder<'a> {
    /// `data` is the server's data folder: the administrator's key is read from
    /// `keys/admin.key` (the genesis entry's), the demo's keys go to `keys/demo/`.
    ///
    /// # Errors
    /// When the administrator's key cannot be read.
    pub fn new(
        service: &'a Service,
        clock: &'a ScriptableClock,
        data: &Path,
    ) -> Result<Self, String> {
        let admin_path = data.join("keys/admin.key");
        let admin = keys::load(&admin_path).map_err(|e| e.to_string())?;
        Ok(Self {
            service,
            clock,
            key_dir: data.join("keys/demo"),
            keys: HashMap::from([(ADMIN.to_owned(), admin)]),
        })
    }

    /// Where the demo's keys are written.
    pub fn key_dir(&self) -> &Path {
        &self.key_dir
    }

    /// The key of `actor`: loaded if a previous demo left it, made otherwise. A key left
    /// by a demo on another store is as good as a new one: this store never saw it.
    fn key(&mut self, actor: &str) -> Result<SigningKey, String> {
        if let Some(key) = self.keys.get(actor) {
            return Ok(key.clone());
        }
        let path = self.key_dir.join(format!("{actor}.key"));
        let key = if path.exists() {
            keys::load(&path)
        } else {
            keys::generate(&path)
        }
        .map_err(|e| e.to_string())?;
        self.keys.insert(actor.to_owned(), key.clone());
        Ok(key)
    }

    /// Records one step at its instant.
    ///
    /// # Errors
    /// The server's refusal, or a key or document that could not be stored, as a sentence
    /// naming the step.
    pub async fn record(&mut self, step: &Step) -> Result<(), String> {
        let context = |e: &dyn std::fmt::Display| {
            format!(
                "{} on {} at {}: {e}",
                step.command,
                step.stream,
                instant(step.at)
            )
        };
        self.clock.set(step.at);
        let signer = self.key(&step.signer).map_err(|e| context(&e))?;
        let mut body = step.body.clone();
        if let Some(actor) = &step.registers_key {
            let key = self.key(actor).map_err(|e| context(&e))?;
            body["public_key"] = Value::String(keys::public_b64(&key));
        }
        if let Some(document) = &step.document {
            // What the documents endpoint does once it has checked the upload's signature,
            // which the demo's own key makes certain.
            self.service
                .db
                .put_document(
                    &to_hex(&sha256(document)),
                    document,
                    &keys::public_b64(&signer),
                )
                .await
                .map_err(|e| context(&e))?;
        }
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let statement = Statement {
            origin: self.service.origin.clone(),
            command: step.command.to_owned(),
            stream: step.stream.clone(),
            body,
            issued_at: instant(step.at),
            nonce: hex::encode(nonce),
        };
        let auth = Auth::sign(statement, &signer);
        let bytes = canonical::to_bytes(&auth.to_value()).map_err(|e| context(&e))?;
        self.service
            .submit_statement(&bytes)
            .await
            .map(|_| ())
            .map_err(|e| context(&e))
    }
}

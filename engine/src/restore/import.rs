//! `sijill import DIR`: rebuilds an empty store from an export folder and the data
//! folder's log key, so that `sijill serve` on it serves the same checkpoint.
//!
//! In order: the log key must be the one the export's genesis names (with its origin); the
//! export is verified exactly as `sijill verify --log-key <that key>` would (a failure is
//! its `index I: reason` line, exit 1); then, in ONE transaction holding the append lock,
//! the store is checked empty and receives the entries' exact bytes as cqrs-es event rows,
//! the Merkle nodes, the nonces (rebuilt from the entries' `auth`, with the answer each
//! statement got), document names, withheld documents, the documents of `DIR/documents`
//! and, written last, the state row with a checkpoint signed by the log key. A crash or an
//! error at any point leaves the store as empty as it was: nothing half-imported can serve.
//!
//! What the log does not hold is not imported: the personal-data store and the client
//! tokens of public comments (`sijill persons-restore`), and the read models, which the
//! projectors rebuild when the server starts.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use indicatif::{ProgressBar, ProgressStyle};
use ledger::hash::{sha256, to_hex};
use ledger::merkle::{Frontier, NodeId};
use ledger::rotation::LogKeyChain;
use ledger::{Checkpoint, Hash, SignedEntry, VerifierKey};
use serde_json::json;

use super::{db_error, finish, io_error, Stop, StoreArgs};
use crate::log_keys::LogKeyRing;
use crate::sequencer::{Appended, AppendedEntry};
use audit::export::VerifyOutcome;
use store::{BatchWrite, Db, DocumentRow, EventRow, NonceRow, StateRow};

/// Entries written per [`Db::write_batch`] call; all of them in the one transaction.
const ENTRIES_PER_WRITE: usize = 1000;
/// Document names (and withholdings) per call: on PostgreSQL a call is one statement, and
/// entries that name many documents must not take it past 65,535 bound parameters.
const NAMES_PER_WRITE: usize = 4000;

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub size: u64,
    pub root: Hash,
    pub documents: u64,
    pub nonces: u64,
    /// Whether the checkpoint written is byte for byte the export's.
    pub same_checkpoint: bool,
}

/// `sijill import`: runs [`import`] and reports (exit 0, 1 when the export does not
/// verify, 2 when refused).
pub async fn run(dir: &Path, store: &StoreArgs) -> ExitCode {
    let outcome = import(dir, store, true).await.map(|i| {
        format!(
            "imported {} entries, root {}\n{} nonces, {} documents; checkpoint {}\n",
            i.size,
            BASE64.encode(i.root),
            i.nonces,
            i.documents,
            if i.same_checkpoint {
                "identical to the export's"
            } else {
                "re-signed by the log key (the export's has other signatures)"
            }
        )
    });
    finish("import", outcome)
}

/// Imports the export folder `dir` into the empty store of `store`. With `progress`, bars
/// are drawn on standard error when it is a terminal.
///
/// # Errors
/// [`Stop::Failed`] with the verifier's `index I: reason` when the export does not verify;
/// [`Stop::Refused`] when the log key does not match the export, the store is not empty,
/// or a file or the database fails. In every case the store is left as it was.
pub async fn import(dir: &Path, store: &StoreArgs, progress: bool) -> Result<Imported, Stop> {
    let log_key = store.log_key()?;
    let (origin, verifier) = genesis_log_key(dir)?;
    let ours = VerifierKey::new(&origin, log_key.verifying_key()).to_string();
    if ours != verifier {
        return Err(Stop::Refused(format!(
            "the export's genesis names the log key {verifier}, but {} holds {ours}",
            store.log_key_path().display()
        )));
    }
    // Verified against the data folder's key, not DIR/log.pub: the export must be this
    // key's log, whatever the folder claims.
    let (dir_owned, key) = (dir.to_owned(), ours.clone());
    let verified =
        tokio::task::spawn_blocking(move || super::export_dir::verify(&dir_owned, &key, progress))
            .await
            .map_err(|e| Stop::Refused(format!("verification stopped: {e}")))?;
    let (size, root) = match verified {
        VerifyOutcome::Verified { size, root } => (size, root),
        VerifyOutcome::Failed(failure) => return Err(Stop::Failed(failure.to_string())),
        VerifyOutcome::Usage(message) => return Err(Stop::Refused(message)),
    };
    let db = store.open(true).await?;
    let export_note = std::fs::read_to_string(dir.join("checkpoint"))
        .map_err(|e| io_error(&dir.join("checkpoint"), e))?;
    // The key in force at each checkpoint the import writes signs it: after a rotation, a
    // rotation key of the data folder.
    let keys = LogKeyRing::load(&store.data.join("keys"), &origin, log_key)
        .map_err(|e| Stop::Refused(e.to_string()))?;
    let writer = Writer {
        db: &db,
        keys: &keys,
        origin: &origin,
        verifier: &ours,
    };
    let (imported_size, imported_root, documents, nonces, note) =
        writer.write(dir, size, progress).await?;
    // The bytes written are the bytes verified: their tree is the verified one.
    if (imported_size, imported_root) != (size, root) {
        return Err(Stop::Refused(
            "the export changed while it was imported; nothing was written".into(),
        ));
    }
    Ok(Imported {
        size,
        root,
        documents,
        nonces,
        same_checkpoint: note == export_note,
    })
}

/// The origin and log key the export's genesis entry (its first line) names.
fn genesis_log_key(dir: &Path) -> Result<(String, String), Stop> {
    let path = dir.join("entries.jsonl");
    let file = File::open(&path).map_err(|e| io_error(&path, e))?;
    let mut first = Vec::new();
    read_line(&mut BufReader::new(file), &mut first).map_err(|e| io_error(&path, e))?;
    // A malformed genesis is the verifier's to report, with its index.
    let field = |name: &str| -> Option<String> {
        let signed = SignedEntry::parse(&first).ok()?;
        let value = signed.entry.data.get(name)?.as_str()?.to_owned();
        (signed.entry.index == 0).then_some(value)
    };
    match (field("origin"), field("log_key")) {
        (Some(origin), Some(key)) => Ok((origin, key)),
        _ => Err(Stop::Failed(
            "index 0: the genesis entry does not name an origin and a log key".into(),
        )),
    }
}

/// Reads one line (at most one entry's size plus its line feed) without its `\n`;
/// returns the bytes read (0 at the end of the file).
fn read_line(reader: &mut impl BufRead, into: &mut Vec<u8>) -> std::io::Result<usize> {
    into.clear();
    let limit = ledger::entry::MAX_ENTRY_BYTES as u64 + 1;
    let n = std::io::Read::take(reader, limit).read_until(b'\n', into)?;
    if into.last() == Some(&b'\n') {
        into.pop();
    }
    Ok(n)
}

struct Writer<'a> {
    db: &'a Db,
    keys: &'a LogKeyRing,
    origin: &'a str,
    verifier: &'a str,
}

/// The command being read: its `auth` entry and the entries that refer to it with
/// `auth_at`, whose nonce row is written once the command's last entry is read.
struct OpenCommand {
    index: u64,
    actor: String,
    nonce: String,
    statement_hash: Hash,
    entries: Vec<AppendedEntry>,
}

impl OpenCommand {
    /// The nonce row the append path wrote for this command: its answer is the 201 body
    /// of `POST /v1/statements` ([`Appended::response`]), which an identical retry gets.
    fn into_nonce(self) -> NonceRow {
        NonceRow {
            actor: self.actor,
            nonce: self.nonce,
            statement_hash: self.statement_hash,
            response: Appended {
                entries: self.entries,
            }
            .response()
            .to_string(),
        }
    }
}

/// One write's worth of rows.
#[derive(Default)]
struct Rows {
    events: Vec<EventRow>,
    nodes: Vec<(NodeId, Hash)>,
    nonces: Vec<NonceRow>,
    names: Vec<(String, u64)>,
    withheld: Vec<(String, u64)>,
}

impl Writer<'_> {
    /// Writes everything in one transaction; returns the size and root of what it wrote,
    /// the documents and nonces written, and the checkpoint note stored.
    async fn write(
        &self,
        dir: &Path,
        size: u64,
        progress: bool,
    ) -> Result<(u64, Hash, u64, u64, String), Stop> {
        let (mut tx, state) = self.db.begin_append().await.map_err(db_error)?;
        if let Some(table) = self
            .db
            .first_nonempty_table(&mut tx, state.tree_size)
            .await
            .map_err(db_error)?
        {
            return Err(Stop::Refused(format!(
                "the store is not empty ({table} holds rows): import only into a new, empty database"
            )));
        }
        let bar = bar(size, progress);
        let path = dir.join("entries.jsonl");
        let mut reader = BufReader::new(File::open(&path).map_err(|e| io_error(&path, e))?);
        let mut frontier = Frontier::new();
        let mut rows = Rows::default();
        let mut open: Option<OpenCommand> = None;
        // Which documents the entries name and withhold, and who first named each (the
        // documents table keeps an uploader; the export does not say who uploaded).
        let mut named: HashMap<String, String> = HashMap::new();
        let mut withheld: HashSet<String> = HashSet::new();
        let mut nonces = 0u64;
        let mut last_recorded_at = None;
        let mut chain: Option<LogKeyChain> = None;
        let mut line = Vec::new();
        while frontier.size() < size {
            if read_line(&mut reader, &mut line).map_err(|e| io_error(&path, e))? == 0 {
                break;
            }
            let signed = SignedEntry::parse(&line).map_err(|e| {
                Stop::Refused(format!(
                    "entry {}: {e} (the export changed after it was verified)",
                    frontier.size()
                ))
            })?;
            let entry = &signed.entry;
            if entry.index != frontier.size() {
                return Err(Stop::Refused(format!(
                    "entry {} where {} was expected (the export changed after it was verified)",
                    entry.index,
                    frontier.size()
                )));
            }
            // A command's entries are consecutive: the first carries `auth`, the others
            // `auth_at` pointing at it. Any other entry closes the command before it.
            let continues = matches!((&open, entry.auth_at), (Some(c), Some(at)) if c.index == at);
            if !continues {
                if let Some(done) = open.take() {
                    rows.nonces.push(done.into_nonce());
                    nonces += 1;
                }
                if let Some(auth) = &entry.auth {
                    open = Some(OpenCommand {
                        index: entry.index,
                        actor: auth.actor_b64(),
                        nonce: auth.statement.nonce.clone(),
                        statement_hash: auth.statement_hash(),
                        entries: Vec::new(),
                    });
                }
            }
            let actor = match (&open, continues || entry.auth.is_some()) {
                (Some(c), true) => c.actor.clone(),
                _ => "public".to_owned(),
            };
            if let Some(c) = open.as_mut() {
                if continues || entry.auth.is_some() {
                    c.entries.push(AppendedEntry {
                        index: entry.index,
                        stream: entry.stream.clone(),
                        seq: entry.seq,
                        event_type: entry.event_type.clone(),
                        entry_hash: signed.hash,
                        bytes: Vec::new(),
                    });
                }
            }
            for doc in domain::document::listed_documents(&entry.data, "documents") {
                rows.names.push((doc.clone(), entry.index));
                named.entry(doc).or_insert_with(|| actor.clone());
            }
            // Read as the append path and the verifier read it: once per entry.
            let mut seen = HashSet::new();
            for doc in domain::document::listed_documents(&entry.data, "withheld") {
                if seen.insert(doc.clone()) {
                    rows.withheld.push((doc.clone(), entry.index));
                    withheld.insert(doc);
                }
            }
            let (stream_type, stream_id) = entry
                .stream
                .split_once('/')
                .unwrap_or((entry.stream.as_str(), ""));
            rows.events.push(EventRow {
                aggregate_type: stream_type.to_owned(),
                aggregate_id: stream_id.to_owned(),
                sequence: entry.seq,
                event_type: entry.event_type.clone(),
                event_version: entry.version.clone(),
                payload: entry.data.to_string(),
                metadata: json!({ "actor": actor }).to_string(),
                log_index: entry.index,
                entry: signed.bytes.clone(),
                entry_hash: signed.hash,
                recorded_at: entry.recorded_at.to_entry_string(),
            });
            last_recorded_at = Some(entry.recorded_at.to_entry_string());
            LogKeyChain::follow(&mut chain, entry);
            frontier.append(signed.leaf_hash(), &mut rows.nodes);
            if rows.events.len() >= ENTRIES_PER_WRITE
                || rows.names.len() + rows.withheld.len() >= NAMES_PER_WRITE
            {
                self.flush(&mut tx, &mut rows, &frontier, &last_recorded_at, &chain)
                    .await?;
                bar.set_position(frontier.size());
            }
        }
        if let Some(done) = open.take() {
            rows.nonces.push(done.into_nonce());
            nonces += 1;
        }
        let documents = self
            .write_documents(&mut tx, dir, &named, &withheld)
            .await?;
        // The state row last: it is what makes the store a log that serves.
        let note = self
            .flush(&mut tx, &mut rows, &frontier, &last_recorded_at, &chain)
            .await?;
        bar.finish_and_clear();
        if frontier.size() != size {
            // Dropping the transaction rolls everything back.
            return Err(Stop::Refused(format!(
                "the export holds {} entries, its checkpoint {size}; nothing was written",
                frontier.size()
            )));
        }
        tx.commit().await.map_err(db_error)?;
        Ok((frontier.size(), frontier.root(), documents, nonces, note))
    }

    /// Writes the rows gathered so far through the append path's own writer, with the
    /// state row of the tree so far; returns the checkpoint note written.
    async fn flush(
        &self,
        tx: &mut store::AppendTx,
        rows: &mut Rows,
        frontier: &Frontier,
        last_recorded_at: &Option<String>,
        chain: &Option<LogKeyChain>,
    ) -> Result<String, Stop> {
        let checkpoint = Checkpoint {
            origin: self.origin.to_owned(),
            size: frontier.size(),
            root: frontier.root(),
        };
        let note = self
            .keys
            .sign_checkpoint(&checkpoint, chain.as_ref())
            .map_err(|e| {
                Stop::Refused(format!(
                    "cannot sign the checkpoint: {e} (copy the log's rotation key files into DATA/keys); nothing was written"
                ))
            })?;
        let state = StateRow {
            origin: Some(self.origin.to_owned()),
            log_key: Some(self.verifier.to_owned()),
            tree_size: frontier.size(),
            frontier: frontier.to_bytes(),
            last_recorded_at: last_recorded_at.clone(),
        };
        let batch = BatchWrite {
            events: &rows.events,
            nodes: &rows.nodes,
            nonces: &rows.nonces,
            document_names: &rows.names,
            withheld_documents: &rows.withheld,
            client_tokens: &[],
            new_documents: &[],
            state: &state,
            checkpoint: &note,
        };
        self.db.write_batch(tx, &batch).await.map_err(db_error)?;
        *rows = Rows::default();
        Ok(note)
    }

    /// Writes the documents of `DIR/documents` that some entry names and none withholds,
    /// one at a time (a document may be large), each checked against its name (the
    /// verifier did, but the bytes are read again here). Returns how many were written.
    async fn write_documents(
        &self,
        tx: &mut store::AppendTx,
        dir: &Path,
        named: &HashMap<String, String>,
        withheld: &HashSet<String>,
    ) -> Result<u64, Stop> {
        let mut names: Vec<(&String, &String)> = named.iter().collect();
        names.sort();
        let mut written = 0;
        for (sha, uploaded_by) in names {
            if withheld.contains(sha) {
                continue;
            }
            let path = dir.join("documents").join(sha);
            let content = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                // Named but absent: the verifier accepted it, so there is nothing to serve.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&path, e)),
            };
            if to_hex(&sha256(&content)) != *sha {
                return Err(Stop::Refused(format!(
                    "{} does not hash to its name (the export changed after it was verified)",
                    path.display()
                )));
            }
            let row = DocumentRow {
                sha256: sha.clone(),
                content,
                uploaded_by: uploaded_by.clone(),
            };
            self.db.insert_document(tx, &row).await.map_err(db_error)?;
            written += 1;
        }
        Ok(written)
    }
}

fn bar(size: u64, progress: bool) -> ProgressBar {
    let bar = if progress && std::io::stderr().is_terminal() {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} importing {pos}/{len} [{bar:40}] {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

//! Verification of an export folder or a mirror, streaming, as `sijill verify` and the
//! import of a backup run it.
//!
//! It reads `entries.jsonl` in chunks of a few thousand lines; each chunk is parsed on every
//! core ([`ParsedLine::new`]) and replayed in order into the [`Auditor`], then the documents
//! it names are hashed, while the signatures of the previous chunk are batch-verified on the
//! same pool. At the end the auditor checks the checkpoint. Files are read through
//! [`ExportFiles`], which the caller provides (a folder on disk, or bytes in memory), so this
//! crate opens nothing itself.
//!
//! Memory stays flat whatever the size of the export: at most two chunks (a few MiB each)
//! are in memory, and since an entry is at most 65,535 bytes, a longer line is refused
//! without being read whole. What grows is the auditor's state: streams, keys, nonces and
//! document names.
//!
//! Which failure is reported: the lowest index. Signatures are verified later than the
//! structural checks of their entry, so when the auditor reports a structural failure at
//! index `j`, the signatures it queued up to that point (all entries before `j`, and the
//! checks of `j` that come before the failing one) are verified first and win if one fails.
//! Document problems are reported only once every entry has passed, because a later entry
//! may withhold a document an earlier one names (and withheld documents are not exported).

use std::io::{self, BufRead, BufReader, Read};

use ledger::entry::MAX_ENTRY_BYTES;
use ledger::hash::{to_hex, Hash};
use ledger::statement::ActorKeys;
use ledger::VerifierKey;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub use crate::mirror::is_mirror;
use crate::{first_invalid, Auditor, DocumentProblem, Failure, ParsedLine, SigCheck, Verified};

/// The files of an export or a mirror, by their `/`-separated names inside it
/// (`entries.jsonl`, `documents/<sha256>`, `log/tile/0/000`).
pub trait ExportFiles: Sync {
    /// Opens the file `name` with its length in bytes, or `Ok(None)` if there is none.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    fn open(&self, name: &str) -> io::Result<Option<Opened<'_>>>;

    /// How messages name the file `name` (a folder gives its full path).
    fn show(&self, name: &str) -> String;
}

/// A file of an [`ExportFiles`], open for reading.
pub struct Opened<'a> {
    /// Its bytes.
    pub reader: Box<dyn Read + Send + 'a>,
    /// Its length, for the progress of a long read.
    pub len: u64,
}

/// What a long verification reports as it goes: the bytes of entries read so far.
pub trait Progress: Sync {
    /// `total` bytes of entries are to be read.
    fn start(&self, total: u64);
    /// `bytes` more were read.
    fn advance(&self, bytes: u64);
    /// Reading is over.
    fn finish(&self);
}

/// No progress reports.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// The verdict of [`verify_export`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Every check passed: the export holds `size` entries with this Merkle root, as a
    /// checkpoint signed by a trusted log key says (exit code 0).
    Verified {
        /// Number of entries.
        size: u64,
        /// RFC 9162 Merkle tree hash of the entries.
        root: ledger::Hash,
    },
    /// The first place where the export breaks the format (exit code 1).
    Failed(Failure),
    /// The export could not be read, or the arguments are wrong (exit code 2).
    Usage(String),
}

/// Verifies the export in `files`, trusting `log_key` (a note verifier key string) if
/// given, else the keys listed in its `log.pub`, and reporting the bytes of entries read to
/// `progress`.
///
/// Files without `entries.jsonl` but with `log/checkpoint` are read as a mirror
/// (`sijill mirror`, docs/tiles.md): same checks, plus every stored tile.
pub fn verify_export(
    files: &dyn ExportFiles,
    log_key: Option<&str>,
    progress: &dyn Progress,
) -> VerifyOutcome {
    let verified = match crate::mirror::is_mirror(files) {
        Ok(true) => crate::mirror::verify(files, log_key, progress, Chunks::DEFAULT),
        Ok(false) => verify(files, log_key, progress, Chunks::DEFAULT),
        Err(e) => Err(Stop::Usage(e.to_string())),
    };
    match verified {
        Ok(Verified { size, root }) => VerifyOutcome::Verified { size, root },
        Err(Stop::Failed(failure)) => VerifyOutcome::Failed(failure),
        Err(Stop::Usage(message)) => VerifyOutcome::Usage(message),
    }
}

/// Why verification stopped early.
pub(crate) enum Stop {
    Failed(Failure),
    Usage(String),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Self {
        Stop::Failed(failure)
    }
}

/// How many entries' signatures are gathered before a round of batch verification.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunks {
    /// At most this many entries per chunk.
    entries: usize,
    /// A chunk also ends once its lines reach this many bytes, which bounds the memory the
    /// signed messages take whatever the entries' sizes.
    bytes: usize,
}

impl Chunks {
    /// A few thousand entries: large enough for batches to pay off on every core, small
    /// enough to keep a few megabytes in flight.
    const DEFAULT: Chunks = Chunks {
        entries: 4096,
        bytes: 4 << 20,
    };
}

/// A line may hold an entry of at most this many bytes plus its line feed.
const LINE_LIMIT: u64 = MAX_ENTRY_BYTES as u64 + 1;

/// C2SP checkpoints are a few hundred bytes; anything much longer is not one.
pub(crate) const MAX_CHECKPOINT_BYTES: u64 = 64 * 1024;

/// `log.pub` holds a handful of key strings.
const MAX_LOG_PUB_BYTES: u64 = 64 * 1024;

/// The whole verification, in the order the format lists it.
fn verify(
    files: &dyn ExportFiles,
    log_key: Option<&str>,
    progress: &dyn Progress,
    chunks: Chunks,
) -> Result<Verified, Stop> {
    let keys = trusted_keys(files, log_key)?;
    // Read before the entries so a missing file is reported before minutes of work.
    let checkpoint = read_limited(files, "checkpoint", MAX_CHECKPOINT_BYTES)?;

    let file = open(files, "entries.jsonl")?;
    let entries = BufReader::with_capacity(1 << 20, file.reader);
    let run = Run {
        progress,
        chunks,
        cut: None,
    };
    verify_lines(keys, &checkpoint, entries, file.len, files, run)
}

/// How [`verify_lines`] runs.
pub(crate) struct Run<'a> {
    /// Where the bytes of entries read are reported.
    pub progress: &'a dyn Progress,
    /// Signature batching.
    pub chunks: Chunks,
    /// A failure found outside the entries (a mirror's tiles): the lines stop at or just
    /// after its index, and it is reported unless an entry fails first.
    pub cut: Option<Failure>,
}

/// Replays `lines` (an `entries.jsonl`, or a mirror's bundles written as one) and checks
/// the checkpoint note, as docs/spec/ledger-format.md (section 7.3) says.
pub(crate) fn verify_lines(
    keys: Vec<VerifierKey>,
    checkpoint: &[u8],
    mut lines: impl BufRead,
    total: u64,
    files: &dyn ExportFiles,
    run: Run<'_>,
) -> Result<Verified, Stop> {
    run.progress.start(total);
    let mut auditor = Auditor::new(keys);
    let replayed = replay(&mut auditor, &mut lines, files, run.progress, run.chunks);
    run.progress.finish();
    replayed?;
    if let Some(cut) = run.cut {
        // The lowest index wins, as everywhere.
        let first = auditor
            .document_failure()
            .filter(|d| d.index < cut.index)
            .unwrap_or(cut);
        return Err(first.into());
    }

    let unreadable = if checkpoint.len() as u64 > MAX_CHECKPOINT_BYTES {
        Some("file larger than 64 KiB")
    } else {
        std::str::from_utf8(checkpoint)
            .err()
            .map(|_| "not UTF-8 text")
    };
    if let Some(reason) = unreadable {
        // A document problem has a lower index than the checkpoint, so it comes first.
        let failure = auditor.document_failure().unwrap_or_else(|| Failure {
            index: auditor.size(),
            reason: format!("checkpoint: {reason}"),
        });
        return Err(failure.into());
    }
    Ok(auditor.finish(&String::from_utf8_lossy(checkpoint))?)
}

/// What `sijill verify` prints on standard error when no `--log-key` is given: the keys it
/// then trusts came in the folder it checks, so a forged folder brings its own key and
/// verifies; only a key obtained some other way says the log is the expected one.
pub fn unpinned_key_warning(files: &dyn ExportFiles) -> String {
    format!(
        "warning: no --log-key given: trusting the log key(s) in {}, which came with the \
         folder being checked. Anyone who can write the folder can choose them, so this \
         shows the folder is consistent, not that it is the log you expect. Pass the log's \
         key, obtained from a source you trust, with --log-key.",
        files.show("log.pub")
    )
}

/// The keys to trust: `--log-key` if given, else every line of `DIR/log.pub`.
pub(crate) fn trusted_keys(
    files: &dyn ExportFiles,
    log_key: Option<&str>,
) -> Result<Vec<VerifierKey>, Stop> {
    if let Some(text) = log_key {
        let key = VerifierKey::parse(text.trim())
            .map_err(|e| Stop::Usage(format!("--log-key is not a note verifier key: {e}")))?;
        return Ok(vec![key]);
    }
    let path = files.show("log.pub");
    let bytes = read_limited(files, "log.pub", MAX_LOG_PUB_BYTES)?;
    if bytes.len() as u64 > MAX_LOG_PUB_BYTES {
        return Err(Stop::Usage(format!("{} is too large", path)));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| Stop::Usage(format!("{} is not UTF-8 text", path)))?;
    let mut keys = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let key = VerifierKey::parse(line)
            .map_err(|e| Stop::Usage(format!("{} line {}: {e}", path, number + 1)))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(Stop::Usage(format!("{} holds no key", path)));
    }
    Ok(keys)
}

/// Opens `name`, which must exist.
fn open<'a>(files: &'a dyn ExportFiles, name: &str) -> Result<Opened<'a>, Stop> {
    match files.open(name) {
        Ok(Some(file)) => Ok(file),
        Ok(None) => Err(io_error(
            files,
            name,
            &io::Error::from(io::ErrorKind::NotFound),
        )),
        Err(e) => Err(io_error(files, name, &e)),
    }
}

/// Reads `name` up to `limit + 1` bytes, so the caller can tell an oversized file.
pub(crate) fn read_limited(
    files: &dyn ExportFiles,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, Stop> {
    let file = open(files, name)?;
    let mut bytes = Vec::new();
    file.reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(files, name, &e))?;
    Ok(bytes)
}

/// A run of consecutive lines of `entries.jsonl`, read into one buffer.
#[derive(Default)]
struct Chunk {
    /// The lines' bytes, line feeds removed.
    bytes: Vec<u8>,
    /// Where each line ends in `bytes`.
    ends: Vec<usize>,
    /// Why reading stopped after the last line, when the next one is malformed (too long,
    /// or without its line feed at the end of the file).
    broken: Option<String>,
    /// Whether the file ended with this chunk.
    last: bool,
}

impl Chunk {
    /// The lines, in order.
    fn lines(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let line = &self.bytes[start..end];
                start = end;
                line
            })
            .collect()
    }
}

/// Feeds every line to the auditor. Each chunk of lines is parsed on the rayon pool while
/// the previous chunk's signatures are verified there too, then replayed in order.
fn replay(
    auditor: &mut Auditor,
    reader: &mut impl BufRead,
    files: &dyn ExportFiles,
    progress: &dyn Progress,
    chunks: Chunks,
) -> Result<(), Stop> {
    let mut pending: Vec<SigCheck> = Vec::new();
    loop {
        let chunk = read_chunk(reader, progress, chunks)?;
        let mut next = Vec::new();
        let (invalid, replayed) = rayon::join(
            || first_invalid_on_all_cores(&pending),
            || {
                let structural = replay_chunk(auditor, &chunk, &mut next);
                check_documents(files, auditor)?;
                Ok::<_, Stop>(structural)
            },
        );
        // `pending` holds earlier entries than this chunk, so its failure is the lowest
        // index.
        if let Some(failure) = invalid {
            return Err(failure.into());
        }
        if let Some(structural) = replayed? {
            // The checks queued before the structural failure still come first.
            let first = first_invalid_on_all_cores(&next).unwrap_or(structural);
            return Err(first.into());
        }
        if chunk.last {
            return match first_invalid_on_all_cores(&next) {
                Some(failure) => Err(failure.into()),
                None => Ok(()),
            };
        }
        pending = next;
    }
}

/// Reads up to one chunk of lines.
fn read_chunk(
    reader: &mut impl BufRead,
    progress: &dyn Progress,
    chunks: Chunks,
) -> Result<Chunk, Stop> {
    let mut chunk = Chunk::default();
    while chunk.ends.len() < chunks.entries && chunk.bytes.len() < chunks.bytes {
        let start = chunk.bytes.len();
        // `take` bounds the read, so a hostile file without line feeds cannot make the
        // buffer grow past one entry.
        let read = Read::take(&mut *reader, LINE_LIMIT)
            .read_until(b'\n', &mut chunk.bytes)
            .map_err(|e| Stop::Usage(format!("reading entries.jsonl: {e}")))?;
        progress.advance(read as u64);
        if read == 0 {
            chunk.last = true;
            break;
        }
        if chunk.bytes.last() == Some(&b'\n') {
            chunk.bytes.pop();
            chunk.ends.push(chunk.bytes.len());
            continue;
        }
        chunk.bytes.truncate(start);
        chunk.broken = Some(if read as u64 == LINE_LIMIT {
            format!("entry longer than {MAX_ENTRY_BYTES} bytes")
        } else {
            "last line does not end with a line feed".to_owned()
        });
        break;
    }
    Ok(chunk)
}

/// Parses a chunk's lines in parallel and replays them in order, appending their
/// signature checks to `sigs`; returns the first structural failure.
fn replay_chunk(auditor: &mut Auditor, chunk: &Chunk, sigs: &mut Vec<SigCheck>) -> Option<Failure> {
    let parsed: Vec<ParsedLine> = chunk
        .lines()
        .into_par_iter()
        .map_init(ActorKeys::default, |keys, line| {
            ParsedLine::with_keys(line, keys)
        })
        .collect();
    for line in parsed {
        if let Err(failure) = auditor.push_parsed(line, sigs) {
            return Some(failure);
        }
    }
    chunk.broken.as_ref().map(|reason| Failure {
        index: auditor.size(),
        reason: reason.clone(),
    })
}

/// The first invalid signature among `checks`, verified as batches spread over the rayon
/// pool.
fn first_invalid_on_all_cores(checks: &[SigCheck]) -> Option<Failure> {
    if checks.is_empty() {
        return None;
    }
    // Two batches per thread let a thread that finishes early take over another's work;
    // below 64 signatures a batch no longer pays for itself.
    let threads = rayon::current_num_threads().max(1);
    let batch = checks.len().div_ceil(threads * 2).max(64);
    checks
        .par_chunks(batch)
        .enumerate()
        .filter_map(|(number, part)| first_invalid(part).map(|at| number * batch + at))
        .min()
        .map(|at| checks[at].failure())
}

/// Checks the documents named since the last call: each must be in `documents/` under its
/// hash. Problems go to the auditor, which reports them at the end unless an entry
/// withholds the document.
fn check_documents(files: &dyn ExportFiles, auditor: &mut Auditor) -> Result<(), Stop> {
    let named = auditor.take_named_documents();
    let problems: Vec<Option<(u64, Hash, DocumentProblem)>> = named
        .par_iter()
        .map(|&(index, hash)| Ok(check_document(files, &hash)?.map(|p| (index, hash, p))))
        .collect::<Result<_, Stop>>()?;
    for (index, hash, problem) in problems.into_iter().flatten() {
        auditor.document_problem(index, hash, problem);
    }
    Ok(())
}

/// Hashes one document file, streaming, and compares it with its name.
fn check_document(files: &dyn ExportFiles, hash: &Hash) -> Result<Option<DocumentProblem>, Stop> {
    let name = format!("documents/{}", to_hex(hash));
    let mut file = match files.open(&name) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(Some(DocumentProblem::Missing)),
        Err(e) => return Err(io_error(files, &name, &e)),
    };
    let mut hasher = Sha256::new();
    io::copy(&mut file.reader, &mut hasher).map_err(|e| io_error(files, &name, &e))?;
    if hasher.finalize().as_slice() != hash.as_slice() {
        return Ok(Some(DocumentProblem::Altered));
    }
    Ok(None)
}

/// An I/O error on `name`, as a usage error.
pub(crate) fn io_error(files: &dyn ExportFiles, name: &str, error: &io::Error) -> Stop {
    Stop::Usage(format!("{}: {error}", files.show(name)))
}

#[cfg(test)]
#[path = "../tests/support/log_builder.rs"]
mod log_builder;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ledger::hash::{sha256, to_hex};
    use serde_json::json;

    use super::log_builder::{key, sample_log, LogBuilder};
    use super::*;

    /// An export held in memory, by file name.
    #[derive(Default)]
    struct Files(BTreeMap<String, Vec<u8>>);

    impl Files {
        fn write(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
            self.0.insert(name.to_owned(), bytes.as_ref().to_vec());
        }

        fn remove(&mut self, name: &str) {
            assert!(self.0.remove(name).is_some(), "{name} was not there");
        }
    }

    impl ExportFiles for Files {
        fn open(&self, name: &str) -> io::Result<Option<Opened<'_>>> {
            Ok(self.0.get(name).map(|bytes| Opened {
                reader: Box::new(bytes.as_slice()),
                len: bytes.len() as u64,
            }))
        }

        fn show(&self, name: &str) -> String {
            format!("export/{name}")
        }
    }

    /// The export of `log`, with these documents.
    fn write_export(log: &LogBuilder, documents: &[&[u8]]) -> Files {
        let mut dir = Files::default();
        dir.write("entries.jsonl", log.jsonl());
        dir.write("checkpoint", log.checkpoint());
        dir.write("log.pub", format!("{}\n", log.verifier()));
        for document in documents {
            let name = to_hex(&sha256(document));
            dir.write(&format!("documents/{name}"), document);
        }
        dir
    }

    /// Verifies with tiny chunks, so that a handful of entries crosses several chunks.
    fn verify_small_chunks(dir: &Files) -> VerifyOutcome {
        let chunks = Chunks {
            entries: 2,
            bytes: 1 << 20,
        };
        match verify(dir, None, &Quiet, chunks) {
            Ok(Verified { size, root }) => VerifyOutcome::Verified { size, root },
            Err(Stop::Failed(failure)) => VerifyOutcome::Failed(failure),
            Err(Stop::Usage(message)) => VerifyOutcome::Usage(message),
        }
    }

    #[track_caller]
    fn assert_failed(outcome: VerifyOutcome, index: u64, reason: &str) {
        match outcome {
            VerifyOutcome::Failed(failure) => {
                assert_eq!(failure.index, index, "wrong index: {failure}");
                assert!(failure.reason.contains(reason), "wrong reason: {failure}");
            }
            other => panic!("expected a failure at index {index}, got {other:?}"),
        }
    }

    #[track_caller]
    fn assert_usage(outcome: VerifyOutcome, contains: &str) {
        match outcome {
            VerifyOutcome::Usage(message) => {
                assert!(message.contains(contains), "wrong message: {message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn honest_export_verifies() {
        let (log, document) = sample_log();
        let dir = write_export(&log, &[&document]);
        let expected = VerifyOutcome::Verified {
            size: log.lines.len() as u64,
            root: log.root(),
        };
        assert_eq!(verify_export(&dir, None, &Quiet), expected);
        assert_eq!(verify_small_chunks(&dir), expected);
    }

    #[test]
    fn log_key_argument_replaces_log_pub() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        dir.remove("log.pub");
        let trusted = log.verifier().to_string();
        assert!(matches!(
            verify_export(&dir, Some(&trusted), &Quiet),
            VerifyOutcome::Verified { .. }
        ));
        let stranger = LogBuilder::with_keys(key_of_other_log(), key(2)).verifier();
        assert_failed(
            verify_export(&dir, Some(&stranger.to_string()), &Quiet),
            0,
            "not a trusted log key",
        );
        assert_usage(verify_export(&dir, Some("nonsense"), &Quiet), "--log-key");
    }

    fn key_of_other_log() -> ed25519_dalek::SigningKey {
        key(42)
    }

    #[test]
    fn missing_files_are_usage_errors() {
        let (log, document) = sample_log();
        for file in ["log.pub", "checkpoint", "entries.jsonl"] {
            let mut dir = write_export(&log, &[&document]);
            dir.remove(file);
            assert_usage(verify_export(&dir, None, &Quiet), file);
        }
    }

    #[test]
    fn truncated_last_line_fails_at_its_index() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        let mut jsonl = log.jsonl();
        jsonl.truncate(jsonl.len() - 10);
        dir.write("entries.jsonl", &jsonl);
        let last = log.lines.len() as u64 - 1;
        assert_failed(
            verify_export(&dir, None, &Quiet),
            last,
            "does not end with a line feed",
        );
    }

    #[test]
    fn last_line_without_line_feed_fails_even_if_complete() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        let mut jsonl = log.jsonl();
        jsonl.pop();
        dir.write("entries.jsonl", &jsonl);
        let last = log.lines.len() as u64 - 1;
        assert_failed(verify_small_chunks(&dir), last, "line feed");
    }

    #[test]
    fn overlong_line_is_refused_without_reading_it_all() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        let mut jsonl = log.jsonl();
        jsonl.extend_from_slice(&vec![b'x'; 3 * MAX_ENTRY_BYTES]);
        dir.write("entries.jsonl", &jsonl);
        assert_failed(
            verify_export(&dir, None, &Quiet),
            log.lines.len() as u64,
            "entry longer than 65535 bytes",
        );
    }

    #[test]
    fn missing_document_fails_at_the_entry_naming_it() {
        let (log, document) = sample_log();
        let dir = write_export(&log, &[]);
        let sha = to_hex(&sha256(&document));
        let index = log.lines.len() as u64 - 1;
        assert_failed(
            verify_export(&dir, None, &Quiet),
            index,
            &format!("document {sha} missing"),
        );
    }

    #[test]
    fn altered_document_fails() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        let sha = to_hex(&sha256(&document));
        dir.write(&format!("documents/{sha}"), b"edited afterwards");
        let index = log.lines.len() as u64 - 1;
        assert_failed(
            verify_export(&dir, None, &Quiet),
            index,
            &format!("document {sha} does not match its hash"),
        );
    }

    #[test]
    fn withheld_document_may_be_absent() {
        let (mut log, document) = sample_log();
        let sha = to_hex(&sha256(&document));
        let moderator = key(6);
        log.register_actor("mod1", &moderator, &["moderator"]);
        let body = json!({"comment": 0, "grounds": "personal_data", "withheld": [sha]});
        log.command(
            &moderator,
            "ModerateComment",
            "consultation/C-1",
            "CommentModerated",
            body,
        );
        // Named again after its withholding: still excused.
        log.public(
            "consultation/C-1",
            "CommentQuoted",
            json!({"documents": [sha]}),
        );
        let dir = write_export(&log, &[]);
        assert!(matches!(
            verify_export(&dir, None, &Quiet),
            VerifyOutcome::Verified { .. }
        ));
        // With small chunks the absence is found chunks before the withholding entry.
        assert!(matches!(
            verify_small_chunks(&dir),
            VerifyOutcome::Verified { .. }
        ));
    }

    #[test]
    fn earliest_failure_wins_across_chunks() {
        let (mut log, document) = sample_log();
        // A bad log signature at index 1 and a structural failure (a dropped line) later,
        // in another chunk: the signature failure is reported.
        let at = log.lines[1].iter().position(|&b| b == b'I').unwrap();
        log.lines[1][at] = b'J';
        log.lines.remove(4);
        let dir = write_export(&log, &[&document]);
        assert_failed(verify_small_chunks(&dir), 1, "log signature invalid");
        assert_failed(
            verify_export(&dir, None, &Quiet),
            1,
            "log signature invalid",
        );
    }

    #[test]
    fn structural_failure_after_good_signatures_is_reported() {
        let (mut log, document) = sample_log();
        log.lines.swap(3, 4);
        let dir = write_export(&log, &[&document]);
        assert_failed(verify_small_chunks(&dir), 3, "index member is 4");
    }

    #[test]
    fn stale_checkpoint_fails_at_the_end() {
        let (mut log, document) = sample_log();
        let stale = log.checkpoint();
        log.public("consultation/C-1", "CommentSubmitted", json!({}));
        let mut dir = write_export(&log, &[&document]);
        dir.write("checkpoint", stale);
        let size = log.lines.len() as u64;
        assert_failed(
            verify_export(&dir, None, &Quiet),
            size,
            "checkpoint: tree size",
        );
    }

    #[test]
    fn unreadable_checkpoint_fails_after_document_problems() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        dir.write("checkpoint", b"\xff\xfe not text");
        let size = log.lines.len() as u64;
        assert_failed(
            verify_export(&dir, None, &Quiet),
            size,
            "checkpoint: not UTF-8 text",
        );
        dir.remove(&format!("documents/{}", to_hex(&sha256(&document))));
        assert_failed(verify_export(&dir, None, &Quiet), size - 1, "missing");
    }

    #[test]
    fn log_pub_may_list_several_keys() {
        let (log, document) = sample_log();
        let mut dir = write_export(&log, &[&document]);
        let other = LogBuilder::with_keys(key_of_other_log(), key(2)).verifier();
        dir.write("log.pub", format!("{other}\n\n{}\n", log.verifier()));
        assert!(matches!(
            verify_export(&dir, None, &Quiet),
            VerifyOutcome::Verified { .. }
        ));
        dir.write("log.pub", "not a key\n");
        assert_usage(verify_export(&dir, None, &Quiet), "log.pub line 1");
    }
}

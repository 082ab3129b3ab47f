//! Reading a server's answer with a size limit: the client tools (`export`, `mirror`,
//! `monitor`, `prove`, the log's witness client) never hold more of an answer than the
//! resource it is can be (docs/hardening.md, "Client tools"), so a hostile or broken server
//! cannot make them run out of memory.

use ledger::limits::{MAX_DOCUMENT_BYTES, MAX_ENTRIES_PER_CALL};

/// A checkpoint: origin, size, root, and at most `ledger::note::MAX_SIGNATURES` lines.
pub const CHECKPOINT: usize = 16 * 1024;
/// `log.pub` or a log key: a few key lines, even after many rotations.
pub const KEYS: usize = 64 * 1024;
/// A hash tile: at most 256 hashes of 32 bytes (C2SP tlog-tiles).
pub const HASH_TILE: usize = 256 * 32;
/// An entry bundle: 256 entries, each a two-byte length and at most 65,535 bytes.
pub const ENTRY_BUNDLE: usize = 256 * (2 + ledger::entry::MAX_ENTRY_BYTES);
/// A page of `/v1/log/entries`: at most its maximum number of entries, one line each.
pub const ENTRY_PAGE: usize = MAX_ENTRIES_PER_CALL as usize * (ledger::entry::MAX_ENTRY_BYTES + 1);
/// A document: the largest the server accepts.
pub const DOCUMENT: usize = MAX_DOCUMENT_BYTES;
/// Any other answer: a receipt, an error, a proof, a proof file.
pub const ANSWER: usize = 1024 * 1024;

/// Reads `response`'s body, failing with a sentence naming the URL and the limit as soon
/// as it would pass `limit` bytes (before reading anything when the announced length
/// already does).
///
/// # Errors
/// Over the limit, or the body could not be read.
pub async fn read(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let url = response.url().to_string();
    let too_large = || {
        format!("{url}: the answer is larger than {limit} bytes, this resource's limit; refusing to read more")
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// [`read`], as UTF-8 text.
///
/// # Errors
/// As [`read`], or the body is not UTF-8.
pub async fn read_text(response: reqwest::Response, limit: usize) -> Result<String, String> {
    let url = response.url().to_string();
    String::from_utf8(read(response, limit).await?).map_err(|_| format!("{url}: not UTF-8 text"))
}

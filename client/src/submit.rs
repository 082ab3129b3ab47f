//! The client side of the CLI: `keygen`, `submit`, `upload` and `export`, talking to a
//! server over HTTP exactly as any other client would.

use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::Signer;
use indicatif::{ProgressBar, ProgressStyle};
use ledger::hash::{from_hex, sha256, to_hex};
use ledger::statement::document_message;
use ledger::{canonical, Auth, SignedEntry, Statement, Timestamp};
use rand::RngCore;
use serde_json::Value;

use crate::bounded;

/// Entries fetched per request (the server's maximum).
const PAGE: u64 = 1000;

fn fail(context: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("sijill {context}: {e}");
    ExitCode::from(2)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("sijill/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

fn url(server: &str, path: &str) -> String {
    format!("{}{path}", server.trim_end_matches('/'))
}

async fn get_text(client: &reqwest::Client, url: &str, limit: usize) -> Result<String, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = bounded::read_text(response, limit).await?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!("{url}: {status}: {text}"))
    }
}

/// `sijill keygen --out FILE`.
pub fn keygen(out: &Path) -> ExitCode {
    match keys::generate(out) {
        Ok(key) => {
            println!("{}", keys::public_b64(&key));
            ExitCode::SUCCESS
        }
        Err(e) => fail("keygen", e),
    }
}

/// `sijill submit`: builds and signs the statement (origin from the server's checkpoint,
/// a fresh random nonce, issued now), posts it and prints the answer; exit 1 on refusal.
pub async fn submit(
    server: &str,
    key: &Path,
    command: &str,
    stream: &str,
    body: Option<&Path>,
) -> ExitCode {
    let key = match keys::load(key) {
        Ok(k) => k,
        Err(e) => return fail("submit", e),
    };
    let text = match body {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map(|_| buf)
                .map_err(|e| e.to_string())
        }
    };
    let body = match text.and_then(|t| canonical::parse(&t).map_err(|e| format!("body: {e}"))) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return fail("submit", "the body must be a JSON object"),
        Err(e) => return fail("submit", e),
    };
    let client = http();
    let origin = match get_text(
        &client,
        &url(server, "/v1/log/checkpoint"),
        bounded::CHECKPOINT,
    )
    .await
    {
        Ok(note) => note.lines().next().unwrap_or_default().to_owned(),
        Err(e) => return fail("submit", e),
    };
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    // The statement's `issued_at` is the signer's own clock: the server checks it is
    // within five minutes of its own.
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let now = Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX));
    let statement = Statement {
        origin,
        command: command.to_owned(),
        stream: stream.to_owned(),
        body,
        issued_at: issued_at(now),
        nonce: hex::encode(nonce),
    };
    let auth = Auth::sign(statement, &key);
    let response = client
        .post(url(server, "/v1/statements"))
        .header("content-type", "application/json")
        .body(auth.to_value().to_string())
        .send()
        .await;
    match response {
        Ok(r) => {
            let ok = r.status().is_success();
            let text = bounded::read_text(r, bounded::ANSWER)
                .await
                .unwrap_or_else(|e| e);
            println!("{text}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => fail("submit", e),
    }
}

/// Statements may omit the milliseconds; we keep them, as entries write times.
fn issued_at(now: Timestamp) -> String {
    now.to_entry_string()
}

/// `sijill upload`: signs `"sijill-document\n" || hex sha256` and posts the bytes.
pub async fn upload(server: &str, key: &Path, document: &Path) -> ExitCode {
    let key = match keys::load(key) {
        Ok(k) => k,
        Err(e) => return fail("upload", e),
    };
    let bytes = match std::fs::read(document) {
        Ok(b) => b,
        Err(e) => return fail("upload", format!("{}: {e}", document.display())),
    };
    let digest = to_hex(&sha256(&bytes));
    let sig = key.sign(&document_message(&digest));
    let response = http()
        .post(url(server, "/v1/documents"))
        .header("content-type", "application/octet-stream")
        .header("Sijill-Actor", keys::public_b64(&key))
        .header("Sijill-Signature", BASE64.encode(sig.to_bytes()))
        .body(bytes)
        .send()
        .await;
    match response {
        Ok(r) if r.status().is_success() => {
            println!("{digest}");
            ExitCode::SUCCESS
        }
        Ok(r) => {
            let text = bounded::read_text(r, bounded::ANSWER)
                .await
                .unwrap_or_else(|e| e);
            eprintln!("{text}");
            ExitCode::from(1)
        }
        Err(e) => fail("upload", e),
    }
}

/// `sijill export --server URL --out DIR`.
pub async fn export(server: &str, out: &Path) -> ExitCode {
    match export_to(server, out).await {
        Ok(size) => {
            eprintln!("exported {size} entries to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail("export", e),
    }
}

async fn export_to(server: &str, out: &Path) -> Result<u64, String> {
    if out.join("entries.jsonl").exists() {
        return Err(format!("{} already holds an export", out.display()));
    }
    std::fs::create_dir_all(out.join("documents"))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let client = http();
    // The checkpoint first: it fixes how many entries the export holds.
    let note = get_text(
        &client,
        &url(server, "/v1/log/checkpoint"),
        bounded::CHECKPOINT,
    )
    .await?;
    let size: u64 = note
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .ok_or("the server's checkpoint has no tree size")?;
    // log.pub lists every key the log signed with, oldest first (several after a rotation).
    let key = get_text(&client, &url(server, "/v1/log/keys"), bounded::KEYS).await?;

    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} entries {pos}/{len} [{bar:40}] {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let file = std::fs::File::create(out.join("entries.jsonl")).map_err(|e| e.to_string())?;
    let mut writer = BufWriter::new(file);
    // Each document with the first entry that names it, to say which entry a missing one
    // breaks.
    let mut documents = std::collections::BTreeMap::new();
    let mut next = 0;
    while next < size {
        let page = (size - next).min(PAGE);
        let response = client
            .get(url(
                server,
                &format!("/v1/log/entries?start={next}&limit={page}"),
            ))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| e.to_string())?;
        let body = bounded::read(response, bounded::ENTRY_PAGE).await?;
        for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            // Written exactly as served; parsed only to find documents and check the order.
            let signed = SignedEntry::parse(line).map_err(|e| format!("entry {next}: {e}"))?;
            if signed.entry.index != next {
                return Err(format!(
                    "the server sent entry {} where {next} was expected",
                    signed.entry.index
                ));
            }
            if let Some(docs) = signed.entry.data.get("documents").and_then(Value::as_array) {
                for doc in docs.iter().filter_map(Value::as_str) {
                    documents.entry(doc.to_owned()).or_insert(next);
                }
            }
            writer
                .write_all(line)
                .and_then(|()| writer.write_all(b"\n"))
                .map_err(|e| e.to_string())?;
            next += 1;
            bar.inc(1);
        }
        if next < size && body.is_empty() {
            return Err(format!(
                "the server has no entry {next} although its checkpoint covers it"
            ));
        }
    }
    writer.flush().map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    for (digest, index) in documents.iter().filter(|(d, _)| from_hex(d).is_some()) {
        let response = client
            .get(url(server, &format!("/v1/documents/{digest}")))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        // 410: withheld by moderation; verifiers accept its absence.
        if response.status() == reqwest::StatusCode::GONE {
            continue;
        }
        // Neither served nor withheld: the export could not be verified. Stop and say
        // which entry names what; an administrator's `DeclareDocumentUnavailable` is the
        // way back (docs/hardening.md).
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(format!(
                "entry {index} names document {digest}, which the server neither serves nor \
                 withholds: the export would not verify (an administrator can declare it \
                 unavailable with DeclareDocumentUnavailable)"
            ));
        }
        let response = response.error_for_status().map_err(|e| e.to_string())?;
        let bytes = bounded::read(response, bounded::DOCUMENT).await?;
        std::fs::write(out.join("documents").join(digest), &bytes).map_err(|e| e.to_string())?;
    }
    std::fs::write(out.join("checkpoint"), note).map_err(|e| e.to_string())?;
    std::fs::write(
        out.join("log.pub"),
        if key.ends_with('\n') {
            key
        } else {
            format!("{key}\n")
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(size)
}

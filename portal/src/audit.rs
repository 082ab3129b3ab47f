//! The audit trail of any record (`/audit/{type}/{id}`) and the receipt checker
//! (`/audit`): what a reader needs to trace a decision to the signed entries behind it and
//! to check them without trusting this server.
//!
//! The trail lists each entry of the record's stream: its index, event, time, who asked
//! for it (the actor's key and what the registry says of it, the public channel, or the
//! entry of the same command that carries the statement), its hash and the server's own
//! check. That check is only the server's word; the **Verify** button runs
//! `static/verify.js`, which fetches the entries' bytes, the inclusion proofs and the
//! checkpoint and checks them in the reader's browser against the log key shown in the
//! page, which the reader compares with the one published elsewhere.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use domain::names::stream;
use domain::participation::ConsultationEvent;
use domain::{Decoded, LedgerEvent};
use ledger::hash::to_hex;
use ledger::rotation::LogKeyChain;
use serde_json::Value;

use super::format::date;
use super::i18n::{label, Lang};
use super::listing::{encode, problem, Ask, Pager};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;

/// Entries one page of a trail shows; a longer stream has page links.
const TRAIL_PAGE: u64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(receipt_checker))
        .route("/audit/{kind}/{id}", get(trail))
}

/// One entry of a trail, as the page shows it.
pub struct Line {
    pub index: u64,
    pub seq: u64,
    pub event_type: String,
    pub recorded_at: String,
    pub day: String,
    /// Who asked for it, in the page's language.
    pub actor: String,
    /// The actor's public key (base64), when a signed statement carries it.
    pub actor_key: Option<String>,
    /// The command of the statement, when the entry carries one.
    pub command: Option<String>,
    pub entry_hash: String,
    /// The server's own check of the log signature, the chain and the actor's signature.
    pub server_ok: bool,
    /// The entry as JSON, indented for reading.
    pub json: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Trail {
    page: Page,
    stream: String,
    /// The record's own page, when the portal has one.
    record: Option<String>,
    lines: Vec<Line>,
    /// The entries' indexes, comma-separated, for the verifier.
    indexes: String,
    /// The log's keys, one per line (log.pub), which the reader may replace.
    log_key: String,
    /// Indexes of the log's `LogKeyRotated` entries, for `verify.js` to read the chain.
    rotations: String,
    tree_size: u64,
    root: String,
    /// The verifier's messages in the page's language, as JSON safe inside `<script>`.
    labels: String,
    /// Links between the pages of a long trail.
    pager: Pager,
}

#[derive(Template)]
#[template(path = "audit_receipt.html")]
struct ReceiptChecker {
    page: Page,
    /// Empty: the verifier checks an uploaded receipt, not a stream.
    stream: String,
    indexes: String,
    /// The log's keys, one per line (log.pub), which the reader may replace.
    log_key: String,
    /// Indexes of the log's `LogKeyRotated` entries, for `verify.js` to read the chain.
    rotations: String,
    tree_size: u64,
    root: String,
    labels: String,
    kinds: Vec<(&'static str, &'static str)>,
}

/// The stream types a reader may look up, with the label of each.
const KINDS: [(&str, &str); 8] = [
    ("offer", "audit.kind.offer"),
    ("application", "audit.kind.application"),
    ("award", "audit.kind.award"),
    ("association", "audit.kind.association"),
    ("consultation", "audit.kind.consultation"),
    ("draft", "audit.kind.draft"),
    ("training", "audit.kind.training"),
    ("institution", "audit.kind.institution"),
];

/// Every key the log signed with, oldest first, one per line: what the page proposes to
/// trust (the reader compares them with the published ones).
fn log_pub(service: &AppState, chain: Option<&LogKeyChain>) -> String {
    chain.map_or_else(|| service.log_key.clone(), LogKeyChain::to_log_pub)
}

/// The indexes of the rotation entries, comma-separated, from the log's key chain: each
/// key after the first signs from the entry after its rotation.
fn rotations(chain: Option<&LogKeyChain>) -> String {
    chain.map_or_else(String::new, |chain| {
        chain
            .spans()
            .iter()
            .skip(1)
            .map(|(from, _)| (from - 1).to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The messages `verify.js` shows, in the page's language.
const VERIFIER_MESSAGES: [&str; 25] = [
    "running",
    "entry_ok",
    "stream_ok",
    "receipt_ok",
    "failed",
    "fetch_failed",
    "key_format",
    "key_id",
    "no_webcrypto",
    "checkpoint_format",
    "checkpoint_origin",
    "checkpoint_signature",
    "not_covered",
    "inclusion",
    "not_json",
    "not_canonical",
    "wrong_index",
    "log_signature",
    "actor_signature",
    "wrong_stream",
    "prev_chain",
    "receipt_format",
    "receipt_hash",
    "rotation",
    "key_untrusted",
];

/// The verifier's messages as a JSON object, escaped so that no text can close the
/// `<script type="application/json">` element that carries it.
fn verifier_labels(lang: Lang) -> String {
    let mut messages = serde_json::Map::new();
    for key in VERIFIER_MESSAGES {
        messages.insert(
            key.to_owned(),
            Value::String(label(lang, &format!("verify.{key}")).to_owned()),
        );
    }
    messages.insert(
        "receipt_missing".to_owned(),
        Value::String(label(lang, "verify.receipt_missing").to_owned()),
    );
    Value::Object(messages)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The record's page on the portal, for the streams that have one.
fn record_page(kind: &str, id: &str) -> Option<String> {
    let area = match kind {
        "offer" => "offers",
        "award" => "awards",
        "association" => "associations",
        "consultation" => "consultations",
        "draft" => "drafts",
        _ => return None,
    };
    Some(format!("/{area}/{}", encode(id)))
}

/// The latest checkpoint's size and root (base64), read from the signed note.
async fn latest_checkpoint(service: &AppState) -> Result<(u64, String), PageError> {
    let (_, note) = service.db.state().await?;
    let note = note.ok_or_else(|| PageError::not_found("the log has no checkpoint yet"))?;
    let mut lines = note.lines();
    let _origin = lines.next();
    let size = lines.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let root = lines.next().unwrap_or_default().to_owned();
    Ok((size, root))
}

/// `GET /audit/{type}/{id}`: a record's signed entries and the Verify button.
async fn trail(
    State(service): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    let path = format!("/audit/{}/{}", encode(&kind), encode(&id));
    match trail_page(&service, &ask, &kind, &id, &path).await {
        Ok(response) => response,
        Err(e) => problem(&ask, &e, &path),
    }
}

async fn trail_page(
    service: &AppState,
    ask: &Ask,
    kind: &str,
    id: &str,
    path: &str,
) -> Result<Response, PageError> {
    let lang = ask.lang;
    let name = domain::StreamName::parse(&format!("{kind}/{id}"))
        .map_err(|_| PageError::not_found(format!("no record {kind}/{id}")))?;
    let page_number =
        match ask.get("page") {
            None => 1,
            Some(p) => p.parse::<u64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                PageError::bad_request("invalid_parameter", "page must be 1 or more")
            })?,
        };
    let from = (page_number - 1).saturating_mul(TRAIL_PAGE);
    let Some(part) =
        engine::reads::streams::stream_page(service, name.kind, name.id.as_str(), from, TRAIL_PAGE)
            .await?
    else {
        return Err(PageError::not_found(format!("no record {name}")));
    };
    let log_keys = service
        .log_key_chain()
        .ok_or_else(|| PageError::internal(&"a record exists but the log has no genesis"))?;
    let pages = part.total.div_ceil(TRAIL_PAGE).max(1);
    if page_number > pages {
        return Err(PageError::not_found(format!(
            "{name} has {pages} pages of entries"
        )));
    }
    let pager = Pager {
        page: page_number,
        pages,
        total: part.total,
        previous: (page_number > 1).then(|| ask.href(path, Some(page_number - 1))),
        next: (page_number < pages).then(|| ask.href(path, Some(page_number + 1))),
    };
    let mut lines = Vec::with_capacity(part.rows.len());
    for (check, bytes) in part.checks.into_iter().zip(&part.rows) {
        let check = check.map_err(|e| PageError::internal(&e))?;
        let server_ok = check.verified();
        let signed = check.signed;
        let entry = &signed.entry;
        let (actor, actor_key, command) = who(service, lang, entry);
        let json = serde_json::from_slice::<Value>(bytes)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default();
        let recorded_at = entry.recorded_at.to_string();
        lines.push(Line {
            index: entry.index,
            seq: entry.seq,
            event_type: entry.event_type.clone(),
            day: date(&recorded_at),
            recorded_at,
            actor,
            actor_key,
            command,
            entry_hash: to_hex(&signed.hash),
            server_ok,
            json,
        });
    }
    let (tree_size, root) = latest_checkpoint(service).await?;
    let stream = name.to_string();
    let indexes: Vec<String> = lines.iter().map(|l| l.index.to_string()).collect();
    let title = format!("{} — {stream}", label(lang, "audit_trail"));
    let template = Trail {
        page: Page::new(lang, title, path),
        record: record_page(name.kind, name.id.as_str()),
        stream,
        indexes: indexes.join(","),
        lines,
        log_key: log_pub(service, Some(&log_keys)),
        rotations: rotations(Some(&log_keys)),
        tree_size,
        root,
        labels: verifier_labels(lang),
        pager,
    };
    Ok(html(&template, lang, ask.remember))
}

/// Who asked for an entry: the signed statement's actor (with what the registry says of
/// it), the entry of the same command that carries the statement, the public channel, or
/// the ledger itself (the genesis).
fn who(
    service: &AppState,
    lang: Lang,
    entry: &ledger::Entry,
) -> (String, Option<String>, Option<String>) {
    if let Some(auth) = &entry.auth {
        let key = BASE64.encode(auth.actor.as_bytes());
        let described = match service.registry.actor(&key) {
            Some(record) => {
                let mut text = record.info.actor_id.clone();
                if let Some(institution) = record.info.institution.as_deref() {
                    text.push_str(&format!(" ({institution})"));
                }
                if let Some(association) = record.info.association.as_deref() {
                    text.push_str(&format!(" ({association})"));
                }
                text
            }
            None => label(lang, "audit.unknown_actor").to_owned(),
        };
        return (described, Some(key), Some(auth.statement.command.clone()));
    }
    if let Some(at) = entry.auth_at {
        return (
            label(lang, "audit.same_command").replace("{index}", &at.to_string()),
            None,
            None,
        );
    }
    // A comment through the public channel is the only entry without a statement that a
    // person asked for; its typed event says so.
    let public = entry
        .stream
        .split_once('/')
        .is_some_and(|(kind, _)| kind == stream::CONSULTATION)
        && matches!(
            ConsultationEvent::decode(&entry.event_type, &entry.version, entry.data.clone()),
            Ok(Decoded { event: ConsultationEvent::CommentSubmitted(comment), .. })
                if comment.channel == "public"
        );
    let key = if public {
        "audit.public_channel"
    } else {
        "audit.ledger"
    };
    (label(lang, key).to_owned(), None, None)
}

/// `GET /audit`: check a comment receipt in the browser, or look up a record's trail
/// (`?type=offer&id=...` redirects to it, so the lookup form works without JavaScript).
async fn receipt_checker(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    if let (Some(kind), Some(id)) = (ask.get("type"), ask.get("id")) {
        return Redirect::to(&format!("/audit/{}/{}", encode(kind), encode(id))).into_response();
    }
    let (tree_size, root) = match latest_checkpoint(&service).await {
        Ok(head) => head,
        Err(e) => return problem(&ask, &e, "/audit"),
    };
    let chain = service.log_key_chain();
    let template = ReceiptChecker {
        page: Page::new(ask.lang, label(ask.lang, "audit.checker_title"), "/audit"),
        stream: String::new(),
        indexes: String::new(),
        log_key: log_pub(&service, chain.as_ref()),
        rotations: rotations(chain.as_ref()),
        tree_size,
        root,
        labels: verifier_labels(ask.lang),
        kinds: KINDS
            .iter()
            .map(|(kind, key)| (*kind, label(ask.lang, key)))
            .collect(),
    };
    html(&template, ask.lang, ask.remember)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LABELS;

    #[test]
    fn every_message_the_verifier_shows_has_a_label() {
        let script = include_str!("../static/verify.js");
        for key in VERIFIER_MESSAGES.iter().chain(&["receipt_missing"]) {
            let key = format!("verify.{key}");
            assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no label {key}");
        }
        // Every message the script can show is one the page sends: the script's
        // lower-case string literals are message keys, but for these few words.
        const NOT_MESSAGES: [&str; 6] = ["raw", "verify", "verified", "string", "object", "click"];
        let code: String = script
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for quoted in code.split('"').skip(1).step_by(2) {
            if quoted.is_empty() || !quoted.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            assert!(
                VERIFIER_MESSAGES.contains(&quoted)
                    || quoted == "receipt_missing"
                    || NOT_MESSAGES.contains(&quoted),
                "the script names {quoted:?}, which the page does not send"
            );
        }
    }

    #[test]
    fn the_labels_cannot_close_their_script_element() {
        for lang in [Lang::Fr, Lang::Ar] {
            let json = verifier_labels(lang);
            assert!(!json.contains('<') && !json.contains('>'));
            let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
            // Every message of the script, and the receipt checker's own.
            assert_eq!(
                parsed.as_object().map(|o| o.len()),
                Some(VERIFIER_MESSAGES.len() + 1)
            );
        }
    }

    #[test]
    fn every_label_the_templates_ask_for_exists() {
        for template in [
            include_str!("../templates/audit.html"),
            include_str!("../templates/audit_receipt.html"),
        ] {
            for part in template.split("page.t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no label {key}");
            }
        }
        for (_, key) in KINDS {
            assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no label {key}");
        }
    }
}

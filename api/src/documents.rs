//! Documents: content too large for an entry, or that may have to be withheld, stored under
//! its SHA-256 and bound by the entries that name it (docs/spec/ledger-format.md, section 5).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use ledger::hash::{sha256, to_hex};
use ledger::statement::document_message;
use serde_json::{json, Value};

use axum::extract::rejection::BytesRejection;

use super::{body_bytes, AppState, MAX_DOCUMENT_BYTES};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/documents",
            post(upload).layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
        .route("/v1/documents/{sha256}", get(download))
}

fn header_bytes<const N: usize>(headers: &HeaderMap, name: &str) -> Result<[u8; N], ApiError> {
    let text = headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("missing_signature", format!("header {name} is required"))
        })?;
    BASE64
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_signature",
                format!("header {name} must be base64 of {N} bytes"),
            )
        })
}

async fn upload(
    State(service): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = body_bytes(body)?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "empty_document",
            "a document has at least one byte",
        ));
    }
    let actor: [u8; 32] = header_bytes(&headers, "Sijill-Actor")?;
    let sig: [u8; 64] = header_bytes(&headers, "Sijill-Signature")?;
    let digest = to_hex(&sha256(&body));
    let key = VerifyingKey::from_bytes(&actor).map_err(|_| {
        ApiError::unauthorized("invalid_signature", "Sijill-Actor is not an Ed25519 key")
    })?;
    key.verify_strict(&document_message(&digest), &Signature::from_bytes(&sig))
        .map_err(|_| {
            ApiError::unauthorized("invalid_signature", "Sijill-Signature does not verify")
        })?;
    let actor_b64 = BASE64.encode(actor);
    match service.registry.actor(&actor_b64) {
        None => {
            return Err(ApiError::unauthorized(
                "unknown_actor",
                "the signing key is not registered",
            ))
        }
        Some(r) if r.revoked_at.is_some() => {
            return Err(ApiError::unauthorized(
                "actor_revoked",
                "the signing key was revoked",
            ))
        }
        Some(_) => {}
    }
    if service.db.document_withheld(&digest).await? {
        return Err(ApiError::new(
            StatusCode::GONE,
            "withheld",
            format!("document {digest} was withheld by moderation and is not taken in again"),
        ));
    }
    service.db.put_document(&digest, &body, &actor_b64).await?;
    Ok((StatusCode::CREATED, Json(json!({"sha256": digest}))))
}

/// How long a cache may serve a document without asking again. Short on purpose: a text
/// can be withheld at any time, and a cache must stop serving it within minutes, so a
/// document is never `immutable` (docs/hardening.md, "Documents and caches").
pub const DOCUMENT_MAX_AGE_SECS: u32 = 300;

async fn download(
    State(service): State<AppState>,
    Path(digest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if ledger::hash::from_hex(&digest).is_none() {
        return Err(ApiError::bad_request(
            "invalid_sha256",
            "a document is named by 64 lowercase hex characters",
        ));
    }
    let Some(content) = service.db.published_document(&digest).await? else {
        // Withheld by moderation (docs/spec/ledger-format.md): gone for good, and said so, so that
        // exports and mirrors skip it rather than retry it.
        if service.db.document_withheld(&digest).await? {
            return Err(ApiError::new(
                StatusCode::GONE,
                "withheld",
                format!("document {digest} was withheld by moderation; its hash stays in the log"),
            ));
        }
        return Err(ApiError::not_found(format!(
            "no published document {digest}"
        )));
    };
    // The bytes never change under their hash, so the hash is a strong validator: a cache
    // revalidates cheaply, and learns at once (410) when the text was withheld.
    let etag = format!("\"{digest}\"");
    let cache_control = format!("public, max-age={DOCUMENT_MAX_AGE_SECS}");
    let matched = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag.as_str()));
    if matched {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache_control)],
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache_control),
        ],
        content,
    )
        .into_response())
}

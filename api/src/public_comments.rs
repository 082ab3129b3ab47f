//! `POST /v1/consultations/{id}/comments`: the public's way in, no key needed (docs/spec/api.md).
//! The rate limit per client address and the transport live here; the request's rules
//! and the work are in [`engine::public_channel`] (docs/public-channel.md).

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{body_bytes, require_json, AppState};
use crate::error::ApiError;
use engine::public_channel::rate_limit::retry_after_secs;
use engine::public_channel::{self, CommentRequest, MAX_PUBLIC_COMMENT_REQUEST_BYTES};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/consultations/{id}/comments",
        post(post_comment).layer(DefaultBodyLimit::max(MAX_PUBLIC_COMMENT_REQUEST_BYTES)),
    )
}

async fn post_comment(
    State(service): State<AppState>,
    Path(consultation): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // The TCP peer, or the client a trusted reverse proxy names.
    let client = service
        .public
        .trusted_proxies
        .client_of(peer(&extensions), &headers);
    // First, before any work: malformed floods count too.
    if let Err(wait) = service.public.limiter.check(client, Instant::now()) {
        let secs = retry_after_secs(wait);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "at most {} public comments a minute from one address; retry in {secs} s",
                service.public.limiter.per_minute()
            ),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(response);
    }
    require_json(&headers)?;
    let body = body_bytes(body)?;
    let request = CommentRequest::parse(&body)?;
    let receipt = public_channel::submit(&service, &consultation, &request).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        receipt,
    )
        .into_response())
}

/// The TCP peer of a request, which the accept loop (`connections`) records.
fn peer(extensions: &Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

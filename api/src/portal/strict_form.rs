//! A form post read strictly: every name and value must decode to UTF-8.
//!
//! axum's `Form` decodes percent-escapes lossily, so a comment form posted with
//! `text=%FF%FE` (or raw non-UTF-8 bytes) became two U+FFFD characters and was recorded,
//! signed, as a comment the person never wrote. The JSON channel refuses invalid UTF-8
//! (400 `malformed_json`); the form now refuses it too, before anything is parsed or
//! recorded, with 400 `invalid_body`.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::Form;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A form body (`application/x-www-form-urlencoded`) whose every field is UTF-8.
pub struct StrictForm<T>(pub T);

impl<T, S> FromRequest<S> for StrictForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        // Through `Bytes`' own extractor so the route's body limit still applies.
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_body", e.body_text()))?;
        if !decodes_to_utf8(&bytes) {
            return Err(ApiError::bad_request(
                "invalid_body",
                "the form is not valid UTF-8",
            ));
        }
        Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
            .await
            .map(|Form(value)| StrictForm(value))
            .map_err(|e| ApiError::new(e.status(), "invalid_body", e.body_text()))
    }
}

/// Whether every `name=value` of a urlencoded body is UTF-8 once `+` and percent-escapes
/// are decoded, as `application/x-www-form-urlencoded` defines them. A `%` not followed by
/// two hex digits stays as it is (the same leniency as the decoder that parses the form
/// afterwards).
pub fn decodes_to_utf8(body: &[u8]) -> bool {
    body.split(|&b| b == b'&')
        .flat_map(|pair| pair.splitn(2, |&b| b == b'='))
        .all(|part| std::str::from_utf8(&percent_decode(part)).is_ok())
}

fn percent_decode(part: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = part
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_forms_pass_and_others_do_not() {
        assert!(decodes_to_utf8(b"text=Bonjour+%C3%A0+tous&article="));
        assert!(decodes_to_utf8("text=مرحبا".as_bytes()));
        assert!(decodes_to_utf8(b"text=100%&article=%zz"));
        assert!(decodes_to_utf8(b""));
        // Percent-escaped bytes that are not UTF-8, in a value and in a name.
        assert!(!decodes_to_utf8(b"text=%FF%FE&article="));
        assert!(!decodes_to_utf8(b"text=ok&%C3=1"));
        // A lone continuation byte and a truncated sequence.
        assert!(!decodes_to_utf8(b"text=%80"));
        assert!(!decodes_to_utf8(b"text=%C3"));
        // Raw bytes that are not UTF-8.
        assert!(!decodes_to_utf8(b"text=\xff\xfe"));
    }
}

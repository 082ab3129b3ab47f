//! A form post read strictly: every name and value must decode to UTF-8.
//!
//! axum's `Form` decodes percent-escapes lossily, so a comment form posted with
//! `text=%FF%FE` (or raw non-UTF-8 bytes) became two U+FFFD characters and was recorded,
//! signed, as a comment the person never wrote. The JSON channel refuses invalid UTF-8
//! (400 `malformed_json`); the form now refuses it too, before anything is parsed or
//! recorded, with 400 `invalid_body`.
//!
//! A form post must also come from this site's own pages ([`cross_site`]): another site
//! could otherwise make its visitors' browsers post comments here in their name and from
//! their address (docs/hardening.md).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::Form;
use serde::de::DeserializeOwned;

use crate::page_error::PageError;

/// A form body (`application/x-www-form-urlencoded`) whose every field is UTF-8.
pub struct StrictForm<T>(pub T);

impl<T, S> FromRequest<S> for StrictForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, PageError> {
        let (parts, body) = request.into_parts();
        // Through `Bytes`' own extractor so the route's body limit still applies.
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| PageError::new(e.status(), "invalid_body", e.body_text()))?;
        if !decodes_to_utf8(&bytes) {
            return Err(PageError::bad_request(
                "invalid_body",
                "the form is not valid UTF-8",
            ));
        }
        Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
            .await
            .map(|Form(value)| StrictForm(value))
            .map_err(|e| PageError::new(e.status(), "invalid_body", e.body_text()))
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

/// The refusal of a form post that a browser says came from another site, `None` for
/// one from this site or from a client that says nothing.
///
/// A browser says where a post comes from in two ways, and either suffices to refuse:
/// `Sec-Fetch-Site: cross-site`, and an `Origin` whose `host[:port]` is not the one the
/// request was addressed to (its `Host` header, or the authority of an HTTP/2 request).
/// The scheme is not compared: behind a TLS-terminating proxy the server cannot know its
/// own, and the host names the site. `Origin: null` (a sandboxed frame, a `data:` page)
/// is another origin too. A request without either header (an old browser, a script
/// that is not a browser) is not refused: such a client is not a victim's browser
/// carrying its cookies and address, and the rate limit applies to it as to anyone.
pub fn cross_site(headers: &HeaderMap, uri: &Uri) -> Option<PageError> {
    let refuse = |why: &str| {
        Some(PageError::new(
            StatusCode::FORBIDDEN,
            "cross_site_form",
            format!("a form post from another site is refused: {why}"),
        ))
    };
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    if text("sec-fetch-site").is_some_and(|s| s.trim().eq_ignore_ascii_case("cross-site")) {
        return refuse("Sec-Fetch-Site says cross-site");
    }
    let origin = text(header::ORIGIN.as_str())?;
    let own = text(header::HOST.as_str())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()));
    match (origin_authority(origin), own) {
        (Some((scheme, authority)), Some(own)) if same_authority(&scheme, &authority, &own) => None,
        _ => refuse("its Origin is not this site"),
    }
}

/// The scheme and `host[:port]` of an `Origin` value (`scheme://host[:port]`, nothing
/// after), lower-cased; `None` for `null` or anything else.
fn origin_authority(origin: &str) -> Option<(String, String)> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    let plain = !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    plain.then(|| (scheme.to_owned(), authority.to_owned()))
}

/// Whether `own` (a `Host` value) names the same host and port as an origin's
/// authority; a port the origin leaves out is its scheme's default.
fn same_authority(scheme: &str, authority: &str, own: &str) -> bool {
    let own = own.trim().to_ascii_lowercase();
    if own == authority {
        return true;
    }
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return false,
    };
    own == format!("{authority}{default_port}")
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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, axum::http::HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_a_post_from_this_site_passes() {
        let uri = Uri::from_static("/consultations/C-1/comments");
        let host = ("host", "sijill.gov.ma");
        for ok in [
            vec![host],
            vec![host, ("origin", "https://sijill.gov.ma")],
            vec![host, ("origin", "HTTP://Sijill.gov.ma")],
            vec![
                ("host", "sijill.gov.ma:443"),
                ("origin", "https://sijill.gov.ma"),
            ],
            vec![
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
            ],
            vec![host, ("sec-fetch-site", "same-origin")],
            vec![host, ("sec-fetch-site", "none")],
        ] {
            assert!(cross_site(&headers(&ok), &uri).is_none(), "{ok:?}");
        }
        for refused in [
            vec![host, ("origin", "http://evil.example")],
            vec![host, ("origin", "null")],
            vec![host, ("origin", "https://sijill.gov.ma.evil.example")],
            vec![host, ("origin", "https://sijill.gov.ma:8443")],
            vec![
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:9090"),
            ],
            vec![host, ("sec-fetch-site", "cross-site")],
            vec![host, ("origin", "https://sijill.gov.ma/path")],
            vec![("origin", "https://sijill.gov.ma")],
        ] {
            let e = cross_site(&headers(&refused), &uri).expect("refused");
            assert_eq!(
                (e.status.as_u16(), e.code),
                (403, "cross_site_form"),
                "{refused:?}"
            );
        }
        // HTTP/2: no Host header, the authority is in the request's URI.
        let h2 = Uri::from_static("https://sijill.gov.ma/consultations/C-1/comments");
        let origin = headers(&[("origin", "https://sijill.gov.ma")]);
        assert!(cross_site(&origin, &h2).is_none());
    }
}

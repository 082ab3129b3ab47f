//! The public channel of consultations (docs/public-channel.md): a citizen comments with
//! no key through `POST /v1/consultations/{id}/comments` and gets a receipt that proves
//! inclusion; their name and e-mail stay out of the ledger, in an erasable store.
//!
//! This module owns the request's rules and the order of the work: validate, answer a
//! retry from its `client_token`, compute the person reference (scoped to the
//! consultation), append through [`Service::record_public_comment`] (whose transaction
//! stores the text as a document), then store the personal data. The HTTP handler
//! (`api::public_comments`) only adds the rate limit and the transport; anything else that
//! records public comments (a demo) can call [`submit`].

pub mod client_addr;
pub mod epochs;
pub mod erasure;
pub mod persons;
pub mod rate_limit;

use domain::participation::comment_text::check_comment_text;
use domain::participation::PublicComment;
use ledger::hash::{sha256, to_hex};
use ledger::{canonical, Hash};
use serde::Deserialize;
use serde_json::Value;

use crate::refusal::{Kind, Refusal};
use crate::sequencer::ClientToken;
use crate::service::{Recorded, Service};
use persons::PersonStore;
use rate_limit::RateLimiter;

/// The largest request body of a public comment: 5,000 characters of text even if every
/// one is sent as a JSON `\u` escape (12 bytes for a character outside the BMP), plus a
/// name, an e-mail and a token.
pub const MAX_PUBLIC_COMMENT_REQUEST_BYTES: usize = 64 * 1024;
/// Public comments one client address may post in a minute, by default: enough for a
/// person commenting article by article, few enough that flooding needs many addresses.
pub const DEFAULT_PUBLIC_COMMENTS_PER_MINUTE: u32 = 10;
/// The longest author name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// The longest client token.
pub const MAX_CLIENT_TOKEN_CHARS: usize = 64;

/// What the public channel keeps besides the service: the personal-data store, the
/// rate limiter and the proxies trusted to say which client it is limiting.
#[derive(Debug)]
pub struct PublicChannel {
    pub persons: PersonStore,
    pub limiter: RateLimiter,
    pub trusted_proxies: client_addr::TrustedProxies,
}

/// The body of `POST /v1/consultations/{id}/comments`, as sent. No `Debug`: it holds
/// personal data.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    text: String,
    /// Required, `null` for the whole text: a `Value` makes serde refuse its absence.
    article: Value,
    #[serde(default)]
    author_name: Option<String>,
    #[serde(default)]
    author_email: Option<String>,
    #[serde(default)]
    client_token: Option<String>,
}

/// A public comment request, checked. Its `Debug` leaves the name and e-mail out, so no
/// log line can carry them.
#[derive(Clone)]
pub struct CommentRequest {
    pub text: String,
    pub article: Option<String>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub client_token: Option<String>,
    /// SHA-256 of the canonical request without its token: what a retry must repeat.
    request_hash: Hash,
}

impl std::fmt::Debug for CommentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommentRequest")
            .field("text_bytes", &self.text.len())
            .field("article", &self.article)
            .field("author_name", &self.author_name.as_ref().map(|_| ".."))
            .field("author_email", &self.author_email.as_ref().map(|_| ".."))
            .field("client_token", &self.client_token)
            .finish()
    }
}

impl CommentRequest {
    /// Parses and checks a request body.
    ///
    /// # Errors
    /// 400 `malformed_json` (not JSON under the ledger's rules), `invalid_body` (unknown
    /// or missing members, wrong types), `invalid_author_name`, `invalid_author_email`,
    /// `invalid_client_token`; 422 `invalid_comment_text` (blank, too long). Messages never
    /// repeat the name or e-mail.
    pub fn parse(bytes: &[u8]) -> Result<Self, Refusal> {
        let mut value = canonical::parse(bytes)
            .map_err(|e| Refusal::bad_request("malformed_json", e.to_string()))?;
        let body: Body = serde_json::from_value(value.clone())
            .map_err(|e| Refusal::bad_request("invalid_body", format!("body: {e}")))?;
        let article = match body.article {
            Value::Null => None,
            Value::String(a) => Some(a),
            _ => {
                return Err(Refusal::bad_request(
                    "invalid_body",
                    "article is an article id of the consulted revision, or null",
                ))
            }
        };
        check_comment_text(body.text.as_bytes())?;
        let author_name = present(body.author_name);
        if let Some(name) = &author_name {
            if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
                return Err(Refusal::bad_request(
                    "invalid_author_name",
                    format!("author_name is at most {MAX_NAME_CHARS} characters, without control characters"),
                ));
            }
        }
        let author_email = present(body.author_email);
        if let Some(email) = &author_email {
            if !plausible_email(email) {
                return Err(Refusal::bad_request(
                    "invalid_author_email",
                    "author_email is not an e-mail address",
                ));
            }
        }
        if let Some(token) = &body.client_token {
            let ok = !token.is_empty()
                && token.chars().count() <= MAX_CLIENT_TOKEN_CHARS
                && token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok {
                return Err(Refusal::bad_request(
                    "invalid_client_token",
                    format!("client_token is 1 to {MAX_CLIENT_TOKEN_CHARS} characters of [A-Za-z0-9._-]"),
                ));
            }
        }
        if let Value::Object(members) = &mut value {
            members.remove("client_token");
        }
        let request_hash = sha256(
            &canonical::to_bytes(&value)
                .map_err(|e| Refusal::bad_request("malformed_json", e.to_string()))?,
        );
        Ok(Self {
            text: body.text,
            article,
            author_name,
            author_email,
            client_token: body.client_token,
            request_hash,
        })
    }
}

/// An optional text member: trimmed, and absent when blank.
fn present(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Enough to catch a name typed into the e-mail field; deliverability is not checked.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && !domain.is_empty()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Records a public comment and returns its receipt, `{"index", "entry_hash", "entry"}`
/// as JSON text (the entry verbatim as signed). A retry with the same `client_token` gets
/// the original receipt and appends nothing.
///
/// # Errors
/// 404 `no_consultation` (no such consultation), 409 `client_token_reused` (the token
/// came with another request), 422 `invalid_comment_text` (also for a text withheld by
/// moderation), the domain's other refusals (`window_not_open`, `window_closed`,
/// `unknown_article`), or the store's.
pub async fn submit(
    service: &Service,
    consultation: &str,
    request: &CommentRequest,
) -> Result<String, Refusal> {
    domain::AggregateId::parse(consultation)?;
    if let Some(token) = &request.client_token {
        if let Some(receipt) = earlier_receipt(service, consultation, token, request).await? {
            return Ok(receipt);
        }
    }
    // The text is stored by the append transaction, with the comment or not at all: a
    // refused comment (unknown or closed consultation, unknown article) keeps nothing.
    let document = to_hex(&sha256(request.text.as_bytes()));
    let persons = &service.public.persons;
    let person = persons
        .reference(consultation, request.author_email.as_deref())
        .await?;
    let comment = PublicComment {
        article: request.article.clone(),
        document,
        person: person.clone(),
    };
    let token = request.client_token.as_ref().map(|t| ClientToken {
        token: t.clone(),
        request_hash: request.request_hash,
    });
    let appended = match service
        .record_public_comment(
            consultation,
            comment,
            token,
            Some(request.text.as_bytes().to_vec()),
        )
        .await
    {
        Ok(Recorded::Appended(appended)) => appended,
        // A concurrent copy with the same token was appended first.
        Ok(Recorded::Earlier) => {
            let token = request.client_token.as_deref().unwrap_or_default();
            return earlier_receipt(service, consultation, token, request)
                .await?
                .ok_or_else(|| Refusal::internal(&"a used client token has no receipt"));
        }
        Err(e) => {
            // A copy with the same token may have been appended since the check above,
            // and this one refused for what that copy changed (the window closed since):
            // the client is owed the original receipt, not that refusal.
            if let Some(token) = &request.client_token {
                if let Ok(Some(receipt)) =
                    earlier_receipt(service, consultation, token, request).await
                {
                    return Ok(receipt);
                }
            }
            return Err(unknown_consultation_is_not_found(e));
        }
    };
    let entry = appended
        .entries
        .first()
        .ok_or_else(|| Refusal::internal(&"a public comment appended no entry"))?;
    // After the append, so that no personal data is kept for a comment the log refused.
    // A failure here leaves the comment without a name, which is better than a retry
    // appending it twice; the reason is logged, the data never.
    let number = ledger::SignedEntry::parse(&entry.bytes)
        .ok()
        .and_then(|s| s.entry.data.get("comment").and_then(Value::as_u64));
    let Some(number) = number else {
        return Err(Refusal::internal(&"a public comment's entry has no number"));
    };
    if let Err(e) = persons
        .remember(
            consultation,
            number,
            &person,
            request.author_name.as_deref(),
            request.author_email.as_deref(),
        )
        .await
    {
        tracing::warn!(index = entry.index, error = %e, "a public comment's author was not stored");
    }
    Ok(entry.receipt())
}

/// A consultation that does not exist is an unknown resource, 404 (docs/spec/api.md); the domain
/// says `no_consultation` as a state refusal (409), which stays the answer to a signed
/// statement, whose order of checks is fixed, and to a consultation that exists but is
/// not open (`window_not_open`, `window_closed`).
fn unknown_consultation_is_not_found(e: Refusal) -> Refusal {
    if e.code == "no_consultation" {
        Refusal::new(Kind::NotFound, e.code, e.message)
    } else {
        e
    }
}

/// The receipt a token already got, if it was used: the same request gets it, another
/// request a 409.
async fn earlier_receipt(
    service: &Service,
    consultation: &str,
    token: &str,
    request: &CommentRequest,
) -> Result<Option<String>, Refusal> {
    match service.db.client_token(consultation, token).await? {
        None => Ok(None),
        Some(row) if row.request_hash == request.request_hash => Ok(Some(row.receipt)),
        Some(_) => Err(Refusal::new(
            Kind::Conflict,
            "client_token_reused",
            "this client_token was used for another comment on this consultation",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<CommentRequest, Refusal> {
        CommentRequest::parse(body.as_bytes())
    }

    #[test]
    fn a_request_is_strict() {
        let ok = parse(r#"{"text": "Bien", "article": null}"#).unwrap();
        assert_eq!((ok.article, ok.author_name), (None, None));
        let full = parse(
            r#"{"text": "Bien", "article": "art-1", "author_name": "  Amina ", "author_email": " A@B.ma", "client_token": "t-1"}"#,
        )
        .unwrap();
        assert_eq!(full.article.as_deref(), Some("art-1"));
        assert_eq!(full.author_name.as_deref(), Some("Amina"));
        assert_eq!(full.author_email.as_deref(), Some("A@B.ma"));
        for (body, code) in [
            (r#"{"text": "Bien"}"#, "invalid_body"),
            (
                r#"{"text": "Bien", "article": null, "extra": 1}"#,
                "invalid_body",
            ),
            (r#"{"text": "Bien", "article": 3}"#, "invalid_body"),
            (
                r#"{"text": "Bien", "article": null, "article": null}"#,
                "malformed_json",
            ),
            (r#"{"text": 1.5, "article": null}"#, "malformed_json"),
            (
                r#"{"text": "   ", "article": null}"#,
                "invalid_comment_text",
            ),
            (
                r#"{"text": "x", "article": null, "author_email": "Amina"}"#,
                "invalid_author_email",
            ),
            (
                r#"{"text": "x", "article": null, "author_name": "a\u0007"}"#,
                "invalid_author_name",
            ),
            (
                r#"{"text": "x", "article": null, "client_token": ""}"#,
                "invalid_client_token",
            ),
            (
                r#"{"text": "x", "article": null, "client_token": "a b"}"#,
                "invalid_client_token",
            ),
        ] {
            assert_eq!(parse(body).unwrap_err().code, code, "{body}");
        }
    }

    #[test]
    fn an_error_never_repeats_the_e_mail() {
        let e = parse(r#"{"text": "x", "article": null, "author_email": "secret at mail.ma"}"#)
            .unwrap_err();
        assert!(!e.message.contains("secret"));
        let ok = parse(
            r#"{"text": "x", "article": null, "author_name": "Salma", "author_email": "salma@x.ma"}"#,
        )
        .unwrap();
        let shown = format!("{ok:?}");
        assert!(
            !shown.contains("salma") && !shown.contains("Salma"),
            "{shown}"
        );
    }

    #[test]
    fn a_retry_is_the_same_request_whatever_its_token_and_member_order() {
        let a = parse(r#"{"text": "Bien", "article": null, "client_token": "a"}"#).unwrap();
        let b = parse(r#"{"article": null, "client_token": "b", "text": "Bien"}"#).unwrap();
        let c = parse(r#"{"text": "Bien.", "article": null, "client_token": "a"}"#).unwrap();
        assert_eq!(a.request_hash, b.request_hash);
        assert_ne!(a.request_hash, c.request_hash);
    }
}

//! Hostile input, as a table: each row is a raw request a careless or malicious
//! client could send, and the documented 4xx it must get, with the JSON error body. After
//! every row the server still answers and the log has not moved. What `refusals.rs`
//! already covers row by row (duplicate keys, floats and huge integers in statements,
//! unknown members, bad signatures, unknown and revoked keys, another log's statements,
//! stale and future `issued_at`, reused nonces, oversized bodies, wrong content types, path
//! tricks in stream ids) is not repeated here; this table adds deep nesting, invalid UTF-8,
//! lone surrogates, keys and signatures of the wrong length, a statement moved to another
//! stream, the public comment channel's own hostile bodies, and path traversal and absurd
//! numbers in the read endpoints' paths and query strings; then numbers deep inside a
//! statement's body, an oversized field, document signature headers of the wrong length,
//! the portal's comment form in bytes that are not UTF-8 (which it used to record as
//! U+FFFD characters), paths that are not UTF-8 and methods a route does not take (which
//! axum used to answer in plain text or with an empty body), and traversal in the
//! portal's pages. After each row the server answers `/healthz` and the signed tree size
//! has not moved.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};

use crate::public_channel::{Consultation, CONSULTATION};
use crate::support::Backend;

both_backends!(hostile_requests_get_their_4xx_and_change_nothing);

/// One hostile request: what it is, how it is sent, what it must get.
struct Row {
    what: &'static str,
    method: &'static str,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    /// The `error` code, when the answer must name one.
    code: Option<&'static str>,
    /// More request headers (a document upload's signature headers).
    headers: Vec<(&'static str, String)>,
    /// Whether the answer is docs/spec/api.md's JSON error; the portal's form answers an HTML page.
    json: bool,
}

fn row(
    what: &'static str,
    method: &'static str,
    path: impl Into<String>,
    body: Vec<u8>,
    status: u16,
    code: Option<&'static str>,
) -> Row {
    Row {
        what,
        method,
        path: path.into(),
        content_type: "application/json",
        body,
        status,
        code,
        headers: Vec::new(),
        json: true,
    }
}

/// A post of the portal's comment form (`application/x-www-form-urlencoded`), whose
/// refusals are HTML pages for a browser.
fn form_row(what: &'static str, path: &str, body: &[u8], status: u16) -> Row {
    Row {
        content_type: "application/x-www-form-urlencoded",
        json: false,
        ..row(what, "POST", path, body.to_vec(), status, None)
    }
}

fn nested(depth: usize) -> Vec<u8> {
    let mut text = String::with_capacity(depth * 2 + 2);
    text.push_str(&"[".repeat(depth));
    text.push_str(&"]".repeat(depth));
    text.into_bytes()
}

async fn hostile_requests_get_their_4xx_and_change_nothing(backend: Backend) {
    let c = Consultation::open(backend, 1_000).await;
    let admin = &c.admin;
    let statement = |stream: &str| {
        c.sign(
            admin,
            "RegisterInstitution",
            stream,
            json!({"name": "Institution hostile", "kind": "other"}),
        )
        .to_value()
    };
    let good = statement("institution/HOSTILE");
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        v.to_string().into_bytes()
    };
    let comments = format!("/v1/consultations/{CONSULTATION}/comments");

    let mut rows = vec![
        // --- Statements ---
        row(
            "deeply nested body",
            "POST",
            "/v1/statements",
            nested(20_000),
            400,
            None,
        ),
        row(
            "deep nesting inside a statement's body",
            "POST",
            "/v1/statements",
            {
                let text = good.to_string();
                text.replacen(
                    "\"kind\":\"other\"",
                    &format!("\"kind\":{}", String::from_utf8(nested(5_000)).unwrap()),
                    1,
                )
                .into_bytes()
            },
            400,
            None,
        ),
        row(
            "invalid UTF-8 in a string",
            "POST",
            "/v1/statements",
            {
                let mut bytes = good.to_string().into_bytes();
                let at = bytes
                    .windows(7)
                    .position(|w| w == b"hostile")
                    .expect("name");
                bytes[at] = 0xff;
                bytes[at + 1] = 0xfe;
                bytes
            },
            400,
            None,
        ),
        row(
            "a lone surrogate",
            "POST",
            "/v1/statements",
            good.to_string()
                .replacen("Institution hostile", "Institution \\ud800", 1)
                .into_bytes(),
            400,
            None,
        ),
        row(
            "a signature of 63 bytes",
            "POST",
            "/v1/statements",
            with(&|v| v["sig"] = json!(BASE64.encode([7u8; 63]))),
            400,
            None,
        ),
        row(
            "a signature of 65 bytes",
            "POST",
            "/v1/statements",
            with(&|v| v["sig"] = json!(BASE64.encode([7u8; 65]))),
            400,
            None,
        ),
        row(
            "a signature that is not base64",
            "POST",
            "/v1/statements",
            with(&|v| v["sig"] = json!("not base64 at all!")),
            400,
            None,
        ),
        row(
            "an actor key of 31 bytes",
            "POST",
            "/v1/statements",
            with(&|v| v["actor"] = json!(BASE64.encode([7u8; 31]))),
            400,
            None,
        ),
        row(
            "a signed statement moved to another stream",
            "POST",
            "/v1/statements",
            with(&|v| v["statement"]["stream"] = json!("institution/OTHER")),
            401,
            Some("invalid_signature"),
        ),
        row(
            "a signed statement with its body edited",
            "POST",
            "/v1/statements",
            with(&|v| v["statement"]["body"]["name"] = json!("Autre nom")),
            401,
            Some("invalid_signature"),
        ),
        row(
            "an empty body",
            "POST",
            "/v1/statements",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a JSON null",
            "POST",
            "/v1/statements",
            b"null".to_vec(),
            400,
            None,
        ),
        row(
            "a truncated body",
            "POST",
            "/v1/statements",
            good.to_string().as_bytes()[..40].to_vec(),
            400,
            None,
        ),
        // --- The public comment channel ---
        row(
            "deeply nested comment",
            "POST",
            comments.clone(),
            nested(20_000),
            400,
            None,
        ),
        row(
            "invalid UTF-8 in a comment",
            "POST",
            comments.clone(),
            [
                b"{\"text\":\"Avis ".as_slice(),
                &[0xc3, 0x28],
                b"\",\"article\":null}",
            ]
            .concat(),
            400,
            None,
        ),
        row(
            "a float as the article",
            "POST",
            comments.clone(),
            br#"{"text":"Avis","article":1.5}"#.to_vec(),
            400,
            None,
        ),
        row(
            "a huge integer as the article",
            "POST",
            comments.clone(),
            br#"{"text":"Avis","article":123456789012345678901234567890}"#.to_vec(),
            400,
            None,
        ),
        row(
            "duplicate members in a comment",
            "POST",
            comments.clone(),
            br#"{"text":"Avis","text":"Autre","article":null}"#.to_vec(),
            400,
            None,
        ),
        row(
            "a comment's text as an object",
            "POST",
            comments.clone(),
            br#"{"text":{"a":1},"article":null}"#.to_vec(),
            400,
            None,
        ),
        row(
            "a comment on a consultation id with a path in it",
            "POST",
            "/v1/consultations/..%2F..%2Fetc/comments",
            br#"{"text":"Avis","article":null}"#.to_vec(),
            400,
            Some("invalid_id"),
        ),
        // --- Reads: paths and query strings ---
        row(
            "traversal in an offer id",
            "GET",
            "/v1/offers/..%2F..%2Fetc%2Fpasswd",
            Vec::new(),
            404,
            Some("not_found"),
        ),
        row(
            "traversal in a document hash",
            "GET",
            "/v1/documents/%2e%2e%2fkeys%2flog.key",
            Vec::new(),
            400,
            Some("invalid_sha256"),
        ),
        row(
            "traversal in a static file",
            "GET",
            "/static/..%2f..%2fCargo.toml",
            Vec::new(),
            404,
            None,
        ),
        row(
            "traversal in a stream",
            "GET",
            "/v1/streams/registry/..%2f..%2fkeys",
            Vec::new(),
            400,
            Some("invalid_id"),
        ),
        row(
            "a page as a float",
            "GET",
            "/v1/offers?page=1e3",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a page beyond u64",
            "GET",
            "/v1/offers?page=99999999999999999999",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a negative per_page",
            "GET",
            "/v1/offers?per_page=-1",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a negative start",
            "GET",
            "/v1/log/entries?start=-1&limit=10",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a start beyond u64",
            "GET",
            "/v1/log/entries?start=18446744073709551616",
            Vec::new(),
            400,
            None,
        ),
        row(
            "an inclusion proof beyond the tree",
            "GET",
            "/v1/log/proof/inclusion?index=5&size=2",
            Vec::new(),
            400,
            None,
        ),
        row(
            "an inclusion proof of a tree not yet grown",
            "GET",
            "/v1/log/proof/inclusion?index=0&size=999999999",
            Vec::new(),
            400,
            None,
        ),
        row(
            "a consistency proof backwards",
            "GET",
            "/v1/log/proof/consistency?from=3&to=2",
            Vec::new(),
            400,
            None,
        ),
        row(
            "an entry index beyond u64",
            "GET",
            "/v1/log/entries/18446744073709551616",
            Vec::new(),
            400,
            None,
        ),
        row(
            "indicators for a year as text",
            "GET",
            "/v1/indicators?year=deux-mille",
            Vec::new(),
            400,
            None,
        ),
    ];
    let form = format!("/consultations/{CONSULTATION}/comments");
    let long_name = json!({"name": "n".repeat(301), "kind": "other"});
    let in_body = |value: &str| {
        good.to_string()
            .replacen("\"kind\":\"other\"", &format!("\"kind\":{value}"), 1)
            .into_bytes()
    };
    rows.extend([
        // --- More statements: numbers deep in a body, an oversized field ---
        row(
            "an integer beyond 2^53 deep in a body",
            "POST",
            "/v1/statements",
            in_body("{\"a\":[1,{\"b\":9007199254740993}]}"),
            400,
            Some("malformed_json"),
        ),
        row(
            "a float deep in a body",
            "POST",
            "/v1/statements",
            in_body("[[[1.0]]]"),
            400,
            Some("malformed_json"),
        ),
        row(
            "an integer of a hundred digits",
            "POST",
            "/v1/statements",
            in_body(&"9".repeat(100)),
            400,
            Some("malformed_json"),
        ),
        row(
            "a name of 301 characters, signed",
            "POST",
            "/v1/statements",
            c.sign(admin, "RegisterInstitution", "institution/LONG", long_name)
                .to_value()
                .to_string()
                .into_bytes(),
            400,
            Some("invalid_name"),
        ),
        // --- Documents: signature headers of the wrong length (the upload's signature
        // check, so 401 like any signature that does not verify) ---
        Row {
            headers: vec![
                ("Sijill-Actor", BASE64.encode([7u8; 32])),
                ("Sijill-Signature", BASE64.encode([7u8; 63])),
            ],
            content_type: "application/octet-stream",
            ..row(
                "a document signature of 63 bytes",
                "POST",
                "/v1/documents",
                b"Rapport".to_vec(),
                401,
                Some("invalid_signature"),
            )
        },
        Row {
            headers: vec![
                ("Sijill-Actor", BASE64.encode([7u8; 33])),
                ("Sijill-Signature", BASE64.encode([7u8; 64])),
            ],
            content_type: "application/octet-stream",
            ..row(
                "a document actor key of 33 bytes",
                "POST",
                "/v1/documents",
                b"Rapport".to_vec(),
                401,
                Some("invalid_signature"),
            )
        },
        // --- The portal's comment form: a comment recorded must be what was typed ---
        form_row(
            "the comment form with percent-escaped bytes that are not UTF-8",
            &form,
            b"text=Avis+%FF%FE&article=",
            400,
        ),
        form_row(
            "the comment form with raw bytes that are not UTF-8",
            &form,
            b"text=Avis \xc3\x28&article=",
            400,
        ),
        form_row(
            "the comment form with an article that is not UTF-8",
            &form,
            b"text=Avis&article=%C3",
            400,
        ),
        Row {
            content_type: "application/json",
            ..form_row(
                "the comment form posted as JSON",
                &form,
                br#"{"text":"Avis","article":null}"#,
                400,
            )
        },
        // --- Reads: paths that are not UTF-8, methods routes do not take, more numbers ---
        row(
            "an offer id that is not UTF-8",
            "GET",
            "/v1/offers/%FF%FE",
            Vec::new(),
            400,
            Some("bad_request"),
        ),
        row(
            "a stream id that is not UTF-8",
            "GET",
            "/v1/streams/offer/%C3%28",
            Vec::new(),
            400,
            Some("bad_request"),
        ),
        row(
            "a POST to a read-only resource",
            "POST",
            "/v1/offers",
            Vec::new(),
            405,
            Some("method_not_allowed"),
        ),
        row(
            "a DELETE of the checkpoint",
            "DELETE",
            "/v1/log/checkpoint",
            Vec::new(),
            405,
            Some("method_not_allowed"),
        ),
        row(
            // The client resolves the dot segments (RFC 3986): the request is `/v1/x`.
            "dot segments in a document path",
            "GET",
            "/v1/documents/../x",
            Vec::new(),
            404,
            Some("not_found"),
        ),
        Row {
            json: false,
            ..row(
                "traversal in an audit page",
                "GET",
                "/audit/offer/..%2F",
                Vec::new(),
                404,
                None,
            )
        },
        Row {
            json: false,
            ..row(
                "traversal in an offer page",
                "GET",
                "/offers/..%2F..%2Fetc",
                Vec::new(),
                404,
                None,
            )
        },
        row(
            "a page that is not UTF-8",
            "GET",
            "/v1/offers?page=%FF",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
        row(
            "a per_page beyond u64",
            "GET",
            "/v1/associations?per_page=99999999999999999999",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
        row(
            "a page as a decimal",
            "GET",
            "/v1/consultations?page=1.5",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
        row(
            "a revision number in exponent form",
            "GET",
            "/v1/drafts/LOI-1/diff?from=1e3&to=2",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
        row(
            "a proof index as a decimal",
            "GET",
            "/v1/log/proof/inclusion?index=1.0&size=2",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
        row(
            "a limit beyond u64",
            "GET",
            "/v1/log/entries?start=0&limit=99999999999999999999",
            Vec::new(),
            400,
            Some("invalid_parameter"),
        ),
    ]);
    // A wrong content type on the public channel.
    rows.push(Row {
        content_type: "text/plain",
        ..row(
            "a comment sent as text/plain",
            "POST",
            comments.clone(),
            br#"{"text":"Avis","article":null}"#.to_vec(),
            415,
            None,
        )
    });

    let size = c.tree_size().await;
    let mut wrong = Vec::new();
    for r in &rows {
        let method = reqwest::Method::from_bytes(r.method.as_bytes()).expect("a method");
        let mut request = c.http.request(method, c.url(&r.path));
        if !r.body.is_empty() || r.method == "POST" {
            request = request
                .header(reqwest::header::CONTENT_TYPE, r.content_type)
                .body(r.body.clone());
        }
        for (name, value) in &r.headers {
            request = request.header(*name, value);
        }
        let answer = request.send().await;
        let Ok(answer) = answer else {
            wrong.push(format!("{}: no answer ({:?})", r.what, answer.err()));
            continue;
        };
        let status = answer.status().as_u16();
        let bytes = answer.bytes().await.unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let code_ok = r.code.is_none_or(|code| body["error"] == code);
        let json_error = !r.json || body["error"].is_string() && body["message"].is_string();
        if status != r.status || !code_ok || !json_error {
            wrong.push(format!(
                "{}: {status} {} (expected {} {:?} with a JSON error)",
                r.what,
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>(),
                r.status,
                r.code
            ));
        }
        let health = c.get("/healthz").await;
        assert_eq!(
            health.status.as_u16(),
            200,
            "the server is down after {}",
            r.what
        );
        assert_eq!(c.tree_size().await, size, "the log moved after {}", r.what);
    }
    assert!(
        wrong.is_empty(),
        "{} hostile requests answered otherwise:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        c.tree_size().await,
        size,
        "hostile requests appended something"
    );
}

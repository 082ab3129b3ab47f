//! A lying server for the tests: a reverse proxy on port 0 in front of a real server that
//! passes every GET through a function of the test's choosing, which may alter an entry's
//! bytes, a proof or a checkpoint. What a reader's verifier or a monitor must catch.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// What the proxy changes in an answer: `(path and query, body) -> new body`.
pub type Tamper = Arc<dyn Fn(&str, Vec<u8>) -> Vec<u8> + Send + Sync>;

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    tamper: Tamper,
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let answer = match proxy
        .http
        .get(format!("{}{target}", proxy.upstream))
        .send()
        .await
    {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let kind = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let body = answer.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let body = (proxy.tamper)(&target, body);
    (
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        [(header::CONTENT_TYPE, kind)],
        Bytes::from(body),
    )
        .into_response()
}

/// Starts a proxy to `upstream` on port 0 that passes every GET through `tamper`.
pub async fn start_proxy(upstream: &str, tamper: Tamper) -> String {
    let proxy = Proxy {
        upstream: upstream.to_owned(),
        http: reqwest::Client::new(),
        tamper,
    };
    let app = Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port for the proxy");
    let address = listener.local_addr().expect("proxy address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}")
}

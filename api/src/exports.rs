//! Open data (docs/spec/api.md): `GET /v1/exports/360giving.json`, the 360Giving data package of
//! every award, and `GET /v1/exports/awards.csv`, the same facts one row per award.
//!
//! The handlers only read the views and hand the rows to the pure builders of
//! `projections::open_data`, which own the documents' shapes.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use projections::open_data::giving360::{self, PackageMeta};
use projections::open_data::{awards_csv, Grant, Related};
use projections::registry::INSTITUTIONS;
use projections::support::applications::APPLICATIONS;
use projections::support::associations::ASSOCIATIONS;
use projections::support::awards::AWARDS;
use projections::support::offers::OFFERS;
use serde_json::Value;

use crate::error::ApiError;
use crate::AppState;
use store::{Join, Order, Source, ViewQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/exports/360giving.json", get(giving360_package))
        .route("/v1/exports/awards.csv", get(awards_csv_file))
}

async fn giving360_package(
    State(service): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let grants = grants(&service).await?;
    let (state, _) = service.db.state().await?;
    let base_url = base_url(&headers);
    let meta = PackageMeta {
        base_url: base_url.as_deref(),
        issued: state.last_recorded_at.as_deref(),
    };
    Ok(Json(giving360::package(&grants, &meta)))
}

async fn awards_csv_file(State(service): State<AppState>) -> Result<Response, ApiError> {
    let grants = grants(&service).await?;
    let body = awards_csv::write(&grants).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"awards.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Every award in log order, joined with its offer, application, association and the
/// offer's institution.
async fn grants(service: &AppState) -> Result<Vec<Grant>, ApiError> {
    service.await_read_models().await;
    let mut query = ViewQuery::new(AWARDS, Order::Oldest);
    query.joins = vec![
        Join {
            view: OFFERS,
            from: Source::Row,
            by: "offer",
        },
        Join {
            view: APPLICATIONS,
            from: Source::Row,
            by: "application",
        },
        Join {
            view: ASSOCIATIONS,
            from: Source::Row,
            by: "association",
        },
        Join {
            view: INSTITUTIONS,
            from: Source::Joined(0),
            by: "institution",
        },
    ];
    let rows = service.db.view_query_all(&query).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let joined: Vec<Option<Value>> = r
                .joined
                .iter()
                .map(|t| t.as_deref().and_then(|t| serde_json::from_str(t).ok()))
                .collect();
            let at = |j: usize| joined.get(j).and_then(Option::as_ref);
            let award = serde_json::from_str(&r.row).unwrap_or(Value::Null);
            Grant::from_rows(
                &award,
                Related {
                    offer: at(0),
                    application: at(1),
                    association: at(2),
                    institution: at(3),
                },
            )
        })
        .collect())
}

/// The server's public base URL as the client reached it (`X-Forwarded-Proto` and
/// `X-Forwarded-Host` from a reverse proxy, else `Host`), for the absolute links the
/// 360Giving standard wants. A host that is not a plain host name or address gives no
/// links rather than a broken or injected one.
fn base_url(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("x-forwarded-host")
        .or_else(|| header(header::HOST.as_str()))?
        .split(',')
        .next()?
        .trim();
    let scheme = match header("x-forwarded-proto").map(str::trim) {
        Some("https") => "https",
        _ => "http",
    };
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    plain.then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_base_url_follows_the_proxy_or_the_host() {
        assert_eq!(
            base_url(&headers(&[("host", "127.0.0.1:8080")])).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            base_url(&headers(&[
                ("host", "internal:8080"),
                ("x-forwarded-host", "sijill.gov.ma"),
                ("x-forwarded-proto", "https"),
            ]))
            .as_deref(),
            Some("https://sijill.gov.ma")
        );
    }

    #[test]
    fn a_strange_host_gives_no_links() {
        assert_eq!(base_url(&headers(&[("host", "evil.example/path?x")])), None);
        assert_eq!(base_url(&HeaderMap::new()), None);
    }
}

//! The portal's pages, one module per area as they are added; the home page for now.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::i18n::Lang;
use super::{html, Page};
use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(super::participation::router())
        .merge(super::participation_drafts::router())
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    tree_size: u64,
}

async fn home(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (lang, remember) = Lang::from_request(params.get("lang").map(String::as_str), &headers);
    let page = Page::new(lang, super::i18n::label(lang, "home"), "/");
    let template = Home {
        page,
        tree_size: service.sequencer.known_size(),
    };
    html(&template, lang, remember)
}

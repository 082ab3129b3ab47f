//! The portal's routes, one module per area: the home page, the support pages (offers,
//! awards, associations), the indicators, and the consultations and drafts.

use axum::routing::get;
use axum::Router;

use super::{associations, awards, home, indicators, offers};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/offers", get(offers::list))
        .route("/offers/{id}", get(offers::one))
        .route("/awards", get(awards::list))
        .route("/awards/{id}", get(awards::one))
        .route("/associations", get(associations::list))
        .route("/associations/{id}", get(associations::one))
        .route("/indicators", get(indicators::page))
        .merge(super::participation::router())
        .merge(super::participation_drafts::router())
}

//! `/v1/offers`, `/v1/awards`, `/v1/associations` and one of each (docs/spec/api.md,
//! section 5), answered by the engine's read API (`engine::reads::support`), which the
//! portal's pages render too.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use engine::reads::support::{self, AssociationAnswer, Listing};
use projections::support::associations::AssociationSummary;
use projections::support::awards::Award;
use projections::support::offers::{Offer, OfferWithApplications};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer<T> = Result<Json<T>, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/offers", get(list_offers))
        .route("/v1/offers/{id}", get(one_offer))
        .route("/v1/awards", get(list_awards))
        .route("/v1/awards/{id}", get(one_award))
        .route("/v1/associations", get(list_associations))
        .route("/v1/associations/{id}", get(one_association))
}

async fn list_offers(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<Offer>> {
    Ok(Json(support::offers_page(&service, &params).await?))
}

async fn one_offer(
    State(service): State<AppState>,
    Path(id): Path<String>,
) -> Answer<OfferWithApplications> {
    Ok(Json(support::offer(&service, &id).await?))
}

async fn list_awards(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<Award>> {
    Ok(Json(support::awards_page(&service, &params).await?))
}

async fn one_award(State(service): State<AppState>, Path(id): Path<String>) -> Answer<Award> {
    Ok(Json(support::award(&service, &id).await?))
}

async fn list_associations(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<AssociationSummary>> {
    Ok(Json(support::associations_page(&service, &params).await?))
}

async fn one_association(
    State(service): State<AppState>,
    Path(id): Path<String>,
) -> Answer<AssociationAnswer> {
    Ok(Json(support::association(&service, &id).await?))
}

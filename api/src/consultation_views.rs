//! `/v1/consultations`, one consultation with a page of its comments, and its comments page
//! by page, from the engine's read API (`engine::reads::consultation_views`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use engine::reads::listed::Listing;
use projections::participation::consultation_view::{
    Consultation, ConsultationComments, ConsultationSummary,
};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
/// A typed view of the read API, serialized as it is.
type Answer<T> = Result<Json<T>, ApiError>;
use engine::reads::consultation_views as views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/consultations", get(list_consultations))
        .route("/v1/consultations/{id}", get(one_consultation))
        .route(
            "/v1/consultations/{id}/comments",
            get(consultation_comments),
        )
}

async fn list_consultations(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<ConsultationSummary>> {
    Ok(Json(views::list_consultations(&service, &params).await?))
}

async fn one_consultation(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Answer<Consultation> {
    Ok(Json(views::one_consultation(&service, &id, &params).await?))
}

async fn consultation_comments(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Answer<ConsultationComments> {
    Ok(Json(
        views::consultation_comments(&service, &id, &params).await?,
    ))
}

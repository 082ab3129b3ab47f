//! The registry's read models: institutions and actors, paginated, typed as
//! `projections::registry` shows them.

use std::collections::HashMap;

use projections::registry::{self, Actor, Institution, ACTORS, INSTITUTIONS};
use projections::rows::{self, BadRow};
use serde_json::Value;
use store::{Order, ViewQuery};

use super::listed::{listing, typed_row, Listing};
use super::params::optional_param;
use crate::refusal::Refusal;
use crate::service::Service;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 100;

/// `?page=` (from 1) and `?per_page=` (1 to 100, default 20) as offset and limit.
pub fn page(params: &HashMap<String, String>) -> Result<(u64, u64, u64), Refusal> {
    let page = optional_param(params, "page")?.unwrap_or(1).max(1);
    let per_page = optional_param(params, "per_page")?
        .unwrap_or(20)
        .clamp(1, MAX_PER_PAGE);
    Ok(((page - 1).saturating_mul(per_page), per_page, page))
}

/// The answer of `/v1/institutions`.
pub async fn institutions_page(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<Institution>, Refusal> {
    list(service, params, INSTITUTIONS, registry::institution).await
}

/// The answer of `/v1/institutions/{id}`.
pub async fn institution(service: &Service, id: &str) -> Result<Institution, Refusal> {
    one(service, id, INSTITUTIONS, registry::institution).await
}

/// The answer of `/v1/actors`.
pub async fn actors_page(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<Actor>, Refusal> {
    list(service, params, ACTORS, registry::actor).await
}

/// The answer of `/v1/actors/{id}`.
pub async fn actor(service: &Service, id: &str) -> Result<Actor, Refusal> {
    one(service, id, ACTORS, registry::actor).await
}

/// Every registered institution, by id.
pub async fn institutions(service: &Service) -> Result<Vec<Institution>, Refusal> {
    service
        .db
        .view_query_all(&ViewQuery::new(INSTITUTIONS, Order::Id))
        .await?
        .iter()
        .map(|r| registry::institution(&rows::parse(INSTITUTIONS, &r.row)?))
        .collect::<Result<_, BadRow>>()
        .map_err(Refusal::from)
}

/// A page of `view`'s rows by id, each read by `show`.
async fn list<T>(
    service: &Service,
    params: &HashMap<String, String>,
    view: &'static str,
    show: fn(&Value) -> Result<T, BadRow>,
) -> Result<Listing<T>, Refusal> {
    service.await_read_models().await;
    listing(service, &ViewQuery::new(view, Order::Id), params, |r| {
        show(&rows::parse(view, &r.row)?)
    })
    .await
}

/// The row `id` of `view` read by `show`, or a 404.
async fn one<T>(
    service: &Service,
    id: &str,
    view: &'static str,
    show: fn(&Value) -> Result<T, BadRow>,
) -> Result<T, Refusal> {
    service.await_read_models().await;
    typed_row(service, view, &format!("{view} row"), id, |text| {
        show(&rows::parse(view, text)?)
    })
    .await
}

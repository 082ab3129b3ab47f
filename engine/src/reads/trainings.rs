//! Capacity building's read models: the training sessions of the unified
//! framework, listed with filters and pages (`/v1/trainings`), one by one
//! (`/v1/trainings/{id}`), and the framework's modules with their French and Arabic
//! titles (`/v1/trainings/modules`), the list an institution publishes. Rows come from
//! the `trainings.v1` projector (`projections::trainings`).

use std::collections::HashMap;

use projections::registry::INSTITUTIONS;
use projections::rows::{self, BadRow};
use projections::trainings::{self, Modules, Training, TrainingRow, TRAININGS};
use serde::Deserialize;

use super::listed::{listing, typed_row, Listing};
use super::support::{equals, Filters};
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Condition, Join, Order, Source, ViewQuery};

pub async fn list_trainings(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<Training>, Refusal> {
    let filters = Filters::read(
        params,
        &["year", "institution", "region", "module", "association"],
    )?;
    let mut query = ViewQuery::new(TRAININGS, Order::Newest);
    // j0: the recording institution, j1: the trainer institution, for their names.
    query.joins = vec![
        Join {
            view: INSTITUTIONS,
            from: Source::Row,
            by: "institution",
        },
        Join {
            view: INSTITUTIONS,
            from: Source::Row,
            by: "trainer_institution",
        },
    ];
    let row = Source::Row;
    // The year of a session is the year of the day it took place, not of its recording.
    if let Some(year) = filters.year()? {
        query.conditions.push(equals(row, &["year"], year));
    }
    if let Some(institution) = filters.id("institution")? {
        query
            .conditions
            .push(equals(row, &["institution"], institution));
    }
    if let Some(region) = filters.region()? {
        query.conditions.push(equals(row, &["region"], region));
    }
    if let Some(module) = filters.one_of("module", &trainings::module_codes())? {
        query.conditions.push(equals(row, &["module"], module));
    }
    if let Some(association) = filters.id("association")? {
        query.conditions.push(Condition::Lists {
            source: row,
            path: &["associations"],
            value: association,
        });
    }
    service.await_read_models().await;
    listing(service, &query, params, |r| {
        let name = |j: usize| institution_name(r.joined.get(j).and_then(Option::as_deref));
        Ok(Training::new(
            TrainingRow::from_text(&r.row)?,
            name(0)?,
            name(1)?,
        ))
    })
    .await
}

pub async fn one_training(service: &Service, id: &str) -> Result<Training, Refusal> {
    service.await_read_models().await;
    let session = typed_row(
        service,
        TRAININGS,
        "training session",
        id,
        TrainingRow::from_text,
    )
    .await?;
    let name = |id: &str| {
        let id = id.to_owned();
        async move {
            let row = service.db.view_row(INSTITUTIONS, &id).await?;
            Ok::<_, Refusal>(institution_name(row.as_deref())?)
        }
    };
    let institution_name = name(&session.institution).await?;
    let trainer_institution_name = name(&session.trainer_institution).await?;
    Ok(Training::new(
        session,
        institution_name,
        trainer_institution_name,
    ))
}

/// The name of an institution: the one member of the registry's `institutions` rows a
/// session shows.
#[derive(Deserialize)]
struct InstitutionName {
    name: Option<String>,
}

/// The name of the institution stored as `row`, `None` when there is no such row.
fn institution_name(row: Option<&str>) -> Result<Option<String>, BadRow> {
    match row {
        Some(text) => {
            let row = rows::parse(INSTITUTIONS, text)?;
            Ok(rows::read::<InstitutionName>(INSTITUTIONS, &row)?.name)
        }
        None => Ok(None),
    }
}

/// The framework's modules, in its order. Not a page: the list is short and fixed.
pub async fn modules() -> Modules {
    Modules {
        modules: trainings::modules(),
    }
}

/// The sessions association `id` attended, in log order, for its page.
///
/// # Errors
/// A database error; a row that does not read.
pub async fn attended_by(service: &Service, id: &str) -> Result<Vec<TrainingRow>, Refusal> {
    let mut query = ViewQuery::new(TRAININGS, Order::Oldest);
    query.conditions.push(Condition::Lists {
        source: Source::Row,
        path: &["associations"],
        value: id.to_owned(),
    });
    Ok(service
        .db
        .view_query_all(&query)
        .await?
        .iter()
        .map(|r| TrainingRow::from_text(&r.row))
        .collect::<Result<_, _>>()?)
}

//! Capacity building's read models: the training sessions of the unified
//! framework, listed with filters and pages (`/v1/trainings`), one by one
//! (`/v1/trainings/{id}`), and the framework's modules with their French and Arabic
//! titles (`/v1/trainings/modules`), the list an institution publishes. Rows come from
//! the `trainings.v1` projector (`projections::trainings`).

use std::collections::HashMap;

use projections::registry::INSTITUTIONS;
use projections::trainings::{self, TRAININGS};
use serde_json::{json, Value};

use super::support::{equals, list, parse, related_row, row, Filters};
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Condition, Join, Order, Source, ViewQuery};

pub async fn list_trainings(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Value, Refusal> {
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
    list(service, &query, params, |r| {
        let joined = |j: usize| r.joined.get(j).cloned().flatten().map(|t| parse(&t));
        present(&parse(&r.row), joined(0).as_ref(), joined(1).as_ref())
    })
    .await
}

pub async fn one_training(service: &Service, id: &str) -> Result<Value, Refusal> {
    service.await_read_models().await;
    let training = row(service, TRAININGS, "training session", id).await?;
    let institution = related_row(service, INSTITUTIONS, &training, "institution").await?;
    let trainer = related_row(service, INSTITUTIONS, &training, "trainer_institution").await?;
    Ok(present(&training, institution.as_ref(), trainer.as_ref()))
}

/// The framework's modules, in its order. Not a page: the list is short and fixed.
pub async fn modules() -> Value {
    json!({"modules": trainings::modules()})
}

/// The sessions association `id` attended, in log order, for its page.
///
/// # Errors
/// A database error.
pub(crate) async fn attended_by(service: &Service, id: &str) -> Result<Vec<Value>, Refusal> {
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
        .map(|r| parse(&r.row))
        .collect())
}

/// A session as the portal shows it: its row with the names of its recording and trainer
/// institutions from the registry's view (`null` when one is missing).
pub fn present(training: &Value, institution: Option<&Value>, trainer: Option<&Value>) -> Value {
    let mut out = training.clone();
    let name = |r: Option<&Value>| {
        r.and_then(|r| r.get("name"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    if let Value::Object(map) = &mut out {
        map.insert("institution_name".into(), name(institution));
        map.insert("trainer_institution_name".into(), name(trainer));
    }
    out
}

//! The `trainings` view (capacity building): one row per training session of the
//! unified framework, as `/v1/trainings` lists it and an association's page shows the
//! sessions it attended.
//!
//! A session's stream has one entry, `TrainingSessionRecorded`, so a row is written once,
//! by a `Put`, and replaying the entry writes the same row. The row carries what a reader
//! filters and reads by without a second lookup: the module's titles in French and Arabic
//! (from the framework the domain checks codes against), the region's name, the year of
//! the session's date, and its audit trail.
//!
//! The associations' own rows are not touched here: the `support.v1` projector `Put`s an
//! association's row when it is registered, and projectors run from independent
//! positions, so a member this projector set on it could be wiped by a later replay of
//! the registration. The association page asks this view instead.

use domain::training::MODULES;
use ledger::Entry;
use serde_json::{json, Value};

use crate::support::vocabulary;
use crate::{Projector, ViewChange};

/// View of training sessions, by session id (the id of their `training/<id>` stream).
pub const TRAININGS: &str = "trainings";

/// Projects `TrainingSessionRecorded` into [`TRAININGS`].
pub struct TrainingsProjector;

impl Projector for TrainingsProjector {
    fn name(&self) -> &'static str {
        "trainings.v1"
    }

    fn project(&self, entry: &Entry) -> Vec<ViewChange> {
        let Some(("training", id)) = entry.stream.split_once('/') else {
            return Vec::new();
        };
        // An empty id would make a row listed among the real ones with no trail to follow.
        if id.is_empty() || entry.event_type != "TrainingSessionRecorded" {
            return Vec::new();
        }
        vec![ViewChange::Put {
            view: TRAININGS,
            id: id.to_owned(),
            row: row(id, entry),
        }]
    }
}

/// The row of session `id` recorded by `entry`. Never panics on a malformed entry: a
/// missing or mistyped member reads as `null` (or, for the attending associations, as
/// none), so one bad entry cannot stop the projector for the entries after it.
fn row(id: &str, entry: &Entry) -> Value {
    let d = &entry.data;
    let text = |name: &str| d.get(name).and_then(Value::as_str).unwrap_or("");
    let module = text("module");
    let framework = MODULES.iter().find(|m| m.0 == module);
    // A code the framework does not (or no longer) know keeps the French title the entry
    // recorded; the framework is the only source of the Arabic one.
    let title_fr = framework.map_or_else(
        || d.get("module_title").cloned().unwrap_or(Value::Null),
        |m| json!(m.1),
    );
    let title_ar = framework.map_or(Value::Null, |m| json!(m.2));
    let region = text("region");
    // Only ids that are strings, so the SQL filter on attendance sees the same list the
    // page shows.
    let associations: Vec<Value> = d
        .get("associations")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter(|a| a.is_string()).cloned().collect())
        .unwrap_or_default();
    let stream = format!("training/{id}");
    json!({
        "id": id,
        "module": module,
        "module_title_fr": title_fr,
        "module_title_ar": title_ar,
        "date": d.get("date").cloned().unwrap_or(Value::Null),
        "year": year_of(text("date")),
        "region": region,
        "region_name": vocabulary::region_name(region),
        "institution": d.get("institution").cloned().unwrap_or(Value::Null),
        "trainer_institution": d.get("trainer_institution").cloned().unwrap_or(Value::Null),
        "associations": associations,
        "hours": d.get("hours").cloned().unwrap_or(Value::Null),
        "recorded_at": entry.recorded_at.to_entry_string(),
        "index": entry.index,
        "stream": stream,
        "audit_trail": format!("/v1/streams/{stream}"),
    })
}

/// The year of a `YYYY-MM-DD` date, stored as a number so `?year=` compares it the way it
/// compares an offer's fiscal year; `null` when the date is not written so.
fn year_of(date: &str) -> Value {
    match date.get(..4) {
        Some(y)
            if y.bytes().all(|b| b.is_ascii_digit()) && date.as_bytes().get(4) == Some(&b'-') =>
        {
            y.parse::<u16>().map_or(Value::Null, |y| json!(y))
        }
        _ => Value::Null,
    }
}

/// The modules of the reference framework, in the framework's order, as the list an
/// institution publishes: `{"code", "fr", "ar"}`.
pub fn modules() -> Vec<Value> {
    MODULES
        .iter()
        .map(|(code, fr, ar)| json!({"code": code, "fr": fr, "ar": ar}))
        .collect()
}

/// The framework's module codes, the values `?module=` takes.
pub fn module_codes() -> Vec<&'static str> {
    MODULES.iter().map(|m| m.0).collect()
}

#[cfg(test)]
mod tests;

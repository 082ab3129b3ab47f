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

use domain::names::stream;
use domain::training::{TrainingEvent, TrainingSessionRecorded, MODULES};
use ledger::Entry;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::rows::{self, BadRow};
use crate::support::vocabulary;
use crate::{decode, Projector, Unreadable, ViewChange};

/// View of training sessions, by session id (the id of their `training/<id>` stream).
pub const TRAININGS: &str = "trainings";

/// Projects `TrainingSessionRecorded` into [`TRAININGS`].
pub struct TrainingsProjector;

impl Projector for TrainingsProjector {
    fn name(&self) -> &'static str {
        "trainings.v1"
    }

    fn project(&self, entry: &Entry) -> Result<Vec<ViewChange>, Unreadable> {
        let Some((stream::TRAINING, id)) = entry.stream.split_once('/') else {
            return Ok(Vec::new());
        };
        // An empty id would make a row listed among the real ones with no trail to follow.
        if id.is_empty() {
            return Ok(Vec::new());
        }
        let TrainingEvent::TrainingSessionRecorded(session) = decode::<TrainingEvent>(entry)?.event;
        Ok(vec![ViewChange::Put {
            view: TRAININGS,
            id: id.to_owned(),
            row: row(id, entry, session),
        }])
    }
}

/// The row of session `id` recorded by `entry`.
fn row(id: &str, entry: &Entry, session: TrainingSessionRecorded) -> Value {
    let framework = MODULES.iter().find(|m| m.0 == session.module);
    // A code the framework does not (or no longer) know keeps the French title the entry
    // recorded; the framework is the only source of the Arabic one.
    let title_fr = framework.map_or_else(|| json!(session.module_title), |m| json!(m.1));
    let title_ar = framework.map_or(Value::Null, |m| json!(m.2));
    let stream = format!("{}/{id}", stream::TRAINING);
    json!({
        "id": id,
        "module": session.module,
        "module_title_fr": title_fr,
        "module_title_ar": title_ar,
        "date": session.date,
        "year": year_of(&session.date),
        "region": session.region,
        "region_name": vocabulary::region_name(&session.region),
        "institution": session.institution,
        "trainer_institution": session.trainer_institution,
        "associations": session.associations,
        "hours": session.hours,
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

/// A row of the `trainings` view, as the projector writes it and as an association's
/// page lists the sessions it attended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRow {
    pub id: String,
    /// The framework's module code.
    pub module: String,
    pub module_title_fr: String,
    /// `None` for a code the framework does not know.
    pub module_title_ar: Option<String>,
    /// `YYYY-MM-DD`, the day the session took place.
    pub date: String,
    /// The year of `date`, which lists filter on.
    pub year: Option<u16>,
    pub region: String,
    pub region_name: Option<String>,
    pub institution: String,
    pub trainer_institution: String,
    /// The associations trained.
    pub associations: Vec<String>,
    pub hours: u32,
    pub recorded_at: String,
    pub index: u64,
    pub stream: String,
    pub audit_trail: String,
}

impl TrainingRow {
    /// A stored row, as read from the store's JSON value.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_value(row: &Value) -> Result<Self, BadRow> {
        rows::read(TRAININGS, row)
    }

    /// A stored row, as read from the store's text.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_text(text: &str) -> Result<Self, BadRow> {
        rows::read(TRAININGS, &rows::parse(TRAININGS, text)?)
    }
}

/// A session as `/v1/trainings` shows it: every member of its row, and the names of its
/// recording and trainer institutions (`None` when the registry has no such institution).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub id: String,
    pub module: String,
    pub module_title_fr: String,
    pub module_title_ar: Option<String>,
    pub date: String,
    pub year: Option<u16>,
    pub region: String,
    pub region_name: Option<String>,
    pub institution: String,
    pub trainer_institution: String,
    pub associations: Vec<String>,
    pub hours: u32,
    pub recorded_at: String,
    pub index: u64,
    pub stream: String,
    pub audit_trail: String,
    pub institution_name: Option<String>,
    pub trainer_institution_name: Option<String>,
}

impl Training {
    /// The session `row` with the names of its two institutions.
    pub fn new(
        row: TrainingRow,
        institution_name: Option<String>,
        trainer_institution_name: Option<String>,
    ) -> Self {
        Self {
            id: row.id,
            module: row.module,
            module_title_fr: row.module_title_fr,
            module_title_ar: row.module_title_ar,
            date: row.date,
            year: row.year,
            region: row.region,
            region_name: row.region_name,
            institution: row.institution,
            trainer_institution: row.trainer_institution,
            associations: row.associations,
            hours: row.hours,
            recorded_at: row.recorded_at,
            index: row.index,
            stream: row.stream,
            audit_trail: row.audit_trail,
            institution_name,
            trainer_institution_name,
        }
    }
}

/// A module of the reference framework with its titles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Module {
    pub code: String,
    pub fr: String,
    pub ar: String,
}

/// The framework's modules, as `/v1/trainings/modules` answers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modules {
    pub modules: Vec<Module>,
}

/// The modules of the reference framework, in the framework's order, as the list an
/// institution publishes.
pub fn modules() -> Vec<Module> {
    MODULES
        .iter()
        .map(|(code, fr, ar)| Module {
            code: (*code).to_owned(),
            fr: (*fr).to_owned(),
            ar: (*ar).to_owned(),
        })
        .collect()
}

/// The framework's module codes, the values `?module=` takes.
pub fn module_codes() -> Vec<&'static str> {
    MODULES.iter().map(|m| m.0).collect()
}

#[cfg(test)]
mod tests;

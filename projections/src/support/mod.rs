//! Read models of the support lifecycle (`docs/support-lifecycle.md`): the
//! associations, the offers, the applications and the awards, as the portal lists them
//! and the open-data exports publish them.
//!
//! One projector, [`SupportProjector`], reads the log once and hands each entry to the
//! four views' pure functions (one file per view). An entry often changes several views:
//! an award is a row of `awards`, a line of its offer's budget and a line of its
//! association's profile. The events carry the figures a view needs (the offer's
//! committed total, the award's disbursed total), so no view recomputes a business rule,
//! and every change sets a value (see [`ViewChange`]), so replaying an entry is harmless.
//!
//! Every record keeps `stream` (`"offer/<id>"`), the index of the entry that created it
//! and an `entries` map of its own stream's entries, so a reader can go from any row to
//! its audit trail `/v1/streams/{type}/{id}`. Collections that grow (an offer's
//! applications, an association's disbursements) are objects keyed by id or log index,
//! never lists; the `present` functions turn them into lists ordered by index. Each view's
//! `present` reads its stored row once into a typed struct ([`crate::rows`]) and returns
//! the view's public shape as a typed struct (`offers::Offer`, `awards::Award`, ...),
//! which the read API hands out and the portal renders.

pub mod applications;
pub mod associations;
pub mod awards;
pub mod offers;
pub mod vocabulary;

use domain::names::stream;
use domain::participation::{ConsultationEvent, DraftEvent};
use domain::support::{ApplicationEvent, AssociationEvent, AwardEvent, OfferEvent};
use domain::LedgerEvent;
use ledger::Entry;
use serde_json::{json, Map, Value};

use crate::{decode, Projector, Unreadable, ViewChange};

/// Projects every event of the support lifecycle into the four views.
pub struct SupportProjector;

impl Projector for SupportProjector {
    fn name(&self) -> &'static str {
        "support.v1"
    }

    fn project(&self, entry: &Entry) -> Result<Vec<ViewChange>, Unreadable> {
        let kinds = [
            stream::ASSOCIATION,
            stream::OFFER,
            stream::APPLICATION,
            stream::AWARD,
        ];
        let Some(event) = Event::of(entry, &kinds)? else {
            return Ok(Vec::new());
        };
        let mut changes = Vec::new();
        changes.extend(associations::project(&event));
        changes.extend(offers::project(&event));
        changes.extend(applications::project(&event));
        changes.extend(awards::project(&event));
        // A change aimed at an empty id would make a row listed among the real ones.
        changes.retain(|c| !c.id().is_empty());
        Ok(changes)
    }
}

/// The typed event of an entry of a support or participation stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    Association(AssociationEvent),
    Offer(OfferEvent),
    Application(ApplicationEvent),
    Award(AwardEvent),
    Draft(DraftEvent),
    Consultation(ConsultationEvent),
}

/// An entry of one of the support or participation streams, decoded through the domain's
/// typed event and its upcaster, split into what every view reads.
pub struct Event<'a> {
    /// The stream's type: `association`, `offer`, `application`, `award`, `draft` or
    /// `consultation`.
    pub kind: &'a str,
    /// The aggregate id (the stream's second part).
    pub id: &'a str,
    pub event_type: &'a str,
    pub index: u64,
    /// `recorded_at` in entry form.
    pub at: String,
    /// The entry's data in the current shape (through the upcaster of its version),
    /// which decodes as `event`: a record keeps it as it is.
    pub data: Value,
    pub event: Typed,
}

impl<'a> Event<'a> {
    /// The entry as an event of one of the stream types `kinds`, or `None` for other
    /// streams.
    ///
    /// # Errors
    /// [`Unreadable`] when the entry does not decode as its stream's typed event.
    pub fn of(entry: &'a Entry, kinds: &[&str]) -> Result<Option<Self>, Unreadable> {
        let Some((kind, id)) = entry.stream.split_once('/') else {
            return Ok(None);
        };
        if !kinds.contains(&kind) {
            return Ok(None);
        }
        fn typed<E: LedgerEvent>(
            entry: &Entry,
            wrap: fn(E) -> Typed,
        ) -> Result<(Typed, Value), Unreadable> {
            decode::<E>(entry).map(|d| (wrap(d.event), d.data))
        }
        let (event, data) = match kind {
            stream::ASSOCIATION => typed(entry, Typed::Association)?,
            stream::OFFER => typed(entry, Typed::Offer)?,
            stream::APPLICATION => typed(entry, Typed::Application)?,
            stream::AWARD => typed(entry, Typed::Award)?,
            stream::DRAFT => typed(entry, Typed::Draft)?,
            stream::CONSULTATION => typed(entry, Typed::Consultation)?,
            _ => return Ok(None),
        };
        Ok(Some(Self {
            kind,
            id,
            event_type: &entry.event_type,
            index: entry.index,
            at: entry.recorded_at.to_entry_string(),
            data,
            event,
        }))
    }

    /// This entry's key in `entries` maps and in collections keyed by entry.
    pub fn key(&self) -> String {
        self.index.to_string()
    }

    /// The data object with `extra` members set over it: a record keeps every field its
    /// event carries, and what the view adds wins over a same-named field.
    pub fn data_with(&self, extra: Value) -> Value {
        let mut row = match &self.data {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        if let Value::Object(extra) = extra {
            row.extend(extra);
        }
        Value::Object(row)
    }

    /// The record's link to its audit trail.
    pub fn stream(&self) -> String {
        format!("{}/{}", self.kind, self.id)
    }

    /// The `entries` map a record starts with: its creating entry.
    pub fn first_entries(&self) -> Value {
        json!({ self.key(): self.event_type })
    }

    /// Records this entry in the `entries` map of `view`'s row `id`.
    pub fn note_entry(&self, view: &'static str, id: &str) -> ViewChange {
        set(view, id, &["entries", &self.key()], json!(self.event_type))
    }
}

/// A [`ViewChange::Set`] from string slices.
pub fn set(view: &'static str, id: &str, path: &[&str], value: Value) -> ViewChange {
    ViewChange::Set {
        view,
        id: id.to_owned(),
        path: path.iter().map(|k| (*k).to_owned()).collect(),
        value,
    }
}

/// A [`ViewChange::Merge`] of the members of `fields` (an object literal).
pub fn merge(view: &'static str, id: &str, fields: Value) -> ViewChange {
    let fields = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    ViewChange::Merge {
        view,
        id: id.to_owned(),
        fields,
    }
}

/// The hand-made lifecycle the tests project; public under the `fixtures` feature so the
/// end-to-end suite can put the same rows behind the real HTTP surface.
#[cfg(any(test, feature = "fixtures"))]
pub mod scenario;
#[cfg(test)]
mod tests;

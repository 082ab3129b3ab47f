//! The `application/<id>` aggregate: an association's application to one offer, and its
//! evaluation.
//!
//! Rules: an association applies only inside the offer's window, only if eligible (region,
//! domain, age), once per offer, for at most the offer's maximum. An evaluator of the
//! offer's institution declares (conflict or none) before scoring, and never scores where
//! a conflict was declared; a score gives every criterion an integer from 0 to 100, and the
//! domain computes the weighted total in hundredths.

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::text::{check_sha256, limit, require, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::authorization::Scope;
use crate::calendar::{local_date, parse_date, start_of_day, years_after};
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::world::{AssociationFacts, OfferFacts};
use crate::{DomainError, LedgerEvent, Services, TimeWindow};

/// At most this many documents name an application.
pub const MAX_DOCUMENTS: usize = 20;

/// Body of `SubmitApplication`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitApplication {
    pub offer: String,
    pub association: String,
    pub title: String,
    pub summary: String,
    pub requested_centimes: u64,
    /// SHA-256 (hex) of documents uploaded beforehand: the project, the budget...
    #[serde(default)]
    pub documents: Vec<String>,
}

/// Body of `DeclareConflictOfInterest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclareConflictOfInterest {
    pub conflict: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// Body of `ScoreApplication`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreApplication {
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ApplicationCommand {
    Submit(SubmitApplication),
    Declare(DeclareConflictOfInterest),
    Score(ScoreApplication),
}

/// The application's data is its body.
pub type ApplicationSubmitted = SubmitApplication;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictOfInterestDeclared {
    pub conflict: bool,
    pub note: Option<String>,
    pub offer: String,
    /// The evaluator's actor id.
    pub evaluator: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationScored {
    pub scores: BTreeMap<String, u32>,
    pub comment: Option<String>,
    pub offer: String,
    pub evaluator: String,
    /// Σ score × weight: 0 to 10000, that is 0.00 to 100.00.
    pub total_hundredths: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ApplicationEvent {
    ApplicationSubmitted(ApplicationSubmitted),
    ConflictOfInterestDeclared(ConflictOfInterestDeclared),
    ApplicationScored(ApplicationScored),
}

impl DomainEvent for ApplicationEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ApplicationSubmitted(_) => event::APPLICATION_SUBMITTED,
            Self::ConflictOfInterestDeclared(_) => event::CONFLICT_OF_INTEREST_DECLARED,
            Self::ApplicationScored(_) => event::APPLICATION_SCORED,
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for ApplicationEvent {
    const STREAM_TYPE: &'static str = stream::APPLICATION;
    const TYPES: &'static [&'static str] = &[
        event::APPLICATION_SUBMITTED,
        event::CONFLICT_OF_INTEREST_DECLARED,
        event::APPLICATION_SCORED,
    ];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    submitted: bool,
    offer: String,
    /// Evaluator → whether they declared a conflict.
    declared: BTreeMap<String, bool>,
    scored: BTreeSet<String>,
}

impl Aggregate for Application {
    const TYPE: &'static str = "application";
    type Command = Issued<ApplicationCommand>;
    type Event = ApplicationEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let now = services.clock.now();
        let event = match &issued.command {
            ApplicationCommand::Submit(body) => {
                issued.authorize(
                    "SubmitApplication",
                    &Scope::Association(body.association.clone()),
                )?;
                if self.submitted {
                    return Err(DomainError::state(
                        "application_exists",
                        "an application is already submitted under this id",
                    ));
                }
                let offer = services.registry.offer(&body.offer).ok_or_else(|| {
                    DomainError::rule(
                        "unknown_offer",
                        format!("no offer {:?} is published", body.offer),
                    )
                })?;
                let association = services
                    .registry
                    .association(&body.association)
                    .ok_or_else(|| {
                        DomainError::rule(
                            "unknown_association",
                            format!("no association {:?} is registered", body.association),
                        )
                    })?;
                let already = services.registry.applicant(&body.offer, &body.association);
                services.clock.hold_within(submit(
                    body,
                    &offer,
                    &association,
                    already.as_deref(),
                    now,
                )?);
                ApplicationEvent::ApplicationSubmitted(body.clone())
            }
            ApplicationCommand::Declare(body) => {
                let offer = self.offer_facts(services)?;
                issued.authorize(
                    "DeclareConflictOfInterest",
                    &Scope::Institution(offer.institution),
                )?;
                let evaluator = issued.actor_id();
                if self.declared.contains_key(&evaluator) {
                    return Err(DomainError::state(
                        "already_declared",
                        "this evaluator has already declared on this application",
                    ));
                }
                if let Some(note) = &body.note {
                    limit("invalid_note", "note", note, MAX_TEXT_CHARS)?;
                }
                ApplicationEvent::ConflictOfInterestDeclared(ConflictOfInterestDeclared {
                    conflict: body.conflict,
                    note: body.note.clone(),
                    offer: self.offer.clone(),
                    evaluator,
                })
            }
            ApplicationCommand::Score(body) => {
                let offer = self.offer_facts(services)?;
                issued.authorize(
                    "ScoreApplication",
                    &Scope::Institution(offer.institution.clone()),
                )?;
                let evaluator = issued.actor_id();
                let (total, window) = self.score(&evaluator, body, &offer, now)?;
                services.clock.hold_within(window);
                ApplicationEvent::ApplicationScored(ApplicationScored {
                    scores: body.scores.clone(),
                    comment: body.comment.clone(),
                    offer: self.offer.clone(),
                    evaluator,
                    total_hundredths: total,
                })
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ApplicationEvent::ApplicationSubmitted(e) => {
                self.submitted = true;
                self.offer = e.offer;
            }
            ApplicationEvent::ConflictOfInterestDeclared(e) => {
                self.declared.insert(e.evaluator, e.conflict);
            }
            ApplicationEvent::ApplicationScored(e) => {
                self.scored.insert(e.evaluator);
            }
        }
    }
}

impl Application {
    fn offer_facts(&self, services: &Services) -> Result<OfferFacts, DomainError> {
        if !self.submitted {
            return Err(DomainError::state(
                "no_application",
                "no application is submitted under this id",
            ));
        }
        services.registry.offer(&self.offer).ok_or_else(|| {
            DomainError::state(
                "no_offer",
                "the application's offer is not known yet; retry",
            )
        })
    }

    fn score(
        &self,
        evaluator: &str,
        body: &ScoreApplication,
        offer: &OfferFacts,
        now: ledger::Timestamp,
    ) -> Result<(u32, TimeWindow), DomainError> {
        match self.declared.get(evaluator) {
            None => {
                return Err(DomainError::state(
                    "declaration_required",
                    "declare a conflict of interest (or none) before scoring",
                ))
            }
            Some(true) => {
                return Err(DomainError::rule(
                    "conflict_of_interest",
                    "this evaluator declared a conflict of interest and cannot score",
                ))
            }
            Some(false) => {}
        }
        if self.scored.contains(evaluator) {
            return Err(DomainError::state(
                "already_scored",
                "this evaluator has already scored this application",
            ));
        }
        if now < offer.closes_at {
            return Err(DomainError::state(
                "window_still_open",
                format!(
                    "scoring starts when applications close, at {}",
                    offer.closes_at.to_entry_string()
                ),
            ));
        }
        let expected: BTreeSet<&str> = offer.criteria.iter().map(|(id, _)| id.as_str()).collect();
        let given: BTreeSet<&str> = body.scores.keys().map(String::as_str).collect();
        if expected != given {
            return Err(DomainError::rule(
                "criteria_mismatch",
                format!(
                    "score exactly the offer's criteria: {}",
                    expected.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if let Some((id, s)) = body.scores.iter().find(|(_, s)| **s > 100) {
            return Err(DomainError::rule(
                "score_out_of_range",
                format!("criterion {id}: {s} is above 100"),
            ));
        }
        if let Some(c) = &body.comment {
            limit("invalid_comment", "comment", c, MAX_TEXT_CHARS)?;
        }
        let total = offer
            .criteria
            .iter()
            .map(|(id, weight)| body.scores.get(id).copied().unwrap_or(0) * weight)
            .sum();
        let window = TimeWindow {
            not_before: Some(offer.closes_at),
            before: None,
        };
        Ok((total, window))
    }
}

/// The rules of a submission; the window of `recorded_at` it holds for.
fn submit(
    body: &SubmitApplication,
    offer: &OfferFacts,
    association: &AssociationFacts,
    already: Option<&str>,
    now: ledger::Timestamp,
) -> Result<TimeWindow, DomainError> {
    if offer.closed {
        return Err(DomainError::state("offer_closed", "the offer is closed"));
    }
    if now < offer.opens_at {
        return Err(DomainError::state(
            "window_not_open",
            format!("applications open at {}", offer.opens_at.to_entry_string()),
        ));
    }
    if now >= offer.closes_at {
        return Err(DomainError::state(
            "window_closed",
            format!(
                "applications closed at {}",
                offer.closes_at.to_entry_string()
            ),
        ));
    }
    if let Some(other) = already {
        return Err(DomainError::state(
            "already_applied",
            format!("this association already applied to this offer (application {other})"),
        ));
    }
    let e = &offer.eligibility;
    if !e.regions.is_empty() && !e.regions.contains(&association.region) {
        return Err(DomainError::rule(
            "not_eligible",
            format!(
                "the offer is for associations of {}; this one is in {}",
                e.regions.join(", "),
                association.region
            ),
        ));
    }
    if !e.domains.is_empty() && !association.domains.iter().any(|d| e.domains.contains(d)) {
        return Err(DomainError::rule(
            "not_eligible",
            format!(
                "the offer is for associations working in {}; this one works in {}",
                e.domains.join(", "),
                association.domains.join(", ")
            ),
        ));
    }
    let registered = parse_date(&association.registered_on).unwrap_or(jiff::civil::Date::MAX);
    let old_enough = years_after(registered, e.min_age_years);
    if old_enough > local_date(now) {
        return Err(DomainError::rule(
            "not_eligible",
            format!(
                "the offer requires {} years of existence; this association reaches them on {old_enough}",
                e.min_age_years
            ),
        ));
    }
    require("invalid_title", "title", &body.title, MAX_TITLE_CHARS)?;
    require("invalid_summary", "summary", &body.summary, MAX_TEXT_CHARS)?;
    if body.requested_centimes == 0 {
        return Err(DomainError::rule(
            "invalid_amount",
            "requested_centimes must be positive",
        ));
    }
    if body.requested_centimes > offer.max_award {
        return Err(DomainError::rule(
            "amount_above_maximum",
            format!(
                "{} centimes requested; the offer's maximum per award is {}",
                body.requested_centimes, offer.max_award
            ),
        ));
    }
    if body.documents.len() > MAX_DOCUMENTS {
        return Err(DomainError::rule(
            "invalid_document",
            format!("at most {MAX_DOCUMENTS} documents"),
        ));
    }
    for d in &body.documents {
        check_sha256(d)?;
    }
    Ok(TimeWindow {
        not_before: Some(offer.opens_at.max(start_of_day(old_enough))),
        before: Some(offer.closes_at),
    })
}

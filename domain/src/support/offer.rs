//! The `offer/<id>` aggregate: a call for proposals of one institution, published with its
//! budget, its eligibility and its weighted criteria known in advance, amended only with a
//! reason, and closed once its application window is over.
//!
//! Rules: weights sum to 100; an offer recorded after the first quarter of its fiscal year
//! is late and needs a published justification; an amendment cannot move a deadline that
//! has passed nor lower the budget below what is already awarded.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use ledger::Timestamp;
use serde::{Deserialize, Serialize};

use super::catalog::check_lists;
use super::text::{given, limit, require, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::authorization::Scope;
use crate::calendar::q1_deadline;
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services, TimeWindow};

/// Who may apply. Empty lists mean "any region" and "any domain".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    pub regions: Vec<String>,
    pub domains: Vec<String>,
    /// Whole years since the association's registration, on the day it applies.
    pub min_age_years: u32,
}

/// One evaluation criterion, with its weight out of 100.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub weight: u32,
}

/// Body of `PublishOffer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishOffer {
    pub institution: String,
    pub fiscal_year: i16,
    pub title: String,
    pub description: String,
    pub budget_centimes: u64,
    pub max_award_centimes: u64,
    pub eligibility: Eligibility,
    pub criteria: Vec<Criterion>,
    pub opens_at: String,
    pub closes_at: String,
    #[serde(default)]
    pub late_justification: Option<String>,
}

/// Body of `AmendOffer`: a reason and the fields that change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendOffer {
    pub reason: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub budget_centimes: Option<u64>,
    #[serde(default)]
    pub max_award_centimes: Option<u64>,
    #[serde(default)]
    pub closes_at: Option<String>,
}

/// Body of `CloseOffer`: nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseOffer {}

#[derive(Clone, Debug, PartialEq)]
pub enum OfferCommand {
    Publish(PublishOffer),
    Amend(AmendOffer),
    Close(CloseOffer),
}

/// `PublishOffer`'s body, and whether it came after the first quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferPublished {
    pub institution: String,
    pub fiscal_year: i16,
    pub title: String,
    pub description: String,
    pub budget_centimes: u64,
    pub max_award_centimes: u64,
    pub eligibility: Eligibility,
    pub criteria: Vec<Criterion>,
    pub opens_at: String,
    pub closes_at: String,
    pub late_justification: Option<String>,
    /// Recorded at or after `q1_deadline`.
    pub published_late: bool,
    /// When the first quarter of `fiscal_year` ended, Morocco time (entry form).
    pub q1_deadline: String,
}

/// The amendment's data is its body.
pub type OfferAmended = AmendOffer;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferClosed {
    /// Applications received, as the log stood when the offer closed.
    pub applications: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OfferEvent {
    OfferPublished(OfferPublished),
    OfferAmended(OfferAmended),
    OfferClosed(OfferClosed),
}

impl DomainEvent for OfferEvent {
    fn event_type(&self) -> String {
        match self {
            Self::OfferPublished(_) => event::OFFER_PUBLISHED,
            Self::OfferAmended(_) => event::OFFER_AMENDED,
            Self::OfferClosed(_) => event::OFFER_CLOSED,
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for OfferEvent {
    const STREAM_TYPE: &'static str = stream::OFFER;
    const TYPES: &'static [&'static str] = &[
        event::OFFER_PUBLISHED,
        event::OFFER_AMENDED,
        event::OFFER_CLOSED,
    ];
}

/// At most this many criteria, so that scoring stays a human task.
pub const MAX_CRITERIA: usize = 20;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    published: bool,
    institution: String,
    opens_at: Option<Timestamp>,
    closes_at: Option<Timestamp>,
    budget: u64,
    max_award: u64,
    closed: bool,
}

/// Parses an instant of a body.
pub(crate) fn instant(field: &str, s: &str) -> Result<Timestamp, DomainError> {
    Timestamp::parse_statement(s).map_err(|_| {
        DomainError::invalid(
            "invalid_instant",
            format!("{field} must be an instant written YYYY-MM-DDTHH:MM:SSZ, not {s:?}"),
        )
    })
}

fn window_before(t: Timestamp) -> TimeWindow {
    TimeWindow {
        not_before: None,
        before: Some(t),
    }
}

fn window_from(t: Timestamp) -> TimeWindow {
    TimeWindow {
        not_before: Some(t),
        before: None,
    }
}

impl Aggregate for Offer {
    const TYPE: &'static str = "offer";
    type Command = Issued<OfferCommand>;
    type Event = OfferEvent;
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
            OfferCommand::Publish(body) => {
                issued.authorize(
                    "PublishOffer",
                    &Scope::Institution(body.institution.clone()),
                )?;
                let (event, window) = self.publish(body, now, services)?;
                services.clock.hold_within(window);
                event
            }
            OfferCommand::Amend(body) => {
                self.require_published()?;
                issued.authorize("AmendOffer", &Scope::Institution(self.institution.clone()))?;
                let committed = services.registry.offer_committed(&issued.id);
                let window = self.amend(body, now, committed)?;
                services.clock.hold_within(window);
                OfferEvent::OfferAmended(body.clone())
            }
            OfferCommand::Close(_) => {
                self.require_published()?;
                issued.authorize("CloseOffer", &Scope::Institution(self.institution.clone()))?;
                if self.closed {
                    return Err(DomainError::state(
                        "offer_closed",
                        "the offer is already closed",
                    ));
                }
                let closes_at = self.closes_at.unwrap_or(now);
                if now < closes_at {
                    return Err(DomainError::state(
                        "window_still_open",
                        format!(
                            "the application window is open until {}",
                            closes_at.to_entry_string()
                        ),
                    ));
                }
                services.clock.hold_within(window_from(closes_at));
                let applications = services.registry.offer_application_count(&issued.id);
                OfferEvent::OfferClosed(OfferClosed { applications })
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            OfferEvent::OfferPublished(e) => {
                self.published = true;
                self.institution = e.institution;
                self.opens_at = Timestamp::parse_statement(&e.opens_at).ok();
                self.closes_at = Timestamp::parse_statement(&e.closes_at).ok();
                self.budget = e.budget_centimes;
                self.max_award = e.max_award_centimes;
            }
            OfferEvent::OfferAmended(e) => {
                if let Some(t) = e.closes_at.as_deref() {
                    self.closes_at = Timestamp::parse_statement(t).ok();
                }
                self.budget = e.budget_centimes.unwrap_or(self.budget);
                self.max_award = e.max_award_centimes.unwrap_or(self.max_award);
            }
            OfferEvent::OfferClosed(_) => self.closed = true,
        }
    }
}

impl Offer {
    fn require_published(&self) -> Result<(), DomainError> {
        if self.published {
            Ok(())
        } else {
            Err(DomainError::state(
                "no_offer",
                "no offer is published under this id",
            ))
        }
    }

    fn publish(
        &self,
        body: &PublishOffer,
        now: Timestamp,
        services: &Services,
    ) -> Result<(OfferEvent, TimeWindow), DomainError> {
        if self.published {
            return Err(DomainError::state(
                "offer_exists",
                "an offer is already published under this id",
            ));
        }
        if !services.registry.institution_exists(&body.institution) {
            return Err(DomainError::rule(
                "unknown_institution",
                format!("no institution {:?} is registered", body.institution),
            ));
        }
        if !(2000..=2100).contains(&body.fiscal_year) {
            return Err(DomainError::rule(
                "invalid_fiscal_year",
                "fiscal_year must be between 2000 and 2100",
            ));
        }
        require("invalid_title", "title", &body.title, MAX_TITLE_CHARS)?;
        require(
            "invalid_description",
            "description",
            &body.description,
            MAX_TEXT_CHARS,
        )?;
        check_amounts(body.budget_centimes, body.max_award_centimes)?;
        check_lists(&body.eligibility.regions, &body.eligibility.domains)?;
        if body.eligibility.min_age_years > 100 {
            return Err(DomainError::rule(
                "invalid_eligibility",
                "min_age_years is at most 100",
            ));
        }
        check_criteria(&body.criteria)?;
        let opens_at = instant("opens_at", &body.opens_at)?;
        let closes_at = instant("closes_at", &body.closes_at)?;
        if opens_at >= closes_at {
            return Err(DomainError::rule(
                "invalid_window",
                "opens_at must be before closes_at",
            ));
        }
        if closes_at <= now {
            return Err(DomainError::rule(
                "window_already_closed",
                "closes_at has already passed: nobody could apply",
            ));
        }
        if let Some(j) = &body.late_justification {
            limit(
                "invalid_justification",
                "late_justification",
                j,
                MAX_TEXT_CHARS,
            )?;
        }
        let deadline = q1_deadline(body.fiscal_year);
        let late = now >= deadline;
        if late && !given(body.late_justification.as_deref()) {
            return Err(DomainError::rule(
                "late_justification_required",
                format!(
                    "the first quarter of {} is over (it ended {}): a late offer needs a late_justification, which is published",
                    body.fiscal_year,
                    deadline.to_entry_string()
                ),
            ));
        }
        // Late or not is decided now; the entry must land on the same side of the deadline.
        let window = if late {
            window_from(deadline)
        } else {
            window_before(deadline)
        }
        .and(window_before(closes_at));
        let event = OfferEvent::OfferPublished(OfferPublished {
            institution: body.institution.clone(),
            fiscal_year: body.fiscal_year,
            title: body.title.clone(),
            description: body.description.clone(),
            budget_centimes: body.budget_centimes,
            max_award_centimes: body.max_award_centimes,
            eligibility: body.eligibility.clone(),
            criteria: body.criteria.clone(),
            opens_at: body.opens_at.clone(),
            closes_at: body.closes_at.clone(),
            late_justification: body.late_justification.clone(),
            published_late: late,
            q1_deadline: deadline.to_entry_string(),
        });
        Ok((event, window))
    }

    fn amend(
        &self,
        body: &AmendOffer,
        now: Timestamp,
        committed: u64,
    ) -> Result<TimeWindow, DomainError> {
        require("reason_required", "reason", &body.reason, MAX_TEXT_CHARS)?;
        if body.title.is_none()
            && body.description.is_none()
            && body.budget_centimes.is_none()
            && body.max_award_centimes.is_none()
            && body.closes_at.is_none()
        {
            return Err(DomainError::rule(
                "nothing_to_amend",
                "the amendment changes nothing",
            ));
        }
        if let Some(t) = &body.title {
            require("invalid_title", "title", t, MAX_TITLE_CHARS)?;
        }
        if let Some(d) = &body.description {
            require("invalid_description", "description", d, MAX_TEXT_CHARS)?;
        }
        let budget = body.budget_centimes.unwrap_or(self.budget);
        let max_award = body.max_award_centimes.unwrap_or(self.max_award);
        check_amounts(budget, max_award)?;
        if budget < committed {
            return Err(DomainError::rule(
                "budget_below_awarded",
                format!(
                    "{committed} centimes are already awarded; the budget cannot go below that"
                ),
            ));
        }
        let mut window = TimeWindow::ALWAYS;
        if let Some(new) = &body.closes_at {
            let current = self.closes_at.unwrap_or(now);
            if self.closed || now >= current {
                return Err(DomainError::state(
                    "deadline_passed",
                    format!(
                        "the deadline {} has passed and cannot be moved",
                        current.to_entry_string()
                    ),
                ));
            }
            let new = instant("closes_at", new)?;
            if new <= now || self.opens_at.is_some_and(|o| new <= o) {
                return Err(DomainError::rule(
                    "invalid_window",
                    "the new closes_at must be in the future and after opens_at",
                ));
            }
            window = window_before(current).and(window_before(new));
        }
        Ok(window)
    }
}

fn check_amounts(budget: u64, max_award: u64) -> Result<(), DomainError> {
    if budget == 0 || max_award == 0 || max_award > budget {
        return Err(DomainError::rule(
            "invalid_amounts",
            "budget_centimes and max_award_centimes must be positive, and the maximum per award at most the budget",
        ));
    }
    // Amounts stay exact in every JSON reader (I-JSON's 2^53).
    if budget > (1 << 53) {
        return Err(DomainError::rule(
            "invalid_amounts",
            "budget_centimes is too large",
        ));
    }
    Ok(())
}

fn check_criteria(criteria: &[Criterion]) -> Result<(), DomainError> {
    if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
        return Err(DomainError::rule(
            "invalid_criteria",
            format!("an offer has 1 to {MAX_CRITERIA} criteria"),
        ));
    }
    for (i, c) in criteria.iter().enumerate() {
        crate::AggregateId::parse(&c.id).map_err(|_| {
            DomainError::rule(
                "invalid_criteria",
                format!("criterion id {:?} must be 1 to 64 of [A-Za-z0-9._-]", c.id),
            )
        })?;
        require(
            "invalid_criteria",
            "a criterion's title",
            &c.title,
            MAX_TITLE_CHARS,
        )?;
        if criteria[..i].iter().any(|o| o.id == c.id) {
            return Err(DomainError::rule(
                "invalid_criteria",
                format!("criterion {:?} is listed twice", c.id),
            ));
        }
        if c.weight == 0 || c.weight > 100 {
            return Err(DomainError::rule(
                "invalid_criteria",
                format!("criterion {:?}: a weight is 1 to 100", c.id),
            ));
        }
    }
    let sum: u32 = criteria.iter().map(|c| c.weight).sum();
    if sum != 100 {
        return Err(DomainError::rule(
            "weights_must_sum_to_100",
            format!("the criteria's weights sum to {sum}, not 100"),
        ));
    }
    Ok(())
}

//! The `award/<id>` aggregate: support granted to one scored application of a closed
//! offer, the disbursements that pay it, the association's reports, and its revocation.
//!
//! Rules: an award is at most the amount requested and the offer's maximum; the offer's
//! awards never exceed its budget; awarding while a better-scored application waits needs
//! a written justification, published in the entry; disbursements never exceed the award;
//! a report names its document by SHA-256; a revocation states its reason and what is to
//! be recovered, and gives back to the budget what was not disbursed.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::text::{check_sha256, given, limit, require, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::authorization::Scope;
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services};

/// Body of `GrantAward`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantAward {
    pub application: String,
    pub amount_centimes: u64,
    #[serde(default)]
    pub justification: Option<String>,
}

/// Body of `RecordDisbursement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDisbursement {
    pub amount_centimes: u64,
    /// The payment's reference in the treasury's books.
    #[serde(default)]
    pub reference: Option<String>,
}

/// Body of `SubmitReport`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitReport {
    /// `activity` or `financial`.
    pub kind: String,
    pub summary: String,
    /// SHA-256 (hex) of the report document, uploaded beforehand.
    pub document: String,
}

/// Body of `RevokeAward`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeAward {
    pub reason: String,
    pub recover_centimes: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AwardCommand {
    Grant(GrantAward),
    Disburse(RecordDisbursement),
    Report(SubmitReport),
    Revoke(RevokeAward),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardGranted {
    pub application: String,
    pub amount_centimes: u64,
    pub justification: Option<String>,
    pub offer: String,
    pub institution: String,
    pub association: String,
    pub requested_centimes: u64,
    pub score_hundredths: u32,
    /// A better-scored application of the offer had no award.
    pub out_of_order: bool,
    /// The offer's committed total, this award included.
    pub offer_committed_centimes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisbursementRecorded {
    pub amount_centimes: u64,
    pub reference: Option<String>,
    pub offer: String,
    pub association: String,
    pub disbursed_total_centimes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSubmitted {
    pub kind: String,
    pub summary: String,
    pub document: String,
    pub offer: String,
    pub association: String,
    /// The documents the entry names (`docs/spec/ledger-format.md`): here the report's.
    pub documents: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardRevoked {
    pub reason: String,
    pub recover_centimes: u64,
    pub offer: String,
    pub association: String,
    pub disbursed_centimes: u64,
    pub offer_committed_centimes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AwardEvent {
    AwardGranted(AwardGranted),
    DisbursementRecorded(DisbursementRecorded),
    ReportSubmitted(ReportSubmitted),
    AwardRevoked(AwardRevoked),
}

impl DomainEvent for AwardEvent {
    fn event_type(&self) -> String {
        match self {
            Self::AwardGranted(_) => event::AWARD_GRANTED,
            Self::DisbursementRecorded(_) => event::DISBURSEMENT_RECORDED,
            Self::ReportSubmitted(_) => event::REPORT_SUBMITTED,
            Self::AwardRevoked(_) => event::AWARD_REVOKED,
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for AwardEvent {
    const STREAM_TYPE: &'static str = stream::AWARD;
    const TYPES: &'static [&'static str] = &[
        event::AWARD_GRANTED,
        event::DISBURSEMENT_RECORDED,
        event::REPORT_SUBMITTED,
        event::AWARD_REVOKED,
    ];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Award {
    granted: bool,
    offer: String,
    institution: String,
    association: String,
    amount: u64,
    disbursed: u64,
    revoked: bool,
}

impl Aggregate for Award {
    const TYPE: &'static str = "award";
    type Command = Issued<AwardCommand>;
    type Event = AwardEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match &issued.command {
            AwardCommand::Grant(body) => self.grant(&issued, body, services)?,
            AwardCommand::Disburse(body) => {
                self.require_granted()?;
                issued.authorize(
                    "RecordDisbursement",
                    &Scope::Institution(self.institution.clone()),
                )?;
                self.require_active()?;
                if let Some(r) = &body.reference {
                    limit("invalid_reference", "reference", r, MAX_TITLE_CHARS)?;
                }
                if body.amount_centimes == 0 {
                    return Err(DomainError::rule(
                        "invalid_amount",
                        "amount_centimes must be positive",
                    ));
                }
                let total = self.disbursed.saturating_add(body.amount_centimes);
                if total > self.amount {
                    return Err(DomainError::rule(
                        "disbursement_exceeds_award",
                        format!(
                            "the award is {} centimes, {} are already disbursed: at most {} more",
                            self.amount,
                            self.disbursed,
                            self.amount - self.disbursed
                        ),
                    ));
                }
                AwardEvent::DisbursementRecorded(DisbursementRecorded {
                    amount_centimes: body.amount_centimes,
                    reference: body.reference.clone(),
                    offer: self.offer.clone(),
                    association: self.association.clone(),
                    disbursed_total_centimes: total,
                })
            }
            AwardCommand::Report(body) => {
                self.require_granted()?;
                issued.authorize(
                    "SubmitReport",
                    &Scope::Association(self.association.clone()),
                )?;
                if body.kind != "activity" && body.kind != "financial" {
                    return Err(DomainError::rule(
                        "invalid_kind",
                        "a report's kind is activity or financial",
                    ));
                }
                require("summary_required", "summary", &body.summary, MAX_TEXT_CHARS)?;
                check_sha256(&body.document)?;
                AwardEvent::ReportSubmitted(ReportSubmitted {
                    kind: body.kind.clone(),
                    summary: body.summary.clone(),
                    document: body.document.clone(),
                    offer: self.offer.clone(),
                    association: self.association.clone(),
                    documents: vec![body.document.clone()],
                })
            }
            AwardCommand::Revoke(body) => {
                self.require_granted()?;
                issued.authorize("RevokeAward", &Scope::Institution(self.institution.clone()))?;
                self.require_active()?;
                require("reason_required", "reason", &body.reason, MAX_TEXT_CHARS)?;
                if body.recover_centimes > self.disbursed {
                    return Err(DomainError::rule(
                        "recovery_exceeds_disbursed",
                        format!(
                            "only {} centimes were disbursed; more cannot be recovered",
                            self.disbursed
                        ),
                    ));
                }
                let committed = services.registry.offer_committed(&self.offer);
                AwardEvent::AwardRevoked(AwardRevoked {
                    reason: body.reason.clone(),
                    recover_centimes: body.recover_centimes,
                    offer: self.offer.clone(),
                    association: self.association.clone(),
                    disbursed_centimes: self.disbursed,
                    offer_committed_centimes: committed
                        .saturating_sub(self.amount - self.disbursed),
                })
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AwardEvent::AwardGranted(e) => {
                self.granted = true;
                self.offer = e.offer;
                self.institution = e.institution;
                self.association = e.association;
                self.amount = e.amount_centimes;
            }
            AwardEvent::DisbursementRecorded(e) => self.disbursed = e.disbursed_total_centimes,
            AwardEvent::ReportSubmitted(_) => {}
            AwardEvent::AwardRevoked(_) => self.revoked = true,
        }
    }
}

impl Award {
    fn require_granted(&self) -> Result<(), DomainError> {
        if self.granted {
            Ok(())
        } else {
            Err(DomainError::state(
                "no_award",
                "no award is granted under this id",
            ))
        }
    }

    fn require_active(&self) -> Result<(), DomainError> {
        if self.revoked {
            Err(DomainError::state("award_revoked", "the award was revoked"))
        } else {
            Ok(())
        }
    }

    fn grant(
        &self,
        issued: &Issued<AwardCommand>,
        body: &GrantAward,
        services: &Services,
    ) -> Result<AwardEvent, DomainError> {
        let facts = &services.registry;
        let application = facts.application(&body.application).ok_or_else(|| {
            DomainError::rule(
                "unknown_application",
                format!("no application {:?} is submitted", body.application),
            )
        })?;
        let offer = facts.offer(&application.offer).ok_or_else(|| {
            DomainError::state(
                "no_offer",
                "the application's offer is not known yet; retry",
            )
        })?;
        issued.authorize("GrantAward", &Scope::Institution(offer.institution.clone()))?;
        if self.granted {
            return Err(DomainError::state(
                "award_exists",
                "an award is already granted under this id",
            ));
        }
        if !offer.closed {
            return Err(DomainError::state(
                "offer_not_closed",
                "awards are granted once the offer is closed",
            ));
        }
        let Some(score) = application.score() else {
            return Err(DomainError::state(
                "not_scored",
                "the application has not been scored",
            ));
        };
        if let Some(award) = &application.award {
            return Err(DomainError::state(
                "already_awarded",
                format!("the application already holds award {award}"),
            ));
        }
        if body.amount_centimes == 0 {
            return Err(DomainError::rule(
                "invalid_amount",
                "amount_centimes must be positive",
            ));
        }
        if body.amount_centimes > application.requested {
            return Err(DomainError::rule(
                "amount_above_request",
                format!(
                    "the association requested {} centimes; an award cannot be more",
                    application.requested
                ),
            ));
        }
        if body.amount_centimes > offer.max_award {
            return Err(DomainError::rule(
                "amount_above_maximum",
                format!(
                    "the offer's maximum per award is {} centimes",
                    offer.max_award
                ),
            ));
        }
        let committed = facts.offer_committed(&application.offer);
        let remaining = offer.budget.saturating_sub(committed);
        if body.amount_centimes > remaining {
            return Err(DomainError::rule(
                "budget_exceeded",
                format!(
                    "the offer's budget has {remaining} centimes left; this award asks {}",
                    body.amount_centimes
                ),
            ));
        }
        if let Some(j) = &body.justification {
            limit("invalid_justification", "justification", j, MAX_TEXT_CHARS)?;
        }
        let better_waiting = facts
            .offer_applications(&application.offer)
            .into_iter()
            .filter(|(id, a)| *id != body.application && a.award.is_none())
            .filter_map(|(id, a)| a.score().map(|s| (id, s)))
            .filter(|(_, s)| *s > score)
            .max_by_key(|(_, s)| *s);
        if let Some((id, better)) = &better_waiting {
            if !given(body.justification.as_deref()) {
                return Err(DomainError::rule(
                    "justification_required",
                    format!(
                        "application {id} scored {better} (hundredths) and has no award; awarding out of score order needs a justification, which is published"
                    ),
                ));
            }
        }
        Ok(AwardEvent::AwardGranted(AwardGranted {
            application: body.application.clone(),
            amount_centimes: body.amount_centimes,
            justification: body.justification.clone(),
            offer: application.offer.clone(),
            institution: offer.institution.clone(),
            association: application.association.clone(),
            requested_centimes: application.requested,
            score_hundredths: score,
            out_of_order: better_waiting.is_some(),
            offer_committed_centimes: committed + body.amount_centimes,
        }))
    }
}

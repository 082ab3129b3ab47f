//! From a signed statement to a typed domain command: which aggregate, which stream, whose
//! business (for authorization), and the body parsed strictly (unknown fields refused).

use domain::authorization::Scope;
use domain::document::{DeclareDocumentUnavailable, DocumentCommand};
use domain::names::{command, stream};
use domain::participation::{
    CloseConsultation, ConsultationCommand, CreateDraft, DraftCommand, ErasePersonalData,
    ModerateComment, OpenConsultation, PublishResults, PublishRevision, RespondToComments,
    RevisionText, SubmitComment, SubmitDraft,
};
use domain::registry::{
    ActorCommand, InstitutionCommand, LogKeyCommand, RegisterActor, RegisterInstitution,
    RevokeActor, RotateLogKey, LOG_KEY_ID,
};
use domain::support::{
    AmendOffer, ApplicationCommand, AssociationCommand, AwardCommand, CloseOffer,
    DeclareConflictOfInterest, GrantAward, OfferCommand, PublishOffer, RecordDisbursement,
    RegisterAssociation, RevokeAward, ScoreApplication, SubmitApplication, SubmitReport,
};
use domain::training::{RecordTrainingSession, TrainingCommand};
use domain::{RegistryFacts, StreamName};
use ledger::Statement;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::refusal::Refusal;

/// A command for one of the aggregates.
#[derive(Clone, Debug)]
pub enum Routed {
    Institution(InstitutionCommand),
    Actor(ActorCommand),
    Association(AssociationCommand),
    Offer(OfferCommand),
    Application(ApplicationCommand),
    Award(AwardCommand),
    Draft(DraftCommand),
    Consultation(ConsultationCommand),
    Training(TrainingCommand),
    LogKey(LogKeyCommand),
    Document(DocumentCommand),
}

impl Routed {
    /// The aggregate type (the stream's first part) the command goes to.
    pub fn stream_type(&self) -> &'static str {
        match self {
            Self::Institution(_) => stream::INSTITUTION,
            Self::Actor(_) => stream::REGISTRY,
            Self::Association(_) => stream::ASSOCIATION,
            Self::Offer(_) => stream::OFFER,
            Self::Application(_) => stream::APPLICATION,
            Self::Award(_) => stream::AWARD,
            Self::Draft(_) => stream::DRAFT,
            Self::Consultation(_) => stream::CONSULTATION,
            Self::Training(_) => stream::TRAINING,
            Self::LogKey(_) => stream::LOG,
            Self::Document(_) => stream::DOCUMENT,
        }
    }
}

/// A statement understood: its stream, its command and whose business it is.
#[derive(Clone, Debug)]
pub struct RoutedCommand {
    pub stream: StreamName,
    pub command: Routed,
    pub scope: Scope,
}

/// Routes a statement. `facts` resolves whose business a command on an existing record
/// is (an award's institution is its offer's); the aggregate checks it again on the state
/// it decides on, so a record not yet visible here cannot slip past authorization.
///
/// # Errors
/// 400 `unknown_command`, `wrong_stream` (stream type does not fit the command),
/// `invalid_stream`/`invalid_id`, or `invalid_body` (the body does not fit the command).
pub fn route(statement: &Statement, facts: &dyn RegistryFacts) -> Result<RoutedCommand, Refusal> {
    let stream = StreamName::parse(&statement.stream)?;
    let id = stream.id.as_str();
    let b = &statement.body;
    let offer_owner = |offer: &str| {
        facts
            .offer(offer)
            .map_or(Scope::Unresolved, |o| Scope::Institution(o.institution))
    };
    let draft_owner = |draft: &str| {
        facts
            .draft(draft)
            .map_or(Scope::Unresolved, |d| Scope::Institution(d.institution))
    };
    let consultation_owner = |consultation: &str| {
        facts
            .consultation(consultation)
            .map_or(Scope::Unresolved, |c| Scope::Institution(c.institution))
    };
    let application_owner = |application: &str| {
        facts
            .application(application)
            .map_or(Scope::Unresolved, |a| offer_owner(&a.offer))
    };
    let (kind, command, scope) = match statement.command.as_str() {
        command::REGISTER_INSTITUTION => (
            stream::INSTITUTION,
            Routed::Institution(InstitutionCommand::Register(body::<RegisterInstitution>(
                b,
            )?)),
            Scope::Registry,
        ),
        command::REGISTER_ACTOR => (
            stream::REGISTRY,
            Routed::Actor(ActorCommand::Register(body::<RegisterActor>(b)?)),
            Scope::Registry,
        ),
        command::REVOKE_ACTOR => (
            stream::REGISTRY,
            Routed::Actor(ActorCommand::Revoke(body::<RevokeActor>(b)?)),
            Scope::Registry,
        ),
        command::ROTATE_LOG_KEY => (
            stream::LOG,
            Routed::LogKey(LogKeyCommand::Rotate(body::<RotateLogKey>(b)?)),
            Scope::Registry,
        ),
        command::DECLARE_DOCUMENT_UNAVAILABLE => {
            let body = body::<DeclareDocumentUnavailable>(b)?;
            // One stream per document, named by its hash, so a declaration is made once
            // and an auditor finds it where the document's name says.
            if body.document != id {
                return Err(Refusal::bad_request(
                    "wrong_stream",
                    format!(
                        "DeclareDocumentUnavailable goes on document/{}, not {}",
                        body.document, statement.stream
                    ),
                ));
            }
            (
                stream::DOCUMENT,
                Routed::Document(DocumentCommand::DeclareUnavailable(body)),
                Scope::Registry,
            )
        }
        command::REGISTER_ASSOCIATION => (
            stream::ASSOCIATION,
            Routed::Association(AssociationCommand::Register(body::<RegisterAssociation>(
                b,
            )?)),
            Scope::Registry,
        ),
        command::PUBLISH_OFFER => {
            let body = body::<PublishOffer>(b)?;
            let scope = Scope::Institution(body.institution.clone());
            (
                stream::OFFER,
                Routed::Offer(OfferCommand::Publish(body)),
                scope,
            )
        }
        command::AMEND_OFFER => (
            stream::OFFER,
            Routed::Offer(OfferCommand::Amend(body::<AmendOffer>(b)?)),
            offer_owner(id),
        ),
        command::CLOSE_OFFER => (
            stream::OFFER,
            Routed::Offer(OfferCommand::Close(body::<CloseOffer>(b)?)),
            offer_owner(id),
        ),
        command::SUBMIT_APPLICATION => {
            let body = body::<SubmitApplication>(b)?;
            let scope = Scope::Association(body.association.clone());
            (
                stream::APPLICATION,
                Routed::Application(ApplicationCommand::Submit(body)),
                scope,
            )
        }
        command::DECLARE_CONFLICT_OF_INTEREST => (
            stream::APPLICATION,
            Routed::Application(ApplicationCommand::Declare(body::<
                DeclareConflictOfInterest,
            >(b)?)),
            application_owner(id),
        ),
        command::SCORE_APPLICATION => (
            stream::APPLICATION,
            Routed::Application(ApplicationCommand::Score(body::<ScoreApplication>(b)?)),
            application_owner(id),
        ),
        command::GRANT_AWARD => {
            let body = body::<GrantAward>(b)?;
            let scope = application_owner(&body.application);
            (
                stream::AWARD,
                Routed::Award(AwardCommand::Grant(body)),
                scope,
            )
        }
        command::RECORD_DISBURSEMENT => (
            stream::AWARD,
            Routed::Award(AwardCommand::Disburse(body::<RecordDisbursement>(b)?)),
            facts
                .award(id)
                .map_or(Scope::Unresolved, |a| Scope::Institution(a.institution)),
        ),
        command::REVOKE_AWARD => (
            stream::AWARD,
            Routed::Award(AwardCommand::Revoke(body::<RevokeAward>(b)?)),
            facts
                .award(id)
                .map_or(Scope::Unresolved, |a| Scope::Institution(a.institution)),
        ),
        command::SUBMIT_REPORT => (
            stream::AWARD,
            Routed::Award(AwardCommand::Report(body::<SubmitReport>(b)?)),
            facts
                .award(id)
                .map_or(Scope::Unresolved, |a| Scope::Association(a.association)),
        ),
        command::CREATE_DRAFT => {
            let body = body::<CreateDraft>(b)?;
            let scope = Scope::Institution(body.institution.clone());
            (
                stream::DRAFT,
                Routed::Draft(DraftCommand::Create(body)),
                scope,
            )
        }
        command::PUBLISH_REVISION => (
            stream::DRAFT,
            Routed::Draft(DraftCommand::PublishRevision(RevisionText {
                body: body::<PublishRevision>(b)?,
                document_articles: None,
            })),
            draft_owner(id),
        ),
        command::SUBMIT_DRAFT => (
            stream::DRAFT,
            Routed::Draft(DraftCommand::Submit(body::<SubmitDraft>(b)?)),
            draft_owner(id),
        ),
        command::OPEN_CONSULTATION => {
            let body = body::<OpenConsultation>(b)?;
            let scope = draft_owner(&body.draft);
            (
                stream::CONSULTATION,
                Routed::Consultation(ConsultationCommand::Open(body)),
                scope,
            )
        }
        command::SUBMIT_COMMENT => {
            let body = body::<SubmitComment>(b)?;
            let scope = Scope::Association(body.association.clone());
            (
                stream::CONSULTATION,
                Routed::Consultation(ConsultationCommand::Comment(body)),
                scope,
            )
        }
        command::MODERATE_COMMENT => (
            stream::CONSULTATION,
            Routed::Consultation(ConsultationCommand::Moderate(body::<ModerateComment>(b)?)),
            consultation_owner(id),
        ),
        command::ERASE_PERSONAL_DATA => (
            stream::CONSULTATION,
            Routed::Consultation(ConsultationCommand::Erase(body::<ErasePersonalData>(b)?)),
            consultation_owner(id),
        ),
        command::CLOSE_CONSULTATION => (
            stream::CONSULTATION,
            Routed::Consultation(ConsultationCommand::Close(body::<CloseConsultation>(b)?)),
            consultation_owner(id),
        ),
        command::RESPOND_TO_COMMENTS => (
            stream::CONSULTATION,
            Routed::Consultation(ConsultationCommand::Respond(body::<RespondToComments>(b)?)),
            consultation_owner(id),
        ),
        command::PUBLISH_RESULTS => (
            stream::CONSULTATION,
            Routed::Consultation(ConsultationCommand::PublishResults(body::<PublishResults>(
                b,
            )?)),
            consultation_owner(id),
        ),
        command::RECORD_TRAINING_SESSION => {
            let body = body::<RecordTrainingSession>(b)?;
            let scope = Scope::Institution(body.institution.clone());
            (
                stream::TRAINING,
                Routed::Training(TrainingCommand::Record(body)),
                scope,
            )
        }
        other => {
            return Err(Refusal::bad_request(
                "unknown_command",
                format!("unknown command {other:?}"),
            ))
        }
    };
    if stream.kind != kind {
        return Err(Refusal::bad_request(
            "wrong_stream",
            format!(
                "{} goes on a {kind}/<id> stream, not {}",
                statement.command, statement.stream
            ),
        ));
    }
    // Every rotation is on the one stream `log/key`, so an auditor finds them all there.
    if kind == stream::LOG && stream.id.as_str() != LOG_KEY_ID {
        return Err(Refusal::bad_request(
            "wrong_stream",
            format!(
                "{} goes on log/{LOG_KEY_ID}, not {}",
                statement.command, statement.stream
            ),
        ));
    }
    Ok(RoutedCommand {
        stream,
        command,
        scope,
    })
}

fn body<T: DeserializeOwned>(body: &Value) -> Result<T, Refusal> {
    serde_json::from_value(body.clone())
        .map_err(|e| Refusal::bad_request("invalid_body", format!("body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command of the role table of docs/spec/ledger-format.md is routed: none answers
    /// `unknown_command`.
    #[test]
    fn every_command_of_the_role_table_is_routed() {
        struct Empty;
        impl RegistryFacts for Empty {
            fn institution_exists(&self, _: &str) -> bool {
                false
            }
            fn association_exists(&self, _: &str) -> bool {
                false
            }
            fn key_registered(&self, _: &str) -> bool {
                false
            }
            fn read_world(&self, read: &mut dyn FnMut(&domain::world::World)) {
                read(&domain::world::World::default());
            }
        }
        for command in ledger::roles::COMMANDS {
            let statement = Statement {
                origin: "o".into(),
                command: (*command).into(),
                stream: "registry/x".into(),
                body: serde_json::json!({}),
                issued_at: "2026-01-01T00:00:00Z".into(),
                nonce: "n".into(),
            };
            if let Err(e) = route(&statement, &Empty) {
                assert_ne!(e.code, "unknown_command", "{command} is not routed");
            }
        }
    }
}

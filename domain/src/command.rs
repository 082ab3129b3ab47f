//! A statement's command, typed: [`Command`] is one serde enum whose variants are named as
//! the command names of the role table (`docs/spec/ledger-format.md`, section 7) and hold
//! the command's body. [`route`] reads a statement's `(command, body)` pair as that enum
//! (serde's externally tagged form, the name choosing the variant), and then says which
//! aggregate decides it, on which stream, and whose business it is.
//!
//! serde's derive is the only table from names to body types: a command added to the enum
//! is parsed, and the compiler asks for its aggregate, stream type and scope below.

use std::fmt;

use serde::de::value::{EnumAccessDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, VariantAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::authorization::Scope;
use crate::document::{DeclareDocumentUnavailable, DocumentCommand};
use crate::names::stream;
use crate::participation::{
    CloseConsultation, ConsultationCommand, CreateDraft, DraftCommand, ErasePersonalData,
    ModerateComment, OpenConsultation, PublishResults, PublishRevision, RespondToComments,
    RevisionText, SubmitComment, SubmitDraft,
};
use crate::registry::{
    ActorCommand, InstitutionCommand, LogKeyCommand, RegisterActor, RegisterInstitution,
    RevokeActor, RotateLogKey, LOG_KEY_ID,
};
use crate::support::{
    AmendOffer, ApplicationCommand, AssociationCommand, AwardCommand, CloseOffer,
    DeclareConflictOfInterest, GrantAward, OfferCommand, PublishOffer, RecordDisbursement,
    RegisterAssociation, RevokeAward, ScoreApplication, SubmitApplication, SubmitReport,
};
use crate::training::{RecordTrainingSession, TrainingCommand};
use crate::{DomainError, RegistryFacts, StreamName};

/// Every command a signed statement may carry, with its body. The variant names are the
/// command names (`domain::names::command`); each body type refuses unknown members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    RegisterInstitution(RegisterInstitution),
    RegisterActor(RegisterActor),
    RevokeActor(RevokeActor),
    RotateLogKey(RotateLogKey),
    DeclareDocumentUnavailable(DeclareDocumentUnavailable),
    RegisterAssociation(RegisterAssociation),
    PublishOffer(PublishOffer),
    AmendOffer(AmendOffer),
    CloseOffer(CloseOffer),
    SubmitApplication(SubmitApplication),
    DeclareConflictOfInterest(DeclareConflictOfInterest),
    ScoreApplication(ScoreApplication),
    GrantAward(GrantAward),
    RecordDisbursement(RecordDisbursement),
    RevokeAward(RevokeAward),
    SubmitReport(SubmitReport),
    CreateDraft(CreateDraft),
    PublishRevision(PublishRevision),
    SubmitDraft(SubmitDraft),
    OpenConsultation(OpenConsultation),
    SubmitComment(SubmitComment),
    ModerateComment(ModerateComment),
    ErasePersonalData(ErasePersonalData),
    CloseConsultation(CloseConsultation),
    RespondToComments(RespondToComments),
    PublishResults(PublishResults),
    RecordTrainingSession(RecordTrainingSession),
}

/// A command for one of the aggregates, as its `handle` takes it.
#[derive(Clone, Debug)]
pub enum AggregateCommand {
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

impl AggregateCommand {
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

/// A statement understood: its stream, its aggregate's command and whose business it is.
#[derive(Clone, Debug)]
pub struct RoutedCommand {
    pub stream: StreamName,
    pub command: AggregateCommand,
    pub scope: Scope,
}

/// Why a `(command, body)` pair is not a [`Command`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// No command has this name; `known` lists the names there are.
    UnknownCommand { known: &'static [&'static str] },
    /// The body does not fit the command's body type.
    InvalidBody(String),
}

impl Command {
    /// Reads a statement's command name and body as a [`Command`], without copying the
    /// body.
    ///
    /// # Errors
    /// [`ParseError::UnknownCommand`] for a name no variant has, [`ParseError::InvalidBody`]
    /// when the body does not fit the named command.
    pub fn parse(name: &str, body: &Value) -> Result<Self, ParseError> {
        Self::deserialize(EnumAccessDeserializer::new(Named { name, body }))
    }

    /// Which aggregate decides the command, on which stream type, and whose business it is.
    /// `id` is the stream's id; `facts` resolves the owner of an existing record (an award's
    /// institution is its offer's). The aggregate checks ownership again on the state it
    /// decides on, so a record not yet visible here cannot slip past authorization.
    fn target(self, id: &str, facts: &dyn RegistryFacts) -> (AggregateCommand, Scope) {
        use AggregateCommand as A;
        let institution =
            |owner: Option<String>| owner.map_or(Scope::Unresolved, Scope::Institution);
        let offer_owner = |offer: &str| institution(facts.offer(offer).map(|o| o.institution));
        let draft_owner = |draft: &str| institution(facts.draft(draft).map(|d| d.institution));
        let consultation_owner = |consultation: &str| {
            institution(facts.consultation(consultation).map(|c| c.institution))
        };
        let application_owner = |application: &str| {
            facts
                .application(application)
                .map_or(Scope::Unresolved, |a| offer_owner(&a.offer))
        };
        let award_institution = || institution(facts.award(id).map(|a| a.institution));
        match self {
            Self::RegisterInstitution(b) => (
                A::Institution(InstitutionCommand::Register(b)),
                Scope::Registry,
            ),
            Self::RegisterActor(b) => (A::Actor(ActorCommand::Register(b)), Scope::Registry),
            Self::RevokeActor(b) => (A::Actor(ActorCommand::Revoke(b)), Scope::Registry),
            Self::RotateLogKey(b) => (A::LogKey(LogKeyCommand::Rotate(b)), Scope::Registry),
            Self::DeclareDocumentUnavailable(b) => (
                A::Document(DocumentCommand::DeclareUnavailable(b)),
                Scope::Registry,
            ),
            Self::RegisterAssociation(b) => (
                A::Association(AssociationCommand::Register(b)),
                Scope::Registry,
            ),
            Self::PublishOffer(b) => {
                let scope = Scope::Institution(b.institution.clone());
                (A::Offer(OfferCommand::Publish(b)), scope)
            }
            Self::AmendOffer(b) => (A::Offer(OfferCommand::Amend(b)), offer_owner(id)),
            Self::CloseOffer(b) => (A::Offer(OfferCommand::Close(b)), offer_owner(id)),
            Self::SubmitApplication(b) => {
                let scope = Scope::Association(b.association.clone());
                (A::Application(ApplicationCommand::Submit(b)), scope)
            }
            Self::DeclareConflictOfInterest(b) => (
                A::Application(ApplicationCommand::Declare(b)),
                application_owner(id),
            ),
            Self::ScoreApplication(b) => (
                A::Application(ApplicationCommand::Score(b)),
                application_owner(id),
            ),
            Self::GrantAward(b) => {
                let scope = application_owner(&b.application);
                (A::Award(AwardCommand::Grant(b)), scope)
            }
            Self::RecordDisbursement(b) => {
                (A::Award(AwardCommand::Disburse(b)), award_institution())
            }
            Self::RevokeAward(b) => (A::Award(AwardCommand::Revoke(b)), award_institution()),
            Self::SubmitReport(b) => (
                A::Award(AwardCommand::Report(b)),
                facts
                    .award(id)
                    .map_or(Scope::Unresolved, |a| Scope::Association(a.association)),
            ),
            Self::CreateDraft(b) => {
                let scope = Scope::Institution(b.institution.clone());
                (A::Draft(DraftCommand::Create(b)), scope)
            }
            Self::PublishRevision(body) => (
                A::Draft(DraftCommand::PublishRevision(RevisionText {
                    body,
                    document_articles: None,
                })),
                draft_owner(id),
            ),
            Self::SubmitDraft(b) => (A::Draft(DraftCommand::Submit(b)), draft_owner(id)),
            Self::OpenConsultation(b) => {
                let scope = draft_owner(&b.draft);
                (A::Consultation(ConsultationCommand::Open(b)), scope)
            }
            Self::SubmitComment(b) => {
                let scope = Scope::Association(b.association.clone());
                (A::Consultation(ConsultationCommand::Comment(b)), scope)
            }
            Self::ModerateComment(b) => (
                A::Consultation(ConsultationCommand::Moderate(b)),
                consultation_owner(id),
            ),
            Self::ErasePersonalData(b) => (
                A::Consultation(ConsultationCommand::Erase(b)),
                consultation_owner(id),
            ),
            Self::CloseConsultation(b) => (
                A::Consultation(ConsultationCommand::Close(b)),
                consultation_owner(id),
            ),
            Self::RespondToComments(b) => (
                A::Consultation(ConsultationCommand::Respond(b)),
                consultation_owner(id),
            ),
            Self::PublishResults(b) => (
                A::Consultation(ConsultationCommand::PublishResults(b)),
                consultation_owner(id),
            ),
            Self::RecordTrainingSession(b) => {
                let scope = Scope::Institution(b.institution.clone());
                (A::Training(TrainingCommand::Record(b)), scope)
            }
        }
    }
}

/// Routes a statement's `command`, `stream` and `body`.
///
/// # Errors
/// 400 `invalid_stream`/`invalid_id` (checked first), `unknown_command`, `invalid_body` (the
/// body does not fit the command), or `wrong_stream` (the stream's type, or for a document
/// declaration or a key rotation its id, does not fit the command).
pub fn route(
    command: &str,
    stream_text: &str,
    body: &Value,
    facts: &dyn RegistryFacts,
) -> Result<RoutedCommand, DomainError> {
    let stream = StreamName::parse(stream_text)?;
    let parsed = Command::parse(command, body).map_err(|e| match e {
        ParseError::UnknownCommand { .. } => {
            DomainError::invalid("unknown_command", format!("unknown command {command:?}"))
        }
        ParseError::InvalidBody(reason) => {
            DomainError::invalid("invalid_body", format!("body: {reason}"))
        }
    })?;
    // One stream per document, named by its hash, so a declaration is made once and an
    // auditor finds it where the document's name says.
    if let Command::DeclareDocumentUnavailable(b) = &parsed {
        if b.document != stream.id.as_str() {
            return Err(DomainError::invalid(
                "wrong_stream",
                format!(
                    "DeclareDocumentUnavailable goes on document/{}, not {stream_text}",
                    b.document
                ),
            ));
        }
    }
    let (aggregate_command, scope) = parsed.target(stream.id.as_str(), facts);
    let kind = aggregate_command.stream_type();
    if stream.kind != kind {
        return Err(DomainError::invalid(
            "wrong_stream",
            format!("{command} goes on a {kind}/<id> stream, not {stream_text}"),
        ));
    }
    // Every rotation is on the one stream `log/key`, so an auditor finds them all there.
    if kind == stream::LOG && stream.id.as_str() != LOG_KEY_ID {
        return Err(DomainError::invalid(
            "wrong_stream",
            format!("{command} goes on log/{LOG_KEY_ID}, not {stream_text}"),
        ));
    }
    Ok(RoutedCommand {
        stream,
        command: aggregate_command,
        scope,
    })
}

/// A command name with its body, presented to serde as an externally tagged enum value:
/// the name picks the variant, the body is read in place as the variant's content.
struct Named<'a> {
    name: &'a str,
    body: &'a Value,
}

impl<'a> EnumAccess<'a> for Named<'a> {
    type Error = ParseError;
    type Variant = Body<'a>;

    fn variant_seed<V: DeserializeSeed<'a>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Body<'a>), ParseError> {
        let name: StrDeserializer<'_, ParseError> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, Body(self.body)))
    }
}

/// The content of a [`Named`] variant: the statement's body.
struct Body<'a>(&'a Value);

impl<'a> VariantAccess<'a> for Body<'a> {
    type Error = ParseError;

    fn unit_variant(self) -> Result<(), ParseError> {
        Err(de::Error::custom("every command has a body"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, ParseError> {
        seed.deserialize(self.0)
            .map_err(|e| ParseError::InvalidBody(e.to_string()))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _: usize, _: V) -> Result<V::Value, ParseError> {
        Err(de::Error::custom("every command's body is an object"))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, ParseError> {
        Err(de::Error::custom("every command's body is an object"))
    }
}

impl de::Error for ParseError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::InvalidBody(message.to_string())
    }

    // serde asks for this when no variant has the name: that is an unknown command, told
    // apart by type rather than by the wording of a message.
    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Self::UnknownCommand { known: expected }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCommand { .. } => f.write_str("unknown command"),
            Self::InvalidBody(reason) => write!(f, "body: {reason}"),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::world::World;

    struct NoFacts;

    impl RegistryFacts for NoFacts {
        fn institution_exists(&self, _: &str) -> bool {
            false
        }
        fn association_exists(&self, _: &str) -> bool {
            false
        }
        fn key_registered(&self, _: &str) -> bool {
            false
        }
        fn read_world(&self, read: &mut dyn FnMut(&World)) {
            read(&World::default());
        }
    }

    #[test]
    fn the_commands_are_exactly_the_role_tables() {
        let Err(ParseError::UnknownCommand { known }) = Command::parse("Nope", &json!({})) else {
            panic!("an unknown name must be an unknown command");
        };
        let mut known = known.to_vec();
        let mut table = ledger::roles::COMMANDS.to_vec();
        known.sort_unstable();
        table.sort_unstable();
        assert_eq!(known, table);
    }

    #[test]
    fn a_known_command_with_a_body_that_does_not_fit_is_an_invalid_body() {
        for command in ledger::roles::COMMANDS {
            match Command::parse(command, &json!({"not_a_member": 1})) {
                Err(ParseError::InvalidBody(_)) => {}
                other => panic!("{command}: {other:?}"),
            }
            match Command::parse(command, &json!("text")) {
                Err(ParseError::InvalidBody(_)) => {}
                other => panic!("{command}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_body_is_read_as_the_named_commands_body() {
        let body = json!({"name": "Ministry", "kind": "ministry"});
        let parsed = Command::parse("RegisterInstitution", &body).expect("parses");
        let expected: RegisterInstitution = serde_json::from_value(body).expect("body");
        assert_eq!(parsed, Command::RegisterInstitution(expected));
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(matches!(
            Command::parse("registerinstitution", &json!({})),
            Err(ParseError::UnknownCommand { .. })
        ));
    }

    #[test]
    fn the_stream_is_checked_before_the_command_and_the_body_before_the_stream_type() {
        let e = route("Nope", "nowhere/x", &json!({}), &NoFacts).unwrap_err();
        assert_eq!(e.code, "invalid_stream");
        let e = route("Nope", "offer/x", &json!({}), &NoFacts).unwrap_err();
        assert_eq!(e.code, "unknown_command");
        let e = route("RegisterInstitution", "offer/x", &json!({}), &NoFacts).unwrap_err();
        assert_eq!(e.code, "invalid_body");
        let body = json!({"name": "Ministry", "kind": "ministry"});
        let e = route("RegisterInstitution", "offer/x", &body, &NoFacts).unwrap_err();
        assert_eq!(e.code, "wrong_stream");
        let routed = route("RegisterInstitution", "institution/MIN", &body, &NoFacts).unwrap();
        assert_eq!(routed.command.stream_type(), stream::INSTITUTION);
        assert_eq!(routed.scope, Scope::Registry);
    }

    #[test]
    fn a_rotation_goes_on_log_key_only() {
        let body = json!({"log_key": "k"});
        let e = route("RotateLogKey", "log/other", &body, &NoFacts).unwrap_err();
        assert_eq!(e.code, "wrong_stream", "{e}");
        let routed = route("RotateLogKey", "log/key", &body, &NoFacts).unwrap();
        assert_eq!(routed.command.stream_type(), stream::LOG);
    }

    #[test]
    fn a_declaration_goes_on_its_documents_stream() {
        let sha = "a".repeat(64);
        let body = json!({"document": sha, "reason": "r"});
        let e = route(
            "DeclareDocumentUnavailable",
            "document/other",
            &body,
            &NoFacts,
        );
        assert_eq!(e.unwrap_err().code, "wrong_stream");
    }

    #[test]
    fn an_unresolved_owner_is_left_to_the_aggregate() {
        let routed = route("CloseOffer", "offer/O1", &json!({}), &NoFacts).unwrap();
        assert_eq!(routed.scope, Scope::Unresolved);
        let body = json!({"name": "Ministry", "kind": "ministry"});
        let routed = route("RegisterInstitution", "institution/MIN", &body, &NoFacts).unwrap();
        assert_eq!(routed.scope, Scope::Registry);
    }
}

//! The names the log is written in, in one place: stream types (an entry's `stream` is
//! `<type>/<id>`), event types (an entry's `type`) and command names (a statement's
//! `command`). They are a public contract (`docs/spec/ledger-format.md`,
//! `docs/spec/api.md`): every crate that matches on a name uses these constants, and the
//! tests below check them against what the typed events and commands are, so a name cannot
//! drift from its type.

/// Stream types, one per aggregate type (`docs/spec/ledger-format.md`, section 2.3).
pub mod stream {
    /// Actors' keys and roles (`registry/<actor id>`).
    pub const REGISTRY: &str = "registry";
    pub const INSTITUTION: &str = "institution";
    pub const ASSOCIATION: &str = "association";
    pub const OFFER: &str = "offer";
    pub const APPLICATION: &str = "application";
    pub const AWARD: &str = "award";
    pub const CONSULTATION: &str = "consultation";
    pub const DRAFT: &str = "draft";
    pub const TRAINING: &str = "training";
    /// The genesis and the log-key rotations (`log/key`).
    pub const LOG: &str = "log";
    /// A document declared unavailable (`document/<sha256>`, docs/hardening.md).
    pub const DOCUMENT: &str = "document";
}

/// Event types: the variant names of the aggregates' event enums, which is what they
/// serialize as.
pub mod event {
    // registry
    pub const ACTOR_REGISTERED: &str = "ActorRegistered";
    pub const ACTOR_REVOKED: &str = "ActorRevoked";
    // institution
    pub const INSTITUTION_REGISTERED: &str = "InstitutionRegistered";
    // log
    pub const LOG_KEY_ROTATED: &str = ledger::rotation::ROTATION_EVENT;
    // document
    pub const DOCUMENT_DECLARED_UNAVAILABLE: &str = "DocumentDeclaredUnavailable";
    // association
    pub const ASSOCIATION_REGISTERED: &str = "AssociationRegistered";
    // offer
    pub const OFFER_PUBLISHED: &str = "OfferPublished";
    pub const OFFER_AMENDED: &str = "OfferAmended";
    pub const OFFER_CLOSED: &str = "OfferClosed";
    // application
    pub const APPLICATION_SUBMITTED: &str = "ApplicationSubmitted";
    pub const CONFLICT_OF_INTEREST_DECLARED: &str = "ConflictOfInterestDeclared";
    pub const APPLICATION_SCORED: &str = "ApplicationScored";
    // award
    pub const AWARD_GRANTED: &str = "AwardGranted";
    pub const DISBURSEMENT_RECORDED: &str = "DisbursementRecorded";
    pub const REPORT_SUBMITTED: &str = "ReportSubmitted";
    pub const AWARD_REVOKED: &str = "AwardRevoked";
    // draft
    pub const DRAFT_CREATED: &str = "DraftCreated";
    pub const REVISION_PUBLISHED: &str = "RevisionPublished";
    pub const DRAFT_SUBMITTED: &str = "DraftSubmitted";
    // consultation
    pub const CONSULTATION_OPENED: &str = "ConsultationOpened";
    pub const COMMENT_SUBMITTED: &str = "CommentSubmitted";
    pub const COMMENT_MODERATED: &str = "CommentModerated";
    pub const PERSONAL_DATA_ERASED: &str = "PersonalDataErased";
    pub const CONSULTATION_CLOSED: &str = "ConsultationClosed";
    pub const COMMENTS_ANSWERED: &str = "CommentsAnswered";
    pub const RESULTS_PUBLISHED: &str = "ResultsPublished";
    // training
    pub const TRAINING_SESSION_RECORDED: &str = "TrainingSessionRecorded";
}

/// Command names: each is the name of the type of its body.
pub mod command {
    pub const REGISTER_INSTITUTION: &str = "RegisterInstitution";
    pub const REGISTER_ACTOR: &str = "RegisterActor";
    pub const REVOKE_ACTOR: &str = "RevokeActor";
    pub const ROTATE_LOG_KEY: &str = "RotateLogKey";
    pub const DECLARE_DOCUMENT_UNAVAILABLE: &str = "DeclareDocumentUnavailable";
    pub const REGISTER_ASSOCIATION: &str = "RegisterAssociation";
    pub const PUBLISH_OFFER: &str = "PublishOffer";
    pub const AMEND_OFFER: &str = "AmendOffer";
    pub const CLOSE_OFFER: &str = "CloseOffer";
    pub const SUBMIT_APPLICATION: &str = "SubmitApplication";
    pub const DECLARE_CONFLICT_OF_INTEREST: &str = "DeclareConflictOfInterest";
    pub const SCORE_APPLICATION: &str = "ScoreApplication";
    pub const GRANT_AWARD: &str = "GrantAward";
    pub const RECORD_DISBURSEMENT: &str = "RecordDisbursement";
    pub const REVOKE_AWARD: &str = "RevokeAward";
    pub const SUBMIT_REPORT: &str = "SubmitReport";
    pub const CREATE_DRAFT: &str = "CreateDraft";
    pub const PUBLISH_REVISION: &str = "PublishRevision";
    pub const SUBMIT_DRAFT: &str = "SubmitDraft";
    pub const OPEN_CONSULTATION: &str = "OpenConsultation";
    pub const SUBMIT_COMMENT: &str = "SubmitComment";
    pub const MODERATE_COMMENT: &str = "ModerateComment";
    pub const ERASE_PERSONAL_DATA: &str = "ErasePersonalData";
    pub const CLOSE_CONSULTATION: &str = "CloseConsultation";
    pub const RESPOND_TO_COMMENTS: &str = "RespondToComments";
    pub const PUBLISH_RESULTS: &str = "PublishResults";
    pub const RECORD_TRAINING_SESSION: &str = "RecordTrainingSession";
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{command, stream};
    use crate::document::{DeclareDocumentUnavailable, DocumentEvent};
    use crate::participation::{
        CloseConsultation, ConsultationEvent, CreateDraft, DraftEvent, ErasePersonalData,
        ModerateComment, OpenConsultation, PublishResults, PublishRevision, RespondToComments,
        SubmitComment, SubmitDraft,
    };
    use crate::registry::{
        ActorEvent, InstitutionEvent, LogKeyEvent, RegisterActor, RegisterInstitution, RevokeActor,
        RotateLogKey,
    };
    use crate::support::{
        AmendOffer, ApplicationEvent, AssociationEvent, AwardEvent, CloseOffer,
        DeclareConflictOfInterest, GrantAward, OfferEvent, PublishOffer, RecordDisbursement,
        RegisterAssociation, RevokeAward, ScoreApplication, SubmitApplication, SubmitReport,
    };
    use crate::training::{RecordTrainingSession, TrainingEvent};
    use crate::LedgerEvent;

    /// The variant names serde knows for `E`, in declaration order: what an entry's
    /// `type` may be. Read from serde's own refusal of an unknown variant, which lists
    /// them, so no event needs a sample value.
    fn serialized_types<E: LedgerEvent>() -> Vec<String> {
        let refusal = serde_json::from_value::<E>(json!({"type": "?", "data": {}}))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let expected = refusal.split_once("expected ").map_or("", |(_, rest)| rest);
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    fn check<E: LedgerEvent>(stream_type: &str) {
        let names: Vec<String> = E::TYPES.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(names, serialized_types::<E>(), "{}", E::STREAM_TYPE);
        assert_eq!(E::STREAM_TYPE, stream_type);
    }

    #[test]
    fn every_event_type_is_what_its_typed_event_serializes_as() {
        check::<ActorEvent>(stream::REGISTRY);
        check::<InstitutionEvent>(stream::INSTITUTION);
        check::<LogKeyEvent>(stream::LOG);
        check::<DocumentEvent>(stream::DOCUMENT);
        check::<AssociationEvent>(stream::ASSOCIATION);
        check::<OfferEvent>(stream::OFFER);
        check::<ApplicationEvent>(stream::APPLICATION);
        check::<AwardEvent>(stream::AWARD);
        check::<DraftEvent>(stream::DRAFT);
        check::<ConsultationEvent>(stream::CONSULTATION);
        check::<TrainingEvent>(stream::TRAINING);
    }

    #[test]
    fn every_stream_type_has_its_events_and_is_known() {
        let with_events = [
            ActorEvent::STREAM_TYPE,
            InstitutionEvent::STREAM_TYPE,
            LogKeyEvent::STREAM_TYPE,
            DocumentEvent::STREAM_TYPE,
            AssociationEvent::STREAM_TYPE,
            OfferEvent::STREAM_TYPE,
            ApplicationEvent::STREAM_TYPE,
            AwardEvent::STREAM_TYPE,
            DraftEvent::STREAM_TYPE,
            ConsultationEvent::STREAM_TYPE,
            TrainingEvent::STREAM_TYPE,
        ];
        let mut known = crate::id::STREAM_TYPES.to_vec();
        let mut with_events = with_events.to_vec();
        known.sort_unstable();
        with_events.sort_unstable();
        assert_eq!(known, with_events);
    }

    /// The last segment of a type's path: `PublishOffer` for `domain::support::PublishOffer`.
    fn short_name<T>() -> &'static str {
        let full = std::any::type_name::<T>();
        full.rsplit("::").next().unwrap_or(full)
    }

    #[test]
    fn every_command_name_is_the_name_of_its_body() {
        let pairs = [
            (
                command::REGISTER_INSTITUTION,
                short_name::<RegisterInstitution>(),
            ),
            (command::REGISTER_ACTOR, short_name::<RegisterActor>()),
            (command::REVOKE_ACTOR, short_name::<RevokeActor>()),
            (command::ROTATE_LOG_KEY, short_name::<RotateLogKey>()),
            (
                command::DECLARE_DOCUMENT_UNAVAILABLE,
                short_name::<DeclareDocumentUnavailable>(),
            ),
            (
                command::REGISTER_ASSOCIATION,
                short_name::<RegisterAssociation>(),
            ),
            (command::PUBLISH_OFFER, short_name::<PublishOffer>()),
            (command::AMEND_OFFER, short_name::<AmendOffer>()),
            (command::CLOSE_OFFER, short_name::<CloseOffer>()),
            (
                command::SUBMIT_APPLICATION,
                short_name::<SubmitApplication>(),
            ),
            (
                command::DECLARE_CONFLICT_OF_INTEREST,
                short_name::<DeclareConflictOfInterest>(),
            ),
            (command::SCORE_APPLICATION, short_name::<ScoreApplication>()),
            (command::GRANT_AWARD, short_name::<GrantAward>()),
            (
                command::RECORD_DISBURSEMENT,
                short_name::<RecordDisbursement>(),
            ),
            (command::REVOKE_AWARD, short_name::<RevokeAward>()),
            (command::SUBMIT_REPORT, short_name::<SubmitReport>()),
            (command::CREATE_DRAFT, short_name::<CreateDraft>()),
            (command::PUBLISH_REVISION, short_name::<PublishRevision>()),
            (command::SUBMIT_DRAFT, short_name::<SubmitDraft>()),
            (command::OPEN_CONSULTATION, short_name::<OpenConsultation>()),
            (command::SUBMIT_COMMENT, short_name::<SubmitComment>()),
            (command::MODERATE_COMMENT, short_name::<ModerateComment>()),
            (
                command::ERASE_PERSONAL_DATA,
                short_name::<ErasePersonalData>(),
            ),
            (
                command::CLOSE_CONSULTATION,
                short_name::<CloseConsultation>(),
            ),
            (
                command::RESPOND_TO_COMMENTS,
                short_name::<RespondToComments>(),
            ),
            (command::PUBLISH_RESULTS, short_name::<PublishResults>()),
            (
                command::RECORD_TRAINING_SESSION,
                short_name::<RecordTrainingSession>(),
            ),
        ];
        for (name, body) in pairs {
            assert_eq!(name, body);
        }
    }
}

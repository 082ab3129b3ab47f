//! Public consultations and law drafts (MO0057's fourth promise): drafts published as
//! revisions, consultations on a revision, comments with receipts, moderation without
//! deletion, a response to every comment, results, and erasure of personal data without
//! breaking the chain. `docs/consultations.md` is the contract of these commands and events.

pub mod article;
pub mod comment_text;
pub mod consultation;
pub mod draft;

#[cfg(test)]
mod tests;

pub use article::{text_sha256, Article};
pub use consultation::{
    CloseConsultation, CommentModerated, CommentSubmitted, CommentsAnswered, Consultation,
    ConsultationClosed, ConsultationCommand, ConsultationEvent, ConsultationOpened,
    ErasePersonalData, ModerateComment, OpenConsultation, PersonalDataErased, PublicComment,
    PublishResults, Recommendation, RespondToComments, Response, ResultsPublished, SubmitComment,
    WITHHOLDING_GROUNDS,
};
pub use draft::{
    CreateDraft, Draft, DraftCommand, DraftCreated, DraftEvent, DraftSubmitted, Motivation,
    PublishRevision, RevisionPublished, RevisionText, SubmitDraft,
};

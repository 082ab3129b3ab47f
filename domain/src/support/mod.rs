//! Public support to associations (MO0057's first promise): associations, offers (calls
//! for proposals), applications and their evaluation, awards, disbursements and reports.
//! `docs/support-lifecycle.md` is the contract of these commands and events.

pub mod application;
pub mod association;
pub mod award;
pub mod catalog;
pub mod offer;
pub mod text;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod read_sets;
#[cfg(test)]
mod tests;

pub use application::{
    Application, ApplicationCommand, ApplicationEvent, ApplicationScored, ApplicationSubmitted,
    ConflictOfInterestDeclared, DeclareConflictOfInterest, ScoreApplication, SubmitApplication,
};
pub use association::{
    Association, AssociationCommand, AssociationEvent, AssociationRegistered, RegisterAssociation,
};
pub use award::{
    Award, AwardCommand, AwardEvent, AwardGranted, AwardRevoked, DisbursementRecorded, GrantAward,
    RecordDisbursement, ReportSubmitted, RevokeAward, SubmitReport,
};
pub use offer::{
    AmendOffer, CloseOffer, Criterion, Eligibility, Offer, OfferClosed, OfferCommand, OfferEvent,
    OfferPublished, PublishOffer,
};

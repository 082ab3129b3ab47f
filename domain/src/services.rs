//! What the domain needs to know from outside an aggregate: the time and the registry.
//!
//! Both are traits so the domain stays pure: the server implements them over the log, the
//! tests over plain values.

use std::sync::Arc;

use ledger::Timestamp;

use crate::world::{
    ApplicationFacts, AssociationFacts, AwardFacts, ConsultationFacts, DocumentFacts, DraftFacts,
    OfferFacts, World,
};

/// The ledger's clock. The server's implementation reads the system clock; the time an
/// entry finally carries (`recorded_at`) is fixed later under the append lock, and
/// [`crate::TimeWindow`] is how a decision says which `recorded_at` values it holds for.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// Facts of the registry that an aggregate cannot see from its own stream.
///
/// Answers may lag the log by the entries being appended concurrently; facts that only
/// ever become true (an institution exists) are safe to act on, and the append path
/// re-checks the others (a key registered twice) under the lock that orders the log.
pub trait RegistryFacts: Send + Sync {
    fn institution_exists(&self, id: &str) -> bool;
    fn association_exists(&self, id: &str) -> bool;
    /// Whether this base64 public key was ever registered, revoked or not.
    fn key_registered(&self, public_key: &str) -> bool;

    /// Runs `read` on the support lifecycle's cross-stream facts (`crate::world`).
    /// Facts that can change (an offer's awards, an application's scores) are read under
    /// the guard of `crate::guards`: a stale answer makes the command run again, never a
    /// wrong entry.
    fn read_world(&self, read: &mut dyn FnMut(&World));

    fn association(&self, id: &str) -> Option<AssociationFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.association(id).cloned());
        out
    }

    fn offer(&self, id: &str) -> Option<OfferFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.offer(id).cloned());
        out
    }

    fn application(&self, id: &str) -> Option<ApplicationFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.application(id).cloned());
        out
    }

    fn award(&self, id: &str) -> Option<AwardFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.award(id).cloned());
        out
    }

    /// The application of `association` to `offer`, if any.
    fn applicant(&self, offer: &str, association: &str) -> Option<String> {
        let mut out = None;
        self.read_world(&mut |w| out = w.applicant(offer, association).cloned());
        out
    }

    fn draft(&self, id: &str) -> Option<DraftFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.draft(id).cloned());
        out
    }

    fn consultation(&self, id: &str) -> Option<ConsultationFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.consultation(id).cloned());
        out
    }

    /// What the log says of a document: the entries naming it, whether it is withheld.
    /// Read under the guard `documents` (`crate::guards`).
    fn document(&self, sha256: &str) -> Option<DocumentFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.document(sha256).cloned());
        out
    }

    /// The document of comment `comment` of `consultation` (a stream name).
    fn comment_document(&self, consultation: &str, comment: u64) -> Option<String> {
        let mut out = None;
        self.read_world(&mut |w| out = w.comment_document(consultation, comment).cloned());
        out
    }

    fn offer_applications(&self, offer: &str) -> Vec<(String, ApplicationFacts)> {
        let mut out = Vec::new();
        self.read_world(&mut |w| out = w.offer_applications(offer));
        out
    }
}

/// The services every aggregate receives from cqrs-es.
#[derive(Clone)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    pub registry: Arc<dyn RegistryFacts>,
}

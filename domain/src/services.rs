//! What the domain needs to know from outside an aggregate: the time and the registry.
//!
//! Both are traits so the domain stays pure: the server implements them over the log, the
//! tests over plain values.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use ledger::Timestamp;

use crate::guards;
use crate::time_window::TimeWindow;
use crate::world::{
    ApplicationFacts, AssociationFacts, AwardFacts, ConsultationFacts, DocumentFacts, DraftFacts,
    OfferFacts, World,
};

/// The ledger's clock. The server's implementation reads the system clock; the time an
/// entry finally carries (`recorded_at`) is fixed later under the append lock, and
/// [`TimeWindow`] is how a decision says which `recorded_at` values it holds for.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;

    /// Called by a decision that holds only while `recorded_at` is within `window`.
    /// [`Timing`] keeps what the command's decision stated; a clock that decides nothing
    /// ignores it.
    fn hold_within(&self, _window: TimeWindow) {}
}

/// The clock as one command sees it: the time comes from `clock`, and the windows its
/// decision states are kept, intersected, so the append path enforces exactly them.
pub struct Timing {
    clock: Arc<dyn Clock>,
    window: Mutex<TimeWindow>,
}

impl Timing {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            window: Mutex::new(TimeWindow::ALWAYS),
        }
    }

    /// The `recorded_at` values the decision holds for ([`TimeWindow::ALWAYS`] when it
    /// stated none).
    pub fn window(&self) -> TimeWindow {
        *self.window.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for Timing {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn hold_within(&self, window: TimeWindow) {
        let mut held = self.window.lock().unwrap_or_else(|e| e.into_inner());
        *held = held.and(window);
    }
}

/// Facts of the registry that an aggregate cannot see from its own stream.
///
/// Answers may lag the log by the entries being appended concurrently. So every accessor
/// hands its facts out under a guard key (`crate::guards`) and notes the key
/// ([`RegistryFacts::note_read`]); the append path records a decision only if none of
/// the keys it noted changed since its facts were read, so a stale answer makes the
/// command run again, never a wrong entry. Aggregates read through these accessors, never
/// through [`RegistryFacts::read_world`] directly, which would note nothing.
pub trait RegistryFacts: Send + Sync {
    /// Whether institution `id` is registered ([`Recording`] notes `institution/<id>`).
    fn institution_exists(&self, id: &str) -> bool;
    /// Whether association `id` is registered ([`Recording`] notes `association/<id>`).
    fn association_exists(&self, id: &str) -> bool;
    /// Whether this base64 public key was ever registered, revoked or not. Notes no key:
    /// the append path checks key uniqueness itself, under the lock.
    fn key_registered(&self, public_key: &str) -> bool;

    /// Runs `read` on the cross-stream facts (`crate::world`).
    fn read_world(&self, read: &mut dyn FnMut(&World));

    /// Called with the guard key of each fact an accessor hands out. [`Recording`] keeps
    /// them as the command's read set; a registry that decides nothing ignores them.
    fn note_read(&self, _key: String) {}

    fn association(&self, id: &str) -> Option<AssociationFacts> {
        self.note_read(guards::stream("association", id));
        let mut out = None;
        self.read_world(&mut |w| out = w.association(id).cloned());
        out
    }

    /// An offer's own terms (its stream), not what its awards commit of it.
    fn offer(&self, id: &str) -> Option<OfferFacts> {
        self.note_read(guards::stream("offer", id));
        let mut out = None;
        self.read_world(&mut |w| out = w.offer(id).cloned());
        out
    }

    /// What the offer's awards commit of its budget.
    fn offer_committed(&self, offer: &str) -> u64 {
        self.note_read(guards::awards(offer));
        let mut out = 0;
        self.read_world(&mut |w| out = w.offer_committed(offer));
        out
    }

    /// How many applications were made to the offer.
    fn offer_application_count(&self, offer: &str) -> u64 {
        self.note_read(guards::applications(offer));
        let mut out = 0;
        self.read_world(&mut |w| out = w.offer_application_ids(offer).len() as u64);
        out
    }

    /// An application with its scores and the award that holds it.
    fn application(&self, id: &str) -> Option<ApplicationFacts> {
        self.note_read(guards::stream("application", id));
        let mut out = None;
        self.read_world(&mut |w| out = w.application(id).cloned());
        if let Some(a) = &out {
            // Which award holds it is written by the offer's award entries.
            self.note_read(guards::awards(&a.offer));
        }
        out
    }

    fn award(&self, id: &str) -> Option<AwardFacts> {
        self.note_read(guards::stream("award", id));
        let mut out = None;
        self.read_world(&mut |w| out = w.award(id).cloned());
        out
    }

    /// The application of `association` to `offer`, if any.
    fn applicant(&self, offer: &str, association: &str) -> Option<String> {
        self.note_read(guards::applicant(offer, association));
        let mut out = None;
        self.read_world(&mut |w| out = w.applicant(offer, association).cloned());
        out
    }

    fn draft(&self, id: &str) -> Option<DraftFacts> {
        self.note_read(guards::stream("draft", id));
        let mut out = None;
        self.read_world(&mut |w| out = w.draft(id).cloned());
        out
    }

    /// Notes no key: a consultation's draft and institution never change and its comments
    /// and recommendations only grow, so a stale answer can only refuse what a fresh one
    /// would accept, never the other way round. Guarding it would make a decision that
    /// cites a comment retry under every comment of a busy consultation.
    fn consultation(&self, id: &str) -> Option<ConsultationFacts> {
        let mut out = None;
        self.read_world(&mut |w| out = w.consultation(id).cloned());
        out
    }

    /// What the log says of a document: the entries naming it, whether it is withheld.
    fn document(&self, sha256: &str) -> Option<DocumentFacts> {
        self.note_read(guards::DOCUMENTS.to_owned());
        let mut out = None;
        self.read_world(&mut |w| out = w.document(sha256).cloned());
        out
    }

    /// The document of comment `comment` of `consultation` (a stream name).
    fn comment_document(&self, consultation: &str, comment: u64) -> Option<String> {
        self.note_read(guards::DOCUMENTS.to_owned());
        let mut out = None;
        self.read_world(&mut |w| out = w.comment_document(consultation, comment).cloned());
        out
    }

    /// The applications to an offer with their scores and awards.
    fn offer_applications(&self, offer: &str) -> Vec<(String, ApplicationFacts)> {
        for key in [
            guards::applications(offer),
            guards::scores(offer),
            guards::awards(offer),
        ] {
            self.note_read(key);
        }
        let mut out = Vec::new();
        self.read_world(&mut |w| out = w.offer_applications(offer));
        out
    }
}

/// The registry as one command sees it: answers come from `facts`, and the guard key of
/// every fact handed out is kept, so the command's read set is exactly what its decision
/// asked for.
pub struct Recording {
    facts: Arc<dyn RegistryFacts>,
    reads: Mutex<BTreeSet<String>>,
}

impl Recording {
    pub fn new(facts: Arc<dyn RegistryFacts>) -> Self {
        Self {
            facts,
            reads: Mutex::new(BTreeSet::new()),
        }
    }

    /// The guard keys noted so far, sorted.
    pub fn reads(&self) -> Vec<String> {
        self.lock().iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        // A set of strings is whole after any panic.
        self.reads.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RegistryFacts for Recording {
    fn institution_exists(&self, id: &str) -> bool {
        self.note_read(guards::stream("institution", id));
        self.facts.institution_exists(id)
    }

    fn association_exists(&self, id: &str) -> bool {
        self.note_read(guards::stream("association", id));
        self.facts.association_exists(id)
    }

    fn key_registered(&self, public_key: &str) -> bool {
        self.facts.key_registered(public_key)
    }

    fn read_world(&self, read: &mut dyn FnMut(&World)) {
        self.facts.read_world(read);
    }

    fn note_read(&self, key: String) {
        self.lock().insert(key);
    }
}

/// The services every aggregate receives from cqrs-es.
#[derive(Clone)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    pub registry: Arc<dyn RegistryFacts>,
}

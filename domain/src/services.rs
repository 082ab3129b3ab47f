//! What the domain needs to know from outside an aggregate: the time and the registry.
//!
//! Both are traits so the domain stays pure: the server implements them over the log, the
//! tests over plain values.

use std::sync::Arc;

use ledger::Timestamp;

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
}

/// The services every aggregate receives from cqrs-es.
#[derive(Clone)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    pub registry: Arc<dyn RegistryFacts>,
}

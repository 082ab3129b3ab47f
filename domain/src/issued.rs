//! A command together with the actor who issued it.
//!
//! The edge checks roles before a command runs, but whose business a command is can depend
//! on state the aggregate holds (an award's association, an offer's institution), so the
//! aggregate checks ownership again on the state it actually decides on. `by` is `None`
//! only for what the server itself records.

use crate::authorization::{authorize, ActorInfo, Scope};
use crate::DomainError;

#[derive(Clone, Debug, PartialEq)]
pub struct Issued<C> {
    /// The aggregate's id (the `<id>` of its stream), for rules that look at other streams.
    pub id: String,
    pub command: C,
    pub by: Option<ActorInfo>,
}

impl<C> Issued<C> {
    pub fn new(id: &str, command: C, by: Option<ActorInfo>) -> Self {
        Self {
            id: id.to_owned(),
            command,
            by,
        }
    }

    pub fn by(actor: ActorInfo, id: &str, command: C) -> Self {
        Self {
            id: id.to_owned(),
            command,
            by: Some(actor),
        }
    }

    /// The issuer's actor id, or `"server"`.
    pub fn actor_id(&self) -> String {
        self.by
            .as_ref()
            .map_or_else(|| "server".to_owned(), |a| a.actor_id.clone())
    }

    /// # Errors
    /// 403 when the issuer may not issue `name` for `scope`.
    pub fn authorize(&self, name: &str, scope: &Scope) -> Result<(), DomainError> {
        match &self.by {
            Some(actor) => authorize(actor, name, scope),
            None => Ok(()),
        }
    }
}

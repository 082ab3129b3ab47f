//! Read models of public consultations and law drafts (`docs/consultations.md`):
//! the drafts with every revision, the consultations with their results, each comment
//! with its moderation and response, the article-by-article diff between two revisions
//! and the comments' open-data CSV.
//!
//! One projector, [`ParticipationProjector`], reads the log once and hands each entry to
//! the three views' pure functions ([`drafts`], [`consultations`],
//! [`consultation_comments`]). Entries often reach across streams: a consultation is
//! listed on its draft's row, and a revision motivated by comments is noted on the
//! consultation those comments belong to, so a reader can go from a comment to the text
//! it changed and back. As in `support`, collections that grow (revisions, moderation
//! history) are objects keyed by number or log index and set member by member
//! ([`crate::ViewChange::Set`]), so replaying an entry is harmless. Comments, the one
//! collection that grows with the public, are rows of their own rather than members of
//! their consultation's row; counts are computed from them when a page is shown.
//!
//! What a row holds is the log's own facts; what it shows (a hidden comment's placeholder,
//! the counts, the diff) is derived by the `present` functions of [`draft_view`],
//! [`consultation_view`] and [`diff`], which read a stored row once into its typed shape
//! and return typed views, the public JSON being their serialization. They never read
//! the database: the read API fetches documents (revision texts, comment texts) and the
//! public commenters' names, and hands them in.

pub mod comments;
pub mod comments_csv;
pub mod consultation_comments;
pub mod consultation_view;
pub mod consultations;
pub mod diff;
pub mod draft_view;
pub mod drafts;

use std::collections::BTreeMap;

use domain::names::stream;
use ledger::Entry;

use crate::support::Event;
use crate::{Projector, Unreadable, ViewChange};

/// Projects every event of the `draft` and `consultation` streams into the two views.
pub struct ParticipationProjector;

impl Projector for ParticipationProjector {
    fn name(&self) -> &'static str {
        "participation.v2"
    }

    fn project(&self, entry: &Entry) -> Result<Vec<ViewChange>, Unreadable> {
        let Some(event) = Event::of(entry, &[stream::DRAFT, stream::CONSULTATION])? else {
            return Ok(Vec::new());
        };
        let mut changes = drafts::project(&event);
        changes.extend(consultations::project(&event));
        changes.extend(consultation_comments::project(&event));
        // A change aimed at an empty id would make a row listed among the real ones.
        changes.retain(|c| !c.id().is_empty());
        Ok(changes)
    }
}

/// A member of a collection a row keys by number or log index (comments, moderation
/// actions, revisions...), which knows the index of the entry that set it.
pub trait Indexed {
    fn index(&self) -> u64;
}

/// The members of a stored collection in log order, borrowed: by their entry's index,
/// then by key (the map iterates by key, and a stable sort keeps that order among equals).
pub fn log_ordered<T: Indexed>(collection: &BTreeMap<String, T>) -> Vec<&T> {
    let mut items: Vec<&T> = collection.values().collect();
    items.sort_by_key(|item| item.index());
    items
}

/// The hand-made draft and consultation the unit tests project.
#[cfg(test)]
mod comment_cost;
#[cfg(test)]
mod many_comments;
#[cfg(test)]
mod scenario;
#[cfg(test)]
mod tests;

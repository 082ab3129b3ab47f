//! The facts of other streams that the support lifecycle's rules read: an association's
//! region and age, an offer's window, budget and awards, an application's scores.
//!
//! Built by applying the log's entries in index order (the server keeps one, fed under the
//! append lock); an aggregate reads it through [`crate::RegistryFacts`], whose accessors
//! note the guard key ([`crate::guards`]) of each fact they hand out. The append path
//! makes reading it safe under concurrency: a decision is recorded only if none of the
//! facts it read changed in between. So each accessor hands out facts that one guard key
//! covers (an offer's own terms, `offer/O`, apart from what its awards commit of it,
//! `awards/O`).
//! Small: it grows with offers, applications and awards, and with the documents entries
//! name (one fact per naming entry), never with other entries.

use crate::names::event;
use std::collections::{BTreeMap, HashMap};

use ledger::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::participation::{ConsultationEvent, DraftEvent};
use crate::support::{ApplicationEvent, AssociationEvent, AwardEvent, Eligibility, OfferEvent};
use crate::LedgerEvent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationFacts {
    pub region: String,
    pub domains: Vec<String>,
    pub registered_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferFacts {
    pub institution: String,
    pub fiscal_year: i16,
    pub budget: u64,
    pub max_award: u64,
    /// Criterion id and weight, in the offer's order.
    pub criteria: Vec<(String, u32)>,
    pub eligibility: Eligibility,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFacts {
    pub offer: String,
    pub association: String,
    pub requested: u64,
    /// Evaluator → weighted total in hundredths.
    pub totals: BTreeMap<String, u32>,
    /// The award that holds it, unless revoked.
    pub award: Option<String>,
}

impl ApplicationFacts {
    /// The application's score: the integer mean of its evaluators' totals (hundredths).
    pub fn score(&self) -> Option<u32> {
        let n = u32::try_from(self.totals.len()).ok().filter(|n| *n > 0)?;
        Some(self.totals.values().sum::<u32>() / n)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardFacts {
    pub application: String,
    pub offer: String,
    pub institution: String,
    pub association: String,
    pub amount: u64,
    pub disbursed: u64,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFacts {
    pub institution: String,
    /// Revision number → its article ids.
    pub revisions: BTreeMap<u32, Vec<String>>,
    pub submitted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationFacts {
    pub draft: String,
    pub institution: String,
    /// Comments received (numbered 1..=comments).
    pub comments: u64,
    /// Ids of the published recommendations.
    pub recommendations: Vec<String>,
}

/// An entry that names a document (`data.documents`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNamer {
    /// The entry's stream, `consultation/C1`, `award/W1`...
    pub stream: String,
    /// The comment's number, when the entry is a comment.
    pub comment: Option<u64>,
    /// Hidden by moderation on a ground that withholds (the comment no longer publishes
    /// the text; docs/public-channel.md). Entries other than comments are never hidden.
    pub withholding_hidden: bool,
}

/// What the log says of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFacts {
    /// The entries that name it, in log order.
    pub namers: Vec<DocumentNamer>,
    /// Some entry's `data.withheld` lists it: it is gone for good.
    pub withheld: bool,
}

impl DocumentFacts {
    /// The entries that still publish the document: every namer but the comments hidden
    /// on a withholding ground, less `except` (a comment being moderated).
    pub fn publishers(&self, except: Option<(&str, u64)>) -> Vec<&DocumentNamer> {
        self.namers
            .iter()
            .filter(|n| !n.withholding_hidden)
            .filter(|n| match (except, n.comment) {
                (Some((stream, comment)), Some(m)) => !(stream == n.stream && comment == m),
                _ => true,
            })
            .collect()
    }
}

/// Serialized for the server's snapshot of it (`engine::registry_state`), which lets a
/// restart read the entries after the snapshot instead of the whole log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct World {
    drafts: HashMap<String, DraftFacts>,
    consultations: HashMap<String, ConsultationFacts>,
    associations: HashMap<String, AssociationFacts>,
    offers: HashMap<String, OfferFacts>,
    /// Offer → Σ over its awards: the amount, or once revoked what was disbursed of it.
    committed: HashMap<String, u64>,
    /// Offer → its application ids, in the order they were recorded.
    offer_applications: HashMap<String, Vec<String>>,
    applications: HashMap<String, ApplicationFacts>,
    awards: HashMap<String, AwardFacts>,
    #[serde(with = "pairs")]
    applicants: HashMap<(String, String), String>,
    documents: HashMap<String, DocumentFacts>,
    /// `(consultation stream, comment number)` → the comment's document.
    #[serde(with = "pairs")]
    comment_documents: HashMap<(String, u64), String>,
}

/// A map keyed by pairs, serialized as a list of `[key, value]`: JSON's object keys are
/// text only.
mod pairs {
    use std::collections::HashMap;
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K, V, S>(map: &HashMap<K, V>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        V: Serialize,
        S: Serializer,
    {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<HashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

impl World {
    /// Applies one entry, given by its stream and event; entries of other streams, and
    /// entries that do not decode (which the verifier reports), change nothing.
    pub fn apply(&mut self, stream: &str, event_type: &str, version: &str, data: &Value) {
        let Some((kind, id)) = stream.split_once('/') else {
            return;
        };
        self.apply_documents(stream, event_type, data);
        let data = data.clone();
        match kind {
            "association" => {
                if let Ok(AssociationEvent::AssociationRegistered(e)) =
                    AssociationEvent::from_entry(event_type, version, data)
                {
                    self.associations.insert(
                        id.to_owned(),
                        AssociationFacts {
                            region: e.region,
                            domains: e.domains,
                            registered_on: e.registered_on,
                        },
                    );
                }
            }
            "offer" => {
                if let Ok(e) = OfferEvent::from_entry(event_type, version, data) {
                    self.apply_offer(id, e);
                }
            }
            "application" => {
                if let Ok(e) = ApplicationEvent::from_entry(event_type, version, data) {
                    self.apply_application(id, e);
                }
            }
            "award" => {
                if let Ok(e) = AwardEvent::from_entry(event_type, version, data) {
                    self.apply_award(id, e);
                }
            }
            "draft" => {
                if let Ok(e) = DraftEvent::from_entry(event_type, version, data) {
                    self.apply_draft(id, e);
                }
            }
            "consultation" => {
                if let Ok(e) = ConsultationEvent::from_entry(event_type, version, data) {
                    self.apply_consultation(id, e);
                }
            }
            _ => {}
        }
    }

    fn apply_offer(&mut self, id: &str, event: OfferEvent) {
        match event {
            OfferEvent::OfferPublished(e) => {
                let at =
                    |s: &str| Timestamp::parse_statement(s).unwrap_or(Timestamp::from_millis(0));
                self.offers.insert(
                    id.to_owned(),
                    OfferFacts {
                        institution: e.institution,
                        fiscal_year: e.fiscal_year,
                        budget: e.budget_centimes,
                        max_award: e.max_award_centimes,
                        criteria: e.criteria.into_iter().map(|c| (c.id, c.weight)).collect(),
                        eligibility: e.eligibility,
                        opens_at: at(&e.opens_at),
                        closes_at: at(&e.closes_at),
                        closed: false,
                    },
                );
            }
            OfferEvent::OfferAmended(e) => {
                if let Some(offer) = self.offers.get_mut(id) {
                    offer.budget = e.budget_centimes.unwrap_or(offer.budget);
                    offer.max_award = e.max_award_centimes.unwrap_or(offer.max_award);
                    if let Some(t) = e
                        .closes_at
                        .as_deref()
                        .and_then(|t| Timestamp::parse_statement(t).ok())
                    {
                        offer.closes_at = t;
                    }
                }
            }
            OfferEvent::OfferClosed(_) => {
                if let Some(offer) = self.offers.get_mut(id) {
                    offer.closed = true;
                }
            }
        }
    }

    fn apply_application(&mut self, id: &str, event: ApplicationEvent) {
        match event {
            ApplicationEvent::ApplicationSubmitted(e) => {
                if self.offers.contains_key(&e.offer) {
                    self.offer_applications
                        .entry(e.offer.clone())
                        .or_default()
                        .push(id.to_owned());
                }
                self.applicants
                    .insert((e.offer.clone(), e.association.clone()), id.to_owned());
                self.applications.insert(
                    id.to_owned(),
                    ApplicationFacts {
                        offer: e.offer,
                        association: e.association,
                        requested: e.requested_centimes,
                        totals: BTreeMap::new(),
                        award: None,
                    },
                );
            }
            ApplicationEvent::ConflictOfInterestDeclared(_) => {}
            ApplicationEvent::ApplicationScored(e) => {
                if let Some(a) = self.applications.get_mut(id) {
                    a.totals.insert(e.evaluator, e.total_hundredths);
                }
            }
        }
    }

    fn apply_award(&mut self, id: &str, event: AwardEvent) {
        match event {
            AwardEvent::AwardGranted(e) => {
                if self.offers.contains_key(&e.offer) {
                    *self.committed.entry(e.offer.clone()).or_default() += e.amount_centimes;
                }
                if let Some(a) = self.applications.get_mut(&e.application) {
                    a.award = Some(id.to_owned());
                }
                self.awards.insert(
                    id.to_owned(),
                    AwardFacts {
                        application: e.application,
                        offer: e.offer,
                        institution: e.institution,
                        association: e.association,
                        amount: e.amount_centimes,
                        disbursed: 0,
                        revoked: false,
                    },
                );
            }
            AwardEvent::DisbursementRecorded(e) => {
                if let Some(award) = self.awards.get_mut(id) {
                    award.disbursed = e.disbursed_total_centimes;
                }
            }
            AwardEvent::ReportSubmitted(_) => {}
            AwardEvent::AwardRevoked(_) => {
                let Some(award) = self.awards.get_mut(id) else {
                    return;
                };
                award.revoked = true;
                let released = award.amount - award.disbursed.min(award.amount);
                if let Some(committed) = self.committed.get_mut(&award.offer) {
                    *committed = committed.saturating_sub(released);
                }
                if let Some(a) = self.applications.get_mut(&award.application) {
                    a.award = None;
                }
            }
        }
    }

    fn apply_draft(&mut self, id: &str, event: DraftEvent) {
        match event {
            DraftEvent::DraftCreated(e) => {
                self.drafts.insert(
                    id.to_owned(),
                    DraftFacts {
                        institution: e.institution,
                        revisions: BTreeMap::new(),
                        submitted: false,
                    },
                );
            }
            DraftEvent::RevisionPublished(e) => {
                if let Some(d) = self.drafts.get_mut(id) {
                    d.revisions.insert(e.number, e.article_ids);
                }
            }
            DraftEvent::DraftSubmitted(_) => {
                if let Some(d) = self.drafts.get_mut(id) {
                    d.submitted = true;
                }
            }
        }
    }

    fn apply_consultation(&mut self, id: &str, event: ConsultationEvent) {
        match event {
            ConsultationEvent::ConsultationOpened(e) => {
                self.consultations.insert(
                    id.to_owned(),
                    ConsultationFacts {
                        draft: e.draft,
                        institution: e.institution,
                        comments: 0,
                        recommendations: Vec::new(),
                    },
                );
            }
            ConsultationEvent::CommentSubmitted(e) => {
                if let Some(c) = self.consultations.get_mut(id) {
                    c.comments = c.comments.max(e.comment);
                }
            }
            ConsultationEvent::ResultsPublished(e) => {
                if let Some(c) = self.consultations.get_mut(id) {
                    c.recommendations = e.recommendations.into_iter().map(|r| r.id).collect();
                }
            }
            _ => {}
        }
    }

    /// Which entries name which documents, which comments hide them on a withholding
    /// ground, and which documents are withheld: read from any entry's `data.documents`
    /// and `data.withheld`, as the offline verifier reads them.
    fn apply_documents(&mut self, stream: &str, event_type: &str, data: &Value) {
        let list = |member: &str| crate::document::listed_documents(data, member);
        let comment = match event_type {
            event::COMMENT_SUBMITTED | event::COMMENT_MODERATED => {
                data.get("comment").and_then(Value::as_u64)
            }
            _ => None,
        };
        for doc in list("documents") {
            if let Some(n) = comment {
                self.comment_documents
                    .insert((stream.to_owned(), n), doc.clone());
            }
            self.documents
                .entry(doc)
                .or_default()
                .namers
                .push(DocumentNamer {
                    stream: stream.to_owned(),
                    comment,
                    withholding_hidden: false,
                });
        }
        for doc in list("withheld") {
            self.documents.entry(doc).or_default().withheld = true;
        }
        if event_type == event::COMMENT_MODERATED {
            let Some(n) = comment else { return };
            let Some(doc) = self.comment_documents.get(&(stream.to_owned(), n)) else {
                return;
            };
            let text = |f: &str| data.get(f).and_then(Value::as_str).unwrap_or_default();
            let withholding = text("action") == "hide"
                && crate::participation::WITHHOLDING_GROUNDS.contains(&text("ground"));
            if let Some(facts) = self.documents.get_mut(doc) {
                for namer in &mut facts.namers {
                    if namer.stream == stream && namer.comment == Some(n) {
                        namer.withholding_hidden = withholding;
                    }
                }
            }
        }
    }

    pub fn document(&self, sha256: &str) -> Option<&DocumentFacts> {
        self.documents.get(sha256)
    }

    /// The document of comment `comment` of `consultation` (a stream name).
    pub fn comment_document(&self, consultation: &str, comment: u64) -> Option<&String> {
        self.comment_documents
            .get(&(consultation.to_owned(), comment))
    }

    pub fn draft(&self, id: &str) -> Option<&DraftFacts> {
        self.drafts.get(id)
    }

    pub fn consultation(&self, id: &str) -> Option<&ConsultationFacts> {
        self.consultations.get(id)
    }

    pub fn association(&self, id: &str) -> Option<&AssociationFacts> {
        self.associations.get(id)
    }

    pub fn offer(&self, id: &str) -> Option<&OfferFacts> {
        self.offers.get(id)
    }

    /// What the offer's awards commit of its budget: Σ over awards of the amount, or once
    /// revoked what was disbursed of it.
    pub fn offer_committed(&self, offer: &str) -> u64 {
        self.committed.get(offer).copied().unwrap_or(0)
    }

    /// The ids of the applications to an offer, in the order they were recorded.
    pub fn offer_application_ids(&self, offer: &str) -> &[String] {
        self.offer_applications
            .get(offer)
            .map_or(&[], Vec::as_slice)
    }

    pub fn application(&self, id: &str) -> Option<&ApplicationFacts> {
        self.applications.get(id)
    }

    pub fn award(&self, id: &str) -> Option<&AwardFacts> {
        self.awards.get(id)
    }

    /// The application of `association` to `offer`, if it applied.
    pub fn applicant(&self, offer: &str, association: &str) -> Option<&String> {
        self.applicants
            .get(&(offer.to_owned(), association.to_owned()))
    }

    /// The applications to an offer, with their ids.
    pub fn offer_applications(&self, offer: &str) -> Vec<(String, ApplicationFacts)> {
        self.offer_application_ids(offer)
            .iter()
            .filter_map(|id| self.applications.get(id).map(|a| (id.clone(), a.clone())))
            .collect()
    }
}

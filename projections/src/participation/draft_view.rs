//! The `drafts` view, typed: the row the projector ([`super::drafts`]) writes, read once
//! into [`DraftRow`], and the public shapes built from it: the list's [`DraftSummary`]
//! and the page's [`Draft`], every revision with its articles, its motivations linked to
//! their consultations and the link to its diff.
//!
//! A revision too large for an entry keeps its articles in a document: the caller reads
//! it ([`ArticlesAt::Document`], [`parse_articles_document`]) and hands the articles in.

use std::collections::{BTreeMap, HashMap};

use domain::participation::{Article, Motivation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::consultations::diff_link;
use super::drafts::DRAFTS;
use super::{log_ordered, Indexed};
use crate::rows::{self, entry_lines, trail, BadRow, EntryLine};

/// A row of the `drafts` view as the projector writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftRow {
    pub id: String,
    pub institution: String,
    pub title: String,
    pub summary: String,
    /// `drafting` or `submitted`.
    pub status: String,
    pub created_at: String,
    pub latest_revision: Option<u64>,
    pub revised_at: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_index: Option<u64>,
    pub submission_note: Option<String>,
    /// Every revision, keyed by its number.
    pub revisions: BTreeMap<String, StoredRevision>,
    /// The consultations held on it, keyed by consultation id.
    pub consultations: BTreeMap<String, ConsultationHeld>,
    pub index: u64,
    pub stream: String,
    /// The draft's entries, `{"<index>": "<type>"}`.
    pub entries: BTreeMap<String, String>,
}

/// Only the title of a draft's row, for the pages that name a draft without showing it.
#[derive(Deserialize)]
struct Titled {
    title: String,
}

impl DraftRow {
    /// A stored row, as read from the store's JSON value.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_value(row: &Value) -> Result<Self, BadRow> {
        rows::read(DRAFTS, row)
    }

    /// A stored row, as read from the store's text.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_text(text: &str) -> Result<Self, BadRow> {
        rows::read(DRAFTS, &rows::parse(DRAFTS, text)?)
    }

    /// The title of the draft stored as `text`, without reading its revisions' texts.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn title_from_text(text: &str) -> Result<String, BadRow> {
        rows::read::<Titled>(DRAFTS, &rows::parse(DRAFTS, text)?).map(|t| t.title)
    }

    /// The revision `number`.
    pub fn revision(&self, number: u64) -> Option<&StoredRevision> {
        self.revisions.get(&number.to_string())
    }

    /// The numbers of the revisions, in order.
    pub fn revision_numbers(&self) -> Vec<u64> {
        let mut numbers: Vec<u64> = self.revisions.values().map(|r| r.number).collect();
        numbers.sort_unstable();
        numbers
    }
}

/// A revision as `RevisionPublished` recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRevision {
    pub number: u64,
    pub text_sha256: String,
    pub change_summary: String,
    /// The articles, when the entry holds them.
    pub articles: Option<Vec<Article>>,
    /// The hash of the document holding the articles, when the entry does not.
    pub articles_document: Option<String>,
    pub article_ids: Vec<String>,
    /// The comments and recommendations that motivated it.
    pub motivated_by: Vec<Motivation>,
    pub recorded_at: String,
    pub index: u64,
}

impl Indexed for StoredRevision {
    fn index(&self) -> u64 {
        self.index
    }
}

/// A consultation held on a draft, as the draft's row and page list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationHeld {
    pub id: String,
    pub revision: u64,
    pub title: String,
    pub opens_at: String,
    pub closes_at: String,
    pub index: u64,
    /// `/v1/consultations/{id}`.
    pub link: String,
}

impl Indexed for ConsultationHeld {
    fn index(&self) -> u64 {
        self.index
    }
}

/// Where a revision's articles are: in the entry, or in a document named by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticlesAt {
    Inline(Vec<Article>),
    Document(String),
    /// Neither (a malformed row): the revision is shown without its text.
    Missing,
}

/// Where the articles of `revision` are.
pub fn articles_at(revision: &StoredRevision) -> ArticlesAt {
    match (&revision.articles, &revision.articles_document) {
        (Some(articles), _) => ArticlesAt::Inline(articles.clone()),
        (None, Some(sha)) => ArticlesAt::Document(sha.clone()),
        (None, None) => ArticlesAt::Missing,
    }
}

/// The articles an articles document holds. The domain accepted the revision only if the
/// document is the canonical JSON of an articles array whose hash is the text's, so a
/// document that does not parse here is not that document: `None`, never a panic.
pub fn parse_articles_document(bytes: &[u8]) -> Option<Vec<Article>> {
    serde_json::from_slice(bytes).ok()
}

/// Where the articles a revision shows came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticlesSource {
    Inline,
    Document,
    Missing,
}

/// A motivation of a revision with the link to the consultation it points into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedMotivation {
    pub consultation: String,
    pub comment: Option<u64>,
    pub recommendation: Option<String>,
    /// `/v1/consultations/{id}`.
    pub link: String,
}

/// A revision as a draft's page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: u64,
    pub text_sha256: String,
    pub change_summary: String,
    pub articles_source: ArticlesSource,
    pub articles_document: Option<String>,
    pub article_ids: Vec<String>,
    /// `None` when they are in a document that could not be read.
    pub articles: Option<Vec<Article>>,
    pub motivated_by: Vec<LinkedMotivation>,
    pub recorded_at: String,
    pub index: u64,
    /// Its entry, `/v1/log/entries/{index}`.
    pub entry: String,
    /// The diff from the revision before; `None` for the first.
    pub diff: Option<String>,
}

/// A draft as `/v1/drafts/{id}` shows it: every revision (oldest first), its
/// consultations in log order, its entries and audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub institution: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub created_at: String,
    pub latest_revision: Option<u64>,
    pub revised_at: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_index: Option<u64>,
    pub submission_note: Option<String>,
    pub revisions: Vec<Revision>,
    pub consultations: Vec<ConsultationHeld>,
    pub index: u64,
    pub stream: String,
    pub entries: Vec<EntryLine>,
    pub audit_trail: String,
    pub revisions_count: u64,
}

/// A draft as `/v1/drafts` lists it: identity, status, latest revision, how many
/// revisions it has and its consultations; without the texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: String,
    pub institution: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub created_at: String,
    pub latest_revision: Option<u64>,
    pub revised_at: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_index: Option<u64>,
    pub submission_note: Option<String>,
    pub consultations: Vec<ConsultationHeld>,
    pub index: u64,
    pub stream: String,
    pub audit_trail: String,
    pub revisions_count: u64,
}

/// A revision's motivation with the link to its consultation.
pub fn linked_motivation(m: &Motivation) -> LinkedMotivation {
    LinkedMotivation {
        consultation: m.consultation.clone(),
        comment: m.comment,
        recommendation: m.recommendation.clone(),
        link: format!("/v1/consultations/{}", m.consultation),
    }
}

/// The public shape of one revision of draft `draft`: its articles (`texts` holds those
/// read from documents, by revision number; absent means the document could not be read,
/// and `articles` is then `None`), its motivations linked to their consultations, the
/// link to the diff from the revision before it and to its entry.
pub fn present_revision(
    draft: &str,
    revision: &StoredRevision,
    texts: &HashMap<u64, Vec<Article>>,
) -> Revision {
    let number = revision.number;
    let (articles, source) = match articles_at(revision) {
        ArticlesAt::Inline(a) => (Some(a), ArticlesSource::Inline),
        ArticlesAt::Document(_) => (texts.get(&number).cloned(), ArticlesSource::Document),
        ArticlesAt::Missing => (None, ArticlesSource::Missing),
    };
    Revision {
        number,
        text_sha256: revision.text_sha256.clone(),
        change_summary: revision.change_summary.clone(),
        articles_source: source,
        articles_document: revision.articles_document.clone(),
        article_ids: revision.article_ids.clone(),
        articles,
        motivated_by: revision
            .motivated_by
            .iter()
            .map(linked_motivation)
            .collect(),
        recorded_at: revision.recorded_at.clone(),
        index: revision.index,
        entry: format!("/v1/log/entries/{}", revision.index),
        diff: diff_link(draft, number),
    }
}

/// The public shape of a draft; `texts` as in [`present_revision`].
pub fn present(row: &DraftRow, texts: &HashMap<u64, Vec<Article>>) -> Draft {
    let revisions: Vec<Revision> = log_ordered(&row.revisions)
        .into_iter()
        .map(|r| present_revision(&row.id, r, texts))
        .collect();
    Draft {
        id: row.id.clone(),
        institution: row.institution.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        status: row.status.clone(),
        created_at: row.created_at.clone(),
        latest_revision: row.latest_revision,
        revised_at: row.revised_at.clone(),
        submitted_at: row.submitted_at.clone(),
        submitted_index: row.submitted_index,
        submission_note: row.submission_note.clone(),
        revisions_count: revisions.len() as u64,
        revisions,
        consultations: consultations_held(row),
        index: row.index,
        stream: row.stream.clone(),
        entries: entry_lines(row.entries.clone()),
        audit_trail: trail(&row.stream),
    }
}

/// The short form of a draft in a list.
pub fn summary(row: &DraftRow) -> DraftSummary {
    DraftSummary {
        id: row.id.clone(),
        institution: row.institution.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        status: row.status.clone(),
        created_at: row.created_at.clone(),
        latest_revision: row.latest_revision,
        revised_at: row.revised_at.clone(),
        submitted_at: row.submitted_at.clone(),
        submitted_index: row.submitted_index,
        submission_note: row.submission_note.clone(),
        consultations: consultations_held(row),
        index: row.index,
        stream: row.stream.clone(),
        audit_trail: trail(&row.stream),
        revisions_count: row.revisions.len() as u64,
    }
}

/// The consultations held on the draft, in log order.
fn consultations_held(row: &DraftRow) -> Vec<ConsultationHeld> {
    log_ordered(&row.consultations)
        .into_iter()
        .cloned()
        .collect()
}

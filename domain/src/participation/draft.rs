//! The `draft/<id>` aggregate: a draft law or policy text of one institution, published as
//! numbered revisions, each bound to its exact text by a SHA-256 and to the comments and
//! recommendations that motivated it; closed to revisions once submitted for approval.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::article::{check_articles, text_sha256, Article};
use crate::authorization::Scope;
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::support::text::{check_sha256, limit, require, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::{DomainError, LedgerEvent, Services};

/// At most this many references in `motivated_by`.
pub const MAX_MOTIVATIONS: usize = 200;

/// Body of `CreateDraft`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    pub institution: String,
    pub title: String,
    pub summary: String,
}

/// A comment or a recommendation of a consultation that led to a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Motivation {
    pub consultation: String,
    pub comment: Option<u64>,
    pub recommendation: Option<String>,
}

/// Body of `PublishRevision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishRevision {
    pub number: u32,
    #[serde(default)]
    pub articles: Option<Vec<Article>>,
    #[serde(default)]
    pub articles_document: Option<String>,
    pub text_sha256: String,
    pub change_summary: String,
    #[serde(default)]
    pub motivated_by: Vec<Motivation>,
}

/// Body of `SubmitDraft`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitDraft {
    #[serde(default)]
    pub note: Option<String>,
}

/// A revision whose articles travel as a document: the edge has read and checked the
/// document, and hands the domain its articles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionText {
    pub body: PublishRevision,
    /// The articles of `body.articles_document`, when given that way.
    pub document_articles: Option<Vec<Article>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DraftCommand {
    Create(CreateDraft),
    PublishRevision(RevisionText),
    Submit(SubmitDraft),
}

pub type DraftCreated = CreateDraft;
pub type DraftSubmitted = SubmitDraft;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionPublished {
    pub number: u32,
    pub articles: Option<Vec<Article>>,
    pub articles_document: Option<String>,
    pub text_sha256: String,
    pub change_summary: String,
    pub motivated_by: Vec<Motivation>,
    /// The revision's article ids, in order, so consultations and comments can name them.
    pub article_ids: Vec<String>,
    pub documents: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DraftEvent {
    DraftCreated(DraftCreated),
    RevisionPublished(RevisionPublished),
    DraftSubmitted(DraftSubmitted),
}

impl DomainEvent for DraftEvent {
    fn event_type(&self) -> String {
        match self {
            Self::DraftCreated(_) => event::DRAFT_CREATED,
            Self::RevisionPublished(_) => event::REVISION_PUBLISHED,
            Self::DraftSubmitted(_) => event::DRAFT_SUBMITTED,
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for DraftEvent {
    const STREAM_TYPE: &'static str = stream::DRAFT;
    const TYPES: &'static [&'static str] = &[
        event::DRAFT_CREATED,
        event::REVISION_PUBLISHED,
        event::DRAFT_SUBMITTED,
    ];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    created: bool,
    institution: String,
    revisions: u32,
    submitted: bool,
}

impl Aggregate for Draft {
    const TYPE: &'static str = "draft";
    type Command = Issued<DraftCommand>;
    type Event = DraftEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match &issued.command {
            DraftCommand::Create(body) => {
                issued.authorize("CreateDraft", &Scope::Institution(body.institution.clone()))?;
                if self.created {
                    return Err(DomainError::state(
                        "draft_exists",
                        "a draft already exists under this id",
                    ));
                }
                if !services.registry.institution_exists(&body.institution) {
                    return Err(DomainError::rule(
                        "unknown_institution",
                        format!("no institution {:?} is registered", body.institution),
                    ));
                }
                require("invalid_title", "title", &body.title, MAX_TITLE_CHARS)?;
                require("invalid_summary", "summary", &body.summary, MAX_TEXT_CHARS)?;
                DraftEvent::DraftCreated(body.clone())
            }
            DraftCommand::PublishRevision(text) => {
                self.require_open(&issued, "PublishRevision")?;
                DraftEvent::RevisionPublished(self.revision(&issued.id, text, services)?)
            }
            DraftCommand::Submit(body) => {
                self.require_open(&issued, "SubmitDraft")?;
                if self.revisions == 0 {
                    return Err(DomainError::state(
                        "no_revision",
                        "a draft is submitted with at least one revision",
                    ));
                }
                if let Some(note) = &body.note {
                    limit("invalid_note", "note", note, MAX_TEXT_CHARS)?;
                }
                DraftEvent::DraftSubmitted(body.clone())
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            DraftEvent::DraftCreated(e) => {
                self.created = true;
                self.institution = e.institution;
            }
            DraftEvent::RevisionPublished(e) => self.revisions = e.number,
            DraftEvent::DraftSubmitted(_) => self.submitted = true,
        }
    }
}

impl Draft {
    fn require_open<C>(&self, issued: &Issued<C>, name: &str) -> Result<(), DomainError> {
        if !self.created {
            return Err(DomainError::state(
                "no_draft",
                "no draft exists under this id",
            ));
        }
        issued.authorize(name, &Scope::Institution(self.institution.clone()))?;
        if self.submitted {
            return Err(DomainError::state(
                "draft_submitted",
                "the draft was submitted for approval: it takes no more revisions",
            ));
        }
        Ok(())
    }

    fn revision(
        &self,
        draft: &str,
        text: &RevisionText,
        services: &Services,
    ) -> Result<RevisionPublished, DomainError> {
        let body = &text.body;
        if body.number != self.revisions + 1 {
            return Err(DomainError::state(
                "wrong_revision_number",
                format!("the next revision is number {}", self.revisions + 1),
            ));
        }
        require(
            "invalid_summary",
            "change_summary",
            &body.change_summary,
            MAX_TEXT_CHARS,
        )?;
        let (articles, documents) = match (&body.articles, &body.articles_document) {
            (Some(articles), None) => {
                check_articles(articles)?;
                if text_sha256(articles) != body.text_sha256 {
                    return Err(DomainError::rule(
                        "text_hash_mismatch",
                        format!(
                            "text_sha256 is not the SHA-256 of the articles' canonical JSON ({})",
                            text_sha256(articles)
                        ),
                    ));
                }
                (articles, Vec::new())
            }
            (None, Some(document)) => {
                check_sha256(document)?;
                if *document != body.text_sha256 {
                    return Err(DomainError::rule(
                        "text_hash_mismatch",
                        "the articles document is the text: its hash is text_sha256",
                    ));
                }
                let articles = text.document_articles.as_ref().ok_or_else(|| {
                    DomainError::rule("unknown_document", "the articles document was not uploaded")
                })?;
                check_articles(articles)?;
                (articles, vec![document.clone()])
            }
            _ => {
                return Err(DomainError::rule(
                    "invalid_articles",
                    "give the articles either inline (articles) or as a document (articles_document), not both",
                ))
            }
        };
        if body.motivated_by.len() > MAX_MOTIVATIONS {
            return Err(DomainError::rule(
                "invalid_motivation",
                format!("at most {MAX_MOTIVATIONS} motivations"),
            ));
        }
        for m in &body.motivated_by {
            check_motivation(draft, m, services)?;
        }
        Ok(RevisionPublished {
            number: body.number,
            articles: body.articles.clone(),
            articles_document: body.articles_document.clone(),
            text_sha256: body.text_sha256.clone(),
            change_summary: body.change_summary.clone(),
            motivated_by: body.motivated_by.clone(),
            article_ids: articles.iter().map(|a| a.id.clone()).collect(),
            documents,
        })
    }
}

/// A motivation names a comment or a recommendation that exists, of a consultation on
/// this draft. Comments and recommendations are never removed, so a motivation valid once
/// stays valid: no guard is needed.
fn check_motivation(draft: &str, m: &Motivation, services: &Services) -> Result<(), DomainError> {
    let consultation = services
        .registry
        .consultation(&m.consultation)
        .filter(|c| c.draft == draft)
        .ok_or_else(|| {
            DomainError::rule(
                "unknown_comment",
                format!("no consultation {:?} on this draft", m.consultation),
            )
        })?;
    match (m.comment, &m.recommendation) {
        (Some(n), None) if n >= 1 && n <= consultation.comments => Ok(()),
        (Some(n), None) => Err(DomainError::rule(
            "unknown_comment",
            format!("consultation {} has no comment {n}", m.consultation),
        )),
        (None, Some(r)) if consultation.recommendations.contains(r) => Ok(()),
        (None, Some(r)) => Err(DomainError::rule(
            "unknown_recommendation",
            format!(
                "consultation {} published no recommendation {r:?}",
                m.consultation
            ),
        )),
        _ => Err(DomainError::rule(
            "invalid_motivation",
            "a motivation names either a comment or a recommendation",
        )),
    }
}

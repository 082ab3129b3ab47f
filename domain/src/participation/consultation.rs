//! The `consultation/<id>` aggregate: a public consultation on one revision of a draft,
//! its comments (signed by associations or posted by the public), their moderation, the
//! responses to every comment, and the results.
//!
//! Rules: comments only inside the window, on the whole text or one of the consulted
//! revision's articles; moderation hides and restores but deletes nothing, and withholds
//! the text on the grounds that require it, but only once no other entry of the log still
//! publishes the same text (documents are addressed by content: one consultation's
//! moderator never takes down another's comment; docs/public-channel.md); one response
//! per comment; results only after closing, and never while a visible comment has no
//! response.

use std::collections::BTreeSet;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use ledger::Timestamp;
use serde::{Deserialize, Serialize};

use crate::authorization::Scope;
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::support::offer::instant;
use crate::support::text::{check_sha256, require, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use crate::{AggregateId, DomainError, LedgerEvent, Services, TimeWindow};

/// Moderation grounds, a fixed list so the public counts mean something.
pub const GROUNDS: [&str; 5] = [
    "spam",
    "insult",
    "personal_data",
    "off_topic",
    "illegal_content",
];
/// Grounds on which hiding also withholds the comment's text.
pub const WITHHOLDING_GROUNDS: [&str; 2] = ["personal_data", "illegal_content"];
/// Positions a response takes on a comment.
pub const POSITIONS: [&str; 4] = ["accepted", "partly_accepted", "rejected", "noted"];
/// Responses in one `RespondToComments`.
pub const MAX_RESPONSES: usize = 200;
/// Recommendations in one result.
pub const MAX_RECOMMENDATIONS: usize = 500;

/// Body of `OpenConsultation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenConsultation {
    pub draft: String,
    pub revision: u32,
    pub title: String,
    pub summary: String,
    pub opens_at: String,
    pub closes_at: String,
}

/// Body of `SubmitComment`: an association's signed comment, its text uploaded first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitComment {
    pub association: String,
    pub article: Option<String>,
    pub document: String,
}

/// A comment from the public channel, as the server records it (no key; `person` is the
/// opaque reference of the erasable personal-data store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicComment {
    pub article: Option<String>,
    pub document: String,
    pub person: String,
}

/// Body of `ModerateComment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerateComment {
    pub comment: u64,
    /// `hide` or `restore`.
    pub action: String,
    pub ground: String,
    pub note: String,
}

/// Body of `ErasePersonalData`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasePersonalData {
    pub person: String,
    pub reason: String,
}

/// Body of `CloseConsultation`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseConsultation {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub comment: u64,
    pub position: String,
    pub reasoning: String,
}

/// Body of `RespondToComments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondToComments {
    pub responses: Vec<Response>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub id: String,
    pub text: String,
}

/// Body of `PublishResults`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishResults {
    pub synthesis: String,
    pub recommendations: Vec<Recommendation>,
    #[serde(default)]
    pub documents: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConsultationCommand {
    Open(OpenConsultation),
    Comment(SubmitComment),
    PublicComment(PublicComment),
    Moderate(ModerateComment),
    Erase(ErasePersonalData),
    Close(CloseConsultation),
    Respond(RespondToComments),
    PublishResults(PublishResults),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationOpened {
    pub draft: String,
    pub revision: u32,
    pub title: String,
    pub summary: String,
    pub opens_at: String,
    pub closes_at: String,
    pub institution: String,
    pub article_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentSubmitted {
    /// The comment's number in the consultation: 1, 2, ...
    pub comment: u64,
    pub article: Option<String>,
    pub document: String,
    pub documents: Vec<String>,
    /// `association` (a signed statement) or `public` (no key).
    pub channel: String,
    pub association: Option<String>,
    pub person: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentModerated {
    pub comment: u64,
    pub action: String,
    pub ground: String,
    pub note: String,
    /// Documents no longer served, exported or mirrored (`docs/spec/ledger-format.md`).
    pub withheld: Vec<String>,
}

pub type PersonalDataErased = ErasePersonalData;
pub type CommentsAnswered = RespondToComments;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationClosed {
    pub comments: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsPublished {
    pub synthesis: String,
    pub recommendations: Vec<Recommendation>,
    pub documents: Vec<String>,
    pub comments: u64,
    pub answered: u64,
    pub hidden: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ConsultationEvent {
    ConsultationOpened(ConsultationOpened),
    CommentSubmitted(CommentSubmitted),
    CommentModerated(CommentModerated),
    PersonalDataErased(PersonalDataErased),
    ConsultationClosed(ConsultationClosed),
    CommentsAnswered(CommentsAnswered),
    ResultsPublished(ResultsPublished),
}

impl DomainEvent for ConsultationEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ConsultationOpened(_) => event::CONSULTATION_OPENED,
            Self::CommentSubmitted(_) => event::COMMENT_SUBMITTED,
            Self::CommentModerated(_) => event::COMMENT_MODERATED,
            Self::PersonalDataErased(_) => event::PERSONAL_DATA_ERASED,
            Self::ConsultationClosed(_) => event::CONSULTATION_CLOSED,
            Self::CommentsAnswered(_) => event::COMMENTS_ANSWERED,
            Self::ResultsPublished(_) => event::RESULTS_PUBLISHED,
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for ConsultationEvent {
    const STREAM_TYPE: &'static str = stream::CONSULTATION;
    const TYPES: &'static [&'static str] = &[
        event::CONSULTATION_OPENED,
        event::COMMENT_SUBMITTED,
        event::COMMENT_MODERATED,
        event::PERSONAL_DATA_ERASED,
        event::CONSULTATION_CLOSED,
        event::COMMENTS_ANSWERED,
        event::RESULTS_PUBLISHED,
    ];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct CommentState {
    document: String,
    hidden: bool,
    withheld: bool,
    answered: bool,
    person: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consultation {
    opened: bool,
    institution: String,
    article_ids: Vec<String>,
    opens_at: Option<Timestamp>,
    closes_at: Option<Timestamp>,
    closed: bool,
    comments: Vec<CommentState>,
    erased: BTreeSet<String>,
    results: bool,
}

impl Aggregate for Consultation {
    const TYPE: &'static str = "consultation";
    type Command = Issued<ConsultationCommand>;
    type Event = ConsultationEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let now = services.clock.now();
        let event = match &issued.command {
            ConsultationCommand::Open(body) => self.open(&issued, body, now, services)?,
            ConsultationCommand::Comment(body) => {
                issued.authorize(
                    "SubmitComment",
                    &Scope::Association(body.association.clone()),
                )?;
                if !services.registry.association_exists(&body.association) {
                    return Err(DomainError::rule(
                        "unknown_association",
                        format!("no association {:?} is registered", body.association),
                    ));
                }
                let (event, window) = self.comment(
                    body.article.clone(),
                    &body.document,
                    "association",
                    Some(body.association.clone()),
                    None,
                    now,
                )?;
                services.clock.hold_within(window);
                event
            }
            ConsultationCommand::PublicComment(c) => {
                let (event, window) = self.comment(
                    c.article.clone(),
                    &c.document,
                    "public",
                    None,
                    Some(c.person.clone()),
                    now,
                )?;
                services.clock.hold_within(window);
                event
            }
            ConsultationCommand::Moderate(body) => {
                self.require_opened(&issued, "ModerateComment")?;
                self.moderate(&issued.id, body, services)?
            }
            ConsultationCommand::Erase(body) => {
                self.require_opened(&issued, "ErasePersonalData")?;
                require("reason_required", "reason", &body.reason, MAX_TEXT_CHARS)?;
                if self.erased.contains(&body.person) {
                    return Err(DomainError::state(
                        "already_erased",
                        "this person's data was already erased",
                    ));
                }
                if !self
                    .comments
                    .iter()
                    .any(|c| c.person.as_deref() == Some(body.person.as_str()))
                {
                    return Err(DomainError::rule(
                        "unknown_person",
                        "no comment of this consultation comes from that person",
                    ));
                }
                ConsultationEvent::PersonalDataErased(body.clone())
            }
            ConsultationCommand::Close(_) => {
                self.require_opened(&issued, "CloseConsultation")?;
                if self.closed {
                    return Err(DomainError::state(
                        "consultation_closed",
                        "the consultation is already closed",
                    ));
                }
                let closes_at = self.closes_at.unwrap_or(now);
                if now < closes_at {
                    return Err(DomainError::state(
                        "window_still_open",
                        format!("comments are open until {}", closes_at.to_entry_string()),
                    ));
                }
                services.clock.hold_within(TimeWindow {
                    not_before: Some(closes_at),
                    before: None,
                });
                ConsultationEvent::ConsultationClosed(ConsultationClosed {
                    comments: self.comments.len() as u64,
                })
            }
            ConsultationCommand::Respond(body) => {
                self.require_opened(&issued, "RespondToComments")?;
                self.respond(body)?
            }
            ConsultationCommand::PublishResults(body) => {
                self.require_opened(&issued, "PublishResults")?;
                self.results(body)?
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ConsultationEvent::ConsultationOpened(e) => {
                self.opened = true;
                self.institution = e.institution;
                self.article_ids = e.article_ids;
                self.opens_at = Timestamp::parse_statement(&e.opens_at).ok();
                self.closes_at = Timestamp::parse_statement(&e.closes_at).ok();
            }
            ConsultationEvent::CommentSubmitted(e) => self.comments.push(CommentState {
                document: e.document,
                person: e.person,
                ..CommentState::default()
            }),
            ConsultationEvent::CommentModerated(e) => {
                if let Some(c) = self.comment_mut(e.comment) {
                    c.hidden = e.action == "hide";
                    c.withheld |= !e.withheld.is_empty();
                }
            }
            ConsultationEvent::PersonalDataErased(e) => {
                self.erased.insert(e.person);
            }
            ConsultationEvent::ConsultationClosed(_) => self.closed = true,
            ConsultationEvent::CommentsAnswered(e) => {
                for r in e.responses {
                    if let Some(c) = self.comment_mut(r.comment) {
                        c.answered = true;
                    }
                }
            }
            ConsultationEvent::ResultsPublished(_) => self.results = true,
        }
    }
}

impl Consultation {
    fn comment_mut(&mut self, n: u64) -> Option<&mut CommentState> {
        let i = usize::try_from(n.checked_sub(1)?).ok()?;
        self.comments.get_mut(i)
    }

    fn existing(&self, n: u64) -> Result<&CommentState, DomainError> {
        n.checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.comments.get(i))
            .ok_or_else(|| DomainError::rule("unknown_comment", format!("there is no comment {n}")))
    }

    fn require_opened<C>(&self, issued: &Issued<C>, name: &str) -> Result<(), DomainError> {
        if !self.opened {
            return Err(DomainError::state(
                "no_consultation",
                "no consultation is open under this id",
            ));
        }
        issued.authorize(name, &Scope::Institution(self.institution.clone()))
    }

    fn open(
        &mut self,
        issued: &Issued<ConsultationCommand>,
        body: &OpenConsultation,
        now: Timestamp,
        services: &Services,
    ) -> Result<ConsultationEvent, DomainError> {
        let draft = services.registry.draft(&body.draft).ok_or_else(|| {
            DomainError::rule("unknown_draft", format!("no draft {:?}", body.draft))
        })?;
        issued.authorize(
            "OpenConsultation",
            &Scope::Institution(draft.institution.clone()),
        )?;
        if self.opened {
            return Err(DomainError::state(
                "consultation_exists",
                "a consultation already exists under this id",
            ));
        }
        if draft.submitted {
            return Err(DomainError::state(
                "draft_submitted",
                "the draft was submitted for approval; it is no longer consulted on",
            ));
        }
        let article_ids = draft
            .revisions
            .get(&body.revision)
            .cloned()
            .ok_or_else(|| {
                DomainError::rule(
                    "unknown_revision",
                    format!("the draft has no revision {}", body.revision),
                )
            })?;
        require("invalid_title", "title", &body.title, MAX_TITLE_CHARS)?;
        require("invalid_summary", "summary", &body.summary, MAX_TEXT_CHARS)?;
        let opens_at = instant("opens_at", &body.opens_at)?;
        let closes_at = instant("closes_at", &body.closes_at)?;
        if opens_at >= closes_at {
            return Err(DomainError::rule(
                "invalid_window",
                "opens_at must be before closes_at",
            ));
        }
        if closes_at <= now {
            return Err(DomainError::rule(
                "window_already_closed",
                "closes_at has already passed: nobody could comment",
            ));
        }
        services.clock.hold_within(TimeWindow {
            not_before: None,
            before: Some(closes_at),
        });
        Ok(ConsultationEvent::ConsultationOpened(ConsultationOpened {
            draft: body.draft.clone(),
            revision: body.revision,
            title: body.title.clone(),
            summary: body.summary.clone(),
            opens_at: body.opens_at.clone(),
            closes_at: body.closes_at.clone(),
            institution: draft.institution,
            article_ids,
        }))
    }

    fn comment(
        &self,
        article: Option<String>,
        document: &str,
        channel: &str,
        association: Option<String>,
        person: Option<String>,
        now: Timestamp,
    ) -> Result<(ConsultationEvent, TimeWindow), DomainError> {
        if !self.opened {
            return Err(DomainError::state(
                "no_consultation",
                "no consultation is open under this id",
            ));
        }
        let (opens_at, closes_at) = (self.opens_at.unwrap_or(now), self.closes_at.unwrap_or(now));
        if now < opens_at {
            return Err(DomainError::state(
                "window_not_open",
                format!("comments open at {}", opens_at.to_entry_string()),
            ));
        }
        if self.closed || now >= closes_at {
            return Err(DomainError::state(
                "window_closed",
                format!("comments closed at {}", closes_at.to_entry_string()),
            ));
        }
        if let Some(a) = &article {
            if !self.article_ids.contains(a) {
                return Err(DomainError::rule(
                    "unknown_article",
                    format!("the consulted revision has no article {a:?}"),
                ));
            }
        }
        check_sha256(document).map_err(|e| DomainError::rule("invalid_comment_text", e.message))?;
        let window = TimeWindow {
            not_before: Some(opens_at),
            before: Some(closes_at),
        };
        let event = ConsultationEvent::CommentSubmitted(CommentSubmitted {
            comment: self.comments.len() as u64 + 1,
            article,
            document: document.to_owned(),
            documents: vec![document.to_owned()],
            channel: channel.to_owned(),
            association,
            person,
        });
        Ok((event, window))
    }

    /// A hide on a withholding ground withholds the comment's document only when no other
    /// entry still publishes it (`DocumentFacts::publishers`): the same bytes named by
    /// another consultation's comment, a report or a revision stay served, and this entry's
    /// `withheld` is empty. The last such hide withholds it. A restore is refused once
    /// the document is withheld, by this comment or any other entry.
    fn moderate(
        &self,
        id: &str,
        body: &ModerateComment,
        services: &Services,
    ) -> Result<ConsultationEvent, DomainError> {
        let comment = self.existing(body.comment)?;
        if !GROUNDS.contains(&body.ground.as_str()) {
            return Err(DomainError::rule(
                "invalid_ground",
                format!("the grounds are {}", GROUNDS.join(", ")),
            ));
        }
        require("note_required", "note", &body.note, MAX_TEXT_CHARS)?;
        let stream = format!("{}/{id}", Self::TYPE);
        let facts = services.registry.document(&comment.document);
        let withheld_by_log = comment.withheld || facts.as_ref().is_some_and(|f| f.withheld);
        let withheld = match body.action.as_str() {
            "hide" if comment.hidden => {
                return Err(DomainError::state(
                    "already_hidden",
                    "the comment is already hidden",
                ))
            }
            "hide" if WITHHOLDING_GROUNDS.contains(&body.ground.as_str()) && !withheld_by_log => {
                let published_elsewhere = facts
                    .as_ref()
                    .is_some_and(|f| !f.publishers(Some((&stream, body.comment))).is_empty());
                if published_elsewhere {
                    Vec::new()
                } else {
                    vec![comment.document.clone()]
                }
            }
            "hide" => Vec::new(),
            "restore" if !comment.hidden => {
                return Err(DomainError::state(
                    "not_hidden",
                    "the comment is not hidden",
                ))
            }
            "restore" if withheld_by_log => {
                return Err(DomainError::state(
                    "document_withheld",
                    "the comment's text was withheld and cannot be shown again",
                ))
            }
            "restore" => Vec::new(),
            _ => {
                return Err(DomainError::rule(
                    "invalid_action",
                    "action is hide or restore",
                ))
            }
        };
        Ok(ConsultationEvent::CommentModerated(CommentModerated {
            comment: body.comment,
            action: body.action.clone(),
            ground: body.ground.clone(),
            note: body.note.clone(),
            withheld,
        }))
    }

    fn respond(&self, body: &RespondToComments) -> Result<ConsultationEvent, DomainError> {
        if body.responses.is_empty() || body.responses.len() > MAX_RESPONSES {
            return Err(DomainError::rule(
                "invalid_responses",
                format!("a batch holds 1 to {MAX_RESPONSES} responses"),
            ));
        }
        for (i, r) in body.responses.iter().enumerate() {
            let comment = self.existing(r.comment)?;
            if body.responses[..i].iter().any(|o| o.comment == r.comment) {
                return Err(DomainError::rule(
                    "duplicate_comment",
                    format!("comment {} is answered twice in this batch", r.comment),
                ));
            }
            if comment.answered {
                return Err(DomainError::state(
                    "already_answered",
                    format!("comment {} already has a response", r.comment),
                ));
            }
            if !POSITIONS.contains(&r.position.as_str()) {
                return Err(DomainError::rule(
                    "invalid_position",
                    format!("a position is one of {}", POSITIONS.join(", ")),
                ));
            }
            require(
                "reasoning_required",
                "reasoning",
                &r.reasoning,
                MAX_TEXT_CHARS,
            )?;
        }
        Ok(ConsultationEvent::CommentsAnswered(body.clone()))
    }

    fn results(&self, body: &PublishResults) -> Result<ConsultationEvent, DomainError> {
        if !self.closed {
            return Err(DomainError::state(
                "consultation_open",
                "results are published after the consultation is closed",
            ));
        }
        if self.results {
            return Err(DomainError::state(
                "results_published",
                "the results are already published",
            ));
        }
        require(
            "synthesis_required",
            "synthesis",
            &body.synthesis,
            MAX_TEXT_CHARS * 4,
        )?;
        if body.recommendations.len() > MAX_RECOMMENDATIONS {
            return Err(DomainError::rule(
                "invalid_recommendations",
                format!("at most {MAX_RECOMMENDATIONS} recommendations"),
            ));
        }
        for (i, r) in body.recommendations.iter().enumerate() {
            AggregateId::parse(&r.id).map_err(|_| {
                DomainError::rule(
                    "invalid_recommendations",
                    format!(
                        "recommendation id {:?} must be 1 to 64 of [A-Za-z0-9._-]",
                        r.id
                    ),
                )
            })?;
            if body.recommendations[..i].iter().any(|o| o.id == r.id) {
                return Err(DomainError::rule(
                    "invalid_recommendations",
                    format!("recommendation {:?} appears twice", r.id),
                ));
            }
            require(
                "invalid_recommendations",
                "a recommendation's text",
                &r.text,
                MAX_TEXT_CHARS,
            )?;
        }
        for d in &body.documents {
            check_sha256(d)?;
        }
        let unanswered: Vec<String> = self
            .comments
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.hidden && !c.answered)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if !unanswered.is_empty() {
            let shown: Vec<&str> = unanswered.iter().take(20).map(String::as_str).collect();
            return Err(DomainError::rule(
                "unanswered_comments",
                format!(
                    "{} visible comment(s) have no response yet: {}{}",
                    unanswered.len(),
                    shown.join(", "),
                    if unanswered.len() > 20 { ", ..." } else { "" }
                ),
            ));
        }
        let count =
            |f: fn(&CommentState) -> bool| self.comments.iter().filter(|c| f(c)).count() as u64;
        Ok(ConsultationEvent::ResultsPublished(ResultsPublished {
            synthesis: body.synthesis.clone(),
            recommendations: body.recommendations.clone(),
            documents: body.documents.clone(),
            comments: self.comments.len() as u64,
            answered: count(|c| c.answered),
            hidden: count(|c| c.hidden),
        }))
    }
}

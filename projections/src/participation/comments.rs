//! One comment as the public sees it: visible with its text, or hidden behind a
//! placeholder naming the moderation ground (never its text); its moderation history,
//! its response, the revisions it motivated; and the counts a consultation publishes
//! (received, hidden, restored, answered...).
//!
//! Nothing here decides whether a text may be shown from anything but the log's own
//! facts: a comment whose latest moderation hid it, or whose document was withheld, has
//! no text, whatever the caller hands in.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::consultation_comments::CONSULTATION_COMMENTS;
use super::{log_ordered, Indexed};
use crate::rows::{self, BadRow};

/// The moderation grounds with their labels, in French and Arabic, for the placeholder
/// a hidden comment shows (the list is the domain's: `docs/consultations.md`).
pub const GROUND_LABELS: [(&str, &str, &str); 5] = [
    ("spam", "Spam", "رسائل مزعجة"),
    ("insult", "Propos injurieux", "إساءة أو سب"),
    (
        "personal_data",
        "Données personnelles d'autrui",
        "معطيات شخصية للغير",
    ),
    ("off_topic", "Hors sujet", "خارج الموضوع"),
    ("illegal_content", "Contenu illicite", "محتوى غير قانوني"),
];

/// A row of the `consultation_comments` view: one comment, as its entries left it. The
/// person reference stays here (it is how names are looked up and erased) and is never
/// shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredComment {
    /// The consultation's id.
    pub consultation: String,
    pub number: u64,
    pub article: Option<String>,
    pub document: String,
    /// `association` or `public`.
    pub channel: String,
    pub association: Option<String>,
    pub person: Option<String>,
    pub recorded_at: String,
    pub index: u64,
    /// Whether its latest moderation hid it.
    pub hidden: bool,
    /// Whether its document was withheld: no longer served, exported or mirrored.
    pub withheld: bool,
    /// Every hide and restore, keyed by the moderation entry's index.
    pub moderation: BTreeMap<String, ModerationAction>,
    pub response: Option<CommentResponse>,
    /// The entries about this comment, `{"<index>": "<type>"}`: its submission, its
    /// moderation, the response that answered it.
    pub entries: BTreeMap<String, String>,
}

impl StoredComment {
    /// A stored row, as read from the store's JSON value.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_value(row: &Value) -> Result<Self, BadRow> {
        rows::read(CONSULTATION_COMMENTS, row)
    }

    /// A stored row, as read from the store's text.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_text(text: &str) -> Result<Self, BadRow> {
        rows::read(
            CONSULTATION_COMMENTS,
            &rows::parse(CONSULTATION_COMMENTS, text)?,
        )
    }
}

/// A hide or restore of a comment, as stored and as shown (moderation is public).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationAction {
    /// `hide` or `restore`.
    pub action: String,
    pub ground: String,
    pub note: String,
    /// The documents the action withheld.
    pub withheld: Vec<String>,
    pub recorded_at: String,
    pub index: u64,
}

impl Indexed for ModerationAction {
    fn index(&self) -> u64 {
        self.index
    }
}

/// The institution's response to a comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentResponse {
    pub position: String,
    pub reasoning: String,
    pub recorded_at: String,
    pub index: u64,
}

/// A revision as a comment or recommendation links to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRef {
    pub draft: String,
    pub revision: u64,
    /// The diff from the revision before; `None` for a first revision.
    pub diff: Option<String>,
}

/// The placeholder a hidden comment shows instead of its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub ground: String,
    pub label: GroundLabel,
    pub hidden_at: String,
    /// The hiding moderation's entry.
    pub index: u64,
}

/// A moderation ground's label in French and Arabic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundLabel {
    pub fr: String,
    pub ar: String,
}

/// `visible` (its text is public) or `hidden`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Visible,
    Hidden,
}

impl Visibility {
    /// The word the JSON, the portal and the CSV show.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visible => "visible",
            Self::Hidden => "hidden",
        }
    }
}

/// The public shape of a comment (`docs/consultations-read-models.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub number: u64,
    pub article: Option<String>,
    pub channel: String,
    pub association: Option<String>,
    /// The public commenter's display name, while it may be shown; never on a hidden one.
    pub author: Option<String>,
    pub submitted_at: String,
    pub index: u64,
    /// The comment's entry, `/v1/log/entries/{index}`.
    pub entry: String,
    pub document: String,
    pub status: Visibility,
    pub withheld: bool,
    /// The text, only when it is public.
    pub text: Option<String>,
    pub placeholder: Option<Placeholder>,
    pub moderation: Vec<ModerationAction>,
    pub response: Option<CommentResponse>,
    pub motivated_revisions: Vec<RevisionRef>,
}

/// The numbers a consultation publishes about its comments.
///
/// `received`: every comment; `visible` and `hidden`: as they stand now; `restored`:
/// hidden once and visible again; `withheld`: whose text was withheld; `answered`: with
/// a response; `unanswered_visible`: visible without a response (what keeps results
/// from being published); `participants`: distinct associations and public commenters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: u64,
    pub visible: u64,
    pub hidden: u64,
    pub restored: u64,
    pub withheld: u64,
    pub answered: u64,
    pub unanswered_visible: u64,
    pub participants: u64,
}

/// Whether the comment is hidden now (its latest moderation hid it).
pub fn is_hidden(comment: &StoredComment) -> bool {
    comment.hidden
}

/// Whether the comment's document was withheld: no longer served, exported or mirrored.
pub fn is_withheld(comment: &StoredComment) -> bool {
    comment.withheld
}

/// Whether the comment's text may be read and published.
pub fn text_is_public(comment: &StoredComment) -> bool {
    !is_hidden(comment) && !is_withheld(comment)
}

/// The (number, document) of each of `comments` whose text may be shown, for the caller
/// to read; hidden and withheld comments' documents are never read.
pub fn public_documents(comments: &[&StoredComment]) -> Vec<(u64, String)> {
    comments
        .iter()
        .filter(|c| text_is_public(c))
        .map(|c| (c.number, c.document.clone()))
        .collect()
}

/// `visible` or `hidden`, as the portal and the CSV show it.
pub fn status(comment: &StoredComment) -> Visibility {
    if text_is_public(comment) {
        Visibility::Visible
    } else {
        Visibility::Hidden
    }
}

/// The comment's moderation actions in log order.
pub fn history(comment: &StoredComment) -> Vec<&ModerationAction> {
    log_ordered(&comment.moderation)
}

/// The action that hid a hidden comment (the latest `hide`), or `None` if it is visible.
pub fn hiding(comment: &StoredComment) -> Option<&ModerationAction> {
    if text_is_public(comment) {
        return None;
    }
    history(comment)
        .into_iter()
        .rev()
        .find(|m| m.action == "hide")
}

/// The ground a hidden comment was hidden on, or `None` if it is visible.
pub fn ground(comment: &StoredComment) -> Option<String> {
    hiding(comment).map(|m| m.ground.clone())
}

/// Whether the comment was hidden once and is visible again.
pub fn is_restored(comment: &StoredComment) -> bool {
    text_is_public(comment) && history(comment).iter().any(|m| m.action == "restore")
}

/// The placeholder of a hidden comment: its ground with the ground's labels.
fn placeholder(hide: &ModerationAction) -> Placeholder {
    let ground = hide.ground.as_str();
    let (fr, ar) = GROUND_LABELS
        .iter()
        .find(|(g, _, _)| *g == ground)
        .map_or((ground, ground), |(_, fr, ar)| (*fr, *ar));
    Placeholder {
        ground: ground.to_owned(),
        label: GroundLabel {
            fr: fr.to_owned(),
            ar: ar.to_owned(),
        },
        hidden_at: hide.recorded_at.clone(),
        index: hide.index,
    }
}

/// The public shape of a comment. `text` is used only if the comment's text is public;
/// `author` is the public commenter's display name where known; `motivated` lists the
/// revisions that cite the comment.
pub fn present(
    comment: &StoredComment,
    text: Option<&str>,
    author: Option<&str>,
    motivated: Vec<RevisionRef>,
) -> Comment {
    let public = text_is_public(comment);
    Comment {
        number: comment.number,
        article: comment.article.clone(),
        channel: comment.channel.clone(),
        association: comment.association.clone(),
        author: author.filter(|_| public).map(str::to_owned),
        submitted_at: comment.recorded_at.clone(),
        index: comment.index,
        entry: format!("/v1/log/entries/{}", comment.index),
        document: comment.document.clone(),
        status: status(comment),
        withheld: is_withheld(comment),
        text: text.filter(|_| public).map(str::to_owned),
        placeholder: hiding(comment).map(placeholder),
        moderation: history(comment).into_iter().cloned().collect(),
        response: comment.response.clone(),
        motivated_revisions: motivated,
    }
}

/// The counts of `comments` (see [`Counts`]).
pub fn counts(comments: &[&StoredComment]) -> Counts {
    let count =
        |f: &dyn Fn(&StoredComment) -> bool| comments.iter().filter(|c| f(c)).count() as u64;
    let answered = |c: &StoredComment| c.response.is_some();
    let participants: BTreeSet<(&str, &str)> = comments
        .iter()
        .filter_map(|c| {
            let who = c.association.as_deref().or(c.person.as_deref())?;
            Some((c.channel.as_str(), who))
        })
        .collect();
    Counts {
        received: comments.len() as u64,
        visible: count(&text_is_public),
        hidden: count(&|c| !text_is_public(c)),
        restored: count(&is_restored),
        withheld: count(&is_withheld),
        answered: count(&answered),
        unanswered_visible: count(&|c| text_is_public(c) && !answered(c)),
        participants: participants.len() as u64,
    }
}

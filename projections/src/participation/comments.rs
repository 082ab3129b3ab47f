//! One comment as the public sees it: visible with its text, or hidden behind a
//! placeholder naming the moderation ground (never its text); its moderation history,
//! its response, the revisions it motivated; and the counts a consultation publishes
//! (received, hidden, restored, answered...).
//!
//! Nothing here decides whether a text may be shown from anything but the log's own
//! facts: a comment whose latest moderation hid it, or whose document was withheld, has
//! no text, whatever the caller hands in.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::by_index;

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

/// Whether the comment is hidden now (its latest moderation hid it).
pub fn is_hidden(comment: &Value) -> bool {
    comment.get("hidden").and_then(Value::as_bool) == Some(true)
}

/// Whether the comment's document was withheld: no longer served, exported or mirrored.
pub fn is_withheld(comment: &Value) -> bool {
    comment.get("withheld").and_then(Value::as_bool) == Some(true)
}

/// Whether the comment's text may be read and published.
pub fn text_is_public(comment: &Value) -> bool {
    !is_hidden(comment) && !is_withheld(comment)
}

/// `visible` or `hidden`, as the portal and the CSV show it.
pub fn status(comment: &Value) -> &'static str {
    if text_is_public(comment) {
        "visible"
    } else {
        "hidden"
    }
}

/// The comment's moderation actions in log order.
pub fn history(comment: &Value) -> Vec<Value> {
    by_index(comment.get("moderation"))
}

/// The action that hid a hidden comment (the latest `hide`), or `None` if it is visible.
pub fn hiding(comment: &Value) -> Option<Value> {
    if text_is_public(comment) {
        return None;
    }
    history(comment)
        .into_iter()
        .rev()
        .find(|m| m.get("action").and_then(Value::as_str) == Some("hide"))
}

/// The ground a hidden comment was hidden on, or `None` if it is visible.
pub fn ground(comment: &Value) -> Option<String> {
    hiding(comment)?
        .get("ground")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether the comment was hidden once and is visible again.
pub fn is_restored(comment: &Value) -> bool {
    text_is_public(comment)
        && history(comment)
            .iter()
            .any(|m| m.get("action").and_then(Value::as_str) == Some("restore"))
}

/// The placeholder of a hidden comment: its ground with the ground's labels.
fn placeholder(hide: &Value) -> Value {
    let ground = hide.get("ground").and_then(Value::as_str).unwrap_or("");
    let (fr, ar) = GROUND_LABELS
        .iter()
        .find(|(g, _, _)| *g == ground)
        .map_or((ground, ground), |(_, fr, ar)| (*fr, *ar));
    json!({
        "ground": ground,
        "label": {"fr": fr, "ar": ar},
        "hidden_at": hide.get("recorded_at"),
        "index": hide.get("index"),
    })
}

/// The public shape of a comment. `text` is used only if the comment's text is public;
/// `author` is the public commenter's display name where known; `motivated` lists the
/// revisions that cite the comment. The person reference stays in the row (it is how
/// names are looked up and erased) and is never shown.
pub fn present(
    comment: &Value,
    text: Option<&str>,
    author: Option<&str>,
    motivated: &[Value],
) -> Value {
    let public = text_is_public(comment);
    let index = comment.get("index").cloned().unwrap_or(Value::Null);
    json!({
        "number": comment.get("number"),
        "article": comment.get("article"),
        "channel": comment.get("channel"),
        "association": comment.get("association"),
        "author": if public { author } else { None },
        "submitted_at": comment.get("recorded_at"),
        "index": index,
        "entry": index.as_u64().map(|i| format!("/v1/log/entries/{i}")),
        "document": comment.get("document"),
        "status": status(comment),
        "withheld": is_withheld(comment),
        "text": if public { text } else { None },
        "placeholder": hiding(comment).map(|h| placeholder(&h)),
        "moderation": history(comment),
        "response": comment.get("response").cloned().unwrap_or(Value::Null),
        "motivated_revisions": motivated,
    })
}

/// The numbers a consultation publishes about its comments.
///
/// `received`: every comment; `visible` and `hidden`: as they stand now; `restored`:
/// hidden once and visible again; `withheld`: whose text was withheld; `answered`: with
/// a response; `unanswered_visible`: visible without a response (what keeps results
/// from being published); `participants`: distinct associations and public commenters.
pub fn counts(comments: &[Value]) -> Value {
    let count = |f: &dyn Fn(&Value) -> bool| comments.iter().filter(|c| f(c)).count();
    let answered = |c: &Value| c.get("response").is_some_and(Value::is_object);
    let participants: BTreeSet<(String, String)> = comments
        .iter()
        .filter_map(|c| {
            let channel = c.get("channel").and_then(Value::as_str)?;
            let who = c
                .get("association")
                .and_then(Value::as_str)
                .or_else(|| c.get("person").and_then(Value::as_str))?;
            Some((channel.to_owned(), who.to_owned()))
        })
        .collect();
    json!({
        "received": comments.len(),
        "visible": count(&text_is_public),
        "hidden": count(&|c| !text_is_public(c)),
        "restored": count(&is_restored),
        "withheld": count(&is_withheld),
        "answered": count(&answered),
        "unanswered_visible": count(&|c| text_is_public(c) && !answered(c)),
        "participants": participants.len(),
    })
}

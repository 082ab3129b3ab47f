//! The `consultations` view: a public consultation on one revision of a draft, its window
//! and status (open, closed, results), every comment keyed by its number with its
//! moderation history and response, the erasures of personal data, the results, and the
//! revisions its comments and recommendations motivated (`/v1/consultations`,
//! `/v1/consultations/{id}`, `/v1/exports/comments.csv`).
//!
//! `status` is stored because lists filter on it in SQL; it only moves forward (open,
//! closed, results) with the consultation's own entries, in log order.

use domain::names::{event, stream};
use std::collections::{BTreeMap, HashMap};

use domain::participation::Article;
use serde_json::{json, Map, Value};

use super::comments;
use crate::support::{by_index, merge, present_record, set, Event};
use crate::ViewChange;

/// View of consultations, by consultation id.
pub const CONSULTATIONS: &str = "consultations";

/// The changes `event` makes to consultation rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::CONSULTATION, event::CONSULTATION_OPENED) => vec![ViewChange::Put {
            view: CONSULTATIONS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "status": "open",
                // The year a consultation is listed under: the year its window opens.
                "year": year_of(e.str("opens_at")),
                "opened_at": e.at,
                "closed_at": null,
                "closed_index": null,
                "comments_at_close": null,
                "results": null,
                "comments": {},
                "erasures": {},
                "motivated_revisions": {},
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        (stream::CONSULTATION, event::COMMENT_SUBMITTED) => {
            let number = e.int("comment");
            vec![
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number.to_string()],
                    json!({
                        "number": number,
                        "article": e.field("article"),
                        "document": e.field("document"),
                        "channel": e.field("channel"),
                        "association": e.field("association"),
                        "person": e.field("person"),
                        "recorded_at": e.at,
                        "index": e.index,
                        "hidden": false,
                        "withheld": false,
                        "moderation": {},
                        "response": null,
                    }),
                ),
                e.note_entry(CONSULTATIONS, e.id),
            ]
        }
        (stream::CONSULTATION, event::COMMENT_MODERATED) => {
            let number = e.int("comment").to_string();
            let withheld = e
                .data
                .get("withheld")
                .and_then(Value::as_array)
                .is_some_and(|w| !w.is_empty());
            let mut changes = vec![
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "moderation", &e.key()],
                    json!({
                        "action": e.field("action"),
                        "ground": e.field("ground"),
                        "note": e.field("note"),
                        "withheld": e.field("withheld"),
                        "recorded_at": e.at,
                        "index": e.index,
                    }),
                ),
                // The current state is the latest action's: entries are applied in log
                // order, so the last one set wins, on replay too.
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "hidden"],
                    json!(e.str("action") == "hide"),
                ),
                e.note_entry(CONSULTATIONS, e.id),
            ];
            // A withheld text stays withheld: the domain refuses to restore it, so the
            // flag is only ever set, never cleared.
            if withheld {
                changes.push(set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "withheld"],
                    json!(true),
                ));
            }
            changes
        }
        (stream::CONSULTATION, event::PERSONAL_DATA_ERASED) => vec![
            set(
                CONSULTATIONS,
                e.id,
                &["erasures", &e.key()],
                json!({
                    "person": e.field("person"),
                    "reason": e.field("reason"),
                    "recorded_at": e.at,
                    "index": e.index,
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, event::CONSULTATION_CLOSED) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "closed",
                    "closed_at": e.at,
                    "closed_index": e.index,
                    "comments_at_close": e.field("comments"),
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, event::COMMENTS_ANSWERED) => {
            let mut changes: Vec<ViewChange> = e
                .data
                .get("responses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    let number = r.get("comment").and_then(Value::as_u64)?;
                    Some(set(
                        CONSULTATIONS,
                        e.id,
                        &["comments", &number.to_string(), "response"],
                        json!({
                            "position": r.get("position"),
                            "reasoning": r.get("reasoning"),
                            "recorded_at": e.at,
                            "index": e.index,
                        }),
                    ))
                })
                .collect();
            changes.push(e.note_entry(CONSULTATIONS, e.id));
            changes
        }
        (stream::CONSULTATION, event::RESULTS_PUBLISHED) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "results",
                    "results": {
                        "synthesis": e.field("synthesis"),
                        "recommendations": e.field("recommendations"),
                        "documents": e.field("documents"),
                        "comments": e.field("comments"),
                        "answered": e.field("answered"),
                        "hidden": e.field("hidden"),
                        "published_at": e.at,
                        "index": e.index,
                    },
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, _) => vec![e.note_entry(CONSULTATIONS, e.id)],
        (stream::DRAFT, event::REVISION_PUBLISHED) => motivated_revision(e),
        _ => Vec::new(),
    }
}

/// A revision motivated by comments or recommendations is noted on each consultation it
/// cites, keyed by revision number, so a comment shows the revisions it led to. The value
/// is computed from the entry alone: replaying it sets the same member again.
fn motivated_revision(e: &Event) -> Vec<ViewChange> {
    let number = e.int("number");
    let mut cited: BTreeMap<&str, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    for m in e
        .data
        .get("motivated_by")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(consultation) = m.get("consultation").and_then(Value::as_str) else {
            continue;
        };
        let (comments, recommendations) = cited.entry(consultation).or_default();
        match (m.get("comment"), m.get("recommendation")) {
            (Some(c), _) if c.is_u64() => comments.push(c.clone()),
            (_, Some(r)) if r.is_string() => recommendations.push(r.clone()),
            _ => {}
        }
    }
    cited
        .into_iter()
        .map(|(consultation, (comments, recommendations))| {
            set(
                CONSULTATIONS,
                consultation,
                &["motivated_revisions", &number.to_string()],
                json!({
                    "draft": e.id,
                    "revision": number,
                    "comments": comments,
                    "recommendations": recommendations,
                    "change_summary": e.field("change_summary"),
                    "recorded_at": e.at,
                    "index": e.index,
                    "diff": diff_link(e.id, u64::try_from(number).unwrap_or(0)),
                }),
            )
        })
        .collect()
}

/// The link to the changes a revision made: the diff from the revision before it;
/// `null` for the first revision, which changed nothing.
pub fn diff_link(draft: &str, number: u64) -> Value {
    if number < 2 {
        return Value::Null;
    }
    json!(format!(
        "/v1/drafts/{draft}/diff?from={}&to={number}",
        number - 1
    ))
}

/// The year of an instant written `YYYY-...`, or `null`.
fn year_of(instant: &str) -> Value {
    instant
        .get(..4)
        .and_then(|y| y.parse::<i64>().ok())
        .map_or(Value::Null, |y| json!(y))
}

/// What the HTTP layer read for one consultation's page: the consulted revision's
/// articles and the public comments' texts and authors, by comment number.
#[derive(Clone, Copy, Debug)]
pub struct Material<'a> {
    /// The draft's row, for its title and institution.
    pub draft: Option<&'a Value>,
    /// The consulted revision's articles; `None` when they could not be read (the page
    /// then lists the article ids the consultation recorded, without their text).
    pub articles: Option<&'a [Article]>,
    /// Texts of the comments whose text is public ([`comments::text_is_public`]).
    pub texts: &'a HashMap<u64, String>,
    /// Display names of public commenters, where known and not erased.
    pub authors: &'a HashMap<u64, String>,
}

/// The comments of a row, in number order.
pub fn comment_rows(row: &Value) -> Vec<Value> {
    let mut list = by_index(row.get("comments"));
    list.sort_by_key(|c| c.get("number").and_then(Value::as_u64).unwrap_or(0));
    list
}

/// The (number, document) of every comment whose text may be shown, for the HTTP layer
/// to read; hidden and withheld comments' documents are never read.
pub fn public_documents(row: &Value) -> Vec<(u64, String)> {
    comment_rows(row)
        .iter()
        .filter(|c| comments::text_is_public(c))
        .filter_map(|c| {
            Some((
                c.get("number")?.as_u64()?,
                c.get("document")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The (number, person reference) of every public comment whose author has not been
/// erased: the only ones whose name may be looked up.
pub fn persons_to_name(row: &Value) -> Vec<(u64, String)> {
    let erased: Vec<&str> = row
        .get("erasures")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|e| e.get("person").and_then(Value::as_str))
        .collect();
    comment_rows(row)
        .iter()
        .filter_map(|c| {
            let person = c.get("person")?.as_str()?;
            let number = c.get("number")?.as_u64()?;
            (!erased.contains(&person)).then(|| (number, person.to_owned()))
        })
        .collect()
}

/// The short form of a consultation in a list: identity, window, status, the draft's
/// title, the counts and the results' synthesis; without the comments.
pub fn summary(row: &Value, draft: Option<&Value>) -> Value {
    let mut out = present_record(row);
    identity(&mut out, row, draft);
    for member in [
        "comments",
        "erasures",
        "motivated_revisions",
        "entries",
        "results",
    ] {
        out.remove(member);
    }
    out.insert(
        "results".into(),
        row.get("results")
            .filter(|r| r.is_object())
            .map_or(Value::Null, |r| {
                json!({
                    "synthesis": r.get("synthesis"),
                    "recommendations_count": r.get("recommendations").and_then(Value::as_array).map_or(0, Vec::len),
                    "published_at": r.get("published_at"),
                })
            }),
    );
    Value::Object(out)
}

/// The members every shape of a consultation shares: links, the draft's title, counts.
fn identity(out: &mut Map<String, Value>, row: &Value, draft: Option<&Value>) {
    let draft_id = row.get("draft").and_then(Value::as_str).unwrap_or("");
    out.insert(
        "draft_title".into(),
        draft
            .and_then(|d| d.get("title"))
            .cloned()
            .unwrap_or(Value::Null),
    );
    out.insert("draft_link".into(), json!(format!("/v1/drafts/{draft_id}")));
    out.insert("comments_export".into(), json!("/v1/exports/comments.csv"));
    out.insert("counts".into(), comments::counts(&comment_rows(row)));
}

/// The comments a page of a consultation shows: in number order, only those on `article`
/// when given (the empty string: those on the whole text), the `page`th run (from 1) of
/// `per_page`; and how many there are in all (with `article`'s filter).
pub fn comment_page(
    row: &Value,
    article: Option<&str>,
    page: u64,
    per_page: u64,
) -> (Vec<Value>, u64) {
    let chosen: Vec<Value> = comment_rows(row)
        .into_iter()
        .filter(|c| match article {
            None => true,
            Some("") => c.get("article").is_none_or(Value::is_null),
            Some(a) => c.get("article").and_then(Value::as_str) == Some(a),
        })
        .collect();
    let total = chosen.len() as u64;
    let skip =
        usize::try_from(page.saturating_sub(1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    (chosen.into_iter().skip(skip).take(take).collect(), total)
}

/// `row` with only the comments numbered in `numbers`, for [`present`] to show one page
/// of them; the counts are still those of every comment.
pub fn present_some(row: &Value, numbers: &[u64], m: &Material) -> Value {
    let numbers: std::collections::BTreeSet<u64> = numbers.iter().copied().collect();
    let mut some = row.clone();
    if let Some(Value::Object(all)) = some.get_mut("comments") {
        all.retain(|_, c| {
            c.get("number")
                .and_then(Value::as_u64)
                .is_some_and(|n| numbers.contains(&n))
        });
    }
    let mut out = present(&some, m);
    if let Value::Object(out) = &mut out {
        out.insert("counts".into(), comments::counts(&comment_rows(row)));
    }
    out
}

/// The comments `page` (rows from [`comment_page`]) as every comment is shown: text or
/// placeholder, author, moderation, response and the revisions it motivated.
pub fn present_comments(row: &Value, page: &[Value], m: &Material) -> Vec<Value> {
    let motivated = by_index(row.get("motivated_revisions"));
    page.iter()
        .map(|c| {
            let number = c.get("number").and_then(Value::as_u64).unwrap_or(0);
            comments::present(
                c,
                m.texts.get(&number).map(String::as_str),
                m.authors.get(&number).map(String::as_str),
                &motivated_by_comment(&motivated, number),
            )
        })
        .collect()
}

/// The public page of a consultation: the consulted revision article by article, each
/// with its comments, then the comments on the whole text; every comment with its text
/// (or, hidden, a placeholder with the ground), its moderation history and response; the
/// results with each recommendation and the revisions it motivated; the counts.
pub fn present(row: &Value, m: &Material) -> Value {
    let id = row.get("id").and_then(Value::as_str).unwrap_or("");
    let mut out = present_record(row);
    identity(&mut out, row, m.draft);
    let motivated = by_index(row.get("motivated_revisions"));
    let shown: Vec<Value> = comment_rows(row)
        .iter()
        .map(|c| {
            let number = c.get("number").and_then(Value::as_u64).unwrap_or(0);
            comments::present(
                c,
                m.texts.get(&number).map(String::as_str),
                m.authors.get(&number).map(String::as_str),
                &motivated_by_comment(&motivated, number),
            )
        })
        .collect();
    let on = |article: Option<&str>| -> Vec<Value> {
        shown
            .iter()
            .filter(|c| c.get("article").and_then(Value::as_str) == article)
            .cloned()
            .collect()
    };

    // The consulted text as recorded; without it, the article ids the consultation named.
    let articles: Vec<Value> = match m.articles {
        Some(articles) => articles
            .iter()
            .map(|a| json!({"id": a.id, "heading": a.heading, "text": a.text, "comments": on(Some(&a.id))}))
            .collect(),
        None => row
            .get("article_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|a| json!({"id": a, "heading": null, "text": null, "comments": on(Some(a))}))
            .collect(),
    };
    // A comment on an article the text does not hold cannot happen (the domain checks),
    // but if a row ever says so the comment is still listed rather than lost.
    let known: Vec<&str> = articles
        .iter()
        .filter_map(|a| a.get("id").and_then(Value::as_str))
        .collect();
    let elsewhere: Vec<Value> = shown
        .iter()
        .filter(|c| {
            c.get("article")
                .and_then(Value::as_str)
                .is_some_and(|a| !known.contains(&a))
        })
        .cloned()
        .collect();
    let mut whole_text = on(None);
    whole_text.extend(elsewhere);

    out.insert(
        "consulted_revision".into(),
        json!({
            "number": row.get("revision"),
            "link": format!("/v1/drafts/{}", row.get("draft").and_then(Value::as_str).unwrap_or("")),
            "text_available": m.articles.is_some(),
        }),
    );
    out.insert("articles".into(), Value::Array(articles));
    out.insert("text_comments".into(), Value::Array(whole_text));
    out.insert(
        "results".into(),
        present_results(row.get("results"), &motivated),
    );
    out.insert(
        "motivated_revisions".into(),
        Value::Array(
            motivated
                .iter()
                .map(|r| {
                    json!({
                        "draft": r.get("draft"), "revision": r.get("revision"),
                        "comments": r.get("comments"), "recommendations": r.get("recommendations"),
                        "change_summary": r.get("change_summary"),
                        "recorded_at": r.get("recorded_at"), "index": r.get("index"),
                        "diff": r.get("diff"),
                    })
                })
                .collect(),
        ),
    );
    // An erasure is public (it is an entry), the person it names is not repeated here.
    out.insert(
        "erasures".into(),
        Value::Array(
            by_index(row.get("erasures"))
                .iter()
                .map(|e| json!({"reason": e.get("reason"), "recorded_at": e.get("recorded_at"), "index": e.get("index")}))
                .collect(),
        ),
    );
    out.remove("comments");
    out.insert("id".into(), json!(id));
    Value::Object(out)
}

/// The results with each recommendation's motivated revisions, or `null` before them.
fn present_results(results: Option<&Value>, motivated: &[Value]) -> Value {
    let Some(results) = results.filter(|r| r.is_object()) else {
        return Value::Null;
    };
    let recommendations: Vec<Value> = results
        .get("recommendations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let id = r.get("id").and_then(Value::as_str).unwrap_or("");
            let revisions: Vec<Value> = motivated
                .iter()
                .filter(|m| {
                    m.get("recommendations")
                        .and_then(Value::as_array)
                        .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(id)))
                })
                .map(revision_ref)
                .collect();
            json!({"id": id, "text": r.get("text"), "motivated_revisions": revisions})
        })
        .collect();
    json!({
        "synthesis": results.get("synthesis"),
        "recommendations": recommendations,
        "documents": results.get("documents"),
        "at_publication": {
            "comments": results.get("comments"),
            "answered": results.get("answered"),
            "hidden": results.get("hidden"),
        },
        "published_at": results.get("published_at"),
        "index": results.get("index"),
    })
}

/// The revisions among `motivated` that cite comment `number`.
fn motivated_by_comment(motivated: &[Value], number: u64) -> Vec<Value> {
    motivated
        .iter()
        .filter(|m| {
            m.get("comments")
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|x| x.as_u64() == Some(number)))
        })
        .map(revision_ref)
        .collect()
}

/// A revision as a comment or recommendation links to it.
fn revision_ref(m: &Value) -> Value {
    json!({"draft": m.get("draft"), "revision": m.get("revision"), "diff": m.get("diff")})
}

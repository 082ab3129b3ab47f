//! The diff between two revisions of a draft (`/v1/drafts/{id}/diff?from=A&to=B`):
//! article by article (matched by article id: added, removed, changed, unchanged), with
//! word-level changes inside a changed article, and each change linked to the comments
//! and recommendations that motivated the revisions after A up to B.
//!
//! Linking: a revision names what motivated it as a whole (`motivated_by`), not per
//! article. A comment on one article is linked to that article's change (`scope`
//! `article`); a comment on the whole text and a recommendation are linked to every
//! change of the diff (`scope` `text`). A motivation whose article did not change stays
//! in the diff's overall list only.
//!
//! Pure: the HTTP layer reads the revisions' articles and the commented articles, and
//! hands them in.

use std::collections::HashMap;
use std::time::Duration;

use domain::participation::Article;
use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, TextDiff};

use super::draft_view::StoredRevision;

/// The longest a word-level diff of one article may search for the smallest change.
const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// One side of a diff: a revision as the `drafts` view holds it, and its articles.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub revision: &'a StoredRevision,
    pub articles: &'a [Article],
}

/// A comment or recommendation cited by a revision, resolved to what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Motivation {
    pub consultation: String,
    pub comment: Option<u64>,
    pub recommendation: Option<String>,
    /// The revision that cites it.
    pub revision: u64,
    /// The article the comment was about; `None` for the whole text or a recommendation.
    pub article: Option<String>,
}

/// What a motivation is linked to: the change of the article its comment was about, or
/// every change (a comment on the whole text, a recommendation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Article,
    Text,
}

/// A motivation as the diff shows it, with the link to its consultation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotivationLink {
    pub consultation: String,
    pub comment: Option<u64>,
    pub recommendation: Option<String>,
    pub revision: u64,
    pub article: Option<String>,
    pub scope: Scope,
    /// `/v1/consultations/{id}`.
    pub link: String,
}

impl Motivation {
    fn link(&self, scope: Scope) -> MotivationLink {
        MotivationLink {
            consultation: self.consultation.clone(),
            comment: self.comment,
            recommendation: self.recommendation.clone(),
            revision: self.revision,
            article: self.article.clone(),
            scope,
            link: format!("/v1/consultations/{}", self.consultation),
        }
    }
}

/// A revision at one end of the diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSide {
    pub number: u64,
    pub text_sha256: String,
    pub recorded_at: String,
    pub index: u64,
}

/// How many articles each kind of change touched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSummary {
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// A revision after A up to B: its change summary and what motivated it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRevision {
    pub number: u64,
    pub change_summary: String,
    pub motivated_by: Vec<MotivationLink>,
}

/// What happened to an article between A and B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Change {
    /// The word the JSON shows, and the portal's CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
            Self::Unchanged => "unchanged",
        }
    }
}

/// A run of words: unchanged (`equal`), deleted from A or inserted in B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// One run of words of a word-level diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub op: Op,
    pub text: String,
}

/// One article of the diff. Which members it has depends on its change: an unchanged
/// article has only `id`, `change` and `heading`; an added or removed one its `text` and
/// `motivated_by`; a changed one its previous heading, what changed and the word runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleChange {
    pub id: String,
    pub change: Change,
    pub heading: String,
    /// Added or removed: the whole text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_heading: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_changed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_changed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_words: Option<Vec<Segment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<Segment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motivated_by: Option<Vec<MotivationLink>>,
}

/// The diff of a draft from revision A to revision B (`/v1/drafts/{id}/diff`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftDiff {
    pub draft: String,
    pub from: DiffSide,
    pub to: DiffSide,
    pub summary: DiffSummary,
    pub revisions: Vec<DiffRevision>,
    pub motivated_by: Vec<MotivationLink>,
    pub articles: Vec<ArticleChange>,
}

/// The motivations of `revisions` (the revisions after A up to B, as the `drafts` view
/// holds them), each comment resolved to its article through `comment_articles`
/// (`(consultation, comment number)` → article id, for comments on an article).
pub fn motivations(
    revisions: &[&StoredRevision],
    comment_articles: &HashMap<(String, u64), String>,
) -> Vec<Motivation> {
    let mut out = Vec::new();
    for revision in revisions {
        for m in &revision.motivated_by {
            let article = m
                .comment
                .and_then(|n| comment_articles.get(&(m.consultation.clone(), n)).cloned());
            out.push(Motivation {
                consultation: m.consultation.clone(),
                comment: m.comment,
                recommendation: m.recommendation.clone(),
                revision: revision.number,
                article,
            });
        }
    }
    out
}

/// The whole diff document of draft `draft` from `from` to `to`; `between` are the
/// revisions after `from` up to `to`, in order (their change summaries and motivations).
pub fn present(
    draft: &str,
    from: Side,
    to: Side,
    between: &[&StoredRevision],
    motivations: &[Motivation],
) -> DraftDiff {
    let side = |s: Side| DiffSide {
        number: s.revision.number,
        text_sha256: s.revision.text_sha256.clone(),
        recorded_at: s.revision.recorded_at.clone(),
        index: s.revision.index,
    };
    let revisions: Vec<DiffRevision> = between
        .iter()
        .map(|r| DiffRevision {
            number: r.number,
            change_summary: r.change_summary.clone(),
            motivated_by: motivations
                .iter()
                .filter(|m| m.revision == r.number)
                .map(|m| m.link(scope(m)))
                .collect(),
        })
        .collect();
    let articles = articles(from.articles, to.articles, motivations);
    let count = |change: Change| articles.iter().filter(|a| a.change == change).count() as u64;
    DraftDiff {
        draft: draft.to_owned(),
        from: side(from),
        to: side(to),
        summary: DiffSummary {
            added: count(Change::Added),
            removed: count(Change::Removed),
            changed: count(Change::Changed),
            unchanged: count(Change::Unchanged),
        },
        revisions,
        motivated_by: motivations.iter().map(|m| m.link(scope(m))).collect(),
        articles,
    }
}

fn scope(m: &Motivation) -> Scope {
    if m.article.is_some() {
        Scope::Article
    } else {
        Scope::Text
    }
}

/// The motivations linked to a change of article `id`: those about it first, then those
/// about the whole text.
fn linked(id: &str, motivations: &[Motivation]) -> Vec<MotivationLink> {
    let about = motivations
        .iter()
        .filter(|m| m.article.as_deref() == Some(id))
        .map(|m| m.link(Scope::Article));
    let whole = motivations
        .iter()
        .filter(|m| m.article.is_none())
        .map(|m| m.link(Scope::Text));
    about.chain(whole).collect()
}

/// An article of the diff with only the members every change has.
fn change_of(article: &Article, change: Change) -> ArticleChange {
    ArticleChange {
        id: article.id.clone(),
        change,
        heading: article.heading.clone(),
        text: None,
        previous_heading: None,
        heading_changed: None,
        text_changed: None,
        heading_words: None,
        words: None,
        motivated_by: None,
    }
}

/// Article by article, in B's order, each removed article placed after the article that
/// preceded it in A (or first).
pub fn articles(
    from: &[Article],
    to: &[Article],
    motivations: &[Motivation],
) -> Vec<ArticleChange> {
    let old: HashMap<&str, &Article> = from.iter().map(|a| (a.id.as_str(), a)).collect();
    let survives = |id: &str| to.iter().any(|a| a.id == id);

    // Each removed article, keyed by the surviving article before it in A.
    let mut removed_after: HashMap<Option<&str>, Vec<&Article>> = HashMap::new();
    let mut anchor: Option<&str> = None;
    for a in from {
        if survives(&a.id) {
            anchor = Some(&a.id);
        } else {
            removed_after.entry(anchor).or_default().push(a);
        }
    }
    let whole = |a: &Article, change: Change| ArticleChange {
        text: Some(a.text.clone()),
        motivated_by: Some(linked(&a.id, motivations)),
        ..change_of(a, change)
    };

    let mut out: Vec<ArticleChange> = removed_after
        .get(&None)
        .into_iter()
        .flatten()
        .map(|a| whole(a, Change::Removed))
        .collect();
    for b in to {
        out.push(match old.get(b.id.as_str()) {
            None => whole(b, Change::Added),
            Some(a) if a.heading == b.heading && a.text == b.text => {
                change_of(b, Change::Unchanged)
            }
            Some(a) => ArticleChange {
                previous_heading: Some(a.heading.clone()),
                heading_changed: Some(a.heading != b.heading),
                text_changed: Some(a.text != b.text),
                heading_words: Some(words(&a.heading, &b.heading)),
                words: Some(words(&a.text, &b.text)),
                motivated_by: Some(linked(&b.id, motivations)),
                ..change_of(b, Change::Changed)
            },
        });
        out.extend(
            removed_after
                .get(&Some(b.id.as_str()))
                .into_iter()
                .flatten()
                .map(|a| whole(a, Change::Removed)),
        );
    }
    out
}

/// The word-level changes from `old` to `new` as segments `{"op": "equal" | "delete" |
/// "insert", "text"}`: the `equal` and `delete` segments spell `old`, the `equal` and
/// `insert` ones spell `new`.
///
/// A run of replaced words separated by unchanged spaces is shown as one deletion and one
/// insertion ("quinze jours" → "trente jours ouvrables"), not word against word, which a
/// reader cannot follow.
pub fn words(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        // An article may hold 100,000 characters: past this, the diff is still exact
        // (both texts are spelled) but less minimal, rather than holding a request.
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_words(old, new);
    let tokens: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.value()))
        .collect();
    let blank = |t: &str| t.trim().is_empty();

    let mut segments: Vec<Segment> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].0 == ChangeTag::Equal {
            push(&mut segments, Op::Equal, tokens[i].1);
            i += 1;
            continue;
        }
        // The run: changed tokens, and unchanged blanks that lie between changed tokens.
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < tokens.len() {
            if tokens[j].0 != ChangeTag::Equal {
                j += 1;
                end = j;
            } else if blank(tokens[j].1) {
                j += 1;
            } else {
                break;
            }
        }
        let run = &tokens[start..end];
        let deletes = run.iter().any(|(t, _)| *t == ChangeTag::Delete);
        let inserts = run.iter().any(|(t, _)| *t == ChangeTag::Insert);
        if deletes && inserts {
            // A replacement: the blanks inside it belong to both sides.
            let side = |tag: ChangeTag| -> String {
                run.iter()
                    .filter(|(t, _)| *t == tag || *t == ChangeTag::Equal)
                    .map(|(_, s)| *s)
                    .collect()
            };
            push(&mut segments, Op::Delete, &side(ChangeTag::Delete));
            push(&mut segments, Op::Insert, &side(ChangeTag::Insert));
        } else {
            for (tag, text) in run {
                let op = match tag {
                    ChangeTag::Delete => Op::Delete,
                    ChangeTag::Insert => Op::Insert,
                    ChangeTag::Equal => Op::Equal,
                };
                push(&mut segments, op, text);
            }
        }
        i = end;
    }
    segments
}

/// Appends `text` to the last segment if it has the same `op`, else starts a segment.
fn push(segments: &mut Vec<Segment>, op: Op, text: &str) {
    if text.is_empty() {
        return;
    }
    match segments.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => segments.push(Segment {
            op,
            text: text.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The segments as the JSON answer shows them.
    fn words_json(old: &str, new: &str) -> Vec<Value> {
        words(old, new)
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect()
    }

    /// The articles as the JSON answer shows them.
    fn articles_json(from: &[Article], to: &[Article], motivations: &[Motivation]) -> Vec<Value> {
        articles(from, to, motivations)
            .iter()
            .map(|a| serde_json::to_value(a).unwrap())
            .collect()
    }

    fn revision(value: Value) -> StoredRevision {
        serde_json::from_value(value).unwrap()
    }

    fn article(id: &str, heading: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            heading: heading.into(),
            text: text.into(),
        }
    }

    /// The two texts the segments spell.
    fn spelled(segments: &[Value]) -> (String, String) {
        let (mut old, mut new) = (String::new(), String::new());
        for s in segments {
            let text = s["text"].as_str().unwrap();
            match s["op"].as_str().unwrap() {
                "equal" => {
                    old.push_str(text);
                    new.push_str(text);
                }
                "delete" => old.push_str(text),
                "insert" => new.push_str(text),
                op => panic!("unknown op {op}"),
            }
        }
        (old, new)
    }

    #[test]
    fn only_the_words_that_changed_are_marked() {
        let old = "Le délai est de quinze jours à compter de la publication.";
        let new = "Le délai est de trente jours ouvrables à compter de la publication.";
        let segments = words_json(old, new);
        assert_eq!(spelled(&segments), (old.to_owned(), new.to_owned()));
        let changes: Vec<(&str, &str)> = segments
            .iter()
            .filter(|s| s["op"] != "equal")
            .map(|s| (s["op"].as_str().unwrap(), s["text"].as_str().unwrap()))
            .collect();
        // However the tokens align, the words that went and came are all there.
        let deleted: String = changes
            .iter()
            .filter(|c| c.0 == "delete")
            .map(|c| c.1)
            .collect();
        let inserted: String = changes
            .iter()
            .filter(|c| c.0 == "insert")
            .map(|c| c.1)
            .collect();
        assert_eq!(deleted.trim(), "quinze", "{segments:?}");
        assert!(
            inserted.contains("trente")
                && inserted.contains("ouvrables")
                && !inserted.contains("jours"),
            "{segments:?}"
        );
    }

    #[test]
    fn a_replaced_phrase_is_one_deletion_and_one_insertion() {
        let segments = words_json("un délai de quinze jours", "un délai de trente semaines");
        let changes: Vec<(&str, &str)> = segments
            .iter()
            .filter(|s| s["op"] != "equal")
            .map(|s| (s["op"].as_str().unwrap(), s["text"].as_str().unwrap()))
            .collect();
        assert_eq!(
            changes,
            [("delete", "quinze jours"), ("insert", "trente semaines")]
        );
    }

    #[test]
    fn words_spell_both_texts_in_every_case() {
        let cases = [
            ("", "Texte nouveau."),
            ("Texte ancien.", ""),
            ("a b c d", "a d"),
            ("a b c", "a B C"),
            ("same", "same"),
            (
                "يحدد هذا القانون شروط التشاور",
                "يحدد هذا القانون كيفيات وشروط التشاور العمومي",
            ),
            ("x  y\n\nz", "x y\nz w"),
        ];
        for (old, new) in cases {
            let segments = words_json(old, new);
            assert_eq!(
                spelled(&segments),
                (old.to_owned(), new.to_owned()),
                "{old:?} → {new:?}"
            );
            // No empty segment and no two neighbours with the same op.
            for pair in segments.windows(2) {
                assert_ne!(pair[0]["op"], pair[1]["op"], "{segments:?}");
            }
            assert!(segments.iter().all(|s| s["text"] != ""));
        }
        assert_eq!(
            words_json("same", "same"),
            vec![json!({"op": "equal", "text": "same"})]
        );
    }

    fn motivation(
        comment: Option<u64>,
        recommendation: Option<&str>,
        article: Option<&str>,
    ) -> Motivation {
        Motivation {
            consultation: "C1".into(),
            comment,
            recommendation: recommendation.map(str::to_owned),
            revision: 2,
            article: article.map(str::to_owned),
        }
    }

    #[test]
    fn articles_are_added_removed_changed_or_unchanged_in_order() {
        let from = [
            article("1", "Objet", "La présente loi fixe les règles."),
            article("2", "Définitions", "Au sens de la présente loi."),
            article("3", "Délais", "Le délai est de quinze jours."),
            article(
                "4",
                "Abrogation",
                "Sont abrogées les dispositions contraires.",
            ),
        ];
        let to = [
            article("1", "Objet", "La présente loi fixe les règles."),
            article(
                "3",
                "Délais de consultation",
                "Le délai est de trente jours.",
            ),
            article("3bis", "Registre", "Un registre public est tenu."),
            article(
                "4",
                "Abrogation",
                "Sont abrogées les dispositions contraires.",
            ),
        ];
        let motivations = [
            motivation(Some(3), None, Some("3")),
            motivation(Some(5), None, None),
            motivation(None, Some("R-1"), None),
            motivation(Some(7), None, Some("1")),
        ];
        let out = articles_json(&from, &to, &motivations);
        let shape: Vec<(&str, &str)> = out
            .iter()
            .map(|a| (a["id"].as_str().unwrap(), a["change"].as_str().unwrap()))
            .collect();
        // Article 2 was removed where it stood: after article 1.
        assert_eq!(
            shape,
            [
                ("1", "unchanged"),
                ("2", "removed"),
                ("3", "changed"),
                ("3bis", "added"),
                ("4", "unchanged")
            ]
        );
        let changed = &out[2];
        assert_eq!(changed["heading_changed"], true);
        assert_eq!(changed["text_changed"], true);
        assert_eq!(changed["previous_heading"], "Délais");
        assert_eq!(
            spelled(changed["words"].as_array().unwrap()),
            (
                "Le délai est de quinze jours.".into(),
                "Le délai est de trente jours.".into()
            )
        );
        // The comment on article 3 comes first, then what was about the whole text.
        let links: Vec<(Value, Value, &str)> = changed["motivated_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["comment"].clone(),
                    m["recommendation"].clone(),
                    m["scope"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                (json!(3), Value::Null, "article"),
                (json!(5), Value::Null, "text"),
                (Value::Null, json!("R-1"), "text"),
            ]
        );
        assert_eq!(changed["motivated_by"][0]["link"], "/v1/consultations/C1");
        // The comment on article 1 is not linked to a change: article 1 did not change.
        assert!(out[0].get("motivated_by").is_none());
        assert_eq!(out[3]["text"], "Un registre public est tenu.");
        assert_eq!(out[3]["motivated_by"].as_array().unwrap().len(), 2);
        assert_eq!(out[1]["text"], "Au sens de la présente loi.");
    }

    #[test]
    fn removed_first_articles_come_first() {
        let out = articles_json(
            &[article("a", "A", "x"), article("b", "B", "y")],
            &[article("b", "B", "y")],
            &[],
        );
        assert_eq!(out[0]["id"], "a");
        assert_eq!(out[0]["change"], "removed");
        assert_eq!(out[0]["motivated_by"], json!([]));
        assert_eq!(out[1]["change"], "unchanged");
    }

    #[test]
    fn motivations_resolve_comments_to_their_articles_and_the_document_counts_changes() {
        let r2 = revision(
            json!({"number": 2, "change_summary": "Délais allongés", "text_sha256": "b",
            "articles": null, "articles_document": "b", "article_ids": ["1", "2"],
            "recorded_at": "2026-03-03T09:00:00.000Z", "index": 3,
            "motivated_by": [{"consultation": "C1", "comment": 3, "recommendation": null},
                             {"consultation": "C1", "comment": null, "recommendation": "R-1"}]}),
        );
        let r1 = revision(
            json!({"number": 1, "text_sha256": "a", "change_summary": "",
            "articles": null, "articles_document": "a", "article_ids": ["1"],
            "recorded_at": "2026-03-02T09:00:00.000Z", "index": 2, "motivated_by": []}),
        );
        let mut commented = HashMap::new();
        commented.insert(("C1".to_owned(), 3), "1".to_owned());
        let ms = motivations(&[&r2], &commented);
        assert_eq!(ms[0].article.as_deref(), Some("1"));
        assert_eq!(ms[1].article, None);
        let from = [article("1", "Objet", "Ancien texte.")];
        let to = [
            article("1", "Objet", "Nouveau texte."),
            article("2", "Suite", "Plus."),
        ];
        let doc = serde_json::to_value(present(
            "D1",
            Side {
                revision: &r1,
                articles: &from,
            },
            Side {
                revision: &r2,
                articles: &to,
            },
            &[&r2],
            &ms,
        ))
        .unwrap();
        assert_eq!(
            doc["summary"],
            json!({"added": 1, "removed": 0, "changed": 1, "unchanged": 0})
        );
        assert_eq!(doc["from"]["text_sha256"], "a");
        assert_eq!(doc["to"]["number"], 2);
        assert_eq!(doc["revisions"][0]["change_summary"], "Délais allongés");
        assert_eq!(
            doc["revisions"][0]["motivated_by"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(doc["motivated_by"][0]["scope"], "article");
        // Article 2 is new: linked to the recommendation only, not to the comment on 1.
        assert_eq!(
            doc["articles"][1]["motivated_by"].as_array().unwrap().len(),
            1
        );
        assert_eq!(
            doc["articles"][1]["motivated_by"][0]["recommendation"],
            "R-1"
        );
    }
}

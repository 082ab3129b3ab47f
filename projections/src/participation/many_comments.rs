//! A consultation with 2,000 comments replayed through the runner's apply function: the
//! public page of its notable comments (moderated, answered, withheld, erased) and the
//! counts and entries of all of them are those recorded in
//! `projections/tests/data/participation/many_comments.json`.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value;

use super::comments::{self, StoredComment};
use super::consultation_view::{self, ConsultationRow, Material};
use super::consultations::CONSULTATIONS;
use super::scenario::{comments_of, many_comments, NOTABLE};
use super::ParticipationProjector;
use crate::support::scenario::{project, row};

const COMMENTS: u64 = 2_000;

fn golden() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/participation/many_comments.json")
}

/// Every comment's text, as the HTTP layer would read them (the presentation must still
/// refuse the hidden ones).
fn texts() -> HashMap<u64, String> {
    (1..=COMMENTS).map(|n| (n, format!("Texte {n}."))).collect()
}

#[test]
fn the_public_page_of_many_comments_is_the_recorded_one() {
    let rows = project(&ParticipationProjector, &many_comments(COMMENTS));
    let c1 = ConsultationRow::from_value(row(&rows, CONSULTATIONS, "C1")).unwrap();
    let comments = comments_of(&rows, "C1");
    let all: Vec<&StoredComment> = comments.iter().collect();
    assert_eq!(all.len() as u64, COMMENTS);
    let shown: Vec<&StoredComment> = all
        .iter()
        .copied()
        .filter(|c| NOTABLE.contains(&c.number))
        .collect();
    let texts = texts();
    let authors: HashMap<u64, String> = c1
        .persons_to_name(&shown)
        .into_iter()
        .map(|(n, p)| (n, format!("Nom de {p}")))
        .collect();
    let page = consultation_view::present_some(
        &c1,
        comments::counts(&all),
        &shown,
        &Material {
            draft_title: Some("Projet"),
            articles: None,
            texts: &texts,
            authors: &authors,
        },
    );
    let answer = serde_json::to_value(&page).unwrap();
    if std::env::var_os("SIJILL_WRITE_GOLDEN").is_some() {
        std::fs::write(golden(), serde_json::to_string(&answer).unwrap() + "\n").unwrap();
    }
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(golden()).unwrap()).unwrap();
    assert_eq!(answer, recorded);
}

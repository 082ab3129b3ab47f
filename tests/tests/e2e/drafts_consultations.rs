//! A law draft from its first revision to its submission for approval, with a public
//! consultation in between, entirely through signed statements with real keys
//! (`docs/consultations.md`): an inline revision and one whose text is an
//! uploaded document, an association's comments on an article and on the whole text,
//! moderation that hides, restores and withholds without deleting, the close, the
//! responses, the results with their counts, a revision motivated by a comment and a
//! recommendation, the submission, and a last revision refused.
//!
//! Every 201 is checked against the log itself: the entry's type and stream, its `data`
//! holding the body unchanged, and the members the domain adds (comment numbers, article
//! ids, documents, withheld texts, counts). The export of the finished log verifies
//! offline, a withheld comment text included.

use serde_json::{json, Value};

use crate::lifecycle::{Ledger, AFTER_CLOSE, CLOSES_AT, IN_WINDOW, MINISTRY, OPENS_AT, RABAT};
use crate::participation::{
    canonical_articles, comment, consultation_body, consultation_stream, document_revision,
    draft_body, draft_stream, first_text, inline_revision, moderation, responses, results_body,
    second_text, text_sha256, third_text, upload, Participants, CONSULTATION, DRAFT,
};
use crate::support::Backend;

both_backends!(a_draft_goes_through_consultation_to_submission);

async fn a_draft_goes_through_consultation_to_submission(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let draft = draft_stream(DRAFT);
    let consultation = consultation_stream(CONSULTATION);

    // --- The draft and its first revision, inline ---
    let (created, data) = ledger
        .accept(
            &p.drafter,
            "CreateDraft",
            &draft,
            draft_body(MINISTRY),
            "DraftCreated",
        )
        .await;
    assert_eq!(
        data,
        draft_body(MINISTRY),
        "DraftCreated's data is the body"
    );

    let first = first_text();
    // The text hash is SHA-256 of the canonical JSON of the articles: computed here
    // independently of the domain's function, so both must agree with the contract.
    assert_eq!(
        text_sha256(&first),
        ledger::hash::to_hex(&ledger::hash::sha256(&canonical_articles(&first)))
    );
    let (rev1, data) = ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft,
            inline_revision(1, &first),
            "RevisionPublished",
        )
        .await;
    assert_eq!(data["article_ids"], json!(["art-1", "art-2"]));
    assert_eq!(data["documents"], json!([]));
    assert_eq!(data["text_sha256"], text_sha256(&first).as_str());
    assert_eq!(
        rev1.seq,
        created.seq + 1,
        "one stream, one seq after the other"
    );

    // --- The second revision, its articles as an uploaded document ---
    let second = second_text();
    let document = upload(&ledger, &p.drafter, &canonical_articles(&second)).await;
    assert_eq!(
        document,
        text_sha256(&second),
        "a canonical articles document's hash is the text's hash"
    );
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft,
            document_revision(2, &document),
            "RevisionPublished",
        )
        .await;
    assert_eq!(data["article_ids"], json!(["art-1", "art-2", "art-3"]));
    assert_eq!(data["documents"], json!([document]));
    assert_eq!(data["articles"], Value::Null);

    // --- The consultation on revision 2 ---
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "OpenConsultation",
            &consultation,
            consultation_body(DRAFT, 2),
            "ConsultationOpened",
        )
        .await;
    assert_eq!(data["institution"], MINISTRY);
    assert_eq!(data["article_ids"], json!(["art-1", "art-2", "art-3"]));
    assert_eq!(
        (data["opens_at"].as_str(), data["closes_at"].as_str()),
        (Some(OPENS_AT), Some(CLOSES_AT))
    );

    // --- An association comments, inside the window ---
    ledger.clock.set(IN_WINDOW);
    let rabat = &p.cast.rabat;
    let texts = [
        (
            Some("art-2"),
            "Les arrêtés ministériels doivent aussi être soumis à consultation.",
        ),
        (
            None,
            "Le texte devrait prévoir une publication des résultats en arabe et en français.",
        ),
        (Some("art-1"), "Achetez nos produits sur notre site !"),
        (
            None,
            "Mon voisin, M. X, téléphone 06 00 00 00 00, s'oppose à ce texte.",
        ),
    ];
    let mut documents = Vec::new();
    for (i, (article, text)) in texts.iter().enumerate() {
        let (_, data) = comment(&ledger, rabat, CONSULTATION, RABAT, *article, text).await;
        let sha = ledger::hash::to_hex(&ledger::hash::sha256(text.as_bytes()));
        assert_eq!(
            data,
            json!({"comment": i + 1, "article": article, "document": sha, "documents": [sha],
                   "channel": "association", "association": RABAT, "person": null}),
            "CommentSubmitted names the text by its hash and numbers the comment"
        );
        documents.push(sha);
    }

    // --- Moderation: hide on spam and restore (nothing withheld), hide on personal data
    // (the text withheld) ---
    for action in ["hide", "restore"] {
        let (_, data) = ledger
            .accept(
                &p.moderator,
                "ModerateComment",
                &consultation,
                moderation(3, action, "spam"),
                "CommentModerated",
            )
            .await;
        assert_eq!(
            data["withheld"],
            json!([]),
            "{action} on spam withholds nothing"
        );
    }
    let (_, data) = ledger
        .accept(
            &p.moderator,
            "ModerateComment",
            &consultation,
            moderation(4, "hide", "personal_data"),
            "CommentModerated",
        )
        .await;
    assert_eq!(
        data["withheld"],
        json!([documents[3]]),
        "hiding on personal data withholds exactly that comment's text"
    );

    // --- Close after the window, answer every visible comment, publish the results ---
    ledger.clock.set(AFTER_CLOSE);
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "CloseConsultation",
            &consultation,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    assert_eq!(data, json!({"comments": 4}));

    let batch = json!({"responses": [
        {"comment": 1, "position": "accepted", "reasoning": "Les arrêtés sont ajoutés à l'article 2."},
        {"comment": 2, "position": "partly_accepted", "reasoning": "Publication bilingue retenue."},
    ]});
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "RespondToComments",
            &consultation,
            batch.clone(),
            "CommentsAnswered",
        )
        .await;
    assert_eq!(data, batch, "CommentsAnswered's data is the body");
    // The restored spam is visible again, so it too is owed an answer.
    ledger
        .accept(
            &p.drafter,
            "RespondToComments",
            &consultation,
            responses(&[3], "rejected"),
            "CommentsAnswered",
        )
        .await;

    let results = results_body(&["R-1", "R-2"]);
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "PublishResults",
            &consultation,
            results.clone(),
            "ResultsPublished",
        )
        .await;
    assert_eq!(
        (&data["comments"], &data["answered"], &data["hidden"]),
        (&json!(4), &json!(3), &json!(1)),
        "four received, three answered, the personal-data one hidden: {data}"
    );
    assert_eq!(data["recommendations"], results["recommendations"]);

    // --- A third revision traced to a comment and a recommendation ---
    let motivated_by = json!([
        {"consultation": CONSULTATION, "comment": 1, "recommendation": null},
        {"consultation": CONSULTATION, "comment": null, "recommendation": "R-2"},
    ]);
    let mut third = inline_revision(3, &third_text());
    third["motivated_by"] = motivated_by.clone();
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft,
            third,
            "RevisionPublished",
        )
        .await;
    assert_eq!(data["motivated_by"], motivated_by);
    assert_eq!(data["article_ids"], json!(["art-1", "art-2", "art-3"]));
    assert_eq!(data["documents"], json!([]));

    // --- Submission: after it, no revision ---
    let note = json!({"note": "Transmis au Secrétariat général du gouvernement."});
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "SubmitDraft",
            &draft,
            note.clone(),
            "DraftSubmitted",
        )
        .await;
    assert_eq!(data, note);
    ledger
        .refuse(
            &p.drafter,
            "PublishRevision",
            &draft,
            inline_revision(4, &third_text()),
            409,
            "draft_submitted",
        )
        .await;

    // --- The whole log verifies offline, the withheld comment text included ---
    let export = ledger.export_and_verify(ledger.scratch(), "export").await;
    // The documents the entries name travel with the export: the revision's articles
    // and a visible comment's text, byte for byte.
    let exported = |sha: &str| std::fs::read(export.join("documents").join(sha)).ok();
    assert_eq!(exported(&document), Some(canonical_articles(&second)));
    assert_eq!(
        exported(&documents[0]),
        Some(texts[0].1.as_bytes().to_vec())
    );
}

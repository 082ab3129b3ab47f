//! Every refusal of `docs/consultations.md` that a client can trigger, over HTTP: each
//! reaches the client with its documented status (400, 403, 409, 413, 422) and machine
//! code, and leaves the log's signed tree size unchanged ([`Ledger::refuse`]). Each
//! refused statement breaks exactly one rule, so the code it gets cannot depend on the
//! order in which the edge and the domain check their rules.
//!
//! The refusals are tables of (change, status, code): each row is a known-good statement
//! with one thing changed, its body edited or replaced or its signer or stream swapped
//! ([`Unsigned`]). Between the tables, accepted statements change the state the next ones
//! are judged against: a window that opens and closes to the millisecond, a comment hidden
//! then withheld, results that become publishable once the last unanswered comment is
//! hidden or answered, a recommendation that exists only once the results are out.

use ledger::entry::MAX_ENTRY_BYTES;
use ledger::statement::MAX_STATEMENT_BYTES;
use serde_json::{json, Value};

use crate::lifecycle::{
    assert_message_mentions, Ledger, Unsigned, CASA, CLOSES, IN_WINDOW, LAST_MILLISECOND, MINISTRY,
    OPENS, RABAT,
};
use crate::participation::{
    canonical_articles, comment, comment_body, consultation_body, consultation_stream,
    document_revision, draft_body, draft_stream, draft_with_revision, first_text, inline_revision,
    moderation, official, open, responses, results_body, second_text, text_sha256, upload,
    Participants, CONSULTATION, DRAFT,
};
use crate::support::{Backend, Reply};

both_backends!(
    draft_refusals,
    consultation_opening_refusals,
    comment_refusals,
    moderation_refusals,
    response_and_results_refusals,
);

/// The whole numbers a refusal's message names.
fn numbers_in(reply: &Reply) -> Vec<u64> {
    reply.json["message"]
        .as_str()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

async fn draft_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let drafter = &p.drafter;
    let draft = draft_stream(DRAFT);
    let first = first_text();
    let second = second_text();
    let create = Unsigned::new(drafter, "CreateDraft", &draft, draft_body(MINISTRY));
    let rev1 = Unsigned::new(
        drafter,
        "PublishRevision",
        &draft,
        inline_revision(1, &first),
    );
    let submit = Unsigned::new(drafter, "SubmitDraft", &draft, json!({}));

    // --- Before the draft exists ---
    ledger
        .refuse_all([
            rev1.refused(409, "no_draft"),
            submit.body(json!({"note": null})).refused(409, "no_draft"),
        ])
        .await;

    // --- CreateDraft ---
    // An official who is both administrator and drafter acts for any institution, so only
    // the domain can tell that this one does not exist.
    let admin_drafter = official(&ledger, "admin-drafter", MINISTRY, &["admin", "drafter"]).await;
    ledger
        .refuse_all([
            create
                .by(&admin_drafter)
                .edit(|b| b["institution"] = json!("MINISTERE-FANTOME"))
                .refused(422, "unknown_institution"),
            create
                .edit(|b| b["title"] = json!("  "))
                .refused(422, "invalid_title"),
            create
                .edit(|b| b["summary"] = json!(""))
                .refused(422, "invalid_summary"),
            create
                .edit(|b| b["status"] = json!("x"))
                .refused(400, "invalid_body"),
            create
                .by(&p.other_drafter)
                .refused(403, "other_institution"),
            create.by(&p.moderator).refused(403, "role_not_allowed"),
        ])
        .await;
    create.accept(&ledger, "DraftCreated").await;
    ledger
        .refuse_all([
            create.refused(409, "draft_exists"),
            submit
                .body(json!({"note": null}))
                .refused(409, "no_revision"),
        ])
        .await;

    // --- PublishRevision ---
    // Uploaded, so only the rule at stake can refuse the revisions that name it.
    let document = upload(&ledger, drafter, &canonical_articles(&second)).await;
    let by_document = rev1.body(document_revision(1, &document));
    let reply = rev1
        .edit(|b| b["number"] = json!(2))
        .refuse(&ledger, 409, "wrong_revision_number")
        .await;
    assert_message_mentions(&reply, &["1"]);
    ledger
        .refuse_all([
            // Inline articles whose canonical hash is not text_sha256.
            rev1.edit(|b| b["text_sha256"] = json!(text_sha256(&second)))
                .refused(422, "text_hash_mismatch"),
            // The same articles, one character changed after hashing.
            rev1.edit(|b| b["articles"][0]["text"] = json!("La présente loi."))
                .refused(422, "text_hash_mismatch"),
            // A document whose hash is not text_sha256.
            by_document
                .edit(|b| b["text_sha256"] = json!(text_sha256(&first)))
                .refused(422, "text_hash_mismatch"),
            // A hash no one uploaded anything under.
            rev1.body(document_revision(1, &"ab".repeat(32)))
                .refused(422, "unknown_document"),
            // Both the articles and a document.
            rev1.edit(|b| b["articles_document"] = json!(document))
                .refused(422, "invalid_articles"),
            // Neither.
            rev1.edit(|b| b["articles"] = Value::Null)
                .refused(422, "invalid_articles"),
            rev1.body(inline_revision(1, &json!([])))
                .refused(422, "invalid_articles"),
            rev1.body(inline_revision(1, &json!([first[0], first[0]])))
                .refused(422, "invalid_articles"),
            rev1.edit(|b| b["change_summary"] = json!(" "))
                .refused(422, "invalid_summary"),
            rev1.by(&p.other_drafter).refused(403, "other_institution"),
        ])
        .await;
    rev1.accept(&ledger, "RevisionPublished").await;
    let reply = rev1.refuse(&ledger, 409, "wrong_revision_number").await;
    assert_message_mentions(&reply, &["2"]);
    // The document revision is number 2 and now fits.
    rev1.body(document_revision(2, &document))
        .accept(&ledger, "RevisionPublished")
        .await;

    // --- SubmitDraft ---
    submit
        .by(&p.other_drafter)
        .refuse(&ledger, 403, "other_institution")
        .await;
    submit.accept(&ledger, "DraftSubmitted").await;
    ledger
        .refuse_all([
            submit.refused(409, "draft_submitted"),
            rev1.body(inline_revision(3, &second))
                .refused(409, "draft_submitted"),
        ])
        .await;
}

async fn consultation_opening_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let drafter = &p.drafter;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    let opening = Unsigned::new(
        drafter,
        "OpenConsultation",
        &stream,
        consultation_body(DRAFT, 1),
    );

    // Nothing is open yet, so nothing can be closed.
    Unsigned::new(drafter, "CloseConsultation", &stream, json!({}))
        .refuse(&ledger, 409, "no_consultation")
        .await;
    // The ledger clock says 2 February 2026, 09:00.
    ledger
        .refuse_all([
            opening
                .edit(|b| b["draft"] = json!("LOI-FANTOME"))
                .refused(422, "unknown_draft"),
            opening
                .edit(|b| b["revision"] = json!(2))
                .refused(422, "unknown_revision"),
            opening
                .edit(|b| b["revision"] = json!(0))
                .refused(422, "unknown_revision"),
            opening
                .edit(|b| b["closes_at"] = b["opens_at"].clone())
                .refused(422, "invalid_window"),
            opening
                .edit(|b| {
                    b["opens_at"] = json!("2026-01-05T00:00:00Z");
                    b["closes_at"] = json!("2026-02-01T00:00:00Z");
                })
                .refused(422, "window_already_closed"),
            opening
                .edit(|b| b["title"] = json!(""))
                .refused(422, "invalid_title"),
            opening
                .by(&p.other_drafter)
                .refused(403, "other_institution"),
            opening.by(&p.moderator).refused(403, "role_not_allowed"),
        ])
        .await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    opening.refuse(&ledger, 409, "consultation_exists").await;

    // A submitted draft is no longer consulted on.
    ledger
        .accept(
            drafter,
            "SubmitDraft",
            &draft_stream(DRAFT),
            json!({}),
            "DraftSubmitted",
        )
        .await;
    opening
        .on("consultation/CONS-2026-02")
        .refuse(&ledger, 409, "draft_submitted")
        .await;
}

async fn comment_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let rabat = &p.cast.rabat;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    // Revision 2 adds art-3 to the draft after the consultation on revision 1 opened: the
    // comments are on the consulted revision's articles only.
    ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft_stream(DRAFT),
            inline_revision(2, &second_text()),
            "RevisionPublished",
        )
        .await;
    let text = upload(
        &ledger,
        rabat,
        "Un avis argumenté sur l'article premier.".as_bytes(),
    )
    .await;
    let on_art1 = Unsigned::new(
        rabat,
        "SubmitComment",
        &stream,
        comment_body(RABAT, Some("art-1"), &text),
    );

    on_art1
        .on("consultation/CONS-FANTOME")
        .refuse(&ledger, 409, "no_consultation")
        .await;

    // --- The window opens at OPENS, to the millisecond ---
    ledger.clock.set("2026-02-02T23:59:59.999Z");
    let reply = on_art1.refuse(&ledger, 409, "window_not_open").await;
    assert_message_mentions(&reply, &["2026-02-03"]);
    ledger.clock.set(OPENS);
    let (_, data) = on_art1.accept(&ledger, "CommentSubmitted").await;
    assert_eq!(
        data["comment"], 1,
        "the first millisecond of the window is in it"
    );

    // --- Inside the window: the comment itself is at fault ---
    ledger.clock.set(IN_WINDOW);
    let blank = upload(&ledger, rabat, b" \n\t  ").await;
    let too_long = upload(&ledger, rabat, "ب".repeat(5_001).as_bytes()).await;
    let not_utf8 = upload(&ledger, rabat, &[0x41, 0xff, 0xfe, 0x42]).await;
    let never_uploaded = "cd".repeat(32);
    // The same comment on the whole text, whose document, author and signer rows change.
    let whole = on_art1.edit(|b| b["article"] = Value::Null);
    let text_in = |document: &str| whole.edit(|b| b["document"] = json!(document));
    ledger
        .refuse_all([
            on_art1
                .edit(|b| b["article"] = json!("art-3"))
                .refused(422, "unknown_article"),
            on_art1
                .edit(|b| b["article"] = json!("art-9"))
                .refused(422, "unknown_article"),
            text_in(&blank).refused(422, "invalid_comment_text"),
            text_in(&too_long).refused(422, "invalid_comment_text"),
            text_in(&not_utf8).refused(422, "invalid_comment_text"),
            text_in(&never_uploaded).refused(422, "invalid_comment_text"),
            // RABAT's key in CASA's name.
            whole
                .edit(|b| b["association"] = json!(CASA))
                .refused(403, "other_institution"),
            // A drafter is not an association.
            whole.by(&p.drafter).refused(403, "role_not_allowed"),
            on_art1
                .edit(|b| b["name"] = json!("Nour"))
                .refused(400, "invalid_body"),
        ])
        .await;
    // Exactly 5,000 characters (10,000 bytes of Arabic), padded with blanks that trimming
    // removes: the longest accepted comment.
    let longest = format!("  {}\n", "ب".repeat(5_000));
    let (_, data) = comment(&ledger, rabat, CONSULTATION, RABAT, Some("art-2"), &longest).await;
    assert_eq!(data["comment"], 2);
    // CASA with its own key, in its own name.
    let (_, data) = comment(
        &ledger,
        &p.casa,
        CONSULTATION,
        CASA,
        None,
        "Avis de l'association de Casablanca.",
    )
    .await;
    assert_eq!(
        (&data["comment"], &data["association"]),
        (&json!(3), &json!(CASA))
    );

    // --- The window closes at CLOSES, to the millisecond ---
    ledger.clock.set(LAST_MILLISECOND);
    let (_, data) = on_art1.accept(&ledger, "CommentSubmitted").await;
    assert_eq!(
        data["comment"], 4,
        "the last millisecond of the window is in it"
    );
    ledger.clock.set(CLOSES);
    let reply = on_art1.refuse(&ledger, 409, "window_closed").await;
    assert_message_mentions(&reply, &["2026-02-20"]);
    // And once the drafter has closed it.
    ledger
        .accept(
            &p.drafter,
            "CloseConsultation",
            &stream,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    on_art1.refuse(&ledger, 409, "window_closed").await;
}

async fn moderation_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    let hide = Unsigned::new(
        &p.moderator,
        "ModerateComment",
        &stream,
        moderation(1, "hide", "off_topic"),
    );
    let moderate =
        |comment: u64, action: &str, ground: &str| hide.body(moderation(comment, action, ground));

    moderate(1, "hide", "spam")
        .refuse(&ledger, 409, "no_consultation")
        .await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    ledger.clock.set(IN_WINDOW);
    let rabat = &p.cast.rabat;
    for text in ["Premier avis.", "Contenu manifestement illicite."] {
        comment(&ledger, rabat, CONSULTATION, RABAT, None, text).await;
    }

    ledger
        .refuse_all([
            moderate(1, "restore", "off_topic").refused(409, "not_hidden"),
            moderate(3, "hide", "spam").refused(422, "unknown_comment"),
            moderate(0, "hide", "spam").refused(422, "unknown_comment"),
            moderate(1, "hide", "rude").refused(422, "invalid_ground"),
            moderate(1, "delete", "spam").refused(422, "invalid_action"),
            hide.edit(|b| b["note"] = json!(" "))
                .refused(422, "note_required"),
            // The drafter of the same institution holds no moderator role.
            hide.by(&p.drafter).refused(403, "role_not_allowed"),
            hide.by(&p.other_moderator)
                .refused(403, "other_institution"),
        ])
        .await;
    hide.accept(&ledger, "CommentModerated").await;
    moderate(1, "hide", "personal_data")
        .refuse(&ledger, 409, "already_hidden")
        .await;

    // Illegal content: hidden and withheld, so it can never be shown again.
    let (_, data) = moderate(2, "hide", "illegal_content")
        .accept(&ledger, "CommentModerated")
        .await;
    let withheld = ledger::hash::to_hex(&ledger::hash::sha256(b"Contenu manifestement illicite."));
    assert_eq!(data["withheld"], json!([withheld]));
    moderate(2, "restore", "illegal_content")
        .refuse(&ledger, 409, "document_withheld")
        .await;
    // Comment 1 was hidden without withholding: it can be restored.
    moderate(1, "restore", "off_topic")
        .accept(&ledger, "CommentModerated")
        .await;
}

async fn response_and_results_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let drafter = &p.drafter;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    ledger.clock.set(IN_WINDOW);
    for n in 1..=9 {
        let text = format!("Avis numéro {n} sur le projet.");
        comment(&ledger, &p.cast.rabat, CONSULTATION, RABAT, None, &text).await;
    }
    let results = Unsigned::new(drafter, "PublishResults", &stream, results_body(&["R-1"]));

    results.refuse(&ledger, 409, "consultation_open").await;
    // Before the results, recommendation R-1 does not exist; comment 10 never will.
    let revision2 = Unsigned::new(
        drafter,
        "PublishRevision",
        &draft_stream(DRAFT),
        inline_revision(2, &second_text()),
    );
    let motivated = |comment: Value, recommendation: Value| {
        revision2.edit(|b| {
            b["motivated_by"] = json!([{"consultation": CONSULTATION, "comment": comment,
                                         "recommendation": recommendation}]);
        })
    };
    ledger
        .refuse_all([
            motivated(json!(10), Value::Null).refused(422, "unknown_comment"),
            motivated(json!(0), Value::Null).refused(422, "unknown_comment"),
            motivated(Value::Null, json!("R-1")).refused(422, "unknown_recommendation"),
        ])
        .await;

    // --- Closing: not before closes_at, and once ---
    let close = Unsigned::new(drafter, "CloseConsultation", &stream, json!({}));
    ledger.clock.set(LAST_MILLISECOND);
    close.refuse(&ledger, 409, "window_still_open").await;
    ledger.clock.set(CLOSES);
    let (_, data) = close.accept(&ledger, "ConsultationClosed").await;
    assert_eq!(data, json!({"comments": 9}));
    close.refuse(&ledger, 409, "consultation_closed").await;

    // --- Responses ---
    // A batch as large as a statement may be (32 KiB canonical): the entry holds it twice,
    // in the statement and in its data, and so cannot fit in 65,535 bytes.
    let batch = |pad: usize| {
        let responses: Vec<Value> = (1..=9)
            .map(|n| {
                let length = if n == 9 { pad } else { 3_600 };
                json!({"comment": n, "position": "noted", "reasoning": "r".repeat(length)})
            })
            .collect();
        json!({"responses": responses})
    };
    let statement_size = |body: Value| {
        ledger
            .sign(drafter, "RespondToComments", &stream, body)
            .statement
            .canonical_bytes()
            .len()
    };
    let largest = batch(1 + MAX_STATEMENT_BYTES - statement_size(batch(1)));
    assert_eq!(statement_size(largest.clone()), MAX_STATEMENT_BYTES);
    let body_size = ledger::canonical::to_bytes(&largest).unwrap().len();
    // Besides the statement and its body, an entry holds at least the signer's key (44
    // base64 characters), two signatures (the statement's and the log's, 88 each) and the
    // previous entry's hash (64 hex): enough to pass the limit.
    assert!(
        MAX_STATEMENT_BYTES + body_size + 44 + 2 * 88 + 64 > MAX_ENTRY_BYTES,
        "the batch is too small to test the entry limit: {body_size} bytes"
    );
    let one = Unsigned::new(
        drafter,
        "RespondToComments",
        &stream,
        responses(&[1], "accepted"),
    );
    let answering = |comments: &[u64], position: &str| one.body(responses(comments, position));
    ledger
        .refuse_all([
            one.body(largest).refused(413, "entry_too_large"),
            answering(&[10], "accepted").refused(422, "unknown_comment"),
            // A batch holds 1 to 200 responses. docs/consultations.md names no code for
            // this rule; `invalid_responses` is the domain's. (Over 200 cannot break this
            // rule alone without 201 comments.)
            one.body(json!({"responses": []}))
                .refused(422, "invalid_responses"),
            answering(&[1, 2, 1], "accepted").refused(422, "duplicate_comment"),
            answering(&[1], "ignored").refused(422, "invalid_position"),
            one.edit(|b| b["responses"][0]["reasoning"] = json!(""))
                .refused(422, "reasoning_required"),
            one.by(&p.moderator).refused(403, "role_not_allowed"),
            one.by(&p.other_drafter).refused(403, "other_institution"),
        ])
        .await;
    answering(&[1, 2, 5, 6, 7, 8, 9], "noted")
        .accept(&ledger, "CommentsAnswered")
        .await;
    ledger
        .refuse_all([
            one.refused(409, "already_answered"),
            // One of the batch already answered refuses the whole batch.
            answering(&[3, 2], "rejected").refused(409, "already_answered"),
        ])
        .await;

    // --- Results: refused while a visible comment has no response, naming it ---
    let reply = results.refuse(&ledger, 422, "unanswered_comments").await;
    let named = numbers_in(&reply);
    assert!(
        named.contains(&3) && named.contains(&4),
        "the refusal lists comments 3 and 4: {}",
        reply.text()
    );
    // A hidden comment is owed no response: hiding 4 leaves 3 alone unanswered.
    ledger
        .accept(
            &p.moderator,
            "ModerateComment",
            &stream,
            moderation(4, "hide", "off_topic"),
            "CommentModerated",
        )
        .await;
    let reply = results.refuse(&ledger, 422, "unanswered_comments").await;
    let named = numbers_in(&reply);
    assert!(
        named.contains(&3) && !named.contains(&4),
        "the refusal lists comment 3 and no longer the hidden 4: {}",
        reply.text()
    );
    answering(&[3], "partly_accepted")
        .accept(&ledger, "CommentsAnswered")
        .await;
    // Now only the body itself can be at fault.
    ledger
        .refuse_all([
            results
                .edit(|b| b["synthesis"] = json!(" "))
                .refused(422, "synthesis_required"),
            results
                .body(results_body(&["R-1", "R-1"]))
                .refused(422, "invalid_recommendations"),
            results
                .body(results_body(&["R 1"]))
                .refused(422, "invalid_recommendations"),
            results
                .by(&p.other_drafter)
                .refused(403, "other_institution"),
        ])
        .await;
    let (_, data) = results.accept(&ledger, "ResultsPublished").await;
    assert_eq!(
        (&data["comments"], &data["answered"], &data["hidden"]),
        (&json!(9), &json!(8), &json!(1)),
        "{data}"
    );
    results.refuse(&ledger, 409, "results_published").await;

    // --- Motivations: R-1 now exists; R-9 and comment 10 still do not ---
    ledger
        .refuse_all([
            motivated(Value::Null, json!("R-9")).refused(422, "unknown_recommendation"),
            motivated(json!(10), Value::Null).refused(422, "unknown_comment"),
        ])
        .await;
    motivated(Value::Null, json!("R-1"))
        .accept(&ledger, "RevisionPublished")
        .await;
}

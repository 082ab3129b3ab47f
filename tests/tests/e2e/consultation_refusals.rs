//! Every refusal of `docs/consultations.md` that a client can trigger, over HTTP: each
//! reaches the client with its documented status (400, 403, 409, 413, 422) and machine
//! code, and leaves the log's signed tree size unchanged ([`Ledger::refuse`]). Each
//! refused statement breaks exactly one rule, so the code it gets cannot depend on the
//! order in which the edge and the domain check their rules.
//!
//! Between the refusals, accepted statements change the state the next ones are judged
//! against: a window that opens and closes to the millisecond, a comment hidden then
//! withheld, results that become publishable once the last unanswered comment is hidden
//! or answered, a recommendation that exists only once the results are out.

use ed25519_dalek::SigningKey;
use ledger::entry::MAX_ENTRY_BYTES;
use ledger::statement::MAX_STATEMENT_BYTES;
use serde_json::{json, Value};

use crate::lifecycle::{
    assert_message_mentions, Ledger, CASA, CLOSES, IN_WINDOW, LAST_MILLISECOND, MINISTRY, OPENS,
    RABAT,
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

/// One refusal of a table: signer, stream, body, status, code.
type Case<'a> = (&'a SigningKey, &'a str, Value, u16, &'a str);

/// Sends each case as `command`, asserting its refusal and an unchanged log.
async fn refuse_each(ledger: &Ledger, command: &str, cases: Vec<Case<'_>>) {
    for (key, stream, body, status, code) in cases {
        ledger
            .refuse(key, command, stream, body, status, code)
            .await;
    }
}

/// A copy of `body` with `edit` applied.
fn with(body: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = body.clone();
    edit(&mut body);
    body
}

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
    let good = draft_body(MINISTRY);

    // --- Before the draft exists ---
    refuse_each(
        &ledger,
        "PublishRevision",
        vec![(
            drafter,
            &draft,
            inline_revision(1, &first_text()),
            409,
            "no_draft",
        )],
    )
    .await;
    refuse_each(
        &ledger,
        "SubmitDraft",
        vec![(drafter, &draft, json!({"note": null}), 409, "no_draft")],
    )
    .await;

    // --- CreateDraft ---
    // An official who is both administrator and drafter acts for any institution, so only
    // the domain can tell that this one does not exist.
    let admin_drafter = official(&ledger, "admin-drafter", MINISTRY, &["admin", "drafter"]).await;
    refuse_each(
        &ledger,
        "CreateDraft",
        vec![
            (
                &admin_drafter,
                &draft,
                draft_body("MINISTERE-FANTOME"),
                422,
                "unknown_institution",
            ),
            (
                drafter,
                &draft,
                with(&good, |b| b["title"] = json!("  ")),
                422,
                "invalid_title",
            ),
            (
                drafter,
                &draft,
                with(&good, |b| b["summary"] = json!("")),
                422,
                "invalid_summary",
            ),
            (
                drafter,
                &draft,
                with(&good, |b| b["status"] = json!("x")),
                400,
                "invalid_body",
            ),
            (
                &p.other_drafter,
                &draft,
                good.clone(),
                403,
                "other_institution",
            ),
            (&p.moderator, &draft, good.clone(), 403, "role_not_allowed"),
        ],
    )
    .await;
    ledger
        .accept(drafter, "CreateDraft", &draft, good.clone(), "DraftCreated")
        .await;
    refuse_each(
        &ledger,
        "CreateDraft",
        vec![(drafter, &draft, good, 409, "draft_exists")],
    )
    .await;
    refuse_each(
        &ledger,
        "SubmitDraft",
        vec![(drafter, &draft, json!({"note": null}), 409, "no_revision")],
    )
    .await;

    // --- PublishRevision ---
    let first = first_text();
    let rev1 = inline_revision(1, &first);
    let second = second_text();
    // Uploaded, so only the rule at stake can refuse the revisions that name it.
    let document = upload(&ledger, drafter, &canonical_articles(&second)).await;
    // A hash no one uploaded anything under.
    let missing = "ab".repeat(32);
    let mut reply = ledger
        .refuse(
            drafter,
            "PublishRevision",
            &draft,
            with(&rev1, |b| b["number"] = json!(2)),
            409,
            "wrong_revision_number",
        )
        .await;
    assert_message_mentions(&reply, &["1"]);
    refuse_each(
        &ledger,
        "PublishRevision",
        vec![
            // Inline articles whose canonical hash is not text_sha256.
            (
                drafter,
                &draft,
                with(&rev1, |b| b["text_sha256"] = json!(text_sha256(&second))),
                422,
                "text_hash_mismatch",
            ),
            // The same articles, one character changed after hashing.
            (
                drafter,
                &draft,
                with(&rev1, |b| {
                    b["articles"][0]["text"] = json!("La présente loi.")
                }),
                422,
                "text_hash_mismatch",
            ),
            // A document whose hash is not text_sha256.
            (
                drafter,
                &draft,
                with(&document_revision(1, &document), |b| {
                    b["text_sha256"] = json!(text_sha256(&first))
                }),
                422,
                "text_hash_mismatch",
            ),
            (
                drafter,
                &draft,
                document_revision(1, &missing),
                422,
                "unknown_document",
            ),
            // Both the articles and a document.
            (
                drafter,
                &draft,
                with(&rev1, |b| b["articles_document"] = json!(document)),
                422,
                "invalid_articles",
            ),
            // Neither.
            (
                drafter,
                &draft,
                with(&rev1, |b| b["articles"] = Value::Null),
                422,
                "invalid_articles",
            ),
            (
                drafter,
                &draft,
                inline_revision(1, &json!([])),
                422,
                "invalid_articles",
            ),
            (
                drafter,
                &draft,
                inline_revision(1, &json!([first[0], first[0]])),
                422,
                "invalid_articles",
            ),
            (
                drafter,
                &draft,
                with(&rev1, |b| b["change_summary"] = json!(" ")),
                422,
                "invalid_summary",
            ),
            (
                &p.other_drafter,
                &draft,
                rev1.clone(),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft,
            rev1.clone(),
            "RevisionPublished",
        )
        .await;
    reply = ledger
        .refuse(
            drafter,
            "PublishRevision",
            &draft,
            rev1,
            409,
            "wrong_revision_number",
        )
        .await;
    assert_message_mentions(&reply, &["2"]);
    // The document revision is number 2 and now fits.
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft,
            document_revision(2, &document),
            "RevisionPublished",
        )
        .await;

    // --- SubmitDraft ---
    refuse_each(
        &ledger,
        "SubmitDraft",
        vec![(
            &p.other_drafter,
            &draft,
            json!({}),
            403,
            "other_institution",
        )],
    )
    .await;
    ledger
        .accept(drafter, "SubmitDraft", &draft, json!({}), "DraftSubmitted")
        .await;
    refuse_each(
        &ledger,
        "SubmitDraft",
        vec![(drafter, &draft, json!({}), 409, "draft_submitted")],
    )
    .await;
    refuse_each(
        &ledger,
        "PublishRevision",
        vec![(
            drafter,
            &draft,
            inline_revision(3, &second),
            409,
            "draft_submitted",
        )],
    )
    .await;
}

async fn consultation_opening_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let drafter = &p.drafter;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    let good = consultation_body(DRAFT, 1);

    // Nothing is open yet, so nothing can be closed.
    refuse_each(
        &ledger,
        "CloseConsultation",
        vec![(drafter, &stream, json!({}), 409, "no_consultation")],
    )
    .await;
    // The ledger clock says 2 February 2026, 09:00.
    refuse_each(
        &ledger,
        "OpenConsultation",
        vec![
            (
                drafter,
                &stream,
                consultation_body("LOI-FANTOME", 1),
                422,
                "unknown_draft",
            ),
            (
                drafter,
                &stream,
                consultation_body(DRAFT, 2),
                422,
                "unknown_revision",
            ),
            (
                drafter,
                &stream,
                consultation_body(DRAFT, 0),
                422,
                "unknown_revision",
            ),
            (
                drafter,
                &stream,
                with(&good, |b| b["closes_at"] = b["opens_at"].clone()),
                422,
                "invalid_window",
            ),
            (
                drafter,
                &stream,
                with(&good, |b| {
                    b["opens_at"] = json!("2026-01-05T00:00:00Z");
                    b["closes_at"] = json!("2026-02-01T00:00:00Z");
                }),
                422,
                "window_already_closed",
            ),
            (
                drafter,
                &stream,
                with(&good, |b| b["title"] = json!("")),
                422,
                "invalid_title",
            ),
            (
                &p.other_drafter,
                &stream,
                good.clone(),
                403,
                "other_institution",
            ),
            (&p.moderator, &stream, good.clone(), 403, "role_not_allowed"),
        ],
    )
    .await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    refuse_each(
        &ledger,
        "OpenConsultation",
        vec![(drafter, &stream, good.clone(), 409, "consultation_exists")],
    )
    .await;

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
    refuse_each(
        &ledger,
        "OpenConsultation",
        vec![(
            drafter,
            "consultation/CONS-2026-02",
            good,
            409,
            "draft_submitted",
        )],
    )
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
    let on_art1 = comment_body(RABAT, Some("art-1"), &text);

    refuse_each(
        &ledger,
        "SubmitComment",
        vec![(
            rabat,
            "consultation/CONS-FANTOME",
            on_art1.clone(),
            409,
            "no_consultation",
        )],
    )
    .await;

    // --- The window opens at OPENS, to the millisecond ---
    ledger.clock.set("2026-02-02T23:59:59.999Z");
    let reply = ledger
        .refuse(
            rabat,
            "SubmitComment",
            &stream,
            on_art1.clone(),
            409,
            "window_not_open",
        )
        .await;
    assert_message_mentions(&reply, &["2026-02-03"]);
    ledger.clock.set(OPENS);
    let (_, data) = ledger
        .accept(
            rabat,
            "SubmitComment",
            &stream,
            on_art1.clone(),
            "CommentSubmitted",
        )
        .await;
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
    refuse_each(
        &ledger,
        "SubmitComment",
        vec![
            (
                rabat,
                &stream,
                comment_body(RABAT, Some("art-3"), &text),
                422,
                "unknown_article",
            ),
            (
                rabat,
                &stream,
                comment_body(RABAT, Some("art-9"), &text),
                422,
                "unknown_article",
            ),
            (
                rabat,
                &stream,
                comment_body(RABAT, None, &blank),
                422,
                "invalid_comment_text",
            ),
            (
                rabat,
                &stream,
                comment_body(RABAT, None, &too_long),
                422,
                "invalid_comment_text",
            ),
            (
                rabat,
                &stream,
                comment_body(RABAT, None, &not_utf8),
                422,
                "invalid_comment_text",
            ),
            (
                rabat,
                &stream,
                comment_body(RABAT, None, &never_uploaded),
                422,
                "invalid_comment_text",
            ),
            // RABAT's key in CASA's name.
            (
                rabat,
                &stream,
                comment_body(CASA, None, &text),
                403,
                "other_institution",
            ),
            // A drafter is not an association.
            (
                &p.drafter,
                &stream,
                comment_body(RABAT, None, &text),
                403,
                "role_not_allowed",
            ),
            (
                rabat,
                &stream,
                with(&on_art1, |b| b["name"] = json!("Nour")),
                400,
                "invalid_body",
            ),
        ],
    )
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
    let (_, data) = ledger
        .accept(
            rabat,
            "SubmitComment",
            &stream,
            on_art1.clone(),
            "CommentSubmitted",
        )
        .await;
    assert_eq!(
        data["comment"], 4,
        "the last millisecond of the window is in it"
    );
    ledger.clock.set(CLOSES);
    let reply = ledger
        .refuse(
            rabat,
            "SubmitComment",
            &stream,
            on_art1.clone(),
            409,
            "window_closed",
        )
        .await;
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
    ledger
        .refuse(
            rabat,
            "SubmitComment",
            &stream,
            on_art1,
            409,
            "window_closed",
        )
        .await;
}

async fn moderation_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let moderator = &p.moderator;
    let stream = consultation_stream(CONSULTATION);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;

    refuse_each(
        &ledger,
        "ModerateComment",
        vec![(
            moderator,
            &stream,
            moderation(1, "hide", "spam"),
            409,
            "no_consultation",
        )],
    )
    .await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    ledger.clock.set(IN_WINDOW);
    let rabat = &p.cast.rabat;
    for text in ["Premier avis.", "Contenu manifestement illicite."] {
        comment(&ledger, rabat, CONSULTATION, RABAT, None, text).await;
    }

    let hide = moderation(1, "hide", "off_topic");
    refuse_each(
        &ledger,
        "ModerateComment",
        vec![
            (
                moderator,
                &stream,
                moderation(1, "restore", "off_topic"),
                409,
                "not_hidden",
            ),
            (
                moderator,
                &stream,
                moderation(3, "hide", "spam"),
                422,
                "unknown_comment",
            ),
            (
                moderator,
                &stream,
                moderation(0, "hide", "spam"),
                422,
                "unknown_comment",
            ),
            (
                moderator,
                &stream,
                moderation(1, "hide", "rude"),
                422,
                "invalid_ground",
            ),
            (
                moderator,
                &stream,
                moderation(1, "delete", "spam"),
                422,
                "invalid_action",
            ),
            (
                moderator,
                &stream,
                with(&hide, |b| b["note"] = json!(" ")),
                422,
                "note_required",
            ),
            // The drafter of the same institution holds no moderator role.
            (&p.drafter, &stream, hide.clone(), 403, "role_not_allowed"),
            (
                &p.other_moderator,
                &stream,
                hide.clone(),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    ledger
        .accept(
            moderator,
            "ModerateComment",
            &stream,
            hide,
            "CommentModerated",
        )
        .await;
    refuse_each(
        &ledger,
        "ModerateComment",
        vec![(
            moderator,
            &stream,
            moderation(1, "hide", "personal_data"),
            409,
            "already_hidden",
        )],
    )
    .await;

    // Illegal content: hidden and withheld, so it can never be shown again.
    let (_, data) = ledger
        .accept(
            moderator,
            "ModerateComment",
            &stream,
            moderation(2, "hide", "illegal_content"),
            "CommentModerated",
        )
        .await;
    let withheld = ledger::hash::to_hex(&ledger::hash::sha256(b"Contenu manifestement illicite."));
    assert_eq!(data["withheld"], json!([withheld]));
    refuse_each(
        &ledger,
        "ModerateComment",
        vec![(
            moderator,
            &stream,
            moderation(2, "restore", "illegal_content"),
            409,
            "document_withheld",
        )],
    )
    .await;
    // Comment 1 was hidden without withholding: it can be restored.
    ledger
        .accept(
            moderator,
            "ModerateComment",
            &stream,
            moderation(1, "restore", "off_topic"),
            "CommentModerated",
        )
        .await;
}

async fn response_and_results_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let drafter = &p.drafter;
    let stream = consultation_stream(CONSULTATION);
    let draft = draft_stream(DRAFT);
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    open(&ledger, &p, CONSULTATION, DRAFT).await;
    ledger.clock.set(IN_WINDOW);
    for n in 1..=9 {
        let text = format!("Avis numéro {n} sur le projet.");
        comment(&ledger, &p.cast.rabat, CONSULTATION, RABAT, None, &text).await;
    }
    let results = results_body(&["R-1"]);

    refuse_each(
        &ledger,
        "PublishResults",
        vec![(drafter, &stream, results.clone(), 409, "consultation_open")],
    )
    .await;
    // Before the results, recommendation R-1 does not exist; comment 10 never will.
    let motivated = |comment: Value, recommendation: Value| {
        with(&inline_revision(2, &second_text()), |b| {
            b["motivated_by"] = json!([{"consultation": CONSULTATION, "comment": comment,
                                         "recommendation": recommendation}]);
        })
    };
    refuse_each(
        &ledger,
        "PublishRevision",
        vec![
            (
                drafter,
                &draft,
                motivated(json!(10), Value::Null),
                422,
                "unknown_comment",
            ),
            (
                drafter,
                &draft,
                motivated(json!(0), Value::Null),
                422,
                "unknown_comment",
            ),
            (
                drafter,
                &draft,
                motivated(Value::Null, json!("R-1")),
                422,
                "unknown_recommendation",
            ),
        ],
    )
    .await;

    // --- Closing: not before closes_at, and once ---
    ledger.clock.set(LAST_MILLISECOND);
    refuse_each(
        &ledger,
        "CloseConsultation",
        vec![(drafter, &stream, json!({}), 409, "window_still_open")],
    )
    .await;
    ledger.clock.set(CLOSES);
    let (_, data) = ledger
        .accept(
            drafter,
            "CloseConsultation",
            &stream,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    assert_eq!(data, json!({"comments": 9}));
    refuse_each(
        &ledger,
        "CloseConsultation",
        vec![(drafter, &stream, json!({}), 409, "consultation_closed")],
    )
    .await;

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
    let one = responses(&[1], "accepted");
    refuse_each(
        &ledger,
        "RespondToComments",
        vec![
            (drafter, &stream, largest, 413, "entry_too_large"),
            (
                drafter,
                &stream,
                responses(&[10], "accepted"),
                422,
                "unknown_comment",
            ),
            // A batch holds 1 to 200 responses. docs/consultations.md names no code for
            // this rule; `invalid_responses` is the domain's. (Over 200 cannot break this
            // rule alone without 201 comments.)
            (
                drafter,
                &stream,
                json!({"responses": []}),
                422,
                "invalid_responses",
            ),
            (
                drafter,
                &stream,
                responses(&[1, 2, 1], "accepted"),
                422,
                "duplicate_comment",
            ),
            (
                drafter,
                &stream,
                responses(&[1], "ignored"),
                422,
                "invalid_position",
            ),
            (
                drafter,
                &stream,
                with(&one, |b| b["responses"][0]["reasoning"] = json!("")),
                422,
                "reasoning_required",
            ),
            (&p.moderator, &stream, one.clone(), 403, "role_not_allowed"),
            (
                &p.other_drafter,
                &stream,
                one.clone(),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    ledger
        .accept(
            drafter,
            "RespondToComments",
            &stream,
            responses(&[1, 2, 5, 6, 7, 8, 9], "noted"),
            "CommentsAnswered",
        )
        .await;
    refuse_each(
        &ledger,
        "RespondToComments",
        vec![
            (drafter, &stream, one.clone(), 409, "already_answered"),
            // One of the batch already answered refuses the whole batch.
            (
                drafter,
                &stream,
                responses(&[3, 2], "rejected"),
                409,
                "already_answered",
            ),
        ],
    )
    .await;

    // --- Results: refused while a visible comment has no response, naming it ---
    let reply = ledger
        .refuse(
            drafter,
            "PublishResults",
            &stream,
            results.clone(),
            422,
            "unanswered_comments",
        )
        .await;
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
    let reply = ledger
        .refuse(
            drafter,
            "PublishResults",
            &stream,
            results.clone(),
            422,
            "unanswered_comments",
        )
        .await;
    let named = numbers_in(&reply);
    assert!(
        named.contains(&3) && !named.contains(&4),
        "the refusal lists comment 3 and no longer the hidden 4: {}",
        reply.text()
    );
    ledger
        .accept(
            drafter,
            "RespondToComments",
            &stream,
            responses(&[3], "partly_accepted"),
            "CommentsAnswered",
        )
        .await;
    // Now only the body itself can be at fault.
    refuse_each(
        &ledger,
        "PublishResults",
        vec![
            (
                drafter,
                &stream,
                with(&results, |b| b["synthesis"] = json!(" ")),
                422,
                "synthesis_required",
            ),
            (
                drafter,
                &stream,
                results_body(&["R-1", "R-1"]),
                422,
                "invalid_recommendations",
            ),
            (
                drafter,
                &stream,
                results_body(&["R 1"]),
                422,
                "invalid_recommendations",
            ),
            (
                &p.other_drafter,
                &stream,
                results.clone(),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    let (_, data) = ledger
        .accept(
            drafter,
            "PublishResults",
            &stream,
            results.clone(),
            "ResultsPublished",
        )
        .await;
    assert_eq!(
        (&data["comments"], &data["answered"], &data["hidden"]),
        (&json!(9), &json!(8), &json!(1)),
        "{data}"
    );
    refuse_each(
        &ledger,
        "PublishResults",
        vec![(drafter, &stream, results, 409, "results_published")],
    )
    .await;

    // --- Motivations: R-1 now exists; R-9 and comment 10 still do not ---
    refuse_each(
        &ledger,
        "PublishRevision",
        vec![
            (
                drafter,
                &draft,
                motivated(Value::Null, json!("R-9")),
                422,
                "unknown_recommendation",
            ),
            (
                drafter,
                &draft,
                motivated(json!(10), Value::Null),
                422,
                "unknown_comment",
            ),
        ],
    )
    .await;
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft,
            motivated(Value::Null, json!("R-1")),
            "RevisionPublished",
        )
        .await;
}

//! Erasure and withholding on the public channel (issue 4, docs/public-channel.md): after
//! `ErasePersonalData` the person's key and ciphertexts are gone from the database (read
//! here straight from the table), the comments and the log remain, and a full export
//! still verifies; a comment hidden on the grounds of personal data of others has its
//! document withheld (410, deleted from the database, absent from the export) while the
//! export still verifies.

use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};
use sqlx::Row;

use crate::public_channel::{person_of, Consultation, STREAM};
use crate::support::{Backend, Reply};

both_backends!(
    erasure_destroys_the_key_and_the_log_still_verifies,
    a_withheld_document_is_gone_and_the_export_still_verifies,
);

/// The person's row straight from the `persons` table: (key, name, e-mail, erased_at).
async fn person_row(
    c: &Consultation,
    person: &str,
) -> (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<String>,
) {
    let row = sqlx::query(
        "SELECT person_key, name_ct, email_ct, erased_at FROM persons WHERE person_ref = $1",
    )
    .bind(person.to_owned())
    .fetch_one(&c.db().pool)
    .await
    .expect("the person's row");
    (
        row.try_get(0).unwrap(),
        row.try_get(1).unwrap(),
        row.try_get(2).unwrap(),
        row.try_get(3).unwrap(),
    )
}

async fn erasure_destroys_the_key_and_the_log_still_verifies(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let email = "nadia.alaoui@exemple.ma";
    let (receipt, _) = c
        .accepted(
            &json!({"text": "Je propose un délai de soixante jours.", "article": "art-1",
                          "author_name": "Nadia Alaoui", "author_email": email}),
        )
        .await;
    let person = person_of(&receipt);
    let (other, _) = c
        .accepted(&json!({"text": "D'accord avec le texte.", "article": null,
                          "author_name": "Omar", "author_email": "omar@exemple.ma"}))
        .await;
    let persons = &c.service().public.persons;
    assert_eq!(
        persons.name(&person).await.unwrap().as_deref(),
        Some("Nadia Alaoui")
    );
    let (key, name, mail, erased_at) = person_row(&c, &person).await;
    assert!(key.is_some() && name.is_some() && mail.is_some() && erased_at.is_none());
    // The portal shows the name while the key exists, and never the e-mail.
    let page = c
        .get(&format!(
            "/v1/consultations/{}",
            &STREAM["consultation/".len()..]
        ))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    assert!(page.text().contains("Nadia Alaoui"), "{}", page.text());
    assert!(!page.text().contains(email));

    let (_, data) = c
        .accept(
            &c.moderator,
            "ErasePersonalData",
            STREAM,
            json!({"person": person, "reason": "Demande de l'intéressée (loi 09-08)"}),
            "PersonalDataErased",
        )
        .await;
    assert_eq!(data["person"], person.as_str());

    // Gone from the database as soon as the erasure is acknowledged.
    let (key, name, mail, erased_at) = person_row(&c, &person).await;
    assert_eq!(
        (key, name, mail),
        (None, None, None),
        "key and ciphertexts destroyed"
    );
    assert!(erased_at.is_some());
    assert_eq!(persons.name(&person).await.unwrap(), None);
    // And from the portal.
    let page = c
        .get(&format!(
            "/v1/consultations/{}",
            &STREAM["consultation/".len()..]
        ))
        .await;
    assert!(!page.text().contains("Nadia"), "{}", page.text());
    assert!(page.text().contains("Omar"), "{}", page.text());
    // Only that person.
    assert_eq!(
        persons.name(&person_of(&other)).await.unwrap().as_deref(),
        Some("Omar")
    );
    // A second erasure is refused by the domain; the store is unchanged.
    c.refuse(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": person, "reason": "Encore"}),
        409,
        "already_erased",
    )
    .await;

    // The comment and its text remain, and the whole log still verifies.
    let document = receipt["entry"]["data"]["document"].as_str().unwrap();
    assert_eq!(
        c.get(&format!("/v1/documents/{document}"))
            .await
            .status
            .as_u16(),
        200
    );
    let out = c.export_and_verify(c.scratch(), "after-erasure").await;
    let exported = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert!(!exported.contains("Nadia") && !exported.contains("nadia.alaoui"));

    // The same person commenting again counts as the same participant, and nothing of
    // theirs is stored again: an erased reference could not be erased a second time.
    let (again, _) = c
        .accepted(&json!({"text": "Une précision.", "article": null,
                          "author_name": "Nadia A.", "author_email": email}))
        .await;
    assert_eq!(person_of(&again), person);
    assert_eq!(person_row(&c, &person).await.0, None);
    assert_eq!(persons.name(&person).await.unwrap(), None);

    // A crash between the append and the erasure: the data is back in the row (as if
    // never erased); the reconciliation that runs at start-up and catch-up erases it.
    let sealed = persons
        .secrets()
        .seal(&person, Some("Nadia Alaoui"), Some(email));
    sqlx::query(
        "UPDATE persons SET person_key = $1, name_ct = $2, email_ct = $3, erased_at = NULL \
         WHERE person_ref = $4",
    )
    .bind(sealed.wrapped_key.clone())
    .bind(sealed.name.clone())
    .bind(sealed.email.clone())
    .bind(person.clone())
    .execute(&c.db().pool)
    .await
    .unwrap();
    assert_eq!(
        persons.name(&person).await.unwrap().as_deref(),
        Some("Nadia Alaoui")
    );
    sijill::public_channel::erasure::reconcile(c.db(), persons, 0)
        .await
        .expect("reconciliation");
    let (key, name, mail, erased_at) = person_row(&c, &person).await;
    assert_eq!((key, name, mail), (None, None, None));
    assert!(erased_at.is_some());
    assert_eq!(
        persons.name(&person_of(&other)).await.unwrap().as_deref(),
        Some("Omar")
    );
}

fn moderation(comment: u64, action: &str, ground: &str) -> Value {
    json!({"comment": comment, "action": action, "ground": ground,
           "note": "Signalé par un lecteur et vérifié."})
}

async fn document_rows(c: &Consultation, sha: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
        .bind(sha.to_owned())
        .fetch_one(&c.db().pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn a_withheld_document_is_gone_and_the_export_still_verifies(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let taken_down = "Le voisin M. X, joignable au 06 00 00 00 00, ne respecte pas la loi.";
    let kept = "Le texte devrait prévoir un registre public des consultations.";
    let spam = "Achetez nos produits !";
    let mut docs = Vec::new();
    for text in [taken_down, kept, spam] {
        let (receipt, _) = c.accepted(&json!({"text": text, "article": null})).await;
        docs.push(
            receipt["entry"]["data"]["document"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(docs[0], to_hex(&sha256(taken_down.as_bytes())));
    assert_eq!(document_rows(&c, &docs[0]).await, 1);

    // Hidden as personal data of others: the document is withheld.
    let (_, data) = c
        .accept(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(1, "hide", "personal_data"),
            "CommentModerated",
        )
        .await;
    assert_eq!(data["withheld"], json!([docs[0]]));
    // Hidden as spam: a placeholder, the text stays served.
    let (_, data) = c
        .accept(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(3, "hide", "spam"),
            "CommentModerated",
        )
        .await;
    assert_eq!(data["withheld"], json!([]));

    let gone: Reply = c.get(&format!("/v1/documents/{}", docs[0])).await;
    gone.assert_error(410, "withheld");
    for doc in &docs[1..] {
        assert_eq!(
            c.get(&format!("/v1/documents/{doc}")).await.status.as_u16(),
            200
        );
    }
    assert_eq!(
        document_rows(&c, &docs[0]).await,
        0,
        "the withheld bytes are deleted"
    );
    let restore = c
        .send(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(1, "restore", "personal_data"),
        )
        .await;
    restore.assert_error(409, "document_withheld");

    // Neither an official's upload nor a citizen's comment brings the text back.
    let upload = c.upload(&c.drafter, taken_down.as_bytes().to_vec()).await;
    upload.assert_error(410, "withheld");
    c.comment(&json!({"text": taken_down, "article": null}))
        .await
        .assert_error(422, "invalid_comment_text");
    assert_eq!(document_rows(&c, &docs[0]).await, 0);

    // The export leaves the withheld document out, keeps the others, and verifies.
    let out = c.export_and_verify(c.scratch(), "withheld").await;
    assert!(!out.join("documents").join(&docs[0]).exists());
    for doc in &docs[1..] {
        assert!(
            out.join("documents").join(doc).exists(),
            "{doc} is exported"
        );
    }
    let exported = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert!(exported.contains(&docs[0]), "the hash stays in the log");
    assert!(!exported.contains("06 00 00 00 00"));
}

//! Reads: a writer sees its write in the read models as soon as it has its 201, the audit
//! trail of a stream shows each entry verified, `/healthz` reports the tree size, and the
//! log endpoints serve the exact canonical bytes that were signed.

use serde_json::json;

use crate::support::{new_key, parse_entry, public_b64, split_lines, Backend, TestApp};

both_backends!(
    a_write_is_visible_in_the_read_models_right_after_its_201,
    the_log_endpoints_serve_the_signed_canonical_bytes,
    a_projector_rebuilding_from_the_start_catches_up_beside_the_others,
);

/// After an upgrade to a new version of one projector, its read models are rebuilt from
/// index 0 while the others stand at the head: the runner reads each page once for the
/// projectors that lack it, and every read model ends as it was.
async fn a_projector_rebuilding_from_the_start_catches_up_beside_the_others(backend: Backend) {
    let app = TestApp::start(backend).await;
    for n in 0..30 {
        app.submit(
            &app.admin,
            "RegisterInstitution",
            &format!("institution/I{n}"),
            json!({"name": format!("Institution {n}"), "kind": "ministry"}),
        )
        .await
        .created();
    }
    app.submit(
        &app.admin,
        "RegisterActor",
        "registry/leila",
        json!({"public_key": public_b64(&new_key()), "name": "Leila", "institution": "I3",
               "roles": ["publisher"]}),
    )
    .await
    .created();
    let reads = [
        "/v1/institutions?per_page=100",
        "/v1/institutions/I7",
        "/v1/actors/leila",
    ];
    let mut before = Vec::new();
    for path in reads {
        before.push(app.get(path).await.text());
    }

    // The registry projector's rows and position are gone, as if it were a new version.
    let pool = app.db().raw_pool();
    sqlx::query("DELETE FROM views WHERE view_name IN ('institutions', 'actors')")
        .execute(pool)
        .await
        .expect("clear the registry's read models");
    sqlx::query("DELETE FROM projection_positions WHERE name = 'registry.v1'")
        .execute(pool)
        .await
        .expect("forget the registry projector's position");
    let reached = engine::projector::catch_up_once(app.db().clone())
        .await
        .expect("the projectors catch up");
    assert_eq!(
        reached,
        app.tree_size().await,
        "every projector at the head"
    );
    for (path, was) in reads.iter().zip(&before) {
        assert_eq!(&app.get(path).await.text(), was, "{path} after the rebuild");
    }
}

async fn a_write_is_visible_in_the_read_models_right_after_its_201(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.submit(
        &app.admin,
        "RegisterInstitution",
        "institution/MCC",
        json!({"name": "Ministry of Culture", "kind": "ministry"}),
    )
    .await
    .created();
    // No sleep, no polling: read-your-writes is part of the 201.
    let reply = app.get("/v1/institutions/MCC").await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json["id"], "MCC");
    assert_eq!(reply.json["name"], "Ministry of Culture");
    assert_eq!(reply.json["kind"], "ministry");

    let key = new_key();
    app.submit(
        &app.admin,
        "RegisterActor",
        "registry/leila",
        json!({"public_key": public_b64(&key), "name": "Leila", "institution": "MCC",
               "roles": ["publisher", "drafter"]}),
    )
    .await
    .created();
    let actor = app.get("/v1/actors/leila").await;
    assert_eq!(actor.json["status"], "active", "{}", actor.text());
    assert_eq!(actor.json["public_key"], public_b64(&key));

    app.submit(
        &app.admin,
        "RevokeActor",
        "registry/leila",
        json!({"reason": "mandate ended"}),
    )
    .await
    .created();
    let actor = app.get("/v1/actors/leila").await;
    assert_eq!(actor.json["status"], "revoked", "{}", actor.text());

    let list = app.get("/v1/institutions").await;
    assert_eq!(list.status.as_u16(), 200);
    assert!(
        list.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "MCC"),
        "{}",
        list.text()
    );
    app.get("/v1/institutions/NOPE")
        .await
        .assert_error(404, "not_found");
    app.get("/v1/actors/nobody")
        .await
        .assert_error(404, "not_found");

    // The audit trail: both entries of the actor's stream, each verified.
    let trail = app.get("/v1/streams/registry/leila").await;
    assert_eq!(trail.status.as_u16(), 200, "{}", trail.text());
    let entries = trail.json["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    for (i, item) in entries.iter().enumerate() {
        assert_eq!(item["status"]["verified"], true, "entry {i}: {item}");
        assert_eq!(item["entry"]["seq"], i as u64 + 1);
    }
    assert_eq!(entries[1]["entry"]["type"], "ActorRevoked");
    app.get("/v1/streams/registry/nobody")
        .await
        .assert_error(404, "not_found");

    // /healthz: exactly the documented body, with the signed tree size and the read
    // models' position, which the last write's read-your-writes answer waited for.
    let health = app.get("/healthz").await;
    assert_eq!(health.status.as_u16(), 200);
    let size = app.tree_size().await;
    assert_eq!(
        health.json,
        json!({"status": "ok", "tree_size": size, "projected": size})
    );
}

async fn the_log_endpoints_serve_the_signed_canonical_bytes(backend: Backend) {
    let app = TestApp::start(backend).await;
    for i in 0..4 {
        app.register_institution(&format!("E{i}"), &format!("Établissement n° {i} — «test»"))
            .await;
    }
    let size = app.tree_size().await;
    assert_eq!(size, 5);

    let key = app.get("/v1/log/key").await;
    assert!(
        key.content_type.starts_with("text/plain"),
        "{}",
        key.content_type
    );
    assert_eq!(key.text().trim_end(), app.log_key.to_string());
    let checkpoint = app.get("/v1/log/checkpoint").await;
    assert!(checkpoint.content_type.starts_with("text/plain"));

    let reply = app.get("/v1/log/entries?start=1&limit=3").await;
    assert_eq!(reply.status.as_u16(), 200);
    assert!(
        reply.content_type.starts_with("application/x-ndjson"),
        "{}",
        reply.content_type
    );
    let lines = split_lines(&reply.bytes);
    assert_eq!(lines.len(), 3);
    for (offset, line) in lines.iter().enumerate() {
        let index = offset as u64 + 1;
        let signed = parse_entry(line, &app.log_key);
        assert_eq!(signed.entry.index, index);
        // Canonical bytes exactly as signed: re-encoding changes nothing.
        let value = ledger::canonical::parse(line).unwrap();
        assert_eq!(&ledger::canonical::to_bytes(&value).unwrap(), line);
        // The single-entry endpoint serves the same bytes.
        let one = app.get(&format!("/v1/log/entries/{index}")).await;
        assert_eq!(one.status.as_u16(), 200);
        assert_eq!(&one.bytes, line);
    }
    assert_eq!(
        parse_entry(&app.entry_lines(0, 1).await[0], &app.log_key)
            .entry
            .stream,
        "registry/admin"
    );
    assert!(
        app.entry_lines(size, 10).await.is_empty(),
        "nothing past the tree size"
    );
    assert_eq!(app.entry_lines(3, 1000).await.len() as u64, size - 3);
    app.get(&format!("/v1/log/entries/{size}"))
        .await
        .assert_error(404, "not_found");
    let reply = app.get("/v1/log/entries?start=-1").await;
    assert_eq!(reply.status.as_u16(), 400);
    reply.assert_error_shape();

    // Unknown resources answer 404 in the same format.
    app.get("/v1/no-such-thing")
        .await
        .assert_error(404, "not_found");
    let openapi = app.get("/openapi.json").await;
    assert_eq!(openapi.status.as_u16(), 200);
    assert!(
        openapi.json.get("paths").is_some(),
        "the OpenAPI document has paths"
    );
}

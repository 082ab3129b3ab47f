//! The log as C2SP tlog-tiles (docs/tiles.md): tiles served under `/log/` give the same
//! roots and proofs as `/v1/log`, with the documented cache headers and errors; `sijill
//! mirror` writes a folder that a plain static file server serves as the same paths, which
//! mirrors and verifies again, incrementally, and is refused when it does not extend the
//! mirror's checkpoint; a tampered mirror fails `sijill verify` with `index I: <reason>`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use audit::Failure;
use client::mirror::{mirror, MirrorError};
use client::verify::VerifyOutcome;
use ledger::merkle::{self, NodeId};
use ledger::tiles::{self, TileId, TileKind};
use ledger::{Checkpoint, Hash, NoteSigner};
use serde_json::json;

use crate::proofs::hashes_of;
use crate::public_channel::Consultation;
use crate::support::{run_binary, verify_folder, Api, Backend};

both_backends!(
    tiles_agree_with_the_log_api,
    a_mirror_on_a_plain_file_server_verifies_and_updates,
    a_tampered_mirror_fails_verification,
);

/// A consultation with two public comments (whose texts are documents), grown past one
/// full tile of entries.
async fn log_with_documents(backend: Backend, at_least: u64) -> Consultation {
    let c = Consultation::open(backend, 10_000).await;
    for text in [
        "Je soutiens l'article 1.",
        "L'article 2 doit préciser les délais.",
    ] {
        c.accepted(&json!({"text": text, "article": null})).await;
    }
    grow(&c, at_least).await;
    c
}

/// Registers institutions until the log has at least `size` entries.
async fn grow(c: &Consultation, size: u64) {
    let mut next = c.tree_size().await;
    while next < size {
        c.accept(
            &c.admin,
            "RegisterInstitution",
            &format!("institution/T{next}"),
            json!({"name": format!("Institution {next}"), "kind": "other"}),
            "InstitutionRegistered",
        )
        .await;
        next += 1;
    }
}

/// Every hash tile of the current tree, by (kind, index), as served.
async fn fetch_tiles(api: &Api, size: u64) -> HashMap<(TileKind, u64), Vec<u8>> {
    let mut found = HashMap::new();
    for tile in tiles::tiles_for_size(size) {
        let reply = api.get(&format!("/log/{}", tile.path())).await;
        assert_eq!(
            reply.status.as_u16(),
            200,
            "{}: {}",
            tile.path(),
            reply.text()
        );
        assert_eq!(reply.bytes.len(), usize::from(tile.width) * 32);
        found.insert((tile.kind, tile.index), reply.bytes);
    }
    found
}

fn from_tiles(tiles: &HashMap<(TileKind, u64), Vec<u8>>, plan: &[Vec<NodeId>]) -> Vec<Hash> {
    merkle::assemble(plan, |id| {
        let location = tiles::locate(id);
        let bytes = tiles.get(&(location.tile.kind, location.tile.index))?;
        tiles::node_hash_in_tile(&location, bytes)
    })
    .expect("every node a plan needs is in the tiles")
}

fn cache_control(reply: &reqwest::Response) -> String {
    reply
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn tiles_agree_with_the_log_api(backend: Backend) {
    let c = log_with_documents(backend, 300).await;
    let (note, checkpoint) = c.checkpoint().await;
    let size = checkpoint.size;
    assert!(
        (300..512).contains(&size),
        "one full tile and a partial one"
    );

    // The checkpoint is the same signed note at both paths.
    let at_tiles = c.get("/log/checkpoint").await;
    assert_eq!(at_tiles.status.as_u16(), 200);
    assert_eq!(at_tiles.text(), note);

    // Full tiles are immutable; partial ones are not cached for long.
    let full = c.http.get(c.url("/log/tile/0/000")).send().await.unwrap();
    assert_eq!(cache_control(&full), "public, max-age=31536000, immutable");
    let partial_path = format!("/log/tile/0/001.p/{}", size - 256);
    let partial = c.http.get(c.url(&partial_path)).send().await.unwrap();
    assert_eq!(partial.status().as_u16(), 200);
    assert_eq!(cache_control(&partial), "public, max-age=5");

    // Entry bundles hold the entries' canonical bytes, length-prefixed.
    let entries = c.all_entries().await;
    for bundle in tiles::bundles_for_size(size) {
        let reply = c.get(&format!("/log/{}", bundle.path())).await;
        assert_eq!(reply.status.as_u16(), 200, "{}", bundle.path());
        let held = tiles::bundle_entries(&reply.bytes).expect("a well-formed bundle");
        let first = bundle.first_leaf() as usize;
        assert_eq!(held.len(), usize::from(bundle.width));
        for (offset, entry) in held.iter().enumerate() {
            assert_eq!(*entry, entries[first + offset].as_slice());
        }
    }

    // Roots and proofs computed from the tiles are the ones /v1/log serves.
    let tiles = fetch_tiles(&c, size).await;
    assert_eq!(
        from_tiles(&tiles, &[merkle::root_plan(size)])[0],
        checkpoint.root
    );
    for (index, at) in [
        (0, size),
        (5, size),
        (255, size),
        (256, size),
        (size - 1, size),
        (3, 257),
    ] {
        let served = c
            .get(&format!("/v1/log/proof/inclusion?index={index}&size={at}"))
            .await;
        let plan = merkle::inclusion_plan(index, at).unwrap();
        assert_eq!(
            from_tiles(&tiles, &plan),
            hashes_of(&served.json),
            "{index} in {at}"
        );
    }
    for (from, to) in [(1, size), (256, size), (257, size), (100, 300)] {
        let served = c
            .get(&format!("/v1/log/proof/consistency?from={from}&to={to}"))
            .await;
        let plan = merkle::consistency_plan(from, to).unwrap();
        assert_eq!(
            from_tiles(&tiles, &plan),
            hashes_of(&served.json),
            "{from} to {to}"
        );
    }

    // Beyond the tree: 404; not a tile path: 400; both with the JSON error body.
    for beyond in [
        "/log/tile/0/001".to_owned(),
        format!("/log/tile/0/001.p/{}", size - 255),
        "/log/tile/1/000".to_owned(),
        "/log/tile/entries/002.p/1".to_owned(),
    ] {
        c.get(&beyond).await.assert_error(404, "not_found");
    }
    for bad in [
        "/log/tile/0/1",
        "/log/tile/0/x000/001",
        "/log/tile/0/000.p/256",
        "/log/tile/64/000",
        "/log/tile/entries",
    ] {
        c.get(bad).await.assert_error(400, "invalid_tile_path");
    }
}

/// Serves `dir` with a plain static file server (tower-http's `ServeDir`, as any web
/// server or CDN would): the mirror's only server.
pub async fn serve_folder(dir: &Path) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn mirror_ok(source: &str, out: &Path) -> u64 {
    mirror(source, out)
        .await
        .unwrap_or_else(|e| panic!("mirror {source} into {}: {e:?}", out.display()))
}

async fn assert_verifies(dir: &Path, checkpoint: &Checkpoint) {
    assert_eq!(
        verify_folder(dir).await,
        VerifyOutcome::Verified {
            size: checkpoint.size,
            root: checkpoint.root
        },
        "{} does not verify as the checkpoint says",
        dir.display()
    );
}

async fn a_mirror_on_a_plain_file_server_verifies_and_updates(backend: Backend) {
    let c = log_with_documents(backend, 260).await;
    let (_, first) = c.checkpoint().await;
    let primary = c.scratch().join("mirror");
    assert_eq!(mirror_ok(&c.base, &primary).await, first.size);
    assert_verifies(&primary, &first).await;
    let documents = std::fs::read_dir(primary.join("documents"))
        .unwrap()
        .count();
    assert_eq!(documents, 2, "both comments' texts are mirrored");

    // A plain file server over the folder is a source like the server itself.
    let static_url = serve_folder(&primary).await;
    let second = c.scratch().join("mirror-of-mirror");
    assert_eq!(mirror_ok(&static_url, &second).await, first.size);
    assert_verifies(&second, &first).await;

    // The log grows: the mirror fetches what is new, keeps its full tiles, drops the
    // partial tiles the new size replaced, and verifies at the new size.
    let full_tile = primary.join("log/tile/0/000");
    let written = std::fs::metadata(&full_tile).unwrap().modified().unwrap();
    let old_partial = primary.join(format!("log/tile/entries/001.p/{}", first.size - 256));
    assert!(old_partial.is_file());
    grow(&c, first.size + 20).await;
    let (_, grown) = c.checkpoint().await;
    assert_eq!(mirror_ok(&c.base, &primary).await, grown.size);
    assert_eq!(
        std::fs::metadata(&full_tile).unwrap().modified().unwrap(),
        written
    );
    assert!(!old_partial.exists(), "the old partial bundle is gone");
    assert_verifies(&primary, &grown).await;
    // ...and the mirror of the mirror follows through the static server.
    assert_eq!(mirror_ok(&static_url, &second).await, grown.size);
    assert_verifies(&second, &grown).await;

    // A mirror holding a checkpoint the source's log does not extend is refused, and
    // left as it was. The forged checkpoint is signed with the real log key: only the
    // consistency proof can tell.
    let forked = c.scratch().join("forked");
    mirror_ok(&c.base, &forked).await;
    let log_key = keys::load(&c.scratch().join("data/keys/log.key")).unwrap();
    let signer = NoteSigner::new(&grown.origin, log_key);
    let fork = Checkpoint {
        origin: grown.origin.clone(),
        size: grown.size - 3,
        root: [7; 32],
    }
    .sign(&signer)
    .unwrap();
    std::fs::write(forked.join("log/checkpoint"), &fork).unwrap();
    grow(&c, grown.size + 1).await;
    match mirror(&c.base, &forked).await {
        Err(MirrorError::Refused(message)) => {
            assert!(message.contains("not consistent"), "{message}")
        }
        other => panic!("an inconsistent mirror must be refused: {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(forked.join("log/checkpoint")).unwrap(),
        fork
    );

    // The binary: exit 0 and the verified line on a mirror, exit 1 when refused.
    let (code, stdout, stderr) = run_binary(&["verify", second.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.starts_with(&format!("verified {} entries, root ", grown.size)));
    let (code, _, stderr) = run_binary(&[
        "mirror",
        "--server",
        &c.base,
        "--out",
        forked.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1, "{stderr}");
}

/// A copy of a folder tree, so each tampering starts from a good mirror.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_tree(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

fn failed(outcome: VerifyOutcome) -> Failure {
    match outcome {
        VerifyOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

async fn a_tampered_mirror_fails_verification(backend: Backend) {
    let c = log_with_documents(backend, 270).await;
    let (_, checkpoint) = c.checkpoint().await;
    let good = c.scratch().join("mirror");
    mirror_ok(&c.base, &good).await;
    assert_verifies(&good, &checkpoint).await;
    let mut copies = 0;
    let mut tampered = |change: &dyn Fn(&Path)| {
        copies += 1;
        let dir: PathBuf = c.scratch().join(format!("tampered-{copies}"));
        copy_tree(&good, &dir);
        change(&dir.join("log"));
        dir
    };
    let flip = |path: PathBuf, at: usize| {
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[at] ^= 1;
        std::fs::write(&path, bytes).unwrap();
    };

    // One hash of a level-0 tile: reported at that entry.
    let dir = tampered(&|log| flip(log.join("tile/0/000"), 5 * 32 + 7));
    let failure = failed(verify_folder(&dir).await);
    assert_eq!(
        failure.to_string(),
        "index 5: tile/0/000: hash 5 does not match the entries"
    );

    // The level-1 tile (one hash over entries 0..256): reported at entry 0.
    let dir = tampered(&|log| flip(log.join("tile/1/000.p/1"), 0));
    let failure = failed(verify_folder(&dir).await);
    assert_eq!(
        failure.to_string(),
        "index 0: tile/1/000.p/1: hash 0 does not match the entries"
    );

    // An entry's bytes in its bundle: reported at that entry, for what is wrong with it.
    let dir = tampered(&|log| {
        let path = log.join("tile/entries/000");
        let bytes = std::fs::read(&path).unwrap();
        let entries = tiles::bundle_entries(&bytes).unwrap();
        // Entry 3's offset in the bundle: lengths and bytes of 0..3, then its own length.
        let offset: usize = entries[..3].iter().map(|e| e.len() + 2).sum::<usize>() + 2;
        let sig = entries[3]
            .windows(7)
            .rposition(|w| w == b"\"sig\":\"")
            .expect("an entry has a sig");
        // Another base64 character: the entry still parses, its signature no longer holds.
        let mut bytes = bytes.clone();
        let at = offset + sig + 7;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        std::fs::write(&path, bytes).unwrap();
    });
    let failure = failed(verify_folder(&dir).await);
    assert_eq!(failure.index, 3, "{failure}");
    assert!(failure.reason.contains("signature"), "{failure}");

    // A missing bundle: reported at its first entry.
    let partial = TileId {
        kind: TileKind::Entries,
        index: 1,
        width: (checkpoint.size - 256) as u16,
    };
    let dir = tampered(&|log| std::fs::remove_file(log.join(partial.path())).unwrap());
    let failure = failed(verify_folder(&dir).await);
    assert_eq!(
        failure.to_string(),
        format!("index 256: {} missing", partial.path())
    );

    // The binary prints the line and exits 1.
    let dir = tampered(&|log| flip(log.join("tile/0/000"), 200 * 32));
    let (code, stdout, _) = run_binary(&["verify", dir.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "index 200: tile/0/000: hash 200 does not match the entries\n"
    );
}

//! Interoperability: Sijill's checkpoints, tiles and proofs checked by code someone else
//! wrote. The `signed_note` and `tlog_tiles` crates (Cloudflare's azul project, a port of
//! Go's `golang.org/x/mod/sumdb` note and tlog packages) verify the checkpoint's signature
//! with the log's verifier key string, parse its body, authenticate the tiles served under
//! `/log/` against the signed root, and compute and check inclusion and consistency proofs
//! from those tiles, which must equal the ones `/v1/log` serves.

use std::collections::HashMap;

use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{
    check_record, check_tree, prove_record, prove_tree, record_hash, Tile, TileHashReader,
    TileReader,
};

use crate::proofs::hashes_of;
use crate::support::{Api, Backend, TestApp};

both_backends!(another_implementation_accepts_our_checkpoints_tiles_and_proofs);

/// Tiles as fetched from a Sijill server at their C2SP paths, handed to `tlog_tiles`.
struct ServedTiles {
    /// Every hash tile of the tree, widest available, by (level, index).
    tiles: HashMap<(u8, u64), Vec<u8>>,
}

impl ServedTiles {
    async fn fetch(api: &Api, size: u64) -> Self {
        let mut tiles = HashMap::new();
        for tile in ledger::tiles::tiles_for_size(size) {
            let ledger::tiles::TileKind::Hashes(level) = tile.kind else {
                continue;
            };
            let reply = api.get(&format!("/log/{}", tile.path())).await;
            assert_eq!(reply.status.as_u16(), 200, "{}", tile.path());
            tiles.insert((level, tile.index), reply.bytes);
        }
        ServedTiles { tiles }
    }
}

impl TileReader for ServedTiles {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let bytes = self
                    .tiles
                    .get(&(t.level(), t.level_index()))
                    .ok_or(tlog_tiles::Error::InvalidTile)?;
                let len = t.width() as usize * 32;
                bytes
                    .get(..len)
                    .map(<[u8]>::to_vec)
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// Opens a note with `signed_note` and parses its body with `tlog_tiles`.
fn open(note: &str, verifier_key: &str) -> Result<tlog_tiles::Checkpoint, String> {
    let verifier = StandardVerifier::new(verifier_key).map_err(|e| e.to_string())?;
    let known = VerifierList::new(vec![Box::new(verifier)]);
    let note = Note::from_bytes(note.as_bytes()).map_err(|e| e.to_string())?;
    note.verify(&known).map_err(|e| e.to_string())?;
    tlog_tiles::Checkpoint::from_bytes(note.text()).map_err(|e| e.to_string())
}

fn theirs(hashes: &[ledger::Hash]) -> Vec<tlog_tiles::Hash> {
    hashes.iter().map(|h| tlog_tiles::Hash(*h)).collect()
}

async fn another_implementation_accepts_our_checkpoints_tiles_and_proofs(backend: Backend) {
    let app = TestApp::start(backend).await;
    let key = app.get("/v1/log/key").await.text().trim().to_owned();
    for i in 0..40 {
        app.register_institution(&format!("A{i}"), "Institution")
            .await;
    }
    let old_note = app.get("/log/checkpoint").await.text();
    let old = open(&old_note, &key).expect("signed_note accepts our checkpoint");
    assert_eq!(old.origin(), app.origin);
    assert_eq!(old.size(), 41);
    for i in 40..300 {
        app.register_institution(&format!("A{i}"), "Institution")
            .await;
    }
    let note = app.get("/log/checkpoint").await.text();
    let checkpoint = open(&note, &key).expect("signed_note accepts our checkpoint");
    let (size, root) = (checkpoint.size(), *checkpoint.hash());
    assert_eq!(size, 301);
    assert_eq!(root.0, app.checkpoint().await.1.root);

    // A checkpoint altered after signing, or checked with another key, is refused by
    // their code too: the acceptance above means something.
    let forged = note.replacen("\n301\n", "\n300\n", 1);
    assert!(open(&forged, &key).is_err());
    let other = ledger::NoteSigner::new(&app.origin, crate::support::new_key()).verifier();
    assert!(open(&note, &other.to_string()).is_err());

    // Their tile reader authenticates our tiles against the signed root, then proves.
    let served = ServedTiles::fetch(&app, size).await;
    let reader = TileHashReader::new(size, root, &served);
    let entries = app.all_entries().await;
    for index in [0, 1, 100, 255, 256, 300] {
        let proof = prove_record(size, index, &reader).expect("tlog_tiles proves from our tiles");
        let leaf = record_hash(&entries[index as usize]);
        check_record(&proof, size, root, index, leaf).expect("and the proof checks");
        let ours = app
            .get(&format!(
                "/v1/log/proof/inclusion?index={index}&size={size}"
            ))
            .await;
        assert_eq!(
            proof,
            theirs(&hashes_of(&ours.json)),
            "inclusion of {index}"
        );
    }
    let proof = prove_tree(size, old.size(), &reader).expect("a consistency proof from tiles");
    check_tree(&proof, size, root, old.size(), *old.hash()).expect("that checks");
    let ours = app
        .get(&format!(
            "/v1/log/proof/consistency?from={}&to={size}",
            old.size()
        ))
        .await;
    assert_eq!(proof, theirs(&hashes_of(&ours.json)));

    // A tile altered in transit (the hash of entry 0, which entry 1's proof needs) gives
    // no proof that their code accepts.
    let mut bad = ServedTiles::fetch(&app, size).await;
    bad.tiles.get_mut(&(0, 0)).unwrap()[0] ^= 1;
    let reader = TileHashReader::new(size, root, &bad);
    let leaf = record_hash(&entries[1]);
    let checked =
        prove_record(size, 1, &reader).and_then(|proof| check_record(&proof, size, root, 1, leaf));
    assert!(
        checked.is_err(),
        "a proof from a tampered tile was accepted"
    );
}

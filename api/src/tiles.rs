//! The log as C2SP tlog-tiles under `/log/`: `GET /log/checkpoint`,
//! `GET /log/tile/<L>/<N>[.p/<W>]` and `GET /log/tile/entries/<N>[.p/<W>]` (docs/tiles.md).
//!
//! Every response is a static file's worth of bytes, so that `sijill mirror` can write
//! them to disk and any plain file server can serve the same paths. Full tiles never
//! change and are marked immutable; a partial tile's bytes never change either, but it is
//! replaced by a wider one as the log grows, so it gets a short max-age.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ledger::tiles::{self, TileId, TileKind, TILE_HEIGHT, TILE_WIDTH};

use crate::error::ApiError;
use crate::AppState;

/// The cache policy of a full tile: it is immutable (the tlog-tiles spec asks for it).
pub const FULL_TILE_CACHE: &str = "public, max-age=31536000, immutable";
/// A partial tile and the checkpoint change as the log grows.
pub const SHORT_CACHE: &str = "public, max-age=5";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/tile/{*path}", get(tile))
}

/// The same signed note as `/v1/log/checkpoint`.
async fn checkpoint(State(service): State<AppState>) -> Result<Response, ApiError> {
    let (_, note) = service.db.state().await?;
    let note = note.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_genesis",
            "the log has no checkpoint yet",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        // With the witnesses' cosignatures once they have answered, as /v1/log/checkpoint.
        service.cosignatures.serve(&note),
    )
        .into_response())
}

async fn tile(
    State(service): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let tile = tiles::path::parse(&format!("tile/{path}")).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_tile_path",
            "expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] as in C2SP tlog-tiles",
        )
    })?;
    // The committed size from the state row: its nodes and entries committed with it.
    let size = service.db.state().await?.0.tree_size;
    if !tile.exists_at(size) {
        return Err(ApiError::not_found(format!(
            "{} is beyond the tree of size {size}",
            tile.path()
        )));
    }
    let body = match tile.kind {
        TileKind::Hashes(level) => hash_tile(&service, &tile, level).await?,
        TileKind::Entries => entry_bundle(&service, &tile).await?,
    };
    let cache = if tile.is_full() {
        FULL_TILE_CACHE
    } else {
        SHORT_CACHE
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response())
}

fn first_of(tile: &TileId) -> u64 {
    tile.index * u64::from(TILE_WIDTH)
}

async fn hash_tile(service: &AppState, tile: &TileId, level: u8) -> Result<Vec<u8>, ApiError> {
    // `exists_at` held, so level * 8 < 64.
    let hashes = service
        .db
        .level_hashes(level * TILE_HEIGHT, first_of(tile), u64::from(tile.width))
        .await?;
    if hashes.len() != usize::from(tile.width) {
        return Err(ApiError::internal(&format!(
            "tree_nodes lacks hashes of {}",
            tile.path()
        )));
    }
    Ok(hashes.concat())
}

async fn entry_bundle(service: &AppState, tile: &TileId) -> Result<Vec<u8>, ApiError> {
    let rows = service
        .db
        .entries(first_of(tile), u64::from(tile.width))
        .await?;
    if rows.len() != usize::from(tile.width) {
        return Err(ApiError::internal(&format!(
            "events lacks entries of {}",
            tile.path()
        )));
    }
    let mut bundle = Vec::new();
    for (_, bytes) in rows {
        tiles::push_bundle_entry(&mut bundle, &bytes).map_err(|e| ApiError::internal(&e))?;
    }
    Ok(bundle)
}

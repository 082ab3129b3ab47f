//! `GET /v1/exports/comments.csv` (docs/spec/api.md): every comment of every consultation, one row
//! each, streamed. The file grows with public input, so it is never built whole: the
//! consultations are read a page at a time, and each one's comment rows a chunk at a
//! time (each chunk from where the last ended), with the texts of that chunk only,
//! written to the answer as they are read. The bytes are those of
//! `projections::participation::comments_csv::write` over the same rows.
//!
//! The first page is read before the answer starts, so a store that cannot be read is
//! still a 503; a failure later can only cut the transfer short (the client sees an
//! incomplete body, never a file that looks whole).

use std::collections::VecDeque;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use projections::participation::comments::StoredComment;
use projections::participation::comments_csv::{self, Texts};
use projections::participation::consultation_view::ConsultationRow;
use projections::participation::consultations::CONSULTATIONS;

use crate::error::ApiError;
use crate::AppState;
use engine::reads::consultation_comments::comments_after;
use engine::reads::consultation_views::public_texts;
use store::{Order, ViewQuery};

/// Consultations read from the store at a time.
pub const CONSULTATIONS_PER_PAGE: u64 = 10;
/// Comments written (and whose texts are read) at a time.
pub const COMMENTS_PER_CHUNK: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/exports/comments.csv", get(comments_csv_file))
}

async fn comments_csv_file(State(service): State<AppState>) -> Result<Response, ApiError> {
    service.await_read_models().await;
    let first = consultations_page(&service, 0).await?;
    let header = comments_csv::header().map_err(|e| ApiError::internal(&e))?;
    let export = Export {
        service,
        next_offset: first.len() as u64,
        last_page_full: first.len() as u64 == CONSULTATIONS_PER_PAGE,
        page: first.into(),
        current: None,
    };
    let stream = futures_util::stream::try_unfold(
        (export, Some(header)),
        |(mut export, header)| async move {
            if let Some(header) = header {
                return Ok(Some((Bytes::from(header), (export, None))));
            }
            let chunk = export.next_chunk().await.inspect_err(|e| {
                tracing::error!(error = %e, "comments.csv cut short");
            })?;
            Ok::<_, ApiError>(chunk.map(|bytes| (Bytes::from(bytes), (export, None))))
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"comments.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Where the export is: the page of consultations read and not yet written, and the
/// consultation being written with the number of its last comment written (`None`
/// before the first).
struct Export {
    service: AppState,
    page: VecDeque<ConsultationRow>,
    next_offset: u64,
    last_page_full: bool,
    current: Option<(ConsultationRow, Option<u64>)>,
}

impl Export {
    /// The next rows of the file, `None` at its end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        loop {
            if let Some((consultation, written)) = &mut self.current {
                let limit = u64::try_from(COMMENTS_PER_CHUNK).unwrap_or(u64::MAX);
                let chunk =
                    comments_after(&self.service, &consultation.id, *written, limit).await?;
                if let Some(last) = chunk.last() {
                    *written = Some(last.number);
                    let chunk: Vec<&StoredComment> = chunk.iter().collect();
                    let texts = chunk_texts(&self.service, consultation, &chunk).await?;
                    let rows = comments_csv::rows(consultation, &chunk, &texts)
                        .map_err(|e| ApiError::internal(&e))?;
                    return Ok(Some(rows));
                }
                self.current = None;
            }
            if let Some(consultation) = self.page.pop_front() {
                self.current = Some((consultation, None));
                continue;
            }
            if !self.last_page_full {
                return Ok(None);
            }
            let page = consultations_page(&self.service, self.next_offset).await?;
            self.next_offset += page.len() as u64;
            self.last_page_full = page.len() as u64 == CONSULTATIONS_PER_PAGE;
            self.page = page.into();
        }
    }
}

/// A page of the consultations view, oldest first (new consultations come last, so a
/// page boundary neither skips nor repeats one while the file is written).
async fn consultations_page(
    service: &AppState,
    offset: u64,
) -> Result<Vec<ConsultationRow>, ApiError> {
    let (rows, _) = service
        .db
        .view_query_page(
            &ViewQuery::new(CONSULTATIONS, Order::Oldest),
            offset,
            CONSULTATIONS_PER_PAGE,
        )
        .await?;
    rows.iter()
        .map(|r| ConsultationRow::from_text(&r.row).map_err(|e| ApiError::internal(&e)))
        .collect()
}

/// The texts the public may read of `chunk` (comments of `consultation`), in one round
/// trip, keyed as the CSV writer reads them.
async fn chunk_texts(
    service: &AppState,
    consultation: &ConsultationRow,
    chunk: &[&StoredComment],
) -> Result<Texts, ApiError> {
    Ok(public_texts(service, chunk)
        .await?
        .into_iter()
        .map(|(n, text)| ((consultation.id.clone(), n), text))
        .collect())
}

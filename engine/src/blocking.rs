//! CPU-heavy work of a request (a stream's signature checks, an article diff) runs on
//! tokio's blocking threads rather than on the async workers that serve every other
//! request, and only so many at once: beyond [`AT_ONCE`], a request waits its turn.

use tokio::sync::Semaphore;

use crate::refusal::Refusal;

/// Pieces of CPU-heavy request work running at once, across all requests.
pub const AT_ONCE: usize = 4;

static TURNS: Semaphore = Semaphore::const_new(AT_ONCE);

/// Runs `work` on a blocking thread, at most [`AT_ONCE`] at a time.
///
/// # Errors
/// 500 if the work panicked.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    let _turn = TURNS.acquire().await.map_err(|e| Refusal::internal(&e))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Refusal::internal(&e))
}

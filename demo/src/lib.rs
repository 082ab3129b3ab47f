//! `sijill serve --demo`: on an empty store, record a realistic story of public support to
//! associations (Moroccan institutions, their officials, associations across the twelve
//! regions, calls of several fiscal years from publication to final report) through the
//! same signed-statement path a client uses, then serve it (docs/demo.md).
//!
//! The domain reads time from the ledger's clock, so the demo holds the server's
//! [`ScriptableClock`] at each step's instant: the log's genesis and story lie in the past
//! two years, end before the present, and the live server then continues on real time.
//!
//! - [`calendar`]: days, instants and the time frame taken from the present;
//! - [`seed`]: the seeded generator behind every choice;
//! - [`institutions`], [`associations`], [`programmes`]: the cast and the calls;
//! - [`story`]: the acts, written as [`script`] steps;
//! - [`recorder`]: signing and submitting them.

mod associations;
mod calendar;
mod institutions;
mod participation;
mod programmes;
mod recorder;
mod script;
mod seed;
mod story;
mod trainings;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use domain::Clock;
use indicatif::{ProgressBar, ProgressStyle};
use ledger::Timestamp;

use calendar::{Day, Frame};
use engine::clock::{ScriptableClock, SystemClock};
use engine::service::Service;
use recorder::Recorder;
use script::Step;
use seed::Seeded;

/// The origin of a demo log started without `--origin`: it says the log is a demo, and
/// it differs from a real log's default, so a demo's statements can never be replayed on
/// a real log (statements are bound to their origin).
pub const DEMO_ORIGIN: &str = "sijill.local/ledger-demo";

/// Every demo tells the same story about the same associations; only its dates follow
/// the present.
const SEED: u64 = 0x5131_11A1_2026_0003;

/// A demo planned from the present, ready to record.
pub struct Demo {
    clock: Arc<ScriptableClock>,
    frame: Frame,
    steps: Vec<Step>,
}

impl Demo {
    /// Writes the story for the present; `clock` is the server's, which the demo drives.
    pub fn plan(clock: Arc<ScriptableClock>) -> Self {
        let frame = Frame::new(SystemClock.now());
        let steps = story::write(&frame, &Seeded::new(SEED));
        Self {
            clock,
            frame,
            steps,
        }
    }

    /// Holds the clock at the story's first instant, so that a new log's genesis entry is
    /// recorded there. Call it only before the genesis of an empty store: the clock only
    /// ever moves forward in a log.
    pub fn rewind_clock(&self) {
        self.clock.set(self.frame.start);
    }

    /// Records the story if the log holds nothing but a genesis older than the story, and
    /// returns the closing line to print. The clock is back on real time afterwards,
    /// whatever happened.
    ///
    /// # Errors
    /// A step the server refused (the story is then incomplete, and a restart adds
    /// nothing: start again on an empty store).
    pub async fn record(self, service: &Service, data: &Path) -> Result<String, String> {
        let outcome = self.record_story(service, data).await;
        self.clock.release();
        outcome
    }

    async fn record_story(&self, service: &Service, data: &Path) -> Result<String, String> {
        let (state, _) = service
            .db
            .state()
            .await
            .map_err(|e| format!("cannot read the log's state: {e}"))?;
        let (Some(first), Some(last)) = (self.steps.first(), self.steps.last()) else {
            return Ok("demo: the story is empty; nothing recorded\n".to_owned());
        };
        let genesis = state
            .last_recorded_at
            .as_deref()
            .and_then(|t| Timestamp::parse_entry(t).ok());
        if state.tree_size != 1 || genesis.is_none_or(|g| g >= first.at) {
            return Ok(format!(
                "demo: the store already holds a log of {} entries; nothing added\n",
                state.tree_size
            ));
        }
        let mut recorder = Recorder::new(service, &self.clock, data)?;
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(self.steps.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} demo: statement {pos}/{len} [{bar:40}] {msg} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        for step in &self.steps {
            bar.set_message(Day::of(step.at).iso());
            if let Err(e) = recorder.record(step).await {
                bar.abandon();
                return Err(e);
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        // The portal should show the whole story from the first request on.
        service.await_read_models().await;
        let years: Vec<String> = self.frame.fiscal_years.iter().map(i64::to_string).collect();
        Ok(format!(
            "demo: recorded {} statements, {} to {} (fiscal years {}); the demo's keys are in {}\n",
            self.steps.len(),
            Day::of(first.at).iso(),
            Day::of(last.at).iso(),
            years.join(", "),
            recorder.key_dir().display()
        ))
    }
}

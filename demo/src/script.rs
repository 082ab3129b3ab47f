//! The story as a list of steps to sign: who signs which command on which stream, with
//! which body, at which instant of the scripted clock. Steps are written per actor and
//! per call, then put in time order; any prefix of that order is a consistent story
//! (everything a step relies on happened before it), which is what lets the demo stop at
//! the present wherever the present falls.

use ledger::Timestamp;
use serde_json::Value;

/// Who signs a step: the genesis administrator, or the actor with this `registry/<id>`.
pub const ADMIN: &str = "admin";

/// One statement of the story.
#[derive(Clone, Debug)]
pub struct Step {
    pub at: Timestamp,
    /// [`ADMIN`] or an actor id.
    pub signer: String,
    pub command: &'static str,
    pub stream: String,
    pub body: Value,
    /// `RegisterActor` of a demo key: the actor whose public key the recorder writes into
    /// the body's `public_key` (keys are made at recording time, the story is not).
    pub registers_key: Option<String>,
    /// A document the signer uploads just before the statement that names it.
    pub document: Option<Vec<u8>>,
}

impl Step {
    pub fn new(
        at: Timestamp,
        signer: &str,
        command: &'static str,
        stream: String,
        body: Value,
    ) -> Self {
        Self {
            at,
            signer: signer.to_owned(),
            command,
            stream,
            body,
            registers_key: None,
            document: None,
        }
    }
}

/// The steps of a story in the order they are recorded.
#[derive(Clone, Debug, Default)]
pub struct Script {
    steps: Vec<Step>,
}

impl Script {
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Puts the steps in time order and keeps those before `cutoff`. Steps written for the
    /// same instant keep the order they were written in (a declaration before its score),
    /// and each gets its own second, so that `recorded_at` never stands still and the log
    /// reads as a sequence of distinct acts.
    pub fn finish(mut self, cutoff: Timestamp) -> Vec<Step> {
        self.steps.sort_by_key(|s| s.at);
        let mut last: Option<Timestamp> = None;
        for step in &mut self.steps {
            if let Some(previous) = last {
                if step.at <= previous {
                    step.at = previous.plus_millis(1_000);
                }
            }
            last = Some(step.at);
        }
        self.steps.retain(|s| s.at < cutoff);
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(ms: i64, n: u64) -> Step {
        Step::new(
            Timestamp::from_millis(ms),
            ADMIN,
            "RegisterInstitution",
            format!("institution/I{n}"),
            json!({}),
        )
    }

    #[test]
    fn steps_come_out_in_time_order_distinct_and_before_the_cutoff() {
        let mut script = Script::default();
        for (ms, n) in [(5_000, 1), (1_000, 2), (5_000, 3), (90_000, 4)] {
            script.push(step(ms, n));
        }
        let steps = script.finish(Timestamp::from_millis(60_000));
        let streams: Vec<_> = steps.iter().map(|s| s.stream.as_str()).collect();
        assert_eq!(
            streams,
            ["institution/I2", "institution/I1", "institution/I3"]
        );
        assert_eq!(steps[2].at, Timestamp::from_millis(6_000));
    }
}

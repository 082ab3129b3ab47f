//! The demo's capacity building: training sessions of the reference framework over the
//! story's years, in several regions, each attended by associations registered before it,
//! so every training indicator has a value.

use serde_json::json;

use super::associations::Association;
use super::calendar::{Day, Frame};
use super::script::Step;
use super::seed::Seeded;

/// `(trainer actor, institution)` giving sessions.
const TRAINERS: [(&str, &str); 2] = [("ads.trainer", "ADS"), ("en.trainer", "EN")];
const MODULES: [&str; 9] = [
    "GOV", "FIN", "PRJ", "MEL", "DIG", "ADV", "LEG", "FUN", "COM",
];
/// Sessions per year, a month apart from February.
const SESSIONS_PER_YEAR: i64 = 8;

/// The sessions, each recorded the day after it took place.
pub fn steps(frame: &Frame, seed: &Seeded, associations: &[Association]) -> Vec<Step> {
    let mut rng = seed.fork("trainings");
    let mut steps = Vec::new();
    let mut n = 0;
    for &year in &frame.fiscal_years {
        for k in 0..SESSIONS_PER_YEAR {
            n += 1;
            let day = Day::ymd(year, 2 + k, 3 + rng.between(0, 20));
            let (trainer, institution) = TRAINERS[n % TRAINERS.len()];
            let module = MODULES[(n * 4) % MODULES.len()];
            // Sessions are held where associations are: the region of a registered one.
            let known: Vec<&Association> =
                associations.iter().filter(|a| a.recorded < day).collect();
            let Some(host) = rng.pick(&known) else {
                continue;
            };
            let region = host.region;
            let mut attending: Vec<&str> = known
                .iter()
                .filter(|a| a.region == region)
                .map(|a| a.id.as_str())
                .collect();
            attending.truncate(12);
            steps.push(Step::new(
                day.plus(1).at(10, 30),
                trainer,
                "RecordTrainingSession",
                format!("training/FORM-{year}-{n:02}"),
                json!({"institution": institution, "module": module, "date": day.iso(),
                       "region": region, "trainer_institution": institution,
                       "associations": attending, "hours": 6 + 6 * (n % 3)}),
            ));
        }
    }
    steps
}

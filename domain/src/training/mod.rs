//! Capacity building (MO0057's unified framework): training sessions an institution
//! records, with the module of the reference framework, the date, the region, the
//! trainer institution, the associations that attended and the hours.

pub mod framework;
pub mod session;

pub use framework::MODULES;
pub use session::{
    RecordTrainingSession, TrainingCommand, TrainingEvent, TrainingSession, TrainingSessionRecorded,
};

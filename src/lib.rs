//! surgesim: a discrete-event simulator of booking-day surges.
//!
//! A planner describes a night (who arrives when, what the site can take,
//! how the waiting room admits people) in a scenario file and gets back
//! tables of waits, drops and bookings. The pipeline, one module per arrow:
//!
//! ```text
//! scenario.toml --scenario::load--> Scenario (checked, units resolved)
//!     --model::simulate (on an engine::FutureEvents list)--> stats::Results
//!     --report::render--> timeseries.csv, cohorts.csv, summary.json, charts, report.md
//!     --report::output::write_folder--> outputs/<name>/
//! ```
//!
//! The engine knows nothing of vaccines; the model knows nothing of files;
//! the report knows nothing of events.

pub mod cli;
pub mod compare;
pub mod engine;
pub mod model;
pub mod progress;
pub mod replicate;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;

pub use model::{simulate, simulate_observed, simulate_on, try_simulate, Outcome, QueueKind};
pub use scenario::{load, Scenario};

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
//!     --report::output (claim before the run, write after)--> outputs/<name>/
//! ```
//!
//! Many runs (replications, scenarios side by side, the points of a sweep)
//! are a `batch`: in parallel, each reduced to its figures as it ends, with
//! a progress callback (`batch::Watch`). The engine knows nothing of
//! vaccines; the model knows nothing of files; the report knows nothing of
//! events. `commands` is the command line on top of it all, and nothing
//! below it needs it: a program of your own calls `load`, `batch` and
//! `report` as the command line does.
//!
//! A scenario from text, one simulated night, its headline figures:
//!
//! ```
//! use surgesim::stats::{Headline, RunFigures};
//!
//! let text = r#"
//!     [scenario]
//!     name = "tiny"
//!     duration = "2h"
//!
//!     [[cohort]]
//!     name = "all"
//!     people = 500
//!
//!     [waiting_room]
//!
//!     [backend]
//!     max_sessions = 10
//! "#;
//! let s = surgesim::load_str(text, "tiny.toml".as_ref(), ".".as_ref(), &[]).unwrap();
//! let run = RunFigures::of(&s, surgesim::simulate(&s, 0).results);
//! // Everyone came; nobody booked twice.
//! assert_eq!(*run.headline.get(Headline::People), Some(500.0));
//! assert!(run.headline.get(Headline::Booked).unwrap() <= 500.0);
//! ```
//!
//! Replications give each figure as an estimate, a mean with its 95 %
//! interval:
//!
//! ```
//! use surgesim::stats::{Figures, Headline};
//!
//! let text = "[scenario]\nname = \"r\"\nduration = \"2h\"\n\
//!             [[cohort]]\nname = \"all\"\npeople = 400\n\
//!             [clients]\npatience = { dist = \"exponential\", mean = \"10m\" }\n\
//!             [waiting_room]\n[backend]\nmax_sessions = 3\n";
//! let s = surgesim::load_str(text, "r.toml".as_ref(), ".".as_ref(), &[]).unwrap();
//! let runs = surgesim::batch::replications(&s, 5, surgesim::QueueKind::default(), &surgesim::batch::Quiet).unwrap();
//! let headlines: Vec<_> = runs.iter().map(|r| &r.headline).collect();
//! let booked = Figures::estimate(&headlines).get(Headline::BookedShare).unwrap();
//! assert_eq!(booked.n, 5);
//! let (lo, hi) = (booked.lo.unwrap(), booked.hi.unwrap());
//! assert!(lo <= booked.mean && booked.mean <= hi && hi <= 1.0, "{booked:?}");
//! ```
//!
//! Problems in a scenario come back all at once, each at its line:
//!
//! ```
//! let err = surgesim::load_str("[scenario]\nname = \"x\"\nduration = \"1 hour\"\n",
//!                              "x.toml".as_ref(), ".".as_ref(), &[]).unwrap_err();
//! let text = err.to_string();
//! assert!(text.contains("x.toml:3:12: scenario.duration"), "{text}");
//! assert!(text.contains("no [[cohort]]") || text.contains("cohort"), "{text}");
//! ```

pub mod batch;
pub mod commands;
pub mod engine;
pub mod limits;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;

pub use model::{simulate, simulate_observed, simulate_on, try_simulate, Outcome, QueueKind};
pub use scenario::{load, load_str, Scenario};

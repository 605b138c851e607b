//! Deciding with a stated confidence: the targets a planner sets
//! (`target`) and the search for the least (or greatest) value of a key
//! meeting them (`search`). Pure: the runs come from an `Oracle` the
//! caller provides, so the method is tested on functions with known
//! answers as well as on the simulator.

mod outcome;
mod search;
mod target;

pub use outcome::{mean, Domain, Finding, Outcome, Point, Settings, Verdict};
pub use search::{search, Oracle, GUESSES};
pub use target::{Op, Target};

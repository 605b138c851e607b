//! Integration tests, one file per behaviour, all in one test binary.

mod arrivals;
mod bad_input;
mod cli;
mod common;
mod conservation;
mod determinism;
mod fuzz_regressions;
mod interrupt;
mod mechanisms;
mod queueing;
mod replications;
mod scenarios;
mod theory;

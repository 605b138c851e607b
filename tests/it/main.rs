//! Integration tests, one file per behaviour, all in one test binary.

mod arrivals;
mod bad_input;
mod catch_up;
mod charts;
mod cli;
mod cohort_clients;
mod common;
mod compare;
mod conservation;
mod conventions;
mod crn;
mod determinism;
mod figures;
mod fuzz_regressions;
mod inheritance;
mod interrupt;
mod mechanisms;
mod memory;
mod outputs;
mod plan;
mod provenance;
mod queueing;
mod replications;
mod scenarios;
mod sweeps;
mod theory;

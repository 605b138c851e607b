//! Integration tests, one file per behaviour, all in one test binary.

mod arrivals;
mod bad_input;
mod charts;
mod cli;
mod common;
mod compare;
mod conservation;
mod conventions;
mod crn;
mod determinism;
mod devices;
mod figures;
mod fuzz_regressions;
mod identity;
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

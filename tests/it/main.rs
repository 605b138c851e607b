//! Integration tests, one file per behaviour, all in one test binary.

mod arrivals;
mod bad_input;
mod charts;
mod cli;
mod common;
mod conservation;
mod crn;
mod determinism;
mod figures;
mod interrupt;
mod mechanisms;
mod memory;
mod outputs;
mod provenance;
mod queueing;
mod replications;
mod scenarios;
mod sweeps;
mod theory;

//! The binary's own parts: the command-line definition, how results are printed, and the
//! progress of a build on a terminal.

pub mod args;
pub mod output;
pub mod progress;

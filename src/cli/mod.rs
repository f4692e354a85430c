//! The binary's own parts: the command-line definition and how results are printed.

pub mod args;
pub mod output;

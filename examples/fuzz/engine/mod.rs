//! The fuzz engine, shared by `examples/fuzz` (long campaigns) and `tests/it/fuzz.rs` (the CI
//! budget): generators, targets, and the parent/child oracle.

pub mod campaign;
pub mod grammar;
pub mod rng;
pub mod targets;

//! Issue #11 tests: see tests/it/main.rs.

//! Issue #17: images of posts and pages, measured and resized at build time.

#[allow(unused_imports)]
use crate::harness::*;

//! Issue #17, redirects.

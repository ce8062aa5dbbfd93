//! The integration tests of crates/jobs, one binary (one link) for all of them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

mod queue;
mod redaction;
mod runner;

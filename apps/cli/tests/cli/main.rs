//! The integration tests of apps/cli, one binary (one link) for all of them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

mod cli;
mod imports;
mod jobs;
mod maintenance;
mod redaction;
mod scores;

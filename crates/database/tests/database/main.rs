//! The integration tests of crates/database, one binary (one link) for all of them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod accounts;
mod binaries;
mod hosted;
mod maintenance;
mod migrations;
mod models;
mod pool;
mod predictions;
mod queries;
mod rls;
mod search;
mod seed_sample;
mod seed_scale;
mod votes;

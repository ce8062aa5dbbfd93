//! The integration tests of apps/worker, one binary (one link) for all of them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod imports;
mod queues;
mod scores;
mod worker;

//! The integration tests of apps/api, one binary (one link) for all of them.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod account;
mod common;

mod auth;
mod bad_text;
mod cache;
mod jwks;
mod limits;
mod metrics;
mod openapi;
mod predictions;
mod problem_codes;
mod public;
mod realtime;
mod replica;
mod restart;
mod setlists;
mod startup;
mod streams;
mod votes;

//! One module per command family. Each parses and checks its arguments with clap (so a bad
//! argument fails before any connection is made), then calls `theset_database`, the library the
//! API, the worker and the `migrate`/`seed` binaries use: no command holds database logic of its
//! own.

pub mod db;
pub mod import;
pub mod jobs;
pub mod leaderboard;
pub mod migrate;
pub mod score;
pub mod seed;
pub mod stats;
pub mod trending;
pub mod users;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// A check ran and found problems (exit status 3).
    Problems,
}

/// A bad argument that clap cannot see alone (a job payload that does not fit its kind): exit
/// status 2, and nothing was touched.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

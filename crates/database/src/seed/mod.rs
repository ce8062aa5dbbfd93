//! Loading data: the sample data in `seeds/` (`sample`) and the synthetic benchmark dataset
//! (`scale`). Both are what the `seed` binary runs.

pub mod sample;
pub mod scale;

/// Reports progress of long loads: a bar on a terminal, plain lines otherwise.
pub trait Progress: Send + Sync {
    /// A new step with `total` units of work (rows).
    fn step(&self, name: &str, total: u64);
    /// `done` more units of the current step are finished.
    fn advance(&self, done: u64);
    /// The current step is finished.
    fn finish(&self);
}

/// Progress that reports nothing (tests).
#[derive(Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn step(&self, _name: &str, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}

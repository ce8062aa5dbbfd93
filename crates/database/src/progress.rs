//! Progress of long work (bulk loads, later imports and recomputations), reported by the code
//! doing the work through [`Progress`] and shown by the binaries with `Console` (feature `cli`):
//! a bar on a terminal, plain lines when stderr is not one (logs, CI, pipes), so the same run
//! reads well in both.

#[cfg(feature = "cli")]
mod console;
#[cfg(feature = "cli")]
pub use console::Console;

/// Reports progress of long work as a sequence of steps.
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

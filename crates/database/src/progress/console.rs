//! The terminal display of [`Progress`] (feature `cli`: the binaries' own).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::Progress;

/// Progress on stderr: a bar per step on a terminal; a line when a step starts and one when it
/// ends otherwise (a bar redrawn into a log file is noise).
#[derive(Debug)]
pub struct Console {
    current: Mutex<Option<Step>>,
    terminal: bool,
}

#[derive(Debug)]
struct Step {
    bar: ProgressBar,
    name: String,
    started: Instant,
}

impl Console {
    /// Bars when stderr is a terminal, lines otherwise.
    pub fn new() -> Self {
        Self::with_terminal(std::io::stderr().is_terminal())
    }

    /// Bars (`true`) or lines (`false`), whatever stderr is.
    pub fn with_terminal(terminal: bool) -> Self {
        Self {
            current: Mutex::new(None),
            terminal,
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Console {
    fn step(&self, name: &str, total: u64) {
        let bar = if self.terminal {
            ProgressBar::new(total)
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>16} [{bar:40}] {human_pos}/{human_len} {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_owned());
        if !self.terminal {
            eprintln!("{name}: {total} rows...");
        }
        if let Ok(mut current) = self.current.lock() {
            *current = Some(Step {
                bar,
                name: name.to_owned(),
                started: Instant::now(),
            });
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(step) = current.as_ref() {
                step.bar.inc(done);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(step) = current.take() {
                step.bar.finish();
                if !self.terminal {
                    eprintln!(
                        "{}: done in {:.1} s",
                        step.name,
                        step.started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
}

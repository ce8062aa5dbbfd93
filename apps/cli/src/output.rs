//! Writing results: text for people, `--json` for scripts, both on stdout; errors and progress on
//! stderr. Writes go through `io::Write` so a closed pipe is an error to handle, not a panic.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use serde::Serialize;

/// Writes `value` as pretty JSON and a newline.
pub fn json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Writes `text` as it is (lines end in `\n`).
pub fn text(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Settings whose values never appear in what the CLI prints.
const SECRET_SETTINGS: [&str; 4] = [
    "TICKETMASTER_API_KEY",
    "SETLISTFM_API_KEY",
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
];

/// `text` without secrets, for the terminal: the values of the provider settings this process
/// has (`SECRET_SETTINGS`), and anything shaped like a secret (`apikey=...`, `Bearer ...`, a
/// URL's password: `theset_providers::redact::redact`). Applied to every error printed and to the
/// stored errors of jobs (which a run of an older version, or another writer, may have left
/// unredacted).
pub fn redact(text: &str) -> String {
    let mut text = theset_providers::redact::redact(text);
    for name in SECRET_SETTINGS {
        let Ok(value) = std::env::var(name) else {
            continue;
        };
        let value = value.trim();
        // Shorter values would match ordinary words; real keys are much longer.
        if value.chars().count() >= 4 && text.contains(value) {
            text = text.replace(value, "[redacted]");
        }
    }
    text
}

/// An error's text on one line: PostgreSQL messages may carry DETAIL and HINT lines.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reader of stdout went away (`| head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// "1 show", "2 shows".
pub fn counted(n: impl TryInto<i64> + Copy + std::fmt::Display, noun: &str) -> String {
    let one = n.try_into().is_ok_and(|n| n == 1);
    format!("{n} {noun}{}", if one { "" } else { "s" })
}

/// Lines of cells, each column padded to its widest cell (the last column is not padded).
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c].saturating_sub(cell.chars().count());
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Progress of one piece of work of unknown size (an import, a recomputation) on stderr: a
/// spinner on a terminal; otherwise a line as it starts and one as it ends, as
/// `theset_database::progress::Console` prints steps.
#[derive(Debug)]
pub struct Activity {
    name: String,
    started: Instant,
    spinner: Option<ProgressBar>,
}

impl Activity {
    pub fn start(name: &str) -> Self {
        Self::with_terminal(name, std::io::stderr().is_terminal())
    }

    pub fn with_terminal(name: &str, terminal: bool) -> Self {
        let spinner = terminal.then(|| {
            let spinner = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                spinner.set_style(style);
            }
            spinner.set_message(name.to_owned());
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
        if spinner.is_none() {
            eprintln!("{name}...");
        }
        Self {
            name: name.to_owned(),
            started: Instant::now(),
            spinner,
        }
    }

    /// The work is done (dropping an unfinished activity, on failure, just clears its spinner).
    pub fn finish(mut self) {
        let seconds = self.started.elapsed().as_secs_f64();
        match self.spinner.take() {
            Some(spinner) => spinner.finish_with_message(format!("{}: done", self.name)),
            None => eprintln!("{}: done in {seconds:.1} s", self.name),
        }
    }
}

impl Drop for Activity {
    fn drop(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("GET /events.json?apikey=abc123&size=1 for postgres://svc:pw@db/x"),
            "GET /events.json?apikey=[redacted]&size=1 for postgres://svc:[redacted]@db/x"
        );
        assert_eq!(redact("boom number 2"), "boom number 2");
    }

    #[test]
    fn errors_fold_onto_one_line() {
        assert_eq!(
            one_line("duplicate key\nDETAIL:  Key (email)=(a@b) exists.\n"),
            "duplicate key DETAIL: Key (email)=(a@b) exists."
        );
    }

    #[test]
    fn nouns_agree_with_their_number() {
        assert_eq!(counted(1_usize, "setlist song"), "1 setlist song");
        assert_eq!(counted(0_i64, "show"), "0 shows");
        assert_eq!(counted(750_000_i64, "setlist song"), "750000 setlist songs");
    }

    #[test]
    fn tables_align_columns() {
        let rows = vec![
            vec!["EMAIL".to_owned(), "ROLE".to_owned(), "NAME".to_owned()],
            vec!["a@x".to_owned(), "moderator".to_owned(), "Ann".to_owned()],
        ];
        assert_eq!(
            table(&rows),
            "EMAIL  ROLE       NAME\na@x    moderator  Ann\n"
        );
    }
}

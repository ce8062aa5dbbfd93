//! `seed`: loads the sample data in `seeds/`, or with `--scale N` the synthetic benchmark dataset.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use theset_database::DatabaseConfig;
use theset_database::seed::Progress;
use theset_database::seed::sample::SampleData;
use theset_database::seed::scale;

#[derive(Debug, Parser)]
#[command(about = "Load TheSet's sample data (seeds/) or a synthetic benchmark dataset")]
struct Args {
    /// PostgreSQL URL of the schema owner (defaults to DATABASE_URL, read from .env too).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// Folder with users.json, artists.json, venues.json and shows.json.
    #[arg(long, default_value = "seeds")]
    dir: PathBuf,
    /// Load the synthetic benchmark dataset at this scale (1 = 50,000 shows, 1,000,000 votes)
    /// into an empty database, instead of the sample data.
    #[arg(long)]
    scale: Option<f64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seed: {message}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
async fn run(args: Args) -> Result<(), String> {
    let mut config = DatabaseConfig::from_url(&args.database_url).map_err(|e| e.to_string())?;
    // Loads run long statements by design.
    config.statement_timeout = None;
    if let Some(scale) = args.scale {
        let started = Instant::now();
        let mut conn = config
            .connect()
            .await
            .map_err(|e| format!("connecting: {e}"))?;
        let report = scale::load(&mut conn, scale, &Bars::new())
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "loaded scale {scale} in {:.1} s: {report:?}",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    // Read and check every file before touching the database.
    let data = SampleData::read(&args.dir).map_err(|e| e.to_string())?;
    let mut conn = config
        .connect()
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let today = chrono::Utc::now().date_naive();
    let report = data
        .apply(&mut conn, today)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "sample data loaded from {}: {} users, {} artists, {} songs, {} venues, {} shows, {} setlists, {} votes",
        args.dir.display(),
        report.users,
        report.artists,
        report.songs,
        report.venues,
        report.shows,
        report.setlists,
        report.votes
    );
    Ok(())
}

/// A progress bar per step on a terminal; plain lines when output is not a terminal.
struct Bars {
    current: std::sync::Mutex<Option<(ProgressBar, String, Instant)>>,
    terminal: bool,
}

impl Bars {
    fn new() -> Self {
        use std::io::IsTerminal;
        Self {
            current: std::sync::Mutex::new(None),
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for Bars {
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
            *current = Some((bar, name.to_owned(), Instant::now()));
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some((bar, _, _)) = current.as_ref() {
                bar.inc(done);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some((bar, name, started)) = current.take() {
                bar.finish();
                if !self.terminal {
                    eprintln!("{name}: done in {:.1} s", started.elapsed().as_secs_f64());
                }
            }
        }
    }
}

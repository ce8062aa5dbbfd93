//! `seed`: loads the sample data in `seeds/`, or with `--scale N` the synthetic benchmark dataset.
//! The work is `theset_database::seed::{load_sample, load_scale}`, shared with `theset seed`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use theset_database::DatabaseConfig;
use theset_database::progress::Console;
use theset_database::seed;

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
    let config = DatabaseConfig::from_url_and_env(&args.database_url).map_err(|e| e.to_string())?;
    if let Some(scale) = args.scale {
        let started = Instant::now();
        let report = seed::load_scale(&config, scale, &Console::new())
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "loaded scale {scale} in {:.1} s: {report}",
            started.elapsed().as_secs_f64()
        );
    } else {
        let report = seed::load_sample(&config, &args.dir)
            .await
            .map_err(|e| e.to_string())?;
        println!("sample data loaded from {}: {report}", args.dir.display());
    }
    Ok(())
}

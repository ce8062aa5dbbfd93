//! `migrate`: applies, reverts and lists TheSet's embedded migrations (the work is
//! `theset_database::migrations`, shared with `theset migrate`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use theset_database::DatabaseConfig;
use theset_database::migrations;

#[derive(Debug, Parser)]
#[command(about = "Apply, revert or list TheSet's database migrations")]
struct Args {
    /// PostgreSQL URL of a role that may own the schema (defaults to DATABASE_URL, read from .env too).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply every pending migration.
    Run,
    /// Revert the most recent migration (or all of them).
    Revert {
        #[arg(long)]
        all: bool,
    },
    /// Revert the most recent migration and apply it again (one transaction).
    Redo,
    /// List migrations and whether each is applied.
    Status,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("migrate: {message}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
async fn run(args: Args) -> Result<(), String> {
    let config = DatabaseConfig::from_url_and_env(&args.database_url).map_err(|e| e.to_string())?;
    match args.command {
        Command::Run => {
            let applied = migrations::run_pending(&config)
                .await
                .map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("no pending migrations");
            }
            for version in applied {
                println!("applied {version}");
            }
        }
        Command::Revert { all: false } => {
            let version = migrations::revert_last(&config)
                .await
                .map_err(|e| e.to_string())?;
            println!("reverted {version}");
        }
        Command::Revert { all: true } => {
            for version in migrations::revert_all(&config)
                .await
                .map_err(|e| e.to_string())?
            {
                println!("reverted {version}");
            }
        }
        Command::Redo => {
            let version = migrations::redo(&config).await.map_err(|e| e.to_string())?;
            println!("reverted {version}");
            println!("applied {version}");
        }
        Command::Status => {
            for migration in migrations::status(&config)
                .await
                .map_err(|e| e.to_string())?
            {
                let mark = match (migration.applied, migration.known) {
                    (true, true) => "applied",
                    (false, _) => "pending",
                    (true, false) => "unknown",
                };
                println!("{mark:8} {}", migration.version);
            }
        }
    }
    Ok(())
}

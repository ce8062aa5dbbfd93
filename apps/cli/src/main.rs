#![doc = include_str!("../README.md")]

mod commands;
mod database;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{
    Outcome, Usage, db, import, jobs, leaderboard, migrate, score, seed, stats, trending, users,
};
use crate::database::Database;

/// TheSet's maintainer commands. `Debug` shows the database URL as `[redacted]`.
#[derive(Parser)]
#[command(
    name = "theset",
    version,
    propagate_version = true,
    after_help = "Exit status: 0 done, 1 failed, 2 bad usage (nothing touched), \
                  3 `db check` found problems."
)]
struct Cli {
    /// PostgreSQL URL of the schema owner or theset_service (defaults to DATABASE_URL, read from
    /// .env too). Never theset_api: row level security would hide most rows.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

impl std::fmt::Debug for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cli")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field("command", &self.command)
            .finish()
    }
}

/// One variant and one module (`commands::*`) per command family.
#[derive(Debug, Subcommand)]
enum Command {
    /// Apply, revert or list the database migrations.
    #[command(subcommand)]
    Migrate(migrate::Migrate),
    /// Load the sample data (seeds/) or the synthetic benchmark dataset.
    Seed(seed::Seed),
    /// List users; change a user's role.
    #[command(subcommand)]
    Users(users::Users),
    /// Check the database: extensions, migrations, row level security, vote counters.
    #[command(subcommand)]
    Db(db::Db),
    /// Import from Ticketmaster, setlist.fm or Spotify now, in the foreground.
    #[command(subcommand)]
    Import(import::Import),
    /// List, enqueue and retry the worker's jobs.
    #[command(subcommand)]
    Jobs(jobs::Jobs),
    /// Score a show's predictions against its actual setlist.
    #[command(subcommand)]
    Score(score::Score),
    /// Print a show's, an artist's or a period's leaderboard.
    #[command(subcommand)]
    Leaderboard(leaderboard::Leaderboard),
    /// Recompute artist statistics.
    #[command(subcommand)]
    Stats(stats::Stats),
    /// Recompute trending scores.
    #[command(subcommand)]
    Trending(trending::Trending),
}

/// Exit statuses: 0 done, 1 failed, 2 bad usage (before anything was touched), 3 `db check`
/// found problems.
const FAILED: u8 = 1;
const USAGE: u8 = 2;
const PROBLEMS: u8 = 3;

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    let database = Database::new(cli.database_url);
    let outcome = match cli.command {
        Command::Migrate(command) => command.run(&database).await,
        Command::Seed(command) => command.run(&database).await,
        Command::Users(command) => command.run(&database).await,
        Command::Db(command) => command.run(&database).await,
        Command::Import(command) => command.run(&database).await,
        Command::Jobs(command) => command.run(&database).await,
        Command::Score(command) => command.run(&database).await,
        Command::Leaderboard(command) => command.run(&database).await,
        Command::Stats(command) => command.run(&database).await,
        Command::Trending(command) => command.run(&database).await,
    };
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(PROBLEMS),
        // `theset users list | head`: the reader left; nothing failed.
        Err(error) if output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) if error.is::<Usage>() => {
            eprintln!(
                "theset: {} (see {} --help)",
                output::one_line(&output::redact(&error.to_string())),
                command_path(std::env::args().skip(1))
            );
            ExitCode::from(USAGE)
        }
        Err(error) => {
            // An error may quote a provider's reply or a URL: without their secrets.
            eprintln!(
                "theset: {}",
                output::one_line(&output::redact(&format!("{error:#}")))
            );
            ExitCode::from(FAILED)
        }
    }
}

/// Help and version go to stdout as clap prints them; a usage error becomes one line on stderr
/// (clap's message and tip, without the usage block).
fn usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(USAGE)
        }
        _ => {
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:"))
                .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!(
                "theset: {message} (see {} --help)",
                command_path(std::env::args().skip(1))
            );
            ExitCode::from(USAGE)
        }
    }
}

/// The (sub)command named by `args`, as far as it goes: `theset users set-role`.
fn command_path(args: impl Iterator<Item = String>) -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut path = vec![command.get_name().to_owned()];
    for arg in args {
        let Some(sub) = command.find_subcommand(&arg).cloned() else {
            continue;
        };
        path.push(sub.get_name().to_owned());
        command = sub;
    }
    path.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_point_at_the_command_they_were_made_in() {
        let args = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            command_path(args("--database-url x users set-role bob boss").into_iter()),
            "theset users set-role"
        );
        assert_eq!(command_path(args("sideways").into_iter()), "theset");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

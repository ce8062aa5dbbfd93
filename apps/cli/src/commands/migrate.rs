//! `theset migrate`: the embedded migrations (`theset_database::migrations`, which the `migrate`
//! binary runs too).

use std::fmt::Write as _;

use anyhow::anyhow;
use clap::Subcommand;
use theset_database::migrations;

use super::Outcome;
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Migrate {
    /// Apply every pending migration, oldest first, each in its own transaction.
    Run,
    /// Revert the most recent migration (or with --all every one, newest first).
    Revert {
        /// Revert every applied migration, leaving an empty schema.
        #[arg(long)]
        all: bool,
    },
    /// Revert the most recent migration and apply it again, in one transaction.
    Redo,
    /// List every migration and whether it is applied (reads only).
    Status {
        /// Print JSON: an array of {version, applied, known}.
        #[arg(long)]
        json: bool,
    },
}

impl Migrate {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let config = database.config()?;
        let target = config.target();
        let mut out = String::new();
        match self {
            Migrate::Run => {
                let applied = migrations::run_pending(&config)
                    .await
                    .map_err(|e| anyhow!("applying migrations to {target}: {e}"))?;
                if applied.is_empty() {
                    out.push_str("no pending migrations\n");
                }
                for version in applied {
                    writeln!(out, "applied {version}")?;
                }
            }
            Migrate::Revert { all: false } => {
                let version = migrations::revert_last(&config)
                    .await
                    .map_err(|e| anyhow!("reverting the last migration of {target}: {e}"))?;
                writeln!(out, "reverted {version}")?;
            }
            Migrate::Revert { all: true } => {
                let reverted = migrations::revert_all(&config)
                    .await
                    .map_err(|e| anyhow!("reverting every migration of {target}: {e}"))?;
                if reverted.is_empty() {
                    out.push_str("no applied migrations\n");
                }
                for version in reverted {
                    writeln!(out, "reverted {version}")?;
                }
            }
            Migrate::Redo => {
                let version = migrations::redo(&config)
                    .await
                    .map_err(|e| anyhow!("redoing the last migration of {target}: {e}"))?;
                writeln!(out, "reverted {version}\napplied {version}")?;
            }
            Migrate::Status { json } => {
                let status = migrations::status(&config)
                    .await
                    .map_err(|e| anyhow!("reading the migrations of {target}: {e}"))?;
                if json {
                    output::json(&status)?;
                    return Ok(Outcome::Done);
                }
                for migration in status {
                    let mark = match (migration.applied, migration.known) {
                        (true, true) => "applied",
                        (false, _) => "pending",
                        (true, false) => "unknown",
                    };
                    writeln!(out, "{mark:8} {}", migration.version)?;
                }
            }
        }
        output::text(&out)?;
        Ok(Outcome::Done)
    }
}

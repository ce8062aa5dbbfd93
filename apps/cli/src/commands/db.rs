//! `theset db check`: the read-only health report of `theset_database::check`.

use std::fmt::Write as _;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use theset_database::check::{CheckReport, TableSecurity};

use super::Outcome;
use crate::database::Database;
use crate::output::{self, counted};

#[derive(Debug, Subcommand)]
pub enum Db {
    /// Report extensions, pending migrations, tables without row level security, and vote
    /// counters that disagree with the votes (reads only, one snapshot). Exits 3 when it finds a
    /// problem.
    Check {
        /// Print JSON: {healthy, problems, extensions, migrations, replaceable_schema_current,
        /// row_level_security, votes}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct JsonReport<'a> {
    healthy: bool,
    problems: &'a [String],
    #[serde(flatten)]
    report: &'a CheckReport,
}

impl Db {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let Db::Check { json } = self;
        let target = database.config()?.target();
        let mut conn = database.connect().await?;
        let report = CheckReport::collect(&mut conn)
            .await
            .with_context(|| format!("checking {target}"))?;
        let problems = report.problems();
        if json {
            output::json(&JsonReport {
                healthy: problems.is_empty(),
                problems: &problems,
                report: &report,
            })?;
        } else {
            output::text(&text(&report, &problems)?)?;
        }
        Ok(if problems.is_empty() {
            Outcome::Done
        } else {
            Outcome::Problems
        })
    }
}

fn text(report: &CheckReport, problems: &[String]) -> anyhow::Result<String> {
    let mark = |ok: bool| if ok { "ok" } else { "PROBLEM" };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |name: &str, ok: bool, detail: String| {
        rows.push(vec![name.to_owned(), mark(ok).to_owned(), detail]);
    };

    let required: Vec<_> = report.extensions.iter().filter(|e| e.required).collect();
    row(
        "extensions",
        required.iter().all(|e| e.version.is_some()),
        required
            .iter()
            .map(|e| match &e.version {
                Some(version) => format!("{} {version}", e.name),
                None => format!("{} missing", e.name),
            })
            .collect::<Vec<_>>()
            .join(", "),
    );

    let m = &report.migrations;
    let mut detail = format!("{} applied, {} pending", m.applied.len(), m.pending.len());
    if !m.unknown.is_empty() {
        write!(detail, ", {} unknown to this build", m.unknown.len())?;
    }
    if m.pending.is_empty() && !report.replaceable_schema_current {
        detail.push_str(", functions not as this build has them");
    }
    row(
        "migrations",
        m.pending.is_empty() && m.unknown.is_empty() && report.replaceable_schema_current,
        detail,
    );

    let disabled: Vec<&TableSecurity> = report
        .row_level_security
        .iter()
        .filter(|t| !t.rls_enabled)
        .collect();
    row(
        "row level security",
        disabled.is_empty(),
        if disabled.is_empty() {
            format!(
                "enabled on all {}",
                counted(report.row_level_security.len(), "table")
            )
        } else {
            format!(
                "disabled on {} of {}: {}",
                disabled.len(),
                counted(report.row_level_security.len(), "table"),
                disabled
                    .iter()
                    .map(|t| t.table.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    );

    match &report.votes {
        None => row(
            "vote counters",
            true,
            "skipped: the vote tables do not exist (migrations pending)".to_owned(),
        ),
        Some(votes) => {
            row(
                "song counters",
                votes.song_counters.count == 0,
                format!(
                    "{} of {} disagree with their votes",
                    votes.song_counters.count,
                    counted(votes.setlist_songs_checked, "setlist song")
                ),
            );
            let fold = votes.awaiting_fold;
            row(
                "vote totals",
                votes.setlist_totals.count == 0 && votes.show_totals.count == 0,
                format!(
                    "{} of {} and {} of {} disagree (awaiting the next fold: {}, {})",
                    votes.setlist_totals.count,
                    counted(votes.setlists_checked, "setlist"),
                    votes.show_totals.count,
                    counted(votes.shows_checked, "show"),
                    counted(fold.setlists, "setlist"),
                    counted(fold.shows, "show")
                ),
            );
            row(
                "setlist counts",
                votes.show_setlist_counts.count == 0,
                format!(
                    "{} of {} disagree with their setlists",
                    votes.show_setlist_counts.count,
                    counted(votes.shows_checked, "show")
                ),
            );
        }
    }

    let mut out = output::table(&rows);
    if problems.is_empty() {
        out.push_str("no problems found\n");
    } else {
        out.push_str("\nproblems:\n");
        for problem in problems {
            writeln!(out, "  {problem}")?;
        }
    }
    Ok(out)
}

//! `theset jobs`: the job queue (`theset_jobs`) as the worker runs it. Kinds and payloads are
//! the job kinds of `theset-tasks` (`theset_tasks::registry`), checked before connecting.

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use theset_database::check;
use theset_jobs::{Enqueued, JobId, JobRecord, JobState, KindCount, NewJob};

use super::{Outcome, Usage};
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Jobs {
    /// List jobs, newest first, with the number of jobs per kind and state.
    List {
        /// Only jobs in this state.
        #[arg(long, value_enum)]
        state: Option<State>,
        /// At most this many jobs (1 to 1000).
        #[arg(long, value_name = "N", default_value_t = 50,
              value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
        /// Print JSON: {"jobs": [every column of each job], "counts": [{kind, state, jobs}]}.
        #[arg(long)]
        json: bool,
    },
    /// Queue a job of a kind the worker runs, with its JSON payload (`{}` for the defaults), as
    /// the worker's schedules would: same priority, attempts and deduplication key.
    Enqueue {
        /// The job's kind (`theset jobs enqueue --help` lists them).
        #[arg(value_parser = parse_kind)]
        kind: String,
        /// The payload, a JSON object such as '{}' or '{"artists": ["<uuid>"]}'.
        #[arg(value_name = "JSON-ARGS", value_parser = parse_json)]
        payload: serde_json::Value,
    },
    /// Put a failed job back in the queue, due now, with its attempts reset.
    Retry {
        /// The job's id.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        id: i64,
    },
}

/// `job_state`, as clap parses and lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum State {
    Queued,
    Running,
    Done,
    Failed,
}

impl From<State> for JobState {
    fn from(state: State) -> Self {
        match state {
            State::Queued => JobState::Queued,
            State::Running => JobState::Running,
            State::Done => JobState::Done,
            State::Failed => JobState::Failed,
        }
    }
}

fn parse_kind(text: &str) -> Result<String, String> {
    let registry = theset_tasks::registry();
    if registry.contains(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "unknown job kind {text:?} (known kinds: {})",
            registry.kinds().join(", ")
        ))
    }
}

fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

/// The job to queue, built and checked by the worker's registry (the payload must parse as the
/// kind's type) without connecting.
fn new_job(kind: &str, payload: serde_json::Value) -> Result<NewJob, Usage> {
    theset_tasks::registry()
        .new_job(kind, payload)
        .map_err(|e| Usage(e.to_string()))
}

#[derive(Debug, Serialize)]
struct Listing {
    jobs: Vec<JobRecord>,
    counts: Vec<KindCount>,
}

impl Jobs {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        // Checked before connecting: a bad payload never reaches the database.
        let job = match &self {
            Jobs::Enqueue { kind, payload } => Some(new_job(kind, payload.clone())?),
            _ => None,
        };
        let mut conn = database.connect().await?;
        check::ensure_unrestricted(&mut conn, "jobs").await?;
        match self {
            Jobs::List { state, limit, json } => {
                let jobs = theset_jobs::list(&mut conn, state.map(JobState::from), limit)
                    .await
                    .context("listing jobs")?;
                let counts = theset_jobs::counts(&mut conn)
                    .await
                    .context("counting jobs")?;
                // Stored errors are printed without secrets (`output::redact`).
                let jobs = jobs
                    .into_iter()
                    .map(|mut job| {
                        job.last_error = job.last_error.as_deref().map(output::redact);
                        job
                    })
                    .collect();
                let listing = Listing { jobs, counts };
                if json {
                    output::json(&listing)?;
                } else {
                    output::text(&table(&listing))?;
                }
            }
            Jobs::Enqueue { kind, .. } => {
                let Some(job) = job else {
                    return Ok(Outcome::Done);
                };
                let enqueued = job
                    .enqueue(&mut conn)
                    .await
                    .with_context(|| format!("enqueuing a {kind} job"))?;
                output::text(&match enqueued {
                    Enqueued::New(id) => format!("enqueued job {id} ({kind})\n"),
                    Enqueued::Duplicate(existing) => format!(
                        "not enqueued: a {kind} job with key {:?} is already queued or running{}\n",
                        job.key().unwrap_or_default(),
                        existing
                            .map(|id| format!(" (job {id})"))
                            .unwrap_or_default()
                    ),
                })?;
            }
            Jobs::Retry { id } => {
                let job = theset_jobs::retry(&mut conn, JobId(id))
                    .await
                    .with_context(|| format!("retrying job {id}"))?;
                output::text(&format!(
                    "job {} ({}) is queued again{}\n",
                    job.id,
                    job.kind,
                    job.last_error
                        .as_deref()
                        .map(|e| {
                            format!(
                                "; it last failed with: {}",
                                output::one_line(&output::redact(e))
                            )
                        })
                        .unwrap_or_default()
                ))?;
            }
        }
        Ok(Outcome::Done)
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn table(listing: &Listing) -> String {
    let mut rows = vec![vec![
        "ID".to_owned(),
        "KIND".to_owned(),
        "STATE".to_owned(),
        "ATTEMPTS".to_owned(),
        "RUN AT".to_owned(),
        "FINISHED".to_owned(),
        "LAST ERROR".to_owned(),
    ]];
    for job in &listing.jobs {
        let mut error = job
            .last_error
            .as_deref()
            .map(output::one_line)
            .unwrap_or_default();
        if error.chars().count() > 80 {
            error = error.chars().take(79).chain(['…']).collect();
        }
        rows.push(vec![
            job.id.to_string(),
            job.kind.clone(),
            job.state.to_string(),
            format!("{}/{}", job.attempts, job.max_attempts),
            when(job.run_at),
            job.finished_at.map_or_else(|| "-".to_owned(), when),
            error,
        ]);
    }
    let mut out = output::table(&rows);
    out.push_str(&output::counted(listing.jobs.len(), "job"));
    out.push('\n');
    if !listing.counts.is_empty() {
        out.push_str("\nin the queue:\n");
        let mut rows = vec![vec![
            "KIND".to_owned(),
            "STATE".to_owned(),
            "JOBS".to_owned(),
        ]];
        for count in &listing.counts {
            rows.push(vec![
                count.kind.clone(),
                count.state.to_string(),
                count.jobs.to_string(),
            ]);
        }
        out.push_str(&output::table(&rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_parses_by_its_sql_label() {
        for state in JobState::ALL {
            let parsed = State::from_str(state.as_str(), false).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(JobState::from(parsed), *state);
        }
        assert_eq!(State::value_variants().len(), JobState::ALL.len());
    }

    #[test]
    fn payloads_are_checked_against_the_kind_before_connecting() {
        assert!(new_job("refresh_artist_stats", serde_json::json!({})).is_ok());
        let bad = new_job("refresh_artist_stats", serde_json::json!({"artists": [1]}));
        assert!(bad.is_err());
        assert!(parse_kind("make_coffee").is_err());
        assert!(parse_json("{not json").is_err());
    }
}

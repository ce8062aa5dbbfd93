//! Periodic jobs. Time is cut into periods of each schedule's interval (aligned on the Unix
//! epoch, so every worker agrees on them), and each period's job is enqueued with a key naming
//! the period (`trending:2026-11-24T10:05`) in "once" mode: however many workers run a
//! scheduler, each period's job is enqueued once, and a period already run is not run again.
//! A period missed while no worker ran is not made up: the next period's run covers it (every
//! periodic job recomputes from scratch).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::schema::jobs;
use theset_database::{DbPool, JobState};
use theset_jobs::{Enqueued, Job, NewJob};
use tokio_util::sync::CancellationToken;

use crate::config::Intervals;
use theset_tasks::{
    AdvanceShowStatuses, FoldVoteTotals, PruneJobs, RecomputeTrending, RefreshArtistStats,
    ScorePendingShows, SetlistFmImportRecent, SetlistFmPollAll, TicketmasterSyncTracked,
};

/// One periodic job.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Names the schedule in period keys (`name:period`).
    pub name: &'static str,
    pub every: Duration,
    kind: &'static str,
    make: fn() -> theset_jobs::Result<NewJob>,
}

fn default_job<J: Job + Default>() -> theset_jobs::Result<NewJob> {
    NewJob::for_job(&J::default())
}

impl Schedule {
    /// Enqueues `J::default()` every `every` (at least a second; whole seconds).
    pub fn new<J: Job + Default>(name: &'static str, every: Duration) -> Self {
        Self {
            name,
            every: Duration::from_secs(every.as_secs().max(1)),
            kind: J::KIND,
            make: default_job::<J>,
        }
    }

    /// The start of the period `now` falls in.
    pub fn period(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let every = i64::try_from(self.every.as_secs())
            .unwrap_or(i64::MAX)
            .max(1);
        let secs = now.timestamp();
        DateTime::from_timestamp(secs - secs.rem_euclid(every), 0).unwrap_or(now)
    }

    /// The deduplication key of a period: minutes when the interval is whole minutes.
    pub fn key(&self, period: DateTime<Utc>) -> String {
        let format = if self.every.as_secs() % 60 == 0 {
            "%Y-%m-%dT%H:%M"
        } else {
            "%Y-%m-%dT%H:%M:%S"
        };
        format!("{}:{}", self.name, period.format(format))
    }

    /// Enqueues the job of the period `now` falls in, unless it was enqueued already (by any
    /// worker) or a job of this kind is still waiting to run (no pile-up behind busy workers).
    pub async fn enqueue(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> theset_jobs::Result<Option<Enqueued>> {
        let waiting: bool = diesel::select(diesel::dsl::exists(
            jobs::table
                .filter(jobs::kind.eq(self.kind))
                .filter(jobs::state.eq(JobState::Queued))
                .filter(jobs::run_at.le(now)),
        ))
        .get_result(conn)
        .await?;
        if waiting {
            return Ok(None);
        }
        let job = (self.make)()?.dedup_key(self.key(self.period(now))).once();
        job.enqueue(conn).await.map(Some)
    }
}

/// Which providers this worker has keys for: their import schedules run only then.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enabled {
    pub ticketmaster: bool,
    pub setlistfm: bool,
}

impl Enabled {
    pub fn of(providers: &theset_providers::Providers) -> Self {
        Self {
            ticketmaster: providers.ticketmaster.is_some(),
            setlistfm: providers.setlistfm.is_some(),
        }
    }
}

/// The worker's schedules; an interval of `None`, or a provider without its key, leaves one
/// out.
pub fn schedules(intervals: &Intervals, enabled: Enabled) -> Vec<Schedule> {
    [
        intervals
            .vote_totals
            .map(|every| Schedule::new::<FoldVoteTotals>("vote-totals", every)),
        intervals
            .scores
            .map(|every| Schedule::new::<ScorePendingShows>("scores", every)),
        intervals
            .show_status
            .map(|every| Schedule::new::<AdvanceShowStatuses>("show-status", every)),
        intervals
            .trending
            .map(|every| Schedule::new::<RecomputeTrending>("trending", every)),
        intervals
            .artist_stats
            .map(|every| Schedule::new::<RefreshArtistStats>("artist-stats", every)),
        intervals
            .prune_jobs
            .map(|every| Schedule::new::<PruneJobs>("prune-jobs", every)),
        // The import fan-outs: each enqueues one job per artist.
        intervals
            .ticketmaster_sync
            .filter(|_| enabled.ticketmaster)
            .map(|every| Schedule::new::<TicketmasterSyncTracked>("ticketmaster-sync", every)),
        intervals
            .setlistfm_recent
            .filter(|_| enabled.setlistfm)
            .map(|every| Schedule::new::<SetlistFmImportRecent>("setlistfm-recent", every)),
        intervals
            .setlistfm_corrections
            .filter(|_| enabled.setlistfm)
            .map(|every| Schedule::new::<SetlistFmPollAll>("setlistfm-corrections", every)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Enqueues each schedule's job once per period, at the period's start.
pub struct Scheduler {
    pool: DbPool,
    schedules: Vec<Schedule>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("schedules", &self.schedules)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    pub fn new(pool: DbPool, schedules: Vec<Schedule>) -> Self {
        Self { pool, schedules }
    }

    /// Runs until `stop` is cancelled.
    pub async fn run(self, stop: CancellationToken) {
        if self.schedules.is_empty() {
            return;
        }
        tracing::info!(
            schedules = ?self.schedules.iter().map(|s| (s.name, s.every)).collect::<Vec<_>>(),
            "scheduler started"
        );
        let mut done: HashMap<&'static str, DateTime<Utc>> = HashMap::new();
        loop {
            let now = Utc::now();
            let mut retry_soon = false;
            for schedule in &self.schedules {
                let period = schedule.period(now);
                if done.get(schedule.name) == Some(&period) {
                    continue;
                }
                match self.enqueue(schedule, now).await {
                    Ok(outcome) => {
                        if let Some(Enqueued::New(id)) = outcome {
                            tracing::debug!(schedule = schedule.name, job = %id, "periodic job enqueued");
                        }
                        done.insert(schedule.name, period);
                    }
                    Err(e) => {
                        tracing::warn!(schedule = schedule.name, error = %e, "cannot enqueue a periodic job");
                        retry_soon = true;
                    }
                }
            }
            // Sleep until the next period starts (of any schedule), or a second after a failure.
            let now = Utc::now();
            let next = self
                .schedules
                .iter()
                .map(|s| s.period(now) + s.every)
                .min()
                .unwrap_or(now);
            let mut wait = (next - now).to_std().unwrap_or_default();
            if retry_soon {
                wait = wait.min(Duration::from_secs(1));
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(wait + Duration::from_millis(5)) => {}
            }
        }
    }

    async fn enqueue(
        &self,
        schedule: &Schedule,
        now: DateTime<Utc>,
    ) -> theset_jobs::Result<Option<Enqueued>> {
        let mut conn = self.pool.get().await?;
        schedule.enqueue(&mut conn, now).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn periods_align_on_the_epoch_and_name_their_keys() {
        let trending = Schedule::new::<RecomputeTrending>("trending", Duration::from_secs(300));
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 10, 7, 42).unwrap();
        let period = trending.period(at);
        assert_eq!(
            period,
            Utc.with_ymd_and_hms(2026, 11, 24, 10, 5, 0).unwrap()
        );
        assert_eq!(trending.key(period), "trending:2026-11-24T10:05");
        assert_eq!(trending.period(period), period, "a period's start is in it");

        let votes = Schedule::new::<FoldVoteTotals>("vote-totals", Duration::from_secs(5));
        let period = votes.period(at);
        assert_eq!(
            period,
            Utc.with_ymd_and_hms(2026, 11, 24, 10, 7, 40).unwrap()
        );
        assert_eq!(votes.key(period), "vote-totals:2026-11-24T10:07:40");
        let sub_second = Schedule::new::<FoldVoteTotals>("x", Duration::from_millis(10));
        assert_eq!(sub_second.every, Duration::from_secs(1));
    }

    #[test]
    fn schedules_follow_the_intervals() {
        let both = Enabled {
            ticketmaster: true,
            setlistfm: true,
        };
        let all = schedules(&Intervals::default(), both);
        let names: Vec<_> = all.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "vote-totals",
                "scores",
                "show-status",
                "trending",
                "artist-stats",
                "prune-jobs",
                "ticketmaster-sync",
                "setlistfm-recent",
                "setlistfm-corrections"
            ]
        );
        let some = schedules(
            &Intervals {
                trending: None,
                ..Intervals::default()
            },
            both,
        );
        assert!(some.iter().all(|s| s.name != "trending"));
        assert_eq!(some.len(), 8);
        // Without keys, no import schedules.
        assert_eq!(
            schedules(&Intervals::default(), Enabled::default()).len(),
            6
        );
        let tm_only = schedules(
            &Intervals::default(),
            Enabled {
                ticketmaster: true,
                setlistfm: false,
            },
        );
        assert_eq!(tm_only.last().map(|s| s.name), Some("ticketmaster-sync"));
        assert_eq!(tm_only.len(), 7);
    }
}

//! Jobs that keep derived data current: vote totals, prediction scores, show statuses, trending
//! scores, artist statistics, and the queue's own pruning. Each calls idempotent functions of
//! `theset-database`, so running one twice (or late) is harmless.

use std::time::Duration;

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use theset_database::ids::{ArtistId, ShowId};
use theset_database::models::{ArtistStats, Show, Vote};
use theset_database::{live, scoring};
use theset_jobs::Job;

use crate::context::JobContext;

/// Whole-table computations may outlast the pool's per-statement limit: they run in a
/// transaction with this one instead.
const LONG_STATEMENT: Duration = Duration::from_secs(300);

async fn long_transaction<R, F>(conn: &mut AsyncPgConnection, work: F) -> anyhow::Result<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> BoxFuture<'r, diesel::QueryResult<R>> + Send,
    R: Send,
{
    let limit = format!(
        "SET LOCAL statement_timeout = {}",
        LONG_STATEMENT.as_millis()
    );
    Ok(conn
        .transaction(async move |conn| {
            conn.batch_execute(&limit).await?;
            work(conn).await
        })
        .await?)
}

/// Folds votes cast since the last fold into `setlists.total_votes` and `shows.vote_count`, and
/// prunes the realtime vote log of rows older than `live::VOTE_LOG_RETENTION` and the API's
/// rate-limit windows that ended ten minutes ago.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FoldVoteTotals {}

impl Job for FoldVoteTotals {
    const KIND: &'static str = "fold_vote_totals";
    const QUEUE: &'static str = crate::queues::SCORES;
    const PRIORITY: i16 = 10;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(60);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let mut conn = ctx.conn().await?;
        let changed = Vote::refresh_totals(&mut conn).await?;
        // The realtime vote log is kept bounded here, whether or not any listener runs.
        let pruned = live::prune_vote_log(&mut conn, live::VOTE_LOG_RETENTION).await?;
        // And the API's rate-limit windows (a minute long) that ended.
        let windows: i64 = diesel::select(theset_database::sql::rate_limits_prune(
            diesel::data_types::PgInterval::from_microseconds(10 * 60 * 1_000_000),
        ))
        .get_result(&mut conn)
        .await?;
        tracing::debug!(changed, pruned, windows, "vote totals folded, logs pruned");
        Ok(())
    }
}

/// Scores the shows whose actual setlist changed (`scores_pending`: a song recorded live, an
/// import, a correction, a lock), each in a transaction of its own that also takes it off the
/// queue (`theset_database::scoring::pending_shows`, `take_pending_show`), so a failed show stays queued for the next run and
/// holds up no other. A failure is logged, not the job's: the next run retries it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScorePendingShows {}

impl ScorePendingShows {
    /// Shows read from the queue per round; rounds go on until the queue is empty (or only
    /// shows that failed in this run are left) or `BUDGET` has passed.
    const BATCH: i64 = 50;
    /// Longer queues (a bulk import) are left to the next run, so one run never nears TIMEOUT.
    const BUDGET: Duration = Duration::from_secs(45);
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoringRun {
    /// Shows scored.
    pub scored: usize,
    /// Shows that failed (still queued).
    pub failed: Vec<ShowId>,
}

impl ScorePendingShows {
    /// One run over the queue (what the job does), on `conn`.
    pub async fn run_once(conn: &mut AsyncPgConnection) -> anyhow::Result<ScoringRun> {
        let started = std::time::Instant::now();
        let mut run = ScoringRun::default();
        while started.elapsed() < Self::BUDGET {
            let shows = scoring::pending_shows(conn, Self::BATCH, &run.failed).await?;
            if shows.is_empty() {
                break;
            }
            for show in shows {
                let scored = conn
                    .transaction(async |conn| {
                        if !scoring::take_pending_show(conn, show).await? {
                            return Ok(None);
                        }
                        scoring::score_show(conn, show).await.map(Some)
                    })
                    .await;
                match scored {
                    Ok(Some(scores)) => {
                        run.scored += 1;
                        tracing::debug!(
                            %show,
                            predictions = scores.scores.len(),
                            is_final = scores.is_final,
                            "show scored"
                        );
                    }
                    // Scored by another worker meanwhile.
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(%show, error = %e, "cannot score a show; it stays queued");
                        run.failed.push(show);
                    }
                }
            }
        }
        Ok(run)
    }
}

impl Job for ScorePendingShows {
    const KIND: &'static str = "score_pending_shows";
    const QUEUE: &'static str = crate::queues::SCORES;
    const PRIORITY: i16 = 10;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(120);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let mut conn = ctx.conn().await?;
        let run = Self::run_once(&mut conn).await?;
        if run.scored > 0 || !run.failed.is_empty() {
            tracing::info!(
                scored = run.scored,
                failed = run.failed.len(),
                "pending shows scored"
            );
        }
        Ok(())
    }
}

/// Starts shows whose start instant has passed (locking their predictions) and completes them
/// later (`Show::advance_statuses`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdvanceShowStatuses {}

impl Job for AdvanceShowStatuses {
    const KIND: &'static str = "advance_show_statuses";
    const QUEUE: &'static str = crate::queues::MAINTENANCE;
    const PRIORITY: i16 = 10;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(120);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let mut conn = ctx.conn().await?;
        let changes = Show::advance_statuses(&mut conn, None).await?;
        if changes.started + changes.completed + changes.locked > 0 {
            tracing::info!(
                started = changes.started,
                completed = changes.completed,
                locked = changes.locked,
                "show statuses advanced"
            );
        }
        Ok(())
    }
}

/// Recomputes the trending scores of shows and artists (`Show::recompute_trending`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecomputeTrending {}

impl Job for RecomputeTrending {
    const KIND: &'static str = "recompute_trending";
    const QUEUE: &'static str = crate::queues::MAINTENANCE;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(360);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let mut conn = ctx.conn().await?;
        let changes = long_transaction(&mut conn, |conn| {
            Box::pin(Show::recompute_trending(conn, None))
        })
        .await?;
        tracing::info!(
            shows = changes.shows,
            artists = changes.artists,
            "trending scores recomputed"
        );
        Ok(())
    }
}

/// Recomputes `artist_stats` of the given artists, or of every artist (`ArtistStats::refresh`);
/// for every artist, the search words' counts too (`search::count_words`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RefreshArtistStats {
    /// `None`: every artist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artists: Option<Vec<ArtistId>>,
}

impl Job for RefreshArtistStats {
    const KIND: &'static str = "refresh_artist_stats";
    const QUEUE: &'static str = crate::queues::MAINTENANCE;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(360);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        match &self.artists {
            None => Some(Self::KIND.to_owned()),
            Some(artists) if artists.len() == 1 => Some(format!("{}:{}", Self::KIND, artists[0])),
            Some(_) => None,
        }
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let mut conn = ctx.conn().await?;
        let artists = self.artists;
        let every_artist = artists.is_none();
        let written = long_transaction(&mut conn, |conn| {
            Box::pin(async move { ArtistStats::refresh(conn, artists.as_deref(), None).await })
        })
        .await?;
        tracing::info!(written, "artist statistics refreshed");
        if every_artist {
            // The catalog's other statistics: how common each search word is.
            let words = theset_database::search::count_words(&mut conn).await?;
            tracing::info!(words, "search word counts refreshed");
        }
        Ok(())
    }
}

/// Deletes finished jobs past their retention (`WORKER_KEEP_DONE_SECS`,
/// `WORKER_KEEP_FAILED_SECS`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PruneJobs {}

impl Job for PruneJobs {
    const KIND: &'static str = "prune_jobs";
    const QUEUE: &'static str = crate::queues::MAINTENANCE;
    const PRIORITY: i16 = -10;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(120);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let now = Utc::now();
        let done_before = now - chrono::Duration::from_std(ctx.settings.keep_done)?;
        let failed_before = now - chrono::Duration::from_std(ctx.settings.keep_failed)?;
        let mut conn = ctx.conn().await?;
        let pruned = theset_jobs::prune(&mut conn, done_before, failed_before).await?;
        tracing::info!(pruned, "finished jobs pruned");
        Ok(())
    }
}

//! Import jobs: one per artist and provider (Ticketmaster sync, setlist.fm import, setlist.fm
//! correction polling, Spotify catalog), and the fan-out jobs the schedules enqueue, which
//! enqueue one per-artist job each. Every import is idempotent (`theset-imports`), so a retried
//! or interrupted job converges to the same rows.
//!
//! Failures follow the import's classification: rate limited → retried after the provider's
//! `Retry-After`; unavailable (or a concurrent write) → retried with backoff; a bad key, an
//! unknown artist, an artist without the provider's id, or a provider this worker has no key for
//! → failed at once (`give_up`).

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use theset_database::enums::ShowStatus;
use theset_database::ids::ArtistId;
use theset_database::models::ArtistStats;
use theset_database::schema::{artists, show_artists, shows};
use theset_imports::{ArtistKey, ImportError, SetlistImportOptions, SetlistReport};
use theset_jobs::{Job, give_up, retry_after};

use crate::context::JobContext;

/// Maps an import failure onto the queue's retry policy.
pub fn classify(error: ImportError) -> anyhow::Error {
    if !error.is_retryable() {
        return give_up(error);
    }
    match error.retry_after() {
        Some(after) => retry_after(after, error),
        None => anyhow::Error::new(error),
    }
}

fn artist_key(artist: &str) -> anyhow::Result<ArtistKey> {
    if artist.trim().is_empty() {
        return Err(give_up(anyhow::anyhow!(
            "the payload's \"artist\" is empty (a slug or a MusicBrainz id)"
        )));
    }
    let Ok(key) = artist.parse::<ArtistKey>();
    Ok(key)
}

/// After a setlist.fm import that wrote actual setlists: the artist's statistics (song
/// statistics, the bot's average setlist, `artist_stats`) refreshed at once, inline, after the
/// import committed, so the next show's bot and rarity see the new setlists; one artist takes
/// milliseconds beside the import's pages. Not a job's failure (the import is done and must not
/// be retried for it): on an error a `refresh_artist_stats` job for the artist is enqueued
/// instead (deduplicated by artist), and the hourly refresh of every artist is the last resort.
async fn refresh_stats_after(ctx: &JobContext, report: &SetlistReport) {
    let Some(artist) = report.artist_id else {
        return;
    };
    if report.created + report.replaced == 0 {
        return;
    }
    if let Err(e) = refresh_artist(ctx, artist).await {
        tracing::warn!(%artist, error = %e, "cannot refresh the artist's statistics; enqueueing it");
        let job = crate::RefreshArtistStats {
            artists: Some(vec![artist]),
        };
        let enqueued = async {
            let mut conn = ctx.conn().await?;
            Ok::<_, anyhow::Error>(theset_jobs::enqueue(&mut conn, &job).await?)
        }
        .await;
        if let Err(e) = enqueued {
            tracing::warn!(%artist, error = %e, "cannot enqueue the artist's statistics either");
        }
    }
}

async fn refresh_artist(ctx: &JobContext, artist: ArtistId) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    let mut conn = ctx.conn().await?;
    let written = conn
        .transaction(async |conn| ArtistStats::refresh(conn, Some(&[artist]), None).await)
        .await?;
    tracing::info!(%artist, written, "artist statistics refreshed after an import");
    Ok(())
}

/// Ticketmaster: an attraction's upcoming events → artist, venues, shows, line-ups, statuses.
/// Payload `{"attraction_id": "K8vZ9171ob7"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketmasterSyncArtist {
    pub attraction_id: String,
}

impl Job for TicketmasterSyncArtist {
    const KIND: &'static str = "ticketmaster_sync_artist";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(900);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.attraction_id))
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let client = ctx.ticketmaster().map_err(give_up)?;
        let report = theset_imports::import_attraction(&ctx.pool, client, &self.attraction_id)
            .await
            .map_err(classify)?;
        tracing::info!(
            attraction = self.attraction_id,
            events = report.events,
            shows = report.shows,
            predictions = report.predicted_setlists_created,
            skipped = report.skipped.len(),
            "Ticketmaster sync done"
        );
        Ok(())
    }
}

/// setlist.fm: an artist's setlists → actual setlists. Payload
/// `{"artist": "<slug|mbid>", "since": "2026-11-20"}` (`since`, venue-local, optional: without
/// it, the whole history; `max_pages` optional).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetlistFmImportArtist {
    pub artist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pages: Option<u32>,
}

impl Job for SetlistFmImportArtist {
    const KIND: &'static str = "setlistfm_import_artist";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(1800);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.artist))
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let client = ctx.setlistfm().map_err(give_up)?;
        let key = artist_key(&self.artist)?;
        let options = SetlistImportOptions {
            since: self.since,
            max_pages: self.max_pages,
            ..SetlistImportOptions::default()
        };
        let report = theset_imports::import_artist_setlists(&ctx.pool, client, &key, &options)
            .await
            .map_err(classify)?;
        tracing::info!(
            artist = self.artist,
            pages = report.pages,
            created = report.created,
            replaced = report.replaced,
            unchanged = report.unchanged,
            "setlist.fm import done"
        );
        refresh_stats_after(&ctx, &report).await;
        Ok(())
    }
}

/// setlist.fm: setlists of the artist edited at the source since its last sync, replaced and
/// re-scored. Payload `{"artist": "<slug|mbid>"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetlistFmPollCorrections {
    pub artist: String,
}

impl Job for SetlistFmPollCorrections {
    const KIND: &'static str = "setlistfm_poll_corrections";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(900);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.artist))
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let client = ctx.setlistfm().map_err(give_up)?;
        let key = artist_key(&self.artist)?;
        let report = theset_imports::poll_setlist_corrections(&ctx.pool, client, &key)
            .await
            .map_err(classify)?;
        tracing::info!(
            artist = self.artist,
            replaced = report.replaced,
            created = report.created,
            "setlist.fm corrections polled"
        );
        refresh_stats_after(&ctx, &report).await;
        Ok(())
    }
}

/// Spotify (optional enrichment): the artist's images and genres, and its catalog. Payload
/// `{"artist": "<slug|mbid>"}`; the artist needs a Spotify id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpotifyImportCatalog {
    pub artist: String,
}

impl Job for SpotifyImportCatalog {
    const KIND: &'static str = "spotify_import_catalog";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(1800);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.artist))
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let client = ctx.spotify().map_err(give_up)?;
        let key = artist_key(&self.artist)?;
        let report = theset_imports::import_catalog(&ctx.pool, client, &key)
            .await
            .map_err(classify)?;
        tracing::info!(
            artist = self.artist,
            tracks = report.tracks,
            created = report.songs_created,
            updated = report.songs_updated,
            skipped = ?report.skipped,
            "Spotify catalog imported"
        );
        Ok(())
    }
}

/// Enqueues `jobs`, each with its own deduplication key (an artist already waiting is not
/// enqueued twice). Returns how many were new.
async fn fan_out<J: Job>(ctx: &JobContext, jobs: &[J]) -> anyhow::Result<usize> {
    let mut conn = ctx.conn().await?;
    let mut new = 0;
    for job in jobs {
        if theset_jobs::enqueue(&mut conn, job).await?.is_new() {
            new += 1;
        }
    }
    Ok(new)
}

/// Fan-out: one `ticketmaster_sync_artist` per tracked artist (`artists.ticketmaster_id` set).
/// Payload `{}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TicketmasterSyncTracked {}

impl Job for TicketmasterSyncTracked {
    const KIND: &'static str = "ticketmaster_sync_tracked";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(300);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        ctx.ticketmaster().map_err(give_up)?;
        let ids: Vec<String> = {
            let mut conn = ctx.conn().await?;
            artists::table
                .filter(artists::ticketmaster_id.is_not_null())
                .select(artists::ticketmaster_id.assume_not_null())
                .order(artists::ticketmaster_id)
                .load(&mut conn)
                .await?
        };
        let jobs: Vec<_> = ids
            .into_iter()
            .map(|attraction_id| TicketmasterSyncArtist { attraction_id })
            .collect();
        let new = fan_out(&ctx, &jobs).await?;
        tracing::info!(artists = jobs.len(), new, "Ticketmaster syncs enqueued");
        Ok(())
    }
}

/// Fan-out: one `setlistfm_import_artist` (since a day before the window) per artist with a
/// MusicBrainz id headlining or billed at a show completed in the last `days` days
/// (`WORKER_SETLISTFM_RECENT_DAYS` when absent). Payload `{}` or `{"days": 7}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SetlistFmImportRecent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl Job for SetlistFmImportRecent {
    const KIND: &'static str = "setlistfm_import_recent";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(300);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        ctx.setlistfm().map_err(give_up)?;
        let days = self
            .days
            .unwrap_or(ctx.settings.setlistfm_recent_days)
            .max(1);
        let today = Utc::now().date_naive();
        let from = today - chrono::Days::new(u64::from(days));
        let mbids: Vec<String> = {
            let mut conn = ctx.conn().await?;
            let recent = shows::table
                .filter(shows::status.eq(ShowStatus::Completed))
                .filter(shows::date.between(from, today));
            let headliners = recent
                .inner_join(artists::table.on(artists::id.eq(shows::headliner_artist_id)))
                .filter(artists::mbid.is_not_null())
                .select(artists::mbid.assume_not_null());
            let billed = show_artists::table
                .inner_join(shows::table)
                .inner_join(artists::table.on(artists::id.eq(show_artists::artist_id)))
                .filter(shows::status.eq(ShowStatus::Completed))
                .filter(shows::date.between(from, today))
                .filter(artists::mbid.is_not_null())
                .select(artists::mbid.assume_not_null());
            let mut mbids: Vec<String> = headliners.load(&mut conn).await?;
            mbids.extend(billed.load::<String>(&mut conn).await?);
            mbids.sort();
            mbids.dedup();
            mbids
        };
        // setlist.fm dates are venue-local and matched +/- 1 day.
        let since = from - chrono::Days::new(1);
        let jobs: Vec<_> = mbids
            .into_iter()
            .map(|artist| SetlistFmImportArtist {
                artist,
                since: Some(since),
                max_pages: None,
            })
            .collect();
        let new = fan_out(&ctx, &jobs).await?;
        tracing::info!(
            artists = jobs.len(),
            new,
            days,
            "setlist.fm imports enqueued"
        );
        Ok(())
    }
}

/// Fan-out: one `setlistfm_poll_corrections` per artist imported from setlist.fm before
/// (`artists.setlistfm_synced_at` set, with a MusicBrainz id). Payload `{}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SetlistFmPollAll {}

impl Job for SetlistFmPollAll {
    const KIND: &'static str = "setlistfm_poll_all";
    const QUEUE: &'static str = crate::queues::IMPORTS;
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: Duration = Duration::from_secs(300);
    type Context = JobContext;

    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        ctx.setlistfm().map_err(give_up)?;
        let mbids: Vec<String> = {
            let mut conn = ctx.conn().await?;
            artists::table
                .filter(artists::setlistfm_synced_at.is_not_null())
                .filter(artists::mbid.is_not_null())
                .select(artists::mbid.assume_not_null())
                .order(artists::mbid)
                .load(&mut conn)
                .await?
        };
        let jobs: Vec<_> = mbids
            .into_iter()
            .map(|artist| SetlistFmPollCorrections { artist })
            .collect();
        let new = fan_out(&ctx, &jobs).await?;
        tracing::info!(
            artists = jobs.len(),
            new,
            "setlist.fm correction polls enqueued"
        );
        Ok(())
    }
}

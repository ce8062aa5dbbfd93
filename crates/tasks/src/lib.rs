#![doc = include_str!("../README.md")]

pub mod budget;
pub mod context;
pub mod imports;
pub mod maintenance;

/// The worker's queues (`Job::QUEUE` of each kind). The worker runs one runner per queue, each
/// with its own slots (`WORKER_QUEUE_<NAME>_CONCURRENCY`), so no queue waits behind another.
pub mod queues {
    /// Vote totals and live scores: short, frequent, seen by fans within seconds.
    pub const SCORES: &str = "scores";
    /// Show statuses, trending, artist statistics, pruning: seconds to a minute each.
    pub const MAINTENANCE: &str = "maintenance";
    /// Provider imports: minutes each, paced by the providers' rate limits.
    pub const IMPORTS: &str = "imports";
    /// Every queue, in the order the worker starts their runners.
    pub const ALL: [&str; 3] = [SCORES, MAINTENANCE, IMPORTS];
}

use theset_jobs::Registry;

pub use imports::{
    SetlistFmImportArtist, SetlistFmImportRecent, SetlistFmPollAll, SetlistFmPollCorrections,
    SpotifyImportCatalog, TicketmasterSyncArtist, TicketmasterSyncTracked,
};
pub use maintenance::{
    AdvanceShowStatuses, FoldVoteTotals, PruneJobs, RecomputeTrending, RefreshArtistStats,
    ScorePendingShows, ScoringRun,
};

pub use budget::PgBudget;
pub use context::{JobContext, JobSettings, ProviderDisabled};

/// Every job kind, by name.
pub fn registry() -> Registry<JobContext> {
    Registry::new()
        .register::<FoldVoteTotals>()
        .register::<ScorePendingShows>()
        .register::<AdvanceShowStatuses>()
        .register::<RecomputeTrending>()
        .register::<RefreshArtistStats>()
        .register::<PruneJobs>()
        .register::<TicketmasterSyncArtist>()
        .register::<TicketmasterSyncTracked>()
        .register::<SetlistFmImportArtist>()
        .register::<SetlistFmImportRecent>()
        .register::<SetlistFmPollCorrections>()
        .register::<SetlistFmPollAll>()
        .register::<SpotifyImportCatalog>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_registered_once_and_parses_its_payloads() {
        let registry = registry();
        assert_eq!(
            registry.kinds(),
            [
                "advance_show_statuses",
                "fold_vote_totals",
                "prune_jobs",
                "recompute_trending",
                "refresh_artist_stats",
                "score_pending_shows",
                "setlistfm_import_artist",
                "setlistfm_import_recent",
                "setlistfm_poll_all",
                "setlistfm_poll_corrections",
                "spotify_import_catalog",
                "ticketmaster_sync_artist",
                "ticketmaster_sync_tracked"
            ]
        );
        assert_eq!(registry.queues(), ["imports", "maintenance", "scores"]);
        let mut all_queues = queues::ALL.to_vec();
        all_queues.sort_unstable();
        assert_eq!(registry.queues(), all_queues);
        for (kind, queue) in [
            ("fold_vote_totals", queues::SCORES),
            ("score_pending_shows", queues::SCORES),
            ("advance_show_statuses", queues::MAINTENANCE),
            ("recompute_trending", queues::MAINTENANCE),
            ("refresh_artist_stats", queues::MAINTENANCE),
            ("prune_jobs", queues::MAINTENANCE),
            ("setlistfm_import_artist", queues::IMPORTS),
            ("setlistfm_poll_all", queues::IMPORTS),
            ("ticketmaster_sync_tracked", queues::IMPORTS),
            ("spotify_import_catalog", queues::IMPORTS),
        ] {
            assert_eq!(registry.queue_of(kind), Some(queue), "{kind}");
        }
        let all = registry
            .new_job("refresh_artist_stats", serde_json::json!({}))
            .map(|job| job.key().map(str::to_owned));
        assert!(matches!(all, Ok(Some(key)) if key == "refresh_artist_stats"));
        assert!(
            registry
                .new_job(
                    "refresh_artist_stats",
                    serde_json::json!({"artists": ["not-a-uuid"]})
                )
                .is_err()
        );
        let import = registry
            .new_job(
                "setlistfm_import_artist",
                serde_json::json!({"artist": "radiohead", "since": "2026-11-20"}),
            )
            .map(|job| job.key().map(str::to_owned));
        assert!(
            matches!(&import, Ok(Some(key)) if key == "setlistfm_import_artist:radiohead"),
            "{import:?}"
        );
        assert!(
            registry
                .new_job(
                    "setlistfm_import_artist",
                    serde_json::json!({"artist": "radiohead", "since": "yesterday"})
                )
                .is_err()
        );
        assert!(
            registry
                .new_job("ticketmaster_sync_artist", serde_json::json!({}))
                .is_err(),
            "the attraction id is required"
        );
    }
}

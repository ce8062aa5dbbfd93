#![doc = include_str!("../README.md")]

pub mod context;
pub mod imports;
pub mod maintenance;

use theset_jobs::Registry;

pub use imports::{
    SetlistFmImportArtist, SetlistFmImportRecent, SetlistFmPollAll, SetlistFmPollCorrections,
    SpotifyImportCatalog, TicketmasterSyncArtist, TicketmasterSyncTracked,
};
pub use maintenance::{
    AdvanceShowStatuses, FoldVoteTotals, PruneJobs, RecomputeTrending, RefreshArtistStats,
    ScorePendingShows, ScoringRun,
};

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

/// The quick kinds: short, frequent jobs whose delay fans see (vote totals, live scores). The
/// worker runs them on slots of their own as well, so long imports filling every slot of
/// [`registry`]'s runner never hold them up.
pub fn quick_registry() -> Registry<JobContext> {
    Registry::new()
        .register::<FoldVoteTotals>()
        .register::<ScorePendingShows>()
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
        assert_eq!(
            quick_registry().kinds(),
            ["fold_vote_totals", "score_pending_shows"]
        );
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

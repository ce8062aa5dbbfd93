DROP INDEX idx_setlists_open_predictions;
DROP INDEX idx_shows_pending_status;
DROP FUNCTION advance_show_statuses(timestamptz, interval);
DROP FUNCTION refresh_artist_stats(uuid[], timestamptz);
DROP FUNCTION recompute_trending_scores(timestamptz);
DROP INDEX idx_votes_created_at;
DROP TABLE show_view_trends;

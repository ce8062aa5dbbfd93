DROP INDEX idx_setlists_open_predictions;
DROP INDEX idx_shows_pending_status;
DROP INDEX idx_votes_created_at;
DROP TABLE show_view_trends;

ALTER TABLE realtime_vote_log DROP COLUMN logged_at;

-- Realtime: what the listeners of crates/realtime read to tell subscribers about
-- changes, from every writer (API, worker, CLI, psql). Two paths, by how hot the write is:
--
-- * Votes are hot. A NOTIFY per vote would serialise every voting commit on NOTIFY's
--   database-wide lock, so the vote trigger only bumps the song's vote_version (in the counter
--   update it makes anyway) and appends the song to realtime_vote_log, an unlogged table with no
--   lock shared with anyone. Listeners read the log on a short tick with
--   realtime_vote_changes(), from a transaction-id horizon that cannot miss a late commit.
-- * Setlist edits, locks, played marks and show status are rare: a row trigger NOTIFYs
--   'show:<id>' on the channel theset_realtime (PostgreSQL folds identical notifications of one
--   transaction into one), and listeners reload that show with realtime_show_states().
-- The triggers and functions are in crates/database/replaceable/70_realtime.sql.

-- A song's counts change in steps; vote_version counts them, so it only grows and tells a newer
-- state from an older one. It changes in the same row update as the counts.
ALTER TABLE setlist_songs ADD COLUMN vote_version bigint NOT NULL DEFAULT 0;

-- Songs whose counts changed, with the writing transaction. Unlogged: after a crash it is empty,
-- and listeners (which reconnect after a crash) resend the full state anyway. Rows are removed by
-- realtime_prune_vote_log() once every listener has read them.
CREATE UNLOGGED TABLE realtime_vote_log (
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  setlist_song_id uuid NOT NULL
);
CREATE INDEX idx_realtime_vote_log_xid ON realtime_vote_log (xid);
ALTER TABLE realtime_vote_log ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON realtime_vote_log TO theset_api;

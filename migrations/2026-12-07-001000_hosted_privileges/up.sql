-- The vote log is pruned by age (realtime_prune_vote_log, run by the worker), no longer by the
-- listeners: API sessions may only read it.
ALTER TABLE realtime_vote_log ADD COLUMN logged_at timestamptz NOT NULL DEFAULT now();

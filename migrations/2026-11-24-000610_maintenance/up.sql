-- Maintenance computations the worker schedules (and the CLI runs on demand): trending scores,
-- artist statistics, show status transitions. Each is one idempotent SQL function, so every
-- writer computes them the same way; crates/database/README.md ("Maintenance") gives the rules.
-- A NULL `as_of` means now().

-- Trending ----------------------------------------------------------------------------------------

-- shows.view_count only ever counts up; trending wants recent views. Each recompute folds the
-- views counted since the previous fold into an exponentially decayed total per show. A total
-- decays as it is read (from computed_at), so a show's row is only written when it has new views.
CREATE TABLE show_view_trends (
  show_id uuid PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
  -- shows.view_count when last folded.
  views_seen integer NOT NULL CHECK (views_seen >= 0),
  -- Views, each weighted 2^(-age / half-life), as of computed_at.
  decayed_views double precision NOT NULL CHECK (decayed_views >= 0),
  computed_at timestamptz NOT NULL
);
ALTER TABLE show_view_trends ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON show_view_trends TO theset_service;

-- Recent votes are found by their creation time. BRIN: votes arrive roughly in time order, and a
-- BRIN index costs the voting path next to nothing (a b-tree would be one more insert per vote).
CREATE INDEX idx_votes_created_at ON votes USING brin (created_at);

-- Shows still to start or finish, and predictions still open: both stay small as time passes.
CREATE INDEX idx_shows_pending_status ON shows (starts_at) WHERE status IN ('upcoming', 'ongoing');
CREATE INDEX idx_setlists_open_predictions ON setlists (show_id)
  WHERE type = 'predicted' AND NOT is_locked;

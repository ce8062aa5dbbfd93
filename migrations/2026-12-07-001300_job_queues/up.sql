-- Named job queues (crates/jobs, "Queues"): each kind belongs to one queue (`Job::QUEUE`), and a
-- worker runs one runner per queue with its own slots, so maintenance never waits behind imports.
ALTER TABLE jobs ADD COLUMN queue text NOT NULL DEFAULT 'default'
  CHECK (queue ~ '^[a-z][a-z0-9_-]{0,31}$');

-- The kinds that existed before queues, in the queues their types now name (a job enqueued by an
-- older build lands in 'default' and is taken by the runners of whichever queues its kind has
-- when a newer worker registers it: see crates/jobs/README.md).
UPDATE jobs SET queue = CASE
    WHEN kind IN ('fold_vote_totals', 'score_pending_shows') THEN 'scores'
    WHEN kind IN ('advance_show_statuses', 'recompute_trending', 'refresh_artist_stats', 'prune_jobs')
      THEN 'maintenance'
    WHEN kind LIKE 'setlistfm\_%' OR kind LIKE 'ticketmaster\_%' OR kind LIKE 'spotify\_%'
      THEN 'imports'
    ELSE queue
  END;

-- Taking: the due jobs of some queues, highest priority first (replaces idx_jobs_ready).
DROP INDEX idx_jobs_ready;
CREATE INDEX idx_jobs_ready ON jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';

-- Provider budgets shared by every worker process (crates/tasks, "Provider budgets"): the next
-- free request slot of each provider (requests are spaced evenly: each one takes the slot
-- `greatest(next_at, now())` and moves `next_at` one interval on) and the requests counted
-- against the current UTC day's quota. Updated by one INSERT ... ON CONFLICT DO UPDATE per
-- request, so concurrent workers serialise on the provider's row.
CREATE TABLE provider_budgets (
  provider text PRIMARY KEY CHECK (provider ~ '^[a-z][a-z0-9_.-]{0,31}$'),
  next_at timestamptz NOT NULL,
  day date NOT NULL,
  day_used integer NOT NULL CHECK (day_used >= 0)
);

ALTER TABLE provider_budgets ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON provider_budgets TO theset_service;

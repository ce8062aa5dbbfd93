-- The durable job queue (crates/jobs): the worker, the CLI and any writer enqueue here; worker
-- processes take jobs with FOR UPDATE SKIP LOCKED and hold them under a lease (locked_at,
-- renewed by heartbeats) so a worker that dies mid-job leaves it to be taken again.
--
-- Finished jobs are kept (state done or failed) until pruned, so `theset jobs list` can show
-- them and a periodic job's period key keeps blocking its duplicates after the job has run.

CREATE TYPE job_state AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The handler's name (`Job::KIND`).
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Higher runs first among the jobs that are due.
  priority smallint NOT NULL DEFAULT 0,
  state job_state NOT NULL DEFAULT 'queued',
  -- Not taken before this instant (set by backoff after a failure).
  run_at timestamptz NOT NULL DEFAULT now(),
  -- Attempts started so far, the one running included.
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 1000),
  last_error text,
  -- At most one queued or running job per key (idx_jobs_dedup_pending).
  dedup_key text CHECK (dedup_key <> '' AND length(dedup_key) <= 200),
  -- The lease of a running job: who holds it and when it was last renewed.
  locked_at timestamptz,
  locked_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT jobs_attempts_within_limit CHECK (attempts <= max_attempts),
  CONSTRAINT jobs_lease_while_running CHECK (
    CASE WHEN state = 'running' THEN locked_at IS NOT NULL AND locked_by IS NOT NULL
         ELSE locked_at IS NULL AND locked_by IS NULL END
  ),
  CONSTRAINT jobs_finished_when_done_or_failed CHECK ((state IN ('done', 'failed')) = (finished_at IS NOT NULL))
);

-- What workers scan: due jobs in the order they are taken.
CREATE INDEX idx_jobs_ready ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
-- Leases to expire.
CREATE INDEX idx_jobs_running ON jobs (locked_at) WHERE state = 'running';
-- Deduplication: one pending job per key; and every job with a key, for "once per key" enqueues.
CREATE UNIQUE INDEX idx_jobs_dedup_pending ON jobs (dedup_key)
  WHERE dedup_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX idx_jobs_dedup_key ON jobs (dedup_key) WHERE dedup_key IS NOT NULL;

-- Only the worker and the CLI (theset_service, BYPASSRLS) touch jobs; the API gets no grant and
-- no policy. RLS is enabled so that an accidental grant still exposes nothing.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO theset_service;

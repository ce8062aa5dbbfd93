DROP TABLE provider_budgets;

DROP INDEX idx_jobs_ready;
CREATE INDEX idx_jobs_ready ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
ALTER TABLE jobs DROP COLUMN queue;

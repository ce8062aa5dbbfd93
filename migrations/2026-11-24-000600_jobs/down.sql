DROP TABLE jobs;
DROP FUNCTION jobs_notify_queued();
DROP TYPE job_state;

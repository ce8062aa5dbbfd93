-- Wakes listening workers whenever a job becomes queued, whoever wrote it (worker, CLI, psql).
-- Identical notifications of one transaction are delivered once, so a batch wakes them once.
CREATE FUNCTION jobs_notify_queued() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('theset_jobs', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_wake AFTER INSERT OR UPDATE OF state ON jobs
  FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION jobs_notify_queued();

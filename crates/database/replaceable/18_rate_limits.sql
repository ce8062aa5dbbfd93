-- Takes one request from `subject`'s budget of `lim` per `period` in `bucket`; returns the
-- seconds until the window ends when the budget is spent, 0 when the request may go ahead.
-- A fixed window per (bucket, subject) row, updated in one statement, so every API process
-- shares it and concurrent requests of one subject queue on one row lock only. Called in a
-- statement of its own before the request's transaction, so refused and failing requests count
-- too. Only TheSet's API role calls it (Supabase's Data API users, whose session is
-- `authenticator`, may not spend other people's budgets); the table is pruned by the worker.
CREATE FUNCTION rate_limit_take(bucket text, subject text, lim integer, period interval)
RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  w rate_limits;
BEGIN
  IF session_user <> 'theset_api'
     AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RAISE EXCEPTION 'permission denied: rate limits are the API''s to spend' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO rate_limits AS r (bucket, subject, window_start, taken)
  VALUES (rate_limit_take.bucket, rate_limit_take.subject, now(), 1)
  ON CONFLICT ON CONSTRAINT rate_limits_pkey DO UPDATE SET
    window_start = CASE WHEN r.window_start <= now() - period THEN now() ELSE r.window_start END,
    taken = CASE WHEN r.window_start <= now() - period THEN 1 ELSE least(r.taken + 1, lim + 1) END
  RETURNING * INTO w;
  IF w.taken > lim THEN
    RETURN greatest(extract(epoch FROM w.window_start + period - now()), 0);
  END IF;
  RETURN 0;
END
$$;

-- Windows that ended more than `keep` ago (the worker's, with the vote-total fold).
CREATE FUNCTION rate_limits_prune(keep interval) RETURNS bigint
LANGUAGE sql
AS $$
  WITH gone AS (DELETE FROM rate_limits WHERE window_start < now() - keep RETURNING 1)
  SELECT count(*) FROM gone
$$;

GRANT EXECUTE ON FUNCTION rate_limit_take(text, text, integer, interval) TO theset_api;
REVOKE EXECUTE ON FUNCTION rate_limits_prune(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rate_limits_prune(interval) TO theset_service;

-- Takes up to `want` requests from `subject`'s budget of `lim` per `period` in `bucket`: returns
-- how many were granted (0 once the budget is spent) and the seconds left in the window. One
-- fixed window per (bucket, subject) row, updated in one statement, so every API process shares
-- it and concurrent takes of one subject queue on that row's lock only. A process takes a small
-- batch at once and spends it from memory (apps/api/src/rate_limit.rs). Only TheSet's API role
-- calls it (Supabase's Data API users, whose session is `authenticator`, may not spend other
-- people's budgets); the table is pruned by the worker.
CREATE FUNCTION rate_limit_take(bucket text, subject text, lim integer, period interval,
                                want integer)
RETURNS TABLE (granted integer, seconds_left double precision)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
BEGIN
  IF session_user <> 'theset_api'
     AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RAISE EXCEPTION 'permission denied: rate limits are the API''s to spend'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- In SET, r.* is the row as it was: a window that ended starts again.
  RETURN QUERY
  INSERT INTO rate_limits AS r (bucket, subject, window_start, taken, granted)
  VALUES (rate_limit_take.bucket, rate_limit_take.subject, now(), least(want, lim),
          least(want, lim))
  ON CONFLICT ON CONSTRAINT rate_limits_pkey DO UPDATE SET
    window_start = CASE WHEN r.window_start <= now() - period THEN now() ELSE r.window_start END,
    taken = CASE WHEN r.window_start <= now() - period THEN least(want, lim)
                 ELSE least(r.taken + want, lim) END,
    granted = CASE WHEN r.window_start <= now() - period THEN least(want, lim)
                   ELSE least(r.taken + want, lim) - least(r.taken, lim) END
  RETURNING r.granted,
            greatest(extract(epoch FROM r.window_start + period - now())::double precision, 0);
END
$$;

-- Windows that ended more than `keep` ago (the worker's, with the vote-total fold).
CREATE FUNCTION rate_limits_prune(keep interval) RETURNS bigint
LANGUAGE sql
AS $$
  WITH gone AS (DELETE FROM rate_limits WHERE window_start < now() - keep RETURNING 1)
  SELECT count(*) FROM gone
$$;

GRANT EXECUTE ON FUNCTION rate_limit_take(text, text, integer, interval, integer) TO theset_api;
REVOKE EXECUTE ON FUNCTION rate_limits_prune(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rate_limits_prune(interval) TO theset_service;

-- A fan's account, deleted at their request (DELETE /v1/me; crates/database/README.md, "A fan's
-- own data"). The users row goes, and with it, by the schema's cascades, everything that is
-- theirs: their votes (retracted: the vote triggers move the counters and mark the totals, as for
-- any deleted vote), their own predictions with their songs and scores, their standings and
-- profile; the crowd setlists they started lose their creator (ON DELETE SET NULL). The lock
-- triggers let cascades through, so votes and predictions of past shows go too. A row with the
-- same id comes back as a tombstone that nothing references (no email, name, settings or
-- credentials; deleted_at set): the account's tokens, which Supabase keeps valid until they
-- expire, are refused, and the next request does not create the account again. Shows whose
-- leaderboards held the fan are queued for scoring, so their ranks close up.
CREATE FUNCTION delete_my_account() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  me uuid := current_user_id();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only a signed-in caller deletes their account'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO scores_pending (show_id)
    SELECT DISTINCT show_id FROM prediction_scores WHERE user_id = me;
  DELETE FROM users WHERE id = me AND deleted_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO users (id, email, deleted_at) VALUES (me, me || '@deleted.invalid', now());
  RETURN true;
END
$$;

GRANT EXECUTE ON FUNCTION delete_my_account() TO theset_api;

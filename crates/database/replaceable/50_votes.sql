-- vote rules and counters -----------------------------------------------------------------------
-- Votes are refused on actual setlists and whenever predictions_closed_reason() says the setlist
-- is closed (locked, show started, cancelled or postponed). This holds for every writer;
-- cascaded deletes (a song or setlist removed) are let through. SECURITY DEFINER: the rule reads
-- the song's setlist and show as they are, not as the caller may see them (under a fan's RLS
-- another fan's hidden prediction read as nothing, and a vote on its songs passed).
CREATE FUNCTION votes_check_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.setlist_song_id ELSE NEW.setlist_song_id END;
  kind setlist_type;
  owned boolean;
  reason text;
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.user_id, NEW.setlist_song_id) IS DISTINCT FROM (OLD.user_id, OLD.setlist_song_id) THEN
    RAISE EXCEPTION 'a vote cannot move to another user or song'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'votes_keys_immutable';
  END IF;
  SELECT s.type, s.owner_id IS NOT NULL,
         predictions_closed_reason(s.is_locked, sh.status, sh.ticketmaster_status, sh.starts_at)
  INTO kind, owned, reason
  FROM setlist_songs ss
  JOIN setlists s ON s.id = ss.setlist_id
  JOIN shows sh ON sh.id = s.show_id
  WHERE ss.id = target;
  IF kind = 'actual' THEN
    RAISE EXCEPTION 'votes are only taken on predicted setlists'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'votes_setlist_predicted';
  ELSIF owned THEN
    -- A fan's own prediction is theirs alone: the crowd votes on the crowd setlist.
    RAISE EXCEPTION 'votes are taken on the show''s crowd setlist, not on fans'' own predictions'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'votes_crowd_setlist_only';
  ELSIF reason IS NOT NULL THEN
    RAISE EXCEPTION 'voting is closed: %', replace(reason, '_', ' ')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'votes_' || reason;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER votes_open BEFORE INSERT OR UPDATE OR DELETE ON votes
  FOR EACH ROW EXECUTE FUNCTION votes_check_open();

-- The vote counters: each vote moves its song's up and down counts in the voting transaction
-- (bumping vote_version, which realtime streams order counts by) and appends the song to the
-- realtime vote log; show and setlist totals are folded later from vote_totals_pending.
CREATE FUNCTION votes_maintain_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  up_delta integer := 0;
  down_delta integer := 0;
  song uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.setlist_song_id ELSE NEW.setlist_song_id END;
  changed_setlist uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.vote_type = 'up' THEN up_delta := up_delta - 1; ELSE down_delta := down_delta - 1; END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.vote_type = 'up' THEN up_delta := up_delta + 1; ELSE down_delta := down_delta + 1; END IF;
  END IF;
  IF up_delta = 0 AND down_delta = 0 THEN
    RETURN NULL;
  END IF;
  UPDATE setlist_songs
  SET upvotes = upvotes + up_delta, downvotes = downvotes + down_delta,
      vote_version = vote_version + 1
  WHERE id = song
  RETURNING setlist_id INTO changed_setlist;
  IF changed_setlist IS NOT NULL THEN
    INSERT INTO realtime_vote_log (setlist_song_id) VALUES (song);
    -- A changed direction leaves the number of votes as it was.
    IF TG_OP <> 'UPDATE' THEN
      INSERT INTO vote_totals_pending (setlist_id) VALUES (changed_setlist);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER votes_counts AFTER INSERT OR UPDATE OR DELETE ON votes
  FOR EACH ROW EXECUTE FUNCTION votes_maintain_counts();

-- Casting, changing and retracting a vote, each one statement (so one transaction and one round
-- trip) returning the song's counts as they are after the change. They run as the caller, so RLS
-- decides whose vote may be written; votes_check_open decides whether voting is open.
CREATE FUNCTION cast_vote(voter uuid, target uuid, kind vote_type)
RETURNS TABLE (upvotes integer, downvotes integer, net_votes integer)
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO votes AS v (user_id, setlist_song_id, vote_type)
  VALUES (voter, target, kind)
  ON CONFLICT (user_id, setlist_song_id) DO UPDATE SET vote_type = EXCLUDED.vote_type
  WHERE v.vote_type IS DISTINCT FROM EXCLUDED.vote_type;
  RETURN QUERY SELECT ss.upvotes, ss.downvotes, ss.net_votes FROM setlist_songs ss WHERE ss.id = target;
END
$$;

CREATE FUNCTION retract_vote(voter uuid, target uuid)
RETURNS TABLE (upvotes integer, downvotes integer, net_votes integer)
LANGUAGE plpgsql
AS $$
BEGIN
  DELETE FROM votes WHERE user_id = voter AND setlist_song_id = target;
  RETURN QUERY SELECT ss.upvotes, ss.downvotes, ss.net_votes FROM setlist_songs ss WHERE ss.id = target;
END
$$;

-- The API's vote in one statement, so one round trip and one implicit transaction: the caller's
-- verified claims set transaction-locally (as caller.rs sets them for any other request), their
-- account checked, the vote cast or retracted. SECURITY INVOKER, so RLS is in force as for any
-- statement of theset_api. A caller without a live users row (a first request, a deleted account)
-- gets votes_caller_unknown, and the API takes the path that creates the row or refuses it.
-- They speak for whoever `claims` names: only theset_api, which verified the token, may call
-- them (never PUBLIC, nor Supabase's anon or authenticated: 95_privileges.sql).
CREATE FUNCTION caller_is_known(claims text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM set_config('request.jwt.claims', claims, true);
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = current_user_id() AND deleted_at IS NULL) THEN
    RAISE EXCEPTION 'the caller has no account yet'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'votes_caller_unknown';
  END IF;
END
$$;

CREATE FUNCTION cast_vote_as(claims text, target uuid, kind vote_type)
RETURNS TABLE (upvotes integer, downvotes integer, net_votes integer)
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM caller_is_known(claims);
  RETURN QUERY SELECT * FROM cast_vote(current_user_id(), target, kind);
END
$$;

CREATE FUNCTION retract_vote_as(claims text, target uuid)
RETURNS TABLE (upvotes integer, downvotes integer, net_votes integer)
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM caller_is_known(claims);
  RETURN QUERY SELECT * FROM retract_vote(current_user_id(), target);
END
$$;

REVOKE EXECUTE ON FUNCTION caller_is_known(text), cast_vote_as(text, uuid, vote_type),
                           retract_vote_as(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caller_is_known(text), cast_vote_as(text, uuid, vote_type),
                          retract_vote_as(text, uuid) TO theset_api;

-- Songs and setlists that disappear take their votes with them: mark what to recompute.
CREATE FUNCTION setlist_songs_mark_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
BEGIN
  IF OLD.upvotes + OLD.downvotes > 0 THEN
    INSERT INTO vote_totals_pending (setlist_id) VALUES (OLD.setlist_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER setlist_songs_totals AFTER DELETE ON setlist_songs
  FOR EACH ROW EXECUTE FUNCTION setlist_songs_mark_totals();

-- shows.setlist_count changes rarely (setlists are created by imports and fans, not per vote), so
-- it is kept exact in the writing transaction.
CREATE FUNCTION setlists_maintain_show_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE shows SET setlist_count = setlist_count + 1 WHERE id = NEW.show_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE shows SET setlist_count = setlist_count - 1 WHERE id = OLD.show_id;
    INSERT INTO vote_totals_pending (show_id) VALUES (OLD.show_id);
  ELSIF NEW.show_id IS DISTINCT FROM OLD.show_id THEN
    UPDATE shows SET setlist_count = setlist_count - 1 WHERE id = OLD.show_id;
    UPDATE shows SET setlist_count = setlist_count + 1 WHERE id = NEW.show_id;
    INSERT INTO vote_totals_pending (show_id) VALUES (OLD.show_id), (NEW.show_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER setlists_show_counts AFTER INSERT OR DELETE OR UPDATE OF show_id ON setlists
  FOR EACH ROW EXECUTE FUNCTION setlists_maintain_show_counts();

-- Folds vote_totals_pending into setlists.total_votes and shows.vote_count by recomputing them
-- from setlist_songs (so a fold can never drift). Folds are serialised by an advisory lock: a
-- later fold always recomputes from a later snapshot. Returns how many setlists and shows changed.
CREATE FUNCTION refresh_vote_totals() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  setlist_ids uuid[];
  show_ids uuid[];
  changed integer;
  changed_shows integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('theset.refresh_vote_totals'));
  WITH taken AS (DELETE FROM vote_totals_pending RETURNING setlist_id, show_id)
  SELECT array_agg(DISTINCT setlist_id) FILTER (WHERE setlist_id IS NOT NULL),
         array_agg(DISTINCT show_id) FILTER (WHERE show_id IS NOT NULL)
  INTO setlist_ids, show_ids
  FROM taken;

  UPDATE setlists s
  SET total_votes = totals.votes
  FROM (
    SELECT id, (SELECT coalesce(sum(upvotes + downvotes), 0) FROM setlist_songs WHERE setlist_id = t.id)::integer AS votes
    FROM unnest(setlist_ids) AS t (id)
  ) AS totals
  WHERE s.id = totals.id AND s.total_votes <> totals.votes;
  GET DIAGNOSTICS changed = ROW_COUNT;

  show_ids := coalesce(show_ids, '{}') || ARRAY(SELECT DISTINCT show_id FROM setlists WHERE id = ANY (setlist_ids));
  UPDATE shows sh
  SET vote_count = totals.votes
  FROM (
    SELECT id, (SELECT coalesce(sum(total_votes), 0) FROM setlists WHERE show_id = t.id)::integer AS votes
    FROM (SELECT DISTINCT unnest(show_ids) AS id) AS t
  ) AS totals
  WHERE sh.id = totals.id AND sh.vote_count <> totals.votes;
  GET DIAGNOSTICS changed_shows = ROW_COUNT;
  RETURN changed + changed_shows;
END
$$;

-- The fold is the worker's (service role) and the owner's: an API-role session holding its lock
-- would stall every fold, so the API may not call it.
REVOKE EXECUTE ON FUNCTION refresh_vote_totals() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_vote_totals() TO theset_service;

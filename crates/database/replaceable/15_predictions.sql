-- The prediction game's rules, held by PostgreSQL for every writer (API, worker, CLI, psql).
-- The decisions are written down in crates/database/README.md, "Predictions and locking".

-- Why predictions of a show can no longer change, or NULL while they are open. The one
-- definition of the lock: the vote and edit triggers below and the API all ask it.
--   setlist_locked  a moderator locked the setlist;
--   show_cancelled  the show is cancelled;
--   show_postponed  Ticketmaster says postponed: closed until a new date is announced
--                   ('rescheduled' or back on sale), then open again until the new start;
--   show_started    the start instant has passed (local midnight when the time is TBA), or the
--                   show is already ongoing or completed whatever its start says.
CREATE FUNCTION predictions_closed_reason(setlist_locked boolean, status show_status,
                                          ticketmaster_status text, starts_at timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
  WHEN setlist_locked THEN 'setlist_locked'
  WHEN status = 'cancelled' THEN 'show_cancelled'
  WHEN status IN ('ongoing', 'completed') OR starts_at <= now() THEN 'show_started'
  WHEN ticketmaster_status = 'postponed' THEN 'show_postponed'
END;

-- Fans' own predictions are hidden from other fans until the show has started (no copying);
-- a cancelled or postponed show keeps them hidden, since it may open again.
CREATE FUNCTION predictions_revealed(status show_status, starts_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN status IN ('ongoing', 'completed') OR (status <> 'cancelled' AND starts_at <= now());

CREATE FUNCTION show_predictions_revealed(target_show uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp
RETURN coalesce((SELECT predictions_revealed(status, starts_at) FROM shows WHERE id = target_show), false);

-- Moderators, admins and the roles that bypass Row Level Security (the service role, the
-- schema owner) may still remove a closed prediction; nobody may change one.
CREATE FUNCTION caller_may_moderate() RETURNS boolean
LANGUAGE sql STABLE
RETURN current_user_is_staff()
  OR coalesce((SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user), false);

CREATE FUNCTION raise_predictions_closed(reason text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'predictions are closed: %', replace(reason, '_', ' ')
    USING ERRCODE = 'check_violation', CONSTRAINT = 'predictions_' || reason;
END
$$;

-- Raises why a predicted setlist is closed, if it is (actual setlists pass). The functions
-- that must answer "closed" before anything else (add_setlist_song, reorder_setlist) call it.
CREATE FUNCTION raise_if_setlist_closed(target_setlist uuid) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  reason text;
BEGIN
  SELECT predictions_closed_reason(sl.is_locked, s.status, s.ticketmaster_status, s.starts_at)
  INTO reason
  FROM setlists sl JOIN shows s ON s.id = sl.show_id
  WHERE sl.id = target_setlist AND sl.type = 'predicted';
  IF reason IS NOT NULL THEN
    PERFORM raise_predictions_closed(reason);
  END IF;
END
$$;

-- Predicted setlists: created only while the show is open; changed only while open (locking,
-- unlocking and the folded vote totals excepted); removed by their owner only while open, by
-- moderators always. Cascades (a show or user deleted) pass.
CREATE FUNCTION setlists_check_open() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  target setlists := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  reason text;
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN target;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD.type <> 'predicted' AND NEW.type <> 'predicted' THEN
      RETURN NEW;
    END IF;
    IF (NEW.show_id, NEW.artist_id, NEW.type, NEW.name, NEW.order_index, NEW.owner_id, NEW.created_by)
       IS NOT DISTINCT FROM (OLD.show_id, OLD.artist_id, OLD.type, OLD.name, OLD.order_index, OLD.owner_id, OLD.created_by) THEN
      RETURN NEW;
    END IF;
    IF (OLD.owner_id IS NOT NULL OR NEW.owner_id IS NOT NULL)
       AND (NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.show_id <> OLD.show_id
            OR NEW.type <> OLD.type OR NEW.artist_id <> OLD.artist_id) THEN
      RAISE EXCEPTION 'a prediction keeps its show, artist, type and owner'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'setlists_prediction_keys_immutable';
    END IF;
  ELSIF target.type <> 'predicted' THEN
    RETURN target;
  ELSIF TG_OP = 'DELETE' AND caller_may_moderate() THEN
    RETURN OLD;
  END IF;
  SELECT predictions_closed_reason(TG_OP <> 'INSERT' AND OLD.is_locked, s.status,
                                   s.ticketmaster_status, s.starts_at)
  INTO reason FROM shows s WHERE s.id = target.show_id;
  IF reason IS NOT NULL THEN
    PERFORM raise_predictions_closed(reason);
  END IF;
  RETURN target;
END
$$;

CREATE TRIGGER setlists_open BEFORE INSERT OR UPDATE OR DELETE ON setlists
  FOR EACH ROW EXECUTE FUNCTION setlists_check_open();

-- Songs of predicted setlists: added, removed, moved or changed only while the setlist is
-- open, and only songs of the setlist artist's catalog. Marking songs played during the show,
-- and the vote counters, are not edits (the trigger does not fire for them).
CREATE FUNCTION setlist_songs_check_open() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  target setlist_songs := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  list setlists;
  reason text;
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN target;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.setlist_id <> OLD.setlist_id THEN
    RAISE EXCEPTION 'a setlist song stays in its setlist'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'setlist_songs_setlist_immutable';
  END IF;
  SELECT * INTO list FROM setlists WHERE id = target.setlist_id;
  IF NOT FOUND OR list.type <> 'predicted' THEN
    RETURN target;
  END IF;
  SELECT predictions_closed_reason(list.is_locked, s.status, s.ticketmaster_status, s.starts_at)
  INTO reason FROM shows s WHERE s.id = list.show_id;
  IF reason IS NOT NULL THEN
    PERFORM raise_predictions_closed(reason);
  END IF;
  IF TG_OP <> 'DELETE' AND NOT EXISTS (SELECT 1 FROM songs WHERE id = NEW.song_id AND artist_id = list.artist_id) THEN
    RAISE EXCEPTION 'the song is not in the artist''s catalog'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'setlist_songs_song_in_catalog';
  END IF;
  RETURN target;
END
$$;

CREATE TRIGGER setlist_songs_open BEFORE INSERT OR DELETE ON setlist_songs
  FOR EACH ROW EXECUTE FUNCTION setlist_songs_check_open();

CREATE TRIGGER setlist_songs_open_update
  BEFORE UPDATE OF setlist_id, song_id, position, encore, notes, is_tape ON setlist_songs
  FOR EACH ROW
  WHEN ((OLD.setlist_id, OLD.song_id, OLD.position, OLD.encore, OLD.notes, OLD.is_tape)
        IS DISTINCT FROM (NEW.setlist_id, NEW.song_id, NEW.position, NEW.encore, NEW.notes, NEW.is_tape))
  EXECUTE FUNCTION setlist_songs_check_open();

-- Puts a setlist's entries in the given order (positions 1..n) and marks the entries from
-- `encore_from` (1-based; NULL: no encore) as the encore. `entries` must name every entry of the
-- setlist exactly once. One UPDATE, so the deferrable position key is checked once, at its end.
-- Runs as the caller: RLS decides whose setlist it may reorder, the triggers whether it is open.
CREATE FUNCTION reorder_setlist(target_setlist uuid, entries uuid[], encore_from integer)
RETURNS SETOF setlist_songs
LANGUAGE plpgsql
AS $$
DECLARE
  held integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(target_setlist::text, 7));
  -- A closed prediction refuses even an order that changes nothing: the caller learns why.
  PERFORM raise_if_setlist_closed(target_setlist);
  IF (SELECT count(DISTINCT e) FROM unnest(entries) AS e) <> cardinality(entries) THEN
    RAISE EXCEPTION 'an entry is named twice'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'reorder_entries_distinct';
  END IF;
  SELECT count(*) INTO held FROM setlist_songs WHERE setlist_id = target_setlist;
  IF held <> cardinality(entries)
     OR (SELECT count(*) FROM setlist_songs WHERE setlist_id = target_setlist AND id = ANY (entries)) <> held THEN
    RAISE EXCEPTION 'the order must name every entry of the setlist, and only those'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'reorder_entries_complete';
  END IF;
  RETURN QUERY
  UPDATE setlist_songs ss
  SET position = o.n::integer,
      encore = CASE WHEN encore_from IS NOT NULL AND o.n >= encore_from THEN 1 ELSE 0 END
  FROM unnest(entries) WITH ORDINALITY AS o (id, n)
  WHERE ss.id = o.id AND ss.setlist_id = target_setlist
  RETURNING ss.*;
END
$$;

-- Live show mode: appends a played song to an actual setlist, at the next position (a reprise
-- may repeat a song). Serialised per setlist like add_setlist_song; runs as the caller, so RLS
-- lets only staff (and the service role) write actual setlists.
CREATE FUNCTION append_played_song(target_setlist uuid, new_song uuid, encore integer,
                                   is_tape boolean, cover_artist_name text,
                                   guest_artist_name text, info text)
RETURNS SETOF setlist_songs
LANGUAGE plpgsql
AS $$
DECLARE
  list setlists;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(target_setlist::text, 7));
  SELECT * INTO list FROM setlists WHERE id = target_setlist;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF list.type <> 'actual' THEN
    RAISE EXCEPTION 'played songs are recorded on actual setlists'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'setlist_songs_actual_only';
  ELSIF NOT EXISTS (SELECT 1 FROM songs WHERE id = new_song AND artist_id = list.artist_id) THEN
    RAISE EXCEPTION 'the song is not in the artist''s catalog'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'setlist_songs_song_in_catalog';
  END IF;
  RETURN QUERY
  INSERT INTO setlist_songs (setlist_id, song_id, position, encore, is_tape, cover_artist_name,
                             guest_artist_name, info, is_played, play_time)
  VALUES (
    target_setlist, new_song,
    coalesce((SELECT max(position) FROM setlist_songs WHERE setlist_id = target_setlist), 0) + 1,
    append_played_song.encore, append_played_song.is_tape, append_played_song.cover_artist_name,
    append_played_song.guest_artist_name, append_played_song.info, true, now())
  RETURNING *;
END
$$;

-- How fans appear on leaderboards and in histories: a private fan (no public profile) without
-- name and avatar. SECURITY DEFINER: users rows are otherwise readable only by their owner.
CREATE FUNCTION fan_identities(ids uuid[])
RETURNS TABLE (user_id uuid, is_public boolean, display_name text, avatar_url text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
  SELECT u.id, coalesce(p.is_public, false),
         CASE WHEN p.is_public THEN u.display_name END,
         CASE WHEN p.is_public THEN u.avatar_url END
  FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id
  WHERE u.id = ANY (ids) AND u.deleted_at IS NULL
$$;

-- A change of an actual setlist's songs, or of its lock (a moderator finalising a live record),
-- queues its show for scoring. SECURITY DEFINER: the queue is not the writer's to touch.
CREATE FUNCTION scores_mark_pending() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
BEGIN
  IF TG_TABLE_NAME = 'setlists' THEN
    IF NEW.type = 'actual' THEN
      INSERT INTO scores_pending (show_id) VALUES (NEW.show_id);
    END IF;
  ELSIF TG_LEVEL = 'ROW' THEN
    INSERT INTO scores_pending (show_id)
    SELECT sl.show_id FROM setlists sl WHERE sl.id = NEW.setlist_id AND sl.type = 'actual';
  ELSE
    INSERT INTO scores_pending (show_id)
    SELECT sl.show_id FROM setlists sl
    WHERE sl.type = 'actual'
      AND sl.id IN (SELECT setlist_id FROM changed);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER setlist_songs_scores_insert AFTER INSERT ON setlist_songs
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION scores_mark_pending();

-- Row by row with a WHEN test, so the vote counters' updates never call the function.
CREATE TRIGGER setlist_songs_scores_update AFTER UPDATE ON setlist_songs
  FOR EACH ROW
  WHEN ((OLD.song_id, OLD.position, OLD.encore, OLD.is_tape)
        IS DISTINCT FROM (NEW.song_id, NEW.position, NEW.encore, NEW.is_tape))
  EXECUTE FUNCTION scores_mark_pending();

CREATE TRIGGER setlist_songs_scores_delete AFTER DELETE ON setlist_songs
  REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION scores_mark_pending();

CREATE TRIGGER setlists_scores_locked AFTER UPDATE OF is_locked ON setlists
  FOR EACH ROW WHEN (OLD.is_locked IS DISTINCT FROM NEW.is_locked)
  EXECUTE FUNCTION scores_mark_pending();

GRANT EXECUTE ON FUNCTION show_predictions_revealed(uuid), fan_identities(uuid[])
  TO theset_api, theset_service;

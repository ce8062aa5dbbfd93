-- Two kinds of notification on one channel, each naming a show:
-- - 'show:<id>', structural changes: what realtime streams carry (their listener reads the show's
--   state again and sends what differs);
-- - 'page:<id>', every other change to what the show page (show_details) or a show card in the
--   trending list shows: the show's own row (totals, trending score, prices, ...), its setlists'
--   totals and import data, its songs' other columns, its line-up, its headliner, its venue, its
--   songs' catalog rows. Streams ignore them; the API's page cache drops the show's page (and the
--   trending list). Vote counts are neither: the vote log carries them (no NOTIFY on the vote path).
-- The trigger functions take the kind as their argument (default 'show').

-- SECURITY DEFINER so the lookup of the setlist's show works for any writer.
CREATE FUNCTION realtime_notify_setlist_songs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  kind text := coalesce(TG_ARGV[0], 'show');
  target_show uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT show_id INTO target_show FROM setlists WHERE id = OLD.setlist_id;
    IF target_show IS NOT NULL THEN
      PERFORM pg_notify('theset_realtime', kind || ':' || target_show);
    END IF;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.setlist_id IS DISTINCT FROM OLD.setlist_id) THEN
    SELECT show_id INTO target_show FROM setlists WHERE id = NEW.setlist_id;
    IF target_show IS NOT NULL THEN
      PERFORM pg_notify('theset_realtime', kind || ':' || target_show);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER setlist_songs_realtime AFTER INSERT OR DELETE ON setlist_songs
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_setlist_songs();

-- Vote counter updates change none of these columns (those the show state carries), so the vote
-- path never calls the function (the WHEN test runs in C).
CREATE TRIGGER setlist_songs_realtime_update AFTER UPDATE ON setlist_songs
  FOR EACH ROW
  WHEN ((OLD.setlist_id, OLD.song_id, OLD.position, OLD.notes, OLD.is_played, OLD.play_time,
         OLD.encore, OLD.is_tape)
        IS DISTINCT FROM (NEW.setlist_id, NEW.song_id, NEW.position, NEW.notes, NEW.is_played,
                          NEW.play_time, NEW.encore, NEW.is_tape))
  EXECUTE FUNCTION realtime_notify_setlist_songs();

-- The rest of an update (cover and guest artists, set names, info; a rewrite of equal values,
-- which still moves updated_at), but never the vote counter update: only the vote trigger moves
-- vote_version, and the vote log carries what it changes.
CREATE TRIGGER setlist_songs_page_update AFTER UPDATE ON setlist_songs
  FOR EACH ROW
  WHEN (OLD.vote_version = NEW.vote_version
        AND (OLD.setlist_id, OLD.song_id, OLD.position, OLD.notes, OLD.is_played, OLD.play_time,
             OLD.encore, OLD.is_tape)
            IS NOT DISTINCT FROM (NEW.setlist_id, NEW.song_id, NEW.position, NEW.notes,
                                  NEW.is_played, NEW.play_time, NEW.encore, NEW.is_tape))
  EXECUTE FUNCTION realtime_notify_setlist_songs('page');

-- Rows that name their show (setlists, show_artists).
CREATE FUNCTION realtime_notify_show_rows() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  kind text := coalesce(TG_ARGV[0], 'show');
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_notify('theset_realtime', kind || ':' || OLD.show_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_notify('theset_realtime', kind || ':' || NEW.show_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER setlists_realtime AFTER INSERT OR DELETE ON setlists
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_show_rows();

-- Not total_votes: refresh_vote_totals() folds it every few seconds and it is not streamed.
CREATE TRIGGER setlists_realtime_update AFTER UPDATE ON setlists
  FOR EACH ROW
  WHEN ((OLD.show_id, OLD.type, OLD.name, OLD.order_index, OLD.is_locked)
        IS DISTINCT FROM (NEW.show_id, NEW.type, NEW.name, NEW.order_index, NEW.is_locked))
  EXECUTE FUNCTION realtime_notify_show_rows();

-- ... but the page shows total_votes (the fold) and the rest; fans' own predictions are not on it.
CREATE TRIGGER setlists_page_update AFTER UPDATE ON setlists
  FOR EACH ROW
  WHEN ((OLD.owner_id IS NULL OR NEW.owner_id IS NULL)
        AND (OLD.show_id, OLD.type, OLD.name, OLD.order_index, OLD.is_locked)
            IS NOT DISTINCT FROM (NEW.show_id, NEW.type, NEW.name, NEW.order_index, NEW.is_locked))
  EXECUTE FUNCTION realtime_notify_show_rows('page');

CREATE TRIGGER show_artists_page AFTER INSERT OR UPDATE OR DELETE ON show_artists
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_show_rows('page');

-- Scoring replaces a show's prediction_scores in a few statements (thousands of rows at a big
-- show): one notification per show and statement, from the transition table, not one per row.
-- PostgreSQL folds repeats within the transaction.
CREATE FUNCTION realtime_notify_prediction_scores() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM pg_notify('theset_realtime', 'show:' || c.show_id)
    FROM (SELECT show_id FROM changed UNION SELECT show_id FROM previous) c;
  ELSE
    PERFORM pg_notify('theset_realtime', 'show:' || c.show_id)
    FROM (SELECT DISTINCT show_id FROM changed) c;
  END IF;
  RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger (OLD TABLE has no INSERT, NEW TABLE no DELETE).
CREATE TRIGGER prediction_scores_realtime_insert AFTER INSERT ON prediction_scores
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_prediction_scores();

CREATE TRIGGER prediction_scores_realtime_update AFTER UPDATE ON prediction_scores
  REFERENCING NEW TABLE AS changed OLD TABLE AS previous
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_prediction_scores();

CREATE TRIGGER prediction_scores_realtime_delete AFTER DELETE ON prediction_scores
  REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_prediction_scores();

-- A fan's name shows in the score summary of the shows they were scored at, only while their
-- profile is public: a change of either reaches those streams. SECURITY DEFINER: the writer may
-- be the fan, through the API's role.
CREATE FUNCTION realtime_notify_fan_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  fan uuid;
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    fan := NEW.id;
  ELSIF TG_OP = 'DELETE' THEN
    fan := OLD.user_id;
  ELSE
    fan := NEW.user_id;
  END IF;
  PERFORM pg_notify('theset_realtime', 'show:' || p.show_id)
  FROM (SELECT DISTINCT show_id FROM prediction_scores WHERE user_id = fan AND kind = 'fan') p;
  RETURN NULL;
END
$$;

CREATE TRIGGER user_profiles_realtime AFTER INSERT OR DELETE ON user_profiles
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_fan_identity();

CREATE TRIGGER user_profiles_realtime_update AFTER UPDATE ON user_profiles
  FOR EACH ROW WHEN (OLD.is_public IS DISTINCT FROM NEW.is_public)
  EXECUTE FUNCTION realtime_notify_fan_identity();

CREATE TRIGGER users_realtime_update AFTER UPDATE ON users
  FOR EACH ROW
  WHEN ((OLD.display_name, OLD.deleted_at) IS DISTINCT FROM (NEW.display_name, NEW.deleted_at))
  EXECUTE FUNCTION realtime_notify_fan_identity();

CREATE FUNCTION realtime_notify_shows() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('theset_realtime', coalesce(TG_ARGV[0], 'show') || ':'
                    || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END
$$;

CREATE TRIGGER shows_realtime_delete AFTER DELETE ON shows
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_shows();

-- Not vote_count, trending_score or view_count: folded or recomputed often, not streamed.
CREATE TRIGGER shows_realtime_update AFTER UPDATE ON shows
  FOR EACH ROW
  WHEN ((OLD.name, OLD.slug, OLD.status, OLD.starts_at)
        IS DISTINCT FROM (NEW.name, NEW.slug, NEW.status, NEW.starts_at))
  EXECUTE FUNCTION realtime_notify_shows();

-- ... but they are on the page and its card (the worker's fold and trending recompute, imports);
-- a new show may enter the trending list.
CREATE TRIGGER shows_page_insert AFTER INSERT ON shows
  FOR EACH ROW EXECUTE FUNCTION realtime_notify_shows('page');

CREATE TRIGGER shows_page_update AFTER UPDATE ON shows
  FOR EACH ROW
  WHEN ((OLD.name, OLD.slug, OLD.status, OLD.starts_at)
        IS NOT DISTINCT FROM (NEW.name, NEW.slug, NEW.status, NEW.starts_at))
  EXECUTE FUNCTION realtime_notify_shows('page');

-- Catalog rows shown on show pages and cards: an artist (headliner or on the line-up), a venue, a
-- song on a crowd or actual setlist. Every show showing one is notified, once per statement from
-- the transition table (the trending recompute rewrites many artists in one statement). Deletes
-- need nothing: they reach the shows through their foreign keys (cascades, SET NULL).
CREATE FUNCTION realtime_notify_catalog() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_TABLE_NAME = 'artists' THEN
    PERFORM pg_notify('theset_realtime', 'page:' || p.show_id)
    FROM (SELECT s.id AS show_id FROM shows s WHERE s.headliner_artist_id IN (SELECT id FROM changed)
          UNION
          SELECT sa.show_id FROM show_artists sa WHERE sa.artist_id IN (SELECT id FROM changed)) p;
  ELSIF TG_TABLE_NAME = 'venues' THEN
    PERFORM pg_notify('theset_realtime', 'page:' || s.id)
    FROM shows s WHERE s.venue_id IN (SELECT id FROM changed);
  ELSE
    PERFORM pg_notify('theset_realtime', 'page:' || p.show_id)
    FROM (SELECT DISTINCT sl.show_id
          FROM setlist_songs ss JOIN setlists sl ON sl.id = ss.setlist_id
          WHERE ss.song_id IN (SELECT id FROM changed) AND sl.owner_id IS NULL) p;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER artists_page_update AFTER UPDATE ON artists
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_catalog();

CREATE TRIGGER venues_page_update AFTER UPDATE ON venues
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_catalog();

CREATE TRIGGER songs_page_update AFTER UPDATE ON songs
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_catalog();

-- What search answers with (crates/database/src/search.rs: an artist's name, slug and image, a
-- song's title and artist, a venue's name, slug, city and country): any statement that may change
-- it notifies `search:` once (NOTIFY folds equal payloads of a transaction into one), and the
-- API's cache of search results starts over. Per statement, so an import of thousands of songs
-- costs one notification; catalogue writes are rare beside searches.
CREATE FUNCTION realtime_notify_search() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('theset_realtime', 'search:');
  RETURN NULL;
END
$$;

CREATE TRIGGER artists_search_results
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF name, slug, image_url ON artists
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_search();

CREATE TRIGGER songs_search_results
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF title, artist_id ON songs
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_search();

CREATE TRIGGER venues_search_results
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF name, slug, city, country ON venues
  FOR EACH STATEMENT EXECUTE FUNCTION realtime_notify_search();

-- The current counts of the songs whose counts changed in transactions at or after since_xid
-- (NULL: none), limited to the given shows and songs (both NULL: every song, which the listener
-- filters in memory, so its statement does not grow with what it follows), and the horizon to pass as
-- since_xid next time: the oldest transaction this statement's snapshot still saw running. Every
-- change this snapshot cannot see belongs to a transaction at or after it, so reading from it
-- next time misses no commit, whatever the commit order. One statement, one snapshot: the
-- horizon comes as the first column of every row, and alone in one row when nothing changed.
-- Runs as the caller, so Row Level Security decides what it reveals.
CREATE FUNCTION realtime_vote_changes(since_xid bigint, show_ids uuid[], song_ids uuid[])
RETURNS TABLE (horizon bigint, setlist_song_id uuid, setlist_id uuid, show_id uuid,
               upvotes integer, downvotes integer, net_votes integer, vote_version bigint)
LANGUAGE sql STABLE
AS $$
  SELECT h.horizon, c.id, c.setlist_id, c.show_id, c.upvotes, c.downvotes, c.net_votes, c.vote_version
  FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) h
  LEFT JOIN LATERAL (
    SELECT ss.id, ss.setlist_id, sl.show_id, ss.upvotes, ss.downvotes, ss.net_votes, ss.vote_version
    FROM setlist_songs ss
    JOIN setlists sl ON sl.id = ss.setlist_id
    WHERE since_xid IS NOT NULL
      AND ss.id IN (SELECT l.setlist_song_id FROM realtime_vote_log l
                    WHERE l.xid >= since_xid::text::xid8)
      AND ((show_ids IS NULL AND song_ids IS NULL)
           OR sl.show_id = ANY (show_ids) OR ss.id = ANY (song_ids))
  ) c ON true
$$;

-- A show's scores at a glance, as JSON: whether they are final, when last scored, how many fans
-- were scored, the bot's and the crowd's scores (the headliner's when several artists were
-- scored; NULL when not scored) and the top 10 fans in leaderboard order (score, rarity points,
-- earlier prediction, user id: the order of idx_prediction_scores_show_rank), named as
-- fan_identities() names them (no name for a private fan). Runs as the caller.
CREATE FUNCTION realtime_score_summary(target_show uuid, headliner uuid)
RETURNS json
LANGUAGE sql STABLE
AS $$
  WITH leaders AS (
    -- The board's order (rank: score, then rarity points), read from its index.
    SELECT ps.user_id, ps.score, ps.rank, ps.predicted_at
    FROM prediction_scores ps
    WHERE ps.show_id = target_show AND ps.kind = 'fan'
    ORDER BY ps.rank, ps.predicted_at, ps.user_id
    LIMIT 10
  ), names AS (
    SELECT f.user_id, f.display_name
    FROM fan_identities(ARRAY(SELECT l.user_id FROM leaders l)) f
  )
  SELECT json_build_object(
    'is_final', coalesce(bool_and(ps.is_final), false),
    'scored_at', max(ps.scored_at),
    'fans', count(*) FILTER (WHERE ps.kind = 'fan'),
    'bot', (SELECT b.score FROM prediction_scores b
            WHERE b.show_id = target_show AND b.kind = 'bot'
            ORDER BY b.artist_id = headliner DESC, b.artist_id LIMIT 1),
    'crowd', (SELECT c.score FROM prediction_scores c
              WHERE c.show_id = target_show AND c.kind = 'crowd'
              ORDER BY c.artist_id = headliner DESC, c.artist_id LIMIT 1),
    'leaders', coalesce((
      SELECT json_agg(json_build_object('user_id', l.user_id, 'display_name', n.display_name,
                                        'score', l.score)
                      ORDER BY l.rank, l.predicted_at, l.user_id)
      FROM leaders l LEFT JOIN names n ON n.user_id = l.user_id), '[]'::json))
  FROM prediction_scores ps
  WHERE ps.show_id = target_show
$$;

-- The realtime state of shows, as JSON: the show's header, its setlists with their songs,
-- counts and vote versions, in page order (fans' own predictions left out), and its score
-- summary. Shows that do not exist (or that RLS hides) are left out. One statement, so one
-- consistent snapshot per call.
CREATE FUNCTION realtime_show_states(show_ids uuid[])
RETURNS TABLE (show_id uuid, state text)
LANGUAGE sql STABLE
AS $$
  SELECT s.id, json_build_object(
    'show', json_build_object('id', s.id, 'slug', s.slug, 'name', s.name, 'status', s.status,
                              'starts_at', s.starts_at),
    'setlists', coalesce((
      SELECT json_agg(json_build_object(
        'id', sl.id, 'type', sl.type, 'name', sl.name, 'order_index', sl.order_index,
        'is_locked', sl.is_locked,
        'songs', coalesce((
          SELECT json_agg(json_build_object(
            'id', ss.id, 'song_id', ss.song_id, 'title', so.title, 'position', ss.position,
            'encore', ss.encore, 'is_tape', ss.is_tape,
            'notes', ss.notes, 'is_played', ss.is_played, 'play_time', ss.play_time,
            'upvotes', ss.upvotes, 'downvotes', ss.downvotes, 'net_votes', ss.net_votes,
            'version', ss.vote_version) ORDER BY ss.position)
          FROM setlist_songs ss JOIN songs so ON so.id = ss.song_id
          WHERE ss.setlist_id = sl.id), '[]'::json)
      ) ORDER BY sl.type, sl.order_index, sl.id)
      FROM setlists sl WHERE sl.show_id = s.id AND sl.owner_id IS NULL), '[]'::json),
    'scores', realtime_score_summary(s.id, s.headliner_artist_id)
  )::text
  FROM shows s
  WHERE s.id = ANY (show_ids)
$$;

-- The current counts of setlist songs (those that exist and RLS shows).
CREATE FUNCTION realtime_song_states(song_ids uuid[])
RETURNS TABLE (setlist_song_id uuid, setlist_id uuid, show_id uuid,
               upvotes integer, downvotes integer, net_votes integer, vote_version bigint)
LANGUAGE sql STABLE
AS $$
  SELECT ss.id, ss.setlist_id, sl.show_id, ss.upvotes, ss.downvotes, ss.net_votes, ss.vote_version
  FROM setlist_songs ss
  JOIN setlists sl ON sl.id = ss.setlist_id
  WHERE ss.id = ANY (song_ids)
$$;

-- Removes log rows logged more than `keep` ago by transactions no longer running (a listener
-- that fell further behind than that starts over from the full state). The worker calls it on
-- its vote-total schedule, whatever the listeners do, so the log stays bounded with realtime off
-- or nobody watching. Only the service role may: a row removed early is a vote a stream misses.
-- Returns how many rows went.
CREATE FUNCTION realtime_prune_vote_log(keep interval) RETURNS bigint
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  removed bigint;
BEGIN
  DELETE FROM realtime_vote_log
  WHERE logged_at < now() - keep AND xid < pg_snapshot_xmin(pg_current_snapshot());
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END
$$;

REVOKE EXECUTE ON FUNCTION realtime_prune_vote_log(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION realtime_prune_vote_log(interval) TO theset_service;

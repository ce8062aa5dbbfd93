-- score(show)   = sum over the votes cast on its predicted setlists in the 14 days up to as_of
--                 of 2^(-age / 48 h), plus 0.1 * its views decayed the same way; 0 when cancelled.
-- score(artist) = the scores of the shows it headlines, plus half those of the shows it supports.
-- Stored to 3 decimals, under 0.01 as 0, and rewritten only when a score moves by more than 1 %
-- (decay alone would otherwise rewrite every active row on every run). Returns the number of
-- show and artist rows written.
CREATE FUNCTION recompute_trending_scores(as_of timestamptz DEFAULT now())
RETURNS TABLE (shows_changed integer, artists_changed integer)
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  half_life constant double precision := 48 * 3600;  -- seconds
  view_weight constant double precision := 0.1;
  vote_window constant interval := interval '14 days'; -- older votes weigh under 1/128
BEGIN
  as_of := coalesce(as_of, now());
  -- Two recomputes at once would fold the same views twice.
  PERFORM pg_advisory_xact_lock(hashtext('theset.recompute_trending_scores'));

  INSERT INTO show_view_trends AS t (show_id, views_seen, decayed_views, computed_at)
  SELECT sh.id, sh.view_count, sh.view_count, as_of
  FROM shows sh LEFT JOIN show_view_trends seen ON seen.show_id = sh.id
  WHERE sh.view_count <> coalesce(seen.views_seen, 0)
  ON CONFLICT (show_id) DO UPDATE SET
    decayed_views = t.decayed_views
                    * power(0.5, greatest(date_part('epoch', as_of - t.computed_at), 0) / half_life)
                    + greatest(EXCLUDED.views_seen - t.views_seen, 0),
    views_seen = EXCLUDED.views_seen,
    computed_at = greatest(t.computed_at, as_of);

  WITH vote_heat AS (
    SELECT sl.show_id,
           sum(power(0.5, date_part('epoch', as_of - v.created_at) / half_life)) AS heat
    FROM votes v
    JOIN setlist_songs ss ON ss.id = v.setlist_song_id
    JOIN setlists sl ON sl.id = ss.setlist_id
    WHERE v.created_at > as_of - vote_window AND v.created_at <= as_of
    GROUP BY sl.show_id
  ),
  raw AS (
    SELECT sh.id, sh.trending_score AS old,
           CASE WHEN sh.status = 'cancelled' THEN 0
                ELSE coalesce(vh.heat, 0) + view_weight * coalesce(
                       t.decayed_views
                       * power(0.5, greatest(date_part('epoch', as_of - t.computed_at), 0) / half_life), 0)
           END AS score
    FROM shows sh
    LEFT JOIN vote_heat vh ON vh.show_id = sh.id
    LEFT JOIN show_view_trends t ON t.show_id = sh.id
    WHERE vh.heat IS NOT NULL OR t.decayed_views > 0 OR sh.trending_score <> 0
  ),
  scores AS (
    SELECT id, old, CASE WHEN score < 0.01 THEN 0 ELSE round(score::numeric, 3)::float8 END AS score
    FROM raw
  )
  UPDATE shows sh SET trending_score = s.score
  FROM scores s
  WHERE sh.id = s.id AND s.score <> s.old
    AND (s.score = 0 OR s.old = 0 OR abs(s.score - s.old) > 0.01 * s.old);
  GET DIAGNOSTICS shows_changed = ROW_COUNT;

  WITH contributions AS (
    SELECT headliner_artist_id AS artist_id, trending_score AS score
    FROM shows WHERE trending_score > 0
    UNION ALL
    SELECT sa.artist_id, 0.5 * sh.trending_score
    FROM show_artists sa JOIN shows sh ON sh.id = sa.show_id
    WHERE sh.trending_score > 0 AND sa.artist_id <> sh.headliner_artist_id
  ),
  totals AS (
    SELECT artist_id, sum(score) AS score FROM contributions GROUP BY artist_id
  ),
  scores AS (
    SELECT a.id, a.trending_score AS old,
           CASE WHEN coalesce(tt.score, 0) < 0.01 THEN 0
                ELSE round(tt.score::numeric, 3)::float8 END AS score
    FROM artists a LEFT JOIN totals tt ON tt.artist_id = a.id
    WHERE tt.score IS NOT NULL OR a.trending_score <> 0
  )
  UPDATE artists a SET trending_score = s.score
  FROM scores s
  WHERE a.id = s.id AND s.score <> s.old
    AND (s.score = 0 OR s.old = 0 OR abs(s.score - s.old) > 0.01 * s.old);
  GET DIAGNOSTICS artists_changed = ROW_COUNT;
  RETURN NEXT;
END
$$;

-- Artist statistics --------------------------------------------------------------------------------

-- Recomputes artist_stats for the given artists (all when NULL) as of `as_of`:
--   total_shows        shows the artist headlined or was billed on that started by `as_of`, not cancelled
--   last_show_date     the start instant of the latest of those
--   total_setlists     the artist's actual setlists (of those shows' dates) with at least one song
--                      played (tape excluded)
--   avg_setlist_length songs played (tape excluded) per such setlist, 2 decimals; NULL when none
--   most_played_song   the song played at the most shows (song_stats.times_played: a reprise
--                      counts once); ties go to the most recently played, then by title
-- Every target artist gets a row. Returns the number of rows inserted or changed.
CREATE FUNCTION refresh_artist_stats(only_artists uuid[] DEFAULT NULL, as_of timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp
AS $$
DECLARE
  changed integer;
BEGIN
  as_of := coalesce(as_of, now());
  WITH targets AS (
    SELECT id FROM artists WHERE only_artists IS NULL OR id = ANY (only_artists)
  ),
  appearances AS (
    SELECT sh.headliner_artist_id AS artist_id, sh.id AS show_id, sh.starts_at
    FROM shows sh
    WHERE sh.starts_at <= as_of AND sh.status <> 'cancelled'
      AND sh.headliner_artist_id IN (SELECT id FROM targets)
    UNION
    SELECT sa.artist_id, sh.id, sh.starts_at
    FROM show_artists sa JOIN shows sh ON sh.id = sa.show_id
    WHERE sh.starts_at <= as_of AND sh.status <> 'cancelled'
      AND sa.artist_id IN (SELECT id FROM targets)
  ),
  appeared AS (
    SELECT artist_id, count(*) AS shows, max(starts_at) AS last_show
    FROM appearances GROUP BY artist_id
  ),
  played AS (
    SELECT sl.artist_id, sl.id AS setlist_id, ss.song_id, sh.starts_at
    FROM setlists sl
    JOIN setlist_songs ss ON ss.setlist_id = sl.id
    JOIN shows sh ON sh.id = sl.show_id
    WHERE sl.type = 'actual' AND NOT ss.is_tape AND sh.starts_at <= as_of
      AND sl.artist_id IN (SELECT id FROM targets)
  ),
  lengths AS (
    SELECT artist_id, count(*) AS setlists, round(avg(songs), 2)::float8 AS avg_length
    FROM (SELECT artist_id, setlist_id, count(*) AS songs FROM played GROUP BY artist_id, setlist_id) AS per_setlist
    GROUP BY artist_id
  ),
  -- From song_stats (theset_database::history), so the artist page and the song statistics
  -- never disagree about which song is played most.
  favourites AS (
    SELECT DISTINCT ON (st.artist_id) st.artist_id, so.title
    FROM song_stats st JOIN songs so ON so.id = st.song_id
    WHERE st.artist_id IN (SELECT id FROM targets)
    ORDER BY st.artist_id, st.times_played DESC, st.last_played DESC, so.title, so.id
  )
  INSERT INTO artist_stats AS s (artist_id, total_shows, total_setlists, avg_setlist_length,
                                 most_played_song, last_show_date)
  SELECT t.id, coalesce(a.shows, 0)::integer, coalesce(l.setlists, 0)::integer, l.avg_length,
         f.title, a.last_show
  FROM targets t
  LEFT JOIN appeared a ON a.artist_id = t.id
  LEFT JOIN lengths l ON l.artist_id = t.id
  LEFT JOIN favourites f ON f.artist_id = t.id
  ON CONFLICT (artist_id) DO UPDATE SET
    total_shows = EXCLUDED.total_shows,
    total_setlists = EXCLUDED.total_setlists,
    avg_setlist_length = EXCLUDED.avg_setlist_length,
    most_played_song = EXCLUDED.most_played_song,
    last_show_date = EXCLUDED.last_show_date
  WHERE (s.total_shows, s.total_setlists, s.avg_setlist_length, s.most_played_song, s.last_show_date)
    IS DISTINCT FROM (EXCLUDED.total_shows, EXCLUDED.total_setlists, EXCLUDED.avg_setlist_length,
                      EXCLUDED.most_played_song, EXCLUDED.last_show_date);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;

-- A show Ticketmaster marks postponed keeps its old date until a new one is announced: it must
-- not start, lock its predictions or complete on that stale date. Rescheduled shows carry their
-- new date and advance as usual.
CREATE FUNCTION advance_show_statuses(as_of timestamptz DEFAULT now(),
                                                 ongoing_for interval DEFAULT interval '6 hours')
RETURNS TABLE (started integer, completed integer, locked integer)
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp
AS $$
BEGIN
  as_of := coalesce(as_of, now());
  ongoing_for := coalesce(ongoing_for, interval '6 hours');
  UPDATE shows SET status = 'completed'
  WHERE (status = 'ongoing'
         OR (status = 'upcoming' AND ticketmaster_status IS DISTINCT FROM 'postponed'))
    AND starts_at <= as_of - ongoing_for
    AND (start_time IS NOT NULL OR starts_at <= as_of - ongoing_for - interval '24 hours');
  GET DIAGNOSTICS completed = ROW_COUNT;

  UPDATE shows SET status = 'ongoing'
  WHERE status = 'upcoming' AND starts_at <= as_of
    AND ticketmaster_status IS DISTINCT FROM 'postponed';
  GET DIAGNOSTICS started = ROW_COUNT;

  UPDATE setlists sl SET is_locked = true
  FROM shows sh
  WHERE sl.show_id = sh.id AND sl.type = 'predicted' AND NOT sl.is_locked AND sh.starts_at <= as_of
    AND NOT (sh.status = 'upcoming' AND sh.ticketmaster_status IS NOT DISTINCT FROM 'postponed');
  GET DIAGNOSTICS locked = ROW_COUNT;
  RETURN NEXT;
END
$$;

-- The service role (worker, CLI) and the owner run these; the API never does.
REVOKE EXECUTE ON FUNCTION recompute_trending_scores(timestamptz),
                           refresh_artist_stats(uuid[], timestamptz),
                           advance_show_statuses(timestamptz, interval) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION recompute_trending_scores(timestamptz),
                          refresh_artist_stats(uuid[], timestamptz),
                          advance_show_statuses(timestamptz, interval) TO theset_service;

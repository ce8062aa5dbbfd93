-- show_details builds its rows with to_json, not to_jsonb: the document is text in the end, and
-- a round trip through jsonb (parse into the binary form, sort the keys, print again) was about a
-- fifth of the function's time. Only the venue still goes through jsonb, to drop its PostGIS
-- `location` (the page carries latitude and longitude).
CREATE FUNCTION show_details(show_id uuid, show_slug text) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'show', to_json(s),
      'headliner', to_json(a),
      'venue', to_jsonb(v) - 'location',
      'lineup', coalesce((
        SELECT json_agg(json_build_object('slot', to_json(sa), 'artist', to_json(aa)) ORDER BY sa.order_index)
        FROM show_artists sa JOIN artists aa ON aa.id = sa.artist_id
        WHERE sa.show_id = s.id), '[]'::json),
      'setlists', coalesce((
        SELECT json_agg(json_build_object(
          'setlist', to_json(sl),
          'songs', coalesce((
            SELECT json_agg(json_build_object('entry', to_json(ss), 'song', to_json(so)) ORDER BY ss.position)
            FROM setlist_songs ss JOIN songs so ON so.id = ss.song_id
            WHERE ss.setlist_id = sl.id), '[]'::json)
        ) ORDER BY sl.type, sl.order_index, sl.id)
        FROM setlists sl WHERE sl.show_id = s.id AND sl.owner_id IS NULL), '[]'::json)
    )::text
    FROM shows s
    JOIN artists a ON a.id = s.headliner_artist_id
    LEFT JOIN venues v ON v.id = s.venue_id
    WHERE s.id = coalesce(show_details.show_id, (SELECT id FROM shows WHERE slug = show_details.show_slug))
  );
END
$$;

-- Adds a song from the artist's catalog to a predicted setlist, at the next position. Adds to one
-- setlist are serialised by an advisory lock on it (no row lock, which would need UPDATE rights),
-- so positions never collide and a song is never added twice. Runs as the caller: RLS decides
-- whether they may add at all, setlist_songs_check_open whether the setlist is still open.
CREATE FUNCTION add_setlist_song(target_setlist uuid, new_song uuid, note text DEFAULT NULL)
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
  IF list.type <> 'predicted' THEN
    RAISE EXCEPTION 'songs are added by hand only to predicted setlists'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'setlist_songs_predicted_only';
  END IF;
  -- Closed first: after the lock, the answer is why, whatever the song.
  PERFORM raise_if_setlist_closed(target_setlist);
  IF NOT EXISTS (SELECT 1 FROM songs WHERE id = new_song AND artist_id = list.artist_id) THEN
    RAISE EXCEPTION 'the song is not in the artist''s catalog'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'setlist_songs_song_in_catalog';
  ELSIF EXISTS (SELECT 1 FROM setlist_songs WHERE setlist_id = target_setlist AND song_id = new_song) THEN
    RAISE EXCEPTION 'the song is already in the setlist'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'setlist_songs_song_once';
  END IF;
  RETURN QUERY
  INSERT INTO setlist_songs (setlist_id, song_id, position, notes)
  VALUES (
    target_setlist,
    new_song,
    coalesce((SELECT max(position) FROM setlist_songs WHERE setlist_id = target_setlist), 0) + 1,
    note)
  RETURNING *;
END
$$;

-- Removes an entry from a setlist and closes the gap it leaves. Returns the removed entry's id,
-- or nothing when there is no such entry the caller may remove (RLS hides it).
CREATE FUNCTION remove_setlist_song(target_setlist uuid, entry uuid) RETURNS SETOF uuid
LANGUAGE plpgsql
AS $$
DECLARE
  removed_position integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(target_setlist::text, 7));
  DELETE FROM setlist_songs WHERE id = entry AND setlist_id = target_setlist
  RETURNING position INTO removed_position;
  IF removed_position IS NULL THEN
    RETURN;
  END IF;
  UPDATE setlist_songs SET position = position - 1
  WHERE setlist_id = target_setlist AND position > removed_position;
  RETURN NEXT entry;
END
$$;

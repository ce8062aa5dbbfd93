CREATE OR REPLACE FUNCTION show_details(show_id uuid, show_slug text) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'show', to_jsonb(s),
      'headliner', to_jsonb(a),
      'venue', to_jsonb(v) - 'location',
      'lineup', coalesce((
        SELECT json_agg(json_build_object('slot', to_jsonb(sa), 'artist', to_jsonb(aa)) ORDER BY sa.order_index)
        FROM show_artists sa JOIN artists aa ON aa.id = sa.artist_id
        WHERE sa.show_id = s.id), '[]'::json),
      'setlists', coalesce((
        SELECT json_agg(json_build_object(
          'setlist', to_jsonb(sl),
          'songs', coalesce((
            SELECT json_agg(json_build_object('entry', to_jsonb(ss), 'song', to_jsonb(so)) ORDER BY ss.position)
            FROM setlist_songs ss JOIN songs so ON so.id = ss.song_id
            WHERE ss.setlist_id = sl.id), '[]'::json)
        ) ORDER BY sl.type, sl.order_index, sl.id)
        FROM setlists sl WHERE sl.show_id = s.id), '[]'::json)
    )::text
    FROM shows s
    JOIN artists a ON a.id = s.headliner_artist_id
    LEFT JOIN venues v ON v.id = s.venue_id
    WHERE s.id = coalesce(show_details.show_id, (SELECT id FROM shows WHERE slug = show_details.show_slug))
  );
END
$$;

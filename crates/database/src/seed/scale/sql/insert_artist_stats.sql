-- Statistics of artists with past shows, from the rows just written.
INSERT INTO artist_stats (id, artist_id, total_shows, total_setlists, avg_setlist_length,
                          most_played_song, last_show_date, updated_at)
WITH past AS (
  SELECT headliner_artist_id AS artist_id, count(*) AS shows, max(starts_at) AS last_show
  FROM shows WHERE date < current_date GROUP BY headliner_artist_id
),
lengths AS (
  SELECT artist_id, count(*) AS setlists, avg(songs)::float8 AS avg_length
  FROM (SELECT sl.artist_id, sl.id, count(ss.id) AS songs
        FROM setlists sl LEFT JOIN setlist_songs ss ON ss.setlist_id = sl.id
        WHERE sl.type = 'actual' GROUP BY sl.artist_id, sl.id) AS per_setlist
  GROUP BY artist_id
),
plays AS (
  SELECT DISTINCT ON (sl.artist_id) sl.artist_id, so.title
  FROM setlists sl
  JOIN setlist_songs ss ON ss.setlist_id = sl.id
  JOIN songs so ON so.id = ss.song_id
  WHERE sl.type = 'actual'
  GROUP BY sl.artist_id, so.id, so.title
  ORDER BY sl.artist_id, count(*) DESC, so.title, so.id
)
SELECT md5('theset-scale:artist-stats:' || p.artist_id)::uuid, p.artist_id, p.shows,
  coalesce(l.setlists, 0), l.avg_length, pl.title, p.last_show, now()
FROM past p
LEFT JOIN lengths l ON l.artist_id = p.artist_id
LEFT JOIN plays pl ON pl.artist_id = p.artist_id;

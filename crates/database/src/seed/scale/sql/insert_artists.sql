-- Artists last: their trending score sums their shows'.
INSERT INTO artists (id, spotify_id, name, slug, image_url, small_image_url, genres, popularity, followers,
                     monthly_listeners, verified, bio, external_urls, last_synced_at, trending_score,
                     created_at, updated_at)
WITH trend AS (
  SELECT headliner_artist_id AS id, sum(trending_score) AS score FROM shows GROUP BY headliner_artist_id
),
drafted AS (
  SELECT a.*, coalesce(t.score, 0) AS trend, c.name AS hometown,
    CASE WHEN pg_temp.seed_u(130, a.n) < 0.85 THEN pg_temp.seed_spotify('artist', a.n) END AS spotify_id,
    (power(10, 2 + 5.5 * a.popularity / 100.0) * (0.6 + 0.8 * pg_temp.seed_u(131, a.n)))::integer AS followers
  FROM seed_artist a
  LEFT JOIN trend t ON t.id = a.id
  JOIN seed_city c ON c.i = 1 + pg_temp.seed_pick(132, a.n, {cities})
)
SELECT id, spotify_id, name, slug,
  'https://i.scdn.co/image/ab6761610000e5eb' || substr(md5('artist-image:' || n), 1, 24),
  'https://i.scdn.co/image/ab6761610000f178' || substr(md5('artist-image:' || n), 1, 24),
  genres, popularity, followers,
  (followers * (1.2 + 2 * pg_temp.seed_u(133, n)))::integer,
  popularity >= 55,
  CASE WHEN pg_temp.seed_u(134, n) < 0.6 THEN
    name || CASE WHEN kind < 0.30 OR kind >= 0.86 THEN ' is ' ELSE ' are ' END
    || CASE WHEN genres[1] ~ '^[aeiou]' THEN 'an ' ELSE 'a ' END || genres[1]
    || CASE WHEN kind < 0.30 OR kind >= 0.86 THEN ' artist' ELSE ' band' END
    || ' from ' || hometown || '.'
  END,
  CASE WHEN spotify_id IS NULL THEN jsonb_build_object()
       ELSE jsonb_build_object('spotify', 'https://open.spotify.com/artist/' || spotify_id) END,
  CASE WHEN spotify_id IS NOT NULL THEN now() - pg_temp.seed_u(135, n) * interval '7 days' END,
  round((trend * 0.5 + popularity * 0.1)::numeric, 3)::float8,
  now() - (120 + pg_temp.seed_u(136, n) * 1000) * interval '1 day',
  now() - pg_temp.seed_u(137, n) * interval '100 days'
FROM drafted;

-- The catalogs of artists {lo}..={hi}. Titles are unique per artist after normalisation: the
-- base titles are compared the way song_title_key compares them (unaccented, lower case), a
-- repeated one becomes 'Title, Pt. 2', and the suffixes added afterwards ('(Live)',
-- '- Remastered 2011', ...) are exactly what song_title_key strips.
INSERT INTO songs (id, artist_id, spotify_id, title, artist, album, album_art_url, release_date,
                   duration_ms, popularity, preview_url, is_explicit, is_playable, acousticness,
                   danceability, energy, valence, created_at, updated_at)
WITH {words},
drafted AS (
  SELECT a.n AS artist_n, a.id AS artist_id, a.name AS artist, a.popularity AS artist_popularity,
    a.debut_year, k, g.g, k / 11 AS album_no, a.n * 1000 + k / 11 AS album_key,
    CASE WHEN a.script > 0 AND pg_temp.seed_u(400, g.g) < 0.7 THEN
      CASE a.script WHEN 1 THEN native || 'の' || native2 WHEN 2 THEN native || ' ' || native2
                    WHEN 3 THEN native || ' и ' || native2 ELSE native || ' και ' || native2 END
    ELSE
      CASE pg_temp.seed_pick(401, g.g, 10)
        WHEN 0 THEN adj || ' ' || noun
        WHEN 1 THEN adj || ' ' || noun
        WHEN 2 THEN 'The ' || adj || ' ' || noun
        WHEN 3 THEN noun || ' of the ' || noun2
        WHEN 4 THEN verb || ' the ' || noun
        WHEN 5 THEN verb || ' ' || prep || ' the ' || noun
        WHEN 6 THEN pronoun || ' ' || verb || ' the ' || adj || ' ' || noun
        WHEN 7 THEN 'Don''t ' || verb || ' My ' || noun
        WHEN 8 THEN noun || ' ' || noun2
        ELSE 'Never ' || verb || ' Again'
      END
    END AS base,
    feat, cover_year,
    CASE WHEN k / 11 = 0 AND pg_temp.seed_u(402, a.n) < 0.25 THEN a.name
         ELSE pg_temp.seed_el(w.title_adjectives, 403, a.n * 1000 + k / 11) || ' '
              || pg_temp.seed_el(w.title_nouns, 404, a.n * 1000 + k / 11) END AS album
  FROM w, seed_artist a, generate_series(0, a.song_count - 1) AS k,
  LATERAL (SELECT a.song_offset + k AS g) AS g,
  LATERAL (SELECT
    pg_temp.seed_el(w.title_adjectives, 405, g.g) AS adj,
    pg_temp.seed_el(w.title_nouns, 406, g.g) AS noun,
    pg_temp.seed_el(w.title_nouns, 407, g.g) AS noun2,
    pg_temp.seed_el(w.title_verbs, 408, g.g) AS verb,
    pg_temp.seed_el(w.prepositions, 409, g.g) AS prep,
    pg_temp.seed_el(w.pronouns, 410, g.g) AS pronoun,
    CASE a.script WHEN 0 THEN NULL
      WHEN 1 THEN pg_temp.seed_el(w.ja_words, 411, g.g) WHEN 2 THEN pg_temp.seed_el(w.ko_words, 411, g.g)
      WHEN 3 THEN pg_temp.seed_el(w.ru_words, 411, g.g) ELSE pg_temp.seed_el(w.el_words, 411, g.g) END AS native,
    CASE a.script WHEN 0 THEN NULL
      WHEN 1 THEN pg_temp.seed_el(w.ja_words, 412, g.g) WHEN 2 THEN pg_temp.seed_el(w.ko_words, 412, g.g)
      WHEN 3 THEN pg_temp.seed_el(w.ru_words, 412, g.g) ELSE pg_temp.seed_el(w.el_words, 412, g.g) END AS native2,
    pg_temp.seed_el(w.first_names, 413, g.g) || ' ' || pg_temp.seed_el(w.surnames, 414, g.g) AS feat,
    1990 + pg_temp.seed_pick(415, g.g, 30) AS cover_year
  ) AS p
  WHERE a.n BETWEEN {lo} AND {hi}
),
numbered AS (
  SELECT drafted.*,
    row_number() OVER (PARTITION BY artist_n, public.search_key(base) ORDER BY k) AS dup,
    pg_temp.seed_u(416, g) AS suffix
  FROM drafted
)
SELECT pg_temp.seed_id('song', g), artist_id,
  CASE WHEN pg_temp.seed_u(417, g) < 0.9 THEN pg_temp.seed_spotify('track', g) END,
  base || CASE WHEN dup > 1 THEN ', Pt. ' || dup ELSE '' END
    || CASE WHEN suffix < 0.05 THEN ' (Live)'
            WHEN suffix < 0.08 THEN ' - Remastered ' || cover_year
            WHEN suffix < 0.10 THEN ' (Acoustic Version)'
            WHEN suffix < 0.12 THEN ' (feat. ' || feat || ')'
            WHEN suffix < 0.13 THEN ' - Radio Edit'
            WHEN suffix < 0.14 THEN ' [Demo]'
            ELSE '' END,
  artist, album,
  'https://i.scdn.co/image/ab67616d0000b273' || substr(md5('album:' || album_key), 1, 24),
  make_date(least(extract(year FROM current_date)::integer - 1, debut_year + 2 * album_no),
            1 + pg_temp.seed_pick(418, album_key, 12), 1 + pg_temp.seed_pick(419, album_key, 28)),
  150000 + pg_temp.seed_pick(420, g, 210000),
  -- An artist's first songs are the hits.
  greatest(0, least(100, artist_popularity - 2 * k + pg_temp.seed_pick(421, g, 21) - 10)),
  CASE WHEN pg_temp.seed_u(422, g) < 0.5 THEN 'https://p.scdn.co/mp3-preview/' || md5('preview:' || g) END,
  pg_temp.seed_u(423, g) < 0.12,
  pg_temp.seed_u(424, g) < 0.98,
  round(pg_temp.seed_u(425, g)::numeric, 3)::float8,
  round(pg_temp.seed_u(426, g)::numeric, 3)::float8,
  round(pg_temp.seed_u(427, g)::numeric, 3)::float8,
  round(pg_temp.seed_u(428, g)::numeric, 3)::float8,
  now() - pg_temp.seed_u(429, g) * interval '700 days',
  now() - pg_temp.seed_u(429, g) * interval '700 days'
FROM numbered;

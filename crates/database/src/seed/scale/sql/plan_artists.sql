-- Artist n is the n-th most popular: popularity, catalog size and the chance to headline fall
-- with n, while names are drawn independently of it.
CREATE TEMP TABLE seed_artist ON COMMIT DROP AS
WITH {words},
drafted AS (
  SELECT n, k.kind, k.script, p.*, nl.*, g.genres
  FROM w, generate_series(1, {artists}) AS n,
  LATERAL (SELECT pg_temp.seed_u(100, n) AS kind, 1 + pg_temp.seed_pick(101, n, 4) AS script) AS k,
  LATERAL (SELECT
    pg_temp.seed_el(w.first_names, 102, n) AS first,
    pg_temp.seed_el(w.surnames, 103, n) AS last,
    pg_temp.seed_el(w.band_adjectives, 104, n) AS adj,
    pg_temp.seed_el(w.band_plurals, 105, n) AS plural,
    pg_temp.seed_el(w.band_nouns, 106, n) AS noun,
    pg_temp.seed_el(w.band_nouns, 107, n) AS noun2,
    pg_temp.seed_el(w.syllable_starts, 108, n) || pg_temp.seed_el(w.syllables, 109, n)
      || CASE WHEN pg_temp.seed_u(110, n) < 0.4 THEN pg_temp.seed_el(w.syllables, 111, n) ELSE '' END AS coined,
    pg_temp.seed_el(w.name_prefixes, 112, n) AS prefix,
    'The ' || pg_temp.seed_el(w.band_adjectives, 113, n) || ' ' || pg_temp.seed_el(w.title_nouns, 114, n)
      || CASE WHEN n <= {artists} / 20 THEN ' World Tour' ELSE ' Tour' END AS tour
  ) AS p,
  -- Native name and romanisation (for the slug), 'native|latin' in the lists.
  LATERAL (SELECT
    CASE k.script WHEN 1 THEN pg_temp.seed_el(w.ja_family, 115, n) WHEN 2 THEN pg_temp.seed_el(w.ko_family, 115, n)
                  WHEN 3 THEN pg_temp.seed_el(w.ru_family, 115, n) ELSE pg_temp.seed_el(w.el_family, 115, n) END AS fam,
    CASE k.script WHEN 1 THEN pg_temp.seed_el(w.ja_given, 116, n) WHEN 2 THEN pg_temp.seed_el(w.ko_given, 116, n)
                  WHEN 3 THEN pg_temp.seed_el(w.ru_given, 116, n) ELSE pg_temp.seed_el(w.el_given, 116, n) END AS giv
  ) AS nl,
  -- One or two neighbouring genres (the list is grouped by family).
  LATERAL (SELECT CASE WHEN pg_temp.seed_u(117, n) < 0.5
      THEN ARRAY[w.genres[1 + gi], w.genres[1 + (gi + 1) % cardinality(w.genres)]]
      ELSE ARRAY[w.genres[1 + gi]] END AS genres
    FROM (SELECT pg_temp.seed_pick(118, n, cardinality(w.genres)) AS gi) AS x) AS g
),
named AS (
  SELECT n, tour, genres, kind,
    CASE
      WHEN kind < 0.30 THEN first || ' ' || last
      WHEN kind < 0.43 THEN 'The ' || adj || ' ' || plural
      WHEN kind < 0.45 THEN 'The ' || plural
      WHEN kind < 0.50 THEN first || ' & the ' || plural
      WHEN kind < 0.53 THEN first || ' ' || last || ' and the ' || plural
      WHEN kind < 0.65 THEN adj || ' ' || plural
      WHEN kind < 0.74 THEN noun || ' ' || noun2
      WHEN kind < 0.86 THEN coined
      WHEN kind < 0.925 THEN prefix || ' ' || coined
      WHEN kind < 0.94 THEN first
      -- Japanese and Korean names are written family name first, without a space.
      WHEN script <= 2 THEN split_part(fam, '|', 1) || split_part(giv, '|', 1)
      ELSE split_part(giv, '|', 1) || ' ' || split_part(fam, '|', 1)
    END AS name,
    CASE
      WHEN kind < 0.94 THEN NULL
      WHEN script <= 2 THEN split_part(fam, '|', 2) || ' ' || split_part(giv, '|', 2)
      ELSE split_part(giv, '|', 2) || ' ' || split_part(fam, '|', 2)
    END AS latin,
    CASE WHEN kind < 0.94 THEN 0 ELSE script END AS script
  FROM drafted
),
ranked AS (
  SELECT named.*,
    pg_temp.seed_slug(coalesce(latin, name)) AS base,
    least(100, greatest(1, round(100 * power(1 - (n - 1)::float8 / {artists}, 1.6)
                                     * (0.85 + 0.15 * pg_temp.seed_u(120, n)))))::integer AS popularity,
    CASE WHEN n <= {headliners} THEN {min_headliner_songs} ELSE {min_other_songs} END AS min_songs,
    -- Bigger catalogs for popular artists.
    1 + (1000000 * power(1 - (n - 1)::float8 / {artists}, 5) * (0.6 + 0.8 * pg_temp.seed_u(121, n)))::bigint AS weight
  FROM named
),
counted AS (
  SELECT ranked.*,
    row_number() OVER (PARTITION BY base ORDER BY n) AS dup,
    min_songs
      + pg_temp.seed_share({spare_songs}, sum(weight) OVER (ORDER BY n), sum(weight) OVER ())
      - pg_temp.seed_share({spare_songs}, sum(weight) OVER (ORDER BY n) - weight, sum(weight) OVER ())
      AS song_count
  FROM ranked
)
SELECT n, pg_temp.seed_id('artist', n) AS id, name, script, kind, tour, genres, popularity,
  -- Names carry no digits, so a numbered slug never equals another name's slug.
  CASE WHEN dup = 1 THEN base ELSE base || '-' || dup END AS slug,
  song_count::integer AS song_count,
  (sum(song_count) OVER (ORDER BY n) - song_count)::bigint AS song_offset,
  extract(year FROM current_date)::integer - 1 - 2 * ((song_count::integer + 10) / 11)
    - pg_temp.seed_pick(122, n, 8) AS debut_year
FROM counted;

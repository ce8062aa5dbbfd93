-- Venues around real cities, more in the big ones.
CREATE TEMP TABLE seed_venue ON COMMIT DROP AS
WITH {words},
drafted AS (
  SELECT n, c.i AS city_i, c.name AS city, c.slug AS city_slug, c.state, c.country, c.timezone,
         c.currency, c.latitude, c.longitude, pg_temp.seed_u(201, n) AS kind, p.*
  FROM w, generate_series(1, {venues}) AS n
  CROSS JOIN LATERAL (SELECT pg_temp.seed_pick(200, n, {city_weight}) AS r) AS r
  JOIN seed_city c ON r.r >= c.cum_lo AND r.r < c.cum_hi
  CROSS JOIN LATERAL (SELECT
    pg_temp.seed_u(202, n) AS style,
    pg_temp.seed_el(w.surnames, 203, n) AS surname,
    pg_temp.seed_el(w.venue_nouns, 204, n) AS noun,
    pg_temp.seed_el(w.band_adjectives, 205, n) AS adj,
    pg_temp.seed_el(w.surnames, 206, n) AS street,
    pg_temp.seed_el(w.street_kinds, 207, n) AS street_kind
  ) AS p
),
typed AS (
  SELECT drafted.*,
    CASE WHEN kind < 0.05 THEN 'stadium' WHEN kind < 0.17 THEN 'arena' WHEN kind < 0.25 THEN 'amphitheatre'
         WHEN kind < 0.42 THEN 'theatre' WHEN kind < 0.58 THEN 'hall' ELSE 'club' END AS venue_type
  FROM drafted
),
named AS (
  SELECT typed.*,
    CASE venue_type
      WHEN 'stadium' THEN CASE WHEN style < 0.5 THEN city || ' Stadium' ELSE surname || ' Stadium' END
      WHEN 'arena' THEN CASE WHEN style < 0.4 THEN city || ' Arena' WHEN style < 0.8 THEN surname || ' Arena'
                             ELSE 'The ' || noun || ' Arena' END
      WHEN 'amphitheatre' THEN CASE WHEN style < 0.5 THEN city || ' Amphitheatre'
                                    ELSE adj || ' ' || noun || ' Amphitheatre' END
      WHEN 'theatre' THEN CASE WHEN style < 0.5 THEN 'The ' || surname || ' Theatre'
                               WHEN style < 0.8 THEN noun || ' Theatre' ELSE city || ' Opera House' END
      WHEN 'hall' THEN CASE WHEN style < 0.5 THEN surname || ' Hall' WHEN style < 0.8 THEN city || ' Music Hall'
                            ELSE 'The ' || surname || ' Ballroom' END
      ELSE CASE WHEN style < 0.3 THEN 'The ' || noun || ' Room' WHEN style < 0.5 THEN 'Club ' || noun
                WHEN style < 0.7 THEN 'The ' || adj || ' ' || noun WHEN style < 0.85 THEN noun || ' Lounge'
                ELSE 'The ' || noun END
    END AS name,
    CASE venue_type
      WHEN 'stadium' THEN 30000 + pg_temp.seed_pick(208, n, 50001)
      WHEN 'arena' THEN 8000 + pg_temp.seed_pick(208, n, 13001)
      WHEN 'amphitheatre' THEN 4000 + pg_temp.seed_pick(208, n, 14001)
      WHEN 'theatre' THEN 900 + pg_temp.seed_pick(208, n, 2601)
      WHEN 'hall' THEN 700 + pg_temp.seed_pick(208, n, 3301)
      ELSE 120 + pg_temp.seed_pick(208, n, 1281)
    END AS capacity
  FROM typed
),
slugged AS (
  SELECT named.*,
    pg_temp.seed_slug(CASE WHEN strpos(name, city) > 0 THEN name ELSE name || ' ' || city END) AS base
  FROM named
)
SELECT n, pg_temp.seed_id('venue', n) AS id, name, city, city_slug, state, country, timezone, currency,
  venue_type, capacity,
  CASE WHEN dup = 1 THEN base ELSE base || '-' || dup END AS slug,
  (1 + pg_temp.seed_pick(209, n, 400)) || ' ' || street || ' ' || street_kind AS address,
  CASE WHEN pg_temp.seed_u(210, n) < 0.8 THEN lpad(pg_temp.seed_pick(211, n, 100000)::text, 5, '0') END AS postal_code,
  -- A few kilometres around the city centre.
  round((latitude + (pg_temp.seed_u(212, n) - 0.5) * 0.12)::numeric, 6)::float8 AS latitude,
  round(greatest(-180, least(180, longitude + (pg_temp.seed_u(213, n) - 0.5) * 0.12
                                   / cos(radians(latitude))))::numeric, 6)::float8 AS longitude
FROM (SELECT slugged.*, row_number() OVER (PARTITION BY base ORDER BY n) AS dup FROM slugged) AS s;

-- The cities (data/cities.tsv) as a temporary table, with cumulative weights for weighted picks.
-- Plan::render fills in the VALUES list, one row per city numbered from 1.
CREATE TEMP TABLE seed_city ON COMMIT DROP AS
SELECT i, name, state, country, latitude::float8 AS latitude, longitude::float8 AS longitude,
       timezone, currency, pg_temp.seed_slug(name) AS slug,
       sum(weight) OVER (ORDER BY i) - weight AS cum_lo, sum(weight) OVER (ORDER BY i) AS cum_hi
FROM (VALUES {city_rows}) AS c (i, name, state, country, latitude, longitude, timezone, currency, weight);

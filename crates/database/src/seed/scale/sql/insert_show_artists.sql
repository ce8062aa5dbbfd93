-- The headliner at order_index 0 on every show; on about 30% of shows one or two support acts,
-- drawn from the artists who do not headline (so never the headliner, and never twice).
INSERT INTO show_artists (id, show_id, artist_id, order_index, set_length, is_headliner, created_at)
WITH billed AS (
  SELECT n, artist_n, listed_at,
    CASE WHEN {others} >= 1 AND pg_temp.seed_u(540, n) < 0.3
         THEN CASE WHEN {others} >= 2 AND pg_temp.seed_u(541, n) < 0.35 THEN 2 ELSE 1 END
         ELSE 0 END AS supports,
    pg_temp.seed_pick(542, n, {others}) AS first_pick,
    pg_temp.seed_pick(543, n, {others} - 1) AS second_pick
  FROM seed_show
)
SELECT pg_temp.seed_id('show-artist', b.n * 4 + slot.order_index), pg_temp.seed_id('show', b.n),
  pg_temp.seed_id('artist', slot.artist_n), slot.order_index, slot.set_length, slot.order_index = 0,
  b.listed_at
FROM billed b,
LATERAL (
  SELECT 0 AS order_index, b.artist_n, 75 + pg_temp.seed_pick(544, b.n, 46) AS set_length
  UNION ALL
  SELECT 1, {headliners} + 1 + b.first_pick, 30 + pg_temp.seed_pick(545, b.n, 16) WHERE b.supports >= 1
  UNION ALL
  -- The second pick skips over the first.
  SELECT 2, {headliners} + 1 + b.second_pick + CASE WHEN b.second_pick >= b.first_pick THEN 1 ELSE 0 END,
         25 + pg_temp.seed_pick(546, b.n, 11)
  WHERE b.supports >= 2
) AS slot;

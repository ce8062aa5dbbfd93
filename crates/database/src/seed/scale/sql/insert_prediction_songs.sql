-- The songs of predictions p in [{lo}, {hi}): drawn from the headliner's catalog without
-- replacement, weighted towards the hits as the setlists are (so predictions and what was
-- played overlap, by chance), in the order drawn, the last `encores` marked as the encore.
INSERT INTO setlist_songs (id, setlist_id, song_id, position, encore, is_tape, upvotes, downvotes,
                           created_at, updated_at)
WITH candidates AS (
  SELECT p, len, encores, ps_offset, song_offset, created_at, k,
    ln(pg_temp.seed_u(640, p * 1024 + k)) * (1 + k / 4.0) AS draw
  FROM seed_pred, LATERAL generate_series(0, least(song_count, len + 8) - 1) AS k
  WHERE p >= {lo} AND p < {hi}
),
ranked AS (
  SELECT candidates.*, row_number() OVER (PARTITION BY p ORDER BY draw DESC, k) AS position
  FROM candidates
)
SELECT pg_temp.seed_id('prediction-song', ps_offset + position - 1), pg_temp.seed_id('prediction', p),
  pg_temp.seed_id('song', song_offset + k), position::integer,
  CASE WHEN position > len - encores THEN 1 ELSE 0 END, false, 0, 0, created_at, created_at
FROM ranked
WHERE position <= len;

-- One row per fan's prediction, p = 0, 1, ... in show order: its fan, length, predicted encore
-- and when it was made (during the game's two months, before its show started).
CREATE TEMP TABLE seed_pred ON COMMIT DROP AS
WITH listed AS (
  SELECT f.n AS show_n, f.upcoming, j, s.artist_n, s.date, a.song_count, a.song_offset,
    row_number() OVER (ORDER BY f.n, j) - 1 AS p
  FROM seed_show_fans f JOIN seed_show s ON s.n = f.n JOIN seed_artist a ON a.n = s.artist_n,
  LATERAL generate_series(0, f.fans - 1) AS j
),
sized AS (
  SELECT listed.*,
    least(song_count, {prediction_min} + pg_temp.seed_pick(542, p, {prediction_span}))::integer AS len
  FROM listed
)
SELECT p, show_n, upcoming, artist_n, song_count, song_offset, len,
  -- The fans of one show are start, start + stride, ... (mod users): distinct, as a song's voters.
  1 + (pg_temp.seed_pick(541, show_n, {users})::bigint + j::bigint * {voter_stride}) % {users} AS user_n,
  CASE WHEN pg_temp.seed_u(543, p) < 0.6 THEN least(len - 1, 1 + pg_temp.seed_pick(544, p, 3)) ELSE 0 END AS encores,
  (sum(len) OVER (ORDER BY p) - len)::bigint AS ps_offset,
  -- After every user signed up (61 days ago at the latest) and before the show's local start
  -- (its date minus a day is earlier in every time zone).
  CASE WHEN upcoming THEN now() - pg_temp.seed_u(545, p) * interval '60 days'
       ELSE now() - interval '61 days'
            + pg_temp.seed_u(545, p) * (date::timestamptz - interval '1 day' - (now() - interval '61 days'))
  END AS created_at
FROM sized;

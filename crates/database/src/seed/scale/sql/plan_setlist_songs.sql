-- One row per setlist song, m = 0, 1, ... in show order. Songs come from the headliner's
-- catalog by weighted sampling without replacement (Efraimidis-Spirakis: key ln(u) / weight,
-- the top `len` keys play), weighted towards the first songs, the hits; so no song repeats in a
-- setlist. Votes go to predicted setlists only, shared out by show interest and song weight,
-- never more than there are users.
CREATE TEMP TABLE seed_ss ON COMMIT DROP AS
WITH candidates AS (
  SELECT s.n AS show_n, s.len, s.ss_offset, s.upcoming, s.interest, a.song_offset, k,
    ln(pg_temp.seed_u(600, s.n * 1024 + k)) * (1 + k / 4.0) AS draw
  FROM seed_show s JOIN seed_artist a ON a.n = s.artist_n,
  LATERAL generate_series(0, least(a.song_count, s.len + 10) - 1) AS k
),
picked AS (
  SELECT candidates.*, row_number() OVER (PARTITION BY show_n ORDER BY draw DESC, k) AS rank
  FROM candidates
),
placed AS (
  SELECT picked.*,
    row_number() OVER (PARTITION BY show_n ORDER BY pg_temp.seed_u(601, show_n * 1024 + k), k) AS position
  FROM picked WHERE rank <= len
),
weighted AS (
  SELECT placed.*, ss_offset + position - 1 AS m,
    CASE WHEN upcoming
      THEN 1 + (1000 * interest / (1 + k / 3.0) * (0.5 + pg_temp.seed_u(602, show_n * 1024 + k)))::bigint
      ELSE 0 END AS weight
  FROM placed
),
shared AS (
  SELECT weighted.*,
    CASE WHEN upcoming THEN least({users},
        pg_temp.seed_share({votes}, sum(weight) OVER (ORDER BY m), sum(weight) OVER ())
        - pg_temp.seed_share({votes}, sum(weight) OVER (ORDER BY m) - weight, sum(weight) OVER ()))
      ELSE 0 END AS votes
  FROM weighted
)
SELECT m, show_n, position::integer AS position, upcoming, song_offset + k AS song_g,
  votes::integer AS votes,
  -- Mostly upvotes, more so for the hits: the first `ups` voters vote up.
  round(votes * (0.45 + 0.35 * pg_temp.seed_u(603, m) + 0.15 / (1 + k)))::integer AS ups,
  (sum(votes) OVER (ORDER BY m) - votes)::bigint AS vote_offset
FROM shared;

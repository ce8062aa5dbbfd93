-- One show per n: n % 3 = 0 is past (completed, with an actual setlist), the rest upcoming (a
-- few cancelled), each with a predicted setlist. Headliners are the popular artists, the most
-- popular touring most.
CREATE TEMP TABLE seed_show ON COMMIT DROP AS
WITH drafted AS (
  SELECT n, n % 3 <> 0 AS upcoming,
    1 + least({headliners} - 1, floor({headliners} * power(pg_temp.seed_u(500, n), 1.5)))::integer AS artist_n,
    1 + pg_temp.seed_pick(501, n, {venues}) AS venue_n,
    {setlist_min} + pg_temp.seed_pick(502, n, {setlist_span}) AS length_weight
  FROM generate_series(1, {shows}) AS n
),
dated AS (
  SELECT drafted.*,
    CASE WHEN upcoming THEN current_date + 1 + pg_temp.seed_pick(503, n, 365)
         ELSE current_date - 1 - pg_temp.seed_pick(503, n, 730) END AS date,
    -- A few start times are not announced yet.
    CASE WHEN pg_temp.seed_u(504, n) < 0.05 THEN NULL
         ELSE time '19:00' + pg_temp.seed_pick(505, n, 5) * interval '30 minutes' END AS start_time,
    CASE WHEN NOT upcoming THEN 'completed'
         WHEN pg_temp.seed_u(506, n) < 0.03 THEN 'cancelled'
         ELSE 'upcoming' END::show_status AS status,
    sum(length_weight) OVER (ORDER BY n) AS cum,
    sum(length_weight) OVER () AS whole
  FROM drafted
),
sized AS (
  SELECT dated.*, a.popularity,
    least(a.song_count, pg_temp.seed_share({setlist_songs}, cum, whole)
                        - pg_temp.seed_share({setlist_songs}, cum - length_weight, whole))::integer AS len
  FROM dated JOIN seed_artist a ON a.n = dated.artist_n
)
SELECT n, upcoming, artist_n, venue_n, date, start_time, status, len, popularity,
  (sum(len) OVER (ORDER BY n) - len)::bigint AS ss_offset,
  -- Interest in voting: heavy-tailed so a few shows are hot, more for popular artists and for
  -- shows coming soon, little for cancelled ones.
  CASE WHEN upcoming THEN power(greatest(pg_temp.seed_u(507, n), 0.0001), -0.7) * (1 + popularity / 50.0)
                          * (1 + 2 * exp(-(date - current_date) / 30.0))
                          * CASE WHEN status = 'cancelled' THEN 0.1 ELSE 1 END
       ELSE 0 END AS interest,
  -- When the setlist was created (predicted) or imported (actual).
  CASE WHEN upcoming THEN now() - interval '61 days' - pg_temp.seed_u(508, n) * interval '60 days'
       ELSE date::timestamptz + interval '1 day' + pg_temp.seed_u(508, n) * interval '2 days' END AS listed_at
FROM sized;

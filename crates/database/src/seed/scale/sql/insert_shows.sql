-- Shows, with what their triggers would have set: starts_at from the date and time at the
-- venue's zone, setlist_count (the crowd or actual setlist, and the fans' predictions) and
-- vote_count (their setlist's votes).
INSERT INTO shows (id, headliner_artist_id, venue_id, name, slug, date, start_time, doors_time, starts_at,
                   status, ticket_url, min_price, max_price, currency, view_count, attendee_count,
                   setlist_count, vote_count, trending_score, is_featured, is_verified, ticketmaster_id,
                   setlistfm_id, created_at, updated_at)
WITH drafted AS (
  SELECT s.*, a.name AS artist_name, a.tour, v.name AS venue_name, v.timezone, v.currency, v.capacity,
    coalesce(t.votes, 0) AS votes, coalesce(f.fans, 0) AS fans,
    a.slug || '-' || v.city_slug || '-' || to_char(s.date, 'YYYY-MM-DD') AS base,
    25 + pg_temp.seed_pick(520, s.n, 76) AS min_price
  FROM seed_show s
  JOIN seed_artist a ON a.n = s.artist_n
  JOIN seed_venue v ON v.n = s.venue_n
  LEFT JOIN seed_show_votes t ON t.n = s.n
  LEFT JOIN seed_show_fans f ON f.n = s.n
),
counted AS (
  SELECT drafted.*,
    row_number() OVER (PARTITION BY base ORDER BY n) AS dup,
    -- Page views follow votes, and the artist's popularity.
    (votes * (3 + pg_temp.seed_pick(521, n, 5)) + popularity * popularity * (0.2 + pg_temp.seed_u(522, n)))::integer AS views
  FROM drafted
)
SELECT pg_temp.seed_id('show', n), pg_temp.seed_id('artist', artist_n), pg_temp.seed_id('venue', venue_n),
  CASE WHEN pg_temp.seed_u(523, n) < 0.5 THEN artist_name || ' at ' || venue_name ELSE artist_name || ': ' || tour END,
  CASE WHEN dup = 1 THEN base ELSE base || '-' || dup END,
  date, start_time, start_time - interval '1 hour',
  (date + coalesce(start_time, time '00:00')) AT TIME ZONE timezone,
  status,
  CASE WHEN upcoming THEN 'https://www.ticketmaster.com/event/vvG1' || upper(pg_temp.seed_hex8(2654435761, n)) END,
  min_price, min_price + pg_temp.seed_pick(524, n, 151), currency,
  views,
  CASE WHEN upcoming THEN views / 10 ELSE (capacity * (0.55 + 0.45 * pg_temp.seed_u(525, n)))::integer END,
  1 + fans, votes,
  -- Trending: votes and views, discounted by how far away the show is.
  CASE WHEN status = 'upcoming'
    THEN round(((votes + 0.05 * views) / power(1 + (date - current_date) / 7.0, 0.5))::numeric, 3)::float8
    ELSE 0 END,
  status = 'upcoming' AND popularity >= 50 AND pg_temp.seed_u(526, n) < 0.02,
  NOT upcoming OR pg_temp.seed_u(527, n) < 0.6,
  CASE WHEN upcoming THEN 'vvG1' || upper(pg_temp.seed_hex8(2654435761, n)) END,
  CASE WHEN NOT upcoming THEN pg_temp.seed_hex8(2246822519, n) END,
  CASE WHEN upcoming THEN listed_at - interval '1 day' ELSE date::timestamptz - interval '90 days' END,
  CASE WHEN upcoming THEN listed_at - interval '1 day' ELSE listed_at END
FROM counted;

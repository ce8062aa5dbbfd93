-- One setlist per show, with total_votes as its trigger would have counted: predicted (by a
-- user) when upcoming, actual (imported from setlist.fm) when past.
INSERT INTO setlists (id, show_id, artist_id, type, name, order_index, is_locked, total_votes,
                      accuracy_score, imported_from, external_id, source_version_id, source_url,
                      imported_at, created_by, created_at, updated_at)
SELECT pg_temp.seed_id('setlist', s.n), pg_temp.seed_id('show', s.n), pg_temp.seed_id('artist', s.artist_n),
  CASE WHEN s.upcoming THEN 'predicted' ELSE 'actual' END::setlist_type,
  'Main Set', 0, false, coalesce(t.votes, 0), 0,
  CASE WHEN NOT s.upcoming THEN 'setlist.fm' END,
  CASE WHEN NOT s.upcoming THEN pg_temp.seed_hex8(2246822519, s.n) END,
  CASE WHEN NOT s.upcoming THEN pg_temp.seed_hex8(3266489917, s.n) END,
  CASE WHEN NOT s.upcoming THEN 'https://www.setlist.fm/setlist/' || a.slug || '/' || extract(year FROM s.date)
                                || '/' || v.slug || '-' || pg_temp.seed_hex8(2246822519, s.n) || '.html' END,
  CASE WHEN NOT s.upcoming THEN s.listed_at END,
  CASE WHEN s.upcoming THEN pg_temp.seed_id('user', 1 + pg_temp.seed_pick(630, s.n, {users})) END,
  s.listed_at, s.listed_at
FROM seed_show s
JOIN seed_artist a ON a.n = s.artist_n
JOIN seed_venue v ON v.n = s.venue_n
LEFT JOIN seed_show_votes t ON t.n = s.n;

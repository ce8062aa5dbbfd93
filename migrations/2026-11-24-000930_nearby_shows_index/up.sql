-- Upcoming shows by venue and start, for nearby shows (Show::nearby): the shows of the venues in
-- the radius are chosen from this index alone (an index-only scan), not from their rows, which
-- lie scattered over the table (one page per show at scale 1).
CREATE INDEX idx_shows_upcoming_by_venue ON shows (venue_id, starts_at, id)
  WHERE status = 'upcoming';

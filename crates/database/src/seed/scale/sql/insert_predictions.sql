-- Fans' own predictions (owner_id = created_by, one per fan and show), locked once their show
-- has started, as the show-status job locks them; scored after the load.
INSERT INTO setlists (id, show_id, artist_id, type, name, order_index, is_locked, total_votes,
                      accuracy_score, created_by, owner_id, created_at, updated_at)
SELECT pg_temp.seed_id('prediction', p), pg_temp.seed_id('show', show_n), pg_temp.seed_id('artist', artist_n),
  'predicted', 'My prediction', 0, NOT upcoming, 0, 0,
  pg_temp.seed_id('user', user_n), pg_temp.seed_id('user', user_n), created_at, created_at
FROM seed_pred;

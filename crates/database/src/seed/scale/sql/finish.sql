-- Statistics for the planner on everything just written; the helper functions of setup.sql
-- are no longer needed.
ANALYZE users, artists, artist_stats, venues, shows, show_artists, songs, setlists, setlist_songs, votes, search_words, search_terms;
DROP FUNCTION pg_temp.seed_h(bigint, bigint), pg_temp.seed_u(bigint, bigint),
  pg_temp.seed_pick(bigint, bigint, bigint), pg_temp.seed_el(text[], bigint, bigint),
  pg_temp.seed_id(text, bigint), pg_temp.seed_hex8(bigint, bigint), pg_temp.seed_spotify(text, bigint),
  pg_temp.seed_slug(text), pg_temp.seed_share(bigint, numeric, numeric);

-- Row Level Security on every table, and the grants. The policies themselves are in
-- crates/database/replaceable/20_policies.sql (re-created with the functions they call).

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE artists ENABLE ROW LEVEL SECURITY;
ALTER TABLE artist_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE venues ENABLE ROW LEVEL SECURITY;
ALTER TABLE shows ENABLE ROW LEVEL SECURITY;
ALTER TABLE show_artists ENABLE ROW LEVEL SECURITY;
ALTER TABLE songs ENABLE ROW LEVEL SECURITY;
ALTER TABLE setlists ENABLE ROW LEVEL SECURITY;
ALTER TABLE setlist_songs ENABLE ROW LEVEL SECURITY;
ALTER TABLE votes ENABLE ROW LEVEL SECURITY;
ALTER TABLE vote_totals_pending ENABLE ROW LEVEL SECURITY;

-- Grants: the API gets only what its routes need, column by column where a row mixes fields a
-- caller may set with fields only the system sets (role, counters, scores).
GRANT USAGE ON SCHEMA public TO theset_api, theset_service;
GRANT SELECT ON artists, artist_stats, venues, shows, show_artists, songs, setlists, setlist_songs
  TO theset_api;
GRANT SELECT, DELETE ON users, user_profiles TO theset_api;
REVOKE DELETE ON users FROM theset_api;
GRANT INSERT (id, email, display_name, avatar_url, preferences, last_login_at) ON users TO theset_api;
GRANT UPDATE (display_name, avatar_url, preferences, last_login_at) ON users TO theset_api;
GRANT INSERT (user_id, bio, location, website, favorite_genres, concert_count, is_public),
      UPDATE (bio, location, website, favorite_genres, concert_count, is_public)
  ON user_profiles TO theset_api;
GRANT UPDATE (status) ON shows TO theset_api;
-- Setlists and their songs: every column but the counters and scores the system keeps; the
-- policies above decide which rows (and which kinds of row) a caller may write.
GRANT INSERT (id, show_id, artist_id, type, name, order_index, is_locked, imported_from, external_id,
              source_version_id, source_url, imported_at, created_by),
      UPDATE (name, order_index, is_locked),
      DELETE
  ON setlists TO theset_api;
GRANT INSERT (id, setlist_id, song_id, position, notes, is_played, play_time, set_name, encore, is_tape,
              cover_artist_name, cover_artist_mbid, guest_artist_name, guest_artist_mbid, info),
      UPDATE (position, notes, is_played, play_time),
      DELETE
  ON setlist_songs TO theset_api;
GRANT SELECT, DELETE ON votes TO theset_api;
GRANT INSERT (user_id, setlist_song_id, vote_type), UPDATE (vote_type) ON votes TO theset_api;

-- The API's readiness check compares the applied migrations with those it was built with.
GRANT SELECT ON __diesel_schema_migrations TO theset_api;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO theset_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO theset_service;
-- Tables added by later migrations (run by the same owner) are the service role's to use too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO theset_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO theset_service;

-- Row Level Security and grants. Policies read the caller through current_user_id() (the
-- transaction-local request.jwt.claims, as Supabase does) and the caller's role from users, never
-- from a token. Written for PUBLIC so that they hold for theset_api here and for Supabase's
-- anon/authenticated roles alike; theset_service bypasses RLS like Supabase's service_role.

-- The caller's role, looked up in users. SECURITY DEFINER: the caller may not read users rows
-- other than their own, and the policies of users must not recurse into themselves.
CREATE FUNCTION current_user_role() RETURNS user_role
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN (SELECT role FROM users WHERE id = current_user_id() AND deleted_at IS NULL);

CREATE FUNCTION current_user_is_staff() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN coalesce(current_user_role() IN ('moderator', 'admin'), false);

-- May the caller change this setlist's contents? Moderators and admins always; otherwise only an
-- unlocked predicted setlist, and (when `as_creator`) only by the user who created it.
CREATE FUNCTION can_edit_setlist(target uuid, as_creator boolean) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
RETURN current_user_is_staff() OR EXISTS (
  SELECT 1 FROM setlists s
  WHERE s.id = target
    AND s.type = 'predicted'
    AND NOT s.is_locked
    AND current_user_id() IS NOT NULL
    AND (NOT as_creator OR s.created_by = current_user_id())
);

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

-- Public catalog: anyone reads; only the service role (and staff, for shows) writes.
CREATE POLICY artists_read ON artists FOR SELECT USING (true);
CREATE POLICY artist_stats_read ON artist_stats FOR SELECT USING (true);
CREATE POLICY venues_read ON venues FOR SELECT USING (true);
CREATE POLICY show_artists_read ON show_artists FOR SELECT USING (true);
CREATE POLICY songs_read ON songs FOR SELECT USING (true);
CREATE POLICY shows_read ON shows FOR SELECT USING (true);
CREATE POLICY shows_staff_update ON shows FOR UPDATE
  USING ((SELECT current_user_is_staff())) WITH CHECK ((SELECT current_user_is_staff()));

-- Users: each reads and writes only their own row. A new user may create their row, as a plain user.
CREATE POLICY users_own_read ON users FOR SELECT USING (id = (SELECT current_user_id()));
CREATE POLICY users_own_insert ON users FOR INSERT
  WITH CHECK (id = (SELECT current_user_id()) AND role = 'user');
CREATE POLICY users_own_update ON users FOR UPDATE
  USING (id = (SELECT current_user_id())) WITH CHECK (id = (SELECT current_user_id()));

CREATE POLICY user_profiles_read ON user_profiles FOR SELECT
  USING (is_public OR user_id = (SELECT current_user_id()));
CREATE POLICY user_profiles_own_insert ON user_profiles FOR INSERT
  WITH CHECK (user_id = (SELECT current_user_id()));
CREATE POLICY user_profiles_own_update ON user_profiles FOR UPDATE
  USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()));
CREATE POLICY user_profiles_own_delete ON user_profiles FOR DELETE
  USING (user_id = (SELECT current_user_id()));

-- Setlists: anyone reads. Signed-in users create predicted setlists as themselves; actual and
-- locked setlists are written only by staff (or the service role).
CREATE POLICY setlists_read ON setlists FOR SELECT USING (true);
CREATE POLICY setlists_insert ON setlists FOR INSERT WITH CHECK (
  (SELECT current_user_is_staff())
  OR (type = 'predicted' AND NOT is_locked AND created_by = (SELECT current_user_id())
      AND imported_from IS NULL AND external_id IS NULL AND source_version_id IS NULL
      AND source_url IS NULL AND imported_at IS NULL)
);
CREATE POLICY setlists_update ON setlists FOR UPDATE
  USING (can_edit_setlist(id, true))
  WITH CHECK (
    (SELECT current_user_is_staff())
    OR (type = 'predicted' AND NOT is_locked AND created_by = (SELECT current_user_id()))
  );
CREATE POLICY setlists_delete ON setlists FOR DELETE USING (can_edit_setlist(id, true));

-- Setlist songs: any signed-in user adds songs to an unlocked predicted setlist; its creator (or
-- staff) reorders and removes them; staff alone touch actual and locked setlists.
CREATE POLICY setlist_songs_read ON setlist_songs FOR SELECT USING (true);
CREATE POLICY setlist_songs_insert ON setlist_songs FOR INSERT
  WITH CHECK (can_edit_setlist(setlist_id, false));
CREATE POLICY setlist_songs_update ON setlist_songs FOR UPDATE
  USING (can_edit_setlist(setlist_id, true)) WITH CHECK (can_edit_setlist(setlist_id, true));
CREATE POLICY setlist_songs_delete ON setlist_songs FOR DELETE
  USING (can_edit_setlist(setlist_id, true));

-- Votes: a user sees and writes only their own. Counts are public through setlist_songs.
CREATE POLICY votes_own_read ON votes FOR SELECT USING (user_id = (SELECT current_user_id()));
CREATE POLICY votes_own_insert ON votes FOR INSERT WITH CHECK (user_id = (SELECT current_user_id()));
CREATE POLICY votes_own_update ON votes FOR UPDATE
  USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()));
CREATE POLICY votes_own_delete ON votes FOR DELETE USING (user_id = (SELECT current_user_id()));

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

-- Public catalog: anyone reads; only the service role (and staff, for shows) writes.
CREATE POLICY artists_read ON artists FOR SELECT USING (true);

CREATE POLICY artist_stats_read ON artist_stats FOR SELECT USING (true);

CREATE POLICY venues_read ON venues FOR SELECT USING (true);

CREATE POLICY show_artists_read ON show_artists FOR SELECT USING (true);

CREATE POLICY songs_read ON songs FOR SELECT USING (true);

-- Moderators recording a show live add the songs the catalog lacks (by title).
CREATE POLICY songs_staff_insert ON songs FOR INSERT WITH CHECK ((SELECT current_user_is_staff()));

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

-- Setlists: anyone reads the crowd and actual setlists; a fan's own prediction is read by its
-- owner (and staff) until the show starts, then by everyone (show_predictions_revealed). Signed-in
-- fans create their own prediction, as its owner; actual, crowd and locked setlists are written
-- only by staff (or the service role).
CREATE POLICY setlists_read ON setlists FOR SELECT USING (
  owner_id IS NULL
  OR owner_id = (SELECT current_user_id())
  OR show_predictions_revealed(show_id)
  OR (SELECT current_user_is_staff())
);

CREATE POLICY setlists_insert ON setlists FOR INSERT WITH CHECK (
  (SELECT current_user_is_staff())
  OR (type = 'predicted' AND NOT is_locked AND created_by = (SELECT current_user_id())
      AND owner_id = (SELECT current_user_id())
      AND imported_from IS NULL AND external_id IS NULL AND source_version_id IS NULL
      AND source_url IS NULL AND imported_at IS NULL)
);

CREATE POLICY setlists_update ON setlists FOR UPDATE
  USING (can_edit_setlist(id, true))
  WITH CHECK (
    (SELECT current_user_is_staff())
    OR (type = 'predicted' AND NOT is_locked
        AND coalesce(owner_id, created_by) = (SELECT current_user_id()))
  );

CREATE POLICY setlists_delete ON setlists FOR DELETE USING (can_edit_setlist(id, true));

-- Setlist songs: read with their setlist (the subquery is itself subject to setlists_read, so a
-- hidden prediction hides its songs). Any signed-in user adds songs to the crowd setlist; a fan
-- alone edits their own prediction; staff alone touch actual and locked setlists.
CREATE POLICY setlist_songs_read ON setlist_songs FOR SELECT
  USING (EXISTS (SELECT 1 FROM setlists s WHERE s.id = setlist_id));

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

-- It reveals only which (public) songs changed, never who voted.
CREATE POLICY realtime_vote_log_read ON realtime_vote_log FOR SELECT USING (true);

CREATE POLICY song_aliases_read ON song_aliases FOR SELECT USING (true);

CREATE POLICY search_words_read ON search_words FOR SELECT USING (true);

CREATE POLICY search_terms_read ON search_terms FOR SELECT USING (true);

CREATE POLICY search_names_read ON search_names FOR SELECT USING (true);

-- Scores, standings and song statistics are public: scores exist only once a show has started,
-- when its predictions are public too.
CREATE POLICY prediction_scores_read ON prediction_scores FOR SELECT USING (true);

CREATE POLICY fan_standings_read ON fan_standings FOR SELECT USING (true);

CREATE POLICY song_stats_read ON song_stats FOR SELECT USING (true);

-- Setlist songs m in [{lo}, {hi}), with their vote counters. Actual setlists get setlist.fm's
-- structure: plain, main set and encore(s), or two sets and an encore; a few intro tapes,
-- covers, guests and notes.
INSERT INTO setlist_songs (id, setlist_id, song_id, position, notes, is_played, set_name, encore,
                           is_tape, cover_artist_name, cover_artist_mbid, guest_artist_name,
                           guest_artist_mbid, info, upvotes, downvotes, created_at, updated_at)
WITH {words},
shaped AS (
  SELECT ss.*, sh.len, sh.listed_at, w.set_info, w.prediction_notes,
    CASE WHEN ss.upcoming THEN 0
         WHEN pg_temp.seed_u(610, ss.show_n) < 0.40 THEN 0
         WHEN pg_temp.seed_u(610, ss.show_n) < 0.85 THEN least(sh.len - 1, 1 + pg_temp.seed_pick(611, ss.show_n, 3))
         ELSE least(sh.len - 1, 2) END AS encores,
    NOT ss.upcoming AND pg_temp.seed_u(610, ss.show_n) >= 0.85 AS two_sets,
    NOT ss.upcoming AND ss.position = 1 AND pg_temp.seed_u(612, ss.show_n) < 0.06 AS tape,
    CASE WHEN NOT ss.upcoming AND pg_temp.seed_u(613, ss.m) < 0.04
         THEN 1 + pg_temp.seed_pick(614, ss.m, {artists}) END AS cover_n,
    CASE WHEN NOT ss.upcoming AND pg_temp.seed_u(615, ss.m) < 0.01
         THEN 1 + pg_temp.seed_pick(616, ss.m, {artists}) END AS guest_n
  FROM w, seed_ss ss JOIN seed_show sh ON sh.n = ss.show_n
  WHERE ss.m >= {lo} AND ss.m < {hi}
),
numbered AS (
  SELECT shaped.*,
    CASE WHEN position <= len - encores THEN 0
         WHEN encores >= 3 AND position = len AND pg_temp.seed_u(617, show_n) < 0.3 THEN 2
         ELSE 1 END AS encore
  FROM shaped
)
SELECT pg_temp.seed_id('setlist-song', s.m), pg_temp.seed_id('setlist', s.show_n),
  pg_temp.seed_id('song', s.song_g), s.position,
  CASE WHEN s.upcoming AND pg_temp.seed_u(618, s.m) < 0.03 THEN pg_temp.seed_el(s.prediction_notes, 619, s.m) END,
  CASE WHEN NOT s.upcoming THEN true END,
  CASE WHEN s.encore = 2 THEN 'Encore 2'
       WHEN s.encore = 1 THEN CASE WHEN pg_temp.seed_u(620, s.show_n) < 0.5 THEN 'Encore' END
       WHEN s.two_sets THEN CASE WHEN s.position <= (s.len - s.encores) / 2 THEN 'Set 1' ELSE 'Set 2' END
  END,
  s.encore, s.tape,
  CASE WHEN NOT s.tape THEN cover.name END,
  CASE WHEN NOT s.tape AND cover.n IS NOT NULL THEN pg_temp.seed_id('mbid', cover.n)::text END,
  guest.name,
  CASE WHEN guest.n IS NOT NULL THEN pg_temp.seed_id('mbid', guest.n)::text END,
  CASE WHEN s.tape THEN 'Intro tape'
       WHEN NOT s.upcoming AND pg_temp.seed_u(621, s.m) < 0.05 THEN pg_temp.seed_el(s.set_info, 622, s.m) END,
  s.ups, s.votes - s.ups,
  s.listed_at, s.listed_at
FROM numbered s
LEFT JOIN seed_artist cover ON cover.n = s.cover_n
LEFT JOIN seed_artist guest ON guest.n = s.guest_n;

-- The votes on setlist songs m in [{lo}, {hi}). The voters of one song are users
-- start, start + stride, ... (mod users): distinct, since the stride is coprime with the count.
INSERT INTO votes (id, user_id, setlist_song_id, vote_type, created_at, updated_at)
SELECT pg_temp.seed_id('vote', s.vote_offset + j),
  pg_temp.seed_id('user', 1 + (pg_temp.seed_pick(700, s.m, {users})::bigint + j::bigint * {voter_stride}) % {users}),
  pg_temp.seed_id('setlist-song', s.m),
  CASE WHEN j < s.ups THEN 'up' ELSE 'down' END::vote_type,
  t.t, t.t
FROM seed_ss s, generate_series(0, s.votes - 1) AS j,
LATERAL (SELECT now() - pg_temp.seed_u(701, s.vote_offset + j) * interval '60 days' AS t) AS t
WHERE s.votes > 0 AND s.m >= {lo} AND s.m < {hi};

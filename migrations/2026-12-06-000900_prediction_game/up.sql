-- The prediction game: fans' own predicted setlists, their scores against the actual setlist,
-- standings for leaderboards, and per-song statistics from the artist's history. The rules that
-- act on these tables (locking, visibility, live recording) are in
-- crates/database/replaceable/15_predictions.sql; the scoring rule is theset_database::scoring.

-- A fan's own prediction is a predicted setlist with an owner (one per fan and show); the
-- show's crowd setlist, which any fan adds songs to and votes on, has none. created_by stays the
-- design card's attribution (who made the row); owner_id is whose prediction it is. A deleted
-- account takes its predictions (and their scores) with it.
ALTER TABLE setlists
  ADD COLUMN owner_id uuid REFERENCES users (id) ON DELETE CASCADE,
  ADD CONSTRAINT setlists_owner_predicted CHECK (owner_id IS NULL OR type = 'predicted');
CREATE UNIQUE INDEX setlists_one_prediction_per_fan ON setlists (show_id, owner_id)
  WHERE owner_id IS NOT NULL;
CREATE INDEX idx_setlists_owner_id ON setlists (owner_id, created_at DESC)
  WHERE owner_id IS NOT NULL;

CREATE TYPE prediction_kind AS ENUM ('fan', 'crowd', 'bot');

-- One row per scored prediction of a show's artist: each fan's, the crowd setlist's and the
-- bot's (the artist's average setlist from history, which has no setlist row). Written only by
-- theset_database::scoring (PredictionScore::replace_for_show), which keeps the breakdown, not
-- only the number. Provisional while the actual setlist is being recorded live; final once it
-- is imported from setlist.fm or locked by a moderator.
CREATE TABLE prediction_scores (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  show_id uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
  kind prediction_kind NOT NULL,
  setlist_id uuid CONSTRAINT prediction_scores_setlist_id_key UNIQUE
    REFERENCES setlists (id) ON DELETE CASCADE,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  actual_setlist_id uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
  is_final boolean NOT NULL,
  score double precision NOT NULL CHECK (score BETWEEN 0 AND 100),
  predicted_songs integer NOT NULL CHECK (predicted_songs >= 0),
  played_songs integer NOT NULL CHECK (played_songs >= 0),
  hits integer NOT NULL CHECK (hits >= 0),
  precision double precision NOT NULL,
  recall double precision NOT NULL,
  f1 double precision NOT NULL,
  opener_hit boolean NOT NULL,
  closer_hit boolean NOT NULL,
  encore_predicted integer NOT NULL,
  encore_played integer NOT NULL,
  encore_hits integer NOT NULL,
  -- Kendall's tau over the songs both predicted and played; NULL with fewer than two.
  order_tau double precision CHECK (order_tau BETWEEN -1 AND 1),
  rarity_points double precision NOT NULL CHECK (rarity_points >= 0),
  -- When the prediction was made (the setlist's creation): the later tie-break.
  predicted_at timestamptz NOT NULL,
  -- A fan's rank on the show's board (by score, then rarity points; equal ones share a rank),
  -- computed by scoring so that a board page and a fan's own rank are index lookups.
  rank integer CHECK (rank >= 1),
  scored_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT prediction_scores_fan_has_user CHECK ((kind = 'fan') = (user_id IS NOT NULL)),
  CONSTRAINT prediction_scores_bot_has_no_setlist CHECK ((kind = 'bot') = (setlist_id IS NULL)),
  CONSTRAINT prediction_scores_fans_ranked CHECK ((kind = 'fan') = (rank IS NOT NULL))
);
CREATE UNIQUE INDEX prediction_scores_baseline_key ON prediction_scores (show_id, artist_id, kind)
  WHERE kind <> 'fan';
-- A show's leaderboard in board order (rank, then the earlier prediction, then user), for
-- keyset paging with one index range.
CREATE INDEX idx_prediction_scores_show_rank ON prediction_scores
  (show_id, rank, predicted_at, user_id) WHERE kind = 'fan';
CREATE INDEX idx_prediction_scores_user ON prediction_scores (user_id, scored_at DESC)
  WHERE kind = 'fan';
CREATE INDEX idx_prediction_scores_actual ON prediction_scores (actual_setlist_id);
CREATE INDEX idx_prediction_scores_artist ON prediction_scores (artist_id);

-- Shows whose actual setlist changed since they were last scored (every writer: a moderator
-- recording live, an import, psql). Appended to by a trigger; the worker's scoring schedule
-- takes them (theset_database::scoring::take_pending) and scores each show.
CREATE TABLE scores_pending (
  show_id uuid NOT NULL
);

-- Each fan's standing in a leaderboard scope: 'all', 'year:YYYY', 'month:YYYY-MM' (by show
-- date) and 'artist:<uuid>', over final scores only. rating is the shrunk average
-- (theset_database::scoring::rating), written with the totals by the scoring job.
CREATE TABLE fan_standings (
  scope text NOT NULL CHECK (scope ~ '^(all|year:\d{4}|month:\d{4}-\d{2}|artist:[0-9a-f-]{36})$'),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  predictions integer NOT NULL CHECK (predictions > 0),
  total_score double precision NOT NULL,
  best_score double precision NOT NULL,
  rating double precision NOT NULL,
  beat_bot integer NOT NULL DEFAULT 0,
  beat_crowd integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, user_id)
);
-- Rank order: rating, then more predictions, then user id.
CREATE INDEX idx_fan_standings_rank ON fan_standings (scope, (-rating), (-predictions), user_id);
CREATE INDEX idx_fan_standings_user ON fan_standings (user_id);

-- Per song of an artist, from the artist's actual setlists (tape excluded), refreshed by the
-- statistics job (theset_database::history). The window is the artist's whole recorded history.
CREATE TABLE song_stats (
  song_id uuid PRIMARY KEY REFERENCES songs (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
  times_played integer NOT NULL CHECK (times_played > 0),
  play_rate double precision NOT NULL CHECK (play_rate BETWEEN 0 AND 1),
  first_played date NOT NULL,
  last_played date NOT NULL,
  -- The artist's shows with a setlist since the song was last played (0: played at the last).
  shows_since_played integer NOT NULL CHECK (shows_since_played >= 0),
  opener_rate double precision NOT NULL,
  closer_rate double precision NOT NULL,
  encore_rate double precision NOT NULL,
  average_position double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_song_stats_artist ON song_stats (artist_id, times_played DESC, song_id);

ALTER TABLE prediction_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE fan_standings ENABLE ROW LEVEL SECURITY;
ALTER TABLE song_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE scores_pending ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON prediction_scores, fan_standings, song_stats TO theset_api;
-- Fans create their own predictions (owner_id) and mark their expected encore; moderators
-- record and correct the live setlist (song, encore, tape, cover, guest).
GRANT INSERT (owner_id) ON setlists TO theset_api;
GRANT UPDATE (song_id, encore, is_tape, set_name, cover_artist_name, guest_artist_name, info)
  ON setlist_songs TO theset_api;
-- A song played live that the catalog lacks is added by title (policy songs_staff_insert:
-- moderators and admins only).
GRANT INSERT (artist_id, title, artist) ON songs TO theset_api;

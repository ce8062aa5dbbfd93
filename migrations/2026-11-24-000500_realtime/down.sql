-- Reverts 2026-11-24-000500_realtime.

DROP FUNCTION realtime_prune_vote_log(bigint);
DROP FUNCTION realtime_song_states(uuid[]);
DROP FUNCTION realtime_show_states(uuid[]);
DROP FUNCTION realtime_vote_changes(bigint, uuid[], uuid[]);

DROP TRIGGER shows_realtime_update ON shows;
DROP TRIGGER shows_realtime_delete ON shows;
DROP FUNCTION realtime_notify_shows();
DROP TRIGGER setlists_realtime_update ON setlists;
DROP TRIGGER setlists_realtime ON setlists;
DROP FUNCTION realtime_notify_setlists();
DROP TRIGGER setlist_songs_realtime_update ON setlist_songs;
DROP TRIGGER setlist_songs_realtime ON setlist_songs;
DROP FUNCTION realtime_notify_setlist_songs();

-- The vote counter trigger as 2026-11-24-000200_core_schema defines it.
CREATE OR REPLACE FUNCTION votes_maintain_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  up_delta integer := 0;
  down_delta integer := 0;
  song uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.setlist_song_id ELSE NEW.setlist_song_id END;
  changed_setlist uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.vote_type = 'up' THEN up_delta := up_delta - 1; ELSE down_delta := down_delta - 1; END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.vote_type = 'up' THEN up_delta := up_delta + 1; ELSE down_delta := down_delta + 1; END IF;
  END IF;
  IF up_delta = 0 AND down_delta = 0 THEN
    RETURN NULL;
  END IF;
  UPDATE setlist_songs
  SET upvotes = upvotes + up_delta, downvotes = downvotes + down_delta
  WHERE id = song
  RETURNING setlist_id INTO changed_setlist;
  -- A changed direction leaves the number of votes as it was.
  IF changed_setlist IS NOT NULL AND TG_OP <> 'UPDATE' THEN
    INSERT INTO vote_totals_pending (setlist_id) VALUES (changed_setlist);
  END IF;
  RETURN NULL;
END
$$;

DROP TABLE realtime_vote_log;
ALTER TABLE setlist_songs DROP COLUMN vote_version;

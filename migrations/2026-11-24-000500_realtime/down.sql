DROP TABLE realtime_vote_log;
ALTER TABLE setlist_songs DROP COLUMN vote_version;

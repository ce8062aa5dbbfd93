DROP TABLE song_aliases;
ALTER TABLE songs DROP CONSTRAINT songs_id_artist_key;
DROP INDEX idx_songs_isrc;
ALTER TABLE songs DROP COLUMN isrc;
ALTER TABLE shows DROP COLUMN ticketmaster_status;
DROP INDEX idx_venues_setlistfm_id;
DROP INDEX idx_venues_ticketmaster_id;
ALTER TABLE venues DROP COLUMN setlistfm_id, DROP COLUMN ticketmaster_id;
DROP INDEX idx_artists_ticketmaster_id;
DROP INDEX idx_artists_mbid;
ALTER TABLE artists
  DROP COLUMN setlistfm_synced_at,
  DROP COLUMN ticketmaster_synced_at,
  DROP COLUMN ticketmaster_id,
  DROP COLUMN mbid;

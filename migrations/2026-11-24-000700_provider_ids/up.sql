-- External ids and sync state for the provider imports (crates/imports), and the per-artist
-- song alias table used to match setlist.fm titles to the catalog.

-- artists: the MusicBrainz id is the key setlist.fm searches by; Ticketmaster's attraction id is
-- the key of the upcoming-shows sync. The *_synced_at columns record the last complete import.
ALTER TABLE artists
  ADD COLUMN mbid text CHECK (mbid ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  ADD COLUMN ticketmaster_id text CHECK (btrim(ticketmaster_id) <> ''),
  ADD COLUMN ticketmaster_synced_at timestamptz,
  ADD COLUMN setlistfm_synced_at timestamptz;
CREATE UNIQUE INDEX idx_artists_mbid ON artists (mbid);
CREATE UNIQUE INDEX idx_artists_ticketmaster_id ON artists (ticketmaster_id);

ALTER TABLE venues
  ADD COLUMN ticketmaster_id text CHECK (btrim(ticketmaster_id) <> ''),
  ADD COLUMN setlistfm_id text CHECK (btrim(setlistfm_id) <> '');
CREATE UNIQUE INDEX idx_venues_ticketmaster_id ON venues (ticketmaster_id);
CREATE UNIQUE INDEX idx_venues_setlistfm_id ON venues (setlistfm_id);

-- Ticketmaster's own status code (onsale, offsale, canceled, postponed, rescheduled), kept
-- beside shows.status: a postponed show stays 'upcoming' with a date that may not hold.
ALTER TABLE shows
  ADD COLUMN ticketmaster_status text
    CHECK (ticketmaster_status IN ('onsale', 'offsale', 'canceled', 'postponed', 'rescheduled', 'unknown'));

-- ISRC (ISO 3901: 12 characters) from Spotify's external_ids.
ALTER TABLE songs ADD COLUMN isrc text CHECK (isrc ~ '^[A-Z0-9]{12}$');
CREATE INDEX idx_songs_isrc ON songs (isrc);
-- Lets song_aliases require that an alias names a song of the same artist.
ALTER TABLE songs ADD CONSTRAINT songs_id_artist_key UNIQUE (id, artist_id);

-- Other spellings of a catalog song ("Paranoid Android (extended)" as typed on setlist.fm),
-- matched on the same normalised key as songs.title_key, one song per key and artist.
CREATE TABLE song_aliases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
  song_id uuid NOT NULL,
  alias text NOT NULL CHECK (btrim(alias) <> ''),
  alias_key text NOT NULL GENERATED ALWAYS AS (song_title_key(alias)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT song_aliases_artist_alias_key UNIQUE (artist_id, alias_key),
  CONSTRAINT song_aliases_song_fkey FOREIGN KEY (song_id, artist_id)
    REFERENCES songs (id, artist_id) ON DELETE CASCADE
);
CREATE INDEX idx_song_aliases_song_id ON song_aliases (song_id, artist_id);

ALTER TABLE song_aliases ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON song_aliases TO theset_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON song_aliases TO theset_service;

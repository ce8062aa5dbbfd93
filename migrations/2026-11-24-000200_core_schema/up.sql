-- The core schema of the design card, with its weak spots fixed (see crates/database/README.md,
-- "Deviations from the design card"): types, tables, constraints and indexes. The functions,
-- triggers and policies that act on these tables are in crates/database/replaceable/.

CREATE TYPE user_role AS ENUM ('user', 'moderator', 'admin');
CREATE TYPE show_status AS ENUM ('upcoming', 'ongoing', 'completed', 'cancelled');
CREATE TYPE setlist_type AS ENUM ('predicted', 'actual');
CREATE TYPE vote_type AS ENUM ('up', 'down');

-- users -----------------------------------------------------------------------------------------
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CONSTRAINT users_email_key UNIQUE CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  display_name text,
  avatar_url text,
  spotify_id text CONSTRAINT users_spotify_id_key UNIQUE,
  spotify_refresh_token text,
  role user_role NOT NULL DEFAULT 'user',
  email_verified timestamptz,
  last_login_at timestamptz,
  preferences jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE TABLE user_profiles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL CONSTRAINT user_profiles_user_id_key UNIQUE
    REFERENCES users (id) ON DELETE CASCADE,
  bio text,
  location text,
  website text,
  favorite_genres text[] NOT NULL DEFAULT '{}' CHECK (array_position(favorite_genres, NULL) IS NULL),
  concert_count integer NOT NULL DEFAULT 0 CHECK (concert_count >= 0),
  is_public boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- artists ---------------------------------------------------------------------------------------
CREATE TABLE artists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  spotify_id text,
  name text NOT NULL CHECK (btrim(name) <> ''),
  slug text NOT NULL CONSTRAINT artists_slug_key UNIQUE CHECK (is_valid_slug(slug)),
  image_url text,
  small_image_url text,
  genres text[] NOT NULL DEFAULT '{}' CHECK (array_position(genres, NULL) IS NULL),
  popularity integer NOT NULL DEFAULT 0 CHECK (popularity >= 0),
  followers integer NOT NULL DEFAULT 0 CHECK (followers >= 0),
  monthly_listeners integer CHECK (monthly_listeners >= 0),
  verified boolean NOT NULL DEFAULT false,
  bio text,
  external_urls jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(external_urls) = 'object'),
  last_synced_at timestamptz,
  trending_score double precision NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The design card's index, made unique: it is the artist's Spotify key.
CREATE UNIQUE INDEX idx_artists_spotify_id ON artists (spotify_id);
CREATE INDEX idx_artists_name_trgm ON artists USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX idx_artists_trending_score ON artists (trending_score DESC, id);

CREATE TABLE artist_stats (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  artist_id uuid NOT NULL CONSTRAINT artist_stats_artist_id_key UNIQUE
    REFERENCES artists (id) ON DELETE CASCADE,
  total_shows integer NOT NULL DEFAULT 0 CHECK (total_shows >= 0),
  total_setlists integer NOT NULL DEFAULT 0 CHECK (total_setlists >= 0),
  avg_setlist_length double precision CHECK (avg_setlist_length >= 0),
  most_played_song text,
  last_show_date timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- venues ----------------------------------------------------------------------------------------
CREATE TABLE venues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (btrim(name) <> ''),
  slug text NOT NULL CONSTRAINT venues_slug_key UNIQUE CHECK (is_valid_slug(slug)),
  address text,
  city text NOT NULL,
  state text,
  country text NOT NULL,
  postal_code text,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  -- Derived from latitude/longitude by PostgreSQL itself, so it can never disagree with them.
  location geography(Point, 4326) GENERATED ALWAYS AS (
    CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL
      THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography
    END
  ) STORED,
  timezone text NOT NULL CHECK (is_valid_timezone(timezone)),
  capacity integer CHECK (capacity > 0),
  venue_type text,
  phone_number text,
  website text,
  image_url text,
  description text,
  amenities text[] NOT NULL DEFAULT '{}' CHECK (array_position(amenities, NULL) IS NULL),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT venues_coordinates_together CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- The design card indexed ST_Point(longitude, latitude) (geometry, planar degrees); radius queries
-- in metres want geography, so the same index name covers the geography column.
CREATE INDEX idx_venues_location ON venues USING gist (location);
CREATE INDEX idx_venues_name_trgm ON venues USING gin (search_key(name) gin_trgm_ops);

-- shows -----------------------------------------------------------------------------------------
CREATE TABLE shows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  headliner_artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE RESTRICT,
  venue_id uuid REFERENCES venues (id) ON DELETE SET NULL,
  name text NOT NULL CHECK (btrim(name) <> ''),
  slug text NOT NULL CONSTRAINT shows_slug_key UNIQUE CHECK (is_valid_slug(slug)),
  date date NOT NULL,
  start_time time,
  doors_time time,
  -- The instant the show starts (and predictions lock), resolved from date + start_time in the
  -- venue's timezone by the shows_resolve_starts_at trigger. Local midnight when the time is TBA.
  starts_at timestamptz NOT NULL,
  status show_status NOT NULL DEFAULT 'upcoming',
  description text,
  ticket_url text,
  min_price integer CHECK (min_price >= 0),
  max_price integer CHECK (max_price >= 0),
  currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  view_count integer NOT NULL DEFAULT 0 CHECK (view_count >= 0),
  attendee_count integer NOT NULL DEFAULT 0 CHECK (attendee_count >= 0),
  setlist_count integer NOT NULL DEFAULT 0 CHECK (setlist_count >= 0),
  vote_count integer NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
  trending_score double precision NOT NULL DEFAULT 0,
  is_featured boolean NOT NULL DEFAULT false,
  is_verified boolean NOT NULL DEFAULT false,
  ticketmaster_id text,
  setlistfm_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shows_price_range CHECK (min_price <= max_price)
);
CREATE INDEX idx_shows_date ON shows (date);
CREATE INDEX idx_shows_status ON shows (status);
CREATE INDEX idx_shows_headliner_artist_id ON shows (headliner_artist_id, starts_at);
CREATE INDEX idx_shows_venue_id ON shows (venue_id, starts_at);
CREATE INDEX idx_shows_starts_at ON shows (starts_at);
CREATE INDEX idx_shows_trending_upcoming ON shows (trending_score DESC, id) WHERE status = 'upcoming';
CREATE UNIQUE INDEX idx_shows_ticketmaster_id ON shows (ticketmaster_id);
CREATE UNIQUE INDEX idx_shows_setlistfm_id ON shows (setlistfm_id);

CREATE TABLE show_artists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  show_id uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
  order_index integer NOT NULL CHECK (order_index >= 0),
  set_length integer CHECK (set_length > 0),
  is_headliner boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT show_artists_show_artist_key UNIQUE (show_id, artist_id),
  -- Deferrable so a reorder can swap positions inside one statement.
  CONSTRAINT show_artists_show_order_key UNIQUE (show_id, order_index) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX idx_show_artists_artist_id ON show_artists (artist_id);

-- songs -----------------------------------------------------------------------------------------
CREATE TABLE songs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE RESTRICT,
  spotify_id text,
  title text NOT NULL CHECK (btrim(title) <> ''),
  title_key text NOT NULL GENERATED ALWAYS AS (song_title_key(title)) STORED,
  artist text NOT NULL,
  album text,
  album_art_url text,
  release_date date,
  duration_ms integer CHECK (duration_ms > 0),
  popularity integer NOT NULL DEFAULT 0 CHECK (popularity >= 0),
  preview_url text,
  is_explicit boolean NOT NULL DEFAULT false,
  is_playable boolean NOT NULL DEFAULT true,
  acousticness double precision CHECK (acousticness BETWEEN 0 AND 1),
  danceability double precision CHECK (danceability BETWEEN 0 AND 1),
  energy double precision CHECK (energy BETWEEN 0 AND 1),
  valence double precision CHECK (valence BETWEEN 0 AND 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_songs_spotify_id ON songs (spotify_id);
-- One catalog entry per song of an artist: imports match titles on this key.
CREATE UNIQUE INDEX idx_songs_artist_title_key ON songs (artist_id, title_key);
CREATE INDEX idx_songs_title_trgm ON songs USING gin (search_key(title) gin_trgm_ops);

-- setlists --------------------------------------------------------------------------------------
CREATE TABLE setlists (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  show_id uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE RESTRICT,
  type setlist_type NOT NULL,
  name text NOT NULL DEFAULT 'Main Set',
  order_index integer NOT NULL DEFAULT 0,
  is_locked boolean NOT NULL DEFAULT false,
  total_votes integer NOT NULL DEFAULT 0 CHECK (total_votes >= 0),
  accuracy_score integer NOT NULL DEFAULT 0 CHECK (accuracy_score BETWEEN 0 AND 100),
  imported_from text CHECK (imported_from IN ('setlist.fm', 'manual', 'api')),
  external_id text,
  -- setlist.fm's versionId (changes on every edit at the source) and the attribution link.
  source_version_id text,
  source_url text,
  imported_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_setlists_show_id ON setlists (show_id, type);
CREATE INDEX idx_setlists_artist_id ON setlists (artist_id);
CREATE INDEX idx_setlists_created_by ON setlists (created_by);
CREATE UNIQUE INDEX idx_setlists_external_id ON setlists (imported_from, external_id);

CREATE TABLE setlist_songs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  setlist_id uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
  song_id uuid NOT NULL REFERENCES songs (id) ON DELETE RESTRICT,
  position integer NOT NULL CHECK (position >= 1),
  notes text,
  is_played boolean,
  play_time timestamptz,
  -- setlist.fm's structure, kept per song of an actual setlist.
  set_name text,
  encore integer NOT NULL DEFAULT 0 CHECK (encore >= 0),
  is_tape boolean NOT NULL DEFAULT false,
  cover_artist_name text,
  cover_artist_mbid text,
  guest_artist_name text,
  guest_artist_mbid text,
  info text,
  upvotes integer NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
  downvotes integer NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
  -- Generated: it can never lag behind upvotes/downvotes (the design card's trigger made it lag).
  net_votes integer NOT NULL GENERATED ALWAYS AS (upvotes - downvotes) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The design card's idx_setlist_songs_position, as the unique constraint it describes. Deferrable
  -- so closing a gap (position = position - 1) never trips over itself mid-statement.
  CONSTRAINT idx_setlist_songs_position UNIQUE (setlist_id, position) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX idx_setlist_songs_song_id ON setlist_songs (song_id);

CREATE TABLE votes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  setlist_song_id uuid NOT NULL REFERENCES setlist_songs (id) ON DELETE CASCADE,
  vote_type vote_type NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT votes_user_setlist_song_key UNIQUE (user_id, setlist_song_id)
);
CREATE INDEX idx_votes_setlist_song_id ON votes (setlist_song_id);

-- Setlists and shows whose vote totals need recomputing. Votes only ever append here, so voters on
-- one show never queue behind a lock on its shows/setlists rows; refresh_vote_totals() folds it.
CREATE TABLE vote_totals_pending (
  setlist_id uuid,
  show_id uuid
);

-- Keyset pagination of the artist directory (by name, then id).
CREATE INDEX idx_artists_name_id ON artists (name, id);
-- Keyset pagination of a venue's shows and of upcoming shows by start.
CREATE INDEX idx_shows_status_starts_at ON shows (status, starts_at, id);

-- Upcoming shows by venue and start, for nearby shows (Show::nearby): the shows of the venues in
-- the radius are chosen from this index alone (an index-only scan), not from their rows, which
-- lie scattered over the table (one page per show at scale 1).
CREATE INDEX idx_shows_upcoming_by_venue ON shows (venue_id, starts_at, id)
  WHERE status = 'upcoming';

-- The foundation: what tables, stored columns, indexes and checks are built on. Applied before
-- the versioned migrations (and only when this file changes), with CREATE OR REPLACE, and never
-- dropped while a migration is applied. Stored values are computed with these functions: a
-- change to one comes with a versioned migration that recomputes what it feeds (for example
-- `UPDATE songs SET title = title` for song_title_key, REINDEX for search_key), which runs after
-- this file has been applied.

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Roles are cluster-wide, so they are created only when missing and never dropped by a down
-- migration (other databases on the same server may hold grants to them). Their attributes are
-- (re)asserted every time so a hand-made role with too much power is brought back in line.
--   theset_api      the HTTP API: owns nothing, cannot bypass RLS, sees the caller through
--                   transaction-local request.jwt.claims (as Supabase's "authenticated").
--   theset_service  the worker and the CLI: owns nothing, bypasses RLS (as Supabase's
--                   "service_role").
-- Passwords are set by whoever deploys (ALTER ROLE ... PASSWORD); the dev cluster trusts loopback.
-- Databases on one server may run this at the same moment (tests do): a role is created unless
-- another session just did, and altered only when its attributes are wrong, since two sessions
-- updating the same pg_authid row fail with "tuple concurrently updated".
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('theset_api', false), ('theset_service', true)) AS t(name, bypass)
  LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN', r.name);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name
               AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication
                    OR rolbypassrls <> r.bypass)) THEN
      EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION %s',
                     r.name, CASE WHEN r.bypass THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END);
    END IF;
  END LOOP;
END
$$;

-- Accent- and case-insensitive key for trigram search. unaccent() is only STABLE (its dictionary
-- could change), so indexes go through this IMMUTABLE wrapper that names the dictionary.
CREATE OR REPLACE FUNCTION search_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));

-- Song title keys fold Unicode compatibility forms as well as accents. NFKC applies the
-- compatibility mappings of NFKD (full-width letters, ligatures, circled and superscript digits,
-- half-width katakana, roman numerals) and recomposes, so unaccent then strips the diacritics of
-- every precomposed letter it knows (Latin, Greek, Vietnamese, ...) while letters that are
-- written with a mark in other scripts stay whole: Cyrillic й is not и, kana keep their voicing
-- marks, Hangul syllables stay syllables. Lower case follows the database's Unicode-aware ctype.
-- Nothing here is ASCII-only.
CREATE OR REPLACE FUNCTION title_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, normalize(value, NFKC)));

-- Normalised song title for matching names across sources (setlist.fm is typed by people,
-- Spotify adds "- Remastered 2011"): folded (title_fold), without live/remaster/version
-- suffixes, "feat." clauses and punctuation. Works on every script: nothing ASCII-only.
CREATE OR REPLACE FUNCTION song_title_key(title text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce(
  nullif(
    btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      title_fold(title),
      -- (feat. X), [with Y]: a bracket that starts by naming a guest
      '\s*[\(\[]\s*(feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]', '', 'g'),
      -- (Live at Wembley), [Remastered 2011], (Acoustic Version) ...
      '\s*[\(\[][^\)\]]*\m(live|remaster|remastered|version|edit|mix|remix|demo|mono|stereo|acoustic)\M[^\)\]]*[\)\]]', '', 'g'),
      -- " - Remastered 2011", " - Live", " - Radio Edit"
      '\s+-\s+.*\m(live|remaster|remastered|version|edit|mix|remix|demo|mono|stereo|single)\M.*$', ''),
      -- a trailing "feat. X" outside brackets
      '\s+(feat\.?|ft\.?|featuring)\s.*$', ''),
      '[[:punct:]]+', '', 'g'),
      '\s+', ' ', 'g')),
    ''),
  btrim(title_fold(title)));

-- True when PostgreSQL knows the IANA zone name (venues resolve show start instants with it).
CREATE OR REPLACE FUNCTION is_valid_timezone(zone text) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT
AS $$
BEGIN
  PERFORM now() AT TIME ZONE zone;
  RETURN zone !~ '^\s*$';
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END
$$;

-- Slugs appear in URLs where a UUID is also accepted, so a slug never looks like a UUID.
CREATE OR REPLACE FUNCTION is_valid_slug(slug text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN slug ~ '^[[:alnum:]]+(-[[:alnum:]]+)*$'
   AND slug = lower(slug)
   AND length(slug) <= 200
   AND slug !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

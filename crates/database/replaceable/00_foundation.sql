-- The foundation: what tables, stored columns, indexes and checks are built on. Applied before
-- the versioned migrations (and only when this file changes), with CREATE OR REPLACE, and never
-- dropped while a migration is applied. Stored values are computed with these functions: a
-- change to one comes with a versioned migration that recomputes what it feeds (for example
-- `UPDATE songs SET title = title` for song_title_key, REINDEX for search_key), which runs after
-- this file has been applied.

-- The extensions (uuid-ossp, postgis, pg_trgm, unaccent) are created before this file runs, by
-- `replaceable::apply_foundation`, in the schema `extensions` when it exists (Supabase keeps them
-- there, often installed already) and in `public` otherwise. Nothing below names their schema:
-- functions that call them find it at apply time or through `search_path`.

-- The migrating role owns every table, and the SECURITY DEFINER functions run as it. Tables force
-- row level security (95_privileges.sql), so that role must bypass it: a superuser, or a role with
-- BYPASSRLS as Supabase's `postgres` is.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles
                 WHERE rolname = current_user AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'the migrating role % must be a superuser or have BYPASSRLS', current_user
      USING HINT = 'as a superuser: ALTER ROLE ' || quote_ident(current_user) || ' BYPASSRLS';
  END IF;
END
$$;

-- Roles are cluster-wide, so they are created only when missing and never dropped by a down
-- migration (other databases on the same server may hold grants to them). Their attributes are
-- checked every time, so a hand-made role with too much power is brought back in line.
--   theset_api      the HTTP API: owns nothing, cannot bypass RLS, sees the caller through
--                   transaction-local request.jwt.claims (as Supabase's "authenticated").
--   theset_service  the worker and the CLI: owns nothing, bypasses RLS (as Supabase's
--                   "service_role").
-- Passwords are set by whoever deploys (ALTER ROLE ... PASSWORD); the dev cluster trusts loopback.
-- A migrating role that is no superuser (Supabase's `postgres`: CREATEROLE, BYPASSRLS) creates
-- them too; only where PostgreSQL reserves an attribute to superusers (BYPASSRLS before version 16
-- without Supabase's supautils) does it stop, with the statement a superuser must run once.
-- Databases on one server may run this at the same moment (tests do): a role is created unless
-- another session just did, and altered only when its attributes are wrong, since two sessions
-- updating the same pg_authid row fail with "tuple concurrently updated".
DO $$
DECLARE
  r record;
  wrong text;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('theset_api', false), ('theset_service', true)) AS t(name, bypass)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I LOGIN%s', r.name,
                       CASE WHEN r.bypass THEN ' BYPASSRLS' ELSE '' END);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION '% cannot create role % with BYPASSRLS', current_user, r.name
            USING HINT = format('as a superuser, once: CREATE ROLE %I LOGIN BYPASSRLS', r.name);
      END;
    END IF;
    -- Only the attributes that are wrong are named: a non-superuser may not even repeat
    -- NOSUPERUSER or NOREPLICATION.
    SELECT concat_ws(' ',
             CASE WHEN rolsuper THEN 'NOSUPERUSER' END,
             CASE WHEN rolcreatedb THEN 'NOCREATEDB' END,
             CASE WHEN rolcreaterole THEN 'NOCREATEROLE' END,
             CASE WHEN rolreplication THEN 'NOREPLICATION' END,
             CASE WHEN rolbypassrls <> r.bypass
                  THEN CASE WHEN r.bypass THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END END)
      INTO wrong FROM pg_roles WHERE rolname = r.name;
    IF wrong <> '' THEN
      BEGIN
        EXECUTE format('ALTER ROLE %I %s', r.name, wrong);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION '% cannot change role % to %', current_user, r.name, wrong
          USING HINT = format('as a superuser, once: ALTER ROLE %I %s', r.name, wrong);
      END;
    END IF;
  END LOOP;
END
$$;

-- Accent- and case-insensitive key for trigram search. unaccent() is only STABLE (its dictionary
-- could change), so indexes go through this IMMUTABLE wrapper that names the dictionary.
-- Index expressions must not depend on search_path: the function and the dictionary are named with
-- the schema unaccent lives in, found here.
DO $do$
DECLARE
  ext text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
BEGIN
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION search_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(%1$s.unaccent(%2$L::regdictionary, value))
$f$, ext, ext || '.unaccent');
END
$do$;

-- Song title keys fold Unicode compatibility forms as well as accents. NFKC applies the
-- compatibility mappings of NFKD (full-width letters, ligatures, circled and superscript digits,
-- half-width katakana, roman numerals) and recomposes, so unaccent then strips the diacritics of
-- every precomposed letter it knows (Latin, Greek, Vietnamese, ...) while letters that are
-- written with a mark in other scripts stay whole: Cyrillic й is not и, kana keep their voicing
-- marks, Hangul syllables stay syllables. Lower case follows the database's Unicode-aware ctype.
-- Nothing here is ASCII-only.
DO $do$
DECLARE
  ext text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
BEGIN
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION title_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(%1$s.unaccent(%2$L::regdictionary, normalize(value, NFKC)))
$f$, ext, ext || '.unaccent');
END
$do$;

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

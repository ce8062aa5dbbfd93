-- Session settings for the load and the helper functions (temporary, dropped by finish.sql).
SET LOCAL statement_timeout = 0;
SET LOCAL lock_timeout = 0;
SET LOCAL idle_in_transaction_session_timeout = 0;
-- Parallel plans add nothing at this size and would only make plans vary between runs.
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
SET LOCAL synchronous_commit = off;

-- A non-negative 63-bit hash of row `n` in stream `stream`.
CREATE FUNCTION pg_temp.seed_h(stream bigint, n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN hashint8extended(n, stream) & 9223372036854775807;

-- Uniform in the open interval (0, 1).
CREATE FUNCTION pg_temp.seed_u(stream bigint, n bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((hashint8extended(n, stream) & 9223372036854775807) >> 11)::double precision
       / 4503599627370496.0 + 1.0 / 9007199254740992.0;

-- Uniform in 0 .. m - 1.
CREATE FUNCTION pg_temp.seed_pick(stream bigint, n bigint, m bigint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((hashint8extended(n, stream) & 9223372036854775807) % greatest(m, 1))::integer;

-- An element of `words`.
CREATE FUNCTION pg_temp.seed_el(words text[], stream bigint, n bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN words[1 + ((hashint8extended(n, stream) & 9223372036854775807) % cardinality(words))::integer];

-- The id of row `n` of `kind`: stable across loads, so rows reference each other by formula.
CREATE FUNCTION pg_temp.seed_id(kind text, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN md5('theset-scale:' || kind || ':' || n)::uuid;

-- Eight hex digits, distinct for distinct n < 2^32 (an odd multiplier permutes 32-bit values).
CREATE FUNCTION pg_temp.seed_hex8(salt bigint, n bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lpad(to_hex((n * salt) % 4294967296), 8, '0');

-- A 22-character Spotify-style id.
CREATE FUNCTION pg_temp.seed_spotify(kind text, n bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN substr(translate(encode(decode(md5('spotify:' || kind || ':' || n), 'hex'), 'base64'), '+/=', 'AB'), 1, 22);

-- Lower-case ASCII words joined by hyphens (is_valid_slug), from any Latin-script name.
CREATE FUNCTION pg_temp.seed_slug(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(nullif(btrim(regexp_replace(replace(public.search_key(name), '&', ' and '),
                                            '[^a-z0-9]+', '-', 'g'), '-'), ''), 'x');

-- The part of `total` that falls below cumulative weight `cum` of `whole` (see the module docs).
CREATE FUNCTION pg_temp.seed_share(total bigint, cum numeric, whole numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(floor(total * cum / nullif(whole, 0)), 0)::bigint;

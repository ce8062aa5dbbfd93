-- Roles are cluster-wide and may hold grants in other databases: they stay.
DROP FUNCTION set_updated_at();
DROP FUNCTION current_user_id();
DROP FUNCTION is_valid_slug(text);
DROP FUNCTION is_valid_timezone(text);
DROP FUNCTION song_title_key(text);
DROP FUNCTION search_key(text);
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;
DROP EXTENSION IF EXISTS postgis;
DROP EXTENSION IF EXISTS "uuid-ossp";

DROP FUNCTION remove_setlist_song(uuid, uuid);
DROP FUNCTION add_setlist_song(uuid, uuid, text);
DROP FUNCTION show_details(uuid, text);
DROP INDEX idx_shows_status_starts_at;
DROP INDEX idx_artists_name_id;

ALTER TABLE search_words DROP COLUMN artist_names, DROP COLUMN song_titles, DROP COLUMN venue_names;
DROP TABLE search_names;

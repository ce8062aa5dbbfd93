-- The word-level search index (crates/database/replaceable/90_search.sql keeps it and reads it).

-- Every word ever indexed. Words whose last holder was renamed or deleted stay (they match no
-- term); search_index_rebuild() drops them.
CREATE TABLE search_words (
  word text PRIMARY KEY
);
CREATE INDEX idx_search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- kind: 'a' artist, 's' song, 'v' venue. entity_id is the row's id in that table.
CREATE TABLE search_terms (
  word text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('a', 's', 'v')),
  entity_id uuid NOT NULL,
  word_count smallint NOT NULL CHECK (word_count > 0),
  -- The name's words (search_words_stored), carried in the primary key's leaf pages so that
  -- candidates are scored without another lookup.
  words text[],
  -- Shortest names first: for a one-word query they are the best matches, so a search reads
  -- only the first few entries of each matching word.
  PRIMARY KEY (word, kind, word_count, entity_id) INCLUDE (words)
);
CREATE INDEX idx_search_terms_entity ON search_terms (entity_id) INCLUDE (word);

ALTER TABLE search_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_terms ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON search_words, search_terms TO theset_api;

-- Whole names typed out (issue 17): every name's words in one row, under a GIN index, so that a
-- search of several words finds the names holding all of them by intersecting posting lists,
-- instead of scoring up to 1,000 postings of its rarest word (which missed the typed title
-- itself when all of its words were common: 27 of 284 whole titles at scale 1).
-- Kept by search_index_put with search_terms (crates/database/replaceable/90_search.sql).
CREATE TABLE search_names (
  kind text NOT NULL CHECK (kind IN ('a', 's', 'v')),
  entity_id uuid NOT NULL,
  word_count smallint NOT NULL CHECK (word_count > 0),
  -- The name's distinct words, sorted (search_words_of).
  words text[] NOT NULL,
  PRIMARY KEY (entity_id, kind)
);
CREATE INDEX idx_search_names_words ON search_names USING gin (words);

INSERT INTO search_names (kind, entity_id, word_count, words)
SELECT kind, entity_id, min(word_count), array_agg(word ORDER BY word)
FROM search_terms
GROUP BY kind, entity_id;

ALTER TABLE search_names ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON search_names TO theset_api;

-- How many artist names, song titles and venue names hold each word, as of the last count
-- (search_words_count: the worker's statistics refresh and every rebuild). A search requires
-- the rarest of its words first; a stale count only makes it slower, never different.
ALTER TABLE search_words
  ADD COLUMN artist_names integer NOT NULL DEFAULT 0,
  ADD COLUMN song_titles integer NOT NULL DEFAULT 0,
  ADD COLUMN venue_names integer NOT NULL DEFAULT 0;

UPDATE search_words w
SET artist_names = c.a, song_titles = c.s, venue_names = c.v
FROM (
  SELECT word,
         count(*) FILTER (WHERE kind = 'a') AS a,
         count(*) FILTER (WHERE kind = 's') AS s,
         count(*) FILTER (WHERE kind = 'v') AS v
  FROM search_terms GROUP BY word
) c
WHERE w.word = c.word;

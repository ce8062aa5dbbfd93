-- Word-level search index: typo tolerance per word, candidates from an inverted index.
--
-- Trigram similarity over whole names finds tens of thousands of candidates for a common word
-- among 200,000 song titles and rechecks each on the heap. Here each name is split into its
-- distinct words (search_words_of); search_words is the small dictionary of every word seen,
-- matched to the query's words by trigram similarity (typos, accents, case), and search_terms
-- maps each word to the artists, songs and venues holding it, with their word count, so a
-- search reads a bounded number of index entries whatever the data size (search_hits).

-- The distinct words of a name, as search_key sees them: unaccented, lower case, split on
-- spaces and punctuation (any script: the classes follow the database's character types).
CREATE FUNCTION search_words_of(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(
  SELECT DISTINCT w
  FROM regexp_split_to_table(search_key(value), '[[:space:][:punct:]]+') AS w
  WHERE w <> ''
);

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
  -- Shortest names first: for a one-word query they are the best matches, so a search reads
  -- only the first few entries of each matching word.
  PRIMARY KEY (word, kind, word_count, entity_id)
);
CREATE INDEX idx_search_terms_entity ON search_terms (entity_id) INCLUDE (word);

CREATE FUNCTION search_index_put(k text, id uuid, name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  words text[] := coalesce(search_words_of(name), '{}');
BEGIN
  DELETE FROM search_terms WHERE entity_id = id AND kind = k;
  IF cardinality(words) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO search_words (word) SELECT unnest(words) ON CONFLICT DO NOTHING;
  INSERT INTO search_terms (word, kind, entity_id, word_count)
  SELECT w, k, id, least(cardinality(words), 32767) FROM unnest(words) AS w;
END $$;

-- Keeps the index in step with every writer. TG_ARGV: the kind and the indexed column.
CREATE FUNCTION search_index_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_terms WHERE entity_id = OLD.id AND kind = TG_ARGV[0];
    RETURN OLD;
  END IF;
  PERFORM search_index_put(TG_ARGV[0], NEW.id, to_jsonb(NEW) ->> TG_ARGV[1]);
  RETURN NEW;
END $$;

CREATE TRIGGER artists_search_index AFTER INSERT OR UPDATE OF name OR DELETE ON artists
  FOR EACH ROW EXECUTE FUNCTION search_index_sync('a', 'name');
CREATE TRIGGER songs_search_index AFTER INSERT OR UPDATE OF title OR DELETE ON songs
  FOR EACH ROW EXECUTE FUNCTION search_index_sync('s', 'title');
CREATE TRIGGER venues_search_index AFTER INSERT OR UPDATE OF name OR DELETE ON venues
  FOR EACH ROW EXECUTE FUNCTION search_index_sync('v', 'name');

-- Rebuilds the whole index: for bulk loads that run with triggers off (seed --scale).
CREATE FUNCTION search_index_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  TRUNCATE search_terms, search_words;
  -- search_words_of, set at a time (twice as fast as calling it per row).
  INSERT INTO search_terms (word, kind, entity_id, word_count)
  SELECT w, kind, id, least(count(*) OVER (PARTITION BY id), 32767)
  FROM (
    SELECT DISTINCT e.kind, e.id, w
    FROM (
      SELECT 'a' AS kind, id, name FROM artists
      UNION ALL SELECT 's', id, title FROM songs
      UNION ALL SELECT 'v', id, name FROM venues
    ) e, regexp_split_to_table(search_key(e.name), '[[:space:][:punct:]]+') AS w
    WHERE w <> ''
  ) words;
  INSERT INTO search_words (word) SELECT DISTINCT word FROM search_terms;
END $$;
REVOKE EXECUTE ON FUNCTION search_index_put(text, uuid, text), search_index_rebuild() FROM PUBLIC;

-- The best `lim` entities of kind k for query q, by a word-level similarity:
-- each query word counts its best trigram similarity to a word of the name (0..1), and
-- score = matched / (query words + name words - matched), 1 for an exact match of all words.
-- One query word: the shortest names holding each matching dictionary word, `lim` per word.
-- Several: candidates hold a query word that is not common (under `cap` entries) or, when all
-- are common, the rarest one (its `cap` shortest names per matching dictionary word); they are
-- scored on all query words. Names holding only common words (the, of, love) are left out.
CREATE FUNCTION search_hits(q text, k text, lim integer, cap integer DEFAULT 1000)
RETURNS TABLE (entity_id uuid, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  qwords text[] := coalesce(search_words_of(q), '{}');
  nq integer := cardinality(qwords);
BEGIN
  IF nq = 0 OR lim < 1 THEN
    RETURN;
  ELSIF nq = 1 THEN
    RETURN QUERY
    SELECT c.entity_id, max(d.sim / (1 + c.word_count - d.sim))::real AS score
    FROM (
      SELECT d.word, similarity(d.word, qwords[1]) AS sim
      FROM search_words d WHERE d.word % qwords[1]
    ) d
    CROSS JOIN LATERAL (
      SELECT t.entity_id, t.word_count FROM search_terms t
      WHERE t.word = d.word AND t.kind = k
      ORDER BY t.word_count, t.entity_id LIMIT lim
    ) c
    GROUP BY c.entity_id
    ORDER BY score DESC, c.entity_id
    LIMIT lim;
  ELSE
    RETURN QUERY
    WITH m AS MATERIALIZED (
      SELECT qw AS qword, d.word, similarity(d.word, qw) AS sim
      FROM unnest(qwords) AS qw JOIN search_words d ON d.word % qw
    ),
    frequency AS (
      SELECT m.qword, sum(c.n) AS n
      FROM m CROSS JOIN LATERAL (
        SELECT count(*) AS n
        FROM (SELECT 1 FROM search_terms t WHERE t.word = m.word AND t.kind = k LIMIT cap) x
      ) c
      GROUP BY m.qword
    ),
    chosen AS (
      SELECT f.qword FROM frequency f WHERE f.n < cap
      UNION
      (SELECT f.qword FROM frequency f ORDER BY f.n, f.qword LIMIT 1)
    ),
    candidates AS (
      SELECT DISTINCT c.entity_id, c.word_count
      FROM m JOIN chosen USING (qword)
      CROSS JOIN LATERAL (
        SELECT t.entity_id, t.word_count FROM search_terms t
        WHERE t.word = m.word AND t.kind = k
        ORDER BY t.word_count, t.entity_id LIMIT cap
      ) c
    ),
    per_word AS (
      SELECT c.entity_id, c.word_count, m.qword, max(m.sim) AS sim
      FROM candidates c
      JOIN search_terms t ON t.entity_id = c.entity_id
      JOIN m ON m.word = t.word
      GROUP BY c.entity_id, c.word_count, m.qword
    )
    SELECT p.entity_id, (sum(p.sim) / (nq + p.word_count - sum(p.sim)))::real AS score
    FROM per_word p
    GROUP BY p.entity_id, p.word_count
    ORDER BY score DESC, p.entity_id
    LIMIT lim;
  END IF;
END $$;

SELECT search_index_rebuild();

ALTER TABLE search_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_terms ENABLE ROW LEVEL SECURITY;
CREATE POLICY search_words_read ON search_words FOR SELECT USING (true);
CREATE POLICY search_terms_read ON search_terms FOR SELECT USING (true);
GRANT SELECT ON search_words, search_terms TO theset_api;

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

CREATE FUNCTION search_index_put(k text, id uuid, name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
DECLARE
  words text[] := coalesce(search_words_of(name), '{}');
  stored text[] := search_words_stored(words);
BEGIN
  DELETE FROM search_terms WHERE entity_id = id AND kind = k;
  IF cardinality(words) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO search_words (word) SELECT unnest(words) ON CONFLICT DO NOTHING;
  INSERT INTO search_terms (word, kind, entity_id, word_count, words)
  SELECT w, k, id, least(cardinality(words), 32767), stored FROM unnest(words) AS w;
END $$;

-- Keeps the index in step with every writer. TG_ARGV: the kind and the indexed column.
CREATE FUNCTION search_index_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
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

CREATE FUNCTION search_index_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
  TRUNCATE search_terms, search_words;
  -- search_words_of, set at a time (twice as fast as calling it per row); each name's words
  -- gathered, and stored, once.
  INSERT INTO search_terms (word, kind, entity_id, word_count, words)
  SELECT w, n.kind, n.id, least(cardinality(n.words), 32767), n.stored
  FROM (
    SELECT kind, id, array_agg(w) AS words, search_words_stored(array_agg(w)) AS stored
    FROM (
      SELECT DISTINCT e.kind, e.id, w
      FROM (
        SELECT 'a' AS kind, id, name FROM artists
        UNION ALL SELECT 's', id, title FROM songs
        UNION ALL SELECT 'v', id, name FROM venues
      ) e, regexp_split_to_table(search_key(e.name), '[[:space:][:punct:]]+') AS w
      WHERE w <> ''
    ) words
    GROUP BY kind, id
  ) n, unnest(n.words) AS w;
  INSERT INTO search_words (word) SELECT DISTINCT word FROM search_terms;
END $$;

REVOKE EXECUTE ON FUNCTION search_index_put(text, uuid, text), search_index_rebuild() FROM PUBLIC;

-- Search in one pass over the dictionary, and names scored without a lookup per candidate.
--
-- search_hits ran once per kind, so each query word was matched against the dictionary three
-- times; and with several query words every candidate name (up to 1,000) was looked up again
-- by id to find its other words, most of a whole-title search's time. search_all matches the
-- dictionary once and ranks the three kinds; each posting now carries its name's words
-- (`words`, in the primary key's leaf entries, so candidates come with them from one index scan).

-- A name's distinct words, sorted (so the trigger and the rebuild store the same array), or
-- NULL when they are too long to sit in an index entry beside the key word (a B-tree entry holds
-- at most about 2,700 bytes); such a name's words are then read from its postings.
CREATE FUNCTION search_words_stored(words text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN octet_length(array_to_string(words, ' ')) <= 1000
            THEN ARRAY(SELECT w FROM unnest(words) AS w ORDER BY w) END;

-- The best `lim` artists ('a'), songs ('s') and venues ('v') for query q, each query word
-- matched to the dictionary once for all kinds. With several query words, all of them common,
-- candidates are `cap` in all, taken from the closest spellings first (then shortest names):
-- taking `cap` per matching spelling made a word with four close spellings cost four times as
-- much, and cutting it changed 2 of 900 result lists below their fifth entry (scale 1).
-- Two planner settings, each measured with pgbench at 32 connections (search p99 was the API's
-- slowest route): a small row estimate (ROWS; the default 1,000 made the caller hash-join whole
-- tables instead of looking each hit up by key, 2.7 times the searches/s), and the dictionary's
-- trigram index always taken (enable_seqscan = off; a sequential scan of search_words computes
-- every word's trigrams, 2 ms against 0.2 ms per lookup: 2.8 times the searches/s again).
CREATE FUNCTION search_all(q text, lim integer, cap integer DEFAULT 1000)
RETURNS TABLE (kind text, entity_id uuid, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 30
SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  qwords text[] := coalesce(search_words_of(q), '{}');
  nq integer := cardinality(qwords);
  m_qword text[];
  m_word text[];
  m_sim real[];
  k text;
BEGIN
  IF nq = 0 OR lim < 1 THEN
    RETURN;
  END IF;
  IF nq = 1 THEN
    -- The shortest names holding each matching dictionary word, `lim` per word and kind.
    RETURN QUERY
    WITH d AS MATERIALIZED (
      SELECT d.word, similarity(d.word, qwords[1]) AS sim
      FROM search_words d WHERE d.word % qwords[1]
    )
    SELECT kinds.kind, h.entity_id, h.hit_score
    FROM (VALUES ('a'), ('s'), ('v')) AS kinds(kind)
    CROSS JOIN LATERAL (
      SELECT c.entity_id, max(d.sim / (1 + c.word_count - d.sim))::real AS hit_score
      FROM d CROSS JOIN LATERAL (
        SELECT t.entity_id, t.word_count FROM search_terms t
        WHERE t.word = d.word AND t.kind = kinds.kind
        ORDER BY t.word_count, t.entity_id LIMIT lim
      ) c
      GROUP BY c.entity_id
      ORDER BY hit_score DESC, c.entity_id
      LIMIT lim
    ) h;
    RETURN;
  END IF;
  SELECT array_agg(qw), array_agg(d.word), array_agg(similarity(d.word, qw))
  INTO m_qword, m_word, m_sim
  FROM unnest(qwords) AS qw JOIN search_words d ON d.word % qw;
  IF m_word IS NULL THEN
    RETURN;
  END IF;
  FOREACH k IN ARRAY ARRAY['a', 's', 'v'] LOOP
    RETURN QUERY
    WITH m AS MATERIALIZED (
      SELECT * FROM unnest(m_qword, m_word, m_sim) AS m(qword, word, sim)
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
      SELECT DISTINCT x.entity_id, x.word_count, x.words
      FROM (
        SELECT c.entity_id, c.word_count, c.words
        FROM m JOIN chosen USING (qword)
        CROSS JOIN LATERAL (
          SELECT t.entity_id, t.word_count, t.words FROM search_terms t
          WHERE t.word = m.word AND t.kind = k
          ORDER BY t.word_count, t.entity_id LIMIT cap
        ) c
        ORDER BY m.sim DESC, c.word_count, c.entity_id
        LIMIT cap
      ) x
    ),
    per_word AS (
      SELECT c.entity_id, c.word_count, m.qword, max(m.sim) AS sim
      FROM candidates c
      CROSS JOIN LATERAL unnest(coalesce(c.words, ARRAY(
        SELECT t.word FROM search_terms t WHERE t.entity_id = c.entity_id AND t.kind = k
      ))) AS w(word)
      JOIN m ON m.word = w.word
      GROUP BY c.entity_id, c.word_count, m.qword
    )
    SELECT k, p.entity_id, (sum(p.sim) / (nq + p.word_count - sum(p.sim)))::real AS hit_score
    FROM per_word p
    GROUP BY p.entity_id, p.word_count
    ORDER BY hit_score DESC, p.entity_id
    LIMIT lim;
  END LOOP;
END $$;

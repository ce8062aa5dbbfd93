DROP FUNCTION search_all(text, integer, integer);

-- search_hits as migrations 000910 and 000920 left it.
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
      SELECT DISTINCT x.entity_id, x.word_count
      FROM (
        SELECT c.entity_id, c.word_count
        FROM m JOIN chosen USING (qword)
        CROSS JOIN LATERAL (
          SELECT t.entity_id, t.word_count FROM search_terms t
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
ALTER FUNCTION search_hits(text, text, integer, integer) ROWS 10 SET enable_seqscan = off;

-- The index functions as migration 000800 created them.
CREATE OR REPLACE FUNCTION search_index_put(k text, id uuid, name text) RETURNS void
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

CREATE OR REPLACE FUNCTION search_index_rebuild() RETURNS void
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

ALTER TABLE search_terms DROP CONSTRAINT search_terms_pkey,
  ADD PRIMARY KEY (word, kind, word_count, entity_id);
ALTER TABLE search_terms DROP COLUMN words;
DROP FUNCTION search_words_stored(text[]);

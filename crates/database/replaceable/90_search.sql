-- Word-level search index: typo tolerance per word, candidates from an inverted index.
--
-- Trigram similarity over whole names finds tens of thousands of candidates for a common word
-- among 200,000 song titles and rechecks each on the heap. Here each name is split into its
-- distinct words (search_words_of); search_words is the small dictionary of every word seen,
-- matched to the query's words by trigram similarity (typos, accents, case), and search_terms
-- maps each word to the artists, songs and venues holding it, with their word count, so a
-- search reads a bounded number of index entries whatever the data size (search_hits);
-- search_names holds each name's words in one row under a GIN index, for the names holding
-- every word of a query.

-- The distinct words of a name, sorted, as search_key sees them: unaccented, lower case, split
-- on spaces and punctuation (any script: the classes follow the database's character types).
CREATE FUNCTION search_words_of(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(
  SELECT DISTINCT w
  FROM regexp_split_to_table(search_key(value), '[[:space:][:punct:]]+') AS w
  WHERE w <> ''
  ORDER BY w
);

CREATE FUNCTION search_index_put(k text, id uuid, name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
DECLARE
  words text[] := coalesce(search_words_of(name), '{}');
  stored text[] := search_words_stored(words);
BEGIN
  DELETE FROM search_terms WHERE entity_id = id AND kind = k;
  DELETE FROM search_names WHERE entity_id = id AND kind = k;
  IF cardinality(words) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO search_words (word) SELECT unnest(words) ON CONFLICT DO NOTHING;
  INSERT INTO search_terms (word, kind, entity_id, word_count, words)
  SELECT w, k, id, least(cardinality(words), 32767), stored FROM unnest(words) AS w;
  INSERT INTO search_names (kind, entity_id, word_count, words)
  VALUES (k, id, least(cardinality(words), 32767), words);
END $$;

-- Keeps the index in step with every writer. TG_ARGV: the kind and the indexed column.
CREATE FUNCTION search_index_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_terms WHERE entity_id = OLD.id AND kind = TG_ARGV[0];
    DELETE FROM search_names WHERE entity_id = OLD.id AND kind = TG_ARGV[0];
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
  TRUNCATE search_terms, search_names, search_words;
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
  INSERT INTO search_names (kind, entity_id, word_count, words)
  SELECT kind, entity_id, min(word_count), array_agg(word ORDER BY word)
  FROM search_terms GROUP BY kind, entity_id;
  INSERT INTO search_words (word) SELECT DISTINCT word FROM search_terms;
  PERFORM search_words_count();
END $$;

-- Counts each dictionary word's names per kind (search_words' artist_names, song_titles,
-- venue_names), writing only the rows whose counts changed; the worker's statistics refresh
-- calls it (0.3 s at scale 1) as theset_service. Runs with the caller's rights: a role that may
-- not update search_words cannot run it. Returns the words recounted.
CREATE FUNCTION search_words_count() RETURNS integer
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp AS $$
DECLARE
  changed integer;
BEGIN
  UPDATE search_words w
  SET artist_names = coalesce(c.a, 0), song_titles = coalesce(c.s, 0), venue_names = coalesce(c.v, 0)
  FROM search_words d
  LEFT JOIN (
    SELECT t.word,
           count(*) FILTER (WHERE t.kind = 'a')::integer AS a,
           count(*) FILTER (WHERE t.kind = 's')::integer AS s,
           count(*) FILTER (WHERE t.kind = 'v')::integer AS v
    FROM search_terms t GROUP BY t.word
  ) c ON c.word = d.word
  WHERE w.word = d.word
    AND (w.artist_names, w.song_titles, w.venue_names)
        IS DISTINCT FROM (coalesce(c.a, 0), coalesce(c.s, 0), coalesce(c.v, 0));
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
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
-- matched to the dictionary once for all kinds.
-- One word: the shortest names holding each close spelling. Several words: the candidates are
-- (1) the names holding a spelling of each of the four rarest matched query words (by
-- search_words' counts), found by intersecting search_names' GIN posting lists, up to `cap` of
-- them; (2) the `lim` shortest names holding each spelling (the best names holding one word);
-- each scored on all query words (matched / (query words + name words - matched)). This finds
-- a title typed out whole even when all its words are common; before (taking up to `cap`
-- postings of the rarest word and scoring them all) it was 3 times slower at scale 1 and
-- missed 27 of 284 such titles.
-- Planner settings, each measured with pgbench at 32 connections: a small row estimate (ROWS;
-- the default 1,000 made the caller hash-join whole tables instead of looking each hit up by
-- key); the dictionary's trigram index always taken (enable_seqscan = off; a sequential scan of
-- search_words computes every word's trigrams); and generic plans (plan_cache_mode: planning
-- the several-word statement on every call was half its time).
CREATE FUNCTION search_all(q text, lim integer, cap integer DEFAULT 1000)
RETURNS TABLE (kind text, entity_id uuid, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 30
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  qwords text[] := coalesce(search_words_of(q), '{}');
  nq integer := cardinality(qwords);
  m_qword text[];
  m_word text[];
  m_sim real[];
  m_n integer[];
  s1 text[]; s2 text[]; s3 text[]; s4 text[];
  rarest record;
  i integer := 0;
BEGIN
  IF nq = 0 OR lim < 1 THEN
    RETURN;
  END IF;
  IF nq = 1 THEN
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
  SELECT array_agg(qw), array_agg(d.word), array_agg(similarity(d.word, qw)),
         array_agg(d.artist_names + d.song_titles + d.venue_names)
  INTO m_qword, m_word, m_sim, m_n
  FROM unnest(qwords) AS qw JOIN search_words d ON d.word % qw;
  IF m_word IS NULL THEN
    RETURN;
  END IF;
  -- The spellings of the (up to) four rarest matched query words: names holding all four.
  FOR rarest IN
    SELECT array_agg(m.word) AS spellings
    FROM unnest(m_qword, m_word, m_n) AS m(qword, word, n)
    GROUP BY m.qword ORDER BY sum(m.n), m.qword LIMIT 4
  LOOP
    i := i + 1;
    CASE i WHEN 1 THEN s1 := rarest.spellings; WHEN 2 THEN s2 := rarest.spellings;
           WHEN 3 THEN s3 := rarest.spellings; ELSE s4 := rarest.spellings; END CASE;
  END LOOP;
  s2 := coalesce(s2, s1); s3 := coalesce(s3, s1); s4 := coalesce(s4, s1);
  RETURN QUERY
  WITH m AS MATERIALIZED (
    SELECT * FROM unnest(m_qword, m_word, m_sim) AS m(qword, word, sim)
  ),
  candidates AS (
    (SELECT n.kind, n.entity_id, n.word_count, n.words FROM search_names n
     WHERE n.words && s1 AND n.words && s2 AND n.words && s3 AND n.words && s4
     LIMIT cap)
    UNION
    SELECT kinds.kind, c.entity_id, c.word_count, c.words
    FROM (VALUES ('a'), ('s'), ('v')) AS kinds(kind) CROSS JOIN m
    CROSS JOIN LATERAL (
      SELECT t.entity_id, t.word_count, t.words FROM search_terms t
      WHERE t.word = m.word AND t.kind = kinds.kind
      ORDER BY t.word_count, t.entity_id LIMIT lim
    ) c
  ),
  per_word AS (
    SELECT c.kind, c.entity_id, c.word_count, m.qword, max(m.sim) AS sim
    FROM candidates c
    CROSS JOIN LATERAL unnest(coalesce(c.words, (
      SELECT n.words FROM search_names n WHERE n.entity_id = c.entity_id AND n.kind = c.kind
    ))) AS w(word)
    JOIN m ON m.word = w.word
    GROUP BY c.kind, c.entity_id, c.word_count, m.qword
  ),
  scored AS (
    SELECT p.kind, p.entity_id, (sum(p.sim) / (nq + p.word_count - sum(p.sim)))::real AS hit_score
    FROM per_word p
    GROUP BY p.kind, p.entity_id, p.word_count
  )
  SELECT ranked.kind, ranked.entity_id, ranked.hit_score
  FROM (
    SELECT sc.*, row_number() OVER (PARTITION BY sc.kind ORDER BY sc.hit_score DESC, sc.entity_id) AS place
    FROM scored sc
  ) ranked
  WHERE ranked.place <= lim;
END $$;

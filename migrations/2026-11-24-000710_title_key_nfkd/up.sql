-- Song title keys fold Unicode compatibility forms as well as accents. NFKC applies the
-- compatibility mappings of NFKD (full-width letters, ligatures, circled and superscript digits,
-- half-width katakana, roman numerals) and recomposes, so unaccent then strips the diacritics of
-- every precomposed letter it knows (Latin, Greek, Vietnamese, ...) while letters that are
-- written with a mark in other scripts stay whole: Cyrillic й is not и, kana keep their voicing
-- marks, Hangul syllables stay syllables. Lower case follows the database's Unicode-aware ctype.
-- Nothing here is ASCII-only.
CREATE FUNCTION title_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, normalize(value, NFKC)));

CREATE OR REPLACE FUNCTION song_title_key(title text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce(
  nullif(
    btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      title_fold(title),
      -- (feat. X), [with Y]: a bracket that starts by naming a guest
      '\s*[\(\[]\s*(feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]', '', 'g'),
      -- (Live at Wembley), [Remastered 2011], (Acoustic Version) ...
      '\s*[\(\[][^\)\]]*\m(live|remaster|remastered|version|edit|mix|remix|demo|mono|stereo|acoustic)\M[^\)\]]*[\)\]]', '', 'g'),
      -- " - Remastered 2011", " - Live", " - Radio Edit"
      '\s+-\s+.*\m(live|remaster|remastered|version|edit|mix|remix|demo|mono|stereo|single)\M.*$', ''),
      -- a trailing "feat. X" outside brackets
      '\s+(feat\.?|ft\.?|featuring)\s.*$', ''),
      '[[:punct:]]+', '', 'g'),
      '\s+', ' ', 'g')),
    ''),
  btrim(title_fold(title)));

-- Stored keys are computed on write: recompute them with the new function.
UPDATE songs SET title = title;

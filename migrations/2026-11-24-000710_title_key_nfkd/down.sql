CREATE OR REPLACE FUNCTION song_title_key(title text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN coalesce(
  nullif(
    btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      search_key(title),
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
  btrim(search_key(title)));

UPDATE songs SET title = title;
DROP FUNCTION title_fold(text);

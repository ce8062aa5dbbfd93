-- Users; the first two are admins and the next eight moderators.
INSERT INTO users (id, email, display_name, avatar_url, spotify_id, role, email_verified, last_login_at,
                   preferences, created_at, updated_at)
WITH {words}
SELECT pg_temp.seed_id('user', n),
  -- Names carry no digits, so the number makes the address unique.
  replace(pg_temp.seed_slug(first), '-', '') || '.' || replace(pg_temp.seed_slug(last), '-', '') || n || '@theset.test',
  CASE WHEN style < 0.5 THEN first || ' ' || last
       WHEN style < 0.8 THEN first || ' ' || left(last, 1) || '.'
       ELSE lower(replace(pg_temp.seed_slug(first), '-', '')) || '_' || pg_temp.seed_pick(302, n, 1000) END,
  CASE WHEN pg_temp.seed_u(303, n) < 0.4 THEN 'https://avatars.theset.test/' || n || '.png' END,
  CASE WHEN pg_temp.seed_u(304, n) < 0.25 THEN 'sp' || pg_temp.seed_hex8(2654435761, n) END,
  CASE WHEN n <= 2 THEN 'admin' WHEN n <= 10 THEN 'moderator' ELSE 'user' END::user_role,
  CASE WHEN pg_temp.seed_u(305, n) < 0.85 THEN created + interval '2 hours' END,
  now() - pg_temp.seed_u(306, n) * interval '60 days',
  jsonb_build_object('theme', CASE WHEN pg_temp.seed_u(307, n) < 0.6 THEN 'dark' ELSE 'light' END,
                     'emailNotifications', pg_temp.seed_u(308, n) < 0.7),
  created, created
FROM w, generate_series(1, {users}) AS n,
LATERAL (SELECT pg_temp.seed_el(w.first_names, 300, n) AS first, pg_temp.seed_el(w.surnames, 301, n) AS last,
                pg_temp.seed_u(309, n) AS style,
                -- Everyone signed up before the votes of the last 60 days.
                now() - (61 + pg_temp.seed_u(310, n) * 670) * interval '1 day' AS created) AS p;

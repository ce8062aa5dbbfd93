-- The venues planned in seed_venue, with the details nothing else depends on.
INSERT INTO venues (id, name, slug, address, city, state, country, postal_code, latitude, longitude,
                    timezone, capacity, venue_type, website, image_url, amenities, created_at, updated_at)
SELECT id, name, slug, address, city, state, country, postal_code, latitude, longitude,
  timezone, capacity, venue_type,
  CASE WHEN pg_temp.seed_u(220, n) < 0.6 THEN 'https://' || slug || '.example.com' END,
  CASE WHEN pg_temp.seed_u(221, n) < 0.5 THEN 'https://images.theset.test/venues/' || slug || '.jpg' END,
  ARRAY(SELECT a FROM unnest(ARRAY['parking', 'bar', 'food', 'coat check', 'accessible seating', 'vip lounge'])
          WITH ORDINALITY AS x (a, i)
        WHERE pg_temp.seed_u(222, n * 8 + i) < 0.4 ORDER BY i),
  t, t
FROM seed_venue, LATERAL (SELECT now() - (30 + pg_temp.seed_u(223, n) * 1500) * interval '1 day' AS t) AS ts;

-- Fans' own predictions per show: on the shows of the last 59 days (the game's first two months,
-- as old as the votes) and on the upcoming shows not cancelled; heavy-tailed, so a few shows
-- draw thousands, more for popular artists, never more than there are users. Integer weights
-- share the totals out exactly.
CREATE TEMP TABLE seed_show_fans ON COMMIT DROP AS
WITH eligible AS (
  SELECT n, upcoming,
    1 + (100 * power(greatest(pg_temp.seed_u(540, n), 0.0001), -0.6) * (1 + popularity / 25.0))::bigint AS weight,
    CASE WHEN upcoming THEN {upcoming_predictions} ELSE {past_predictions} END AS total
  FROM seed_show
  WHERE status <> 'cancelled' AND (upcoming OR date >= current_date - 59)
),
shared AS (
  SELECT eligible.*,
    sum(weight) OVER (PARTITION BY upcoming ORDER BY n) AS cum,
    sum(weight) OVER (PARTITION BY upcoming) AS whole
  FROM eligible
)
SELECT n, upcoming,
  least({users}, pg_temp.seed_share(total, cum, whole) - pg_temp.seed_share(total, cum - weight, whole))::integer AS fans
FROM shared;

-- Votes per show (setlists.total_votes, shows.vote_count), then statistics on the planning
-- tables so the inserts that join them get good plans.
CREATE TEMP TABLE seed_show_votes ON COMMIT DROP AS
SELECT show_n AS n, sum(votes)::integer AS votes FROM seed_ss GROUP BY show_n;
ANALYZE seed_artist, seed_venue, seed_show, seed_ss, seed_show_votes;

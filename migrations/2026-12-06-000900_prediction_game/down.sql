DROP TABLE scores_pending;
DROP TABLE song_stats;
DROP TABLE fan_standings;
DROP TABLE prediction_scores;
DROP TYPE prediction_kind;
DROP INDEX idx_setlists_owner_id;
DROP INDEX setlists_one_prediction_per_fan;
ALTER TABLE setlists DROP CONSTRAINT setlists_owner_predicted, DROP COLUMN owner_id;

-- Rate limits shared by every API process (apps/api/src/rate_limit.rs): one fixed window per
-- bucket ('votes', 'edits', 'profile' per user; 'search', 'stream_opens' per client address) and
-- subject, counted by rate_limit_take() (replaceable/18_rate_limits.sql): `taken` so far in the
-- window, `granted` by the latest take. Unlogged: its commits wait for no WAL flush, and after a
-- crash every window simply starts again.
CREATE UNLOGGED TABLE rate_limits (
  bucket text NOT NULL,
  subject text NOT NULL,
  window_start timestamptz NOT NULL,
  taken integer NOT NULL,
  granted integer NOT NULL,
  PRIMARY KEY (bucket, subject)
);
ALTER TABLE rate_limits ENABLE ROW LEVEL SECURITY;

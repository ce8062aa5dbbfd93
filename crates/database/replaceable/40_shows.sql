-- show start instants ---------------------------------------------------------------------------
CREATE FUNCTION shows_resolve_starts_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.starts_at := (NEW.date + coalesce(NEW.start_time, time '00:00'))
    AT TIME ZONE coalesce((SELECT timezone FROM venues WHERE id = NEW.venue_id), 'UTC');
  RETURN NEW;
END
$$;

CREATE TRIGGER shows_starts_at BEFORE INSERT OR UPDATE OF date, start_time, venue_id, starts_at ON shows
  FOR EACH ROW EXECUTE FUNCTION shows_resolve_starts_at();

CREATE FUNCTION venues_timezone_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  -- Touching starts_at makes shows_resolve_starts_at recompute it with the new zone.
  UPDATE shows SET starts_at = starts_at WHERE venue_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER venues_timezone AFTER UPDATE OF timezone ON venues
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
  EXECUTE FUNCTION venues_timezone_changed();

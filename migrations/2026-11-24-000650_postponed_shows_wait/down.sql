CREATE OR REPLACE FUNCTION advance_show_statuses(as_of timestamptz DEFAULT now(),
                                                 ongoing_for interval DEFAULT interval '6 hours')
RETURNS TABLE (started integer, completed integer, locked integer)
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
  as_of := coalesce(as_of, now());
  ongoing_for := coalesce(ongoing_for, interval '6 hours');
  UPDATE shows SET status = 'completed'
  WHERE status IN ('upcoming', 'ongoing')
    AND starts_at <= as_of - ongoing_for
    AND (start_time IS NOT NULL OR starts_at <= as_of - ongoing_for - interval '24 hours');
  GET DIAGNOSTICS completed = ROW_COUNT;

  UPDATE shows SET status = 'ongoing'
  WHERE status = 'upcoming' AND starts_at <= as_of;
  GET DIAGNOSTICS started = ROW_COUNT;

  UPDATE setlists sl SET is_locked = true
  FROM shows sh
  WHERE sl.show_id = sh.id AND sl.type = 'predicted' AND NOT sl.is_locked AND sh.starts_at <= as_of;
  GET DIAGNOSTICS locked = ROW_COUNT;
  RETURN NEXT;
END
$$;

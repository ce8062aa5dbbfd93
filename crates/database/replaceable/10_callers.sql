-- The caller's user id, read the way Supabase's auth.uid() reads it: from the transaction-local
-- setting request.jwt.claims (or the older request.jwt.claim.sub). NULL when nobody is signed in.
CREATE FUNCTION current_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(
  nullif(current_setting('request.jwt.claim.sub', true), ''),
  nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
)::uuid;

-- Row Level Security and grants. Policies read the caller through current_user_id() (the
-- transaction-local request.jwt.claims, as Supabase does) and the caller's role from users, never
-- from a token. Written for PUBLIC so that they hold for theset_api here and for Supabase's
-- anon/authenticated roles alike; theset_service bypasses RLS like Supabase's service_role.

-- The caller's role, looked up in users. SECURITY DEFINER: the caller may not read users rows
-- other than their own, and the policies of users must not recurse into themselves.
CREATE FUNCTION current_user_role() RETURNS user_role
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp
RETURN (SELECT role FROM users WHERE id = current_user_id() AND deleted_at IS NULL);

CREATE FUNCTION current_user_is_staff() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp
RETURN coalesce(current_user_role() IN ('moderator', 'admin'), false);

-- May the caller change this setlist's contents? Moderators and admins always; otherwise only an
-- unlocked predicted setlist: a fan's own prediction by its owner alone; the show's crowd setlist
-- (no owner) by any signed-in fan adding songs, and (when `as_creator`: removing, reordering) by
-- the user who created it. Whether the show is still open is the triggers' call
-- (15_predictions.sql), for every writer.
CREATE FUNCTION can_edit_setlist(target uuid, as_creator boolean) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp
RETURN current_user_is_staff() OR EXISTS (
  SELECT 1 FROM setlists s
  WHERE s.id = target
    AND s.type = 'predicted'
    AND NOT s.is_locked
    AND current_user_id() IS NOT NULL
    AND (s.owner_id = current_user_id()
         OR (s.owner_id IS NULL AND (NOT as_creator OR s.created_by = current_user_id())))
);

-- Policies call these for whoever queries (PUBLIC has no SECURITY DEFINER function: 95_privileges.sql).
GRANT EXECUTE ON FUNCTION current_user_role(), current_user_is_staff(),
                          can_edit_setlist(uuid, boolean) TO theset_api, theset_service;

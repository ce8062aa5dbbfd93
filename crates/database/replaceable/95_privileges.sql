-- Privileges that must hold for every table and function, whoever created them: applied last,
-- after every migration (a migration that adds a table re-applies the replaceable schema).
--
-- 1. Tables force row level security: a connection as the owner is held to the policies too
--    (the owner, a superuser or BYPASSRLS role, still bypasses them; 00_foundation.sql checks).
-- 2. PUBLIC executes no SECURITY DEFINER function; each file grants its own to the roles that
--    call them (triggers need no grant).
-- 3. Supabase. Its default privileges give anon, authenticated and service_role every right on
--    what is created in public, and its Data API lets a signed-in user run SQL as authenticated
--    with their request.jwt.claims. Column grants to theset_api would protect nothing there, so
--    every right those roles hold on TheSet's tables, sequences and functions is taken back and
--    given again as TheSet's own roles have it: authenticated exactly what theset_api has (the
--    policies are written for PUBLIC, so they hold for both), anon only theset_api's reads
--    (SELECT, and functions that cannot write), service_role what theset_service has. Where the
--    roles do not exist (a plain PostgreSQL), this part does nothing. Only what the migrating
--    role owns is touched: TheSet's objects, not those of other apps in the same database.
--    Functions that take the caller's claims as an argument (cast_vote_as, ...) are not given:
--    through the Data API a fan could name anyone in them.
DO $$
DECLARE
  me oid := (SELECT oid FROM pg_roles WHERE rolname = current_user);
  t regclass;
  f regprocedure;
  m record;
  g record;
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relrowsecurity AND NOT c.relforcerowsecurity
  LOOP
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
  END LOOP;

  FOR f IN SELECT p.oid FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                               AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;

  FOR m IN SELECT role, model, reads_only
           FROM (VALUES ('authenticated', 'theset_api', false),
                        ('anon', 'theset_api', true),
                        ('service_role', 'theset_service', false)) AS v(role, model, reads_only)
           WHERE to_regrole(role) IS NOT NULL
  LOOP
    FOR g IN
      -- What the role holds now: table, sequence and column rights, and EXECUTE.
      SELECT format('REVOKE ALL ON %s %s FROM %I',
                    CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass,
                    m.role) AS statement
      FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = me
        AND (EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = to_regrole(m.role))
             OR EXISTS (SELECT 1 FROM pg_attribute att, aclexplode(att.attacl) a
                        WHERE att.attrelid = c.oid AND a.grantee = to_regrole(m.role)))
      UNION ALL
      SELECT format('REVOKE ALL ON FUNCTION %s FROM %I', p.oid::regprocedure, m.role)
      FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = me
        AND EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = to_regrole(m.role))
    LOOP
      EXECUTE g.statement;
    END LOOP;
    FOR g IN
      -- What the model holds, given again.
      SELECT format('GRANT %s ON %s %s TO %I', a.privilege_type,
                    CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass,
                    m.role) AS statement
      FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = me AND a.grantee = to_regrole(m.model)
        AND (NOT m.reads_only OR a.privilege_type = 'SELECT')
      UNION ALL
      SELECT format('GRANT %s (%I) ON TABLE %s TO %I', a.privilege_type, att.attname,
                    c.oid::regclass, m.role)
      FROM pg_class c
      JOIN pg_attribute att ON att.attrelid = c.oid, aclexplode(att.attacl) a
      WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = me AND a.grantee = to_regrole(m.model)
        AND (NOT m.reads_only OR a.privilege_type = 'SELECT')
      UNION ALL
      SELECT format('GRANT EXECUTE ON FUNCTION %s TO %I', p.oid::regprocedure, m.role)
      FROM pg_proc p, aclexplode(p.proacl) a
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = me AND a.grantee = to_regrole(m.model)
        AND (NOT m.reads_only OR p.provolatile <> 'v')
        -- A function taking the caller's claims speaks for whoever they name: the API's alone.
        AND NOT 'claims' = ANY (coalesce(p.proargnames, '{}'))
    LOOP
      EXECUTE g.statement;
    END LOOP;
  END LOOP;
END
$$;

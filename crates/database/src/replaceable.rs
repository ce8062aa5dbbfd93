//! The replaceable schema: every SQL function, trigger, policy and view, each defined once in
//! `crates/database/replaceable/*.sql` and applied again whenever its files change. Tables,
//! columns, indexes and data changes stay in the versioned migrations (`migrations/`).
//!
//! Two parts, recorded in `__theset_replaceable_schema` by the md5 of their text:
//! - the **foundation** (`00_foundation.sql`: extensions, roles, and the functions stored columns,
//!   indexes and checks are computed from) is applied before pending migrations with
//!   `CREATE OR REPLACE`, when it changed, and never dropped while a migration is applied;
//! - **the rest** is dropped and created again in one transaction after the migrations, when it
//!   changed or a migration ran: every policy, trigger and view in `public`, and every function
//!   there that neither an extension nor the foundation owns, goes; then each file runs in
//!   order. A function removed from the files is therefore gone from the database too, and a
//!   signature change needs no `DROP` by hand.
//!
//! Readers never see a half-applied schema: the swap is one transaction. A migration must not
//! call a replaceable function (on a new database they are created after the migrations).

use std::sync::OnceLock;

use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use diesel::result::QueryResult as Result;

/// The foundation, applied before the migrations.
const FOUNDATION: &str = include_str!("../replaceable/00_foundation.sql");

/// The rest, in the order it is applied (a SQL function's body is checked against what exists).
const FILES: &[(&str, &str)] = &[
    (
        "10_callers.sql",
        include_str!("../replaceable/10_callers.sql"),
    ),
    (
        "15_predictions.sql",
        include_str!("../replaceable/15_predictions.sql"),
    ),
    (
        "18_rate_limits.sql",
        include_str!("../replaceable/18_rate_limits.sql"),
    ),
    (
        "20_policies.sql",
        include_str!("../replaceable/20_policies.sql"),
    ),
    (
        "25_accounts.sql",
        include_str!("../replaceable/25_accounts.sql"),
    ),
    (
        "30_timestamps.sql",
        include_str!("../replaceable/30_timestamps.sql"),
    ),
    ("40_shows.sql", include_str!("../replaceable/40_shows.sql")),
    ("50_votes.sql", include_str!("../replaceable/50_votes.sql")),
    (
        "60_setlists.sql",
        include_str!("../replaceable/60_setlists.sql"),
    ),
    (
        "70_realtime.sql",
        include_str!("../replaceable/70_realtime.sql"),
    ),
    ("75_jobs.sql", include_str!("../replaceable/75_jobs.sql")),
    (
        "80_maintenance.sql",
        include_str!("../replaceable/80_maintenance.sql"),
    ),
    (
        "90_search.sql",
        include_str!("../replaceable/90_search.sql"),
    ),
    (
        "95_privileges.sql",
        include_str!("../replaceable/95_privileges.sql"),
    ),
];

const STATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS __theset_replaceable_schema (
  part text PRIMARY KEY,
  md5 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE __theset_replaceable_schema ENABLE ROW LEVEL SECURITY;";

/// Serialises appliers (two deploys at once): both wait, the second finds nothing to do.
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('theset replaceable schema'))";

#[derive(QueryableByName)]
struct Current {
    #[diesel(sql_type = Bool)]
    current: bool,
}

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    statement: String,
}

/// The parts of the schema, by name: what `__theset_replaceable_schema` records.
const FOUNDATION_PART: &str = "foundation";
const REST_PART: &str = "replaceable";

fn rest_text() -> String {
    FILES
        .iter()
        .map(|(_, sql)| *sql)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The functions the foundation defines (`CREATE OR REPLACE FUNCTION name(`): kept when the
/// rest is dropped.
fn foundation_functions() -> Vec<String> {
    FOUNDATION
        .lines()
        .filter_map(|line| line.strip_prefix("CREATE OR REPLACE FUNCTION "))
        .filter_map(|rest| rest.split('(').next())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// The extensions TheSet needs, in the order they are created. Where one is missing it is created
/// in the schema `extensions` when that exists (as on Supabase), else in `public`.
pub const EXTENSIONS: &[&str] = &["uuid-ossp", "postgis", "pg_trgm", "unaccent"];

/// Creates the missing extensions (an installed one stays where it is, whoever installed it).
async fn create_extensions(conn: &mut AsyncPgConnection) -> Result<()> {
    for extension in EXTENSIONS {
        // The names are this file's constants; a DO block takes no parameters.
        conn.batch_execute(&format!(
            "DO $$ BEGIN EXECUTE format('CREATE EXTENSION IF NOT EXISTS %I SCHEMA %I', '{extension}', \
               coalesce((SELECT nspname FROM pg_namespace WHERE nspname = 'extensions'), 'public')); \
             END $$"
        ))
        .await?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Digests {
    #[diesel(sql_type = Text)]
    foundation: String,
    #[diesel(sql_type = Text)]
    rest: String,
}

static DIGESTS: OnceLock<Digests> = OnceLock::new();

/// The md5 of each part as this build has it, asked of PostgreSQL once per process: the
/// readiness check reads the state often, and the files are about 50 KB.
async fn digests(conn: &mut AsyncPgConnection) -> Result<&'static Digests> {
    if let Some(digests) = DIGESTS.get() {
        return Ok(digests);
    }
    let digests: Digests = diesel::sql_query("SELECT md5($1) AS foundation, md5($2) AS rest")
        .bind::<Text, _>(FOUNDATION)
        .bind::<Text, _>(rest_text())
        .get_result(conn)
        .await?;
    Ok(DIGESTS.get_or_init(|| digests))
}

/// Whether `part` was last applied from the text whose md5 is `digest`.
async fn is_current(conn: &mut AsyncPgConnection, part: &str, digest: &str) -> Result<bool> {
    let row: Current = diesel::sql_query(
        "SELECT coalesce((SELECT md5 = $2 FROM __theset_replaceable_schema WHERE part = $1), \
         false) AS current",
    )
    .bind::<Text, _>(part)
    .bind::<Text, _>(digest)
    .get_result(conn)
    .await?;
    Ok(row.current)
}

async fn record(conn: &mut AsyncPgConnection, part: &str, digest: &str) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO __theset_replaceable_schema (part, md5) VALUES ($1, $2) \
         ON CONFLICT (part) DO UPDATE SET md5 = EXCLUDED.md5, applied_at = now()",
    )
    .bind::<Text, _>(part)
    .bind::<Text, _>(digest)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether both parts are applied as this build has them (read only; false on a database never
/// migrated). What `theset db check` and the API's readiness check read.
pub async fn is_up_to_date(conn: &mut AsyncPgConnection) -> Result<bool> {
    let present: Current = diesel::sql_query(
        "SELECT to_regclass('__theset_replaceable_schema') IS NOT NULL AS current",
    )
    .get_result(conn)
    .await?;
    if !present.current {
        return Ok(false);
    }
    let digests = digests(conn).await?;
    Ok(
        is_current(conn, FOUNDATION_PART, &digests.foundation).await?
            && is_current(conn, REST_PART, &digests.rest).await?,
    )
}

/// Applies the foundation when it changed (before the migrations).
pub async fn apply_foundation(conn: &mut AsyncPgConnection) -> Result<()> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::sql_query(LOCK).execute(conn).await?;
        conn.batch_execute(STATE_TABLE).await?;
        let digest = &digests(conn).await?.foundation;
        if is_current(conn, FOUNDATION_PART, digest).await? {
            return Ok(());
        }
        create_extensions(conn).await?;
        conn.batch_execute(FOUNDATION).await?;
        record(conn, FOUNDATION_PART, digest).await
    })
    .await
}

/// Drops the rest and creates it again from the files, in one transaction, when it changed or
/// `force` (migrations ran: tables they dropped took their triggers with them).
pub async fn apply(conn: &mut AsyncPgConnection, force: bool) -> Result<()> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::sql_query(LOCK).execute(conn).await?;
        conn.batch_execute(STATE_TABLE).await?;
        let digest = &digests(conn).await?.rest;
        if !force && is_current(conn, REST_PART, digest).await? {
            return Ok(());
        }
        drop_rest(conn).await?;
        for (_, sql) in FILES {
            conn.batch_execute(sql).await?;
        }
        record(conn, REST_PART, digest).await?;
        // The API and `theset db check` read the state (as diesel's table), nothing more.
        // This policy is the state table's own: drop_rest leaves it.
        conn.batch_execute(
            "REVOKE ALL ON __theset_replaceable_schema FROM PUBLIC, theset_service; \
             GRANT SELECT ON __theset_replaceable_schema TO theset_api, theset_service; \
             DROP POLICY IF EXISTS replaceable_schema_read ON __theset_replaceable_schema; \
             CREATE POLICY replaceable_schema_read ON __theset_replaceable_schema \
               FOR SELECT TO theset_api USING (true);",
        )
        .await
    })
    .await
}

/// Drops the rest (before migrations are reverted: the files describe the newest schema only).
pub async fn drop(conn: &mut AsyncPgConnection) -> Result<()> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::sql_query(LOCK).execute(conn).await?;
        conn.batch_execute(STATE_TABLE).await?;
        drop_rest(conn).await?;
        diesel::sql_query("DELETE FROM __theset_replaceable_schema WHERE part = $1")
            .bind::<Text, _>(REST_PART)
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// Drops the foundation and the state table (once every migration is reverted).
pub async fn drop_foundation(conn: &mut AsyncPgConnection) -> Result<()> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::sql_query(LOCK).execute(conn).await?;
        let functions: Vec<Statement> = diesel::sql_query(
            "SELECT format('DROP FUNCTION %s', p.oid::regprocedure) AS statement \
                 FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace \
                   AND p.proname = ANY ($1) ORDER BY p.oid DESC",
        )
        .bind::<Array<Text>, _>(foundation_functions())
        .load(conn)
        .await?;
        for f in functions {
            conn.batch_execute(&f.statement).await?;
        }
        // Only the extensions this role created: Supabase's were installed by the platform.
        for extension in EXTENSIONS.iter().rev() {
            conn.batch_execute(&format!(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = '{extension}' \
                   AND extowner = current_user::regrole) THEN DROP EXTENSION \"{extension}\"; \
                 END IF; END $$"
            ))
            .await?;
        }
        conn.batch_execute("DROP TABLE IF EXISTS __theset_replaceable_schema")
            .await
    })
    .await
}

/// Every policy, trigger and view in `public`, and every function there that neither an
/// extension nor the foundation owns; newest first, so a SQL function goes before those it
/// calls. No CASCADE: should a table, column or index depend on one, the drop fails and says
/// which (such a function belongs in the foundation).
async fn drop_rest(conn: &mut AsyncPgConnection) -> Result<()> {
    let statements: Vec<Statement> = diesel::sql_query(
        "SELECT statement FROM (
           SELECT 1 AS step, 0::oid AS o,
                  format('DROP POLICY %I ON %I.%I', policyname, schemaname, tablename) AS statement
           FROM pg_policies
           WHERE schemaname = 'public' AND tablename <> '__theset_replaceable_schema'
           UNION ALL
           SELECT 2, t.oid, format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass)
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
           UNION ALL
           SELECT 3, c.oid, format('DROP VIEW %s', c.oid::regclass)
           FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype = 'e')
           UNION ALL
           SELECT 4, p.oid, format('DROP FUNCTION %s', p.oid::regprocedure)
           FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.proname <> ALL ($1)
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                               AND d.objid = p.oid AND d.deptype = 'e')
         ) s ORDER BY step, o DESC",
    )
    .bind::<Array<Text>, _>(foundation_functions())
    .load(conn)
    .await?;
    for s in statements {
        conn.batch_execute(&s.statement).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_foundation_names_its_functions() {
        assert_eq!(
            foundation_functions(),
            [
                "search_key",
                "title_fold",
                "song_title_key",
                "is_valid_timezone",
                "is_valid_slug"
            ]
        );
    }

    #[test]
    fn every_file_is_listed_once_in_order() {
        let listed: Vec<&str> = FILES.iter().map(|(name, _)| *name).collect();
        let mut on_disk: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/replaceable"))
                .map(|dir| {
                    dir.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|name| name.ends_with(".sql") && name != "00_foundation.sql")
                        .collect()
                })
                .unwrap_or_default();
        on_disk.sort();
        assert_eq!(listed, on_disk);
    }
}

//! The SQL migrations in `migrations/`, embedded in the binary.
//!
//! diesel_migrations is synchronous; it runs on a blocking thread over diesel-async's
//! `AsyncConnectionWrapper` (which works on any tokio runtime, unlike `AsyncMigrationHarness`).
//! These functions are what the `migrate` binary and `theset migrate` run.
//!
//! Each migration is applied or reverted in its own transaction (diesel's rule), so a failed run
//! stops at a migration boundary with the failed one undone. Runs are not wrapped in one larger
//! transaction on purpose: a migration may need the previous one committed (a value added to an
//! enum cannot be used in the transaction that added it). `redo` is the exception: reverting and
//! re-applying one migration commit together, so a failing `up` leaves the schema as it was.

use diesel::Connection;
use diesel::migration::{MigrationSource, MigrationVersion};
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use serde::Serialize;

use crate::pool::DatabaseConfig;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationStatus {
    pub version: String,
    pub applied: bool,
    /// Embedded in this build (`false`: applied by a newer build).
    pub known: bool,
}

async fn with_harness<T: Send + 'static>(
    config: &DatabaseConfig,
    work: impl FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<T, BoxError>
    + Send
    + 'static,
) -> Result<T, BoxError> {
    // Migrations may rewrite large tables: no statement timeout for them.
    let mut config = config.clone();
    config.statement_timeout = None;
    let conn = config.connect().await?;
    tokio::task::spawn_blocking(move || {
        let mut wrapper = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        work(&mut wrapper)
    })
    .await?
}

fn versions(applied: Vec<MigrationVersion<'_>>) -> Vec<String> {
    applied.into_iter().map(|v| v.to_string()).collect()
}

/// Applies every pending migration, each in its own transaction; returns the versions applied.
pub async fn run_pending(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    with_harness(config, |conn| {
        Ok(versions(conn.run_pending_migrations(MIGRATIONS)?))
    })
    .await
}

/// Reverts the most recent migration; returns its version.
pub async fn revert_last(config: &DatabaseConfig) -> Result<String, BoxError> {
    with_harness(config, |conn| {
        Ok(conn.revert_last_migration(MIGRATIONS)?.to_string())
    })
    .await
}

/// Reverts every applied migration, newest first.
pub async fn revert_all(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    with_harness(config, |conn| {
        Ok(versions(conn.revert_all_migrations(MIGRATIONS)?))
    })
    .await
}

/// Reverts the most recent migration and applies it again, both in one transaction (when the
/// migration runs in a transaction at all); returns its version.
pub async fn redo(config: &DatabaseConfig) -> Result<String, BoxError> {
    with_harness(config, |conn| {
        let last = conn
            .applied_migrations()?
            .into_iter()
            .next()
            .ok_or("no migration is applied: nothing to redo")?;
        let known = MigrationSource::<Pg>::migrations(&MIGRATIONS)?;
        let migration = known
            .iter()
            .find(|m| m.name().version() == last)
            .ok_or_else(|| format!("the last applied migration {last} is unknown to this build"))?;
        let redo = |conn: &mut AsyncConnectionWrapper<AsyncPgConnection>| -> Result<(), BoxError> {
            conn.revert_migration(migration.as_ref())?;
            conn.run_migration(migration.as_ref())?;
            Ok(())
        };
        if migration.metadata().run_in_transaction() {
            conn.transaction(redo)?;
        } else {
            redo(conn)?;
        }
        Ok(last.to_string())
    })
    .await
}

/// Every migration known to this binary or applied to the database, oldest first, with whether
/// it is applied. Reads only (a never-migrated database lists every migration as pending).
pub async fn status(config: &DatabaseConfig) -> Result<Vec<MigrationStatus>, BoxError> {
    let mut conn = config.connect().await?;
    let state = state(&mut conn).await?;
    let entry = |applied: bool, known: bool| {
        move |version: String| MigrationStatus {
            version,
            applied,
            known,
        }
    };
    let mut all: Vec<MigrationStatus> = (state.applied.into_iter().map(entry(true, true)))
        .chain(state.pending.into_iter().map(entry(false, true)))
        .chain(state.unknown.into_iter().map(entry(true, false)))
        .collect();
    all.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(all)
}

/// How the database's applied migrations compare with the embedded ones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MigrationState {
    /// Applied, and known to this build; oldest first.
    pub applied: Vec<String>,
    /// Known to this build, not applied; oldest first.
    pub pending: Vec<String>,
    /// Applied, but unknown to this build (a newer build migrated the database); oldest first.
    pub unknown: Vec<String>,
}

/// Compares the migrations applied to the database `conn` is connected to with the embedded ones,
/// without writing anything (the API role may read diesel's table, nothing more). A database that
/// was never migrated has every migration pending.
pub async fn state(conn: &mut AsyncPgConnection) -> Result<MigrationState, BoxError> {
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Present {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        present: bool,
    }
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let table: Present = diesel::sql_query(
        "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present",
    )
    .get_result(conn)
    .await?;
    let applied: std::collections::BTreeSet<String> = if table.present {
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Applied>(conn)
            .await?
            .into_iter()
            .map(|a| a.version)
            .collect()
    } else {
        Default::default()
    };
    let known: std::collections::BTreeSet<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    Ok(MigrationState {
        applied: known.intersection(&applied).cloned().collect(),
        pending: known.difference(&applied).cloned().collect(),
        unknown: applied.difference(&known).cloned().collect(),
    })
}

/// Versions of the embedded migrations not applied to the database `conn` is connected to, read
/// without writing anything (the API role may read diesel's table, nothing more).
pub async fn pending(conn: &mut AsyncPgConnection) -> Result<Vec<String>, BoxError> {
    Ok(state(conn).await?.pending)
}

//! The SQL migrations in `migrations/`, embedded in the binary.
//!
//! diesel_migrations is synchronous; it runs on a blocking thread over diesel-async's
//! `AsyncConnectionWrapper` (which works on any tokio runtime, unlike `AsyncMigrationHarness`).
//! These functions are what the `migrate` binary and `theset migrate` run. Around the
//! versioned migrations they apply the replaceable schema (`crate::replaceable`): the foundation
//! before them, the functions, triggers, policies and views after them.
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
use crate::replaceable;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The advisory lock key held while the schema changes (`pg_advisory_lock`; advisory locks are
/// per database). A fixed constant, easy to look for in `pg_locks` (`locktype = 'advisory'`,
/// `classid = 0`, `objid = 1953719668`).
pub const MIGRATION_LOCK: i64 = 0x7473_6574;

/// The advisory lock of one schema change, on a connection of its own; released by
/// [`SchemaLock::release`], or with the session if the process dies.
struct SchemaLock {
    conn: AsyncPgConnection,
}

impl SchemaLock {
    /// Waits for any other migrator of this database to finish, then holds the lock.
    async fn acquire(config: &DatabaseConfig) -> Result<Self, BoxError> {
        use diesel_async::RunQueryDsl;
        let mut conn = connect(config).await?;
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(&mut conn)
            .await?;
        Ok(Self { conn })
    }

    /// Releases the lock (closing the connection would too; unlocking says so at once).
    async fn release(mut self) -> Result<(), BoxError> {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    /// Runs `work` under the lock, releasing it whatever the outcome.
    async fn around<T>(
        config: &DatabaseConfig,
        work: impl Future<Output = Result<T, BoxError>>,
    ) -> Result<T, BoxError> {
        let lock = Self::acquire(config).await?;
        let result = work.await;
        // An unlock that fails leaves the lock to the session's end, which is moments away.
        let released = lock.release().await;
        let value = result?;
        released?;
        Ok(value)
    }
}

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
    let conn = connect(config).await?;
    tokio::task::spawn_blocking(move || {
        let mut wrapper = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        work(&mut wrapper)
    })
    .await?
}

fn versions(applied: Vec<MigrationVersion<'_>>) -> Vec<String> {
    applied.into_iter().map(|v| v.to_string()).collect()
}

/// A connection for schema work: no statement timeout (migrations may rewrite large tables).
async fn connect(config: &DatabaseConfig) -> Result<AsyncPgConnection, BoxError> {
    let mut config = config.clone();
    config.statement_timeout = None;
    Ok(config.connect().await?)
}

/// Applies every pending migration, each in its own transaction, between the foundation and the
/// rest of the replaceable schema; returns the versions applied.
pub async fn run_pending(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    SchemaLock::around(config, run_pending_locked(config)).await
}

async fn run_pending_locked(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    let mut conn = connect(config).await?;
    replaceable::apply_foundation(&mut conn).await?;
    let applied = with_harness(config, |conn| {
        Ok(versions(conn.run_pending_migrations(MIGRATIONS)?))
    })
    .await?;
    replaceable::apply(&mut conn, !applied.is_empty()).await?;
    Ok(applied)
}

/// Reverts the most recent migration; returns its version. The replaceable schema describes the
/// newest migration only, so it is dropped first; `run_pending` creates it again.
pub async fn revert_last(config: &DatabaseConfig) -> Result<String, BoxError> {
    SchemaLock::around(config, revert_last_locked(config)).await
}

async fn revert_last_locked(config: &DatabaseConfig) -> Result<String, BoxError> {
    replaceable::drop(&mut connect(config).await?).await?;
    with_harness(config, |conn| {
        Ok(conn.revert_last_migration(MIGRATIONS)?.to_string())
    })
    .await
}

/// Reverts every applied migration, newest first, and then drops the foundation: the database
/// is left as it was before the first run.
pub async fn revert_all(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    SchemaLock::around(config, revert_all_locked(config)).await
}

async fn revert_all_locked(config: &DatabaseConfig) -> Result<Vec<String>, BoxError> {
    let mut conn = connect(config).await?;
    replaceable::drop(&mut conn).await?;
    let reverted = with_harness(config, |conn| {
        Ok(versions(conn.revert_all_migrations(MIGRATIONS)?))
    })
    .await?;
    replaceable::drop_foundation(&mut conn).await?;
    Ok(reverted)
}

/// Reverts the most recent migration and applies it again, both in one transaction (when the
/// migration runs in a transaction at all); returns its version.
pub async fn redo(config: &DatabaseConfig) -> Result<String, BoxError> {
    SchemaLock::around(config, redo_locked(config)).await
}

async fn redo_locked(config: &DatabaseConfig) -> Result<String, BoxError> {
    let mut schema = connect(config).await?;
    replaceable::drop(&mut schema).await?;
    let redone = with_harness(config, |conn| {
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
    .await?;
    replaceable::apply(&mut schema, true).await?;
    Ok(redone)
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
/// A database whose migrations are all applied but whose replaceable schema is not as this
/// build has it lists `replaceable schema`.
pub async fn pending(conn: &mut AsyncPgConnection) -> Result<Vec<String>, BoxError> {
    let mut pending = state(conn).await?.pending;
    if pending.is_empty() && !replaceable::is_up_to_date(conn).await? {
        pending.push("replaceable schema".to_owned());
    }
    Ok(pending)
}

//! The SQL migrations in `migrations/`, embedded in the binary.
//!
//! diesel_migrations is synchronous; it runs on a blocking thread over diesel-async's
//! `AsyncConnectionWrapper` (which works on any tokio runtime, unlike `AsyncMigrationHarness`).

use diesel::migration::MigrationVersion;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::pool::DatabaseConfig;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: String,
    pub applied: bool,
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

/// Every migration known to this binary, oldest first, with whether it is applied.
pub async fn status(config: &DatabaseConfig) -> Result<Vec<MigrationStatus>, BoxError> {
    with_harness(config, |conn| {
        let pending: Vec<String> = conn
            .pending_migrations(MIGRATIONS)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
        let mut all: Vec<MigrationStatus> = conn
            .applied_migrations()?
            .into_iter()
            .map(|v| MigrationStatus {
                version: v.to_string(),
                applied: true,
            })
            .chain(pending.into_iter().map(|version| MigrationStatus {
                version,
                applied: false,
            }))
            .collect();
        all.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(all)
    })
    .await
}

/// Versions of the embedded migrations not applied to the database `conn` is connected to, read
/// without writing anything (the API role may read diesel's table, nothing more).
pub async fn pending(conn: &mut AsyncPgConnection) -> Result<Vec<String>, BoxError> {
    use diesel::migration::MigrationSource;
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let applied: std::collections::HashSet<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Applied>(conn)
            .await?
            .into_iter()
            .map(|a| a.version)
            .collect();
    let known = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)?;
    Ok(known
        .iter()
        .map(|m| m.name().version().to_string())
        .filter(|v| !applied.contains(v))
        .collect())
}

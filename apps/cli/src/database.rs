//! The database a command works on: `--database-url` or `DATABASE_URL`, with the pool settings of
//! `DatabaseConfig::from_env` (timeouts). Nothing connects until a command has checked its
//! arguments.

use anyhow::{Context, anyhow};
use theset_database::{AsyncPgConnection, DatabaseConfig};

/// `Debug` shows the URL without its password (`theset_providers::redact::redact`).
pub struct Database {
    url: Option<String>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field(
                "url",
                &self.url.as_deref().map(theset_providers::redact::redact),
            )
            .finish()
    }
}

impl Database {
    pub fn new(url: Option<String>) -> Self {
        Self { url }
    }

    /// The parsed settings; fails (without connecting) when no URL was given or it is invalid.
    pub fn config(&self) -> anyhow::Result<DatabaseConfig> {
        let url = self
            .url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .ok_or_else(|| anyhow!("no database given: pass --database-url or set DATABASE_URL"))?;
        DatabaseConfig::from_url_and_env(url).map_err(|e| anyhow!("{e}"))
    }

    /// One connection (commands run one transaction or a few statements: no pool).
    pub async fn connect(&self) -> anyhow::Result<AsyncPgConnection> {
        let config = self.config()?;
        config
            .connect()
            .await
            .with_context(|| format!("connecting to {}", config.target()))
    }
}

#[cfg(test)]
mod tests {
    use super::Database;

    #[test]
    fn debug_hides_the_password() {
        let database = Database::new(Some("postgres://svc:s3cretPW@db.example/theset".to_owned()));
        let debug = format!("{database:?}");
        assert!(!debug.contains("s3cretPW"), "{debug}");
        assert!(
            debug.contains("svc:[redacted]@db.example/theset"),
            "{debug}"
        );
    }
}

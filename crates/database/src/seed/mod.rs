//! Loading data: the sample data in `seeds/` (`sample`) and the synthetic benchmark dataset
//! (`scale`). [`load_sample`] and [`load_scale`] are what the `seed` binary and `theset seed` run.

pub mod sample;
pub mod scale;

use std::path::Path;

use crate::pool::DatabaseConfig;
pub use crate::progress::{Progress, Silent};
use sample::{SampleData, SampleReport, SeedError};
use scale::{ScaleError, ScaleReport};

/// Reads and checks the sample data in `dir`, then (only if it is sound) connects and loads it in
/// one transaction. Idempotent; show dates are anchored on today.
pub async fn load_sample(config: &DatabaseConfig, dir: &Path) -> Result<SampleReport, SeedError> {
    let data = SampleData::read(dir)?;
    let mut conn = loading(config).connect().await?;
    data.apply(&mut conn, chrono::Utc::now().date_naive()).await
}

/// Checks `scale`, then connects and loads the benchmark dataset into an empty, migrated
/// database in one transaction (as a superuser: see [`scale`]).
pub async fn load_scale(
    config: &DatabaseConfig,
    scale: f64,
    progress: &dyn Progress,
) -> Result<ScaleReport, ScaleError> {
    scale::target_counts(scale)?;
    let mut conn = loading(config).connect().await?;
    scale::load(&mut conn, scale, progress).await
}

/// Loads run long statements by design: no statement timeout.
fn loading(config: &DatabaseConfig) -> DatabaseConfig {
    let mut config = config.clone();
    config.statement_timeout = None;
    config
}

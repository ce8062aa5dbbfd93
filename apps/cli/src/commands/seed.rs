//! `theset seed`: the sample data in `seeds/` or the synthetic benchmark dataset
//! (`theset_database::seed`, which the `seed` binary runs too).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::anyhow;
use clap::Args;
use theset_database::progress::Console;
use theset_database::seed::{self, scale};

use super::Outcome;
use crate::database::Database;
use crate::output;

#[derive(Debug, Args)]
pub struct Seed {
    /// Folder with users.json, artists.json, venues.json and shows.json (format: seeds/README.md).
    /// Loading it again updates the same rows.
    #[arg(long, default_value = "seeds", value_name = "DIR")]
    dir: PathBuf,
    /// Load the synthetic benchmark dataset at this scale instead (1 = 50,000 shows and
    /// 1,000,000 votes; at most 20), into an empty, migrated database, as a superuser.
    #[arg(long, value_name = "N", value_parser = parse_scale, conflicts_with = "dir")]
    scale: Option<f64>,
}

/// A scale the loader accepts, checked before anything connects.
fn parse_scale(text: &str) -> Result<f64, String> {
    let scale: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    scale::target_counts(scale).map_err(|e| e.to_string())?;
    Ok(scale)
}

impl Seed {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let config = database.config()?;
        let target = config.target();
        let line = match self.scale {
            Some(scale) => {
                let started = Instant::now();
                // Bars on a terminal, plain lines on stderr otherwise.
                let report = seed::load_scale(&config, scale, &Console::new())
                    .await
                    .map_err(|e| anyhow!("seeding {target} at scale {scale}: {e}"))?;
                format!(
                    "loaded the benchmark dataset at scale {scale} in {:.1} s: {report}\n",
                    started.elapsed().as_secs_f64()
                )
            }
            None => {
                let report = seed::load_sample(&config, &self.dir)
                    .await
                    .map_err(|e| anyhow!("seeding {target} from {}: {e}", self.dir.display()))?;
                format!(
                    "loaded the sample data from {}: {report}\n",
                    self.dir.display()
                )
            }
        };
        output::text(&line)?;
        Ok(Outcome::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_scale;

    #[test]
    fn scales_are_checked_before_connecting() {
        assert_eq!(parse_scale("0.5"), Ok(0.5));
        for bad in ["0", "-1", "21", "NaN", "inf", "lots"] {
            assert!(parse_scale(bad).is_err(), "{bad}");
        }
    }
}

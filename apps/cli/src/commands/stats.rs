//! `theset stats`: artist statistics (`ArtistStats::refresh`, which the worker's
//! `refresh_artist_stats` job runs).

use anyhow::{Context, bail};
use clap::Subcommand;
use diesel::OptionalExtension;
use theset_database::models::{Artist, ArtistStats};
use theset_database::{Key, check};

use super::Outcome;
use crate::database::Database;
use crate::output::{self, Activity};

#[derive(Debug, Subcommand)]
pub enum Stats {
    /// Recompute artist statistics (shows, setlists, average length, most played song) from
    /// shows and actual setlists. Idempotent: unchanged rows are not rewritten.
    Refresh {
        /// Only this artist (its slug or id); every artist otherwise.
        #[arg(long, value_name = "SLUG")]
        artist: Option<String>,
    },
}

impl Stats {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let Stats::Refresh { artist } = self;
        let mut conn = database.connect().await?;
        check::ensure_unrestricted(&mut conn, "artist_stats").await?;
        let only = match &artist {
            Some(key) => {
                let Some(found) = Artist::find_by_key(&mut conn, &Key::parse(key.trim()))
                    .await
                    .optional()
                    .with_context(|| format!("finding the artist {key}"))?
                else {
                    bail!("no artist has the slug or id {key}");
                };
                Some(found)
            }
            None => None,
        };
        let ids = only.as_ref().map(|a| vec![a.id]);
        let what = match &only {
            Some(a) => format!("statistics of {}", a.slug),
            None => "artist statistics".to_owned(),
        };
        let activity = Activity::start(&format!("refreshing {what}"));
        let written = ArtistStats::refresh(&mut conn, ids.as_deref(), None)
            .await
            .with_context(|| format!("refreshing {what}"))?;
        activity.finish();
        output::text(&format!(
            "refreshed {what}: {} written (unchanged ones kept)\n",
            output::counted(written, "row")
        ))?;
        Ok(Outcome::Done)
    }
}

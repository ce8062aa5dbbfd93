//! `theset trending`: trending scores (`Show::recompute_trending`, which the worker's
//! `recompute_trending` job runs).

use anyhow::Context;
use clap::Subcommand;
use theset_database::check;
use theset_database::models::Show;

use super::Outcome;
use crate::database::Database;
use crate::output::{self, Activity};

#[derive(Debug, Subcommand)]
pub enum Trending {
    /// Recompute every show's and artist's trending score from recent votes and views, as of
    /// now. Idempotent.
    Recompute,
}

impl Trending {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let Trending::Recompute = self;
        let mut conn = database.connect().await?;
        check::ensure_unrestricted(&mut conn, "shows").await?;
        let activity = Activity::start("recomputing trending scores");
        let changed = Show::recompute_trending(&mut conn, None)
            .await
            .context("recomputing trending scores")?;
        activity.finish();
        output::text(&format!(
            "recomputed trending scores: {} and {} changed\n",
            output::counted(changed.shows, "show"),
            output::counted(changed.artists, "artist")
        ))?;
        Ok(Outcome::Done)
    }
}

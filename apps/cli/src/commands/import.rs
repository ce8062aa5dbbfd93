//! `theset import`: runs an import now, in the foreground, through the library functions the
//! worker's import jobs run (`theset_imports`), with provider clients configured from the
//! environment as the worker configures them (`TICKETMASTER_API_KEY`, `SETLISTFM_API_KEY`,
//! `SPOTIFY_CLIENT_ID`/`SPOTIFY_CLIENT_SECRET`, and the `*_BASE_URL` settings).

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use std::sync::Arc;
use theset_database::{DbPool, check};
use theset_imports::{ArtistKey, SetlistImportOptions};

use theset_providers::config::Budget;
use theset_providers::{
    SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig, Ticketmaster, TicketmasterConfig,
};
use theset_tasks::budget::PgBudget;

use super::Outcome;
use crate::database::Database;
use crate::output::{self, Activity};

#[derive(Debug, Subcommand)]
pub enum Import {
    /// Import a Ticketmaster attraction (the artist) and its upcoming events (shows, venues and
    /// an empty predicted setlist per show). Needs TICKETMASTER_API_KEY.
    Shows {
        /// The Ticketmaster attraction id (K8vZ9171ob7).
        #[arg(long, value_name = "ID", value_parser = parse_id)]
        ticketmaster_attraction: String,
    },
    /// Import an artist's setlists from setlist.fm (shows and songs too), newest first, and
    /// score the predictions of the shows they land on. Needs SETLISTFM_API_KEY.
    Setlists {
        /// The artist's slug, or its MusicBrainz id (an artist not yet in the database is
        /// created from setlist.fm).
        #[arg(long, value_name = "SLUG|MBID", value_parser = parse_artist)]
        artist: ArtistKey,
        /// Only setlists on or after this date (YYYY-MM-DD, the venue's local date).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<NaiveDate>,
    },
    /// Enrich an artist from Spotify (images, genres, popularity) and import its catalog (albums,
    /// singles and top tracks, with ISRCs). The artist needs a Spotify id. Needs
    /// SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.
    Catalog {
        /// The artist's slug (or MusicBrainz id).
        #[arg(long, value_name = "SLUG", value_parser = parse_artist)]
        artist: ArtistKey,
    },
}

fn parse_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Err(format!("{text:?} is not a Ticketmaster id"))
    } else {
        Ok(id.to_owned())
    }
}

fn parse_artist(text: &str) -> Result<ArtistKey, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
        return Err(format!("{text:?} is not an artist slug or MusicBrainz id"));
    }
    trimmed.parse().map_err(|e| format!("{e}"))
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

/// A provider's client, or an error naming the missing setting.
fn settings<C>(provider: &str, settings: &[&str], built: Option<C>) -> anyhow::Result<C> {
    match built {
        Some(config) => Ok(config),
        None => {
            let missing: Vec<&str> = settings
                .iter()
                .copied()
                .filter(|name| std::env::var(name).map_or(true, |v| v.trim().is_empty()))
                .collect();
            let missing = if missing.is_empty() {
                settings.to_vec()
            } else {
                missing
            };
            let verb = if missing.len() == 1 { "is" } else { "are" };
            bail!(
                "{} {verb} not set: needed to import from {provider}",
                missing.join(" and ")
            )
        }
    }
}

/// The provider budget every worker shares (`provider_budgets`): an import from the CLI spends
/// from the same rate and daily quota.
fn budget(pool: &DbPool) -> Arc<dyn Budget> {
    Arc::new(PgBudget::new(pool.clone()))
}

/// The pool an import writes through, checked to see every row (owner or theset_service).
async fn pool(database: &Database) -> anyhow::Result<DbPool> {
    let config = database.config()?;
    let pool = config
        .build_pool()
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("connecting to {}", config.target()))?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("connecting to {}", config.target()))?;
    check::ensure_unrestricted(&mut conn, "shows").await?;
    Ok(pool)
}

impl Import {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        // Settings first: a missing key fails before anything connects.
        database.config()?;
        let line = match self {
            Import::Shows {
                ticketmaster_attraction: id,
            } => {
                let mut config = settings(
                    "Ticketmaster",
                    &["TICKETMASTER_API_KEY"],
                    TicketmasterConfig::from_env(),
                )?;
                let pool = pool(database).await?;
                config.http.budget = Some(budget(&pool));
                let client = Ticketmaster::new(&config)
                    .map_err(|e| anyhow!("configuring the Ticketmaster client: {e}"))?;
                let what = format!("Ticketmaster attraction {id}");
                let activity = Activity::start(&format!("importing {what}"));
                let report = theset_imports::import_attraction(&pool, &client, &id)
                    .await
                    .with_context(|| format!("importing {what}"))?;
                activity.finish();
                let mut line = format!(
                    "imported {what}: {}, {} written, {} created, {} skipped\n",
                    output::counted(report.events, "event"),
                    output::counted(report.shows, "show"),
                    output::counted(report.predicted_setlists_created, "predicted setlist"),
                    report.skipped.len()
                );
                for (event, reason) in &report.skipped {
                    line.push_str(&format!("  skipped event {event}: {reason}\n"));
                }
                line
            }
            Import::Setlists { artist, since } => {
                let mut config = settings(
                    "setlist.fm",
                    &["SETLISTFM_API_KEY"],
                    SetlistFmConfig::from_env(),
                )?;
                let pool = pool(database).await?;
                config.http.budget = Some(budget(&pool));
                let client = SetlistFm::new(&config)
                    .map_err(|e| anyhow!("configuring the setlist.fm client: {e}"))?;
                let options = SetlistImportOptions {
                    since,
                    ..SetlistImportOptions::default()
                };
                let what = format!("the setlists of {artist}");
                let activity = Activity::start(&format!("importing {what}"));
                let report =
                    theset_imports::import_artist_setlists(&pool, &client, &artist, &options)
                        .await
                        .with_context(|| format!("importing {what}"))?;
                activity.finish();
                format!(
                    "imported {what}: {} in {}: {} created, {} replaced, {} unchanged, \
                     {} skipped (not played yet); {} and {} created\n",
                    output::counted(report.setlists, "setlist"),
                    output::counted(report.pages, "page"),
                    report.created,
                    report.replaced,
                    report.unchanged,
                    report.skipped,
                    output::counted(report.shows_created, "show"),
                    output::counted(report.songs_created, "song"),
                )
            }
            Import::Catalog { artist } => {
                let mut config = settings(
                    "Spotify",
                    &["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"],
                    SpotifyConfig::from_env(),
                )?;
                let pool = pool(database).await?;
                config.http.budget = Some(budget(&pool));
                let client = Spotify::new(&config)
                    .map_err(|e| anyhow!("configuring the Spotify client: {e}"))?;
                let what = format!("the Spotify catalog of {artist}");
                let activity = Activity::start(&format!("importing {what}"));
                let report = theset_imports::import_catalog(&pool, &client, &artist)
                    .await
                    .with_context(|| format!("importing {what}"))?;
                activity.finish();
                let mut line = format!(
                    "imported {what}: artist {}, {}: {} created, {} updated\n",
                    if report.artist_enriched {
                        "enriched"
                    } else {
                        "unchanged"
                    },
                    output::counted(report.tracks, "track"),
                    report.songs_created,
                    report.songs_updated,
                );
                for endpoint in &report.skipped {
                    line.push_str(&format!("  skipped {endpoint}: forbidden by Spotify\n"));
                }
                line
            }
        };
        output::text(&line)?;
        Ok(Outcome::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked_before_connecting() {
        assert_eq!(parse_id(" K8vZ9171ob7 "), Ok("K8vZ9171ob7".to_owned()));
        assert!(parse_id("").is_err());
        assert!(parse_id("a/b").is_err());
        assert_eq!(
            parse_artist("Radiohead"),
            Ok(ArtistKey::Slug("radiohead".to_owned()))
        );
        assert!(matches!(
            parse_artist("a74b1b7f-71a5-4011-9441-d0b5e4122711"),
            Ok(ArtistKey::Mbid(_))
        ));
        assert!(parse_artist("two words").is_err());
        assert_eq!(
            parse_date("2024-05-01"),
            NaiveDate::from_ymd_opt(2024, 5, 1).ok_or_else(String::new)
        );
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2024-02-30").is_err());
    }
}

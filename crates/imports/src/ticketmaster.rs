//! Ticketmaster: an attraction's upcoming events become artists, venues, shows and line-ups.
//!
//! Rules:
//! - The attraction is the artist, keyed by its Ticketmaster id, with its MusicBrainz id (and
//!   its Spotify id when the link is an artist's). An artist found by MusicBrainz id gains the
//!   Ticketmaster id. Ids are filled in, never overwritten.
//! - Venues are keyed by Ticketmaster venue id; coordinates come from strings; the timezone is
//!   the venue's, else the event's, else UTC (logged).
//! - Shows are keyed by event id. `date` is `localDate`; `start_time` is `localTime` unless the
//!   time is not announced (`timeTBA`, `noSpecificTime`, `dateTBA`/`dateTBD`, or no `localTime`),
//!   in which case it stays empty and PostgreSQL starts the show (and locks predictions) at local
//!   midnight of that date: early rather than late. Events without a `localDate` or a venue are
//!   skipped (reported).
//! - Status: `canceled`/`cancelled` makes the show `cancelled`; an event back on sale makes a
//!   cancelled show `upcoming` again; `postponed` and `rescheduled` keep `upcoming` with the new
//!   date and time Ticketmaster gives (the start instant follows). The code itself is kept in
//!   `shows.ticketmaster_status`. Shows already `ongoing` or `completed` keep their status.
//! - The line-up is the event's attractions in billing order: the first is the headliner
//!   (`order_index` 0), then the support acts.
//! - A show without a predicted setlist gets one (seeded from the artist's history).
//! - Each event is written in its own transaction, and every write is an upsert that changes
//!   nothing when nothing changed: a re-run, or a run after an interrupted one, ends in the
//!   same rows.

use chrono::Utc;
use diesel_async::AsyncConnection;
use theset_database::ids::{ArtistId, ShowId, VenueId};
use theset_database::models::{
    Artist, Setlist, Show, ShowArtist, TicketmasterShow, TicketmasterVenue, Venue as VenueRow,
};
use theset_database::{AsyncPgConnection, DbPool};
use theset_providers::Ticketmaster;
use theset_providers::ticketmaster::{Attraction, Event, EventStatus, Venue};

use crate::error::{ImportError, Result};
use crate::slug::slug;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketmasterReport {
    pub artist_id: Option<ArtistId>,
    pub events: usize,
    /// Shows written (created or changed).
    pub shows: usize,
    pub predicted_setlists_created: usize,
    /// Events left out, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// Imports an attraction's upcoming events (from now on). Pages through every event, within
/// Ticketmaster's deep-paging limit. `pool` connects as `theset_service` or the owner.
pub async fn import_attraction(
    pool: &DbPool,
    client: &Ticketmaster,
    attraction_id: &str,
) -> Result<TicketmasterReport> {
    let attraction = client.attraction(attraction_id).await?;
    if attraction.name.is_none() {
        return Err(ImportError::Invalid(format!(
            "Ticketmaster attraction {attraction_id} has no name"
        )));
    }
    let events = client.upcoming_events(attraction_id, Utc::now()).await?;
    let mut conn = pool.get().await?;
    let artist = conn
        .transaction(async |conn| upsert_artist(conn, &attraction).await)
        .await?;
    let mut report = TicketmasterReport {
        artist_id: Some(artist),
        events: events.len(),
        ..TicketmasterReport::default()
    };
    for event in &events {
        if let Err(reason) = importable(event) {
            tracing::info!(event = %event.id, reason, "Ticketmaster event skipped");
            report.skipped.push((event.id.clone(), reason.to_owned()));
            continue;
        }
        let (changed, predicted) = conn
            .transaction(async |conn| import_event(conn, event, &attraction, artist).await)
            .await?;
        report.shows += usize::from(changed);
        report.predicted_setlists_created += usize::from(predicted);
    }
    Artist::mark_ticketmaster_synced(&mut conn, artist).await?;
    Ok(report)
}

fn importable(event: &Event) -> std::result::Result<(), &'static str> {
    if event.start().and_then(|s| s.local_date).is_none() {
        return Err("no local date");
    }
    if event.venues().is_empty() {
        return Err("no venue");
    }
    Ok(())
}

/// The artist for an attraction, created or completed (ids are filled, never overwritten).
async fn upsert_artist(conn: &mut AsyncPgConnection, attraction: &Attraction) -> Result<ArtistId> {
    let mbid = attraction.musicbrainz_id().map(str::to_lowercase);
    let spotify = attraction.spotify_artist_id();
    let name = attraction
        .name
        .clone()
        .unwrap_or_else(|| attraction.id.clone());
    let id = match Artist::find_for_ticketmaster(conn, &attraction.id, mbid.as_deref()).await? {
        Some(id) => id,
        None => {
            let slug = slug(conn, "artist", &[&name], &format!("tm:{}", attraction.id)).await?;
            Artist::create_for_ticketmaster(conn, &attraction.id, &name, &slug).await?
        }
    };
    Artist::fill_provider_ids(
        conn,
        id,
        &attraction.id,
        mbid.as_deref(),
        spotify.as_deref(),
    )
    .await?;
    Ok(id)
}

/// Writes one event; answers (show written or changed, predicted setlist created).
async fn import_event(
    conn: &mut AsyncPgConnection,
    event: &Event,
    tracked: &Attraction,
    tracked_artist: ArtistId,
) -> Result<(bool, bool)> {
    // The billing: every attraction as an artist, in order, each once.
    let mut lineup: Vec<ArtistId> = Vec::new();
    for attraction in event.attractions() {
        let artist = if attraction.id == tracked.id {
            tracked_artist
        } else if attraction.name.is_some() {
            upsert_artist(conn, attraction).await?
        } else {
            continue;
        };
        if !lineup.contains(&artist) {
            lineup.push(artist);
        }
    }
    if lineup.is_empty() {
        lineup.push(tracked_artist);
    }
    let headliner = lineup[0];

    let venue_data = &event.venues()[0];
    let zone = venue_data
        .timezone
        .clone()
        .or_else(|| event.dates.as_ref().and_then(|d| d.timezone.clone()));
    let venue = upsert_venue(conn, venue_data, zone.as_deref()).await?;
    let (show, changed) = upsert_show(conn, event, headliner, venue).await?;
    ShowArtist::replace_lineup(conn, show, &lineup).await?;
    let predicted = Setlist::ensure_predicted(conn, show, headliner).await?;
    Ok((changed, predicted.is_some()))
}

async fn upsert_venue(
    conn: &mut AsyncPgConnection,
    venue: &Venue,
    zone: Option<&str>,
) -> Result<VenueId> {
    let name = venue
        .name
        .clone()
        .unwrap_or_else(|| "Unnamed venue".to_owned());
    let city = venue.city.as_ref().and_then(|c| c.name.clone());
    let country = venue
        .country
        .as_ref()
        .and_then(|c| c.country_code.clone().or_else(|| c.name.clone()));
    let state = venue
        .state
        .as_ref()
        .and_then(|s| s.state_code.clone().or_else(|| s.name.clone()));
    let address = venue
        .address
        .as_ref()
        .and_then(|a| match (&a.line1, &a.line2) {
            (Some(one), Some(two)) => Some(format!("{one}, {two}")),
            (one, two) => one.clone().or_else(|| two.clone()),
        });
    let (lat, long) = venue.location.and_then(|l| l.lat_long()).unzip();
    if zone.is_none() {
        tracing::warn!(venue = %venue.id, "Ticketmaster venue without a timezone: UTC assumed");
    }
    let slug = slug(
        conn,
        "venue",
        &[&name, city.as_deref().unwrap_or("")],
        &format!("tm:{}", venue.id),
    )
    .await?;
    Ok(VenueRow::upsert_by_ticketmaster(
        conn,
        &TicketmasterVenue {
            ticketmaster_id: venue.id.clone(),
            name,
            slug,
            address,
            city,
            state,
            country,
            postal_code: venue.postal_code.clone(),
            latitude: lat,
            longitude: long,
            timezone: zone.map(str::to_owned),
        },
    )
    .await?)
}

async fn upsert_show(
    conn: &mut AsyncPgConnection,
    event: &Event,
    headliner: ArtistId,
    venue: VenueId,
) -> Result<(ShowId, bool)> {
    let start = event.start().cloned().unwrap_or_default();
    let date = start
        .local_date
        .ok_or_else(|| ImportError::Invalid(format!("event {} has no local date", event.id)))?;
    let status = event.status();
    let name = event.name.clone().unwrap_or_else(|| "Concert".to_owned());
    // Prices in whole units of the currency: the lowest rounded down, the highest up.
    let prices: Vec<_> = event
        .price_ranges
        .iter()
        .filter(|p| p.currency.as_deref().is_some_and(valid_currency))
        .collect();
    let currency = <[_]>::first(&prices).and_then(|p| p.currency.clone());
    let same_currency = prices.iter().filter(|p| p.currency == currency);
    let min = same_currency
        .clone()
        .filter_map(|p| p.min)
        .filter(|v| *v >= 0.0)
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.min(v)))
        });
    let max = same_currency
        .filter_map(|p| p.max.or(p.min))
        .filter(|v| *v >= 0.0)
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        });
    let min_price = min.and_then(|v| whole(v.floor()));
    let max_price = max.and_then(|v| whole(v.ceil())).max(min_price);
    let slug = slug(
        conn,
        "show",
        &[&name, &date.to_string()],
        &format!("tm:{}", event.id),
    )
    .await?;
    let written = Show::upsert_by_ticketmaster(
        conn,
        &TicketmasterShow {
            ticketmaster_id: event.id.clone(),
            ticketmaster_status: status.as_str().to_owned(),
            headliner,
            venue,
            name,
            slug,
            date,
            start_time: start.announced_time(),
            ticket_url: event.url.clone(),
            min_price,
            max_price,
            currency,
        },
    )
    .await?;
    if status == EventStatus::Postponed || status == EventStatus::Rescheduled {
        tracing::info!(event = %event.id, status = status.as_str(), %date, "Ticketmaster event moved");
    }
    Ok(written)
}

fn valid_currency(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

fn whole(value: f64) -> Option<i32> {
    // Checked to be a whole number in range first, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    if value.is_finite() && (0.0..=f64::from(i32::MAX)).contains(&value) {
        Some(value as i32)
    } else {
        None
    }
}

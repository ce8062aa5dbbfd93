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

use std::collections::HashSet;

use chrono::Utc;
use diesel::sql_types::{Date, Float8, Integer, Nullable, Text, Time, Uuid as SqlUuid};
use diesel::{OptionalExtension, sql_query};
use diesel_async::{AsyncConnection, RunQueryDsl};
use theset_database::ids::{ArtistId, ShowId, VenueId};
use theset_database::{AsyncPgConnection, DbPool};
use theset_providers::Ticketmaster;
use theset_providers::ticketmaster::{Attraction, Event, EventStatus, Venue};

use crate::error::{ImportError, Result};
use crate::sql::{IdRow, ensure_predicted_setlist, slug};

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
    sql_query("UPDATE artists SET ticketmaster_synced_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(artist.0)
        .execute(&mut conn)
        .await?;
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
    let existing: Option<IdRow> = sql_query(
        "SELECT id FROM artists WHERE ticketmaster_id = $1
         UNION ALL
         (SELECT id FROM artists WHERE mbid = $2 AND ticketmaster_id IS NULL LIMIT 1)
         LIMIT 1",
    )
    .bind::<Text, _>(&attraction.id)
    .bind::<Nullable<Text>, _>(&mbid)
    .get_result(conn)
    .await
    .optional()?;
    let id = match existing {
        Some(row) => row.id,
        None => {
            let slug = slug(conn, "artist", &[&name], &format!("tm:{}", attraction.id)).await?;
            let row: IdRow = sql_query(
                "INSERT INTO artists (name, slug, ticketmaster_id) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind::<Text, _>(&name)
            .bind::<Text, _>(&slug)
            .bind::<Text, _>(&attraction.id)
            .get_result(conn)
            .await?;
            row.id
        }
    };
    // Fill the ids the row lacks, unless another artist holds them already.
    sql_query(
        "UPDATE artists a SET
           ticketmaster_id = coalesce(a.ticketmaster_id, $2),
           mbid = coalesce(a.mbid, CASE WHEN NOT EXISTS (SELECT 1 FROM artists WHERE mbid = $3) THEN $3 END),
           spotify_id = coalesce(a.spotify_id, CASE WHEN NOT EXISTS (SELECT 1 FROM artists WHERE spotify_id = $4) THEN $4 END)
         WHERE a.id = $1
           AND (a.ticketmaster_id IS NULL
                OR (a.mbid IS NULL AND $3 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artists WHERE mbid = $3))
                OR (a.spotify_id IS NULL AND $4 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM artists WHERE spotify_id = $4)))",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&attraction.id)
    .bind::<Nullable<Text>, _>(&mbid)
    .bind::<Nullable<Text>, _>(&spotify)
    .execute(conn)
    .await?;
    Ok(ArtistId(id))
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
    sync_lineup(conn, show, &lineup).await?;
    let predicted = ensure_predicted_setlist(conn, show, headliner).await?;
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
    let row: IdRow = sql_query(
        "WITH input AS (
           SELECT $1::text AS name, $2::text AS slug, $3::text AS address,
                  coalesce($4::text, 'Unknown') AS city, $5::text AS state,
                  coalesce($6::text, 'Unknown') AS country, $7::text AS postal_code,
                  $8::float8 AS latitude, $9::float8 AS longitude,
                  CASE WHEN $10::text IS NOT NULL AND is_valid_timezone($10::text) THEN $10::text ELSE 'UTC' END AS timezone,
                  $11::text AS ticketmaster_id),
         up AS (
           INSERT INTO venues AS v (name, slug, address, city, state, country, postal_code,
                                    latitude, longitude, timezone, ticketmaster_id)
           SELECT * FROM input
           ON CONFLICT (ticketmaster_id) DO UPDATE SET
             name = EXCLUDED.name, address = EXCLUDED.address, city = EXCLUDED.city,
             state = EXCLUDED.state, country = EXCLUDED.country, postal_code = EXCLUDED.postal_code,
             latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, timezone = EXCLUDED.timezone
           WHERE (v.name, v.address, v.city, v.state, v.country, v.postal_code, v.latitude,
                  v.longitude, v.timezone)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.address, EXCLUDED.city, EXCLUDED.state,
                  EXCLUDED.country, EXCLUDED.postal_code, EXCLUDED.latitude, EXCLUDED.longitude,
                  EXCLUDED.timezone)
           RETURNING id)
         SELECT id FROM up
         UNION ALL SELECT id FROM venues WHERE ticketmaster_id = $11
         LIMIT 1",
    )
    .bind::<Text, _>(&name)
    .bind::<Text, _>(&slug)
    .bind::<Nullable<Text>, _>(&address)
    .bind::<Nullable<Text>, _>(&city)
    .bind::<Nullable<Text>, _>(&state)
    .bind::<Nullable<Text>, _>(&country)
    .bind::<Nullable<Text>, _>(&venue.postal_code)
    .bind::<Nullable<Float8>, _>(lat)
    .bind::<Nullable<Float8>, _>(long)
    .bind::<Nullable<Text>, _>(zone)
    .bind::<Text, _>(&venue.id)
    .get_result(conn)
    .await?;
    Ok(VenueId(row.id))
}

#[derive(Debug, diesel::QueryableByName)]
struct ShowRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    changed: bool,
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
    let row: ShowRow = sql_query(
        "WITH up AS (
           INSERT INTO shows AS s (headliner_artist_id, venue_id, name, slug, date, start_time,
                                   status, ticket_url, min_price, max_price, currency,
                                   ticketmaster_id, ticketmaster_status)
           VALUES ($1, $2, $3, $4, $5, $6,
                   CASE WHEN $7 = 'canceled' THEN 'cancelled' ELSE 'upcoming' END::show_status,
                   $8, $9, $10, coalesce($11, 'USD'), $12, $7)
           ON CONFLICT (ticketmaster_id) DO UPDATE SET
             headliner_artist_id = EXCLUDED.headliner_artist_id, venue_id = EXCLUDED.venue_id,
             name = EXCLUDED.name, date = EXCLUDED.date, start_time = EXCLUDED.start_time,
             ticket_url = EXCLUDED.ticket_url, min_price = EXCLUDED.min_price,
             max_price = EXCLUDED.max_price, currency = EXCLUDED.currency,
             ticketmaster_status = EXCLUDED.ticketmaster_status,
             status = CASE
               WHEN EXCLUDED.status = 'cancelled' AND s.status = 'upcoming' THEN 'cancelled'
               WHEN EXCLUDED.status = 'upcoming' AND s.status = 'cancelled' THEN 'upcoming'
               ELSE s.status END::show_status
           WHERE (s.headliner_artist_id, s.venue_id, s.name, s.date, s.start_time, s.ticket_url,
                  s.min_price, s.max_price, s.currency, s.ticketmaster_status)
             IS DISTINCT FROM (EXCLUDED.headliner_artist_id, EXCLUDED.venue_id, EXCLUDED.name,
                  EXCLUDED.date, EXCLUDED.start_time, EXCLUDED.ticket_url, EXCLUDED.min_price,
                  EXCLUDED.max_price, EXCLUDED.currency, EXCLUDED.ticketmaster_status)
             OR (EXCLUDED.status = 'cancelled' AND s.status = 'upcoming')
             OR (EXCLUDED.status = 'upcoming' AND s.status = 'cancelled')
           RETURNING id)
         SELECT id, true AS changed FROM up
         UNION ALL SELECT id, false AS changed FROM shows WHERE ticketmaster_id = $12
         LIMIT 1",
    )
    .bind::<SqlUuid, _>(headliner.0)
    .bind::<SqlUuid, _>(venue.0)
    .bind::<Text, _>(&name)
    .bind::<Text, _>(&slug)
    .bind::<Date, _>(date)
    .bind::<Nullable<Time>, _>(start.announced_time())
    .bind::<Text, _>(status.as_str())
    .bind::<Nullable<Text>, _>(&event.url)
    .bind::<Nullable<Integer>, _>(min_price)
    .bind::<Nullable<Integer>, _>(max_price)
    .bind::<Nullable<Text>, _>(&currency)
    .bind::<Text, _>(&event.id)
    .get_result(conn)
    .await?;
    if status == EventStatus::Postponed || status == EventStatus::Rescheduled {
        tracing::info!(event = %event.id, status = status.as_str(), %date, "Ticketmaster event moved");
    }
    Ok((ShowId(row.id), row.changed))
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

/// Makes the show's line-up exactly `lineup`, in order, touching only rows that change.
async fn sync_lineup(
    conn: &mut AsyncPgConnection,
    show: ShowId,
    lineup: &[ArtistId],
) -> Result<()> {
    let mut seen = HashSet::new();
    let ids: Vec<uuid::Uuid> = lineup
        .iter()
        .filter(|a| seen.insert(**a))
        .map(|a| a.0)
        .collect();
    // Positions may swap: check their uniqueness at commit.
    sql_query("SET CONSTRAINTS show_artists_show_order_key DEFERRED")
        .execute(conn)
        .await?;
    sql_query("DELETE FROM show_artists WHERE show_id = $1 AND artist_id <> ALL($2)")
        .bind::<SqlUuid, _>(show.0)
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
        .execute(conn)
        .await?;
    sql_query(
        "INSERT INTO show_artists AS sa (show_id, artist_id, order_index, is_headliner)
         SELECT $1, artist, (n - 1)::integer, n = 1
         FROM unnest($2::uuid[]) WITH ORDINALITY AS t (artist, n)
         ON CONFLICT (show_id, artist_id) DO UPDATE SET
           order_index = EXCLUDED.order_index, is_headliner = EXCLUDED.is_headliner
         WHERE (sa.order_index, sa.is_headliner)
           IS DISTINCT FROM (EXCLUDED.order_index, EXCLUDED.is_headliner)",
    )
    .bind::<SqlUuid, _>(show.0)
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
    .execute(conn)
    .await?;
    Ok(())
}

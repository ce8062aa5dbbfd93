//! Spotify (optional enrichment): artist images, genres, popularity and followers; catalog
//! tracks with their Spotify id, album, release date, duration and ISRC.
//!
//! Rules: every field is optional and only fills or refreshes what Spotify gives (nothing is
//! cleared because Spotify stopped sending it); an endpoint answering 403 is skipped with a log
//! line and the rest goes on. A track joins the catalog song with its Spotify id, else with its
//! ISRC, else with its normalised title (`song_title_key`), else becomes a new song. Albums are
//! read oldest first, so the original release names a song before remasters and compilations.
//! Ids already on a song are never replaced.

use std::collections::HashSet;

use diesel::sql_types::{Array, Date, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, sql_query};
use diesel_async::{AsyncConnection, RunQueryDsl};
use theset_database::ids::ArtistId;
use theset_database::models::Artist;
use theset_database::{AsyncPgConnection, DbPool};
use theset_providers::spotify::Track;
use theset_providers::{ErrorKind, ProviderError, Spotify};

use crate::ArtistKey;
use crate::error::{ImportError, Result};
use crate::sql::IdRow;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpotifyReport {
    pub artist_id: Option<ArtistId>,
    /// The artist row was enriched (images, genres, ...).
    pub artist_enriched: bool,
    pub tracks: usize,
    pub songs_created: usize,
    pub songs_updated: usize,
    /// Endpoints skipped after a 403.
    pub skipped: Vec<String>,
}

/// Enriches the artist (images, genres, popularity, followers). The artist needs a Spotify id.
pub async fn enrich_artist(
    pool: &DbPool,
    client: &Spotify,
    artist: &ArtistKey,
) -> Result<SpotifyReport> {
    let mut conn = pool.get().await?;
    let (row, spotify_id) = spotify_artist(&mut conn, artist).await?;
    let mut report = SpotifyReport {
        artist_id: Some(row.id),
        ..SpotifyReport::default()
    };
    enrich(&mut conn, client, &row, &spotify_id, &mut report).await?;
    Ok(report)
}

/// Enriches the artist, then imports its catalog: top tracks and every track of its albums and
/// singles, with ISRCs.
pub async fn import_catalog(
    pool: &DbPool,
    client: &Spotify,
    artist: &ArtistKey,
) -> Result<SpotifyReport> {
    let mut conn = pool.get().await?;
    let (row, spotify_id) = spotify_artist(&mut conn, artist).await?;
    let mut report = SpotifyReport {
        artist_id: Some(row.id),
        ..SpotifyReport::default()
    };
    enrich(&mut conn, client, &row, &spotify_id, &mut report).await?;

    let mut tracks: Vec<Track> = Vec::new();
    if let Some(mut albums) = skip_forbidden(
        client.artist_albums(&spotify_id).await,
        "artist albums",
        &mut report,
    )? {
        albums.sort_by_key(|a| (a.release_date(), a.id.clone()));
        for album in albums {
            let Some(album_id) = album.id.clone() else {
                continue;
            };
            let Some(listing) = skip_forbidden(
                client.album_tracks(&album_id).await,
                "album tracks",
                &mut report,
            )?
            else {
                continue;
            };
            let ids: Vec<String> = listing.iter().filter_map(|t| t.id.clone()).collect();
            // Full tracks carry the ISRC; without them the listing (plus its album) still helps.
            let full = match skip_forbidden(client.tracks(&ids).await, "tracks", &mut report)? {
                Some(full) => full,
                None => listing
                    .into_iter()
                    .map(|mut t| {
                        t.album = Some(album.clone());
                        t
                    })
                    .collect(),
            };
            tracks.extend(full);
        }
    }
    if let Some(top) = skip_forbidden(
        client.top_tracks(&spotify_id).await,
        "top tracks",
        &mut report,
    )? {
        tracks.extend(top);
    }

    let mut seen = HashSet::new();
    let tracks: Vec<Track> = tracks
        .into_iter()
        .filter(|t| {
            t.artists
                .iter()
                .any(|a| a.id.as_deref() == Some(spotify_id.as_str()))
        })
        .filter(|t| !t.name.trim().is_empty())
        .filter(|t| t.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
        .collect();
    report.tracks = tracks.len();
    let (created, updated) = conn
        .transaction(async |conn| {
            let mut created = 0;
            let mut updated = 0;
            for track in &tracks {
                match upsert_track(conn, &row, track).await? {
                    Write::Created => created += 1,
                    Write::Updated => updated += 1,
                    Write::Unchanged => {}
                }
            }
            Ok::<_, ImportError>((created, updated))
        })
        .await?;
    report.songs_created = created;
    report.songs_updated = updated;
    Ok(report)
}

async fn spotify_artist(conn: &mut AsyncPgConnection, key: &ArtistKey) -> Result<(Artist, String)> {
    let artist = key
        .find(conn)
        .await?
        .ok_or_else(|| ImportError::NotFound(key.to_string()))?;
    let spotify_id = artist
        .spotify_id
        .clone()
        .ok_or_else(|| ImportError::Invalid(format!("{key} has no Spotify id")))?;
    Ok((artist, spotify_id))
}

/// `Ok(None)` (and a log line) for a 403: that enrichment is skipped.
fn skip_forbidden<T>(
    result: std::result::Result<T, ProviderError>,
    what: &str,
    report: &mut SpotifyReport,
) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.kind() == ErrorKind::Forbidden => {
            tracing::warn!(endpoint = what, error = %e, "Spotify refused this endpoint (403): skipped");
            if !report.skipped.iter().any(|s| s == what) {
                report.skipped.push(what.to_owned());
            }
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

async fn enrich(
    conn: &mut AsyncPgConnection,
    client: &Spotify,
    artist: &Artist,
    spotify_id: &str,
    report: &mut SpotifyReport,
) -> Result<()> {
    let Some(data) = skip_forbidden(client.artist(spotify_id).await, "artist", report)? else {
        return Ok(());
    };
    let (large, small) = data.large_and_small_images();
    let genres: Vec<String> = data
        .genres
        .iter()
        .filter(|g| !g.trim().is_empty())
        .cloned()
        .collect();
    let changed = sql_query(
        "UPDATE artists a SET
           image_url = coalesce($2, a.image_url),
           small_image_url = coalesce($3, a.small_image_url),
           genres = CASE WHEN cardinality($4::text[]) > 0 THEN $4::text[] ELSE a.genres END,
           popularity = coalesce($5, a.popularity),
           followers = coalesce($6, a.followers),
           external_urls = CASE WHEN $7::text IS NULL THEN a.external_urls
                                ELSE a.external_urls || jsonb_build_object('spotify', $7::text) END,
           last_synced_at = now()
         WHERE a.id = $1",
    )
    .bind::<SqlUuid, _>(artist.id.0)
    .bind::<Nullable<Text>, _>(large.map(|i| i.url.clone()))
    .bind::<Nullable<Text>, _>(small.map(|i| i.url.clone()))
    .bind::<Array<Text>, _>(&genres)
    .bind::<Nullable<Integer>, _>(data.popularity.and_then(|p| i32::try_from(p).ok()))
    .bind::<Nullable<Integer>, _>(
        data.followers
            .and_then(|f| f.total)
            .and_then(|t| i32::try_from(t).ok()),
    )
    .bind::<Nullable<Text>, _>(data.external_urls.as_ref().and_then(|u| u.spotify.clone()))
    .execute(conn)
    .await?;
    report.artist_enriched = changed > 0;
    Ok(())
}

enum Write {
    Created,
    Updated,
    Unchanged,
}

/// ISO 3901: 12 letters and digits, upper case (Spotify sometimes sends hyphens or lower case).
fn isrc(track: &Track) -> Option<String> {
    let code: String = track
        .isrc()?
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 12 && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

async fn upsert_track(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    track: &Track,
) -> Result<Write> {
    let isrc = isrc(track);
    let album = track.album.as_ref();
    let duration = track
        .duration_ms
        .and_then(|d| i32::try_from(d).ok())
        .filter(|d| *d > 0);
    let popularity = track.popularity.and_then(|p| i32::try_from(p).ok());
    let title = track.name.trim();
    let target: Option<IdRow> = sql_query(
        "(SELECT id FROM songs WHERE $2::text IS NOT NULL AND spotify_id = $2)
         UNION ALL
         (SELECT id FROM songs WHERE $3::text IS NOT NULL AND artist_id = $1 AND isrc = $3 ORDER BY id LIMIT 1)
         UNION ALL
         (SELECT id FROM songs WHERE artist_id = $1 AND title_key = song_title_key($4))
         LIMIT 1",
    )
    .bind::<SqlUuid, _>(artist.id.0)
    .bind::<Nullable<Text>, _>(&track.id)
    .bind::<Nullable<Text>, _>(&isrc)
    .bind::<Text, _>(title)
    .get_result(conn)
    .await
    .optional()?;
    let binds = |query: diesel::query_builder::SqlQuery| {
        query
            .bind::<Nullable<Text>, _>(track.id.clone())
            .bind::<Nullable<Text>, _>(album.and_then(|a| a.name.clone()))
            .bind::<Nullable<Text>, _>(album.and_then(|a| a.image_url().map(str::to_owned)))
            .bind::<Nullable<Date>, _>(album.and_then(|a| a.release_date()))
            .bind::<Nullable<Integer>, _>(duration)
            .bind::<Nullable<Text>, _>(isrc.clone())
            .bind::<Nullable<Integer>, _>(popularity)
            .bind::<Nullable<Text>, _>(track.preview_url.clone())
            .bind::<Nullable<diesel::sql_types::Bool>, _>(track.explicit)
    };
    match target {
        Some(song) => {
            // Fill what is missing; refresh what changes over time (popularity, preview).
            let changed = binds(sql_query(
                "WITH next AS (
                   SELECT s.id,
                     coalesce(s.spotify_id, CASE WHEN NOT EXISTS (SELECT 1 FROM songs WHERE spotify_id = $1) THEN $1 END) AS spotify_id,
                     coalesce(s.album, $2) AS album, coalesce(s.album_art_url, $3) AS album_art_url,
                     coalesce(s.release_date, $4) AS release_date, coalesce(s.duration_ms, $5) AS duration_ms,
                     coalesce(s.isrc, $6) AS isrc, coalesce($7, s.popularity) AS popularity,
                     coalesce($8, s.preview_url) AS preview_url, coalesce($9, s.is_explicit) AS is_explicit
                   FROM songs s WHERE s.id = $10)
                 UPDATE songs s SET spotify_id = n.spotify_id, album = n.album,
                   album_art_url = n.album_art_url, release_date = n.release_date,
                   duration_ms = n.duration_ms, isrc = n.isrc, popularity = n.popularity,
                   preview_url = n.preview_url, is_explicit = n.is_explicit
                 FROM next n
                 WHERE s.id = n.id
                   AND (s.spotify_id, s.album, s.album_art_url, s.release_date, s.duration_ms, s.isrc,
                        s.popularity, s.preview_url, s.is_explicit)
                   IS DISTINCT FROM (n.spotify_id, n.album, n.album_art_url, n.release_date,
                        n.duration_ms, n.isrc, n.popularity, n.preview_url, n.is_explicit)",
            ))
            .bind::<SqlUuid, _>(song.id)
            .execute(conn)
            .await?;
            Ok(if changed > 0 {
                Write::Updated
            } else {
                Write::Unchanged
            })
        }
        None => {
            let created = binds(sql_query(
                "INSERT INTO songs (spotify_id, album, album_art_url, release_date, duration_ms, isrc,
                                    popularity, preview_url, is_explicit, artist_id, title, artist)
                 VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 0), $8, coalesce($9, false), $10, $11, $12)
                 ON CONFLICT DO NOTHING",
            ))
            .bind::<SqlUuid, _>(artist.id.0)
            .bind::<Text, _>(title)
            .bind::<Text, _>(&artist.name)
            .execute(conn)
            .await?;
            Ok(if created > 0 {
                Write::Created
            } else {
                Write::Unchanged
            })
        }
    }
}

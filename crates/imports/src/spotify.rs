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

use diesel_async::AsyncConnection;
use theset_database::ids::ArtistId;
use theset_database::models::{Artist, Song, SpotifyEnrichment, SpotifyTrack};
use theset_database::{AsyncPgConnection, DbPool};
use theset_providers::spotify::Track;
use theset_providers::{ErrorKind, ProviderError, Spotify};

use crate::ArtistKey;
use crate::error::{ImportError, Result};

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
    let enrichment = SpotifyEnrichment {
        image_url: large.map(|i| i.url.clone()),
        small_image_url: small.map(|i| i.url.clone()),
        genres,
        popularity: data.popularity.and_then(|p| i32::try_from(p).ok()),
        followers: data
            .followers
            .and_then(|f| f.total)
            .and_then(|t| i32::try_from(t).ok()),
        spotify_url: data.external_urls.as_ref().and_then(|u| u.spotify.clone()),
    };
    let changed = Artist::enrich_from_spotify(conn, artist.id, &enrichment).await?;
    report.artist_enriched = changed;
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
    let album = track.album.as_ref();
    let data = SpotifyTrack {
        spotify_id: track.id.clone(),
        album: album.and_then(|a| a.name.clone()),
        album_art_url: album.and_then(|a| a.image_url().map(str::to_owned)),
        release_date: album.and_then(|a| a.release_date()),
        duration_ms: track
            .duration_ms
            .and_then(|d| i32::try_from(d).ok())
            .filter(|d| *d > 0),
        isrc: isrc(track),
        popularity: track.popularity.and_then(|p| i32::try_from(p).ok()),
        preview_url: track.preview_url.clone(),
        is_explicit: track.explicit,
    };
    let title = track.name.trim();
    let written = match Song::find_for_track(conn, artist.id, title, &data).await? {
        // Fill what is missing; refresh what changes over time (popularity, preview).
        Some(song) => Song::fill_from_spotify(conn, song, &data)
            .await?
            .then_some(Write::Updated),
        None => Song::create_from_spotify(conn, artist.id, &artist.name, title, &data)
            .await?
            .then_some(Write::Created),
    };
    Ok(written.unwrap_or(Write::Unchanged))
}

//! setlist.fm: an artist's setlists become actual setlists of our shows.
//!
//! Rules:
//! - The artist is found by MusicBrainz id (created from the setlist's artist when it is not in
//!   the database yet). Setlists dated after today (UTC+14, the earliest date anywhere) are
//!   plans, not history: skipped.
//! - A setlist is keyed by its setlist.fm id (`setlists.imported_from = 'setlist.fm'`,
//!   `external_id`). Same `versionId` as stored: nothing is written. A new `versionId` (a
//!   correction at the source): the old actual setlist's songs are replaced, in one
//!   transaction with the re-scoring of the show's predictions.
//! - Show matching: a show already linked to the setlist (`shows.setlistfm_id`); else the
//!   artist's shows (headlined or on the bill) on the venue-local date +/- 1 day that hold no
//!   other setlist.fm setlist of this artist, disambiguated by venue: the same setlist.fm venue
//!   id, or a venue within 50 km of the setlist's city coordinates (setlist.fm gives the city's
//!   coordinates, not the venue's), or the same city name. A show whose venue is known and
//!   matches none of these is never taken. The exact date wins over +/- 1 day.
//! - No show matches: one is created from the setlist (status `completed`, venue from
//!   setlist.fm's, keyed by its id), so the history that predictions, statistics and the
//!   catalog are built from is complete. Its venue's timezone is that of the nearest known
//!   venue within 300 km (setlist.fm has no timezones), else UTC.
//! - Songs: every entry with a name, in playing order across sets; `set_name`, `encore`,
//!   `is_tape`, cover and guest artists and `info` are kept. Titles are matched on
//!   `song_title_key()` (compatibility forms, accents, case, "(Live)", "- Remastered 2011",
//!   "feat." clauses and punctuation folded; every script kept) against the catalog and the artist's aliases;
//!   unknown titles join the catalog. A reprise is a second entry of the same song.
//! - The attribution link (`url`) is stored in `setlists.source_url`.
//! - Each setlist is one transaction: an interrupted import keeps what it finished, and a
//!   re-run converges to the same rows.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use theset_database::enums::ShowStatus;
use theset_database::ids::{ArtistId, SetlistId, ShowId, SongId};
use theset_database::models::{
    ActualSetlistSource, Artist, ImportedSetlist, NewSetlistSong, NewShow, Setlist as SetlistRow,
    SetlistPlace, SetlistSong, SetlistfmVenue, Show, Song, Venue,
};
use theset_database::scoring;
use theset_database::{AsyncPgConnection, DbPool};
use theset_providers::SetlistFm;
use theset_providers::setlistfm::{Setlist, SetlistPage, SetlistSearch};

use crate::ArtistKey;
use crate::error::{ImportError, Result};
use crate::slug::slug;

/// `setlists.imported_from` of setlist.fm's setlists.
pub const SOURCE: &str = "setlist.fm";
/// A show within this distance of the setlist's city coordinates is at the same place.
pub const SAME_PLACE_KM: f64 = 50.0;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetlistImportOptions {
    /// Only setlists on or after this (venue-local) date.
    pub since: Option<NaiveDate>,
    /// Only setlists edited at the source on or after this instant (correction polling: the
    /// `lastUpdated` search).
    pub updated_since: Option<DateTime<Utc>>,
    /// Stop after this many pages (20 setlists each); `None`: every page.
    pub max_pages: Option<u32>,
}

/// What happened to one setlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetlistOutcome {
    /// A new actual setlist.
    Created {
        show: ShowId,
        setlist: SetlistId,
        show_created: bool,
    },
    /// The source was corrected (new `versionId`): songs replaced, show re-scored.
    Replaced { show: ShowId, setlist: SetlistId },
    /// Same `versionId` as stored: nothing written.
    Unchanged { setlist: SetlistId },
    /// A setlist dated in the future.
    SkippedFuture,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetlistReport {
    pub artist_id: Option<ArtistId>,
    pub pages: u32,
    pub setlists: usize,
    pub created: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub shows_created: usize,
    pub songs_created: usize,
    /// setlist_songs rows inserted.
    pub entries_written: usize,
    /// Rows inserted or updated in every table (setlists, songs, entries, shows, venues,
    /// scores): the benchmark's "rows written".
    pub rows_written: usize,
}

impl SetlistReport {
    fn count(&mut self, outcome: SetlistOutcome) {
        self.setlists += 1;
        match outcome {
            SetlistOutcome::Created { show_created, .. } => {
                self.created += 1;
                self.shows_created += usize::from(show_created);
            }
            SetlistOutcome::Replaced { .. } => self.replaced += 1,
            SetlistOutcome::Unchanged { .. } => self.unchanged += 1,
            SetlistOutcome::SkippedFuture => self.skipped += 1,
        }
    }
}

/// Imports an artist's setlists (newest first). With `updated_since`, only setlists edited
/// since then (the `lastUpdated` search). A complete run records its start in
/// `artists.setlistfm_synced_at`, the next correction poll's starting point.
pub async fn import_artist_setlists(
    pool: &DbPool,
    client: &SetlistFm,
    artist: &ArtistKey,
    options: &SetlistImportOptions,
) -> Result<SetlistReport> {
    let started = Utc::now();
    let mut conn = pool.get().await?;
    let mut known = artist.find(&mut conn).await?;
    let mbid = match (&known, artist) {
        (Some(a), _) => a.mbid.clone().ok_or_else(|| {
            ImportError::Invalid(format!(
                "{artist} has no MusicBrainz id: setlist.fm cannot be searched"
            ))
        })?,
        (None, ArtistKey::Mbid(mbid)) => mbid.clone(),
        (None, _) => return Err(ImportError::NotFound(artist.to_string())),
    };
    let mut report = SetlistReport {
        artist_id: known.as_ref().map(|a| a.id),
        ..SetlistReport::default()
    };
    let mut page_number = 1;
    let complete = loop {
        if options.max_pages.is_some_and(|max| report.pages >= max) {
            break false;
        }
        let page: SetlistPage = match options.updated_since {
            Some(since) => {
                let search = SetlistSearch {
                    artist_mbid: Some(mbid.clone()),
                    last_updated: Some(since),
                    ..SetlistSearch::default()
                };
                client.search_setlists(&search, page_number).await?
            }
            None => client.artist_setlists(&mbid, page_number).await?,
        };
        report.pages += 1;
        let mut older_than_wanted = false;
        for setlist in &page.setlist {
            if options
                .since
                .is_some_and(|since| setlist.event_date < since)
            {
                // The artist listing is newest first: the rest are older still.
                older_than_wanted = options.updated_since.is_none();
                continue;
            }
            if setlist
                .artist
                .mbid
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(&mbid))
            {
                continue;
            }
            let artist_row = match &known {
                Some(a) => a.clone(),
                None => {
                    let created = ensure_artist(&mut conn, &mbid, setlist).await?;
                    report.artist_id = Some(created.id);
                    known = Some(created.clone());
                    created
                }
            };
            let (outcome, rows) = import_one(&mut conn, &artist_row, setlist).await?;
            report.count(outcome);
            report.rows_written += rows.total;
            report.songs_created += rows.songs;
            report.entries_written += rows.entries;
        }
        if older_than_wanted || !page.has_more() || page.setlist.is_empty() {
            break true;
        }
        page_number += 1;
    };
    if let Some(artist) = known.as_ref().filter(|_| complete) {
        Artist::mark_setlistfm_synced(&mut conn, artist.id, started).await?;
    }
    Ok(report)
}

/// Correction polling: re-imports the artist's setlists edited since its last complete import
/// (an hour of overlap), or everything when it was never imported.
pub async fn poll_setlist_corrections(
    pool: &DbPool,
    client: &SetlistFm,
    artist: &ArtistKey,
) -> Result<SetlistReport> {
    let synced = {
        let mut conn = pool.get().await?;
        artist
            .find(&mut conn)
            .await?
            .and_then(|a| a.setlistfm_synced_at)
    };
    let options = SetlistImportOptions {
        updated_since: synced.map(|at| at - Duration::hours(1)),
        ..SetlistImportOptions::default()
    };
    import_artist_setlists(pool, client, artist, &options).await
}

/// Imports one setlist by its setlist.fm id (its artist is created when unknown).
pub async fn import_setlist(
    pool: &DbPool,
    client: &SetlistFm,
    setlist_id: &str,
) -> Result<SetlistOutcome> {
    let setlist = client.setlist(setlist_id).await?;
    let mbid = setlist
        .artist
        .mbid
        .clone()
        .ok_or_else(|| {
            ImportError::Invalid(format!("setlist {setlist_id} has no artist MusicBrainz id"))
        })?
        .to_lowercase();
    let mut conn = pool.get().await?;
    let artist = ensure_artist(&mut conn, &mbid, &setlist).await?;
    Ok(import_one(&mut conn, &artist, &setlist).await?.0)
}

async fn ensure_artist(
    conn: &mut AsyncPgConnection,
    mbid: &str,
    setlist: &Setlist,
) -> Result<Artist> {
    let name = setlist
        .artist
        .name
        .clone()
        .unwrap_or_else(|| mbid.to_owned());
    let slug = slug(conn, "artist", &[&name], &format!("mbid:{mbid}")).await?;
    Ok(Artist::upsert_by_mbid(conn, mbid, &name, &slug).await?)
}

#[derive(Debug, Default, Clone, Copy)]
struct Rows {
    total: usize,
    songs: usize,
    entries: usize,
}

async fn import_one(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    setlist: &Setlist,
) -> Result<(SetlistOutcome, Rows)> {
    // The earliest "today" on Earth is UTC+14.
    let latest_past = (Utc::now() + Duration::hours(14)).date_naive();
    if setlist.event_date > latest_past {
        return Ok((SetlistOutcome::SkippedFuture, Rows::default()));
    }
    let stored = SetlistRow::find_imported(conn, SOURCE, &setlist.id).await?;
    let same_version = stored
        .as_ref()
        .filter(|s| s.source_version_id.is_some() && s.source_version_id == setlist.version_id);
    if let Some(stored) = same_version {
        return Ok((
            SetlistOutcome::Unchanged { setlist: stored.id },
            Rows::default(),
        ));
    }
    let result = conn
        .transaction(async |conn| write_setlist(conn, artist, setlist, stored.as_ref()).await)
        .await?;
    Ok(result)
}

async fn write_setlist(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    setlist: &Setlist,
    stored: Option<&ImportedSetlist>,
) -> Result<(SetlistOutcome, Rows)> {
    let mut rows = Rows::default();
    let (show, show_created) = match stored {
        Some(stored) => (stored.show_id, false),
        None => match match_show(conn, artist.id, setlist).await? {
            Some(show) => (show, false),
            None => {
                let (show, written) = create_show(conn, artist, setlist).await?;
                rows.total += written;
                (show, true)
            }
        },
    };

    let source = ActualSetlistSource {
        imported_from: SOURCE.to_owned(),
        external_id: setlist.id.clone(),
        version_id: setlist.version_id.clone(),
        url: setlist.url.clone(),
    };
    let setlist_id =
        SetlistRow::replace_actual(conn, show, artist.id, &source, stored.map(|s| s.id)).await?;
    rows.total += 1;

    // The show remembers which setlist.fm setlist is its own (when no other show holds it).
    rows.total += Show::link_setlistfm(conn, show, &setlist.id).await?;

    let titles: Vec<String> = setlist
        .songs()
        .map(|(_, song)| song.name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    let (catalog, created) = resolve_songs(conn, artist, &titles).await?;
    rows.songs += created;
    rows.total += created;
    let mut entries = Vec::new();
    for (set, song) in setlist.songs() {
        let title = song.name.trim();
        let Some(song_id) = catalog.get(title) else {
            continue;
        };
        entries.push(NewSetlistSong {
            set_name: set.name.clone(),
            encore: set.encore.map(|e| i32::try_from(e).unwrap_or(i32::MAX)),
            is_tape: Some(song.tape),
            cover_artist_name: song.cover.as_ref().and_then(|c| c.name.clone()),
            cover_artist_mbid: song.cover.as_ref().and_then(|c| c.mbid.clone()),
            guest_artist_name: song.with.as_ref().and_then(|w| w.name.clone()),
            guest_artist_mbid: song.with.as_ref().and_then(|w| w.mbid.clone()),
            info: song.info.clone(),
            ..NewSetlistSong::new(
                setlist_id,
                *song_id,
                i32::try_from(entries.len() + 1).unwrap_or(i32::MAX),
            )
        });
    }
    rows.entries = SetlistSong::insert_all(conn, &entries).await?;
    rows.total += rows.entries;
    let scores = scoring::score_show(conn, show).await?;
    rows.total += scores.scores.len();
    let outcome = match stored {
        Some(_) => SetlistOutcome::Replaced {
            show,
            setlist: setlist_id,
        },
        None => SetlistOutcome::Created {
            show,
            setlist: setlist_id,
            show_created,
        },
    };
    Ok((outcome, rows))
}

/// Each title's catalog song (by normalised title, then by alias), adding unknown titles to the
/// catalog. One statement. Answers title -> song, and how many songs were created.
async fn resolve_songs(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    titles: &[String],
) -> Result<(HashMap<String, SongId>, usize)> {
    if titles.is_empty() {
        return Ok((HashMap::new(), 0));
    }
    let rows = Song::resolve_titles(conn, artist.id, &artist.name, titles).await?;
    let created = rows.iter().filter(|r| r.created).count();
    let found = rows
        .into_iter()
        .map(|r| (r.title, r.song))
        .collect::<HashMap<_, _>>();
    let missing = titles.iter().filter(|t| !found.contains_key(*t)).count();
    if missing > 0 {
        // Only a concurrent import adding the same song between our statements gets here.
        return Err(ImportError::Database(
            theset_database::Error::UniqueViolation {
                constraint: "idx_songs_artist_title_key".to_owned(),
            },
        ));
    }
    Ok((found, created))
}

/// The show this setlist belongs to, if one of ours matches (see the module rules).
async fn match_show(
    conn: &mut AsyncPgConnection,
    artist: ArtistId,
    setlist: &Setlist,
) -> Result<Option<ShowId>> {
    if let Some(linked) = Show::find_by_setlistfm_id(conn, &setlist.id).await? {
        return Ok(Some(linked));
    }
    let venue = setlist.venue.as_ref();
    let city = venue.and_then(|v| v.city.as_ref());
    let city_name = city.and_then(|c| c.name.clone());
    let coords = city.and_then(|c| c.coords).and_then(|c| c.lat_long());
    let place = SetlistPlace {
        setlistfm_venue_id: venue.and_then(|v| v.id.clone()),
        city: city_name.clone(),
        coordinates: coords,
    };
    let candidates = Show::setlistfm_candidates(
        conn,
        artist,
        setlist.event_date,
        &setlist.id,
        &place,
        SAME_PLACE_KM * 1000.0,
    )
    .await?;
    let setlist_has_place =
        venue.and_then(|v| v.id.as_ref()).is_some() || city_name.is_some() || coords.is_some();
    let best = candidates
        .iter()
        .filter_map(|c| {
            // 3: same venue; 2: same place; 1: nothing to compare; a known venue elsewhere: no.
            let strength = if c.same_venue_id {
                3
            } else if c.near || c.same_city {
                2
            } else if !c.has_venue || !setlist_has_place {
                1
            } else {
                return None;
            };
            Some((strength, -c.day_offset, c.id))
        })
        // Strongest venue evidence, then the exact date; ties keep the oldest show (first).
        .fold(None, |best: Option<(i32, i32, ShowId)>, c| match best {
            Some(b) if (b.0, b.1) >= (c.0, c.1) => Some(b),
            _ => Some(c),
        });
    Ok(best.map(|(_, _, id)| id))
}

/// A show (and its venue) made from the setlist, for history we had no show for. Answers the
/// show and the number of rows written.
async fn create_show(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    setlist: &Setlist,
) -> Result<(ShowId, usize)> {
    let mut written = 0;
    let venue = match setlist.venue.as_ref().filter(|v| v.id.is_some()) {
        Some(v) => {
            let venue_id = v.id.clone().unwrap_or_default();
            let name = v.name.clone().unwrap_or_else(|| "Unknown venue".to_owned());
            let city = v.city.as_ref();
            let city_name = city.and_then(|c| c.name.clone());
            let (lat, long) = city
                .and_then(|c| c.coords)
                .and_then(|c| c.lat_long())
                .unzip();
            let country = city
                .and_then(|c| c.country.as_ref())
                .and_then(|c| c.code.clone().or_else(|| c.name.clone()));
            let state = city.and_then(|c| c.state_code.clone().or_else(|| c.state.clone()));
            let slug = slug(
                conn,
                "venue",
                &[&name, city_name.as_deref().unwrap_or("")],
                &format!("sfm:{venue_id}"),
            )
            .await?;
            let (id, rows) = Venue::ensure_by_setlistfm(
                conn,
                &SetlistfmVenue {
                    setlistfm_id: venue_id,
                    name: name.clone(),
                    slug,
                    city: city_name,
                    state,
                    country,
                    latitude: lat,
                    longitude: long,
                },
            )
            .await?;
            written += rows;
            Some((id, name))
        }
        None => None,
    };
    let name = match &venue {
        Some((_, venue_name)) => format!("{} at {venue_name}", artist.name),
        None => artist.name.clone(),
    };
    let slug = slug(
        conn,
        "show",
        &[&artist.name, &setlist.event_date.to_string()],
        &format!("sfm:{}", setlist.id),
    )
    .await?;
    let new = NewShow {
        venue_id: venue.as_ref().map(|(id, _)| *id),
        status: Some(ShowStatus::Completed),
        setlistfm_id: Some(setlist.id.clone()),
        ..NewShow::new(artist.id, name, slug, setlist.event_date)
    };
    let show = Show::create_from_setlistfm(conn, &new).await?;
    Ok((show, written + 2))
}

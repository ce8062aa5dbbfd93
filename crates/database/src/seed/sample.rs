//! The sample data in `seeds/` (format: `seeds/README.md`), loaded by `seed`.
//!
//! Reading validates every file and every reference before anything is written; a problem is
//! reported with the file and the record it is in. Loading is one transaction of upserts keyed by
//! slug, email/id or external id, so running it again leaves the same rows, and a failure leaves
//! nothing. Show dates are offsets from the day the seed runs, so upcoming shows stay upcoming.
//!
//! The database refuses predictions and votes once a show has started, whoever writes. A past
//! show's predictions are therefore written as they were made, while it was upcoming: the show
//! is first put at a date still ahead (`PREDICTIONS_OPEN_DAYS`), its predictions and votes are
//! written, and then it moves to its real date and status, as a rescheduled show would. Every
//! show with an actual setlist is scored at the end (`scoring::score_show`), so the finished
//! show with fans' predictions has a leaderboard and the fans have standings.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, NaiveTime};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::enums::{SetlistType, ShowStatus, UserRole, VoteType};
use crate::ids::{ArtistId, SetlistId, ShowId, SongId, UserId, VenueId};
use crate::models::{NewSetlist, Setlist, Vote};
use crate::schema::{
    artists, setlist_songs, setlists, show_artists, shows, songs, user_profiles, users, venues,
};
use crate::scoring;

/// Where a past show stands while its predictions are written: far enough ahead that its start
/// has not passed in any time zone (local midnight of that day is later than now everywhere).
const PREDICTIONS_OPEN_DAYS: i64 = 2;
use crate::types::TextList;

/// A seed problem, naming the file and the record.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{file}: {message}")]
    File { file: PathBuf, message: String },
    #[error("{file}: {record}: {message}")]
    Record {
        file: PathBuf,
        record: String,
        message: String,
    },
    #[error("{context}: {source}")]
    Database {
        context: String,
        source: diesel::result::Error,
    },
    #[error("connecting to the database: {0}")]
    Connect(#[from] ConnectionError),
    #[error("scoring show {show:?}: {source}")]
    Scoring {
        show: String,
        source: crate::error::Error,
    },
}

impl From<diesel::result::Error> for SeedError {
    fn from(source: diesel::result::Error) -> Self {
        SeedError::Database {
            context: "loading the sample data".into(),
            source,
        }
    }
}

trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, SeedError>;
}

impl<T> Context<T> for QueryResult<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, SeedError> {
        self.map_err(|source| SeedError::Database {
            context: context(),
            source,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub role: UserRole,
    /// Has a public profile: named on leaderboards (others appear without name and avatar).
    #[serde(default)]
    pub public_profile: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSong {
    pub title: String,
    pub album: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub duration_ms: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedArtist {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub genres: Vec<String>,
    #[serde(default)]
    pub popularity: i32,
    #[serde(default)]
    pub followers: i32,
    #[serde(default)]
    pub verified: bool,
    pub bio: Option<String>,
    pub songs: Vec<SeedSong>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVenue {
    pub slug: String,
    pub name: String,
    pub address: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub country: String,
    pub postal_code: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub timezone: String,
    pub capacity: Option<i32>,
    pub venue_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVote {
    pub user: String,
    pub song: String,
    pub vote: VoteType,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPrediction {
    pub created_by: Option<String>,
    pub songs: Vec<String>,
    #[serde(default)]
    pub votes: Vec<SeedVote>,
}

/// A fan's own prediction of a show (one per fan and show).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFanPrediction {
    pub fan: String,
    pub songs: Vec<String>,
    /// 1-based position of the first song predicted for the encore; none when absent.
    pub encore_from: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPlayed {
    pub title: String,
    #[serde(default)]
    pub tape: bool,
    pub cover: Option<String>,
    pub with: Option<String>,
    pub info: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSet {
    pub name: Option<String>,
    #[serde(default)]
    pub encore: i32,
    pub songs: Vec<SeedPlayed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedActual {
    pub external_id: String,
    pub version_id: Option<String>,
    pub source_url: Option<String>,
    pub sets: Vec<SeedSet>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedShow {
    pub slug: String,
    pub name: String,
    pub headliner: String,
    pub venue: String,
    pub date_offset_days: i64,
    pub start_time: Option<String>,
    pub doors_time: Option<String>,
    pub status: Option<ShowStatus>,
    pub ticket_url: Option<String>,
    pub min_price: Option<i32>,
    pub max_price: Option<i32>,
    pub currency: Option<String>,
    #[serde(default)]
    pub support: Vec<String>,
    pub predicted: Option<SeedPrediction>,
    /// Fans' own predictions.
    #[serde(default)]
    pub predictions: Vec<SeedFanPrediction>,
    pub actual: Option<SeedActual>,
}

/// Everything in `seeds/`, read and cross-checked.
#[derive(Debug, Clone)]
pub struct SampleData {
    dir: PathBuf,
    pub users: Vec<SeedUser>,
    pub artists: Vec<SeedArtist>,
    pub venues: Vec<SeedVenue>,
    pub shows: Vec<SeedShow>,
}

/// What a load wrote (rows inserted or updated).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SampleReport {
    pub users: usize,
    pub artists: usize,
    pub songs: usize,
    pub venues: usize,
    pub shows: usize,
    pub setlists: usize,
    pub votes: usize,
    /// Fans' own predictions (counted in `setlists` too).
    pub predictions: usize,
    /// Predictions scored (fans', crowd setlists and the bot), over every show with an actual
    /// setlist.
    pub scores: usize,
}

impl std::fmt::Display for SampleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} artists, {} songs, {} venues, {} shows, {} setlists, {} votes, \
             {} fan predictions, {} scores",
            self.users,
            self.artists,
            self.songs,
            self.venues,
            self.shows,
            self.setlists,
            self.votes,
            self.predictions,
            self.scores
        )
    }
}

fn read_file<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, SeedError> {
    let text = std::fs::read_to_string(path).map_err(|e| SeedError::File {
        file: path.to_owned(),
        message: e.to_string(),
    })?;
    let mut json = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut json).map_err(|e| SeedError::File {
        file: path.to_owned(),
        message: format!("record {}: {}", e.path(), e.inner()),
    })
}

fn parse_time(value: &Option<String>) -> Result<Option<NaiveTime>, String> {
    value
        .as_deref()
        .map(|t| {
            NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| format!("time {t:?} is not HH:MM"))
        })
        .transpose()
}

impl SampleData {
    /// Reads and checks `dir/{users,artists,venues,shows}.json`.
    pub fn read(dir: &Path) -> Result<Self, SeedError> {
        let data = SampleData {
            dir: dir.to_owned(),
            users: read_file(&dir.join("users.json"))?,
            artists: read_file(&dir.join("artists.json"))?,
            venues: read_file(&dir.join("venues.json"))?,
            shows: read_file(&dir.join("shows.json"))?,
        };
        data.check()?;
        Ok(data)
    }

    fn record_error(&self, file: &str, record: String, message: impl Into<String>) -> SeedError {
        SeedError::Record {
            file: self.dir.join(file),
            record,
            message: message.into(),
        }
    }

    fn check(&self) -> Result<(), SeedError> {
        let mut emails = HashSet::new();
        for user in &self.users {
            if !emails.insert(user.email.as_str()) {
                return Err(self.record_error(
                    "users.json",
                    format!("user {:?}", user.email),
                    "duplicate email",
                ));
            }
        }
        let mut catalogs: HashMap<&str, HashSet<&str>> = HashMap::new();
        for artist in &self.artists {
            let record = || format!("artist {:?}", artist.slug);
            if catalogs
                .insert(
                    artist.slug.as_str(),
                    artist.songs.iter().map(|s| s.title.as_str()).collect(),
                )
                .is_some()
            {
                return Err(self.record_error("artists.json", record(), "duplicate slug"));
            }
            if artist.name.trim().is_empty()
                || artist.songs.iter().any(|s| s.title.trim().is_empty())
            {
                return Err(self.record_error(
                    "artists.json",
                    record(),
                    "empty name or song title",
                ));
            }
        }
        let mut venues = HashSet::new();
        for venue in &self.venues {
            if !venues.insert(venue.slug.as_str()) {
                return Err(self.record_error(
                    "venues.json",
                    format!("venue {:?}", venue.slug),
                    "duplicate slug",
                ));
            }
        }
        let mut shows = HashSet::new();
        for show in &self.shows {
            let err = |message: String| {
                self.record_error("shows.json", format!("show {:?}", show.slug), message)
            };
            if !shows.insert(show.slug.as_str()) {
                return Err(err("duplicate slug".into()));
            }
            let catalog = catalogs
                .get(show.headliner.as_str())
                .ok_or_else(|| err(format!("unknown headliner {:?}", show.headliner)))?;
            if !venues.contains(show.venue.as_str()) {
                return Err(err(format!("unknown venue {:?}", show.venue)));
            }
            for support in &show.support {
                if !catalogs.contains_key(support.as_str()) || support == &show.headliner {
                    return Err(err(format!(
                        "support act {support:?} is unknown or the headliner"
                    )));
                }
            }
            parse_time(&show.start_time).map_err(&err)?;
            parse_time(&show.doors_time).map_err(&err)?;
            if let Some(predicted) = &show.predicted {
                let mut titles = HashSet::new();
                for title in &predicted.songs {
                    if !catalog.contains(title.as_str()) {
                        return Err(err(format!(
                            "predicted song {title:?} is not in the catalog of {:?}",
                            show.headliner
                        )));
                    }
                    if !titles.insert(title.as_str()) {
                        return Err(err(format!("predicted song {title:?} appears twice")));
                    }
                }
                if let Some(creator) = &predicted.created_by {
                    if !emails.contains(creator.as_str()) {
                        return Err(err(format!("unknown user {creator:?}")));
                    }
                }
                if !predicted.votes.is_empty() && show.date_offset_days <= 0 {
                    return Err(err("votes are only taken on upcoming shows".into()));
                }
                let mut cast = HashSet::new();
                for vote in &predicted.votes {
                    if !emails.contains(vote.user.as_str()) || !titles.contains(vote.song.as_str())
                    {
                        return Err(err(format!(
                            "vote by {:?} on {:?}: unknown user or song not predicted",
                            vote.user, vote.song
                        )));
                    }
                    if !cast.insert((vote.user.as_str(), vote.song.as_str())) {
                        return Err(err(format!(
                            "{:?} votes twice on {:?}",
                            vote.user, vote.song
                        )));
                    }
                }
            }
            if !show.predictions.is_empty() && show.status == Some(ShowStatus::Cancelled) {
                return Err(err("a cancelled show takes no predictions".into()));
            }
            let mut fans = HashSet::new();
            for prediction in &show.predictions {
                let fan = prediction.fan.as_str();
                if !emails.contains(fan) {
                    return Err(err(format!("prediction by unknown user {fan:?}")));
                }
                if !fans.insert(fan) {
                    return Err(err(format!("{fan:?} predicts the show twice")));
                }
                let mut titles = HashSet::new();
                for title in &prediction.songs {
                    if !catalog.contains(title.as_str()) {
                        return Err(err(format!(
                            "{fan:?} predicts {title:?}, not in the catalog of {:?}",
                            show.headliner
                        )));
                    }
                    if !titles.insert(title.as_str()) {
                        return Err(err(format!("{fan:?} predicts {title:?} twice")));
                    }
                }
                if prediction
                    .encore_from
                    .is_some_and(|at| at == 0 || at > prediction.songs.len())
                {
                    return Err(err(format!(
                        "{fan:?}: encore_from is not a position of the prediction"
                    )));
                }
            }
            if let Some(actual) = &show.actual {
                if show.date_offset_days >= 0 {
                    return Err(err("an actual setlist needs a past show".into()));
                }
                for played in actual.sets.iter().flat_map(|set| &set.songs) {
                    if !catalog.contains(played.title.as_str()) {
                        return Err(err(format!(
                            "played song {:?} is not in the catalog of {:?}",
                            played.title, show.headliner
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes everything in one transaction; `today` anchors the show dates.
    pub async fn apply(
        &self,
        conn: &mut AsyncPgConnection,
        today: NaiveDate,
    ) -> Result<SampleReport, SeedError> {
        conn.transaction(async |conn| self.load_in_transaction(conn, today).await)
            .await
    }

    async fn load_in_transaction(
        &self,
        conn: &mut AsyncPgConnection,
        today: NaiveDate,
    ) -> Result<SampleReport, SeedError> {
        // Line-ups may be reordered: check their unique order at commit.
        diesel::sql_query("SET CONSTRAINTS ALL DEFERRED")
            .execute(conn)
            .await?;
        let mut report = SampleReport::default();

        let mut user_ids: HashMap<&str, UserId> = HashMap::new();
        for user in &self.users {
            let id: UserId = diesel::insert_into(users::table)
                .values((
                    users::id.eq(UserId(user.id)),
                    users::email.eq(&user.email),
                    users::display_name.eq(&user.display_name),
                    users::role.eq(user.role),
                ))
                .on_conflict(users::id)
                .do_update()
                .set((
                    users::email.eq(excluded(users::email)),
                    users::display_name.eq(excluded(users::display_name)),
                    users::role.eq(excluded(users::role)),
                ))
                .returning(users::id)
                .get_result(conn)
                .await
                .context(|| format!("users.json: user {:?}", user.email))?;
            if user.public_profile {
                diesel::insert_into(user_profiles::table)
                    .values((
                        user_profiles::user_id.eq(id),
                        user_profiles::is_public.eq(true),
                    ))
                    .on_conflict(user_profiles::user_id)
                    .do_update()
                    .set(user_profiles::is_public.eq(true))
                    .execute(conn)
                    .await
                    .context(|| format!("users.json: profile of {:?}", user.email))?;
            }
            user_ids.insert(&user.email, id);
            report.users += 1;
        }

        let mut artist_ids: HashMap<&str, ArtistId> = HashMap::new();
        let mut song_ids: HashMap<(&str, &str), SongId> = HashMap::new();
        for artist in &self.artists {
            let context = || format!("artists.json: artist {:?}", artist.slug);
            let id: ArtistId = diesel::insert_into(artists::table)
                .values((
                    artists::slug.eq(&artist.slug),
                    artists::name.eq(&artist.name),
                    artists::genres.eq(TextList(artist.genres.clone())),
                    artists::popularity.eq(artist.popularity),
                    artists::followers.eq(artist.followers),
                    artists::verified.eq(artist.verified),
                    artists::bio.eq(&artist.bio),
                ))
                .on_conflict(artists::slug)
                .do_update()
                .set((
                    artists::name.eq(excluded(artists::name)),
                    artists::genres.eq(excluded(artists::genres)),
                    artists::popularity.eq(excluded(artists::popularity)),
                    artists::followers.eq(excluded(artists::followers)),
                    artists::verified.eq(excluded(artists::verified)),
                    artists::bio.eq(excluded(artists::bio)),
                ))
                .returning(artists::id)
                .get_result(conn)
                .await
                .context(context)?;
            artist_ids.insert(&artist.slug, id);
            report.artists += 1;
            for song in &artist.songs {
                let song_id: SongId = diesel::insert_into(songs::table)
                    .values((
                        songs::artist_id.eq(id),
                        songs::title.eq(&song.title),
                        songs::artist.eq(&artist.name),
                        songs::album.eq(&song.album),
                        songs::release_date.eq(song.release_date),
                        songs::duration_ms.eq(song.duration_ms),
                    ))
                    .on_conflict((songs::artist_id, songs::title_key))
                    .do_update()
                    .set((
                        songs::title.eq(excluded(songs::title)),
                        songs::artist.eq(excluded(songs::artist)),
                        songs::album.eq(excluded(songs::album)),
                        songs::release_date.eq(excluded(songs::release_date)),
                        songs::duration_ms.eq(excluded(songs::duration_ms)),
                    ))
                    .returning(songs::id)
                    .get_result(conn)
                    .await
                    .context(|| {
                        format!(
                            "artists.json: artist {:?}: song {:?}",
                            artist.slug, song.title
                        )
                    })?;
                song_ids.insert((&artist.slug, &song.title), song_id);
                report.songs += 1;
            }
        }

        let mut venue_ids: HashMap<&str, VenueId> = HashMap::new();
        for venue in &self.venues {
            let id: VenueId = diesel::insert_into(venues::table)
                .values((
                    venues::slug.eq(&venue.slug),
                    venues::name.eq(&venue.name),
                    venues::address.eq(&venue.address),
                    venues::city.eq(&venue.city),
                    venues::state.eq(&venue.state),
                    venues::country.eq(&venue.country),
                    venues::postal_code.eq(&venue.postal_code),
                    venues::latitude.eq(venue.latitude),
                    venues::longitude.eq(venue.longitude),
                    venues::timezone.eq(&venue.timezone),
                    venues::capacity.eq(venue.capacity),
                    venues::venue_type.eq(&venue.venue_type),
                ))
                .on_conflict(venues::slug)
                .do_update()
                .set((
                    venues::name.eq(excluded(venues::name)),
                    venues::address.eq(excluded(venues::address)),
                    venues::city.eq(excluded(venues::city)),
                    venues::state.eq(excluded(venues::state)),
                    venues::country.eq(excluded(venues::country)),
                    venues::postal_code.eq(excluded(venues::postal_code)),
                    venues::latitude.eq(excluded(venues::latitude)),
                    venues::longitude.eq(excluded(venues::longitude)),
                    venues::timezone.eq(excluded(venues::timezone)),
                    venues::capacity.eq(excluded(venues::capacity)),
                    venues::venue_type.eq(excluded(venues::venue_type)),
                ))
                .returning(venues::id)
                .get_result(conn)
                .await
                .context(|| format!("venues.json: venue {:?}", venue.slug))?;
            venue_ids.insert(&venue.slug, id);
            report.venues += 1;
        }

        // Shows with an actual setlist, scored once everything is written.
        let mut played: Vec<(&str, ShowId)> = Vec::new();
        for show in &self.shows {
            let context = || format!("shows.json: show {:?}", show.slug);
            let real_date = today + Duration::days(show.date_offset_days);
            let real_status = show.status.unwrap_or(if show.date_offset_days < 0 {
                ShowStatus::Completed
            } else {
                ShowStatus::Upcoming
            });
            // A past show takes its predictions while still ahead, then moves to its real date.
            let reschedule = show.date_offset_days < 0
                && (show.predicted.is_some() || !show.predictions.is_empty());
            let (date, status) = if reschedule {
                (
                    today + Duration::days(PREDICTIONS_OPEN_DAYS),
                    ShowStatus::Upcoming,
                )
            } else {
                (real_date, real_status)
            };
            let headliner = artist_ids[show.headliner.as_str()];
            let start_time = parse_time(&show.start_time).unwrap_or_default();
            let doors_time = parse_time(&show.doors_time).unwrap_or_default();
            let show_id: ShowId = diesel::insert_into(shows::table)
                .values((
                    shows::slug.eq(&show.slug),
                    shows::name.eq(&show.name),
                    shows::headliner_artist_id.eq(headliner),
                    shows::venue_id.eq(venue_ids[show.venue.as_str()]),
                    shows::date.eq(date),
                    shows::start_time.eq(start_time),
                    shows::doors_time.eq(doors_time),
                    shows::status.eq(status),
                    shows::ticket_url.eq(&show.ticket_url),
                    shows::min_price.eq(show.min_price),
                    shows::max_price.eq(show.max_price),
                    shows::currency.eq(show.currency.clone().unwrap_or_else(|| "USD".into())),
                ))
                .on_conflict(shows::slug)
                .do_update()
                .set((
                    shows::name.eq(excluded(shows::name)),
                    shows::headliner_artist_id.eq(excluded(shows::headliner_artist_id)),
                    shows::venue_id.eq(excluded(shows::venue_id)),
                    shows::date.eq(excluded(shows::date)),
                    shows::start_time.eq(excluded(shows::start_time)),
                    shows::doors_time.eq(excluded(shows::doors_time)),
                    shows::status.eq(excluded(shows::status)),
                    shows::ticket_url.eq(excluded(shows::ticket_url)),
                    shows::min_price.eq(excluded(shows::min_price)),
                    shows::max_price.eq(excluded(shows::max_price)),
                    shows::currency.eq(excluded(shows::currency)),
                ))
                .returning(shows::id)
                .get_result(conn)
                .await
                .context(context)?;
            report.shows += 1;

            // The bill: the headliner at 0, then the support acts in order.
            let lineup: Vec<ArtistId> = std::iter::once(headliner)
                .chain(show.support.iter().map(|slug| artist_ids[slug.as_str()]))
                .collect();
            diesel::delete(
                show_artists::table
                    .filter(show_artists::show_id.eq(show_id))
                    .filter(show_artists::artist_id.ne_all(&lineup)),
            )
            .execute(conn)
            .await
            .context(context)?;
            for (order, artist) in lineup.iter().enumerate() {
                let order = i32::try_from(order).unwrap_or(i32::MAX);
                diesel::insert_into(show_artists::table)
                    .values((
                        show_artists::show_id.eq(show_id),
                        show_artists::artist_id.eq(artist),
                        show_artists::order_index.eq(order),
                        show_artists::is_headliner.eq(order == 0),
                    ))
                    .on_conflict((show_artists::show_id, show_artists::artist_id))
                    .do_update()
                    .set((
                        show_artists::order_index.eq(order),
                        show_artists::is_headliner.eq(order == 0),
                    ))
                    .execute(conn)
                    .await
                    .context(context)?;
            }

            let song = |title: &str| song_ids[&(show.headliner.as_str(), title)];
            if let Some(predicted) = &show.predicted {
                let created_by = predicted.created_by.as_deref().map(|email| user_ids[email]);
                let setlist = upsert_setlist(
                    conn,
                    show_id,
                    headliner,
                    SetlistType::Predicted,
                    "manual",
                    &format!("seed:{}:predicted", show.slug),
                    None,
                    None,
                    created_by,
                )
                .await
                .context(context)?;
                let entries: Vec<Entry> = predicted
                    .songs
                    .iter()
                    .map(|title| Entry {
                        song: song(title),
                        ..Entry::default()
                    })
                    .collect();
                let ids = replace_entries(conn, setlist, &entries)
                    .await
                    .context(context)?;
                report.setlists += 1;
                let by_title: HashMap<&str, crate::ids::SetlistSongId> = predicted
                    .songs
                    .iter()
                    .map(String::as_str)
                    .zip(ids)
                    .collect();
                for vote in &predicted.votes {
                    Vote::cast(
                        conn,
                        user_ids[vote.user.as_str()],
                        by_title[vote.song.as_str()],
                        vote.vote,
                    )
                    .await
                    .context(|| {
                        format!(
                            "shows.json: show {:?}: vote by {:?} on {:?}",
                            show.slug, vote.user, vote.song
                        )
                    })?;
                    report.votes += 1;
                }
            }
            for prediction in &show.predictions {
                let fan = user_ids[prediction.fan.as_str()];
                let context = || {
                    format!(
                        "shows.json: show {:?}: prediction by {:?}",
                        show.slug, prediction.fan
                    )
                };
                let setlist = match Setlist::prediction_of(conn, show_id, fan)
                    .await
                    .context(context)?
                {
                    Some(setlist) => setlist.id,
                    None => {
                        Setlist::create(conn, &NewSetlist::prediction(show_id, headliner, fan))
                            .await
                            .context(context)?
                            .id
                    }
                };
                let entries: Vec<Entry> = prediction
                    .songs
                    .iter()
                    .enumerate()
                    .map(|(index, title)| Entry {
                        song: song(title),
                        encore: i32::from(prediction.encore_from.is_some_and(|at| index + 1 >= at)),
                        ..Entry::default()
                    })
                    .collect();
                replace_entries(conn, setlist, &entries)
                    .await
                    .context(context)?;
                report.setlists += 1;
                report.predictions += 1;
            }
            if reschedule {
                diesel::update(shows::table.find(show_id))
                    .set((shows::date.eq(real_date), shows::status.eq(real_status)))
                    .execute(conn)
                    .await
                    .context(context)?;
            }
            if let Some(actual) = &show.actual {
                played.push((show.slug.as_str(), show_id));
                let setlist = upsert_setlist(
                    conn,
                    show_id,
                    headliner,
                    SetlistType::Actual,
                    "setlist.fm",
                    &actual.external_id,
                    actual.version_id.as_deref(),
                    actual.source_url.as_deref(),
                    None,
                )
                .await
                .context(context)?;
                let entries: Vec<Entry> = actual
                    .sets
                    .iter()
                    .flat_map(|set| {
                        set.songs.iter().map(move |played| Entry {
                            song: song(&played.title),
                            set_name: set.name.clone(),
                            encore: set.encore,
                            is_tape: played.tape,
                            cover_artist_name: played.cover.clone(),
                            guest_artist_name: played.with.clone(),
                            info: played.info.clone(),
                            is_played: Some(!played.tape),
                        })
                    })
                    .collect();
                replace_entries(conn, setlist, &entries)
                    .await
                    .context(context)?;
                report.setlists += 1;
            }
        }
        Vote::refresh_totals(conn)
            .await
            .context(|| "folding vote totals".into())?;
        // Every show with an actual setlist, so nothing is left waiting for the scoring job.
        for (slug, id) in played {
            let scores =
                scoring::score_show(conn, id)
                    .await
                    .map_err(|source| SeedError::Scoring {
                        show: slug.to_owned(),
                        source,
                    })?;
            report.scores += scores.scores.len();
        }
        Ok(report)
    }
}

/// One song of a setlist as the seed describes it.
#[derive(Debug, Clone, Default, PartialEq, Queryable)]
struct Entry {
    song: SongId,
    set_name: Option<String>,
    encore: i32,
    is_tape: bool,
    cover_artist_name: Option<String>,
    guest_artist_name: Option<String>,
    info: Option<String>,
    is_played: Option<bool>,
}

#[allow(clippy::too_many_arguments)]
async fn upsert_setlist(
    conn: &mut AsyncPgConnection,
    show: ShowId,
    artist: ArtistId,
    kind: SetlistType,
    source: &str,
    external_id: &str,
    version: Option<&str>,
    url: Option<&str>,
    created_by: Option<UserId>,
) -> QueryResult<SetlistId> {
    diesel::insert_into(setlists::table)
        .values((
            setlists::show_id.eq(show),
            setlists::artist_id.eq(artist),
            setlists::type_.eq(kind),
            setlists::imported_from.eq(source),
            setlists::external_id.eq(external_id),
            setlists::source_version_id.eq(version),
            setlists::source_url.eq(url),
            setlists::created_by.eq(created_by),
        ))
        .on_conflict((setlists::imported_from, setlists::external_id))
        .do_update()
        .set((
            setlists::show_id.eq(excluded(setlists::show_id)),
            setlists::source_version_id.eq(excluded(setlists::source_version_id)),
            setlists::source_url.eq(excluded(setlists::source_url)),
            setlists::created_by.eq(excluded(setlists::created_by)),
        ))
        .returning(setlists::id)
        .get_result(conn)
        .await
}

/// Makes a setlist hold exactly `entries`, in order. Unchanged setlists are left alone (their
/// rows, ids and votes stay); changed ones are rewritten. Returns the entries' ids in order.
async fn replace_entries(
    conn: &mut AsyncPgConnection,
    setlist: SetlistId,
    entries: &[Entry],
) -> QueryResult<Vec<crate::ids::SetlistSongId>> {
    let current: Vec<(crate::ids::SetlistSongId, Entry)> = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq(setlist))
        .order(setlist_songs::position)
        .select((
            setlist_songs::id,
            (
                setlist_songs::song_id,
                setlist_songs::set_name,
                setlist_songs::encore,
                setlist_songs::is_tape,
                setlist_songs::cover_artist_name,
                setlist_songs::guest_artist_name,
                setlist_songs::info,
                setlist_songs::is_played,
            ),
        ))
        .load(conn)
        .await?;
    if current.iter().map(|(_, e)| e).eq(entries.iter()) {
        return Ok(current.into_iter().map(|(id, _)| id).collect());
    }
    diesel::delete(setlist_songs::table.filter(setlist_songs::setlist_id.eq(setlist)))
        .execute(conn)
        .await?;
    let mut ids = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let id = diesel::insert_into(setlist_songs::table)
            .values((
                setlist_songs::setlist_id.eq(setlist),
                setlist_songs::song_id.eq(entry.song),
                setlist_songs::position.eq(i32::try_from(index + 1).unwrap_or(i32::MAX)),
                setlist_songs::set_name.eq(&entry.set_name),
                setlist_songs::encore.eq(entry.encore),
                setlist_songs::is_tape.eq(entry.is_tape),
                setlist_songs::cover_artist_name.eq(&entry.cover_artist_name),
                setlist_songs::guest_artist_name.eq(&entry.guest_artist_name),
                setlist_songs::info.eq(&entry.info),
                setlist_songs::is_played.eq(entry.is_played),
            ))
            .returning(setlist_songs::id)
            .get_result(conn)
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

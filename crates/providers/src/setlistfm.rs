//! setlist.fm REST API 1.0: actual setlists.
//!
//! JSON is asked for explicitly (`Accept: application/json`; XML is the default). A search that
//! matches nothing answers HTTP 404: the paging calls here turn that into an empty page.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::Provider;
use crate::config::SetlistFmConfig;
use crate::de;
use crate::error::{ErrorKind, Result};
use crate::transport::Transport;

/// A page of setlists: `{"itemsPerPage": 20, "page": 1, "total": 42, "setlist": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetlistPage {
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub items_per_page: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub total: Option<u32>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub setlist: Vec<Setlist>,
}

impl SetlistPage {
    /// Whether pages after this one exist.
    pub fn has_more(&self) -> bool {
        match (self.page, self.items_per_page, self.total) {
            (Some(page), Some(per_page), Some(total)) if per_page > 0 => {
                u64::from(page) * u64::from(per_page) < u64::from(total)
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Setlist {
    pub id: String,
    /// Changes on every edit at the source (the setlist is a wiki page).
    #[serde(default, deserialize_with = "de::non_empty")]
    pub version_id: Option<String>,
    /// The venue-local date (`dd-MM-yyyy` on the wire).
    #[serde(deserialize_with = "de::setlistfm_date")]
    pub event_date: NaiveDate,
    #[serde(default, deserialize_with = "de::setlistfm_timestamp")]
    pub last_updated: Option<DateTime<Utc>>,
    pub artist: ArtistRef,
    #[serde(default)]
    pub venue: Option<Venue>,
    #[serde(default)]
    pub tour: Option<Tour>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub info: Option<String>,
    /// The attribution link, to be shown wherever this setlist's data is.
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "sets")]
    pub sets: Vec<Set>,
}

impl Setlist {
    /// Every song in playing order, with its set.
    pub fn songs(&self) -> impl Iterator<Item = (&Set, &Song)> {
        self.sets
            .iter()
            .flat_map(|set| set.song.iter().map(move |song| (set, song)))
    }
}

/// An artist as setlist.fm names one: the setlist's artist, a cover's original artist, a guest.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtistRef {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub mbid: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub sort_name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub disambiguation: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Venue {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
    /// Sometimes missing.
    #[serde(default)]
    pub city: Option<City>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct City {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub state_code: Option<String>,
    #[serde(default)]
    pub coords: Option<Coords>,
    #[serde(default)]
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Coords {
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub long: Option<f64>,
}

impl Coords {
    /// `(latitude, longitude)` when both are present and in range (0, 0 means "unknown").
    pub fn lat_long(&self) -> Option<(f64, f64)> {
        de::lat_long(self.lat, self.long)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Country {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Tour {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
}

/// One set: the main set (`encore` absent), a named set ("Acoustic set"), or an encore.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Set {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    /// 1 for the first encore, 2 for the second; absent for other sets.
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub encore: Option<u32>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub song: Vec<Song>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Song {
    /// Typed by people; may be empty for an unidentified song.
    #[serde(default)]
    pub name: String,
    /// Free-text performance note ("extended intro"), not an album.
    #[serde(default, deserialize_with = "de::non_empty")]
    pub info: Option<String>,
    /// The original artist of a cover.
    #[serde(default)]
    pub cover: Option<ArtistRef>,
    /// A guest on this song.
    #[serde(default)]
    pub with: Option<ArtistRef>,
    /// Played from tape, not performed: shown, never counted as played.
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub tape: bool,
}

/// `sets` as `{"set": [...]}`, `{"set": {...}}` (one set), `{}`, `""`, `null`, or a bare array.
fn sets<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Set>, D::Error> {
    let value = Option::<Value>::deserialize(d)?.unwrap_or(Value::Null);
    let inner = match value {
        Value::Object(mut map) => map.remove("set").unwrap_or(Value::Null),
        other => other,
    };
    de::one_or_many_value(inner).map_err(D::Error::custom)
}

/// Filters of `GET /search/setlists`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetlistSearch {
    pub artist_mbid: Option<String>,
    /// The venue-local date.
    pub date: Option<NaiveDate>,
    /// Setlists edited on or after this instant.
    pub last_updated: Option<DateTime<Utc>>,
    pub venue_id: Option<String>,
    pub year: Option<i32>,
}

impl SetlistSearch {
    fn query(&self, page: u32) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(mbid) = &self.artist_mbid {
            query.push(("artistMbid", mbid.clone()));
        }
        if let Some(date) = self.date {
            query.push(("date", date.format("%d-%m-%Y").to_string()));
        }
        if let Some(at) = self.last_updated {
            query.push(("lastUpdated", at.format("%Y%m%d%H%M%S").to_string()));
        }
        if let Some(venue) = &self.venue_id {
            query.push(("venueId", venue.clone()));
        }
        if let Some(year) = self.year {
            query.push(("year", year.to_string()));
        }
        query.push(("p", page.max(1).to_string()));
        query
    }
}

/// The setlist.fm client: one per process, shared (it holds the rate limiter). `Debug` shows
/// the key as `[redacted]`.
pub struct SetlistFm {
    transport: Transport,
    api_key: String,
}

impl std::fmt::Debug for SetlistFm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetlistFm")
            .field("transport", &self.transport)
            .field("api_key", &crate::redact::REDACTED)
            .finish()
    }
}

impl SetlistFm {
    pub fn new(config: &SetlistFmConfig) -> Result<Self> {
        Ok(Self {
            transport: Transport::new(Provider::SetlistFm, &config.http, &[&config.api_key])?,
            api_key: config.api_key.clone(),
        })
    }

    /// `SETLISTFM_*` from the environment; `None` (logged) when the key is missing.
    pub fn from_env() -> Result<Option<Self>> {
        SetlistFmConfig::from_env()
            .map(|config| Self::new(&config))
            .transpose()
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self.transport.url(path);
        self.transport
            .get_json(what, |client| {
                client
                    .get(&url)
                    .header("x-api-key", &self.api_key)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .query(query)
            })
            .await
    }

    /// `GET /artist/{mbid}/setlists?p=N` (1-based, newest first). No setlists: an empty page.
    /// A page past `max_pages` (`SETLISTFM_MAX_PAGES`) is `ProviderError::TooManyPages`, asked
    /// for nothing: the paging bound of a caller that follows `has_more`.
    pub async fn artist_setlists(&self, mbid: &str, page: u32) -> Result<SetlistPage> {
        self.transport.check_page("artist setlists", page.max(1))?;
        let path = format!("artist/{}/setlists", encode(mbid));
        empty_when_not_found(
            self.get("artist setlists", &path, &[("p", page.max(1).to_string())])
                .await,
        )
    }

    /// `GET /search/setlists`. Nothing matching (HTTP 404): an empty page. A page past
    /// `max_pages` is `ProviderError::TooManyPages`, as for [`SetlistFm::artist_setlists`].
    pub async fn search_setlists(&self, search: &SetlistSearch, page: u32) -> Result<SetlistPage> {
        self.transport.check_page("setlist search", page.max(1))?;
        empty_when_not_found(
            self.get("setlist search", "search/setlists", &search.query(page))
                .await,
        )
    }

    /// `GET /setlist/{setlistId}`; an unknown id is `NotFound`.
    pub async fn setlist(&self, id: &str) -> Result<Setlist> {
        self.get("setlist", &format!("setlist/{}", encode(id)), &[])
            .await
    }

    /// `GET /setlist/version/{versionId}`; an unknown version is `NotFound`.
    pub async fn setlist_version(&self, version_id: &str) -> Result<Setlist> {
        self.get(
            "setlist version",
            &format!("setlist/version/{}", encode(version_id)),
            &[],
        )
        .await
    }
}

fn empty_when_not_found(result: Result<SetlistPage>) -> Result<SetlistPage> {
    match result {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(SetlistPage::default()),
        other => other,
    }
}

/// Ids go into paths: keep them to one segment.
pub(crate) fn encode(segment: &str) -> String {
    segment
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

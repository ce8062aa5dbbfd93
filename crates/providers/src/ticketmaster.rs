//! Ticketmaster Discovery API v2: upcoming shows, venues and artists (attractions).
//!
//! The key goes in the `apikey` query parameter. Deep paging is refused past
//! `size * page >= 1000`, so [`Ticketmaster::upcoming_events`] pages inside date windows.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::Deserialize;

use crate::Provider;
use crate::config::TicketmasterConfig;
use crate::de;
use crate::error::Result;
use crate::setlistfm::encode;
use crate::transport::Transport;

/// `{"_embedded": {"events": [...]}, "_links": {...}, "page": {...}}`; `_embedded` is missing
/// altogether when nothing matched.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventsPage {
    #[serde(rename = "_embedded", default)]
    pub embedded: Option<EventsEmbedded>,
    #[serde(default)]
    pub page: Option<PageInfo>,
}

impl EventsPage {
    pub fn events(&self) -> &[Event] {
        self.embedded.as_ref().map_or(&[], |e| &e.events)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventsEmbedded {
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub size: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub total_elements: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub total_pages: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
    #[serde(default)]
    pub dates: Option<Dates>,
    /// Often absent.
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub price_ranges: Vec<PriceRange>,
    #[serde(rename = "_embedded", default)]
    pub embedded: Option<EventEmbedded>,
}

impl Event {
    pub fn venues(&self) -> &[Venue] {
        self.embedded.as_ref().map_or(&[], |e| &e.venues)
    }

    /// Headliner first, then the support acts, in billing order.
    pub fn attractions(&self) -> &[Attraction] {
        self.embedded.as_ref().map_or(&[], |e| &e.attractions)
    }

    pub fn start(&self) -> Option<&Start> {
        self.dates.as_ref().and_then(|d| d.start.as_ref())
    }

    pub fn status(&self) -> EventStatus {
        self.dates
            .as_ref()
            .and_then(|d| d.status.as_ref())
            .and_then(|s| s.code.as_deref())
            .map_or(EventStatus::Unknown, EventStatus::parse)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventEmbedded {
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub venues: Vec<Venue>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub attractions: Vec<Attraction>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Dates {
    #[serde(default)]
    pub start: Option<Start>,
    /// IANA zone of the event ("Pacific/Auckland").
    #[serde(default, deserialize_with = "de::non_empty")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
}

/// When the show starts. `dateTime` is omitted when the time is not announced.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Start {
    #[serde(default, deserialize_with = "de::lenient_parse")]
    pub local_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "de::lenient_parse")]
    pub local_time: Option<NaiveTime>,
    #[serde(default, deserialize_with = "de::lenient_parse")]
    pub date_time: Option<DateTime<Utc>>,
    #[serde(default, rename = "dateTBD", deserialize_with = "de::lenient_bool")]
    pub date_tbd: bool,
    #[serde(default, rename = "dateTBA", deserialize_with = "de::lenient_bool")]
    pub date_tba: bool,
    #[serde(default, rename = "timeTBA", deserialize_with = "de::lenient_bool")]
    pub time_tba: bool,
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub no_specific_time: bool,
}

impl Start {
    /// The announced local start time: `None` while it is TBA (`timeTBA`, `noSpecificTime`, or
    /// no `localTime`).
    pub fn announced_time(&self) -> Option<NaiveTime> {
        if self.time_tba || self.no_specific_time || self.date_tba || self.date_tbd {
            None
        } else {
            self.local_time
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Status {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub code: Option<String>,
}

/// `dates.status.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    OnSale,
    OffSale,
    /// `canceled`, also spelled `cancelled`.
    Cancelled,
    Postponed,
    Rescheduled,
    Unknown,
}

impl EventStatus {
    pub fn parse(code: &str) -> Self {
        match code.trim().to_ascii_lowercase().as_str() {
            "onsale" => Self::OnSale,
            "offsale" => Self::OffSale,
            "canceled" | "cancelled" => Self::Cancelled,
            "postponed" => Self::Postponed,
            "rescheduled" => Self::Rescheduled,
            _ => Self::Unknown,
        }
    }

    /// The code as Ticketmaster spells it (`cancelled` folded into `canceled`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSale => "onsale",
            Self::OffSale => "offsale",
            Self::Cancelled => "canceled",
            Self::Postponed => "postponed",
            Self::Rescheduled => "rescheduled",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PriceRange {
    #[serde(default, rename = "type", deserialize_with = "de::non_empty")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub min: Option<f64>,
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Venue {
    pub id: String,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<Named>,
    #[serde(default)]
    pub state: Option<State>,
    #[serde(default)]
    pub country: Option<CountryRef>,
    #[serde(default)]
    pub address: Option<Address>,
    /// Latitude and longitude are strings on the wire.
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Named {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub state_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountryRef {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub country_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Address {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub line1: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub line2: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Location {
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "de::lenient_f64")]
    pub longitude: Option<f64>,
}

impl Location {
    /// `(latitude, longitude)` when both parse and are in range.
    pub fn lat_long(&self) -> Option<(f64, f64)> {
        de::lat_long(self.latitude, self.longitude)
    }
}

/// An artist (or any performer) on Ticketmaster.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attraction {
    pub id: String,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub external_links: Option<ExternalLinks>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
}

impl Attraction {
    /// The MusicBrainz id: the key setlist.fm searches by.
    pub fn musicbrainz_id(&self) -> Option<&str> {
        self.external_links
            .as_ref()?
            .musicbrainz
            .iter()
            .find_map(|link| link.id.as_deref())
    }

    /// The Spotify artist id, when the link is an artist URL (it is sometimes an album's).
    pub fn spotify_artist_id(&self) -> Option<String> {
        self.external_links
            .as_ref()?
            .spotify
            .iter()
            .filter_map(|link| link.url.as_deref())
            .find_map(spotify_artist_id_from_url)
    }
}

/// `https://open.spotify.com/artist/{id}` (with or without a query) to `{id}`; other Spotify
/// URLs (albums, tracks) are not an artist's.
pub fn spotify_artist_id_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let mut parts = path.trim_end_matches('/').rsplit('/');
    let id = parts.next()?;
    let kind = parts.next()?;
    (kind == "artist" && !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| id.to_owned())
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ExternalLinks {
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub musicbrainz: Vec<Link>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub spotify: Vec<Link>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub homepage: Vec<Link>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Link {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub url: Option<String>,
}

/// Filters of `GET /events.json`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub attraction_id: Option<String>,
    pub keyword: Option<String>,
    pub country_code: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// The Ticketmaster client: one per process, shared (it holds the rate limiter). `Debug` shows
/// the key as `[redacted]`.
pub struct Ticketmaster {
    transport: Transport,
    api_key: String,
    page_size: u32,
    deep_paging_limit: u32,
}

impl std::fmt::Debug for Ticketmaster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticketmaster")
            .field("transport", &self.transport)
            .field("api_key", &crate::redact::REDACTED)
            .field("page_size", &self.page_size)
            .field("deep_paging_limit", &self.deep_paging_limit)
            .finish()
    }
}

fn tm_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Ticketmaster {
    pub fn new(config: &TicketmasterConfig) -> Result<Self> {
        Ok(Self {
            transport: Transport::new(Provider::Ticketmaster, &config.http, &[&config.api_key])?,
            api_key: config.api_key.clone(),
            page_size: config.page_size.clamp(1, 200),
            deep_paging_limit: config.deep_paging_limit.max(1),
        })
    }

    /// `TICKETMASTER_*` from the environment; `None` (logged) when the key is missing.
    pub fn from_env() -> Result<Option<Self>> {
        TicketmasterConfig::from_env()
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
                    .query(&[("apikey", self.api_key.as_str())])
                    .query(query)
            })
            .await
    }

    /// `GET /attractions/{id}.json`; an unknown id is `NotFound`.
    pub async fn attraction(&self, id: &str) -> Result<Attraction> {
        self.get(
            "attraction",
            &format!("attractions/{}.json", encode(id)),
            &[],
        )
        .await
    }

    /// One page (0-based) of `GET /events.json`, soonest first.
    pub async fn events(&self, filter: &EventQuery, page: u32) -> Result<EventsPage> {
        let mut query = vec![
            ("size", self.page_size.to_string()),
            ("page", page.to_string()),
            ("sort", "date,asc".to_owned()),
        ];
        if let Some(id) = &filter.attraction_id {
            query.push(("attractionId", id.clone()));
        }
        if let Some(keyword) = &filter.keyword {
            query.push(("keyword", keyword.clone()));
            query.push(("classificationName", "music".to_owned()));
        }
        if let Some(country) = &filter.country_code {
            query.push(("countryCode", country.clone()));
        }
        if let Some(start) = filter.start {
            query.push(("startDateTime", tm_instant(start)));
        }
        if let Some(end) = filter.end {
            query.push(("endDateTime", tm_instant(end)));
        }
        self.get("events", "events.json", &query).await
    }

    /// Every event of an attraction from `from` on, soonest first, each once. Pages until the
    /// deep-paging limit, then starts a new date window at the last event seen. At most
    /// `max_pages` requests in all (`TICKETMASTER_MAX_PAGES`): a provider still saying "more"
    /// then makes this `ProviderError::TooManyPages`, not a list silently cut short.
    pub async fn upcoming_events(
        &self,
        attraction_id: &str,
        from: DateTime<Utc>,
    ) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let mut seen = HashSet::new();
        let mut window_start = from;
        let max_pages = (self.deep_paging_limit / self.page_size).max(1);
        let mut requests = 0;
        loop {
            let filter = EventQuery {
                attraction_id: Some(attraction_id.to_owned()),
                start: Some(window_start),
                ..EventQuery::default()
            };
            let mut last_start = None;
            let mut exhausted = false;
            for page in 0..max_pages {
                requests += 1;
                self.transport.check_page("upcoming events", requests)?;
                let result = self.events(&filter, page).await?;
                for event in result.events() {
                    if let Some(at) = event_instant(event) {
                        last_start = Some(at);
                    }
                    if seen.insert(event.id.clone()) {
                        events.push(event.clone());
                    }
                }
                let total_pages = result.page.and_then(|p| p.total_pages).unwrap_or(0);
                if result.events().is_empty() || page + 1 >= total_pages {
                    exhausted = true;
                    break;
                }
            }
            if exhausted {
                return Ok(events);
            }
            match last_start {
                Some(next) if next > window_start => window_start = next,
                _ => {
                    tracing::warn!(
                        attraction_id,
                        "more than {} events start at {window_start}: the rest are skipped",
                        self.deep_paging_limit
                    );
                    return Ok(events);
                }
            }
        }
    }
}

/// The event's start as an instant for windowing: `dateTime`, else its local date at 00:00 UTC.
fn event_instant(event: &Event) -> Option<DateTime<Utc>> {
    let start = event.start()?;
    start.date_time.or_else(|| {
        start
            .local_date
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_both_spellings() {
        assert_eq!(EventStatus::parse("canceled"), EventStatus::Cancelled);
        assert_eq!(EventStatus::parse("cancelled"), EventStatus::Cancelled);
        assert_eq!(EventStatus::parse("Postponed"), EventStatus::Postponed);
        assert_eq!(EventStatus::parse("rescheduled"), EventStatus::Rescheduled);
        assert_eq!(EventStatus::parse("onsale"), EventStatus::OnSale);
        assert_eq!(EventStatus::parse("mystery"), EventStatus::Unknown);
    }

    #[test]
    fn spotify_links_to_artists_only() {
        assert_eq!(
            spotify_artist_id_from_url(
                "https://open.spotify.com/artist/3WrFJ7ztbogyGnTHbHJFl2?si=x"
            ),
            Some("3WrFJ7ztbogyGnTHbHJFl2".to_owned())
        );
        assert_eq!(
            spotify_artist_id_from_url("https://open.spotify.com/album/6dVIqQ8qmQ5GBnJ9shOYGE"),
            None
        );
        assert_eq!(spotify_artist_id_from_url("not a url"), None);
    }
}

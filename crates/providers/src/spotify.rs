//! Spotify Web API: optional enrichment (artist images and genres, catalog tracks).
//!
//! A client-credentials token is fetched from the accounts service, cached, and refreshed a
//! minute before it expires (or at once after a 401). Every field is optional: development-mode
//! apps lose `popularity`, `followers` and top tracks, and restricted endpoints answer 403
//! (`ProviderError::Forbidden`), which callers skip.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::Provider;
use crate::config::SpotifyConfig;
use crate::de;
use crate::error::{ErrorKind, ProviderError, Result};
use crate::redact::REDACTED;
use crate::setlistfm::encode;
use crate::transport::Transport;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Artist {
    pub id: String,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub genres: Vec<String>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub images: Vec<Image>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub popularity: Option<u32>,
    #[serde(default)]
    pub followers: Option<Followers>,
    #[serde(default)]
    pub external_urls: Option<ExternalUrls>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub uri: Option<String>,
}

impl Artist {
    /// The largest image and the smallest one (Spotify lists them largest first, but says so
    /// nowhere: sort by width).
    pub fn large_and_small_images(&self) -> (Option<&Image>, Option<&Image>) {
        let mut images: Vec<&Image> = self.images.iter().filter(|i| !i.url.is_empty()).collect();
        images.sort_by_key(|i| std::cmp::Reverse(i.width.unwrap_or(0)));
        (images.first().copied(), images.last().copied())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Image {
    #[serde(default)]
    pub url: String,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub height: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub width: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Followers {
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub total: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ExternalUrls {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub spotify: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Track {
    /// Null for local files.
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    /// Absent from an album's track listing.
    #[serde(default)]
    pub album: Option<Album>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub artists: Vec<ArtistRef>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub duration_ms: Option<u32>,
    #[serde(default)]
    pub explicit: Option<bool>,
    /// Absent from an album's track listing.
    #[serde(default)]
    pub external_ids: Option<ExternalIds>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub popularity: Option<u32>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub preview_url: Option<String>,
    #[serde(default)]
    pub is_playable: Option<bool>,
}

impl Track {
    pub fn isrc(&self) -> Option<&str> {
        self.external_ids.as_ref()?.isrc.as_deref()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ArtistRef {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ExternalIds {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub isrc: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Album {
    #[serde(default, deserialize_with = "de::non_empty")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub album_type: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub release_date: Option<String>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub release_date_precision: Option<String>,
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub images: Vec<Image>,
}

impl Album {
    /// `release_date` at its precision (`2011`, `2011-05`, `2011-05-03`), as the first day it
    /// can mean.
    pub fn release_date(&self) -> Option<NaiveDate> {
        let text = self.release_date.as_deref()?;
        let mut parts = text.split('-').map(str::parse::<u32>);
        let year = i32::try_from(parts.next()?.ok()?).ok().filter(|y| *y > 0)?;
        let month = parts.next().map_or(Some(1), Result::ok)?;
        let day = parts.next().map_or(Some(1), Result::ok)?;
        NaiveDate::from_ymd_opt(year, month, day)
    }

    pub fn image_url(&self) -> Option<&str> {
        self.images
            .iter()
            .max_by_key(|i| i.width.unwrap_or(0))
            .map(|i| i.url.as_str())
            .filter(|u| !u.is_empty())
    }
}

/// Spotify's paging object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct Paging<T> {
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub items: Vec<T>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub limit: Option<u32>,
    #[serde(default, deserialize_with = "de::non_empty")]
    pub next: Option<String>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub offset: Option<u32>,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    pub total: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Tracks {
    #[serde(default)]
    tracks: Vec<Option<Track>>,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default, deserialize_with = "de::lenient_u32")]
    expires_in: Option<u32>,
}

struct Token {
    value: String,
    refresh_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &REDACTED)
            .field("refresh_at", &self.refresh_at)
            .finish()
    }
}

/// The Spotify client: one per process, shared (it holds the rate limiter and the token).
/// `Debug` shows the client id, the secret and the token as `[redacted]`.
pub struct Spotify {
    transport: Transport,
    token_url: String,
    client_id: String,
    client_secret: String,
    market: String,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for Spotify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spotify")
            .field("transport", &self.transport)
            .field("token_url", &crate::redact::redact(&self.token_url))
            .field("client_id", &REDACTED)
            .field("client_secret", &REDACTED)
            .field("market", &self.market)
            .field("token", &self.token)
            .finish()
    }
}

impl Spotify {
    pub fn new(config: &SpotifyConfig) -> Result<Self> {
        Ok(Self {
            transport: Transport::new(
                Provider::Spotify,
                &config.http,
                &[&config.client_id, &config.client_secret],
            )?,
            token_url: format!("{}/api/token", config.accounts_base_url),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            market: config.market.clone(),
            token: Mutex::new(None),
        })
    }

    /// `SPOTIFY_*` from the environment; `None` (logged) when the id or secret is missing.
    pub fn from_env() -> Result<Option<Self>> {
        SpotifyConfig::from_env()
            .map(|config| Self::new(&config))
            .transpose()
    }

    /// The cached access token, fetched again a minute before it expires.
    async fn token(&self) -> Result<String> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        let response = self
            .transport
            .send("token", |client| {
                client
                    .post(&self.token_url)
                    .basic_auth(&self.client_id, Some(&self.client_secret))
                    .form(&[("grant_type", "client_credentials")])
            })
            .await
            .map_err(|e| match e {
                // The accounts service answers a wrong id or secret with 400 invalid_client.
                ProviderError::BadRequest {
                    provider, message, ..
                } => ProviderError::BadKey { provider, message },
                other => other,
            })?;
        let answer: TokenAnswer = self.transport.decode("token", response).await?;
        // At most a day, whatever `expires_in` says (Spotify's tokens last an hour).
        let lifetime =
            Duration::from_secs(u64::from(answer.expires_in.unwrap_or(3600)).min(86_400));
        let margin = Duration::from_secs(60).min(lifetime / 2);
        let now = Instant::now();
        *cached = Some(Token {
            value: answer.access_token.clone(),
            refresh_at: now.checked_add(lifetime - margin).unwrap_or(now),
        });
        Ok(answer.access_token)
    }

    async fn get<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self.transport.url(path);
        let mut refreshed = false;
        loop {
            let token = self.token().await?;
            let result = self
                .transport
                .get_json(what, |client| {
                    client.get(&url).bearer_auth(&token).query(query)
                })
                .await;
            match result {
                // A token revoked early: fetch a new one once.
                Err(e) if e.kind() == ErrorKind::BadKey && !refreshed => {
                    refreshed = true;
                    *self.token.lock().await = None;
                }
                other => return other,
            }
        }
    }

    /// `GET /v1/artists/{id}`.
    pub async fn artist(&self, id: &str) -> Result<Artist> {
        self.get("artist", &format!("v1/artists/{}", encode(id)), &[])
            .await
    }

    /// `GET /v1/artists/{id}/top-tracks?market=..`.
    pub async fn top_tracks(&self, id: &str) -> Result<Vec<Track>> {
        #[derive(Deserialize)]
        struct TopTracks {
            #[serde(default)]
            tracks: Vec<Track>,
        }
        let answer: TopTracks = self
            .get(
                "top tracks",
                &format!("v1/artists/{}/top-tracks", encode(id)),
                &[("market", self.market.clone())],
            )
            .await?;
        Ok(answer.tracks)
    }

    /// Every album and single of an artist (`GET /v1/artists/{id}/albums`, all pages; more
    /// than `max_pages` of them is `ProviderError::TooManyPages`).
    pub async fn artist_albums(&self, id: &str) -> Result<Vec<Album>> {
        let path = format!("v1/artists/{}/albums", encode(id));
        self.all_pages(
            "artist albums",
            &path,
            &[("include_groups", "album,single".to_owned())],
        )
        .await
    }

    /// Every track of an album (`GET /v1/albums/{id}/tracks`, all pages, bounded as
    /// [`Spotify::artist_albums`]): without `album`, `external_ids` or `popularity`.
    pub async fn album_tracks(&self, album_id: &str) -> Result<Vec<Track>> {
        let path = format!("v1/albums/{}/tracks", encode(album_id));
        self.all_pages("album tracks", &path, &[]).await
    }

    /// Full tracks (with ISRC) by id, 50 per request (`GET /v1/tracks?ids=`).
    pub async fn tracks(&self, ids: &[String]) -> Result<Vec<Track>> {
        let mut tracks = Vec::new();
        for chunk in ids.chunks(50) {
            let answer: Tracks = self
                .get("tracks", "v1/tracks", &[("ids", chunk.join(","))])
                .await?;
            tracks.extend(answer.tracks.into_iter().flatten());
        }
        Ok(tracks)
    }

    async fn all_pages<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        const LIMIT: u32 = 50;
        let mut items = Vec::new();
        let mut page: u32 = 0;
        loop {
            // A provider that never stops answering `next`: `TooManyPages` past the bound.
            page = page.saturating_add(1);
            self.transport.check_page(what, page)?;
            let mut query = query.to_vec();
            query.push(("limit", LIMIT.to_string()));
            let offset = u64::from(page - 1) * u64::from(LIMIT);
            query.push(("offset", offset.to_string()));
            let answer: Paging<T> = self.get(what, path, &query).await?;
            let done = answer.next.is_none() || answer.items.is_empty();
            items.extend(answer.items);
            if done {
                return Ok(items);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_dates_at_every_precision() {
        let album = |d: &str| Album {
            release_date: Some(d.to_owned()),
            ..Album::default()
        };
        assert_eq!(
            album("2011-05-03").release_date(),
            NaiveDate::from_ymd_opt(2011, 5, 3)
        );
        assert_eq!(
            album("2011-05").release_date(),
            NaiveDate::from_ymd_opt(2011, 5, 1)
        );
        assert_eq!(
            album("1977").release_date(),
            NaiveDate::from_ymd_opt(1977, 1, 1)
        );
        assert_eq!(album("0000").release_date(), None);
        assert_eq!(album("soon").release_date(), None);
    }
}

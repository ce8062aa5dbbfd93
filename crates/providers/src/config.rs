//! Settings from the environment. A provider whose key is missing is disabled (a warning is
//! logged), never an error: the rest of TheSet works without it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::Provider;
use crate::redact::{REDACTED, redact};

pub const SETLISTFM_DEFAULT_BASE_URL: &str = "https://api.setlist.fm/rest/1.0";
pub const TICKETMASTER_DEFAULT_BASE_URL: &str = "https://app.ticketmaster.com/discovery/v2";
pub const SPOTIFY_DEFAULT_API_BASE_URL: &str = "https://api.spotify.com";
pub const SPOTIFY_DEFAULT_ACCOUNTS_BASE_URL: &str = "https://accounts.spotify.com";

/// The default cap on one response body: 4 MiB (a setlist.fm page of 20 setlists or a Spotify
/// page of 50 items is well under 200 KiB). Ticketmaster's is [`TICKETMASTER_MAX_BODY_BYTES`].
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Ticketmaster's cap on one response body: 16 MiB (a page of 200 events, each with its venues,
/// attractions and images, is a few MiB).
pub const TICKETMASTER_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Requests of one Ticketmaster listing (`Ticketmaster::upcoming_events`, across its date
/// windows): 50, that is 10,000 events at 200 a page.
pub const TICKETMASTER_MAX_PAGES: u32 = 50;
/// The highest setlist.fm page asked for: 250, that is 5,000 setlists at 20 a page (the
/// longest histories on setlist.fm are about half that).
pub const SETLISTFM_MAX_PAGES: u32 = 250;
/// The default paging bound, Spotify's: 200 requests of one listing (`artist_albums`,
/// `album_tracks`), that is 10,000 items at 50 a page.
pub const DEFAULT_MAX_PAGES: u32 = 200;

/// setlist.fm's standard key: about 1,440 requests a day.
pub const SETLISTFM_DAILY_QUOTA: u32 = 1_440;
/// Ticketmaster's Discovery API: 5,000 calls a day.
pub const TICKETMASTER_DAILY_QUOTA: u32 = 5_000;

/// One provider's limits, as a [`Budget`] enforces them for every process sharing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests per second, spaced evenly (no bursts).
    pub requests_per_second: f64,
    /// Requests per UTC day; `None`: no daily quota (Spotify publishes none: its limit is a
    /// rolling window, answered with 429 and `Retry-After`, which the transport honours).
    pub daily_quota: Option<u32>,
}

/// Why a [`Budget`] lets no request go now.
#[derive(Debug, Clone, PartialEq)]
pub enum Wait {
    /// The day's quota is used up: the next request may go once it resets, this long from now.
    /// The call fails with `ProviderError::RateLimited { retry_after: Some(resets_in) }`, so
    /// the job is retried after the reset rather than failed.
    QuotaExhausted { resets_in: Duration },
    /// The budget could not be consulted (its store is unreachable): the call fails as
    /// `Unavailable`, and the job is retried with backoff. Nothing is sent unbudgeted.
    Unavailable(String),
}

/// What [`Budget::acquire`] returns.
pub type Acquire<'a> = Pin<Box<dyn Future<Output = Result<(), Wait>> + Send + 'a>>;

/// A rate limit and daily quota shared beyond this process (the worker's is in PostgreSQL:
/// `theset_tasks::budget`). The transport calls [`Budget::acquire`] before every request it
/// sends, retries included; without a budget it spaces requests with its own in-process
/// limiter at `requests_per_second`.
pub trait Budget: Send + Sync {
    /// Resolves when `provider` may send one request: it has waited for the provider's next
    /// free slot (shared by every process) and counted the request against the day's quota;
    /// or fails with why not.
    fn acquire(&self, provider: Provider, limits: Limits) -> Acquire<'_>;
}

/// How one provider is reached: where, how fast, how patiently, how much it may send.
#[derive(Clone)]
pub struct HttpSettings {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Requests per second, spaced evenly (no bursts): by `budget` for every process sharing
    /// it, or within this process without one.
    pub requests_per_second: f64,
    /// Requests per UTC day, enforced by `budget` (ignored without one).
    pub daily_quota: Option<u32>,
    /// The shared budget asked before every request (`None`: in-process spacing only).
    pub budget: Option<Arc<dyn Budget>>,
    pub connect_timeout: Duration,
    /// Limit on waiting for the next bytes of a response.
    pub read_timeout: Duration,
    /// Limit on a whole request, body included.
    pub request_timeout: Duration,
    /// Retries after a 429 or a 5xx (or a timeout) before giving up with a classified error.
    pub max_retries: u32,
    /// First back-off after a 5xx; doubled on each retry.
    pub initial_backoff: Duration,
    /// Longest wait this client accepts inside one call: a longer `Retry-After` is handed back to
    /// the caller (`ProviderError::RateLimited { retry_after }`) to reschedule the job instead.
    /// (`Retry-After` itself is capped at `MAX_RETRY_AFTER` whatever this says.)
    pub max_retry_wait: Duration,
    /// The largest response body read: past it reading stops and the call fails with
    /// `ProviderError::BodyTooLarge` (error bodies are cut at 64 KiB instead, silently).
    pub max_body_bytes: usize,
    /// Requests one listing call makes (or, for setlist.fm's page-numbered calls, the highest
    /// page asked for) while the provider says there is more: past it the call fails with
    /// `ProviderError::TooManyPages`.
    pub max_pages: u32,
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            // A proxy's URL may carry credentials.
            .field("base_url", &redact(&self.base_url))
            .field("requests_per_second", &self.requests_per_second)
            .field("daily_quota", &self.daily_quota)
            .field("budget", &self.budget.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl HttpSettings {
    /// The limits a budget enforces for this provider.
    pub fn limits(&self) -> Limits {
        Limits {
            requests_per_second: self.requests_per_second,
            daily_quota: self.daily_quota,
        }
    }

    pub fn new(base_url: &str, requests_per_second: f64) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            requests_per_second,
            daily_quota: None,
            budget: None,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// `Debug` shows `api_key` as `[redacted]`.
#[derive(Clone)]
pub struct SetlistFmConfig {
    pub api_key: String,
    pub http: HttpSettings,
}

/// `Debug` shows `api_key` as `[redacted]`.
#[derive(Clone)]
pub struct TicketmasterConfig {
    pub api_key: String,
    pub http: HttpSettings,
    /// Events per page (Ticketmaster allows up to 200).
    pub page_size: u32,
    /// Ticketmaster refuses `size * page >= 1000`; past it the import starts a new date window.
    pub deep_paging_limit: u32,
}

/// `Debug` shows `client_id` and `client_secret` as `[redacted]`.
#[derive(Clone)]
pub struct SpotifyConfig {
    pub client_id: String,
    pub client_secret: String,
    pub http: HttpSettings,
    pub accounts_base_url: String,
    /// Market for top tracks (ISO 3166-1 alpha-2).
    pub market: String,
}

impl fmt::Debug for SetlistFmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetlistFmConfig")
            .field("api_key", &REDACTED)
            .field("http", &self.http)
            .finish()
    }
}

impl fmt::Debug for TicketmasterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketmasterConfig")
            .field("api_key", &REDACTED)
            .field("http", &self.http)
            .field("page_size", &self.page_size)
            .field("deep_paging_limit", &self.deep_paging_limit)
            .finish()
    }
}

impl fmt::Debug for SpotifyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpotifyConfig")
            .field("client_id", &REDACTED)
            .field("client_secret", &REDACTED)
            .field("http", &self.http)
            .field("accounts_base_url", &redact(&self.accounts_base_url))
            .field("market", &self.market)
            .finish()
    }
}

impl SetlistFmConfig {
    /// setlist.fm's standard key allows about 2 requests/s.
    pub fn new(api_key: &str, base_url: &str) -> Self {
        let mut http = HttpSettings::new(base_url, 2.0);
        http.max_pages = SETLISTFM_MAX_PAGES;
        http.daily_quota = Some(SETLISTFM_DAILY_QUOTA);
        Self {
            api_key: api_key.to_owned(),
            http,
        }
    }

    /// `SETLISTFM_API_KEY`, `SETLISTFM_BASE_URL`; `None` (with a warning) without a key.
    pub fn from_env() -> Option<Self> {
        Self::from_lookup(env)
    }

    /// As `from_env`, reading settings through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let key = required(&lookup, Provider::SetlistFm, "SETLISTFM_API_KEY")?;
        Some(Self::new(
            &key,
            &var_or(&lookup, "SETLISTFM_BASE_URL", SETLISTFM_DEFAULT_BASE_URL),
        ))
    }
}

impl TicketmasterConfig {
    /// The Discovery API allows 5 requests/s.
    pub fn new(api_key: &str, base_url: &str) -> Self {
        let mut http = HttpSettings::new(base_url, 5.0);
        http.daily_quota = Some(TICKETMASTER_DAILY_QUOTA);
        http.max_body_bytes = TICKETMASTER_MAX_BODY_BYTES;
        http.max_pages = TICKETMASTER_MAX_PAGES;
        Self {
            api_key: api_key.to_owned(),
            http,
            page_size: 200,
            deep_paging_limit: 1000,
        }
    }

    /// `TICKETMASTER_API_KEY`, `TICKETMASTER_BASE_URL`; `None` (with a warning) without a key.
    pub fn from_env() -> Option<Self> {
        Self::from_lookup(env)
    }

    /// As `from_env`, reading settings through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let key = required(&lookup, Provider::Ticketmaster, "TICKETMASTER_API_KEY")?;
        Some(Self::new(
            &key,
            &var_or(
                &lookup,
                "TICKETMASTER_BASE_URL",
                TICKETMASTER_DEFAULT_BASE_URL,
            ),
        ))
    }
}

impl SpotifyConfig {
    /// Spotify publishes no fixed rate (a rolling 30-second window): 3 requests/s stays well
    /// inside it.
    pub fn new(client_id: &str, client_secret: &str, api_base_url: &str, accounts: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            http: HttpSettings::new(api_base_url, 3.0),
            accounts_base_url: accounts.trim_end_matches('/').to_owned(),
            market: "US".to_owned(),
        }
    }

    /// `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET`, `SPOTIFY_API_BASE_URL`,
    /// `SPOTIFY_ACCOUNTS_BASE_URL`; `None` (with a warning) without the id or the secret.
    pub fn from_env() -> Option<Self> {
        Self::from_lookup(env)
    }

    /// As `from_env`, reading settings through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let id = required(&lookup, Provider::Spotify, "SPOTIFY_CLIENT_ID");
        let secret = required(&lookup, Provider::Spotify, "SPOTIFY_CLIENT_SECRET");
        Some(Self::new(
            &id?,
            &secret?,
            &var_or(
                &lookup,
                "SPOTIFY_API_BASE_URL",
                SPOTIFY_DEFAULT_API_BASE_URL,
            ),
            &var_or(
                &lookup,
                "SPOTIFY_ACCOUNTS_BASE_URL",
                SPOTIFY_DEFAULT_ACCOUNTS_BASE_URL,
            ),
        ))
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn var_or(lookup: &impl Fn(&str) -> Option<String>, name: &str, default: &str) -> String {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    provider: Provider,
    name: &str,
) -> Option<String> {
    let value = lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    if value.is_none() {
        tracing::warn!(
            provider = %provider,
            "{name} is not set: {provider} is disabled (its imports are skipped)"
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn a_missing_key_disables_the_provider() {
        assert!(SetlistFmConfig::from_lookup(lookup(&[])).is_none());
        assert!(SetlistFmConfig::from_lookup(lookup(&[("SETLISTFM_API_KEY", "  ")])).is_none());
        assert!(TicketmasterConfig::from_lookup(lookup(&[])).is_none());
        // Spotify needs both halves of its credentials.
        assert!(SpotifyConfig::from_lookup(lookup(&[("SPOTIFY_CLIENT_ID", "id")])).is_none());
    }

    #[test]
    fn base_urls_default_to_the_real_apis() {
        let sfm = SetlistFmConfig::from_lookup(lookup(&[("SETLISTFM_API_KEY", "k")])).unwrap();
        assert_eq!(sfm.http.base_url, SETLISTFM_DEFAULT_BASE_URL);
        assert_eq!(sfm.http.requests_per_second, 2.0);
        let tm = TicketmasterConfig::from_lookup(lookup(&[
            ("TICKETMASTER_API_KEY", "k"),
            ("TICKETMASTER_BASE_URL", "http://127.0.0.1:9/discovery/v2/"),
        ]))
        .unwrap();
        assert_eq!(tm.http.base_url, "http://127.0.0.1:9/discovery/v2");
        assert_eq!(tm.http.requests_per_second, 5.0);
        let spotify = SpotifyConfig::from_lookup(lookup(&[
            ("SPOTIFY_CLIENT_ID", "id"),
            ("SPOTIFY_CLIENT_SECRET", "secret"),
        ]))
        .unwrap();
        assert_eq!(spotify.http.base_url, SPOTIFY_DEFAULT_API_BASE_URL);
        assert_eq!(spotify.accounts_base_url, SPOTIFY_DEFAULT_ACCOUNTS_BASE_URL);
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let sfm = SetlistFmConfig::new("sfm-SECRET-1234", "https://api.setlist.fm/rest/1.0");
        let tm = TicketmasterConfig::new("tm-SECRET-1234", "https://proxy:pr0xyPW@tm.example/v2");
        let spotify = SpotifyConfig::new(
            "spotify-ID-1234",
            "spotify-SECRET-1234",
            "https://api.spotify.com",
            "https://accounts.spotify.com",
        );
        for text in [
            format!("{sfm:?}"),
            format!("{tm:?}"),
            format!("{spotify:?}"),
            format!("{sfm:#?}{tm:#?}{spotify:#?}"),
        ] {
            for secret in [
                "sfm-SECRET-1234",
                "tm-SECRET-1234",
                "spotify-ID-1234",
                "spotify-SECRET-1234",
                "pr0xyPW",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            assert!(text.contains("[redacted]"), "{text}");
        }
        // The rest is still there to debug with.
        assert!(format!("{tm:?}").contains("tm.example/v2"));
        assert!(format!("{sfm:?}").contains("requests_per_second: 2.0"));
    }
}

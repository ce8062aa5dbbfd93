//! Settings from the environment. A provider whose key is missing is disabled (a warning is
//! logged), never an error: the rest of TheSet works without it.

use std::time::Duration;

use crate::Provider;

pub const SETLISTFM_DEFAULT_BASE_URL: &str = "https://api.setlist.fm/rest/1.0";
pub const TICKETMASTER_DEFAULT_BASE_URL: &str = "https://app.ticketmaster.com/discovery/v2";
pub const SPOTIFY_DEFAULT_API_BASE_URL: &str = "https://api.spotify.com";
pub const SPOTIFY_DEFAULT_ACCOUNTS_BASE_URL: &str = "https://accounts.spotify.com";

/// How one provider is reached: where, how fast, how patiently.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Requests per second, spaced evenly (no bursts).
    pub requests_per_second: f64,
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
    pub max_retry_wait: Duration,
}

impl HttpSettings {
    pub fn new(base_url: &str, requests_per_second: f64) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            requests_per_second,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SetlistFmConfig {
    pub api_key: String,
    pub http: HttpSettings,
}

#[derive(Debug, Clone)]
pub struct TicketmasterConfig {
    pub api_key: String,
    pub http: HttpSettings,
    /// Events per page (Ticketmaster allows up to 200).
    pub page_size: u32,
    /// Ticketmaster refuses `size * page >= 1000`; past it the import starts a new date window.
    pub deep_paging_limit: u32,
}

#[derive(Debug, Clone)]
pub struct SpotifyConfig {
    pub client_id: String,
    pub client_secret: String,
    pub http: HttpSettings,
    pub accounts_base_url: String,
    /// Market for top tracks (ISO 3166-1 alpha-2).
    pub market: String,
}

impl SetlistFmConfig {
    /// setlist.fm's standard key allows about 2 requests/s.
    pub fn new(api_key: &str, base_url: &str) -> Self {
        Self {
            api_key: api_key.to_owned(),
            http: HttpSettings::new(base_url, 2.0),
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
        Self {
            api_key: api_key.to_owned(),
            http: HttpSettings::new(base_url, 5.0),
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
}

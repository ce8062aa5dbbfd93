//! One provider's HTTP plumbing: a shared reqwest client, its rate limiter, bounded retries on
//! 429 and 5xx (honouring `Retry-After`), and the classification of failures.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::Provider;
use crate::config::HttpSettings;
use crate::error::{ProviderError, Result};

#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) provider: Provider,
    pub(crate) client: Client,
    limiter: DefaultDirectRateLimiter,
    pub(crate) settings: HttpSettings,
}

/// What a request came back as, before decoding.
pub(crate) enum Outcome {
    Success(Response),
    /// A classified failure that a retry will not fix here.
    Failed(ProviderError),
}

impl Transport {
    pub(crate) fn new(provider: Provider, settings: &HttpSettings) -> Result<Self> {
        // reqwest is built without a bundled crypto provider: use ring, as the rest of the
        // workspace does. Installing is set-once per process; a second call changes nothing.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("TheSet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Unavailable {
                provider,
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            provider,
            client,
            limiter: RateLimiter::direct(quota(settings.requests_per_second)),
            settings: settings.clone(),
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.settings.base_url,
            path.trim_start_matches('/')
        )
    }

    /// Sends a request (rebuilt by `build` for every attempt) and decodes its JSON body.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        what: &str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<T> {
        let response = self.send(what, build).await?;
        self.decode(what, response).await
    }

    pub(crate) async fn decode<T: DeserializeOwned>(
        &self,
        what: &str,
        response: Response,
    ) -> Result<T> {
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(what, &e))?;
        let mut deserializer = serde_json::Deserializer::from_slice(&body);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| ProviderError::Decode {
            provider: self.provider,
            what: what.to_owned(),
            message: e.to_string(),
        })
    }

    /// Sends with the rate limit, retrying 429, 5xx and transport failures up to
    /// `max_retries` times; answers the 2xx response or a classified error.
    pub(crate) async fn send(
        &self,
        what: &str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            self.limiter.until_ready().await;
            let (error, wait) = match build(&self.client).send().await {
                Ok(response) => match self.classify(what, response).await {
                    Outcome::Success(response) => return Ok(response),
                    Outcome::Failed(error) => {
                        let wait = match &error {
                            ProviderError::RateLimited { retry_after, .. } => {
                                Some(retry_after.unwrap_or_else(|| self.backoff(attempt)))
                            }
                            ProviderError::Unavailable { .. } => Some(self.backoff(attempt)),
                            _ => None,
                        };
                        (error, wait)
                    }
                },
                Err(e) => (self.transport_error(what, &e), Some(self.backoff(attempt))),
            };
            match wait {
                Some(wait)
                    if attempt < self.settings.max_retries
                        && wait <= self.settings.max_retry_wait =>
                {
                    tracing::debug!(provider = %self.provider, what, attempt, ?wait, %error, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return Err(error),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.settings
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.settings.max_retry_wait)
    }

    fn transport_error(&self, what: &str, error: &reqwest::Error) -> ProviderError {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        ProviderError::Unavailable {
            provider: self.provider,
            message: format!("{what}: {kind}: {error}"),
        }
    }

    async fn classify(&self, what: &str, response: Response) -> Outcome {
        let status = response.status();
        if status.is_success() {
            return Outcome::Success(response);
        }
        let provider = self.provider;
        let retry_after = retry_after(response.headers());
        let body = response.text().await.unwrap_or_default();
        let message = snippet(&body);
        Outcome::Failed(match status {
            StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited {
                provider,
                retry_after,
            },
            StatusCode::UNAUTHORIZED => ProviderError::BadKey { provider, message },
            StatusCode::FORBIDDEN => ProviderError::Forbidden { provider, message },
            StatusCode::NOT_FOUND => ProviderError::NotFound {
                provider,
                what: what.to_owned(),
            },
            s if s.is_server_error() => ProviderError::Unavailable {
                provider,
                message: format!("{what}: HTTP {}: {message}", s.as_u16()),
            },
            s => ProviderError::BadRequest {
                provider,
                status: s.as_u16(),
                message: format!("{what}: {message}"),
            },
        })
    }
}

/// An even spacing of `per_second` requests, without bursts.
fn quota(per_second: f64) -> Quota {
    let per_second = if per_second.is_finite() && per_second > 0.0 {
        per_second
    } else {
        1.0
    };
    let period = Duration::from_secs_f64(1.0 / per_second);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN)
}

/// `Retry-After` as seconds (`120`, also `1.5`) or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

fn snippet(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(300) {
        Some((cut, _)) => format!("{}...", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn quota_spaces_requests_evenly() {
        let two = quota(2.0);
        assert_eq!(two.replenish_interval(), Duration::from_millis(500));
        assert_eq!(two.burst_size().get(), 1);
        assert_eq!(quota(0.0).replenish_interval(), Duration::from_secs(1));
    }
}

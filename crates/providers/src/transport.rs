//! One provider's HTTP plumbing: a shared reqwest client, its rate limiter (or the shared
//! budget, `HttpSettings::budget`, asked before every request), bounded retries on
//! 429 and 5xx (honouring `Retry-After`, capped at [`MAX_RETRY_AFTER`]), capped response bodies
//! (`HttpSettings::max_body_bytes`), the paging bound (`HttpSettings::max_pages`), the
//! classification of failures, and the redaction of every message they carry (`crate::redact`).
//! Each rule is implemented here once; the clients only call it.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::Provider;
use crate::config::{HttpSettings, Wait};
use crate::error::{ProviderError, Result};
use crate::redact::Secrets;

/// The longest wait a provider's `Retry-After` can ask for: one hour, the job queue's own
/// longest backoff. A longer value (seconds or an HTTP date, say `10^12` or the year 9999) is
/// read as this, so a job is parked for an hour at most; the next attempt asks again.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How much of an error response's body is read (for its message): 64 KiB; the rest is left
/// unread.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) provider: Provider,
    pub(crate) client: Client,
    limiter: DefaultDirectRateLimiter,
    pub(crate) settings: HttpSettings,
    /// The client's own key, secret, ...: never in a message.
    secrets: Secrets,
}

/// What a request came back as, before decoding.
pub(crate) enum Outcome {
    Success(Response),
    /// A classified failure that a retry will not fix here.
    Failed(ProviderError),
}

impl Transport {
    /// `secrets` are the values (keys, client credentials) no message may carry.
    pub(crate) fn new(
        provider: Provider,
        settings: &HttpSettings,
        secrets: &[&str],
    ) -> Result<Self> {
        let secrets = Secrets::new(secrets);
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
                message: secrets.clean(&format!("cannot build the HTTP client: {e}")),
            })?;
        Ok(Self {
            provider,
            client,
            limiter: RateLimiter::direct(quota(settings.requests_per_second)),
            settings: settings.clone(),
            secrets,
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
        let body = self.read_body(what, response).await?;
        let mut deserializer = serde_json::Deserializer::from_slice(&body);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| ProviderError::Decode {
            provider: self.provider,
            what: what.to_owned(),
            // serde quotes the offending value, which may be anything the provider sent.
            message: self.secrets.clean(&e.to_string()),
        })
    }

    /// The whole body, at most `max_body_bytes` of it: a longer one (by its `Content-Length`,
    /// or as it streams in) is `BodyTooLarge`, and reading stops there.
    async fn read_body(&self, what: &str, mut response: Response) -> Result<Vec<u8>> {
        let limit = self.settings.max_body_bytes;
        let too_large = || ProviderError::BodyTooLarge {
            provider: self.provider,
            what: what.to_owned(),
            limit,
        };
        let announced = response.content_length().unwrap_or(0);
        if u64::try_from(limit).is_ok_and(|limit| announced > limit) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(what, e))?
        {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The paging bound: `page` is the 1-based number of the request a listing is about to
    /// make (or the page number it asks for); past `max_pages` it is `TooManyPages`, before any
    /// request.
    pub(crate) fn check_page(&self, what: &str, page: u32) -> Result<()> {
        let bound = self.settings.max_pages.max(1);
        if page > bound {
            return Err(ProviderError::TooManyPages {
                provider: self.provider,
                what: what.to_owned(),
                pages: bound,
            });
        }
        Ok(())
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
            self.wait_for_budget().await?;
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
                Err(e) => (self.transport_error(what, e), Some(self.backoff(attempt))),
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

    /// The rate limit before each request: the shared budget when there is one (every process
    /// spaced together, the daily quota counted), else this process's own limiter.
    async fn wait_for_budget(&self) -> Result<()> {
        let Some(budget) = &self.settings.budget else {
            self.limiter.until_ready().await;
            return Ok(());
        };
        match budget.acquire(self.provider, self.settings.limits()).await {
            Ok(()) => Ok(()),
            Err(Wait::QuotaExhausted { resets_in }) => {
                tracing::info!(provider = %self.provider, ?resets_in, "daily quota used up");
                Err(ProviderError::RateLimited {
                    provider: self.provider,
                    retry_after: Some(resets_in),
                })
            }
            Err(Wait::Unavailable(message)) => Err(ProviderError::Unavailable {
                provider: self.provider,
                message: self
                    .secrets
                    .clean(&format!("the shared request budget: {message}")),
            }),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.settings
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.settings.max_retry_wait)
    }

    /// A failure to send or to read. The URL (with Ticketmaster's key in its query string) is
    /// dropped from reqwest's error before it becomes text; its causes (`Connection refused`,
    /// ...) are kept.
    fn transport_error(&self, what: &str, error: reqwest::Error) -> ProviderError {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        let error = error.without_url();
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        ProviderError::Unavailable {
            provider: self.provider,
            message: self.secrets.clean(&format!("{what}: {kind}: {text}")),
        }
    }

    async fn classify(&self, what: &str, response: Response) -> Outcome {
        let status = response.status();
        if status.is_success() {
            return Outcome::Success(response);
        }
        let provider = self.provider;
        let retry_after = retry_after(response.headers());
        let body = error_body(response).await;
        // An error body may echo the request (its URL, its headers) back.
        let message = self.secrets.clean(&snippet(&body));
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

/// The start of an error response's body (at most [`MAX_ERROR_BODY_BYTES`]), for its message.
async fn error_body(mut response: Response) -> String {
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ERROR_BODY_BYTES - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// `Retry-After` as seconds (`120`, also `1.5`) or an HTTP date, capped at
/// [`MAX_RETRY_AFTER`]; negative, `NaN` or unreadable values are `None`.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        // Negative and NaN are refused; infinity and 10^300 are "very long": the cap.
        if seconds.is_nan() || seconds < 0.0 {
            return None;
        }
        return Some(
            Duration::try_from_secs_f64(seconds)
                .unwrap_or(MAX_RETRY_AFTER)
                .min(MAX_RETRY_AFTER),
        );
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or_default()
            .min(MAX_RETRY_AFTER),
    )
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
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-5"));
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("NaN"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retry_after_is_capped_without_overflowing() {
        let mut headers = HeaderMap::new();
        for huge in [
            "3601",
            "1000000000000",
            "18446744073709551616",
            "1e300",
            "inf",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(huge));
            assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER), "{huge}");
        }
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3600)));
        // A date in the past: now.
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
    }

    #[test]
    fn quota_spaces_requests_evenly() {
        let two = quota(2.0);
        assert_eq!(two.replenish_interval(), Duration::from_millis(500));
        assert_eq!(two.burst_size().get(), 1);
        assert_eq!(quota(0.0).replenish_interval(), Duration::from_secs(1));
    }
}

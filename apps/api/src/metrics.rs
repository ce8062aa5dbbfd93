//! Prometheus metrics at `/metrics` (text format 0.0.4): request counts and latency histograms
//! per route pattern, the connection pool's usage, and the show cache's size and lookups. Kept in
//! memory by this process.
//!
//! **Bounded labels.** A request is labelled by its route's pattern (`/v1/shows/{key}`, never
//! the raw path), a path no route matched by the one label `unmatched`, and its method by its
//! name only when it is one of the nine standard methods (anything else is `other`): whatever
//! a client sends, the series are at most routes x 10 methods x the statuses the API answers.
//!
//! **Who may read them** (`crate::config::MetricsConfig`; apps/api/README.md, "Metrics"):
//! - nothing configured (the default): `/metrics` answers 404 on the API's bind; the numbers
//!   are still kept, for when a deployment turns scraping on;
//! - `METRICS_TOKEN`: `/metrics` on the API's bind answers only with
//!   `Authorization: Bearer <token>` (401 otherwise);
//! - `METRICS_BIND`: a listener of its own ([`app`]) serves only `/metrics`, open unless
//!   `METRICS_TOKEN` is set too (then it asks for the token as well). Bind it to an address only
//!   the scraper reaches (`127.0.0.1:9090`, a private interface).

use crate::replica::ReplicaStatus;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, ResponseError, get, web};

use crate::cache::CacheStats;
use crate::error::ApiError;

use crate::state::AppState;

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Debug, Default)]
struct Latency {
    /// Observations at or under each bound of `BUCKETS`.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Series {
    /// Requests by status code, per (method, route).
    statuses: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Latency>,
}

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// The method label of a request whose method is not one of the standard nine.
pub const OTHER_METHOD: &str = "other";

#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
    /// `METRICS_TOKEN`; `None`: `/metrics` is not served on the API's bind.
    token: Option<String>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// A method's label: its name when standard, [`OTHER_METHOD`] otherwise (a client may send any
/// token as a method; each would be a new series).
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => OTHER_METHOD,
    }
}

impl Metrics {
    /// Metrics read with `token` (`METRICS_TOKEN`); `None` keeps `/metrics` off the API's bind.
    pub fn new(token: Option<String>) -> Self {
        Self {
            series: Mutex::default(),
            token,
        }
    }

    /// Counts a request. `route` is its pattern, or [`UNMATCHED`]; the method is labelled by
    /// [`method_label`].
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let seconds = elapsed.as_secs_f64();
        let mut series = self
            .series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *series
            .statuses
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let latency = series
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        for (bound, bucket) in BUCKETS.iter().zip(latency.buckets.iter_mut()) {
            if seconds <= *bound {
                *bucket += 1;
            }
        }
        latency.count += 1;
        latency.sum += seconds;
    }

    /// The Prometheus text exposition of everything observed, plus the pool's and the cache's
    /// state.
    pub fn render(
        &self,
        pool: &theset_database::DbPool,
        cache: &CacheStats,
        replica: Option<ReplicaStatus>,
    ) -> String {
        let mut out = String::new();
        let series = self
            .series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str("# HELP theset_http_requests_total HTTP requests answered, by route pattern and status.\n");
        out.push_str("# TYPE theset_http_requests_total counter\n");
        for ((method, route, status), count) in &series.statuses {
            let _ = writeln!(
                out,
                "theset_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP theset_http_request_duration_seconds Time to answer, by route pattern.\n",
        );
        out.push_str("# TYPE theset_http_request_duration_seconds histogram\n");
        for ((method, route), latency) in &series.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, bucket) in BUCKETS.iter().zip(latency.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "theset_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {bucket}"
                );
            }
            let _ = writeln!(
                out,
                "theset_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                latency.count
            );
            let _ = writeln!(
                out,
                "theset_http_request_duration_seconds_sum{{{labels}}} {}",
                latency.sum
            );
            let _ = writeln!(
                out,
                "theset_http_request_duration_seconds_count{{{labels}}} {}",
                latency.count
            );
        }
        drop(series);
        let status = pool.status();
        out.push_str("# HELP theset_db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE theset_db_pool_connections gauge\n");
        let in_use = status.size.saturating_sub(status.available);
        for (state, value) in [
            ("max", status.max_size),
            ("open", status.size),
            ("idle", status.available),
            ("in_use", in_use),
        ] {
            let _ = writeln!(
                out,
                "theset_db_pool_connections{{state=\"{state}\"}} {value}"
            );
        }
        out.push_str("# HELP theset_db_pool_waiting Requests waiting for a pooled connection.\n");
        out.push_str("# TYPE theset_db_pool_waiting gauge\n");
        let _ = writeln!(out, "theset_db_pool_waiting {}", status.waiting);
        cache_metrics(&mut out, cache);
        if let Some(replica) = replica {
            replica_metrics(&mut out, replica);
        }
        out
    }
}

/// The read replica (`crate::replica`), when DATABASE_READ_URL is set.
fn replica_metrics(out: &mut String, replica: ReplicaStatus) {
    out.push_str("# HELP theset_read_replica_lag_seconds How far the standby is behind the primary (NaN: not known, so not read).\n");
    out.push_str("# TYPE theset_read_replica_lag_seconds gauge\n");
    let lag = replica
        .lag
        .map_or_else(|| "NaN".to_owned(), |lag| lag.as_secs_f64().to_string());
    let _ = writeln!(out, "theset_read_replica_lag_seconds {lag}");
    out.push_str("# HELP theset_read_replica_serving Whether public reads go to the standby now (lag within DATABASE_READ_MAX_LAG_MS).\n");
    out.push_str("# TYPE theset_read_replica_serving gauge\n");
    let _ = writeln!(
        out,
        "theset_read_replica_serving {}",
        u8::from(replica.serving)
    );
    out.push_str(
        "# HELP theset_public_reads_total Public reads, by the server that answered them.\n",
    );
    out.push_str("# TYPE theset_public_reads_total counter\n");
    for (server, value) in [
        ("standby", replica.reads_on_standby),
        ("primary", replica.reads_on_primary),
    ] {
        let _ = writeln!(
            out,
            "theset_public_reads_total{{server=\"{server}\"}} {value}"
        );
    }
}

/// The show cache (`crate::cache`): what it holds against its bound, and how reads went.
fn cache_metrics(out: &mut String, cache: &CacheStats) {
    out.push_str("# HELP theset_show_cache_entries Entries held in memory, by kind; max: SHOW_CACHE_MAX_ENTRIES, max_search: SEARCH_CACHE_MAX_ENTRIES (0: off).\n");
    out.push_str("# TYPE theset_show_cache_entries gauge\n");
    for (kind, value) in [
        ("page", cache.pages),
        ("trending", cache.trending),
        ("search", cache.searches),
        ("max", cache.max_pages),
        ("max_search", cache.max_searches),
    ] {
        let _ = writeln!(out, "theset_show_cache_entries{{kind=\"{kind}\"}} {value}");
    }
    out.push_str("# HELP theset_show_cache_bytes Bytes of the bodies held.\n");
    out.push_str("# TYPE theset_show_cache_bytes gauge\n");
    let _ = writeln!(out, "theset_show_cache_bytes {}", cache.bytes);
    out.push_str("# HELP theset_show_cache_lookups_total Show page, trending and search reads: from memory (hit), from the database (miss), from the database while the realtime listener cannot vouch for memory (bypass).\n");
    out.push_str("# TYPE theset_show_cache_lookups_total counter\n");
    for (result, value) in [
        ("hit", cache.hits),
        ("miss", cache.misses),
        ("bypass", cache.bypasses),
    ] {
        let _ = writeln!(
            out,
            "theset_show_cache_lookups_total{{result=\"{result}\"}} {value}"
        );
    }
    out.push_str("# HELP theset_show_cache_invalidations_total Entries dropped because what they show changed.\n");
    out.push_str("# TYPE theset_show_cache_invalidations_total counter\n");
    let _ = writeln!(
        out,
        "theset_show_cache_invalidations_total {}",
        cache.invalidations
    );
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// How many series `theset_http_requests_total` has (what a flood of odd requests could
    /// grow).
    pub fn series_count(&self) -> usize {
        self.series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .statuses
            .len()
    }

    /// Whether `req` may read the metrics: with no token configured, anyone who reaches the
    /// listener (the metrics bind only); with one, `Authorization: Bearer <token>`.
    fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(ApiError::unauthorized(
                "the metrics need Authorization: Bearer <METRICS_TOKEN>",
            )),
        }
    }
}

/// Compares without an early exit, so the time taken says nothing of how much of a guess was
/// right (the length may show; the token is long and random).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn exposition(state: &AppState) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(
            &state.pool,
            &state.cache.stats(),
            state.replica.as_ref().map(|r| r.status()),
        ))
}

fn refused(error: &ApiError) -> HttpResponse {
    let mut response = error.error_response();
    if error.status() == actix_web::http::StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
    }
    response
}

/// `/metrics` on the API's own bind: 404 unless `METRICS_TOKEN` is set, and then only with the
/// token (401 without it). A separate `METRICS_BIND` serves [`app`] instead.
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.metrics.token.is_none() {
        // As any path no route takes: nothing says metrics exist here.
        return ApiError::not_found("no such route").error_response();
    }
    match state.metrics.check(&req) {
        Ok(()) => exposition(&state),
        Err(error) => refused(&error),
    }
}

async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match state.metrics.check(&req) {
        Ok(()) => exposition(&state),
        Err(error) => refused(&error),
    }
}

/// The application of `METRICS_BIND`: `GET /metrics` (the token asked for when one is set),
/// 404 for anything else. Its own requests are not counted.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .route("/metrics", web::get().to(scrape))
        .default_service(web::to(|| async {
            ApiError::not_found("this listener serves only GET /metrics").error_response()
        }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let recorded = Metrics::default();
        recorded.observe("GET", "/v1/shows/{key}", 200, Duration::from_millis(3));
        recorded.observe("GET", "/v1/shows/{key}", 404, Duration::from_millis(30));
        let config =
            theset_database::DatabaseConfig::from_url("postgres://x@127.0.0.1:1/x").unwrap();
        let cache = CacheStats {
            pages: 3,
            max_pages: 4096,
            bytes: 1200,
            ..CacheStats::default()
        };
        let replica = ReplicaStatus {
            lag: Some(Duration::from_millis(250)),
            serving: true,
            reads_on_standby: 7,
            reads_on_primary: 2,
        };
        let text = recorded.render(&config.build_pool().unwrap(), &cache, Some(replica));
        assert!(text.contains("theset_read_replica_lag_seconds 0.25\n"));
        assert!(text.contains("theset_read_replica_serving 1\n"));
        assert!(text.contains("theset_public_reads_total{server=\"standby\"} 7\n"));
        assert!(text.contains("theset_public_reads_total{server=\"primary\"} 2\n"));
        assert!(text.contains(
            "theset_http_requests_total{method=\"GET\",route=\"/v1/shows/{key}\",status=\"404\"} 1"
        ));
        assert!(text.contains("route=\"/v1/shows/{key}\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/v1/shows/{key}\",le=\"0.05\"} 2"));
        assert!(text.contains(
            "theset_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/shows/{key}\"} 2"
        ));
        assert!(text.contains("theset_db_pool_connections{state=\"max\"}"));
        assert!(text.contains("theset_show_cache_entries{kind=\"page\"} 3"));
        assert!(text.contains("theset_show_cache_entries{kind=\"max\"} 4096"));
        assert!(text.contains("theset_show_cache_bytes 1200"));
    }

    #[test]
    fn odd_methods_share_one_label() {
        let recorded = Metrics::default();
        for i in 0..50 {
            recorded.observe(
                &format!("BREW{i}"),
                UNMATCHED,
                404,
                Duration::from_millis(1),
            );
        }
        recorded.observe("GET", UNMATCHED, 404, Duration::from_millis(1));
        assert_eq!(recorded.series_count(), 2);
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("get"), OTHER_METHOD);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}

//! Prometheus metrics at `/metrics` (text format 0.0.4): request counts and latency histograms
//! per route pattern (`/v1/shows/{key}`, never the raw path, so the label set stays bounded),
//! and the connection pool's usage. Kept in memory by this process.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{HttpResponse, get, web};

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

#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
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

    /// The Prometheus text exposition of everything observed, plus the pool's state.
    pub fn render(&self, pool: &theset_database::DbPool) -> String {
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
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Prometheus scrape endpoint. Serve it only where the scraper can reach it (it is public here).
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.pool))
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
        let text = recorded.render(&config.build_pool().unwrap());
        assert!(text.contains(
            "theset_http_requests_total{method=\"GET\",route=\"/v1/shows/{key}\",status=\"404\"} 1"
        ));
        assert!(text.contains("route=\"/v1/shows/{key}\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/v1/shows/{key}\",le=\"0.05\"} 2"));
        assert!(text.contains(
            "theset_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/shows/{key}\"} 2"
        ));
        assert!(text.contains("theset_db_pool_connections{state=\"max\"}"));
    }
}

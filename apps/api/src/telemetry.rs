//! Logs: one span per request carrying its request id (the caller's `x-request-id` when it is
//! sane, a new UUID otherwise), so every line a request logs can be found by that id; the id is
//! echoed in the response.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;

use crate::state::AppState;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id taken from a caller; longer or odd ones are replaced.
const MAX_REQUEST_ID: usize = 64;

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_REQUEST_ID
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    async move {
        let mut response = next.call(req).await?;
        let status = response.status().as_u16();
        let elapsed = started.elapsed();
        if let Some(state) = state {
            // The route's pattern, not its path: ids and slugs would make labels unbounded.
            let route = response.request().match_pattern();
            state.metrics.observe(
                response.request().method().as_str(),
                route.as_deref().unwrap_or("unmatched"),
                status,
                elapsed,
            );
        }
        let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "request failed");
        } else {
            tracing::info!(status, elapsed_ms, "request");
        }
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID.clone(), value);
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The process is up (no dependency is checked).
#[utoipa::path(
    operation_id = "health_health",
    tag = "operations",
    responses((status = 200, description = "The process is up", body = Object))
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready for traffic: the database answers and no migration is pending. 503 otherwise.
#[utoipa::path(
    operation_id = "health_ready",
    tag = "operations",
    responses((status = 200, description = "The database answers and no migration is pending", body = Object), (status = 503, description = "Database unavailable; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let pending = theset_database::migrations::pending(&mut conn)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "reading the migration status");
            ApiError::unavailable("cannot read the migration status")
        })?;
    if !pending.is_empty() {
        return Err(ApiError::unavailable(format!(
            "migrations pending: {}",
            pending.join(", ")
        )));
    }
    Ok(HttpResponse::Ok().json(json!({
        "status": "ready",
        "database": "ok",
        "migrations": "current",
    })))
}

//! The one HTTP error type. Every failure a handler or extractor can meet becomes an `ApiError`,
//! rendered as `application/problem+json` (RFC 9457): `{type, title, status, detail}`.
//!
//! Database errors are mapped by kind (`theset_database::Error`); anything unexpected is logged
//! with its cause and answered with a bare 500 that leaks nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use theset_database::Error as DbError;

/// Seconds a client should wait before retrying when the database is unavailable.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Short, fixed per kind of problem; also the last segment of `type`.
    pub kind: &'static str,
    pub detail: String,
    pub retry_after: Option<u64>,
}

/// The body of every error reply (`application/problem+json`, RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, naming the field at fault where there is one.
    pub detail: String,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// A malformed field of a path, query or body, named.
    pub fn invalid_field(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::bad_request(format!("{field}: {problem}"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", detail)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!("the body exceeds {limit} bytes"),
        )
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail)
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an unexpected error occurred",
        )
    }

    /// A database error where a missing referenced row is the route's subject: a foreign key
    /// violation then means "no such thing" (404) rather than a bad field (422).
    pub fn from_db_subject(error: DbError, subject: &str) -> Self {
        match error {
            DbError::ForeignKeyViolation { .. } | DbError::NotFound => {
                Self::not_found(format!("no such {subject}"))
            }
            other => other.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.kind, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            type_: format!("https://theset.example/problems/{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
        };
        let mut response = HttpResponse::build(self.status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound => Self::not_found("not found"),
            DbError::UniqueViolation { constraint } => {
                Self::conflict(format!("already exists ({constraint})"))
            }
            DbError::ForeignKeyViolation { constraint } => {
                Self::unprocessable(format!("refers to a missing row ({constraint})"))
            }
            DbError::CheckViolation { constraint } => {
                Self::unprocessable(format!("invalid value ({constraint})"))
            }
            DbError::VotingClosed(why) => Self::conflict(format!("voting is closed: {why}")),
            DbError::SetlistClosed(why) => {
                Self::conflict(format!("the setlist cannot be edited: {why}"))
            }
            // The policy's wording is PostgreSQL's, not a secret, but it names tables: keep it
            // in the log only.
            DbError::Forbidden(reason) => {
                tracing::info!(%reason, "refused by row level security");
                Self::forbidden("not permitted")
            }
            DbError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                Self::unavailable("the database is unavailable, try again shortly")
            }
            DbError::Query(cause) => {
                tracing::error!(error = %cause, "database query failed");
                Self::internal()
            }
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from(error).into()
    }
}

impl From<theset_database::pool::PoolError> for ApiError {
    fn from(error: theset_database::pool::PoolError) -> Self {
        DbError::from(error).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use actix_web::body::MessageBody;

    fn status_of(error: DbError) -> u16 {
        ApiError::from(error).status.as_u16()
    }

    #[test]
    fn database_errors_map_to_statuses() {
        use theset_database::Closed;
        let constraint = || "c".to_owned();
        assert_eq!(status_of(DbError::NotFound), 404);
        assert_eq!(
            status_of(DbError::UniqueViolation {
                constraint: constraint()
            }),
            409
        );
        assert_eq!(
            status_of(DbError::ForeignKeyViolation {
                constraint: constraint()
            }),
            422
        );
        assert_eq!(
            status_of(DbError::CheckViolation {
                constraint: constraint()
            }),
            422
        );
        assert_eq!(status_of(DbError::VotingClosed(Closed::ShowStarted)), 409);
        assert_eq!(
            status_of(DbError::SetlistClosed(Closed::SetlistLocked)),
            409
        );
        assert_eq!(status_of(DbError::Forbidden("x".into())), 403);
        assert_eq!(status_of(DbError::Unavailable("x".into())), 503);
        assert_eq!(
            status_of(DbError::Query(diesel::result::Error::RollbackTransaction)),
            500
        );
    }

    #[test]
    fn renders_problem_json_without_internals() {
        let error = ApiError::from(DbError::Query(diesel::result::Error::QueryBuilderError(
            "secret internals".into(),
        )));
        let response = error.error_response();
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        let body = response.into_body().try_into_bytes().unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["status"], 500);
        assert_eq!(body["title"], "Internal Server Error");
        assert!(!body.to_string().contains("secret"));
    }

    #[test]
    fn unavailable_says_when_to_retry() {
        let response = ApiError::from(DbError::Unavailable("pool".into())).error_response();
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "2");
    }
}

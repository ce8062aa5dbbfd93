//! The one HTTP error type. Every failure a handler or extractor can meet becomes an `ApiError`,
//! rendered as `application/problem+json` (RFC 9457): `{type, title, status, detail, code}`, where
//! `code` ([`Code`]) is the stable name of the problem that clients branch on.
//!
//! Database errors are mapped by kind (`theset_database::Error`); anything unexpected is logged
//! with its cause and answered with a bare 500 that leaks nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use theset_database::{Closed, Error as DbError};

/// Seconds a client should wait before retrying when the database is unavailable.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// What kind of problem a reply reports, stable across releases: clients branch on `code`,
/// never on `detail` (which is for people and may be reworded). Each code has one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// 400: a malformed parameter, query or body, named in `detail`.
    BadRequest,
    /// 401: no valid access token.
    Unauthorized,
    /// 403: the caller may not do this.
    Forbidden,
    /// 404: no such resource (or route).
    NotFound,
    /// 405: the route exists, the method does not (`Allow` lists those that do).
    MethodNotAllowed,
    /// 409: a row with the same key already exists.
    AlreadyExists,
    /// 409: the token's email belongs to another account.
    EmailInUse,
    /// 409: the song is already in the setlist.
    DuplicateSong,
    /// 409: votes are not taken on this setlist (it is locked, or the actual setlist).
    VotingClosed,
    /// 409: the show has started: its predictions take no more votes or edits.
    ShowStarted,
    /// 409: the show is cancelled: its predictions take no more votes or edits.
    ShowCancelled,
    /// 409: the show is postponed: predictions are closed until a new date is announced.
    ShowPostponed,
    /// 409: the setlist cannot be edited (it is locked, or the actual setlist).
    SetlistLocked,
    /// 409: the caller already has a prediction of this show.
    PredictionExists,
    /// 413: the body is larger than the API accepts.
    PayloadTooLarge,
    /// 414: the query string is longer than the API accepts.
    UriTooLong,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: well-formed but invalid (a value out of range, a reference to a missing row).
    Validation,
    /// 429: too many requests; `Retry-After` says when to try again.
    RateLimited,
    /// 500: an unexpected failure (logged; the reply says nothing more).
    Internal,
    /// 503: the database is unavailable or the server is saturated; see `Retry-After`.
    Unavailable,
}

impl Code {
    /// Every code, in declaration order (the OpenAPI document lists the same).
    pub const ALL: [Code; 21] = [
        Code::BadRequest,
        Code::Unauthorized,
        Code::Forbidden,
        Code::NotFound,
        Code::MethodNotAllowed,
        Code::AlreadyExists,
        Code::EmailInUse,
        Code::DuplicateSong,
        Code::VotingClosed,
        Code::ShowStarted,
        Code::ShowCancelled,
        Code::ShowPostponed,
        Code::SetlistLocked,
        Code::PredictionExists,
        Code::PayloadTooLarge,
        Code::UriTooLong,
        Code::UnsupportedMediaType,
        Code::Validation,
        Code::RateLimited,
        Code::Internal,
        Code::Unavailable,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            Code::BadRequest => StatusCode::BAD_REQUEST,
            Code::Unauthorized => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::AlreadyExists
            | Code::EmailInUse
            | Code::DuplicateSong
            | Code::VotingClosed
            | Code::ShowStarted
            | Code::ShowCancelled
            | Code::ShowPostponed
            | Code::SetlistLocked
            | Code::PredictionExists => StatusCode::CONFLICT,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UriTooLong => StatusCode::URI_TOO_LONG,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The code as it appears in the body (`voting_closed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadRequest => "bad_request",
            Code::Unauthorized => "unauthorized",
            Code::Forbidden => "forbidden",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::AlreadyExists => "already_exists",
            Code::EmailInUse => "email_in_use",
            Code::DuplicateSong => "duplicate_song",
            Code::VotingClosed => "voting_closed",
            Code::ShowStarted => "show_started",
            Code::ShowCancelled => "show_cancelled",
            Code::ShowPostponed => "show_postponed",
            Code::SetlistLocked => "setlist_locked",
            Code::PredictionExists => "prediction_exists",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UriTooLong => "uri_too_long",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::Validation => "validation",
            Code::RateLimited => "rate_limited",
            Code::Internal => "internal",
            Code::Unavailable => "unavailable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub detail: String,
    pub retry_after: Option<u64>,
}

/// The body of every error reply (`application/problem+json`, RFC 9457, with a `code`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`https://theset.example/problems/<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for people, naming the field at fault where there is one.
    pub detail: String,
    /// What went wrong, for programs: stable, one status each.
    pub code: Code,
}

impl ApiError {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(Code::BadRequest, detail)
    }

    /// A malformed field of a path, query or body, named.
    pub fn invalid_field(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::bad_request(format!("{field}: {problem}"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(Code::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(Code::NotFound, detail)
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(Code::Validation, detail)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            Code::PayloadTooLarge,
            format!("the body exceeds {limit} bytes"),
        )
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(Code::RateLimited, detail)
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(Code::Unavailable, detail)
        }
    }

    pub fn internal() -> Self {
        Self::new(Code::Internal, "an unexpected error occurred")
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
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.code.as_str(),
            self.detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status();
        let problem = Problem {
            type_: format!("https://theset.example/problems/{}", self.code.as_str()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
        };
        let mut response = HttpResponse::build(status);
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
            DbError::UniqueViolation { constraint } => Self::new(
                Code::AlreadyExists,
                format!("already exists ({constraint})"),
            ),
            DbError::ForeignKeyViolation { constraint } => {
                Self::unprocessable(format!("refers to a missing row ({constraint})"))
            }
            DbError::CheckViolation { constraint } => {
                Self::unprocessable(format!("invalid value ({constraint})"))
            }
            DbError::VotingClosed(why) => Self::new(
                match why {
                    Closed::ActualSetlist | Closed::SetlistLocked => Code::VotingClosed,
                    show => show_closed(show),
                },
                format!("voting is closed: {why}"),
            ),
            DbError::SetlistClosed(why) => Self::new(
                match why {
                    Closed::ActualSetlist | Closed::SetlistLocked => Code::SetlistLocked,
                    show => show_closed(show),
                },
                format!("the setlist cannot be edited: {why}"),
            ),
            // The policy's wording is PostgreSQL's, not a secret, but it names tables: keep it
            // in the log only.
            DbError::Forbidden(reason) => {
                tracing::info!(%reason, "refused by row level security");
                Self::forbidden("not permitted")
            }
            DbError::InvalidText(reason) => {
                tracing::info!(%reason, "text refused by PostgreSQL");
                Self::bad_request("a text value contains a character that cannot be stored (NUL)")
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

/// The code for a show-wide reason predictions are closed.
fn show_closed(why: Closed) -> Code {
    match why {
        Closed::ShowCancelled => Code::ShowCancelled,
        Closed::ShowPostponed => Code::ShowPostponed,
        _ => Code::ShowStarted,
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
        ApiError::from(error).status().as_u16()
    }

    #[test]
    fn database_errors_map_to_statuses() {
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

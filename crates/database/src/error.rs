//! The database layer's error type.
//!
//! Queries return diesel's `QueryResult`; callers that need to tell cases apart convert with
//! `Error::from`, which names the violated rule. The HTTP layer maps these kinds to statuses
//! (not found 404, unique 409, voting closed 409, unavailable 503, ...), the CLI to messages.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Why a vote or a prediction edit was refused: `predictions_closed_reason()` in
/// `replaceable/15_predictions.sql`, raised as constraint `votes_<reason>` or
/// `predictions_<reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Votes and hand-added songs are only for predicted setlists.
    ActualSetlist,
    /// A moderator locked the setlist.
    SetlistLocked,
    /// The show's start instant has passed (or it is ongoing or completed).
    ShowStarted,
    /// The show is cancelled.
    ShowCancelled,
    /// The show is postponed and no new date is known yet.
    ShowPostponed,
}

impl Closed {
    /// The reason as `predictions_closed_reason()` names it.
    fn from_reason(reason: &str) -> Option<Self> {
        Some(match reason {
            "setlist_predicted" => Self::ActualSetlist,
            "setlist_locked" => Self::SetlistLocked,
            "show_started" => Self::ShowStarted,
            "show_cancelled" => Self::ShowCancelled,
            "show_postponed" => Self::ShowPostponed,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ActualSetlist => "only predicted setlists take votes and added songs",
            Self::SetlistLocked => "the setlist is locked",
            Self::ShowStarted => "the show has started",
            Self::ShowCancelled => "the show is cancelled",
            Self::ShowPostponed => "the show is postponed until a new date is announced",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A unique constraint (named) refused a duplicate.
    #[error("already exists ({constraint})")]
    UniqueViolation { constraint: String },
    /// A row referenced a missing row, or a referenced row is still in use.
    #[error("refers to a missing or still referenced row ({constraint})")]
    ForeignKeyViolation { constraint: String },
    /// A CHECK constraint or NOT NULL column refused a value.
    #[error("invalid value ({constraint})")]
    CheckViolation { constraint: String },
    #[error("voting is closed: {0}")]
    VotingClosed(Closed),
    /// Fans edit only unlocked predicted setlists.
    #[error("the setlist cannot be edited: {0}")]
    SetlistClosed(Closed),
    /// Row Level Security refused the write (for UPDATE/DELETE it silently matches no row instead).
    #[error("not permitted: {0}")]
    Forbidden(String),
    /// The database could not be reached in time (pool exhausted, connection refused or lost),
    /// is shutting down, restarting or not accepting connections yet, or the statement ran out
    /// of time: worth retrying shortly.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A text value PostgreSQL cannot store (NUL, or bytes that are not UTF-8).
    #[error("invalid text: {0}")]
    InvalidText(String),
    #[error(transparent)]
    Query(DieselError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<DieselError> for Error {
    fn from(error: DieselError) -> Self {
        let DieselError::DatabaseError(kind, info) = &error else {
            return match error {
                DieselError::NotFound => Error::NotFound,
                DieselError::BrokenTransactionManager => Error::Unavailable(error.to_string()),
                other => Error::Query(other),
            };
        };
        let constraint = info.constraint_name().unwrap_or_default().to_owned();
        match kind {
            DatabaseErrorKind::UniqueViolation => Error::UniqueViolation { constraint },
            DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::RestrictViolation => {
                Error::ForeignKeyViolation { constraint }
            }
            DatabaseErrorKind::CheckViolation => {
                let closed = |prefix: &str| {
                    constraint
                        .strip_prefix(prefix)
                        .and_then(Closed::from_reason)
                };
                if let Some(why) = closed("votes_") {
                    Error::VotingClosed(why)
                } else if let Some(why) = closed("predictions_") {
                    Error::SetlistClosed(why)
                } else if constraint == "setlist_songs_predicted_only" {
                    Error::SetlistClosed(Closed::ActualSetlist)
                } else {
                    Error::CheckViolation { constraint }
                }
            }
            DatabaseErrorKind::NotNullViolation => Error::CheckViolation {
                constraint: info
                    .column_name()
                    .map(|c| format!("{c} is required"))
                    .unwrap_or(constraint),
            },
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                Error::Unavailable(info.message().to_owned())
            }
            _ if is_transient(info.message()) => Error::Unavailable(info.message().to_owned()),
            _ if info
                .message()
                .starts_with("invalid byte sequence for encoding") =>
            {
                Error::InvalidText(info.message().to_owned())
            }
            _ if info.message().contains("row-level security")
                || info.message().starts_with("permission denied") =>
            {
                Error::Forbidden(info.message().to_owned())
            }
            _ => Error::Query(error),
        }
    }
}

/// PostgreSQL's messages for the errors that end by themselves (diesel hands over the message,
/// not the SQLSTATE): shutdown and restart (57P01, 57P02, 57P03), connection failures (class
/// 08), a statement timeout or cancellation (57014) and recovery conflicts (40001 on a replica).
fn is_transient(message: &str) -> bool {
    const TRANSIENT: &[&str] = &[
        "terminating connection due to administrator command",
        "terminating connection because of crash of another server process",
        "terminating connection due to conflict with recovery",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "the database system is not accepting connections",
        "canceling statement due to statement timeout",
        "canceling statement due to user request",
        "canceling statement due to conflict with recovery",
        "connection to server was lost",
        "server closed the connection unexpectedly",
    ];
    TRANSIENT.iter().any(|t| message.contains(t))
}

impl From<crate::pool::PoolError> for Error {
    fn from(error: crate::pool::PoolError) -> Self {
        Error::Unavailable(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::DatabaseErrorInformation;

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn from(message: &'static str) -> Error {
        Error::from(DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(Info(message)),
        ))
    }

    #[test]
    fn restarts_timeouts_and_bad_text_are_named() {
        for transient in [
            "terminating connection due to administrator command",
            "FATAL: the database system is shutting down",
            "the database system is starting up",
            "canceling statement due to statement timeout",
        ] {
            assert!(
                matches!(from(transient), Error::Unavailable(_)),
                "{transient}"
            );
        }
        assert!(matches!(
            from("invalid byte sequence for encoding \"UTF8\": 0x00"),
            Error::InvalidText(_)
        ));
        assert!(matches!(from("division by zero"), Error::Query(_)));
    }
}

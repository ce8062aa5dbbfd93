//! Rust enums for the PostgreSQL enums, mapped both ways by their SQL labels.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use serde::{Deserialize, Serialize};
use std::io::Write;

use crate::schema::sql_types;

macro_rules! pg_enum {
    ($(#[$doc:meta])* $name:ident => $sql:ty { $($variant:ident = $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow, Serialize, Deserialize,
        )]
        #[diesel(sql_type = $sql)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the order PostgreSQL declares them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The SQL label.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($label => Ok(Self::$variant),)+
                    other => Err(format!(
                        "unknown {} {other:?} (expected one of: {})",
                        stringify!($name),
                        [$($label),+].join(", ")
                    )),
                }
            }
        }

        impl ToSql<$sql, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                Ok(std::str::from_utf8(bytes.as_bytes())?.parse()?)
            }
        }
    };
}

pg_enum! {
    /// `user_role`: what a user may do beyond voting. Read from `users`, never from a token.
    UserRole => sql_types::UserRole { User = "user", Moderator = "moderator", Admin = "admin" }
}

pg_enum! {
    /// `show_status`
    ShowStatus => sql_types::ShowStatus {
        Upcoming = "upcoming",
        Ongoing = "ongoing",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

pg_enum! {
    /// `setlist_type`: fans' prediction, or what was actually played.
    SetlistType => sql_types::SetlistType { Predicted = "predicted", Actual = "actual" }
}

pg_enum! {
    /// `vote_type`
    VoteType => sql_types::VoteType { Up = "up", Down = "down" }
}

pg_enum! {
    /// `job_state`: where a job of the queue (crate `theset-jobs`) stands. Finished jobs (`done`,
    /// `failed`) stay until pruned.
    JobState => sql_types::JobState {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

pg_enum! {
    /// `prediction_kind`: whose prediction a score is for: a fan's own, the show's crowd setlist
    /// (ranked by votes), or the bot (the artist's average setlist from history).
    PredictionKind => sql_types::PredictionKind { Fan = "fan", Crowd = "crowd", Bot = "bot" }
}

/// Fans' predictions are what setlists are made of by default; actual ones come from imports.
impl Default for SetlistType {
    fn default() -> Self {
        Self::Predicted
    }
}

impl UserRole {
    /// Moderators and admins lock setlists and mark songs played.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Moderator | Self::Admin)
    }
}

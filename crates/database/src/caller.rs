//! Who a transaction acts for, as Row Level Security sees it.
//!
//! The API verifies a token and passes its claims here; they reach PostgreSQL as the
//! transaction-local setting `request.jwt.claims` (exactly as Supabase/PostgREST pass them), which
//! `current_user_id()` reads in every policy. Transaction-local means the setting ends with the
//! transaction: a pooled connection never carries one request's identity into the next.

use diesel::sql_types::{Bool, Text};
use diesel::{QueryResult, define_sql_function};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

define_sql_function! {
    fn set_config(name: Text, value: Text, is_local: Bool) -> Text;
}

/// The verified claims a request acts with. `sub` is the user's id; nothing here decides what the
/// user may do beyond who they are (their role is read from `users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Supabase's database role claim, `authenticated` for a signed-in user.
    pub role: String,
}

impl Claims {
    /// The value of `request.jwt.claims` that acts for this caller.
    pub fn setting(&self) -> QueryResult<String> {
        serde_json::to_string(self)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
    }

    pub fn authenticated(sub: UserId, email: Option<String>) -> Self {
        Self {
            sub,
            email,
            role: "authenticated".to_owned(),
        }
    }
}

/// Runs `work` in one transaction acting for `caller` (or for nobody, anonymously). The claims
/// are set with `set_config(..., true)`, local to this transaction. `work` returns a boxed future:
/// `|conn| Box::pin(async move { ... })`.
pub async fn transaction_as<R, E, F>(
    conn: &mut AsyncPgConnection,
    caller: Option<&Claims>,
    work: F,
) -> Result<R, E>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> BoxFuture<'r, Result<R, E>> + Send,
    E: From<diesel::result::Error> + Send,
    R: Send,
{
    // Anonymous requests set an empty claim rather than nothing, so even a setting left behind at
    // session level by some other code could not speak for them.
    let claims = match caller {
        Some(claims) => claims.setting()?,
        None => String::new(),
    };
    conn.transaction(async move |conn| {
        diesel::select(set_config("request.jwt.claims", claims, true))
            .execute(conn)
            .await?;
        work(conn).await
    })
    .await
}

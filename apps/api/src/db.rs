//! Running a request's database work as its caller.
//!
//! Work on user-owned rows runs in one transaction with the caller's verified claims set
//! transaction-locally (`theset_database::transaction_as`), as the `theset_api` role, so the RLS
//! policies decide what it may read and write; the setting ends with the transaction, so a pooled
//! connection never carries one request's identity into the next. The caller's `users` row is
//! created on first sight from the token's email, in the same transaction.

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use theset_database::models::{NewUser, User};
use theset_database::{Claims, Error as DbError, transaction_as};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Runs `work` for a signed-in caller, with their `users` row (created on first sight).
pub async fn as_user<R, F>(state: &AppState, caller: &Claims, work: F) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, User) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send,
{
    let mut conn = state.conn().await?;
    let claims = caller.clone();
    transaction_as(&mut conn, Some(caller), move |conn| {
        Box::pin(async move {
            let user = ensure_user(conn, &claims).await?;
            work(conn, user).await
        })
    })
    .await
}

/// As `as_user`, for moderators and admins only (role read from `users`, never from the token).
pub async fn as_staff<R, F>(state: &AppState, caller: &Claims, work: F) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, User) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send,
{
    as_user(state, caller, move |conn, user| {
        if user.role.is_staff() {
            work(conn, user)
        } else {
            Box::pin(async { Err(ApiError::forbidden("moderators and admins only")) })
        }
    })
    .await
}

/// The caller's row; created from the token's email when this is their first request.
async fn ensure_user(conn: &mut AsyncPgConnection, caller: &Claims) -> ApiResult<User> {
    let email = caller.email.clone().unwrap_or_default();
    let new = NewUser {
        id: caller.sub,
        email,
        display_name: None,
        avatar_url: None,
    };
    let user = match User::ensure(conn, &new).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return Err(ApiError::conflict(
                "the token's email belongs to another account",
            ));
        }
        // Only a first request needs the email; a token without one cannot create an account.
        Err(_) if caller.email.is_none() => {
            return Err(ApiError::forbidden(
                "the token carries no email to create the account with",
            ));
        }
        Err(other) => return Err(DbError::from(other).into()),
    };
    if user.deleted_at.is_some() {
        return Err(ApiError::forbidden("the account has been deleted"));
    }
    Ok(user)
}

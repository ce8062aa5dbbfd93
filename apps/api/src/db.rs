//! Running a request's database work as its caller.
//!
//! Work on user-owned rows runs in one transaction with the caller's verified claims set
//! transaction-locally (`theset_database::transaction_as`), as the `theset_api` role, so the RLS
//! policies decide what it may read and write; the setting ends with the transaction, so a pooled
//! connection never carries one request's identity into the next. The caller's `users` row is
//! created on first sight from the token's email, in the same transaction.
//!
//! That work runs on threads of its own ([`runtime`]), not on the HTTP workers. An HTTP worker
//! also writes every event-stream frame of its connections: with 10,000 streams open it has
//! 5,000 frames to write per coalescing window, and a query's reply waiting in its queue waited
//! for all of them, once per round trip (a vote makes five). The pool opens its connections
//! there too, so their sockets are read there.

use std::sync::OnceLock;

use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use theset_database::ids::UserId;
use theset_database::models::{NewUser, User};
use theset_database::{Claims, Error as DbError, transaction_as};

use crate::error::{ApiError, ApiResult, Code};
use crate::state::AppState;

/// Runs `work` on a pooled connection on the database threads ([`runtime`]). Spawned, so it
/// also finishes (commits or rolls back) when the client goes away mid-request.
pub async fn on_pool<R, F>(state: &AppState, work: F) -> ApiResult<R>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, ApiResult<R>> + Send + 'static,
    R: Send + 'static,
{
    let pool = state.pool.clone();
    state
        .db
        .spawn(async move {
            let mut conn = pool.get().await?;
            work(&mut conn).await
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "database work did not finish");
            Err(ApiError::internal())
        })
}

/// Runs `work` for a signed-in caller, with their `users` row (created on first sight).
pub async fn as_user<R, F>(state: &AppState, caller: &Claims, work: F) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, User) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send + 'static,
{
    let claims = caller.clone();
    let done = on_pool(state, move |conn| {
        Box::pin(async move {
            let caller = claims.clone();
            transaction_as(conn, Some(&caller), move |conn| {
                Box::pin(async move {
                    let user = ensure_user(conn, &claims).await?;
                    work(conn, user).await
                })
            })
            .await
        })
    })
    .await;
    // Whatever it did (reads too: they may have created the account), the caller's next public
    // reads see it (crate::replica).
    state.wrote(caller.sub);
    done
}

/// Runs `once`, one statement acting for the caller by their claims (`Vote::cast_as`), on a
/// pooled connection outside any transaction: one round trip where [`as_user`] makes four or
/// five. When it finds no live account for the caller (`Ok(None)`: a first request, a deleted
/// account), `slow` runs as [`as_user`] runs work, which creates the account or refuses them.
pub async fn in_one_statement<R, F, S>(
    state: &AppState,
    caller: &Claims,
    once: F,
    slow: S,
) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, &'r Claims) -> BoxFuture<'r, ApiResult<Option<R>>>
        + Send
        + 'static,
    S: for<'r> FnOnce(&'r mut AsyncPgConnection, User) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send + 'static,
{
    let claims = caller.clone();
    let done = on_pool(state, move |conn| {
        Box::pin(async move { once(conn, &claims).await })
    })
    .await;
    state.wrote(caller.sub);
    match done? {
        Some(done) => Ok(done),
        None => as_user(state, caller, slow).await,
    }
}

/// The runtime the API's database work and connections run on: one thread per core, started
/// on first use and kept for the life of the process.
pub fn runtime() -> Result<&'static tokio::runtime::Handle, String> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(std::thread::available_parallelism().map_or(2, usize::from))
                .thread_name("theset-db")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the database threads: {e}"))
        })
        .as_ref()
        .map(tokio::runtime::Runtime::handle)
        .map_err(Clone::clone)
}

/// As `as_user`, for moderators and admins only (role read from `users`, never from the token).
pub async fn as_staff<R, F>(state: &AppState, caller: &Claims, work: F) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, User) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send + 'static,
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
            return Err(ApiError::new(
                Code::EmailInUse,
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

/// Runs read-only `work` as the caller when signed in (their row created on first sight), else
/// anonymously; `work` gets the caller's id, if any. RLS decides what either may see.
pub async fn as_reader<R, F>(state: &AppState, caller: Option<&Claims>, work: F) -> ApiResult<R>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection, Option<UserId>) -> BoxFuture<'r, ApiResult<R>>
        + Send
        + 'static,
    R: Send + 'static,
{
    match caller {
        Some(claims) => as_user(state, claims, move |conn, user| work(conn, Some(user.id))).await,
        // Anonymous: nothing of the caller's own to see, so the standby serves while it keeps up.
        None => {
            let mut conn = crate::replica::PublicReads::anonymous(state)
                .conn(state)
                .await?;
            work(&mut conn, None).await
        }
    }
}

/// Refuses to serve as a role that would bypass Row Level Security (a superuser, BYPASSRLS, an
/// owner of the schema's tables). When the database cannot be reached yet the API starts anyway
/// and answers 503 until it can; the role is checked when it first connects here.
pub async fn refuse_privileged_role(
    config: &theset_database::DatabaseConfig,
) -> Result<(), String> {
    let mut conn = match config.connect().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable at start-up: the role is not checked");
            return Ok(());
        }
    };
    let powers = theset_database::check::RolePowers::of_current_role(&mut conn)
        .await
        .map_err(|e| format!("checking the database role: {e}"))?;
    match powers.refusal() {
        Some(why) => Err(format!(
            "DATABASE_URL's role {:?} {why}: the API must connect as a role that owns nothing and \
             cannot bypass row level security (theset_api)",
            config.user().unwrap_or_default()
        )),
        None => Ok(()),
    }
}

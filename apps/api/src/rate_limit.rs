//! Rate limits shared by every API process: each request spends from a budget counted in
//! PostgreSQL (`rate_limit_take`, `crates/database/replaceable/18_rate_limits.sql`), one fixed
//! window per bucket and subject, in a statement of its own before the request's work, so N
//! processes allow the limit once and refused or failing requests count too. Signed-in writes
//! are limited per user; the heavy routes anyone may call, per client address
//! (`crate::client::client_ip`).
//!
//! PostgreSQL rather than Redis: it is already shared by every process, the table is unlogged
//! (its commits wait for no WAL flush) and a take is one row update on the subject's own row,
//! so voters do not contend with each other; a second store would be one more thing to run,
//! secure and fail. Figures: apps/api/README.md, "Rate limits".

use std::time::Duration;

use actix_web::HttpRequest;
use diesel::QueryableByName;
use diesel::data_types::PgInterval;
use diesel::sql_types::{Double, Integer, Interval, Text};
use diesel_async::RunQueryDsl;
use theset_database::Claims;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What a budget is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Casting and retracting votes, per user.
    Votes,
    /// Creating, changing, reordering and deleting predictions and setlist songs (live records
    /// included), per user.
    Edits,
    /// Account and profile writes, export and deletion, per user.
    Profile,
    /// Searches, per client address.
    Search,
    /// Opening event streams, per client address.
    StreamOpens,
}

impl Limit {
    fn bucket(self) -> &'static str {
        match self {
            Limit::Votes => "votes",
            Limit::Edits => "edits",
            Limit::Profile => "profile",
            Limit::Search => "search",
            Limit::StreamOpens => "stream_opens",
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Limit::Votes => "too many votes: slow down",
            Limit::Edits => "too many edits: slow down",
            Limit::Profile => "too many account changes: slow down",
            Limit::Search => "too many searches from this address: slow down",
            Limit::StreamOpens => "too many event streams opened from this address: slow down",
        }
    }
}

/// Requests allowed per window for each [`Limit`]; 0 turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `VOTE_RATE_LIMIT_PER_MINUTE` (60).
    pub votes: u32,
    /// `EDIT_RATE_LIMIT_PER_MINUTE` (60).
    pub edits: u32,
    /// `PROFILE_RATE_LIMIT_PER_MINUTE` (20).
    pub profile: u32,
    /// `SEARCH_RATE_LIMIT_PER_MINUTE` (120).
    pub search: u32,
    /// `STREAM_OPEN_RATE_LIMIT_PER_MINUTE` (30).
    pub stream_opens: u32,
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            votes: 60,
            edits: 60,
            profile: 20,
            search: 120,
            stream_opens: 30,
            window: Duration::from_secs(60),
        }
    }
}

impl RateLimits {
    /// Every limit off (tests that are not about limits).
    pub fn off() -> Self {
        Self {
            votes: 0,
            edits: 0,
            profile: 0,
            search: 0,
            stream_opens: 0,
            window: Duration::from_secs(60),
        }
    }

    fn of(&self, limit: Limit) -> u32 {
        match limit {
            Limit::Votes => self.votes,
            Limit::Edits => self.edits,
            Limit::Profile => self.profile,
            Limit::Search => self.search,
            Limit::StreamOpens => self.stream_opens,
        }
    }
}

/// Spends one request of the signed-in caller's `limit`; 429 with Retry-After when it is spent.
pub async fn per_user(state: &AppState, caller: &Claims, limit: Limit) -> ApiResult<()> {
    take(state, limit, caller.sub.to_string()).await
}

/// As [`per_user`], as the first statement of the request's own transaction (`db::as_voter`):
/// no statement or commit of its own on the hot path. A refused request rolls back an increment
/// that changes nothing (the count stays at the limit); a request that fails otherwise rolls its
/// increment back too, so the caller charges it again on its own ([`per_user`]).
pub async fn per_user_in(
    conn: &mut diesel_async::AsyncPgConnection,
    limits: &RateLimits,
    caller: &Claims,
    limit: Limit,
) -> ApiResult<()> {
    take_on(conn, limits, limit, caller.sub.to_string()).await
}

/// Spends one request of the client address's `limit` (`unknown` when there is no peer).
pub async fn per_client(state: &AppState, req: &HttpRequest, limit: Limit) -> ApiResult<()> {
    let subject = crate::client::client_ip(req, &state.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    take(state, limit, subject).await
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = Double)]
    wait: f64,
}

async fn take(state: &AppState, limit: Limit, subject: String) -> ApiResult<()> {
    if state.rate_limits.of(limit) == 0 {
        return Ok(());
    }
    let limits = state.rate_limits;
    let pool = state.pool.clone();
    // On the database threads, like all of the API's queries (`crate::db`).
    state
        .db
        .spawn(async move {
            let mut conn = pool.get().await?;
            take_on(&mut conn, &limits, limit, subject).await
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "rate limit check did not finish");
            Err(ApiError::internal())
        })
}

async fn take_on(
    conn: &mut diesel_async::AsyncPgConnection,
    limits: &RateLimits,
    limit: Limit,
    subject: String,
) -> ApiResult<()> {
    let allowed = limits.of(limit);
    if allowed == 0 {
        return Ok(());
    }
    let wait: Wait = diesel::sql_query("SELECT rate_limit_take($1, $2, $3, $4) AS wait")
        .bind::<Text, _>(limit.bucket())
        .bind::<Text, _>(subject)
        .bind::<Integer, _>(i32::try_from(allowed).unwrap_or(i32::MAX))
        .bind::<Interval, _>(PgInterval::from_microseconds(
            i64::try_from(limits.window.as_micros()).unwrap_or(i64::MAX),
        ))
        .get_result(conn)
        .await
        .map_err(theset_database::Error::from)?;
    if wait.wait > 0.0 {
        // Whole seconds, rounded up: a client waiting that long finds a new window.
        let seconds = Duration::try_from_secs_f64(wait.wait).map_or(limits.window.as_secs(), |d| {
            d.as_secs() + u64::from(d.subsec_nanos() > 0)
        });
        return Err(ApiError::too_many_requests(limit.refusal(), seconds));
    }
    Ok(())
}

//! Rate limits shared by every API process: each request spends from a budget counted in
//! PostgreSQL (`rate_limit_take`, `crates/database/replaceable/18_rate_limits.sql`), one fixed
//! window per bucket and subject, before the request's work, so N processes allow the limit once
//! and refused or failing requests count too. A process takes a tenth of a budget at once
//! ([`Limiter`]) and spends it from memory: PostgreSQL is asked once per batch, not per request.
//! Tokens are taken before they are spent, so nobody gets more than the limit; a subject moving
//! between processes may find fewer (a batch left unspent in the other one). Signed-in writes
//! are limited per user; the heavy routes anyone may call, per client address
//! (`crate::client::client_ip`).
//!
//! PostgreSQL rather than Redis: it is already shared by every process, the table is unlogged
//! (its commits wait for no WAL flush) and a take is one row update on the subject's own row,
//! so voters do not contend with each other; a second store would be one more thing to run,
//! secure and fail. Figures: apps/api/README.md, "Rate limits".

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use diesel::QueryableByName;
use diesel::data_types::PgInterval;
use diesel::sql_types::{Double, Integer, Interval, Text};
use diesel_async::RunQueryDsl;
use theset_database::Claims;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What a budget is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    state
        .limiter
        .take(state, limit, caller.sub.to_string())
        .await
}

/// Spends one request of the client address's `limit` (`unknown` when there is no peer).
pub async fn per_client(state: &AppState, req: &HttpRequest, limit: Limit) -> ApiResult<()> {
    let subject = crate::client::client_ip(req, &state.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    state.limiter.take(state, limit, subject).await
}

/// Leases held above this many are all forgotten (only ever fewer requests are then allowed).
const MAX_LEASES: usize = 100_000;

/// A batch of a window's budget taken from PostgreSQL, spent here.
#[derive(Debug, Clone, Copy)]
struct Lease {
    left: u32,
    window_ends: Instant,
}

/// The process's rate limiter: the budgets (`*_RATE_LIMIT_PER_MINUTE`) and the batches it holds.
#[derive(Debug)]
pub struct Limiter {
    limits: RateLimits,
    leases: Mutex<Leases>,
}

#[derive(Debug, Default)]
struct Leases {
    held: HashMap<(Limit, String), Lease>,
    swept: Option<Instant>,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            leases: Mutex::new(Leases::default()),
        }
    }

    /// Spends one request of `subject`'s `limit`, from the batch held or from a new one.
    async fn take(&self, state: &AppState, limit: Limit, subject: String) -> ApiResult<()> {
        let allowed = self.limits.of(limit);
        if allowed == 0 {
            return Ok(());
        }
        let key = (limit, subject);
        if self.spend_held(&key, Instant::now()) {
            return Ok(());
        }
        // A tenth of the budget at once: a budget of 60 asks PostgreSQL every sixth request.
        let want = (allowed / 10).max(1);
        let (granted, seconds_left) = fetch(state, &self.limits, limit, &key.1, want).await?;
        let window_ends =
            Instant::now() + Duration::from_secs_f64(seconds_left.clamp(0.0, 86_400.0));
        if granted <= 0 {
            // Requests that missed at the same moment each took a batch: what they left is held.
            if self.spend_held(&key, Instant::now()) {
                return Ok(());
            }
            let seconds = Duration::from_secs_f64(seconds_left.clamp(0.0, 86_400.0));
            let seconds = seconds.as_secs() + u64::from(seconds.subsec_nanos() > 0);
            return Err(ApiError::too_many_requests(limit.refusal(), seconds.max(1)));
        }
        let left = u32::try_from(granted - 1).unwrap_or(0);
        self.hold(key, Lease { left, window_ends });
        Ok(())
    }

    fn leases(&self) -> std::sync::MutexGuard<'_, Leases> {
        // A poisoned lock only means another request panicked mid-update: leases are still valid.
        self.leases.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn spend_held(&self, key: &(Limit, String), now: Instant) -> bool {
        let mut leases = self.leases();
        match leases.held.get_mut(key) {
            Some(lease) if lease.left > 0 && now < lease.window_ends => {
                lease.left -= 1;
                true
            }
            _ => false,
        }
    }

    fn hold(&self, key: (Limit, String), lease: Lease) {
        let now = Instant::now();
        let mut leases = self.leases();
        // Ended leases go once per window, not on every request; past the cap all go.
        if leases
            .swept
            .is_none_or(|at| now.duration_since(at) >= self.limits.window)
        {
            leases.held.retain(|_, held| now < held.window_ends);
            leases.swept = Some(now);
        }
        if leases.held.len() >= MAX_LEASES {
            leases.held.clear();
        }
        // Requests that missed at the same moment each took a batch: what is left adds up.
        match leases.held.get_mut(&key) {
            Some(held) if now < held.window_ends => {
                held.left = held.left.saturating_add(lease.left)
            }
            _ if lease.left > 0 => {
                leases.held.insert(key, lease);
            }
            _ => {}
        }
    }
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Integer)]
    granted: i32,
    #[diesel(sql_type = Double)]
    seconds_left: f64,
}

/// Takes up to `want` of the budget in PostgreSQL, on the database threads like all of the API's
/// queries (`crate::db`).
async fn fetch(
    state: &AppState,
    limits: &RateLimits,
    limit: Limit,
    subject: &str,
    want: u32,
) -> ApiResult<(i32, f64)> {
    let allowed = i32::try_from(limits.of(limit)).unwrap_or(i32::MAX);
    let want = i32::try_from(want).unwrap_or(1);
    let period =
        PgInterval::from_microseconds(i64::try_from(limits.window.as_micros()).unwrap_or(i64::MAX));
    let subject = subject.to_owned();
    crate::db::on_pool(state, move |conn| {
        Box::pin(async move {
            let taken: Taken = diesel::sql_query(
                "SELECT granted, seconds_left FROM rate_limit_take($1, $2, $3, $4, $5)",
            )
            .bind::<Text, _>(limit.bucket())
            .bind::<Text, _>(subject)
            .bind::<Integer, _>(allowed)
            .bind::<Interval, _>(period)
            .bind::<Integer, _>(want)
            .get_result(conn)
            .await
            .map_err(theset_database::Error::from)?;
            Ok((taken.granted, taken.seconds_left))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_taken_at_the_same_moment_add_up() {
        let limiter = Limiter::new(RateLimits::default());
        let key = (Limit::Votes, "fan".to_owned());
        let window_ends = Instant::now() + Duration::from_secs(60);
        limiter.hold(
            key.clone(),
            Lease {
                left: 5,
                window_ends,
            },
        );
        limiter.hold(
            key.clone(),
            Lease {
                left: 5,
                window_ends,
            },
        );
        let now = Instant::now();
        for _ in 0..10 {
            assert!(limiter.spend_held(&key, now));
        }
        assert!(!limiter.spend_held(&key, now));
        // A lease outlives no window.
        limiter.hold(
            key.clone(),
            Lease {
                left: 3,
                window_ends,
            },
        );
        assert!(!limiter.spend_held(&key, window_ends + Duration::from_millis(1)));
    }
}

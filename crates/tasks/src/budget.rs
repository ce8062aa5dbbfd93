//! Provider budgets shared by every worker process, in PostgreSQL (`provider_budgets`): the
//! [`theset_providers::config::Budget`] the worker's provider clients ask before each request.
//!
//! One row per provider holds its next free request slot (`next_at`) and the requests counted
//! against the current UTC day (`day`, `day_used`). A request takes the slot
//! `greatest(next_at, now())`, moves `next_at` one interval (`1 / requests_per_second`) past it and
//! counts itself, in one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`; the caller then
//! sleeps until its slot. Concurrent requesters, in any number of processes, serialise on the
//! row, so the provider sees requests spaced evenly at the combined rate, and the day's count
//! never passes the quota: once it is reached the statement updates nothing and the request is
//! refused with the time until the next UTC midnight (the job is retried then, not failed).
//! Times are the database's clock, so the workers' clocks do not matter.

use std::sync::Arc;
use std::time::Duration;

use diesel::sql_types::{Double, Nullable, Text};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::RunQueryDsl;
use theset_database::DbPool;
use theset_providers::config::{Acquire, Budget, Limits, Wait};
use theset_providers::{
    Provider, Providers, SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig, Ticketmaster,
    TicketmasterConfig,
};

/// A small margin after the quota's reset before a refused job tries again.
const AFTER_RESET: Duration = Duration::from_secs(5);

/// The budget in `provider_budgets`, through the worker's pool.
#[derive(Clone)]
pub struct PgBudget {
    pool: DbPool,
}

impl std::fmt::Debug for PgBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBudget").finish_non_exhaustive()
    }
}

/// The key of a provider's row.
pub fn provider_key(provider: Provider) -> &'static str {
    match provider {
        Provider::SetlistFm => "setlistfm",
        Provider::Ticketmaster => "ticketmaster",
        Provider::Spotify => "spotify",
    }
}

#[derive(QueryableByName)]
struct Slot {
    /// Seconds from the statement's start to the slot taken.
    #[diesel(sql_type = Double)]
    wait: f64,
}

#[derive(QueryableByName)]
struct Reset {
    #[diesel(sql_type = Double)]
    resets_in: f64,
}

impl PgBudget {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    /// Takes the provider's next slot and counts it against the day's quota; `Ok(None)` when
    /// the quota is used up (nothing is taken then).
    async fn take(&self, provider: Provider, limits: Limits) -> anyhow::Result<Option<Duration>> {
        let per_second =
            if limits.requests_per_second.is_finite() && limits.requests_per_second > 0.0 {
                limits.requests_per_second
            } else {
                1.0
            };
        let interval = 1.0 / per_second;
        let quota = limits.daily_quota.map(i64::from);
        let mut conn = self.pool.get().await?;
        // Why one statement: the slot, the spacing and the day's count change together, under
        // the row's lock, so no two requesters take one slot and the quota is never passed.
        let slot: Option<Slot> = diesel::sql_query(
            "INSERT INTO provider_budgets AS b (provider, next_at, day, day_used) \
             VALUES ($1, now() + make_interval(secs => $2), (now() AT TIME ZONE 'UTC')::date, 1) \
             ON CONFLICT (provider) DO UPDATE SET \
               next_at = greatest(b.next_at, now()) + make_interval(secs => $2), \
               day = EXCLUDED.day, \
               day_used = CASE WHEN b.day = EXCLUDED.day THEN b.day_used + 1 ELSE 1 END \
             WHERE $3::bigint IS NULL OR b.day <> EXCLUDED.day OR b.day_used < $3::bigint \
             RETURNING greatest(0, extract(epoch FROM \
               (b.next_at - make_interval(secs => $2) - now())))::float8 AS wait",
        )
        .bind::<Text, _>(provider_key(provider))
        .bind::<Double, _>(interval)
        .bind::<Nullable<diesel::sql_types::BigInt>, _>(quota)
        .get_result(&mut conn)
        .await
        .optional()?;
        Ok(slot.map(|slot| Duration::try_from_secs_f64(slot.wait).unwrap_or_default()))
    }

    /// How long until the next UTC day starts (when daily quotas reset).
    async fn until_reset(&self) -> anyhow::Result<Duration> {
        let mut conn = self.pool.get().await?;
        let reset: Reset = diesel::sql_query(
            "SELECT extract(epoch FROM \
               (((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC') - now() \
             )::float8 AS resets_in",
        )
        .get_result(&mut conn)
        .await?;
        Ok(Duration::try_from_secs_f64(reset.resets_in).unwrap_or_default())
    }
}

impl Budget for PgBudget {
    fn acquire(&self, provider: Provider, limits: Limits) -> Acquire<'_> {
        Box::pin(async move {
            match self.take(provider, limits).await {
                Ok(Some(wait)) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    Ok(())
                }
                Ok(None) => match self.until_reset().await {
                    Ok(resets_in) => Err(Wait::QuotaExhausted {
                        resets_in: resets_in + AFTER_RESET,
                    }),
                    Err(e) => Err(Wait::Unavailable(format!("{e:#}"))),
                },
                Err(e) => Err(Wait::Unavailable(format!("{e:#}"))),
            }
        })
    }
}

/// Every provider configured in the environment (as `Providers::from_env`), each asking
/// `budget` before its requests.
pub fn providers_from_env(budget: &Arc<dyn Budget>) -> theset_providers::Result<Providers> {
    providers_with(
        budget,
        SetlistFmConfig::from_env(),
        TicketmasterConfig::from_env(),
        SpotifyConfig::from_env(),
    )
}

/// These providers' clients, each asking `budget` before its requests.
pub fn providers_with(
    budget: &Arc<dyn Budget>,
    setlistfm: Option<SetlistFmConfig>,
    ticketmaster: Option<TicketmasterConfig>,
    spotify: Option<SpotifyConfig>,
) -> theset_providers::Result<Providers> {
    Ok(Providers {
        setlistfm: setlistfm
            .map(|mut config| {
                config.http.budget = Some(budget.clone());
                SetlistFm::new(&config)
            })
            .transpose()?,
        ticketmaster: ticketmaster
            .map(|mut config| {
                config.http.budget = Some(budget.clone());
                Ticketmaster::new(&config)
            })
            .transpose()?,
        spotify: spotify
            .map(|mut config| {
                config.http.budget = Some(budget.clone());
                Spotify::new(&config)
            })
            .transpose()?,
    })
}

//! Public reads on a streaming standby (`DATABASE_READ_URL`), while it is close enough behind.
//!
//! A watcher compares, every `DATABASE_READ_LAG_CHECK_MS`, the primary's WAL position with what
//! the standby has replayed. Each reading of the primary is taken after an instant `t`, so every
//! transaction committed before `t` lies at or below it; once the standby has replayed past it,
//! everything committed before `t` is visible there. The newest such `t` is `visible_before`,
//! and the lag is how long ago it was.
//!
//! A public read goes to the standby when the lag is within `DATABASE_READ_MAX_LAG_MS`, else to
//! the primary until the standby catches up. The lag grows by itself while readings fail or
//! stop, so a standby (or watcher) that does not answer ends reads there within the bound. A
//! signed-in caller's writes are noted with the instant they ended: the caller's reads go to the
//! primary until `visible_before` passes that instant (read-your-writes), which usually takes one
//! check. Writes, signed-in work, the realtime listener and the show cache's fills read the
//! primary always (a cached page must be as new as the notifications that keep it exact).
//!
//! The notes are per process: behind a balancer that is not sticky, a caller's next public read
//! may reach another process, which reads the standby, at most the lag bound behind.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{LocalBoxFuture, ready};
use theset_database::ids::UserId;
use theset_database::{DatabaseConfig, DbPool, PooledConnection};

use crate::error::ApiError;
use crate::state::AppState;

/// `DATABASE_READ_*`: the standby and how far behind it may be.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    /// `DATABASE_READ_URL`, with the pool settings of `DATABASE_URL` (the same role).
    pub database: DatabaseConfig,
    /// `DATABASE_READ_MAX_LAG_MS` (default 1000): past this, public reads go to the primary.
    pub max_lag: Duration,
    /// `DATABASE_READ_LAG_CHECK_MS` (default 200): how often the lag is measured.
    pub check_every: Duration,
}

/// Readings of the primary kept while the standby has not replayed them (5 a second at the
/// default check; past this the oldest go, which only delays `visible_before`).
const MAX_SAMPLES: usize = 10_000;

pub struct Replica {
    pool: DbPool,
    max_lag: Duration,
    check_every: Duration,
    epoch: Instant,
    /// Nanoseconds since `epoch`: every commit before it is on the standby (0: none known).
    visible_before: AtomicU64,
    /// Signed-in callers' last writes (nanoseconds since `epoch`), until visible on the standby.
    writers: Mutex<HashMap<UserId, u64>>,
    /// Public reads served by the standby and by the primary.
    on_standby: AtomicU64,
    on_primary: AtomicU64,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// What `/metrics` and the tests read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// How far behind the standby is (None: not known, so not used).
    pub lag: Option<Duration>,
    /// Whether public reads go to the standby now.
    pub serving: bool,
    pub reads_on_standby: u64,
    pub reads_on_primary: u64,
}

impl Replica {
    /// Builds the standby's pool on `runtime` and starts the watcher there; no connection is
    /// opened before its first check.
    pub fn start(
        config: &ReplicaConfig,
        primary: DbPool,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Arc<Self>, theset_database::pool::ConfigError> {
        let replica = Arc::new(Self {
            pool: config.database.build_pool_on(runtime.clone())?,
            max_lag: config.max_lag,
            check_every: config.check_every,
            epoch: Instant::now(),
            visible_before: AtomicU64::new(0),
            writers: Mutex::new(HashMap::new()),
            on_standby: AtomicU64::new(0),
            on_primary: AtomicU64::new(0),
        });
        runtime.spawn(watch(Arc::downgrade(&replica), primary));
        Ok(replica)
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// How far behind the standby is, if known. It grows on its own when readings stop (a
    /// standby or a primary that does not answer), so a stalled watcher ends reads there too.
    fn lag(&self) -> Option<Duration> {
        let visible = self.visible_before.load(Ordering::Acquire);
        (visible > 0).then(|| Duration::from_nanos(self.now().saturating_sub(visible)))
    }

    /// Whether a public read by `reader` may go to the standby.
    fn serves(&self, reader: Option<UserId>) -> bool {
        if self.lag().is_none_or(|lag| lag > self.max_lag) {
            return false;
        }
        let Some(reader) = reader else {
            return true;
        };
        let visible = self.visible_before.load(Ordering::Acquire);
        self.lock_writers()
            .get(&reader)
            .is_none_or(|wrote| *wrote < visible)
    }

    fn has_writers(&self) -> bool {
        !self.lock_writers().is_empty()
    }

    /// Notes that `user` just wrote: their reads go to the primary until the standby has it.
    pub fn wrote(&self, user: UserId) {
        let now = self.now();
        self.lock_writers().insert(user, now);
    }

    pub fn status(&self) -> ReplicaStatus {
        let lag = self.lag();
        ReplicaStatus {
            lag,
            serving: lag.is_some_and(|lag| lag <= self.max_lag),
            reads_on_standby: self.on_standby.load(Ordering::Relaxed),
            reads_on_primary: self.on_primary.load(Ordering::Relaxed),
        }
    }

    fn lock_writers(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, u64>> {
        self.writers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Measures the lag until the replica is dropped.
async fn watch(replica: std::sync::Weak<Replica>, primary: DbPool) {
    // (taken after, primary position)
    let mut samples: VecDeque<(u64, i64)> = VecDeque::new();
    let mut failing = false;
    loop {
        let Some(this) = replica.upgrade() else {
            return;
        };
        let every = this.check_every;
        let taken = this.now();
        match read_positions(&primary, &this.pool).await {
            Ok((position, replayed)) => {
                if failing {
                    tracing::info!("the read replica answers again");
                    failing = false;
                }
                samples.push_back((taken, position));
                if samples.len() > MAX_SAMPLES {
                    samples.pop_front();
                }
                // The newest reading the standby has passed; older ones are no longer needed.
                let mut visible = None;
                while let Some(&(at, position)) = samples.front() {
                    if position > replayed {
                        break;
                    }
                    visible = Some(at);
                    samples.pop_front();
                }
                if let Some(at) = visible {
                    this.visible_before.fetch_max(at, Ordering::AcqRel);
                    this.lock_writers().retain(|_, wrote| *wrote >= at);
                }
            }
            Err(why) => {
                if !failing {
                    tracing::warn!(%why, "public reads go to the primary");
                    failing = true;
                }
            }
        }
        drop(this);
        tokio::time::sleep(every).await;
    }
}

/// The primary's position, then what the standby has replayed.
async fn read_positions(primary: &DbPool, standby: &DbPool) -> Result<(i64, i64), String> {
    let mut conn = primary.get().await.map_err(|e| e.to_string())?;
    let position = theset_database::replication::primary_position(&mut conn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("DATABASE_URL names a standby")?;
    drop(conn);
    let mut conn = standby.get().await.map_err(|e| e.to_string())?;
    let replayed = theset_database::replication::replayed_position(&mut conn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("DATABASE_READ_URL does not name a standby (or it was promoted)")?;
    Ok((position, replayed))
}

/// Where a public route reads: the standby when [`Replica`] allows it for this caller, else the
/// primary. A bearer token is verified only when some caller's write is still unseen on the
/// standby; a token that does not verify reads as anonymous (the route is public).
#[derive(Debug, Clone, Copy)]
pub struct PublicReads {
    on_standby: bool,
}

impl PublicReads {
    /// Where an anonymous read goes.
    pub fn anonymous(state: &AppState) -> Self {
        Self {
            on_standby: state.replica.as_ref().is_some_and(|r| r.serves(None)),
        }
    }

    /// The primary when `primary` (a read the show cache keeps), else where this request reads.
    pub fn or_primary(self, primary: bool) -> Self {
        Self {
            on_standby: self.on_standby && !primary,
        }
    }

    /// A pooled connection where this request reads (the primary when the standby's pool has
    /// none to give: a read never fails because the standby is down).
    pub async fn conn(self, state: &AppState) -> Result<PooledConnection, ApiError> {
        if let Some(replica) = state.replica.as_ref().filter(|_| self.on_standby) {
            match replica.pool.get().await {
                Ok(conn) => {
                    replica.on_standby.fetch_add(1, Ordering::Relaxed);
                    return Ok(conn);
                }
                Err(e) => tracing::warn!(error = %e, "read replica pool: reading the primary"),
            }
        }
        if let Some(replica) = &state.replica {
            replica.on_primary.fetch_add(1, Ordering::Relaxed);
        }
        state.conn().await
    }
}

impl FromRequest for PublicReads {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(replica) = (req.app_data::<web::Data<AppState>>()).and_then(|s| s.replica.clone())
        else {
            return Box::pin(ready(Ok(Self { on_standby: false })));
        };
        // Who reads matters only while some caller's write is unseen on the standby.
        let bearer = crate::auth::bearer(req)
            .ok()
            .filter(|_| replica.has_writers());
        let Some((jwt, token)) = bearer else {
            return Box::pin(ready(Ok(Self {
                on_standby: replica.serves(None),
            })));
        };
        Box::pin(async move {
            let reader = jwt.verify(&token).await.ok().map(|claims| claims.sub);
            Ok(Self {
                on_standby: replica.serves(reader),
            })
        })
    }
}

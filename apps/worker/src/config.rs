//! The worker's settings, read once at start-up from the environment (and `.env`, loaded by
//! `main`). A malformed setting stops start-up with an error naming it; every variable is
//! documented in the repository's `.env.example`.

use std::time::Duration;

use theset_database::DatabaseConfig;
use theset_jobs::RunnerConfig;
use theset_tasks::JobSettings;

/// A setting that is missing or malformed, named.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(name: &str, message: impl std::fmt::Display) -> Self {
        Self {
            name: name.to_owned(),
            message: message.to_string(),
        }
    }
}

/// One queue this worker runs (`theset_tasks::queues`): a runner of its own, taking only that
/// queue's jobs, on `concurrency` slots (`WORKER_QUEUE_<NAME>_CONCURRENCY`; 0: this worker does
/// not run the queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    pub name: &'static str,
    pub concurrency: usize,
}

/// Default slots per queue. `scores`: one is enough (both kinds are deduplicated, one waiting at
/// a time, and take milliseconds to a few seconds); `maintenance`: two, so a long trending or
/// statistics run never delays the status transitions; `imports`: `WORKER_CONCURRENCY` (4),
/// paced anyway by the providers' shared budgets.
pub const DEFAULT_SCORES_CONCURRENCY: usize = 1;
pub const DEFAULT_MAINTENANCE_CONCURRENCY: usize = 2;

/// Every queue with its default slots, the imports queue on `imports` slots.
pub fn default_queues(imports: usize) -> Vec<QueueSettings> {
    theset_tasks::queues::ALL
        .into_iter()
        .map(|name| QueueSettings {
            name,
            concurrency: match name {
                theset_tasks::queues::SCORES => DEFAULT_SCORES_CONCURRENCY,
                theset_tasks::queues::MAINTENANCE => DEFAULT_MAINTENANCE_CONCURRENCY,
                _ => imports,
            },
        })
        .collect()
}

/// `WORKER_QUEUE_<NAME>_CONCURRENCY` for a queue name (`imports` -> `WORKER_QUEUE_IMPORTS_CONCURRENCY`).
pub fn queue_setting(queue: &str) -> String {
    format!(
        "WORKER_QUEUE_{}_CONCURRENCY",
        queue.to_ascii_uppercase().replace('-', "_")
    )
}

/// How often each periodic job is enqueued; `None` turns a schedule off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervals {
    /// Fold pending vote totals into `setlists.total_votes` / `shows.vote_count`.
    pub vote_totals: Option<Duration>,
    /// Score the shows whose actual setlist changed (`scores_pending`): live shows' provisional
    /// scores reach fans this often.
    pub scores: Option<Duration>,
    /// Show status transitions (and prediction locks) at start instants.
    pub show_status: Option<Duration>,
    /// Trending scores of shows and artists.
    pub trending: Option<Duration>,
    /// `artist_stats` of every artist.
    pub artist_stats: Option<Duration>,
    /// Deleting finished jobs past their retention.
    pub prune_jobs: Option<Duration>,
    /// Ticketmaster sync of every tracked artist (`artists.ticketmaster_id` set).
    pub ticketmaster_sync: Option<Duration>,
    /// setlist.fm import for the artists of recently ended shows.
    pub setlistfm_recent: Option<Duration>,
    /// setlist.fm correction polling of every artist imported before.
    pub setlistfm_corrections: Option<Duration>,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            vote_totals: Some(Duration::from_secs(5)),
            scores: Some(Duration::from_secs(2)),
            show_status: Some(Duration::from_secs(60)),
            trending: Some(Duration::from_secs(300)),
            artist_stats: Some(Duration::from_secs(3600)),
            prune_jobs: Some(Duration::from_secs(3600)),
            ticketmaster_sync: Some(Duration::from_secs(24 * 3600)),
            setlistfm_recent: Some(Duration::from_secs(3600)),
            setlistfm_corrections: Some(Duration::from_secs(6 * 3600)),
        }
    }
}

impl Intervals {
    /// The longest interval of the schedules that are on.
    pub fn longest(&self) -> Duration {
        [
            self.vote_totals,
            self.scores,
            self.show_status,
            self.trending,
            self.artist_stats,
            self.prune_jobs,
            self.ticketmaster_sync,
            self.setlistfm_recent,
            self.setlistfm_corrections,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// `WORKER_DATABASE_URL` (or `DATABASE_URL`) and the `DATABASE_*` pool settings.
    pub database: DatabaseConfig,
    /// The settings every runner shares (each queue's runner gets its own `concurrency` and a
    /// `worker_id` of `<WORKER_ID>:<queue>`).
    pub runner: RunnerConfig,
    /// The queues this worker runs, each on its own runner and slots.
    pub queues: Vec<QueueSettings>,
    /// Whether this process enqueues the periodic jobs (any number of workers may: each period
    /// is enqueued once).
    pub schedules: bool,
    pub intervals: Intervals,
    /// What the jobs read: how long done and failed jobs are kept, the setlist.fm window.
    pub jobs: JobSettings,
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(
            |name| std::env::var(name).ok(),
            || {
                let worker_url =
                    std::env::var("WORKER_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty());
                if worker_url {
                    DatabaseConfig::from_env_with_url("WORKER_DATABASE_URL")
                } else {
                    DatabaseConfig::from_env()
                }
            },
        )
    }

    /// The same as `from_env`, over any source of variables (tests pass a map).
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
        database: impl FnOnce() -> Result<DatabaseConfig, theset_database::pool::ConfigError>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let number = |name: &str| -> Result<Option<u64>, ConfigError> {
            var(name)
                .map(|raw| {
                    raw.parse::<u64>().map_err(|_| {
                        ConfigError::new(name, format!("expected a whole number, got {raw:?}"))
                    })
                })
                .transpose()
        };
        let secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            Ok(number(name)?.map_or(default, Duration::from_secs))
        };
        let positive_secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            let value = secs(name, default)?;
            if value.is_zero() {
                return Err(ConfigError::new(name, "must be at least 1"));
            }
            Ok(value)
        };
        // 0 turns a schedule off.
        let every =
            |name: &str, default: Option<Duration>| -> Result<Option<Duration>, ConfigError> {
                Ok(match number(name)? {
                    Some(0) => None,
                    Some(secs) => Some(Duration::from_secs(secs)),
                    None => default,
                })
            };

        let mut database = database().map_err(|e| ConfigError::new(&e.setting, e.reason))?;
        let defaults = RunnerConfig::default();
        let concurrency = match number("WORKER_CONCURRENCY")? {
            Some(0) => return Err(ConfigError::new("WORKER_CONCURRENCY", "must be at least 1")),
            Some(n) => usize::try_from(n).map_err(|e| ConfigError::new("WORKER_CONCURRENCY", e))?,
            None => defaults.concurrency,
        };
        let poll_interval = match number("WORKER_POLL_INTERVAL_MS")? {
            Some(0) => {
                return Err(ConfigError::new(
                    "WORKER_POLL_INTERVAL_MS",
                    "must be at least 1",
                ));
            }
            Some(ms) => Duration::from_millis(ms),
            None => defaults.poll_interval,
        };
        let backoff_base = match number("WORKER_BACKOFF_BASE_MS")? {
            Some(ms) => Duration::from_millis(ms),
            None => defaults.backoff_base,
        };
        let runner = RunnerConfig {
            worker_id: var("WORKER_ID").unwrap_or(defaults.worker_id),
            concurrency,
            poll_interval,
            visibility_timeout: positive_secs(
                "WORKER_VISIBILITY_TIMEOUT_SECS",
                defaults.visibility_timeout,
            )?,
            shutdown_grace: secs("WORKER_SHUTDOWN_GRACE_SECS", defaults.shutdown_grace)?,
            backoff_base,
            backoff_max: secs("WORKER_BACKOFF_MAX_SECS", defaults.backoff_max)?,
        };
        let mut queues = default_queues(concurrency);
        for queue in &mut queues {
            let setting = queue_setting(queue.name);
            match number(&setting)? {
                Some(n) if n > 1024 => {
                    return Err(ConfigError::new(&setting, "must be at most 1024"));
                }
                Some(n) => {
                    queue.concurrency =
                        usize::try_from(n).map_err(|e| ConfigError::new(&setting, e))?;
                }
                None => {}
            }
        }
        if queues.iter().all(|q| q.concurrency == 0) {
            return Err(ConfigError::new(
                &queue_setting(theset_tasks::queues::IMPORTS),
                "every WORKER_QUEUE_*_CONCURRENCY is 0: this worker would run nothing",
            ));
        }
        // The runners' own statements (take, renew, record, expire: two each), the scheduler and
        // the provider budget's statements need connections beside the running jobs.
        let slots: usize = queues.iter().map(|q| q.concurrency).sum();
        let runners = queues.iter().filter(|q| q.concurrency > 0).count();
        database.pool_size = database.pool_size.max(slots + 2 * runners + 3);

        let schedules = match var("WORKER_SCHEDULES").as_deref() {
            None | Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "WORKER_SCHEDULES",
                    format!("expected true or false, got {other:?}"),
                ));
            }
        };
        let defaults = Intervals::default();
        let intervals = Intervals {
            vote_totals: every("WORKER_VOTE_TOTALS_EVERY_SECS", defaults.vote_totals)?,
            scores: every("WORKER_SCORES_EVERY_SECS", defaults.scores)?,
            show_status: every("WORKER_SHOW_STATUS_EVERY_SECS", defaults.show_status)?,
            trending: every("WORKER_TRENDING_EVERY_SECS", defaults.trending)?,
            artist_stats: every("WORKER_ARTIST_STATS_EVERY_SECS", defaults.artist_stats)?,
            prune_jobs: every("WORKER_PRUNE_JOBS_EVERY_SECS", defaults.prune_jobs)?,
            ticketmaster_sync: every(
                "WORKER_TICKETMASTER_SYNC_EVERY_SECS",
                defaults.ticketmaster_sync,
            )?,
            setlistfm_recent: every(
                "WORKER_SETLISTFM_RECENT_EVERY_SECS",
                defaults.setlistfm_recent,
            )?,
            setlistfm_corrections: every(
                "WORKER_SETLISTFM_CORRECTIONS_EVERY_SECS",
                defaults.setlistfm_corrections,
            )?,
        };
        let setlistfm_recent_days = match number("WORKER_SETLISTFM_RECENT_DAYS")? {
            None => JobSettings::DEFAULT_SETLISTFM_RECENT_DAYS,
            Some(0) => {
                return Err(ConfigError::new(
                    "WORKER_SETLISTFM_RECENT_DAYS",
                    "must be at least 1",
                ));
            }
            Some(days) => u32::try_from(days)
                .ok()
                .filter(|days| *days <= 3650)
                .ok_or_else(|| {
                    ConfigError::new("WORKER_SETLISTFM_RECENT_DAYS", "must be at most 3650")
                })?,
        };
        let keep_done = positive_secs("WORKER_KEEP_DONE_SECS", JobSettings::DEFAULT_KEEP_DONE)?;
        // A period's done job keeps its key from being enqueued again: it must outlive the period.
        let longest = intervals.longest();
        if keep_done < longest {
            return Err(ConfigError::new(
                "WORKER_KEEP_DONE_SECS",
                format!(
                    "must be at least the longest schedule interval ({}s)",
                    longest.as_secs()
                ),
            ));
        }
        Ok(Self {
            database,
            runner,
            queues,
            schedules,
            intervals,
            jobs: JobSettings {
                keep_done,
                keep_failed: positive_secs(
                    "WORKER_KEEP_FAILED_SECS",
                    JobSettings::DEFAULT_KEEP_FAILED,
                )?,
                setlistfm_recent_days,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<WorkerConfig, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        WorkerConfig::from_lookup(
            |name| vars.get(name).cloned(),
            || DatabaseConfig::from_url("postgres://theset_service@127.0.0.1:54322/theset"),
        )
    }

    #[test]
    fn defaults() {
        let config = config(&[]).unwrap();
        assert_eq!(config.runner.concurrency, 4);
        assert_eq!(config.runner.visibility_timeout, Duration::from_secs(60));
        assert!(config.schedules);
        assert_eq!(config.intervals, Intervals::default());
        assert_eq!(config.jobs.keep_done, JobSettings::DEFAULT_KEEP_DONE);
        let queues: Vec<(&str, usize)> = config
            .queues
            .iter()
            .map(|q| (q.name, q.concurrency))
            .collect();
        assert_eq!(queues, [("scores", 1), ("maintenance", 2), ("imports", 4)]);
        assert!(config.database.pool_size >= 7 + 2 * 3 + 3);
        assert_eq!(config.intervals.scores, Some(Duration::from_secs(2)));
        assert!(!config.runner.worker_id.is_empty());
    }

    #[test]
    fn each_queue_has_its_own_concurrency() {
        let some_off = config(&[
            ("WORKER_QUEUE_IMPORTS_CONCURRENCY", "0"),
            ("WORKER_QUEUE_MAINTENANCE_CONCURRENCY", "3"),
        ])
        .unwrap();
        let queues: Vec<(&str, usize)> = some_off
            .queues
            .iter()
            .map(|q| (q.name, q.concurrency))
            .collect();
        assert_eq!(queues, [("scores", 1), ("maintenance", 3), ("imports", 0)]);
        let none = config(&[
            ("WORKER_QUEUE_IMPORTS_CONCURRENCY", "0"),
            ("WORKER_QUEUE_MAINTENANCE_CONCURRENCY", "0"),
            ("WORKER_QUEUE_SCORES_CONCURRENCY", "0"),
        ]);
        assert_eq!(none.unwrap_err().name, "WORKER_QUEUE_IMPORTS_CONCURRENCY");
        assert_eq!(
            config(&[("WORKER_QUEUE_SCORES_CONCURRENCY", "two")])
                .unwrap_err()
                .name,
            "WORKER_QUEUE_SCORES_CONCURRENCY"
        );
    }

    #[test]
    fn debug_never_shows_the_database_password() {
        let config = WorkerConfig::from_lookup(
            |_| None,
            || DatabaseConfig::from_url("postgres://theset_service:s3cretPW@db.example/theset"),
        )
        .unwrap();
        for debug in [format!("{config:?}"), format!("{config:#?}")] {
            assert!(!debug.contains("s3cretPW"), "{debug}");
            assert!(debug.contains("theset_service@db.example"), "{debug}");
        }
    }

    #[test]
    fn settings_are_read() {
        let config = config(&[
            ("WORKER_ID", "w1"),
            ("WORKER_CONCURRENCY", "32"),
            ("WORKER_POLL_INTERVAL_MS", "250"),
            ("WORKER_SCHEDULES", "false"),
            ("WORKER_TRENDING_EVERY_SECS", "0"),
            ("WORKER_SHOW_STATUS_EVERY_SECS", "30"),
            ("WORKER_BACKOFF_BASE_MS", "1500"),
            ("WORKER_SCORES_EVERY_SECS", "0"),
        ])
        .unwrap();
        assert_eq!(config.runner.worker_id, "w1");
        assert_eq!(config.runner.concurrency, 32);
        // 32 imports + 1 scores + 2 maintenance, two statements per runner, 3 more.
        assert_eq!(config.database.pool_size, 44, "raised to fit the runners");
        assert_eq!(config.runner.poll_interval, Duration::from_millis(250));
        assert_eq!(config.runner.backoff_base, Duration::from_millis(1500));
        assert!(!config.schedules);
        assert_eq!(config.intervals.trending, None);
        assert_eq!(config.intervals.scores, None);
        assert_eq!(config.intervals.show_status, Some(Duration::from_secs(30)));
    }

    #[test]
    fn the_example_settings_are_valid_and_documented() {
        let example = include_str!("../../../.env.example");
        let vars: HashMap<String, String> = example
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let worker_vars: Vec<&String> = vars.keys().filter(|k| k.starts_with("WORKER_")).collect();
        assert!(worker_vars.len() >= 15, "{worker_vars:?}");
        let readme = include_str!("../README.md");
        for var in &worker_vars {
            assert!(readme.contains(var.as_str()), "{var} is not in the README");
        }
        let config = WorkerConfig::from_lookup(
            |name| vars.get(name).cloned(),
            || DatabaseConfig::from_url(&vars["WORKER_DATABASE_URL"]),
        )
        .unwrap();
        assert_eq!(config.database.user(), Some("theset_service"));
        assert_eq!(config.intervals, Intervals::default());
    }

    #[test]
    fn each_bad_setting_is_named() {
        let name = |vars: &[(&str, &str)]| config(vars).unwrap_err().name;
        assert_eq!(name(&[("WORKER_CONCURRENCY", "0")]), "WORKER_CONCURRENCY");
        assert_eq!(
            name(&[("WORKER_CONCURRENCY", "many")]),
            "WORKER_CONCURRENCY"
        );
        assert_eq!(
            name(&[("WORKER_POLL_INTERVAL_MS", "-5")]),
            "WORKER_POLL_INTERVAL_MS"
        );
        assert_eq!(
            name(&[("WORKER_VISIBILITY_TIMEOUT_SECS", "0")]),
            "WORKER_VISIBILITY_TIMEOUT_SECS"
        );
        assert_eq!(name(&[("WORKER_SCHEDULES", "maybe")]), "WORKER_SCHEDULES");
        assert_eq!(
            name(&[("WORKER_SETLISTFM_RECENT_DAYS", "0")]),
            "WORKER_SETLISTFM_RECENT_DAYS"
        );
        assert_eq!(
            name(&[("WORKER_TICKETMASTER_SYNC_EVERY_SECS", "daily")]),
            "WORKER_TICKETMASTER_SYNC_EVERY_SECS"
        );
        assert_eq!(
            name(&[("WORKER_KEEP_DONE_SECS", "600")]),
            "WORKER_KEEP_DONE_SECS",
            "shorter than the hourly schedules"
        );
        assert_eq!(
            name(&[("WORKER_TRENDING_EVERY_SECS", "soon")]),
            "WORKER_TRENDING_EVERY_SECS"
        );
        assert_eq!(
            name(&[("WORKER_SCORES_EVERY_SECS", "-2")]),
            "WORKER_SCORES_EVERY_SECS"
        );
        let database = WorkerConfig::from_lookup(
            |_| None,
            || DatabaseConfig::from_url("postgres://x@h/db?sslmode=bogus"),
        );
        assert_eq!(database.unwrap_err().name, "DATABASE_URL");
    }
}

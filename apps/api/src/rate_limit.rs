//! Per-user vote rate limit: a fixed window per user, in memory (one API process; several
//! processes would each allow the limit).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use theset_database::ids::UserId;

use crate::config::VoteRateLimit;

/// Windows kept before expired ones are swept, so memory stays bounded by active voters.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: VoteRateLimit,
    windows: Mutex<HashMap<UserId, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: VoteRateLimit) -> Self {
        Self {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one action of `user`; `Err(seconds)` says how long to wait when over the limit.
    pub fn check(&self, user: UserId) -> Result<(), u64> {
        self.check_at(user, Instant::now())
    }

    fn check_at(&self, user: UserId, now: Instant) -> Result<(), u64> {
        if self.limit.votes == 0 {
            return Ok(());
        }
        let window = self.limit.window;
        // A poisoned lock only means another request panicked mid-update: the counts are still
        // usable.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(user).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit.votes {
            let left = window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::time::Duration;

    #[test]
    fn limits_per_user_and_window() {
        let limiter = RateLimiter::new(VoteRateLimit {
            votes: 2,
            window: Duration::from_secs(60),
        });
        let (a, b) = (UserId::new_random(), UserId::new_random());
        let t0 = Instant::now();
        assert!(limiter.check_at(a, t0).is_ok());
        assert!(limiter.check_at(a, t0).is_ok());
        assert_eq!(limiter.check_at(a, t0 + Duration::from_secs(10)), Err(50));
        assert!(limiter.check_at(b, t0).is_ok());
        assert!(limiter.check_at(a, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new(VoteRateLimit {
            votes: 0,
            window: Duration::from_secs(60),
        });
        let user = UserId::new_random();
        for _ in 0..100 {
            assert!(limiter.check(user).is_ok());
        }
    }
}

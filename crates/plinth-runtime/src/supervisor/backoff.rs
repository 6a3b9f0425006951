//! Restart delays: exponential from a base to a cap, reset after a replica stayed up long enough,
//! and the crash-loop verdict after too many restarts within a window (which keeps retrying at the
//! cap). Pure: the caller supplies the clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// When and how often a replica is restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// The first delay.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// A replica that ran this long starts again from `base`.
    pub reset_after: Duration,
    /// Restarts within `window` that make a crash loop.
    pub crash_loop_restarts: usize,
    /// The crash-loop window.
    pub window: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            reset_after: Duration::from_secs(30),
            crash_loop_restarts: 5,
            window: Duration::from_secs(120),
        }
    }
}

/// The restart history of one replica.
#[derive(Debug)]
pub(crate) struct Restarts {
    policy: RestartPolicy,
    consecutive: u32,
    recent: VecDeque<Instant>,
}

/// The delay before the next start, and whether the replica is crash-looping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delay {
    pub(crate) wait: Duration,
    pub(crate) crash_loop: bool,
}

impl Restarts {
    pub(crate) fn new(policy: RestartPolicy) -> Self {
        Self { policy, consecutive: 0, recent: VecDeque::new() }
    }

    /// Records an exit at `now` after running for `ran_for`; returns the delay before restarting.
    pub(crate) fn after_exit(&mut self, ran_for: Duration, now: Instant) -> Delay {
        if ran_for >= self.policy.reset_after {
            self.consecutive = 0;
        }
        self.consecutive = self.consecutive.saturating_add(1);
        self.recent.push_back(now);
        while self.recent.front().is_some_and(|t| now.duration_since(*t) > self.policy.window) {
            self.recent.pop_front();
        }
        let crash_loop = self.recent.len() >= self.policy.crash_loop_restarts;
        let doubled = self.policy.base.saturating_mul(1u32 << (self.consecutive - 1).min(20));
        let wait = if crash_loop { self.policy.cap } else { doubled.min(self.policy.cap) };
        Delay { wait, crash_loop }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn delays_double_to_the_cap_and_reset_after_a_stable_run() {
        let policy = RestartPolicy { crash_loop_restarts: 100, window: secs(1), ..RestartPolicy::default() };
        let mut restarts = Restarts::new(policy);
        let start = Instant::now();
        let waits: Vec<u64> =
            (0..8).map(|i| restarts.after_exit(secs(0), start + secs(10 * i)).wait.as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(restarts.after_exit(secs(31), start + secs(100)).wait, secs(1));
    }

    #[test]
    fn too_many_restarts_in_the_window_is_a_crash_loop_at_the_cap() {
        let mut restarts = Restarts::new(RestartPolicy::default());
        let start = Instant::now();
        let delays: Vec<Delay> = (0..5).map(|i| restarts.after_exit(secs(0), start + secs(i))).collect();
        assert!(delays[..4].iter().all(|d| !d.crash_loop));
        assert_eq!(delays[4], Delay { wait: secs(60), crash_loop: true });
        // Long after, the window has emptied.
        let later = restarts.after_exit(secs(0), start + secs(1000));
        assert!(!later.crash_loop);
    }
}

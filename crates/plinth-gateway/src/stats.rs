//! Per-version request statistics for canary analysis: requests, errors and a latency histogram.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets, shared with `/metrics`.
pub const LATENCY_BUCKETS: [f64; 14] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// A snapshot of one version's traffic since the gateway started.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionStats {
    /// Requests answered (any status).
    pub requests: u64,
    /// 5xx answers and upstream failures.
    pub errors: u64,
    /// Time to the upstream's response head.
    pub latency: LatencyHistogram,
}

impl VersionStats {
    /// Share of requests that were not errors; `None` without requests.
    pub fn success_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| 1.0 - self.errors as f64 / self.requests as f64)
    }
}

/// A cumulative latency histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyHistogram {
    /// `(upper bound in seconds, observations at or below it)`, cumulative, ascending; the
    /// `+Inf` bucket is [`LatencyHistogram::count`].
    pub buckets: Vec<(f64, u64)>,
    /// Observations.
    pub count: u64,
    /// Sum of the observations, in seconds.
    pub sum_seconds: f64,
}

impl LatencyHistogram {
    /// The `q` quantile (0..=1) interpolated within its bucket as Prometheus' `histogram_quantile`
    /// does; `None` without observations, the largest finite bound when it lies in `+Inf`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * self.count as f64;
        let (mut lower, mut below) = (0.0, 0u64);
        for &(upper, cumulative) in &self.buckets {
            if cumulative as f64 >= rank {
                let in_bucket = (cumulative - below) as f64;
                let fraction = if in_bucket == 0.0 { 1.0 } else { (rank - below as f64) / in_bucket };
                return Some(lower + (upper - lower) * fraction);
            }
            (lower, below) = (upper, cumulative);
        }
        self.buckets.last().map(|&(upper, _)| upper)
    }
}

/// Live counters of one version.
#[derive(Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Non-cumulative counts per bucket, the last one for `+Inf`.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Counters {
    /// Records one answered request.
    pub(crate) fn record(&self, error: bool, latency: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if error {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let seconds = latency.as_secs_f64();
        let bucket = LATENCY_BUCKETS.iter().position(|&upper| seconds <= upper).unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }
}

/// Counters by backend, then version (nested so that a lookup by `&str` allocates nothing).
#[derive(Default)]
pub(crate) struct Stats {
    versions: Mutex<BTreeMap<String, BTreeMap<String, Arc<Counters>>>>,
}

impl Stats {
    /// The live counters of `version` of `backend`, created on first use. The request path keeps
    /// the handle, so recording a request takes no lock.
    pub(crate) fn counters(&self, backend: &str, version: &str) -> Arc<Counters> {
        let mut backends = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        let versions = match backends.get_mut(backend) {
            Some(versions) => versions,
            None => backends.entry(backend.to_owned()).or_default(),
        };
        match versions.get(version) {
            Some(counters) => counters.clone(),
            None => versions.entry(version.to_owned()).or_default().clone(),
        }
    }

    /// Snapshot of every version of `backend` seen so far.
    pub(crate) fn snapshot(&self, backend: &str) -> BTreeMap<String, VersionStats> {
        let backends = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        let Some(versions) = backends.get(backend) else { return BTreeMap::new() };
        versions
            .iter()
            .map(|(version, counters)| {
                let mut cumulative = 0;
                let buckets = LATENCY_BUCKETS
                    .iter()
                    .zip(&counters.buckets)
                    .map(|(&upper, count)| {
                        cumulative += count.load(Ordering::Relaxed);
                        (upper, cumulative)
                    })
                    .collect();
                let count = cumulative + counters.buckets[LATENCY_BUCKETS.len()].load(Ordering::Relaxed);
                let stats = VersionStats {
                    requests: counters.requests.load(Ordering::Relaxed),
                    errors: counters.errors.load(Ordering::Relaxed),
                    latency: LatencyHistogram {
                        buckets,
                        count,
                        sum_seconds: counters.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
                    },
                };
                (version.clone(), stats)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_counts_errors_and_estimates_quantiles() {
        let stats = Stats::default();
        for _ in 0..90 {
            stats.counters("api", "stable").record(false, Duration::from_millis(3));
        }
        for _ in 0..10 {
            stats.counters("api", "stable").record(true, Duration::from_millis(200));
        }
        let snapshot = stats.snapshot("api");
        let stable = &snapshot["stable"];
        assert_eq!((stable.requests, stable.errors), (100, 10));
        assert_eq!(stable.success_rate(), Some(0.9));
        let p50 = stable.latency.quantile(0.5).unwrap();
        assert!((0.0025..=0.005).contains(&p50), "{p50}");
        let p99 = stable.latency.quantile(0.99).unwrap();
        assert!((0.1..=0.25).contains(&p99), "{p99}");
        assert!(stats.snapshot("other").is_empty());
    }
}

//! Choosing a replica: sticky cookie first, then a version by smooth weighted round-robin
//! (nginx's SWRR: exact shares, evenly interleaved), then round-robin among its healthy replicas.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::Backend;
use crate::health::Replica;
use crate::metrics::{Metrics, VersionHandles};
use crate::stats::Stats;

/// A backend's versions with their live replicas.
pub(crate) struct Balancer {
    /// The backend's name (a metrics label).
    pub backend: Arc<str>,
    pub versions: Vec<VersionSet>,
    /// SWRR "current weight" per version.
    current: Mutex<Vec<i64>>,
}

/// One version's replicas.
pub(crate) struct VersionSet {
    pub name: Arc<str>,
    pub weight: u32,
    pub replicas: Vec<Arc<Replica>>,
    next: AtomicUsize,
    /// Its metric series and statistics, looked up on first use.
    handles: OnceLock<VersionHandles>,
}

/// The chosen version (index into [`Balancer::versions`]) and replica.
pub(crate) struct Pick {
    pub version: usize,
    pub replica: Arc<Replica>,
}

impl Balancer {
    /// Builds the balancer, taking each replica's shared state from `replica`.
    pub(crate) fn new(backend: &Backend, mut replica: impl FnMut(SocketAddr) -> Arc<Replica>) -> Self {
        let versions: Vec<VersionSet> = backend
            .versions
            .iter()
            .map(|version| VersionSet {
                name: version.name.as_str().into(),
                weight: version.weight,
                replicas: version.replicas.iter().map(|addr| replica(*addr)).collect(),
                next: AtomicUsize::new(0),
                handles: OnceLock::new(),
            })
            .collect();
        Self { backend: backend.name.as_str().into(), current: Mutex::new(vec![0; versions.len()]), versions }
    }

    /// The replica named by a sticky cookie value (`version~addr`) if that version still has
    /// weight and the replica is available and not excluded.
    pub(crate) fn pick_sticky(&self, cookie: &str, exclude: &[SocketAddr]) -> Option<Pick> {
        let (version_name, addr) = cookie.split_once('~')?;
        let addr: SocketAddr = addr.parse().ok()?;
        let version = self.versions.iter().position(|v| *v.name == *version_name && v.weight > 0)?;
        let replica = self.versions[version].replicas.iter().find(|r| r.addr == addr)?;
        (replica.available() && !exclude.contains(&addr)).then(|| Pick { version, replica: replica.clone() })
    }

    /// The sticky cookie value for a pick.
    pub(crate) fn sticky_value(&self, pick: &Pick) -> String {
        format!("{}~{}", self.versions[pick.version].name, pick.replica.addr)
    }

    /// Picks a version by SWRR among the weighted versions that have an available replica outside
    /// `exclude`, then the next such replica of it.
    pub(crate) fn pick(&self, exclude: &[SocketAddr]) -> Option<Pick> {
        if let [only] = self.versions.as_slice() {
            return if only.weight > 0 { self.pick_in(0, exclude) } else { None };
        }
        let eligible: Vec<bool> =
            self.versions.iter().map(|v| v.weight > 0 && v.replicas.iter().any(|r| usable(r, exclude))).collect();
        let version = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            swrr_step(&mut current, &self.versions.iter().map(|v| v.weight).collect::<Vec<_>>(), &eligible)?
        };
        self.pick_in(version, exclude)
    }

    /// The next available replica of `version` outside `exclude`, round-robin.
    pub(crate) fn pick_in(&self, version: usize, exclude: &[SocketAddr]) -> Option<Pick> {
        let set = &self.versions[version];
        let start = set.next.fetch_add(1, Ordering::Relaxed);
        (0..set.replicas.len())
            .map(|offset| &set.replicas[(start + offset) % set.replicas.len()])
            .find(|r| usable(r, exclude))
            .map(|replica| Pick { version, replica: replica.clone() })
    }
}

impl Balancer {
    /// The metric series and statistics of `version`.
    pub(crate) fn handles(&self, version: usize, metrics: &Metrics, stats: &Stats) -> &VersionHandles {
        let set = &self.versions[version];
        set.handles.get_or_init(|| VersionHandles::new(&self.backend, &set.name, metrics, stats))
    }
}

fn usable(replica: &Replica, exclude: &[SocketAddr]) -> bool {
    !exclude.contains(&replica.addr) && replica.available()
}

/// One step of smooth weighted round-robin over the eligible entries: each gains its weight, the
/// largest current wins and loses the total. Over `sum(weights)` steps each entry wins exactly its
/// weight.
fn swrr_step(current: &mut [i64], weights: &[u32], eligible: &[bool]) -> Option<usize> {
    let mut total = 0i64;
    let mut best: Option<usize> = None;
    for (i, weight) in weights.iter().enumerate() {
        if !eligible[i] {
            continue;
        }
        current[i] += i64::from(*weight);
        total += i64::from(*weight);
        if best.is_none_or(|b| current[i] > current[b]) {
            best = Some(i);
        }
    }
    let best = best?;
    current[best] -= total;
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swrr_is_exact_and_interleaved() {
        let weights = [5, 1, 1];
        let mut current = vec![0; 3];
        let picks: Vec<usize> = (0..7).map(|_| swrr_step(&mut current, &weights, &[true; 3]).unwrap()).collect();
        assert_eq!(picks, [0, 0, 1, 0, 2, 0, 0]);
        let mut counts = [0; 2];
        let mut current = vec![0; 2];
        for _ in 0..10_000 {
            counts[swrr_step(&mut current, &[90, 10], &[true, true]).unwrap()] += 1;
        }
        assert_eq!(counts, [9_000, 1_000]);
    }

    #[test]
    fn swrr_skips_ineligible_entries() {
        let mut current = vec![0; 2];
        assert_eq!(swrr_step(&mut current, &[1, 9], &[true, false]), Some(0));
        assert_eq!(swrr_step(&mut current, &[1, 9], &[false, false]), None);
    }
}

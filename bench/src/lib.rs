//! Helpers the benchmark binaries share: knobs from the environment, the machine a run happened
//! on, tool versions and medians.

use std::process::Command;

/// A number from the environment, else `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU model, core count and memory of this machine.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("?", |m| m.trim_start_matches([' ', '\t', ':']));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|m| m.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    format!("{model}, {} cores, {:.0} GiB", cores(), kib as f64 / 1_048_576.0)
}

/// The number of CPUs this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The running kernel's release.
pub fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or_else(|_| "?".to_owned(), |r| r.trim().to_owned())
}

/// The first line a binary prints for `args`, on stdout or else on stderr (`nginx -v`).
pub fn version(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|err| panic!("cannot run {program}: {err}"));
    let first = |bytes: &[u8]| String::from_utf8_lossy(bytes).lines().next().map(|l| l.trim().to_owned());
    first(&output.stdout).filter(|l| !l.is_empty()).or_else(|| first(&output.stderr)).unwrap_or_else(|| "?".to_owned())
}

/// The median of `samples` (the upper one of an even count); panics when empty.
pub fn median<T: Copy + PartialOrd>(samples: &[T]) -> T {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    sorted[sorted.len() / 2]
}

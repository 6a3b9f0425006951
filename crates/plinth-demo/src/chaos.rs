//! The instance-wide fault switch: a share of ordinary requests answer 500 and every ordinary
//! request waits. Which requests fail is decided by a counter, not a random draw: the `n`th request
//! since the switch was set fails iff `floor((n+1)·rate) > floor(n·rate)`, so exactly
//! `floor(N·rate)` of the first `N` fail, evenly spread, and tests and canary analyses reproduce.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

/// The longest delay a request may ask for or the switch may inject.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Error rates are kept in parts per million, so the selection is integer arithmetic.
const PPM: u128 = 1_000_000;

/// Faults applied to every ordinary request (everything but the probes, `/metrics` and `/chaos`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chaos {
    error_ppm: u128,
    latency: Duration,
}

impl Chaos {
    /// `error_rate` (0..=1) of ordinary requests fail with 500, and each waits `latency` (at most
    /// [`MAX_DELAY`]) first. The rate is kept to a millionth.
    pub fn new(error_rate: f64, latency: Duration) -> Result<Self, String> {
        if !(0.0..=1.0).contains(&error_rate) {
            return Err(format!("error_rate must be between 0 and 1, not {error_rate}"));
        }
        if latency > MAX_DELAY {
            return Err(format!("latency must be at most {}, not {}", fmt(MAX_DELAY), fmt(latency)));
        }
        // In 0..=1_000_000 after the check above, so the cast is exact.
        Ok(Self { error_ppm: (error_rate * 1e6).round() as u128, latency })
    }

    /// The JSON body of `POST /chaos`: `{"error_rate": 0.2, "latency_ms": 300}`, either field
    /// optional (0).
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            #[serde(default)]
            error_rate: f64,
            #[serde(default)]
            latency_ms: u64,
        }
        let body: Body = serde_json::from_slice(body).map_err(|e| format!("invalid chaos settings: {e}"))?;
        Self::new(body.error_rate, Duration::from_millis(body.latency_ms))
    }

    /// The share of ordinary requests that fail.
    pub fn error_rate(&self) -> f64 {
        self.error_ppm as f64 / PPM as f64
    }

    /// The delay every ordinary request gets.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Whether the `n`th ordinary request (from 0) fails.
    fn fails(&self, n: u64) -> bool {
        let n = u128::from(n);
        (n + 1) * self.error_ppm / PPM > n * self.error_ppm / PPM
    }
}

/// A latency flag or variable: a duration (`300ms`, `1s`) or a bare number of milliseconds.
pub fn parse_latency(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<u64>() {
        Ok(ms) => Ok(Duration::from_millis(ms)),
        Err(_) => humantime::parse_duration(text.trim()).map_err(|e| format!("invalid latency `{text}`: {e}")),
    }
}

fn fmt(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// The switch as the server holds it: the settings and what they did since they were set.
#[derive(Debug, Default)]
pub(crate) struct Switch {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    chaos: Chaos,
    requests: u64,
    errors: u64,
}

impl Switch {
    pub(crate) fn new(chaos: Chaos) -> Self {
        Self { state: Mutex::new(State { chaos, ..State::default() }) }
    }

    /// Replaces the settings and restarts the count, so the next `N` requests see exactly
    /// `floor(N·rate)` errors.
    pub(crate) fn set(&self, chaos: Chaos) {
        *self.lock() = State { chaos, ..State::default() };
    }

    /// The fate of the next ordinary request: how long it waits, and whether it then fails.
    pub(crate) fn draw(&self) -> (Duration, bool) {
        let mut state = self.lock();
        let fails = state.chaos.fails(state.requests);
        state.requests += 1;
        state.errors += u64::from(fails);
        (state.chaos.latency, fails)
    }

    /// `GET /chaos`: the settings and the requests and errors since they were set.
    pub(crate) fn status(&self) -> Value {
        let state = self.lock();
        json!({
            "error_rate": state.chaos.error_rate(),
            "latency_ms": state.chaos.latency.as_millis(),
            "requests": state.requests,
            "errors": state.errors,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(rate: f64, requests: u64) -> u64 {
        let switch = Switch::new(Chaos::new(rate, Duration::ZERO).unwrap());
        (0..requests).filter(|_| switch.draw().1).count() as u64
    }

    #[test]
    fn exactly_the_rate_fails_over_any_prefix() {
        assert_eq!(failures(0.2, 1000), 200);
        assert_eq!(failures(0.2, 5), 1);
        assert_eq!(failures(0.2, 4), 0);
        assert_eq!(failures(0.125, 800), 100);
        // Rates are kept to a millionth: a third is 0.333333.
        assert_eq!(failures(1.0 / 3.0, 3_000_000), 999_999);
        assert_eq!(failures(0.0, 1000), 0);
        assert_eq!(failures(1.0, 1000), 1000);
        assert_eq!(failures(0.001, 1000), 1);
    }

    #[test]
    fn setting_restarts_the_count() {
        let switch = Switch::new(Chaos::new(0.5, Duration::ZERO).unwrap());
        assert!(!switch.draw().1);
        switch.set(Chaos::new(0.5, Duration::from_millis(7)).unwrap());
        assert_eq!(switch.draw(), (Duration::from_millis(7), false));
        assert_eq!(switch.draw(), (Duration::from_millis(7), true));
        assert_eq!(switch.status()["requests"], 2);
        assert_eq!(switch.status()["errors"], 1);
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(Chaos::new(1.5, Duration::ZERO).is_err());
        assert!(Chaos::new(f64::NAN, Duration::ZERO).is_err());
        assert!(Chaos::new(0.1, Duration::from_secs(31)).is_err());
        assert!(Chaos::from_json(br#"{"error_rate": 0.2, "latency": 3}"#).unwrap_err().contains("unknown field"));
        assert!(Chaos::from_json(b"not json").is_err());
        let chaos = Chaos::from_json(br#"{"latency_ms": 300}"#).unwrap();
        assert_eq!((chaos.error_rate(), chaos.latency()), (0.0, Duration::from_millis(300)));
    }

    #[test]
    fn latencies_read_as_durations_or_milliseconds() {
        assert_eq!(parse_latency("300"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_latency("1s 500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_latency("soon").is_err());
    }
}

//! The per-IP rate limit from `security.rate_limit`, in nginx's units.
//!
//! nginx meters requests with a leaky bucket at `rate` and lets `burst` requests beyond it through
//! at once (`nodelay`); the rest get 429. The burst is a fifth of the spec's window count (20 for
//! the seed's 100 requests a minute, at least 1): a page load fetches a few dozen assets in one go,
//! and a client that keeps going is held to the rate.

use plinth_spec::units::Rate;

/// The shared-memory zone counting requests per client address.
pub const ZONE: &str = "per_ip";

/// nginx's rate for `rate`: `N r/s` for per-second limits, otherwise per minute, rounded up so a
/// per-hour limit never becomes stricter than written.
pub fn nginx_rate(rate: Rate) -> String {
    if rate.per_seconds == 1 {
        return format!("{}r/s", rate.requests);
    }
    let per_minute = (u64::from(rate.requests) * 60).div_ceil(u64::from(rate.per_seconds)).max(1);
    format!("{per_minute}r/m")
}

/// Requests let through at once beyond the rate.
pub fn burst(rate: Rate) -> u32 {
    (rate.requests / 5).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_convert_to_nginx_units() {
        assert_eq!(nginx_rate(Rate { requests: 100, per_seconds: 60 }), "100r/m");
        assert_eq!(nginx_rate(Rate { requests: 10, per_seconds: 1 }), "10r/s");
        assert_eq!(nginx_rate(Rate { requests: 600, per_seconds: 3600 }), "10r/m");
        assert_eq!(nginx_rate(Rate { requests: 1, per_seconds: 3600 }), "1r/m");
        assert_eq!(burst(Rate { requests: 100, per_seconds: 60 }), 20);
        assert_eq!(burst(Rate { requests: 3, per_seconds: 1 }), 1);
    }
}

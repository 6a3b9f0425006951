//! Per-client-IP rate limiting (GCRA via governor), answering how long to wait when over.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::{RateLimit, RatePeriod};

/// A keyed limiter; [`Limiter::forget_idle`] bounds its memory.
pub(crate) struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Limiter {
    /// Builds the limiter; `None` if the rate is zero.
    pub(crate) fn new(limit: &RateLimit) -> Option<Self> {
        let requests = NonZeroU32::new(limit.requests)?;
        let quota = match limit.per {
            RatePeriod::Second => Quota::per_second(requests),
            RatePeriod::Minute => Quota::per_minute(requests),
        };
        let quota = quota.allow_burst(NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN));
        Some(Self { limiter: governor::RateLimiter::keyed(quota), clock: DefaultClock::default() })
    }

    /// `Ok` if `client` may proceed, else how long until it may.
    pub(crate) fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.limiter.check_key(&client).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops the state of clients whose limit has fully replenished.
    pub(crate) fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

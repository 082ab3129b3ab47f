//! How many public comments one client address may post: a token bucket per address, in
//! memory, of bounded size. The public channel needs no key, so this is what stands
//! between it and a script posting thousands of comments (docs/public-channel.md).
//!
//! In memory and per process on purpose: a limit shared through the database would cost a
//! write per request, and a burst spread over several processes is still bounded by their
//! number. IPv6 addresses are counted by their /64 prefix, which one subscriber usually
//! holds whole, so changing the low bits does not buy a fresh bucket.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered at most. Beyond it, full buckets are forgotten first (a full
/// bucket is the same as none), then the least recently used.
const MAX_ADDRESSES: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per client address: `per_minute` comments at once, refilled at
/// `per_minute` a minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    capacity: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// # Panics
    /// Never: a limit of 0 is raised to 1 (a channel nobody may use is not a limit).
    pub fn new(per_minute: u32) -> Self {
        Self::with_capacity(per_minute, MAX_ADDRESSES)
    }

    fn with_capacity(per_minute: u32, capacity: usize) -> Self {
        Self {
            per_minute: per_minute.max(1),
            capacity: capacity.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one token for `addr` at `now`; when none is left, how long until one is.
    ///
    /// # Errors
    /// The wait before the next comment from this address would be accepted.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = bucket_key(addr);
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= self.capacity {
            self.make_room(&mut buckets, now);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    /// Forgets buckets that have refilled; if none has, the least recently used one.
    fn make_room(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let full_after = Duration::from_secs(60);
        buckets.retain(|_, b| now.saturating_duration_since(b.at) < full_after);
        if buckets.len() >= self.capacity {
            if let Some(oldest) = buckets.iter().min_by_key(|(_, b)| b.at).map(|(k, _)| *k) {
                buckets.remove(&oldest);
            }
        }
    }

    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.buckets.lock().map(|b| b.len()).unwrap_or(0)
    }
}

/// The address a bucket is kept for: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4
/// address), IPv6 by its /64 prefix.
fn bucket_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The `Retry-After` value for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert!(limiter.check(a, t0).is_ok());
        }
        let wait = limiter.check(a, t0).unwrap_err();
        assert_eq!(retry_after_secs(wait), 20);
        // Another address has its own bucket.
        assert!(limiter.check(ip("192.0.2.2"), t0).is_ok());
        // After the wait, exactly one more.
        let later = t0 + Duration::from_secs(20);
        assert!(limiter.check(a, later).is_ok());
        assert!(limiter.check(a, later).is_err());
    }

    #[test]
    fn an_ipv6_subscriber_is_one_address() {
        let limiter = RateLimiter::new(1);
        let t0 = Instant::now();
        assert!(limiter.check(ip("2001:db8:1:2::1"), t0).is_ok());
        assert!(limiter.check(ip("2001:db8:1:2:ffff::9"), t0).is_err());
        assert!(limiter.check(ip("2001:db8:1:3::1"), t0).is_ok());
        assert!(limiter.check(ip("::ffff:198.51.100.7"), t0).is_ok());
        assert!(limiter.check(ip("198.51.100.7"), t0).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = RateLimiter::with_capacity(2, 100);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            assert!(limiter.check(addr, t0).is_ok());
            assert!(limiter.remembered() <= 100);
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(20_001)), 21);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}

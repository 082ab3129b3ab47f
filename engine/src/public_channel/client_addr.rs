//! Which address a request comes from, for what is keyed by client address (the public
//! channel's rate limit): the TCP peer, unless the peer is a reverse proxy the operator
//! named with `sijill serve --trusted-proxy CIDR` (docs/hardening.md).
//!
//! Behind a trusted proxy the client is read from `X-Forwarded-For`, right to left: the
//! first address that is not itself a trusted proxy is the client; if every address is
//! trusted, the left-most. What lies left of that address was written by the client and
//! proves nothing, so it is never read. An entry that is not a plain IP address met on
//! the way (or a header that is not text) makes the whole header worthless: the peer is
//! the client then, which errs on the side of limiting. From any other peer the header is
//! ignored, so nobody can choose their own bucket by sending it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use http::HeaderMap;

/// The header a proxy appends the address it received the request from to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// An IP network, `ADDRESS/PREFIX` (`10.0.0.0/8`, `2001:db8::/32`), or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a `--trusted-proxy` value was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid CIDR {value:?}: {reason}")]
pub struct CidrError {
    value: String,
    reason: String,
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// Strict: an IPv4 or IPv6 address in its usual notation, then optionally `/` and a
    /// prefix length in decimal digits within the family's width, and no bit set beyond
    /// the prefix (`10.0.0.1/8` is refused rather than guessed to mean `10.0.0.0/8`).
    fn from_str(value: &str) -> Result<Self, CidrError> {
        let refuse = |reason: String| CidrError {
            value: value.to_owned(),
            reason,
        };
        let (address, prefix) = match value.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (value, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| refuse(format!("{address:?} is not an IPv4 or IPv6 address")))?;
        let width: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => {
                let digits = !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && !(p.len() > 1 && p.starts_with('0'));
                p.parse::<u8>()
                    .ok()
                    .filter(|n| digits && *n <= width)
                    .ok_or_else(|| {
                        refuse(format!(
                            "the prefix length must be a number from 0 to {width}"
                        ))
                    })?
            }
        };
        let cidr = Self { network, prefix };
        if cidr.masked(network) != network {
            return Err(refuse(format!(
                "bits are set beyond the /{prefix} prefix (the network is {}/{prefix})",
                cidr.masked(network)
            )));
        }
        Ok(cidr)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    /// Whether `addr` is inside this network. An IPv4-mapped IPv6 address counts as its
    /// IPv4 address (a server listening on `[::]` sees IPv4 peers that way).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        addr.is_ipv4() == self.network.is_ipv4() && self.masked(addr) == self.network
    }

    /// `addr` with the bits beyond the prefix cleared (same family as the network).
    fn masked(&self, addr: IpAddr) -> IpAddr {
        match addr {
            IpAddr::V4(v4) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
            }
            IpAddr::V6(v6) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn new(ranges: Vec<Cidr>) -> Self {
        Self(ranges)
    }

    fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(addr))
    }

    /// The client's address of a request whose TCP peer is `peer` (unknown when the
    /// router was served some other way: every such client shares one bucket, which errs
    /// on the side of limiting), then [`TrustedProxies::client`].
    pub fn client_of(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.client(peer, headers)
    }

    /// The client's address for a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        self.forwarded_client(headers).unwrap_or(peer)
    }

    /// The right-most address of `X-Forwarded-For` (every copy of the header, in order)
    /// that is not trusted, else the left-most; `None` when there is no header or an
    /// entry read on the way is not an address.
    fn forwarded_client(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let mut entries = Vec::new();
        for value in headers.get_all(FORWARDED_FOR) {
            entries.extend(value.to_str().ok()?.split(','));
        }
        let mut leftmost = None;
        for entry in entries.iter().rev() {
            let addr = entry.trim().parse::<IpAddr>().ok()?.to_canonical();
            if !self.trusts(addr) {
                return Some(addr);
            }
            leftmost = Some(addr);
        }
        leftmost
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn cidrs_parse_strictly() {
        assert_eq!(cidr("127.0.0.0/8").to_string(), "127.0.0.0/8");
        assert_eq!(cidr("10.1.2.3").to_string(), "10.1.2.3/32");
        assert_eq!(cidr("2001:db8::/32").to_string(), "2001:db8::/32");
        assert_eq!(cidr("::1").to_string(), "::1/128");
        assert_eq!(cidr("0.0.0.0/0").to_string(), "0.0.0.0/0");
        for bad in [
            "",
            "/8",
            "127.0.0.0/",
            "127.0.0.0/33",
            "127.0.0.0/+8",
            "127.0.0.0/08a",
            "127.0.0.0/8/8",
            "127.0.0.1/8",
            "127.0.0.0 /8",
            "127.0.0",
            "localhost",
            "2001:db8::/129",
            "2001:db8::1/32",
            "[::1]/128",
            "127.0.0.0/0008",
            "127.0.0.0/08",
        ] {
            let e = bad.parse::<Cidr>().unwrap_err();
            assert!(e.to_string().contains("invalid CIDR"), "{bad}: {e}");
        }
    }

    #[test]
    fn membership_by_family_and_prefix() {
        let v4 = cidr("192.0.2.0/24");
        assert!(v4.contains(ip("192.0.2.255")));
        assert!(v4.contains(ip("::ffff:192.0.2.7")));
        assert!(!v4.contains(ip("192.0.3.0")));
        assert!(!v4.contains(ip("2001:db8::1")));
        let v6 = cidr("2001:db8::/32");
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("192.0.2.1")));
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let proxies = TrustedProxies::new(vec![cidr("10.0.0.0/8")]);
        let peer = ip("203.0.113.5");
        assert_eq!(proxies.client(peer, &forwarded(&["198.51.100.1"])), peer);
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &forwarded(&["1.2.3.4"])),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_address() {
        let proxies = TrustedProxies::new(vec![cidr("10.0.0.0/8"), cidr("2001:db8::/32")]);
        let proxy = ip("10.0.0.2");
        // nginx appended the address it saw; the client forged the left-most one.
        assert_eq!(
            proxies.client(proxy, &forwarded(&["1.1.1.1, 198.51.100.7"])),
            ip("198.51.100.7")
        );
        // Two proxies in a chain; the header may come as several copies.
        assert_eq!(
            proxies.client(
                proxy,
                &forwarded(&["198.51.100.7", "10.0.0.9, 2001:db8::5"])
            ),
            ip("198.51.100.7")
        );
        // Every address trusted: the left-most.
        assert_eq!(
            proxies.client(proxy, &forwarded(&["10.9.9.9,10.0.0.3"])),
            ip("10.9.9.9")
        );
        // A mapped address is its IPv4 address.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.2"), &forwarded(&["::ffff:198.51.100.7"])),
            ip("198.51.100.7")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(proxy, &HeaderMap::new()), proxy);
    }

    #[test]
    fn a_malformed_header_falls_back_to_the_peer() {
        let proxies = TrustedProxies::new(vec![cidr("10.0.0.0/8")]);
        let proxy = ip("10.0.0.2");
        for bad in [
            "",
            "198.51.100.7,",
            "not-an-address",
            "198.51.100.7:443",
            "10.0.0.3, unknown",
            "[2001:db8::1]",
        ] {
            assert_eq!(proxies.client(proxy, &forwarded(&[bad])), proxy, "{bad:?}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            FORWARDED_FOR,
            HeaderValue::from_bytes(b"\xff1.2.3.4").unwrap(),
        );
        assert_eq!(proxies.client(proxy, &headers), proxy);
        // Left of the client's address is the client's own writing: not read at all.
        assert_eq!(
            proxies.client(proxy, &forwarded(&["garbage, 198.51.100.7"])),
            ip("198.51.100.7")
        );
    }
}

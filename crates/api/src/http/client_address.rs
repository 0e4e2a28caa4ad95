//! The client's address: the peer of the connection, or, when that peer is a trusted reverse
//! proxy, the right-most `X-Forwarded-For` entry that is not a trusted proxy.
//!
//! Only the right end of `X-Forwarded-For` can be believed: each proxy appends the address it saw,
//! and everything to the left of the first untrusted hop was written by the client itself.

use std::net::IpAddr;
use std::str::FromStr;

use anyhow::Context;
use ipnet::IpNet;
use poem::Request;
use poem::http::HeaderMap;

pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The networks of the reverse proxies whose `X-Forwarded-For` is believed
/// (`CAMPAIGN_TRUSTED_PROXIES`). Empty: proxy headers are ignored.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses comma-separated CIDRs (`10.0.0.0/8, 192.168.1.7`; a bare address is one host).
    pub fn parse(list: &str) -> anyhow::Result<Self> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                IpNet::from_str(item)
                    .ok()
                    .or_else(|| IpAddr::from_str(item).ok().map(IpNet::from))
                    .with_context(|| {
                        format!(
                            "CAMPAIGN_TRUSTED_PROXIES: `{item}` is not an address or a CIDR network (write e.g. 10.0.0.0/8, 192.168.1.7)"
                        )
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the right-most
    /// `X-Forwarded-For` entry that is not a trusted proxy. An entry that is not an address stops
    /// the walk: the hop that forwarded it is the client as far as anyone can tell.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer.map(canonical)?;
        if !self.trusts(client) {
            return Some(client);
        }
        // Several header lines are one list, in order (RFC 9110 §5.3).
        let entries: Vec<&str> = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for entry in entries.into_iter().rev() {
            let Some(ip) = parse_entry(entry) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let ip = IpAddr::from_str(entry)
        .ok()
        .or_else(|| std::net::SocketAddr::from_str(entry).ok().map(|s| s.ip()))?;
    Some(canonical(ip))
}

/// `::ffff:192.0.2.1` is `192.0.2.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// The client's address of this request, as text (for limits and the audit log).
pub fn client_addr_of(req: &Request, proxies: &TrustedProxies) -> Option<String> {
    let peer = req.remote_addr().as_socket_addr().map(|addr| addr.ip());
    proxies.client(peer, req.headers()).map(|ip| ip.to_string())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a test stops at the first surprise")]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(IpAddr::from_str(s).unwrap())
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7,fd00::/8").unwrap();
        let lb = ip("10.1.2.3");
        // The client wrote the left part; the balancer appended what it saw.
        assert_eq!(
            proxies.client(lb, &headers(&["6.6.6.6, 203.0.113.9"])),
            ip("203.0.113.9")
        );
        // Two trusted hops, over two header lines.
        assert_eq!(
            proxies.client(lb, &headers(&["1.1.1.1, 203.0.113.9", "192.168.1.7"])),
            ip("203.0.113.9")
        );
        // Ports, IPv6, mapped IPv4.
        assert_eq!(proxies.client(lb, &headers(&["[2001:db8::1]:4711"])), ip("2001:db8::1"));
        assert_eq!(proxies.client(lb, &headers(&["203.0.113.9:80"])), ip("203.0.113.9"));
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &headers(&["::ffff:203.0.113.9"])),
            ip("203.0.113.9")
        );
        // Garbage stops the walk at the hop that forwarded it.
        assert_eq!(
            proxies.client(lb, &headers(&["203.0.113.9, nonsense, 10.9.9.9"])),
            ip("10.9.9.9")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(lb, &HeaderMap::new()), lb);
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let peer = ip("203.0.113.9");
        assert_eq!(proxies.client(peer, &headers(&["1.2.3.4"])), peer);
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &headers(&["1.2.3.4"])), ip("10.0.0.1"));
        assert_eq!(none.client(None, &headers(&["1.2.3.4"])), None);
    }

    #[test]
    fn bad_lists_are_refused_with_the_item_named() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse(" , ").unwrap().is_empty());
        let err = TrustedProxies::parse("10.0.0.0/8, x-forwarded-for").unwrap_err();
        assert!(format!("{err:#}").contains("`x-forwarded-for`"), "{err:#}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}

//! Webhooks: which events an endpoint can hear of, which addresses it may have (no server-side
//! request forgery), and when a failed delivery is tried again or an endpoint given up on.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};

use crate::ValidationError;

vocabulary!(
    /// What happened, as receivers see it in a payload's `type`.
    EventType, "events" {
        EntryCreated => "entry.created",
        EntryCorrected => "entry.corrected",
        RequestStatusChanged => "material_request.status_changed",
        DepositClosed => "deposit.closed",
        FundDecided => "fund_application.decided",
    }
);

vocabulary!(
    /// Where a delivery stands: `pending` until a receiver acknowledges it (`succeeded`) or the
    /// retries run out (`failed`).
    DeliveryStatus, "status" {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

/// The type of the event sent by "send test event"; no endpoint subscribes to it.
pub const TEST_EVENT: &str = "webhook.test";

/// The events an endpoint hears of: at least one, each known, each once.
pub fn parse_events(raw: &[String]) -> Result<BTreeSet<EventType>, ValidationError> {
    if raw.is_empty() {
        return Err(ValidationError::single(
            "events",
            format!("choose at least one event: {}", known_events()),
        ));
    }
    raw.iter().map(|e| EventType::parse(e)).collect()
}

fn known_events() -> String {
    EventType::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
}

/// The longest URL an endpoint may have.
pub const MAX_URL_LENGTH: usize = 2000;

/// An endpoint's address: `https`, with a host, without credentials; a loopback, private or
/// link-local address (or `localhost`) only when private addresses are allowed, which also
/// allows plain `http`. A host name's addresses are checked where it is resolved, at
/// registration and again at every delivery (see [`is_public`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(url::Url);

impl EndpointUrl {
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, ValidationError> {
        let invalid = |why: String| ValidationError::single("url", why);
        if raw.len() > MAX_URL_LENGTH {
            return Err(invalid(format!("must be at most {MAX_URL_LENGTH} characters")));
        }
        let mut url = url::Url::parse(raw.trim()).map_err(|e| {
            invalid(format!(
                "is not an absolute URL ({e}), e.g. https://example.org/hooks/11"
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => {
                return Err(invalid(
                    "must start with https:// (deliveries are sent over TLS only)".to_owned(),
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "must not carry a user name or password; receivers check the signature instead".to_owned(),
            ));
        }
        let private = match url.host() {
            None => return Err(invalid("needs a host, e.g. https://example.org/hooks/11".to_owned())),
            Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost") || !name.contains('.')
            }
        };
        if private && !allow_private {
            return Err(invalid(
                "points to a loopback, private or link-local address; webhooks go to public addresses only".to_owned(),
            ));
        }
        url.set_fragment(None);
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host name to resolve, when the host is not an address.
    pub fn host_name(&self) -> Option<&str> {
        match self.0.host() {
            Some(url::Host::Domain(name)) => Some(name),
            _ => None,
        }
    }

    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(443)
    }
}

/// Whether a delivery may go to `ip`: not loopback, private, link-local, shared (carrier NAT),
/// unspecified, broadcast, multicast, documentation or benchmarking space, in IPv4 or IPv6
/// (an IPv4 address mapped into IPv6 is judged as IPv4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24; benchmarking, 198.18.0.0/15; reserved, 240/4.
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible (deprecated), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16)
        // and Teredo (2001::/32) addresses carry an IPv4 address we cannot vouch for.
        || ip.segments()[..6].iter().all(|s| *s == 0)
        || (first == 0x64 && ip.segments()[1] == 0xff9b)
        || first == 0x2002
        || (first == 0x2001 && ip.segments()[1] == 0))
}

/// When failed deliveries are tried again: first after `first_retry`, then each wait twice the
/// one before (at most `longest_wait`), until `give_up_after` has passed since the event; a last
/// attempt falls at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    pub first_retry: Duration,
    pub longest_wait: Duration,
    pub give_up_after: Duration,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            first_retry: Duration::seconds(15),
            longest_wait: Duration::hours(2),
            give_up_after: Duration::hours(24),
        }
    }
}

impl RetrySchedule {
    /// When to try again after `attempts` failed attempts (1 or more) of an event of
    /// `created_at`, the last one failing at `now`; `None` when the delivery is given up.
    pub fn next_attempt(&self, created_at: DateTime<Utc>, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let last_moment = created_at + self.give_up_after;
        if now >= last_moment {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self
            .first_retry
            .checked_mul(1_i32 << doublings.min(20))
            .unwrap_or(self.longest_wait)
            .min(self.longest_wait);
        Some((now + wait).min(last_moment))
    }
}

/// How long an endpoint may fail (no delivery succeeding) before it is disabled.
pub const DISABLE_AFTER_FAILING: Duration = Duration::days(5);

/// Whether an endpoint failing since `failing_since` is to be disabled at `now`.
pub fn failing_too_long(failing_since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - failing_since >= DISABLE_AFTER_FAILING
}

/// Whether a receiver's answer acknowledges the delivery: any 2xx status.
pub fn acknowledged(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.to_utc()).unwrap_or_default()
    }

    #[test]
    fn events_are_known_codes_at_least_one() {
        let events = parse_events(&["deposit.closed".into(), "entry.created".into(), "entry.created".into()]);
        assert_eq!(
            events.ok(),
            Some(BTreeSet::from([EventType::EntryCreated, EventType::DepositClosed]))
        );
        let none = parse_events(&[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(none.contains("entry.created"), "{none}");
        let unknown = parse_events(&["entry.deleted".into()]).err().map(|e| e.to_string());
        assert!(unknown.unwrap_or_default().contains("must be one of"));
        assert!(
            EventType::parse(TEST_EVENT).is_err(),
            "the test event is not subscribable"
        );
    }

    #[test]
    fn urls_must_be_https_public_and_without_credentials() {
        let ok = EndpointUrl::parse("https://hooks.example.org/11/in#frag", false);
        assert_eq!(
            ok.as_ref().map(EndpointUrl::as_str).ok(),
            Some("https://hooks.example.org/11/in")
        );
        assert_eq!(
            ok.as_ref().ok().and_then(EndpointUrl::host_name),
            Some("hooks.example.org")
        );
        for refused in [
            "http://hooks.example.org/",
            "ftp://example.org/",
            "https://user:pw@example.org/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://192.168.0.10:8443/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://localhost/",
            "https://api.localhost/",
            "https://intranet/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "not a url",
            "/relative/path",
        ] {
            assert!(EndpointUrl::parse(refused, false).is_err(), "{refused} was accepted");
        }
        for allowed in ["http://127.0.0.1:9000/hook", "https://localhost/", "http://[::1]:80/"] {
            assert!(EndpointUrl::parse(allowed, true).is_ok(), "{allowed} was refused");
        }
        assert!(EndpointUrl::parse(&format!("https://example.org/{}", "a".repeat(2000)), false).is_err());
    }

    #[test]
    fn public_addresses_are_told_from_private_ones() {
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "2a00:1450:4001:80b::200e",
            "185.3.4.5",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(is_public(ip), "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.1.1",
            "100.100.0.1",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "2001:db8::1",
        ] {
            let ip: IpAddr = private.parse().unwrap_or(IpAddr::V4(Ipv4Addr::new(8, 8, 8, 8)));
            assert!(!is_public(ip), "{private}");
        }
    }

    #[test]
    fn retries_back_off_from_the_first_within_30_seconds_and_stop_after_24_hours() {
        let schedule = RetrySchedule::default();
        let created = at("2026-11-10T09:00:00Z");
        let first = schedule.next_attempt(created, 1, created);
        assert_eq!(first, Some(created + Duration::seconds(15)));
        assert!(first.is_some_and(|t| t - created <= Duration::seconds(30)));
        // Doubling: 15 s, 30 s, 60 s, ...
        assert_eq!(
            schedule.next_attempt(created, 3, created),
            Some(created + Duration::seconds(60))
        );
        // Never more than two hours apart.
        let late = created + Duration::hours(10);
        assert_eq!(
            schedule.next_attempt(created, 12, late),
            Some(late + Duration::hours(2))
        );
        assert_eq!(
            schedule.next_attempt(created, 400, late),
            Some(late + Duration::hours(2))
        );
        // The last attempt falls at 24 hours; after it, none.
        let near_end = created + Duration::hours(23);
        assert_eq!(
            schedule.next_attempt(created, 15, near_end),
            Some(created + Duration::hours(24))
        );
        assert_eq!(schedule.next_attempt(created, 16, created + Duration::hours(24)), None);
        // The attempts over a day, as a receiver that never answers sees them.
        let (mut now, mut attempts) = (created, 1);
        while let Some(next) = schedule.next_attempt(created, attempts, now) {
            now = next;
            attempts += 1;
        }
        assert!((15..=25).contains(&attempts), "{attempts} attempts in 24 h");
    }

    #[test]
    fn an_endpoint_failing_five_days_is_disabled() {
        let since = at("2026-11-01T08:00:00Z");
        assert!(!failing_too_long(
            since,
            since + Duration::days(5) - Duration::seconds(1)
        ));
        assert!(failing_too_long(since, since + Duration::days(5)));
        assert!(acknowledged(200) && acknowledged(204) && !acknowledged(301) && !acknowledged(500));
    }
}

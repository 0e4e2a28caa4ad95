//! Settings of the HTTP layer, checked once at start-up and passed explicitly.

use std::time::Duration;

use anyhow::{Context, bail};

use crate::http::TrustedProxies;

/// Largest request body accepted, chunked or not.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Origins allowed by CORS (`https://app.example.org`); empty means no cross-origin access.
    pub cors_origins: Vec<String>,
    /// Time after which a request is abandoned with 503.
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// Writes a minute per signed-in user (per client address when anonymous); 0 = no limit.
    pub write_rate_limit: u32,
    /// Reads a minute per client address without a valid access token; 0 = no limit.
    pub read_rate_limit: u32,
    /// When set, `GET /metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<MetricsToken>,
    /// Caps on live totals streams.
    pub live_streams: LiveStreamLimits,
}

/// Caps on live totals streams (Server-Sent Events), and how often one checks its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveStreamLimits {
    /// Streams one account may have open at once; beyond, 429.
    pub per_account: usize,
    /// Streams the server keeps open in all; beyond, 503.
    pub total: usize,
    /// How often an open stream checks that its account is still active.
    pub account_check: Duration,
}

impl Default for LiveStreamLimits {
    fn default() -> Self {
        Self {
            per_account: 3,
            total: 500,
            account_check: Duration::from_secs(30),
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: MAX_BODY_BYTES,
            write_rate_limit: 1200,
            read_rate_limit: 1200,
            metrics_token: None,
            live_streams: LiveStreamLimits::default(),
        }
    }
}

impl HttpSettings {
    pub fn new(cors_origins: &[String], request_timeout_secs: u64) -> anyhow::Result<Self> {
        if request_timeout_secs == 0 {
            bail!("CAMPAIGN_REQUEST_TIMEOUT_SECS must be at least 1");
        }
        let cors_origins = cors_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(|o| check_origin(o).with_context(|| format!("CAMPAIGN_CORS_ORIGINS: `{o}` is not an origin")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            cors_origins,
            request_timeout: Duration::from_secs(request_timeout_secs),
            ..Self::default()
        })
    }
}

/// The secret a metrics scraper sends (`CAMPAIGN_METRICS_TOKEN`); never printed.
#[derive(Clone)]
pub struct MetricsToken(String);

/// The least length of a metrics token.
pub const MIN_METRICS_TOKEN_CHARS: usize = 16;

impl MetricsToken {
    /// `None` for an unset or empty value; a short one stops start-up.
    pub fn from_setting(value: Option<String>) -> anyhow::Result<Option<Self>> {
        match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.chars().count() < MIN_METRICS_TOKEN_CHARS => bail!(
                "CAMPAIGN_METRICS_TOKEN is {} characters long; use at least {MIN_METRICS_TOKEN_CHARS} (e.g. `openssl rand -hex 24`)",
                v.chars().count()
            ),
            Some(v) => Ok(Some(Self(v))),
        }
    }

    /// Whether `presented` is the token, in time that does not depend on where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        use sha2::{Digest, Sha256};
        // Comparing digests: how long the comparison takes says nothing about the token.
        Sha256::digest(presented.as_bytes()) == Sha256::digest(self.0.as_bytes())
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

impl From<&str> for MetricsToken {
    fn from(token: &str) -> Self {
        Self(token.to_owned())
    }
}

/// The trusted reverse proxies from `CAMPAIGN_TRUSTED_PROXIES`; the setting it replaced,
/// `CAMPAIGN_CLIENT_IP_HEADER`, stops start-up with an explanation rather than being ignored.
pub fn trusted_proxies(list: &str, old_client_ip_header: Option<&str>) -> anyhow::Result<TrustedProxies> {
    if old_client_ip_header.is_some_and(|h| !h.trim().is_empty()) {
        bail!(
            "CAMPAIGN_CLIENT_IP_HEADER is no longer read: it let any client choose its address. Remove it and set \
             CAMPAIGN_TRUSTED_PROXIES to the comma-separated CIDRs of your reverse proxies (e.g. 10.0.0.0/8); \
             the client is then the right-most X-Forwarded-For entry that is not one of them"
        );
    }
    TrustedProxies::parse(list)
}

/// An origin is `scheme://host[:port]`: no path, no wildcard.
fn check_origin(origin: &str) -> anyhow::Result<String> {
    let Some((scheme, rest)) = origin.split_once("://") else {
        bail!("write it as scheme://host[:port], e.g. https://dashboard.11.be");
    };
    if !matches!(scheme, "http" | "https") {
        bail!("the scheme must be http or https");
    }
    if rest.is_empty() || rest.contains(['/', '*', ' ', '?', '#']) {
        bail!("give only scheme://host[:port], without path, wildcard or trailing slash");
    }
    Ok(origin.to_owned())
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a test stops at the first surprise")]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        let ok = HttpSettings::new(
            &["https://a.example".into(), " http://localhost:5173 ".into(), "".into()],
            30,
        );
        assert_eq!(
            ok.map(|s| s.cors_origins).ok(),
            Some(vec!["https://a.example".to_owned(), "http://localhost:5173".to_owned()])
        );
        for bad in [
            "*",
            "https://a.example/",
            "a.example",
            "ftp://a.example",
            "https://*.example",
        ] {
            assert!(HttpSettings::new(&[bad.to_owned()], 30).is_err(), "{bad}");
        }
        assert!(HttpSettings::new(&[], 0).is_err());
    }

    #[test]
    fn the_old_client_ip_header_setting_stops_start_up() {
        let err = trusted_proxies("", Some("x-forwarded-for")).unwrap_err().to_string();
        assert!(err.contains("CAMPAIGN_TRUSTED_PROXIES"), "{err}");
        assert!(trusted_proxies("10.0.0.0/8", Some("")).is_ok());
        assert!(trusted_proxies("10.0.0.0/8", None).is_ok_and(|p| !p.is_empty()));
    }

    #[test]
    fn metrics_tokens_are_long_and_never_printed() {
        assert!(MetricsToken::from_setting(None).unwrap().is_none());
        assert!(MetricsToken::from_setting(Some("  ".into())).unwrap().is_none());
        assert!(MetricsToken::from_setting(Some("short".into())).is_err());
        let token = MetricsToken::from_setting(Some("a-long-enough-metrics-token".into()))
            .unwrap()
            .unwrap();
        assert!(token.matches("a-long-enough-metrics-token"));
        assert!(!token.matches("a-long-enough-metrics-tokeN"));
        assert_eq!(format!("{token:?}"), "MetricsToken(***)");
    }
}

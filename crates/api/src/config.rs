//! Settings of the HTTP layer, checked once at start-up and passed explicitly.

use std::time::Duration;

use anyhow::{Context, bail};

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
}

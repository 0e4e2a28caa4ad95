//! Sending webhooks: a background worker takes due deliveries from the outbox (at most so many in
//! flight per endpoint), signs each as the Standard Webhooks specification says (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 over `id.timestamp.body`), posts it,
//! and records the answer; failures are tried again on the retry schedule. Host names are
//! resolved by a resolver that drops loopback, private and link-local addresses (unless private
//! addresses are allowed), so a name that points inward later is refused too; no redirects.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use campaign_domain::webhook::{EndpointUrl, RetrySchedule, is_public};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::webhook_outbox::{
    AttemptResult, Claimed, Recorded, claim_due, endpoints_with_due_deliveries, record_attempt,
};
use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How webhooks are sent.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// Allow `http://` and loopback, private and link-local addresses (tests, a receiver on
    /// the same network): `CAMPAIGN_WEBHOOK_ALLOW_PRIVATE=true`.
    pub allow_private: bool,
    /// Deliveries in flight per endpoint at most, over all replicas.
    pub max_in_flight: u32,
    /// How long a receiver gets to answer.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries.
    pub poll_every: Duration,
    pub schedule: RetrySchedule,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            max_in_flight: 4,
            timeout: Duration::from_secs(10),
            poll_every: Duration::from_secs(1),
            schedule: RetrySchedule::default(),
        }
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks has it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Checks that every address a host name resolves to may receive deliveries; the error says why not.
pub async fn check_host(url: &EndpointUrl, allow_private: bool) -> Result<(), String> {
    let Some(name) = url.host_name() else { return Ok(()) };
    let lookup = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((name, url.port())))
        .await
        .map_err(|_| format!("the host {name} could not be resolved within 5 seconds; check the URL"))?;
    let addrs: Vec<SocketAddr> = lookup
        .map_err(|e| format!("the host {name} cannot be resolved ({e}); check the URL"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("the host {name} has no addresses; check the URL"));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!(
            "the host {name} resolves to a loopback, private or link-local address; webhooks go to public addresses only"
        ));
    }
    Ok(())
}

/// Resolves host names as the system does, keeping only the addresses deliveries may go to.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// Takes due deliveries from the outbox and sends them.
#[derive(Clone)]
pub struct WebhookWorker {
    db: DatabaseConnection,
    client: reqwest::Client,
    settings: WebhookSettings,
    /// Poked when an attempt ends, so its endpoint's next delivery starts at once: a backlog
    /// drains at the receiver's pace, not one round per `poll_every`.
    wake: Arc<tokio::sync::Notify>,
}

impl WebhookWorker {
    pub fn new(db: DatabaseConnection, settings: WebhookSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the host itself, past the public-only resolver.
            .no_proxy()
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: settings.allow_private,
            }))
            .user_agent(concat!("campaign-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            db,
            client,
            settings,
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Runs until the process ends: a round of deliveries every `poll_every`, each attempt
    /// running on its own, so a slow receiver holds up only its own deliveries.
    pub async fn run(self) {
        let mut every = tokio::time::interval(self.settings.poll_every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = self.wake.notified() => {}
            }
            if let Err(e) = self.start_round(None).await {
                tracing::warn!(error = %e, "could not take due webhook deliveries");
            }
        }
    }

    /// One round at `now` (the server's clock when `None`), waiting for its attempts to be
    /// recorded: how many attempts were made. The worker's loop does not wait; tests do.
    pub async fn deliver_due(&self, now: Option<DateTime<Utc>>) -> anyhow::Result<usize> {
        let attempts = self.start_round(now).await?;
        let made = attempts.len();
        for attempt in attempts {
            attempt.await?;
        }
        Ok(made)
    }

    async fn start_round(&self, at: Option<DateTime<Utc>>) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
        let now = at.unwrap_or_else(Utc::now);
        // An attempt cut short by a crash is made again once its claim lapses.
        let lease = chrono::Duration::from_std(self.settings.timeout * 2 + Duration::from_secs(5))?;
        let mut started = Vec::new();
        for endpoint in endpoints_with_due_deliveries(&self.db, now).await? {
            for claimed in claim_due(&self.db, endpoint, now, self.settings.max_in_flight, lease).await? {
                let worker = self.clone();
                started.push(tokio::spawn(async move { worker.attempt(claimed, at).await }));
            }
        }
        Ok(started)
    }

    async fn attempt(&self, claimed: Claimed, at: Option<DateTime<Utc>>) {
        let result = self.send(&claimed).await;
        let now = at.unwrap_or_else(Utc::now);
        let recorded = record_attempt(&self.db, &claimed, &result, now, &self.settings.schedule).await;
        let (delivery, endpoint, attempt) = (claimed.delivery, claimed.endpoint, claimed.attempt);
        match recorded {
            Ok(Recorded::Succeeded) => {
                tracing::debug!(delivery, %endpoint, attempt, status = ?result.status_code, "webhook delivered");
            }
            Ok(Recorded::Retry(next)) => tracing::info!(
                delivery, %endpoint, attempt, error = result.error.as_deref().unwrap_or_default(), %next,
                "webhook delivery failed; it will be tried again"
            ),
            Ok(Recorded::GivenUp) => tracing::warn!(
                delivery, %endpoint, attempt, error = result.error.as_deref().unwrap_or_default(),
                "webhook delivery failed for 24 hours; given up (staff can send it again)"
            ),
            Ok(Recorded::EndpointDisabled) => tracing::warn!(
                %endpoint, url = %claimed.url,
                "webhook endpoint disabled: no delivery succeeded for 5 days; staff see it in GET /webhooks and the digest"
            ),
            Ok(Recorded::Stale) => {}
            Err(e) => tracing::warn!(delivery, error = %e, "could not record a webhook attempt; it will be made again"),
        }
        self.wake.notify_one();
    }

    /// Signs and posts one delivery; never fails, what went wrong is in the result.
    async fn send(&self, claimed: &Claimed) -> AttemptResult {
        let started = Instant::now();
        let failed = |error: String| AttemptResult {
            status_code: None,
            duration_ms: elapsed_ms(started),
            error: Some(error),
        };
        // The address rules may have tightened since the endpoint was registered.
        if let Err(e) = EndpointUrl::parse(&claimed.url, self.settings.allow_private) {
            return failed(e.to_string());
        }
        let id = claimed.event_id.to_string();
        let timestamp = Utc::now().timestamp();
        let signature = match standardwebhooks::Webhook::new(&claimed.secret)
            .and_then(|signer| signer.sign(&id, timestamp, claimed.payload.as_bytes()))
        {
            Ok(signature) => signature,
            Err(e) => return failed(format!("cannot sign with this endpoint's secret: {e}")),
        };
        let response = self
            .client
            .post(&claimed.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(claimed.payload.clone())
            .send()
            .await;
        match response {
            Ok(response) => {
                let status = response.status().as_u16();
                AttemptResult {
                    status_code: Some(status),
                    duration_ms: elapsed_ms(started),
                    error: (!response.status().is_success()).then(|| format!("the receiver answered {status}")),
                }
            }
            Err(e) => failed(describe(&e)),
        }
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// What went wrong with a request, with its causes (reqwest's own message is terse).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

//! Prometheus metrics: requests and their latency per operation and status, the database pool,
//! the ledger (entries, money raised per campaign) and the webhook outbox, served at `GET /metrics` (behind a bearer token when
//! `CAMPAIGN_METRICS_TOKEN` is set).

use std::sync::Arc;

use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::totals::TotalsRepo;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::problem::Problem;
use crate::state::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    ledger_entries: IntGauge,
    /// Per campaign year: one series per campaign.
    raised_cents: IntGaugeVec,
    /// Webhook deliveries per status (pending, succeeded, failed).
    webhook_deliveries: IntGaugeVec,
    webhook_endpoints_disabled: IntGauge,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Arc<Self>> {
        let registry = Registry::new_custom(Some("campaign".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, per operation, method and status",
            ),
            &["operation", "method", "status"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, per operation",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["operation", "method"],
        )?;
        let pool_open = IntGauge::new("db_pool_connections", "Database connections open in the pool")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections in the pool")?;
        let ledger_entries = IntGauge::new(
            "ledger_entries",
            "Ledger entries over every campaign (corrections included)",
        )?;
        let raised_cents = IntGaugeVec::new(
            Opts::new("raised_cents", "Money raised per campaign, in euro cents"),
            &["campaign_year"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(pool_open.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(ledger_entries.clone()))?;
        registry.register(Box::new(raised_cents.clone()))?;
        let webhook_deliveries = IntGaugeVec::new(
            Opts::new(
                "webhook_deliveries",
                "Webhook deliveries in the outbox per status (pending: waiting or being sent; failed: given up)",
            ),
            &["status"],
        )?;
        let webhook_endpoints_disabled = IntGauge::new(
            "webhook_endpoints_disabled",
            "Webhook endpoints disabled (by staff, or after failing for 5 days)",
        )?;
        registry.register(Box::new(webhook_deliveries.clone()))?;
        registry.register(Box::new(webhook_endpoints_disabled.clone()))?;
        Ok(Arc::new(Self {
            registry,
            requests,
            duration,
            pool_open,
            pool_idle,
            ledger_entries,
            raised_cents,
            webhook_deliveries,
            webhook_endpoints_disabled,
        }))
    }

    /// Counts one answered request. `operation` is the OpenAPI operation id, or a fixed name for
    /// the other routes, so the label set stays small.
    pub fn observe(&self, operation: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[operation, method, &status.to_string()])
            .inc();
        self.duration.with_label_values(&[operation, method]).observe(seconds);
    }

    fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// The label for a request outside the OpenAPI operations.
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/healthz" => "healthz",
        "/readyz" => "readyz",
        "/metrics" => "metrics",
        "/api/v1/openapi.json" => "openapi",
        p if p.starts_with("/docs") => "docs",
        _ => "unmatched",
    }
}

#[handler]
pub async fn metrics(req: &Request, state: Data<&AppState>) -> Response {
    if let Some(token) = &state.http.metrics_token {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !presented.is_some_and(|p| token.matches(p)) {
            let mut resp = Problem::new(
                StatusCode::UNAUTHORIZED,
                "/metrics needs `Authorization: Bearer <CAMPAIGN_METRICS_TOKEN>`; configure the scraper with that token",
            )
            .into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return resp;
        }
    }
    let (open, idle) = campaign_persistence::pool_usage(&state.db);
    state.metrics.pool_open.set(i64::from(open));
    state.metrics.pool_idle.set(i64::from(idle));
    let totals = TotalsRepo::new(state.db.clone());
    match totals.grand_total().await {
        Ok((entries, _)) => state.metrics.ledger_entries.set(entries),
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the totals"),
    }
    // Every campaign gets a series (0 before its first entry); campaigns are never deleted.
    let campaigns = CampaignRepo::new(state.db.clone()).list().await;
    match (campaigns, totals.raised_by_campaign().await) {
        (Ok(campaigns), Ok(raised)) => {
            for campaign in campaigns {
                let cents = raised
                    .iter()
                    .find(|(year, _)| *year == campaign.year)
                    .map_or(0, |(_, cents)| *cents);
                state
                    .metrics
                    .raised_cents
                    .with_label_values(&[&campaign.year.to_string()])
                    .set(cents);
            }
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "metrics: cannot read the money raised per campaign"),
    }
    match campaign_persistence::webhook_outbox::counts(&state.db).await {
        Ok((by_status, disabled)) => {
            for status in ["pending", "succeeded", "failed"] {
                let n = by_status.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
                state.metrics.webhook_deliveries.with_label_values(&[status]).set(n);
            }
            state
                .metrics
                .webhook_endpoints_disabled
                .set(i64::try_from(disabled).unwrap_or(i64::MAX));
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count the webhook deliveries"),
    }
    state
        .metrics
        .render()
        .with_content_type("text/plain; version=0.0.4")
        .into_response()
}

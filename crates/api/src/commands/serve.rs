//! `campaign serve`: migrate, load boundaries, listen, and stop gracefully on SIGTERM / Ctrl-C.

use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

use super::demo::{self, DemoOptions};
use super::import_boundaries::ensure_boundaries;
use super::open_database;
use super::users::ensure_first_staff;
use crate::auth::{AuthState, resolve_jwt_secret};
use crate::cli::{DigestArgs, GlobalArgs, ServeArgs, WebhookArgs, env_setting};
use crate::config::{HttpSettings, MetricsToken, trusted_proxies};
use crate::digest_mail::{DigestMailer, MailSettings};
use crate::state::AppState;
use crate::webhook_delivery::{WebhookSettings, WebhookWorker};
use campaign_domain::digest::parse_send_time;
use campaign_domain::webhook::RetrySchedule;

/// How long in-flight requests get to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

pub async fn serve(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let mut http = HttpSettings::new(&args.cors_origins, args.request_timeout_secs)?;
    http.write_rate_limit = args.write_rate_limit;
    http.read_rate_limit = args.read_rate_limit;
    http.metrics_token = MetricsToken::from_setting(env_setting("CAMPAIGN_METRICS_TOKEN"))?;
    let trusted_proxies = trusted_proxies(&args.trusted_proxies, args.client_ip_header.as_deref())?;
    http.live_streams.per_account = usize::from(args.live_streams_per_account);
    http.live_streams.total = args.live_streams_total as usize;
    let db = open_database(global, args.demo).await?;

    ensure_boundaries(&db, args.boundaries.as_deref()).await?;

    let secret = resolve_jwt_secret(env_setting("CAMPAIGN_JWT_SECRET"), &db).await?;
    let auth = AuthState::new(&secret, trusted_proxies)?;
    ensure_first_staff(&db, &auth.passwords).await?;
    let demo = if args.demo {
        let options = DemoOptions {
            entries: args.demo_options.demo_entries,
            seed: args.demo_options.demo_seed,
        };
        Some(demo::load_or_refresh(&db, &auth.passwords, options).await?)
    } else {
        None
    };

    let mut state = AppState::load(db.clone(), http, auth).await?;
    state.webhooks = webhook_settings(&args.webhooks);
    tokio::spawn(WebhookWorker::new(db.clone(), state.webhooks)?.run());
    match mail_settings(&args.digest)? {
        Some(settings) => {
            tracing::info!(at = %settings.send_at, "the daily digest is mailed every morning (Brussels time)");
            tokio::spawn(DigestMailer::new(db.clone(), settings)?.run());
        }
        None => {
            tracing::info!("no CAMPAIGN_SMTP_URL: the daily digest is only at GET /api/v1/digest and on the staff page")
        }
    }
    tokio::spawn(purge_idempotency_keys(db.clone()));
    tokio::spawn(crate::auth::purge_login_attempts(db.clone()));
    let acceptor = TcpListener::bind(args.bind)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    if let Some(report) = &demo {
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .unwrap_or(args.bind);
        println!("{}", demo::render(report, &format!("http://{address}")));
    }
    Server::new_with_acceptor(crate::no_delay::NoDelay(acceptor))
        .run_with_graceful_shutdown(crate::app(state), shutdown_signal(), Some(DRAIN_TIMEOUT))
        .await
        .context("the server stopped with an error")?;
    db.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

/// The digest's mail settings; `None` without an SMTP server.
fn mail_settings(args: &DigestArgs) -> anyhow::Result<Option<MailSettings>> {
    let Some(url) = args.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let from = args
        .digest_from
        .parse()
        .with_context(|| format!("CAMPAIGN_DIGEST_FROM {:?} is not an e-mail address", args.digest_from))?;
    let to = args
        .digest_to
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse()
                .with_context(|| format!("CAMPAIGN_DIGEST_TO: {t:?} is not an e-mail address"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let send_at = parse_send_time(&args.digest_at).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(MailSettings {
        smtp_url: url.to_owned(),
        from,
        to,
        send_at,
    }))
}

fn webhook_settings(args: &WebhookArgs) -> WebhookSettings {
    let defaults = WebhookSettings::default();
    if args.webhook_allow_private {
        tracing::warn!(
            "CAMPAIGN_WEBHOOK_ALLOW_PRIVATE is on: webhooks may go to private addresses and over plain http"
        );
    }
    WebhookSettings {
        allow_private: args.webhook_allow_private,
        max_in_flight: args.webhook_max_in_flight,
        timeout: Duration::from_secs(args.webhook_timeout_secs),
        schedule: RetrySchedule {
            first_retry: chrono::Duration::seconds(i64::from(args.webhook_first_retry_secs)),
            ..defaults.schedule
        },
        ..defaults
    }
}

/// Every hour, forgets the idempotency keys older than their 48 hours.
async fn purge_idempotency_keys(db: campaign_persistence::DatabaseConnection) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match campaign_persistence::idempotency::purge_expired(&db).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys deleted"),
            Err(e) => tracing::warn!(error = %e, "could not delete expired idempotency keys"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

//! HTTP API and command line of the campaign backend.
//!
//! `app(state)` builds the whole HTTP application (used by `campaign serve` and by every test);
//! the `commands` module holds the other subcommands. Domain rules live in `campaign-domain`,
//! SQL in `campaign-persistence`: this crate translates between HTTP and those two.

pub mod app;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod digest_mail;
pub mod http;
pub mod live;
pub mod live_streams;
pub mod metrics;
pub mod no_delay;
pub mod problem;
pub mod routes;
pub mod spreadsheet;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod webhook_delivery;

pub use app::app;
pub use config::{HttpSettings, LiveStreamLimits};
pub use state::AppState;
pub use webhook_delivery::{WebhookSettings, WebhookWorker};

//! Storage of the campaign backend: connecting, migrating, and one repository per resource.
//!
//! SQL lives here and nowhere else. Repositories take and give domain types; sea-orm entities
//! stay inside this crate. Every write that must change together happens in one transaction.

pub mod activities;
pub mod audit;
pub mod campaigns;
pub mod changes;
mod connect;
pub mod deposits;
pub mod digest;
pub mod directory;
pub mod engagements;
mod entities;
mod entry_statement;
mod error;
pub mod fund;
pub mod groups;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod inquiries;
pub mod inventory;
pub mod ledger;
pub mod login_attempts;
pub mod materials;
pub mod member_orgs;
pub mod municipalities;
mod notifications;
pub mod offers;
pub mod price_lists;
pub mod programmes;
pub mod questions;
pub mod refresh_tokens;
pub mod settings;
pub mod totals;
pub mod trainings;
pub mod users;
pub mod webhook_outbox;
pub mod webhooks;
mod write_gate;

pub use connect::{Backend, connect, migrate, pool_usage};
pub use error::StoreError;
pub use sea_orm::DatabaseConnection;
pub(crate) use write_gate::{WriteTxn, begin_write};

/// The current time as stored: UTC, to the microsecond (what PostgreSQL keeps).
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6)
}

//! The subcommands of `campaign` besides the argument parsing.

pub mod demo;
pub mod import_boundaries;
pub mod serve;
pub mod users;

use anyhow::Context;
use campaign_persistence::DatabaseConnection;

use crate::cli::{GlobalArgs, redact_url};

/// Connects to the configured database (the demo's default file for the demo) and brings its
/// schema up to date.
pub async fn open_database(global: &GlobalArgs, demo: bool) -> anyhow::Result<DatabaseConnection> {
    let url = global.database_url(demo);
    let shown = redact_url(url);
    let db = campaign_persistence::connect(url, global.db_pool_size)
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    campaign_persistence::migrate(&db)
        .await
        .with_context(|| format!("cannot migrate the database {shown}"))?;
    tracing::info!(database = %shown, "database ready");
    Ok(db)
}

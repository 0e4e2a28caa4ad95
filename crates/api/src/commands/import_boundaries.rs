//! `campaign import-boundaries FILE`: check every feature, then replace the stored boundaries
//! in one transaction. Nothing is stored unless the whole file is good.

use std::path::Path;

use anyhow::Context;
use campaign_domain::boundaries::parse_feature_collection;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::municipalities::MunicipalityRepo;

/// Imports the file and returns how many municipalities got a boundary.
pub async fn import_boundaries(db: &DatabaseConnection, file: &Path, code_property: &str) -> anyhow::Result<usize> {
    let shown = file.display().to_string();
    let text = tokio::fs::read_to_string(file)
        .await
        .with_context(|| format!("cannot read the boundary file {shown}"))?;
    let repo = MunicipalityRepo::new(db.clone());
    let known = repo.codes().await?;
    let code_property = code_property.to_owned();
    tracing::info!(file = %shown, bytes = text.len(), "checking boundaries");
    let boundaries = tokio::task::spawn_blocking(move || {
        let mut progress = Progress::new("checked");
        parse_feature_collection(
            &text,
            &code_property,
            |code| known.contains(code),
            |done, total| progress.report(done, total),
        )
    })
    .await??;

    let mut progress = Progress::new("stored");
    repo.replace_boundaries(&boundaries, &AuditContext::default(), |done, total| {
        progress.report(done, total)
    })
    .await?;
    tracing::info!(municipalities = boundaries.len(), file = %shown, "boundaries imported");
    Ok(boundaries.len())
}

/// Logs progress at every tenth of the work.
struct Progress {
    verb: &'static str,
    last_tenth: usize,
}

impl Progress {
    fn new(verb: &'static str) -> Self {
        Self { verb, last_tenth: 0 }
    }

    fn report(&mut self, done: usize, total: usize) {
        let tenth = done * 10 / total.max(1);
        if tenth > self.last_tenth || done == total {
            self.last_tenth = tenth;
            tracing::info!(done, total, "{} {done}/{total} boundaries", self.verb);
        }
    }
}

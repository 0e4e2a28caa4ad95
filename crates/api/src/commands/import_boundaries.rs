//! `campaign import-boundaries FILE`: check every feature, then replace the stored boundaries
//! in one transaction. Nothing is stored unless the whole file is good and, unless a partial set
//! is asked for, covers every municipality of the registry.
//!
//! At start-up, when no boundaries are stored, `CAMPAIGN_BOUNDARIES` is imported, or else the
//! 2025 boundaries embedded in the binary.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use campaign_domain::boundaries::{
    DEFAULT_CODE_PROPERTY, EMBEDDED_2025, EMBEDDED_2025_ATTRIBUTION, check_coverage, parse_feature_collection,
};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::municipalities::MunicipalityRepo;

/// Where boundaries come from.
#[derive(Debug, Clone)]
pub enum BoundarySource {
    /// A GeoJSON file, its NIS code in this property.
    File { path: PathBuf, code_property: String },
    /// The 2025 boundaries embedded in the binary (Statbel open data).
    Embedded,
}

impl BoundarySource {
    fn describe(&self) -> String {
        match self {
            Self::File { path, .. } => path.display().to_string(),
            Self::Embedded => "the embedded 2025 boundaries".to_owned(),
        }
    }
}

/// Imports the boundaries and returns how many municipalities got one. Without
/// `allow_partial`, a set that leaves a municipality of the registry without boundary is
/// refused, naming each one.
pub async fn import_boundaries(
    db: &DatabaseConnection,
    source: &BoundarySource,
    allow_partial: bool,
) -> anyhow::Result<usize> {
    let shown = source.describe();
    let (text, code_property): (Cow<'static, str>, String) = match source {
        BoundarySource::File { path, code_property } => (
            tokio::fs::read_to_string(path)
                .await
                .with_context(|| format!("cannot read the boundary file {shown}"))?
                .into(),
            code_property.clone(),
        ),
        BoundarySource::Embedded => (EMBEDDED_2025.into(), DEFAULT_CODE_PROPERTY.to_owned()),
    };
    let repo = MunicipalityRepo::new(db.clone());
    let known = repo.codes().await?;
    tracing::info!(source = %shown, bytes = text.len(), "checking boundaries");
    let boundaries = tokio::task::spawn_blocking(move || {
        let mut progress = Progress::new("checked");
        let boundaries = parse_feature_collection(
            &text,
            &code_property,
            |code| known.contains(code),
            |done, total| progress.report(done, total),
        )?;
        check_coverage(&boundaries, known.iter(), allow_partial)?;
        Ok::<_, campaign_domain::boundaries::BoundaryProblems>(boundaries)
    })
    .await??;

    let mut progress = Progress::new("stored");
    repo.replace_boundaries(&boundaries, &AuditContext::default(), |done, total| {
        progress.report(done, total)
    })
    .await?;
    tracing::info!(municipalities = boundaries.len(), source = %shown, "boundaries imported");
    Ok(boundaries.len())
}

/// Makes sure boundaries are stored: when none are, imports `file` (`CAMPAIGN_BOUNDARIES`) or,
/// without one, the boundaries embedded in the binary.
pub async fn ensure_boundaries(db: &DatabaseConnection, file: Option<&Path>) -> anyhow::Result<()> {
    if MunicipalityRepo::new(db.clone()).boundary_count().await? > 0 {
        if file.is_some() {
            tracing::info!("boundaries already loaded; CAMPAIGN_BOUNDARIES is not imported again");
        }
        return Ok(());
    }
    match file {
        Some(path) => {
            let source = BoundarySource::File {
                path: path.to_owned(),
                code_property: DEFAULT_CODE_PROPERTY.to_owned(),
            };
            import_boundaries(db, &source, false)
                .await
                .context("CAMPAIGN_BOUNDARIES: the boundary file could not be imported")?;
        }
        None => {
            import_boundaries(db, &BoundarySource::Embedded, false)
                .await
                .context("the embedded boundaries could not be imported")?;
            tracing::info!(
                attribution = EMBEDDED_2025_ATTRIBUTION,
                "loaded the embedded 2025 boundaries"
            );
        }
    }
    Ok(())
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

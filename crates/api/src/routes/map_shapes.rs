//! The municipalities' boundaries for the campaign map, as GeoJSON values held in memory: read
//! and parsed at most once every few minutes instead of on every request (they change once in
//! years, by `campaign import-boundaries`, and then show on the map within `KEEP_FOR`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use campaign_persistence::municipalities::MunicipalityRepo;

use crate::problem::ApiError;

/// How long a copy is used before the boundaries are read again.
const KEEP_FOR: Duration = Duration::from_secs(300);

type Shapes = Arc<HashMap<String, serde_json::Value>>;

#[derive(Clone, Default)]
pub struct MapShapes {
    copy: Arc<RwLock<Option<(Instant, Shapes)>>>,
}

impl MapShapes {
    /// The boundaries by NIS code, from the copy while it is fresh.
    pub async fn current(&self, municipalities: &MunicipalityRepo) -> Result<Shapes, ApiError> {
        if let Ok(copy) = self.copy.read()
            && let Some((read_at, shapes)) = copy.as_ref()
            && read_at.elapsed() < KEEP_FOR
        {
            return Ok(shapes.clone());
        }
        let read_at = Instant::now();
        let shapes: Shapes = Arc::new(
            municipalities
                .boundary_texts()
                .await?
                .into_iter()
                .filter_map(|(nis, text)| serde_json::from_str(&text).ok().map(|value| (nis, value)))
                .collect(),
        );
        if let Ok(mut copy) = self.copy.write() {
            *copy = Some((read_at, shapes.clone()));
        }
        Ok(shapes)
    }
}

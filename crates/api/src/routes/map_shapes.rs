//! The municipalities' boundaries for the campaign map, kept in memory as the GeoJSON text they
//! are stored as: read and checked at most once every few minutes instead of on every request
//! (they change once in years, by `campaign import-boundaries`, and then show on the map within
//! `KEEP_FOR`), and written into each answer as they are, without a tree of JSON values.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use campaign_persistence::municipalities::MunicipalityRepo;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::problem::ApiError;

/// How long a copy is used before the boundaries are read again.
const KEEP_FOR: Duration = Duration::from_secs(300);

/// One municipality's boundary (a GeoJSON geometry), as JSON text shared by every answer.
#[derive(Clone, Debug)]
pub struct Boundary(Arc<RawValue>);

impl Boundary {
    /// The boundary in `text`, if it is JSON.
    fn parse(text: &str) -> Option<Self> {
        serde_json::from_str::<Box<RawValue>>(text)
            .ok()
            .map(|raw| Self(Arc::from(raw)))
    }
}

impl Serialize for Boundary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Boundary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self(Arc::from(raw)))
    }
}

type Shapes = Arc<HashMap<String, Boundary>>;

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
                .filter_map(|(nis, text)| Boundary::parse(&text).map(|boundary| (nis, boundary)))
                .collect(),
        );
        if let Ok(mut copy) = self.copy.write() {
            *copy = Some((read_at, shapes.clone()));
        }
        Ok(shapes)
    }
}

#[cfg(test)]
mod tests {
    use super::Boundary;

    #[test]
    fn a_boundary_is_written_as_the_geometry_it_was_stored_as() {
        let text = r#"{"type":"MultiPolygon","coordinates":[[[[4.35,51.1],[4.36,51.1],[4.35,51.2],[4.35,51.1]]]]}"#;
        let boundary = Boundary::parse(text);
        assert_eq!(
            boundary.as_ref().and_then(|b| serde_json::to_string(b).ok()).as_deref(),
            Some(text)
        );
        assert!(Boundary::parse("{not json").is_none());
    }
}

//! `GET /public/municipalities/outlines`: municipal boundaries inside a box, for a map drawn in
//! the browser without a tile server. Public and cacheable; filtered in memory over the loaded
//! boundaries (the R-tree of the point lookup).

use std::sync::Arc;

use campaign_domain::geo_index::MunicipalityIndex;
use campaign_domain::outlines::{outline_box, rounded_geometry};
use campaign_persistence::municipalities::MunicipalityRepo;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::problem::ApiError;

/// What a map needs to name a municipality.
#[derive(Debug, Object)]
pub struct OutlineProperties {
    pub nis_code: String,
    pub name_nl: String,
}

/// One municipality's outline.
#[derive(Debug, Object)]
pub struct OutlineFeature {
    /// Always `Feature`.
    #[oai(rename = "type")]
    pub kind: String,
    /// The NIS code.
    pub id: String,
    /// A GeoJSON MultiPolygon, coordinates rounded to 5 decimals (about a metre).
    pub geometry: Any<serde_json::Value>,
    pub properties: OutlineProperties,
}

/// Outlines as a GeoJSON FeatureCollection (RFC 7946), in NIS-code order.
#[derive(Debug, Object)]
pub struct OutlineCollection {
    /// Always `FeatureCollection`.
    #[oai(rename = "type")]
    pub kind: String,
    pub features: Vec<OutlineFeature>,
}

#[derive(ApiResponse)]
pub enum OutlinesResponse {
    /// The municipalities whose boundary meets the box, each whole. Cache it for an hour.
    #[oai(status = 200, content_type = "application/geo+json")]
    Outlines(Json<OutlineCollection>, #[oai(header = "Cache-Control")] String),
}

pub struct OutlinesApi {
    pub municipalities: MunicipalityRepo,
    pub geo: Arc<Option<MunicipalityIndex>>,
}

#[OpenApi(tag = "ApiTags::Public")]
impl OutlinesApi {
    /// Municipal outlines in a box
    ///
    /// No sign-in. The municipalities of Flanders and Brussels whose boundary meets the box
    /// `bbox=minlon,minlat,maxlon,maxlat` (WGS84, at most 1.5° wide and high), each with its
    /// whole boundary, as GeoJSON with `nis_code` and `name_nl`; `Cache-Control: public,
    /// max-age=3600`. 503 while no boundaries are loaded.
    #[oai(
        path = "/public/municipalities/outlines",
        method = "get",
        operation_id = "get_municipality_outlines"
    )]
    async fn outlines(
        &self,
        /// `minlon,minlat,maxlon,maxlat` in decimal degrees, at most 1.5° each way, e.g.
        /// `3.6,51.0,3.8,51.1` around Gent.
        #[oai(validator(max_length = 100))]
        bbox: Query<String>,
    ) -> Result<OutlinesResponse, ApiError> {
        let bbox = outline_box(&bbox.0)?;
        let Some(index) = self.geo.as_ref() else {
            return Err(ApiError::unavailable(
                "no municipal boundaries are loaded on this server: import them with `campaign import-boundaries FILE` (or set CAMPAIGN_BOUNDARIES) and restart",
            ));
        };
        let found = index.within(bbox.min, bbox.max);
        let names: std::collections::HashMap<String, String> = if found.is_empty() {
            Default::default()
        } else {
            self.municipalities
                .list(&Default::default(), 1000)
                .await?
                .into_iter()
                .map(|m| (m.municipality.nis_code.to_string(), m.municipality.name_nl))
                .collect()
        };
        let features = found
            .into_iter()
            .map(|(code, area)| {
                let code = code.to_string();
                OutlineFeature {
                    kind: "Feature".to_owned(),
                    id: code.clone(),
                    geometry: Any(rounded_geometry(&area)),
                    properties: OutlineProperties {
                        name_nl: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                        nis_code: code,
                    },
                }
            })
            .collect();
        Ok(OutlinesResponse::Outlines(
            Json(OutlineCollection {
                kind: "FeatureCollection".to_owned(),
                features,
            }),
            "public, max-age=3600".to_owned(),
        ))
    }
}

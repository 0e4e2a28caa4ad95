//! `/public/municipalities`: find a municipality by name without signing in (the public agenda's
//! "a municipality typed in"), with a point inside it to search near.

use std::sync::Arc;

use campaign_domain::geo_index::MunicipalityIndex;
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityRepo};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::municipalities::ProvinceName;
use crate::problem::ApiError;

/// The most municipalities one search answers.
const MAX_RESULTS: u64 = 20;

/// A point (WGS84).
#[derive(Debug, Object)]
pub struct CentrePoint {
    pub lon: f64,
    pub lat: f64,
}

/// A municipality as anyone may see it.
#[derive(Debug, Object)]
pub struct PublicMunicipality {
    pub nis_code: String,
    pub name_nl: String,
    /// The French name; only the 19 Brussels municipalities have one.
    #[oai(nullable)]
    pub name_fr: Option<String>,
    pub province: ProvinceName,
    /// A point inside the municipality to search near; `null` while no boundaries are loaded.
    #[oai(nullable)]
    pub centre: Option<CentrePoint>,
}

/// Municipalities whose name matches, at most 20, in NIS-code order.
#[derive(Debug, Object)]
pub struct PublicMunicipalityList {
    pub items: Vec<PublicMunicipality>,
}

pub struct PublicMunicipalitiesApi {
    pub repo: MunicipalityRepo,
    pub geo: Arc<Option<MunicipalityIndex>>,
}

#[OpenApi(tag = "ApiTags::Public")]
impl PublicMunicipalitiesApi {
    /// Find a municipality by name
    ///
    /// No sign-in. Municipalities whose Dutch or French name contains `q` (case-insensitive, at
    /// least 2 characters), at most 20, each with a point inside it (`centre`) to pass as `near`
    /// to the public agenda.
    #[oai(
        path = "/public/municipalities",
        method = "get",
        operation_id = "search_public_municipalities"
    )]
    async fn search(
        &self,
        /// Part of the Dutch or French name, e.g. `gent` or `bruxelles`.
        #[oai(validator(min_length = 2, max_length = 100))]
        q: Query<String>,
    ) -> Result<Json<PublicMunicipalityList>, ApiError> {
        let q = q.0.trim().to_owned();
        if q.chars().count() < 2 {
            return Err(ApiError::invalid_field(
                "q",
                "give at least 2 letters of the municipality's name",
            ));
        }
        let filter = MunicipalityFilter {
            province: None,
            name_contains: Some(q),
            after: None,
        };
        let rows = self.repo.list(&filter, MAX_RESULTS).await?;
        let geo = self.geo.as_ref().as_ref();
        let items = rows
            .into_iter()
            .map(|row| {
                let m = row.municipality;
                PublicMunicipality {
                    centre: geo.and_then(|g| g.centre(m.nis_code)).map(|p| CentrePoint {
                        lon: p.lon(),
                        lat: p.lat(),
                    }),
                    nis_code: m.nis_code.to_string(),
                    name_nl: m.name_nl,
                    name_fr: m.name_fr,
                    province: m.province.into(),
                }
            })
            .collect();
        Ok(Json(PublicMunicipalityList { items }))
    }
}

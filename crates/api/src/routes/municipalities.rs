//! `/municipalities`: the registry, and which municipality contains a point.

use std::sync::Arc;

use campaign_domain::geo_index::MunicipalityIndex;
use campaign_domain::municipality::{Municipality, NisCode, Province, Region};
use campaign_domain::paging::PageLimit;
use campaign_domain::point::LonLat;
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityListing, MunicipalityRepo};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::ApiTags;
use super::pagination;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

const CURSOR_LIST: &str = "municipalities";

/// A province of Flanders, or the Brussels-Capital Region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ProvinceName {
    #[oai(rename = "Antwerpen")]
    Antwerpen,
    #[oai(rename = "Limburg")]
    Limburg,
    #[oai(rename = "Oost-Vlaanderen")]
    OostVlaanderen,
    #[oai(rename = "Vlaams-Brabant")]
    VlaamsBrabant,
    #[oai(rename = "West-Vlaanderen")]
    WestVlaanderen,
    #[oai(rename = "Brussels-Capital Region")]
    BrusselsCapital,
}

impl From<Province> for ProvinceName {
    fn from(p: Province) -> Self {
        match p {
            Province::Antwerpen => Self::Antwerpen,
            Province::Limburg => Self::Limburg,
            Province::OostVlaanderen => Self::OostVlaanderen,
            Province::VlaamsBrabant => Self::VlaamsBrabant,
            Province::WestVlaanderen => Self::WestVlaanderen,
            Province::BrusselsCapital => Self::BrusselsCapital,
        }
    }
}

impl From<ProvinceName> for Province {
    fn from(p: ProvinceName) -> Self {
        match p {
            ProvinceName::Antwerpen => Self::Antwerpen,
            ProvinceName::Limburg => Self::Limburg,
            ProvinceName::OostVlaanderen => Self::OostVlaanderen,
            ProvinceName::VlaamsBrabant => Self::VlaamsBrabant,
            ProvinceName::WestVlaanderen => Self::WestVlaanderen,
            ProvinceName::BrusselsCapital => Self::BrusselsCapital,
        }
    }
}

/// The region a municipality lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RegionName {
    Flanders,
    Brussels,
}

impl From<Region> for RegionName {
    fn from(r: Region) -> Self {
        match r {
            Region::Flanders => Self::Flanders,
            Region::Brussels => Self::Brussels,
        }
    }
}

/// A municipality (gemeente) of Flanders or Brussels.
#[derive(Debug, Clone, Object)]
pub struct MunicipalityOut {
    /// Statbel NIS code, 5 digits.
    pub nis_code: String,
    /// Official Dutch name.
    pub name_nl: String,
    /// Official French name (Brussels municipalities only).
    #[oai(nullable)]
    pub name_fr: Option<String>,
    pub province: ProvinceName,
    pub region: RegionName,
    /// Whether a boundary is loaded, so points can be resolved to this municipality.
    pub has_boundary: bool,
}

impl From<MunicipalityListing> for MunicipalityOut {
    fn from(listing: MunicipalityListing) -> Self {
        let MunicipalityListing {
            municipality,
            has_boundary,
        } = listing;
        let region = municipality.region().into();
        let Municipality {
            nis_code,
            name_nl,
            name_fr,
            province,
        } = municipality;
        Self {
            nis_code: nis_code.to_string(),
            name_nl,
            name_fr,
            province: province.into(),
            region,
            has_boundary,
        }
    }
}

/// One page of municipalities.
#[derive(Debug, Clone, Object)]
pub struct MunicipalityPage {
    pub items: Vec<MunicipalityOut>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

pub struct MunicipalitiesApi {
    pub repo: MunicipalityRepo,
    pub geo: Arc<Option<MunicipalityIndex>>,
}

#[OpenApi(prefix_path = "/municipalities", tag = "ApiTags::Municipalities")]
impl MunicipalitiesApi {
    /// List municipalities
    ///
    /// All 304 municipalities of Flanders and Brussels in NIS-code order, optionally only one
    /// province's, or those whose Dutch or French name contains `q` (case-insensitive).
    #[oai(path = "/", method = "get", operation_id = "list_municipalities")]
    async fn list_municipalities(
        &self,
        _auth: BearerAuth,
        /// Only this province (or `Brussels-Capital Region`).
        province: Query<Option<ProvinceName>>,
        /// Part of the Dutch or French name, e.g. `gent` or `bruxelles`.
        #[oai(validator(min_length = 1, max_length = 100))]
        q: Query<Option<String>>,
        /// Items per page, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<MunicipalityPage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let after = match cursor.0.as_deref() {
            Some(raw) => {
                let key = pagination::decode(CURSOR_LIST, raw)?;
                Some(NisCode::parse_field("cursor", &key)?)
            }
            None => None,
        };
        let name_contains = q.0.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let filter = MunicipalityFilter {
            province: province.0.map(Into::into),
            name_contains,
            after,
        };
        let mut rows = self.repo.list(&filter, limit.get() + 1).await?;
        let next_cursor = if rows.len() as u64 > limit.get() {
            rows.truncate(limit.get() as usize);
            rows.last()
                .map(|r| pagination::encode(CURSOR_LIST, r.municipality.nis_code.as_str()))
        } else {
            None
        };
        Ok(Json(MunicipalityPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Find the municipality containing a point
    ///
    /// Resolves a WGS84 longitude/latitude (as a phone's GPS gives it) to the municipality of
    /// Flanders or Brussels that contains it. 404 outside Flanders and Brussels; 503 while no
    /// boundaries are loaded.
    #[oai(path = "/lookup", method = "get", operation_id = "lookup_municipality")]
    async fn lookup_municipality(
        &self,
        _auth: BearerAuth,
        /// Longitude in decimal degrees (east), e.g. 3.7210.
        #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
        lon: Query<f64>,
        /// Latitude in decimal degrees (north), e.g. 51.0546.
        #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
        lat: Query<f64>,
    ) -> Result<Json<MunicipalityOut>, ApiError> {
        let point = LonLat::parse(lon.0, lat.0)?;
        let Some(index) = self.geo.as_ref() else {
            return Err(ApiError::unavailable(
                "no municipal boundaries are loaded on this server: import them with `campaign import-boundaries FILE` (or set CAMPAIGN_BOUNDARIES) and restart",
            ));
        };
        let code = index.locate(point).ok_or_else(|| {
            ApiError::not_found(format!(
                "the point (lon {}, lat {}) lies outside Flanders and Brussels",
                point.lon(),
                point.lat()
            ))
        })?;
        let listing = self.repo.get(code).await?.ok_or_else(|| {
            ApiError::not_found(format!("municipality {code} has a boundary but is not in the registry"))
        })?;
        Ok(Json(listing.into()))
    }

    /// Get one municipality
    #[oai(path = "/:nis", method = "get", operation_id = "get_municipality")]
    async fn get_municipality(
        &self,
        _auth: BearerAuth,
        /// NIS code, 5 digits, e.g. 44021 for Gent.
        nis: Path<String>,
    ) -> Result<Json<MunicipalityOut>, ApiError> {
        let code = NisCode::parse_field("nis", &nis.0)?;
        let listing = self.repo.get(code).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "there is no municipality with NIS code {code} in Flanders or Brussels"
            ))
        })?;
        Ok(Json(listing.into()))
    }
}

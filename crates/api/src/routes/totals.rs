//! Money raised: campaign totals, breakdowns (JSON or CSV), and the public thermometer. Read from
//! the running totals kept with every ledger write, never by scanning the ledger.

use campaign_domain::campaign::CampaignYear;
use campaign_domain::policy::Actor;
use campaign_domain::user::Membership;
use campaign_persistence::campaigns::{Campaign, CampaignRepo};
use campaign_persistence::totals::{Dimension, TotalsRepo, TotalsScope};
use poem::Request;
use poem::http::header;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sha2::{Digest, Sha256};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

/// Money raised by kind of entry.
#[derive(Debug, Object)]
pub struct KindTotal {
    pub kind: String,
    pub raised_cents: i64,
    pub entries: i64,
}

/// A campaign's totals (for a municipal contact: their municipality's share).
#[derive(Debug, Object)]
pub struct CampaignTotals {
    pub campaign_year: i32,
    pub raised_cents: i64,
    pub target_cents: i64,
    pub entries: i64,
    pub groups_reporting: i64,
    pub municipalities_reporting: i64,
    pub by_kind: Vec<KindTotal>,
    /// `null` for the whole campaign; a contact's municipality otherwise.
    pub municipality_nis: Option<String>,
}

/// What totals can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DimensionName {
    Province,
    Municipality,
    Group,
    Product,
    PaymentMethod,
    Day,
}

impl From<DimensionName> for Dimension {
    fn from(d: DimensionName) -> Self {
        match d {
            DimensionName::Province => Self::Province,
            DimensionName::Municipality => Self::Municipality,
            DimensionName::Group => Self::Group,
            DimensionName::Product => Self::Product,
            DimensionName::PaymentMethod => Self::PaymentMethod,
            DimensionName::Day => Self::Day,
        }
    }
}

#[derive(Debug, Object)]
pub struct TotalItem {
    /// NIS code, group id, product code, payment method, province or day (YYYY-MM-DD, Belgian).
    pub key: String,
    pub label: String,
    pub raised_cents: i64,
    pub entries: i64,
}

#[derive(Debug, Object)]
pub struct TotalsBreakdown {
    pub items: Vec<TotalItem>,
}

#[derive(ApiResponse)]
pub enum BreakdownResponse {
    /// The breakdown; with `Accept: text/csv`, as CSV (`key,label,raised_cents,entries`).
    #[oai(status = 200)]
    Json(Json<TotalsBreakdown>),
    /// The breakdown as CSV.
    #[oai(status = 200, content_type = "text/csv")]
    Csv(PlainText<String>),
}

/// The public thermometer: money raised against the target.
#[derive(Debug, Object)]
pub struct Thermometer {
    pub campaign_year: i32,
    pub raised_cents: i64,
    pub target_cents: i64,
}

#[derive(ApiResponse)]
pub enum ThermometerResponse {
    /// The thermometer; cache it for 30 seconds, revalidate with `If-None-Match`.
    #[oai(status = 200)]
    Fresh(
        Json<Thermometer>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Unchanged since the `ETag` sent.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String, #[oai(header = "Cache-Control")] String),
}

pub struct TotalsApi {
    pub totals: TotalsRepo,
    pub campaigns: CampaignRepo,
}

impl TotalsApi {
    async fn campaign(&self, year: i64) -> Result<Campaign, ApiError> {
        let parsed = CampaignYear::parse(year)?;
        self.campaigns
            .get(parsed)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no {year} campaign")))
    }
}

fn scope_of(actor: &Actor) -> TotalsScope {
    match actor.membership {
        Membership::MunicipalContact { municipality } => TotalsScope {
            municipality: Some(municipality),
            group: None,
        },
        _ => TotalsScope::default(),
    }
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[OpenApi(tag = "ApiTags::Totals")]
impl TotalsApi {
    /// A campaign's totals
    ///
    /// Staff and volunteers see the whole campaign; a municipal contact their municipality's share.
    #[oai(
        path = "/campaigns/:year/totals",
        method = "get",
        operation_id = "get_campaign_totals"
    )]
    async fn campaign_totals(&self, auth: BearerAuth, year: Path<i64>) -> Result<Json<CampaignTotals>, ApiError> {
        let campaign = self.campaign(year.0).await?;
        let scope = scope_of(&auth.0);
        let s = self.totals.summary(campaign.year, scope).await?;
        Ok(Json(CampaignTotals {
            campaign_year: campaign.year,
            raised_cents: s.raised_cents,
            target_cents: campaign.plan.target_cents,
            entries: s.entries,
            groups_reporting: s.groups_reporting,
            municipalities_reporting: s.municipalities_reporting,
            by_kind: s
                .by_kind
                .into_iter()
                .map(|(kind, raised_cents, entries)| KindTotal {
                    kind,
                    raised_cents,
                    entries,
                })
                .collect(),
            municipality_nis: scope.municipality.map(|m| m.to_string()),
        }))
    }

    /// A campaign's totals broken down
    ///
    /// By province, municipality, group, product, payment method or day (Belgian calendar).
    /// Staff; a volunteer may ask for `group` and sees their own group's row only.
    #[oai(
        path = "/campaigns/:year/totals/by/:dimension",
        method = "get",
        operation_id = "get_totals_by"
    )]
    async fn totals_by(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
        dimension: Path<DimensionName>,
    ) -> Result<BreakdownResponse, ApiError> {
        let scope = match (auth.0.membership, dimension.0) {
            (Membership::Staff, _) => TotalsScope::default(),
            (Membership::Volunteer { group }, DimensionName::Group) => TotalsScope {
                municipality: None,
                group: Some(group),
            },
            (Membership::Volunteer { .. }, _) => {
                return Err(ApiError::forbidden(
                    "volunteers see the `group` breakdown of their own group only",
                ));
            }
            (Membership::MunicipalContact { .. }, _) => {
                return Err(ApiError::forbidden(
                    "breakdowns are for staff; a municipal contact reads GET /campaigns/{year}/totals",
                ));
            }
        };
        let campaign = self.campaign(year.0).await?;
        let rows = self.totals.by(campaign.year, dimension.0.into(), scope).await?;
        let wants_csv = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"));
        if wants_csv {
            let mut csv = String::from("key,label,raised_cents,entries\r\n");
            for row in &rows {
                csv.push_str(&format!(
                    "{},{},{},{}\r\n",
                    csv_field(&row.key),
                    csv_field(&row.label),
                    row.raised_cents,
                    row.entries
                ));
            }
            return Ok(BreakdownResponse::Csv(PlainText(csv)));
        }
        let items = rows
            .into_iter()
            .map(|r| TotalItem {
                key: r.key,
                label: r.label,
                raised_cents: r.raised_cents,
                entries: r.entries,
            })
            .collect();
        Ok(BreakdownResponse::Json(Json(TotalsBreakdown { items })))
    }

    /// The public thermometer
    ///
    /// No sign-in. Cacheable: `ETag` and `Cache-Control: public, max-age=30`.
    #[oai(
        path = "/public/campaigns/:year/thermometer",
        method = "get",
        operation_id = "get_thermometer"
    )]
    async fn thermometer(
        &self,
        year: Path<i64>,
        /// The `ETag` of an earlier answer.
        #[oai(name = "If-None-Match", validator(max_length = 200))]
        if_none_match: Header<Option<String>>,
    ) -> Result<ThermometerResponse, ApiError> {
        let campaign = self.campaign(year.0).await?;
        let summary = self.totals.summary(campaign.year, TotalsScope::default()).await?;
        let digest = Sha256::digest(
            format!(
                "{}:{}:{}",
                campaign.year, summary.raised_cents, campaign.plan.target_cents
            )
            .as_bytes(),
        );
        let etag = format!(
            "\"{}\"",
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>()
        );
        let cache = "public, max-age=30".to_owned();
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|sent| sent.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            return Ok(ThermometerResponse::NotModified(etag, cache));
        }
        let body = Thermometer {
            campaign_year: campaign.year,
            raised_cents: summary.raised_cents,
            target_cents: campaign.plan.target_cents,
        };
        Ok(ThermometerResponse::Fresh(Json(body), etag, cache))
    }
}

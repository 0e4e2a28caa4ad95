//! `/campaigns` and their products: staff write, every role reads.

use std::sync::Arc;

use campaign_domain::campaign::{CampaignPlan, CampaignYear, NewProduct};
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::campaigns::{Campaign, CampaignRepo, Product};
use chrono::{DateTime, NaiveDate, Utc};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

/// A yearly campaign. Dates are calendar days in Europe/Brussels.
#[derive(Debug, Object)]
pub struct CampaignOut {
    pub year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Fundraising target in euro cents.
    pub target_cents: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Campaign> for CampaignOut {
    fn from(c: Campaign) -> Self {
        Self {
            year: c.year,
            starts_on: c.plan.starts_on,
            ends_on: c.plan.ends_on,
            target_cents: c.plan.target_cents,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A new campaign: it starts in its own year and ends after it starts.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub year: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Fundraising target in euro cents, 0 or more.
    #[oai(validator(minimum(value = "0")))]
    pub target_cents: i64,
}

/// Changes to a campaign; fields left out keep their value.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateCampaignRequest {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[oai(validator(minimum(value = "0")))]
    pub target_cents: Option<i64>,
}

/// The campaigns, newest first.
#[derive(Debug, Object)]
pub struct CampaignList {
    pub items: Vec<CampaignOut>,
    /// Always `null`: there is one campaign a year, all on one page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A product on sale in a campaign.
#[derive(Debug, Object)]
pub struct ProductOut {
    pub id: Uuid,
    pub campaign_year: i32,
    /// A slug such as `cards-6`.
    pub code: String,
    pub name: String,
    /// Price of one unit in euro cents.
    pub unit_price_cents: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Product> for ProductOut {
    fn from(p: Product) -> Self {
        Self {
            id: p.id,
            campaign_year: p.campaign_year,
            code: p.code,
            name: p.name,
            unit_price_cents: p.unit_price_cents,
            created_at: p.created_at,
        }
    }
}

/// A new product.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateProductRequest {
    /// Lower-case letters and digits in words joined by hyphens, e.g. `chocolate-bar`.
    #[oai(validator(max_length = 40))]
    pub code: String,
    #[oai(validator(max_length = 200))]
    pub name: String,
    /// Price of one unit in euro cents, more than 0.
    #[oai(validator(minimum(value = "1")))]
    pub unit_price_cents: i64,
}

/// The products of a campaign, by code.
#[derive(Debug, Object)]
pub struct ProductList {
    pub items: Vec<ProductOut>,
    /// Always `null`: a campaign's products fit on one page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CampaignCreated {
    /// The campaign is created.
    #[oai(status = 201)]
    Created(Json<CampaignOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum ProductCreated {
    /// The product is created.
    #[oai(status = 201)]
    Created(Json<ProductOut>, #[oai(header = "Location")] String),
}

pub struct CampaignsApi {
    pub campaigns: CampaignRepo,
    /// Dropped after every change here (other processes hear of it on PostgreSQL).
    pub prices: campaign_persistence::price_lists::PriceLists,
    pub auth: Arc<AuthState>,
}

fn may(auth: &BearerAuth, action: Action, why: &str) -> Result<(), ApiError> {
    let _grant = allow(&auth.0, action, Scope::Campaign, String::new, why)?;
    Ok(())
}

fn no_campaign(year: i64) -> ApiError {
    ApiError::not_found(format!("there is no {year} campaign"))
}

#[OpenApi(prefix_path = "/campaigns", tag = "ApiTags::Campaigns")]
impl CampaignsApi {
    /// Create a campaign
    #[oai(path = "/", method = "post", operation_id = "create_campaign")]
    async fn create_campaign(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateCampaignRequest>,
    ) -> Result<CampaignCreated, ApiError> {
        may(&auth, Action::Write, "only staff create campaigns")?;
        let year = CampaignYear::parse(body.year)?;
        let plan = CampaignPlan::new(year, body.starts_on, body.ends_on, body.target_cents)?;
        let campaign = self
            .campaigns
            .create(year, plan, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/campaigns/{}", campaign.year);
        self.prices.invalidate();
        Ok(CampaignCreated::Created(Json(campaign.into()), location))
    }

    /// List campaigns
    #[oai(path = "/", method = "get", operation_id = "list_campaigns")]
    async fn list_campaigns(&self, auth: BearerAuth) -> Result<Json<CampaignList>, ApiError> {
        may(&auth, Action::Read, "")?;
        let items = self.campaigns.list().await?.into_iter().map(Into::into).collect();
        Ok(Json(CampaignList {
            items,
            next_cursor: None,
        }))
    }

    /// Get a campaign
    #[oai(path = "/:year", method = "get", operation_id = "get_campaign")]
    async fn get_campaign(&self, auth: BearerAuth, year: Path<i64>) -> Result<Json<CampaignOut>, ApiError> {
        may(&auth, Action::Read, "")?;
        let parsed = CampaignYear::parse(year.0)?;
        let campaign = self.campaigns.get(parsed).await?.ok_or_else(|| no_campaign(year.0))?;
        Ok(Json(campaign.into()))
    }

    /// Change a campaign's dates or target
    #[oai(path = "/:year", method = "patch", operation_id = "update_campaign")]
    async fn update_campaign(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
        body: Json<UpdateCampaignRequest>,
    ) -> Result<Json<CampaignOut>, ApiError> {
        may(&auth, Action::Write, "only staff change campaigns")?;
        let parsed = CampaignYear::parse(year.0)?;
        let current = self.campaigns.get(parsed).await?.ok_or_else(|| no_campaign(year.0))?;
        let plan = CampaignPlan::new(
            parsed,
            body.starts_on.unwrap_or(current.plan.starts_on),
            body.ends_on.unwrap_or(current.plan.ends_on),
            body.target_cents.unwrap_or(current.plan.target_cents),
        )?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let campaign = self
            .campaigns
            .update(parsed, plan, &ctx)
            .await?
            .ok_or_else(|| no_campaign(year.0))?;
        self.prices.invalidate();
        Ok(Json(campaign.into()))
    }

    /// Add a product to a campaign
    #[oai(path = "/:year/products", method = "post", operation_id = "create_product")]
    async fn create_product(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
        body: Json<CreateProductRequest>,
    ) -> Result<ProductCreated, ApiError> {
        may(&auth, Action::Write, "only staff add products")?;
        let parsed = CampaignYear::parse(year.0)?;
        let product = NewProduct::new(&body.code, &body.name, body.unit_price_cents)?;
        let created = self
            .campaigns
            .create_product(parsed, product, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/campaigns/{}/products", created.campaign_year);
        self.prices.invalidate();
        Ok(ProductCreated::Created(Json(created.into()), location))
    }

    /// List a campaign's products
    #[oai(path = "/:year/products", method = "get", operation_id = "list_products")]
    async fn list_products(&self, auth: BearerAuth, year: Path<i64>) -> Result<Json<ProductList>, ApiError> {
        may(&auth, Action::Read, "")?;
        let parsed = CampaignYear::parse(year.0)?;
        if self.campaigns.get(parsed).await?.is_none() {
            return Err(no_campaign(year.0));
        }
        let items = self
            .campaigns
            .products(parsed)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(Json(ProductList {
            items,
            next_cursor: None,
        }))
    }
}

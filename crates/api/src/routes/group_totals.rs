//! `GET /groups/{id}/totals`: one group's money with its breakdowns, against the previous
//! campaign on the same day, for the group's own volunteers as much as for staff.

use campaign_domain::policy::Action;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::totals::{Dimension, TotalRow, TotalsRepo, TotalsScope};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::campaign_choice::Chosen;
use super::groups::visible_group;
use super::totals::TotalItem;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

/// One group's totals in a campaign.
#[derive(Debug, Object)]
pub struct GroupTotals {
    pub group_id: Uuid,
    pub group_name: String,
    pub campaign_year: i32,
    /// The campaign before this one (`null` without one).
    #[oai(nullable)]
    pub previous_campaign_year: Option<i32>,
    pub raised_cents: i64,
    pub entries: i64,
    /// What this group raised in the previous campaign up to the same day of its campaign as
    /// today is of this one (day 1 with day 1, as pacing aligns them; a campaign that is over
    /// compares whole). `null` without a previous campaign.
    #[oai(nullable)]
    pub raised_cents_last_year_same_day: Option<i64>,
    /// By kind of entry (`sale`, `activity_income`, `donation`, `correction`), largest first.
    pub by_kind: Vec<TotalItem>,
    /// By product (key `""`: entries without a product), largest first.
    pub by_product: Vec<TotalItem>,
    /// By payment method, largest first.
    pub by_payment_method: Vec<TotalItem>,
    /// By Belgian calendar day (key `YYYY-MM-DD`), in date order; days without entries are left out.
    pub by_day: Vec<TotalItem>,
}

fn items(rows: Vec<TotalRow>) -> Vec<TotalItem> {
    rows.into_iter().map(TotalItem::from).collect()
}

pub struct GroupTotalsApi {
    pub groups: GroupRepo,
    pub campaigns: CampaignRepo,
    pub totals: TotalsRepo,
}

#[OpenApi(tag = "ApiTags::Totals")]
impl GroupTotalsApi {
    /// A group's totals
    ///
    /// The money one group raised in a campaign, by kind, product, payment method and day, and
    /// what it had raised in the previous campaign by the same day. Staff, the group's
    /// volunteers and the contacts of its municipality; 404 for anyone else. Without
    /// `campaign_year`, the current campaign (the one under way, else the next, else the last).
    #[oai(path = "/groups/:id/totals", method = "get", operation_id = "get_group_totals")]
    async fn group_totals(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// The campaign, 2000 to 2100 (default: the current campaign).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        campaign_year: Query<Option<i64>>,
    ) -> Result<Json<GroupTotals>, ApiError> {
        let group = visible_group(&self.groups, &auth.0, id.0, Action::Read, "").await?;
        let chosen = Chosen::read(&self.campaigns, campaign_year.0, "campaign_year").await?;
        let year = chosen.campaign.year;
        let scope = TotalsScope {
            municipality: None,
            group: Some(group.id),
        };
        let summary = self.totals.summary(year, scope).await?;
        let by_kind = self.totals.by(year, Dimension::Kind, scope).await?;
        let by_product = self.totals.by(year, Dimension::Product, scope).await?;
        let by_payment_method = self.totals.by(year, Dimension::PaymentMethod, scope).await?;
        let by_day = self.totals.group_days(year, group.id).await?;
        Ok(Json(GroupTotals {
            group_id: group.id.as_uuid(),
            group_name: group.name,
            campaign_year: year,
            previous_campaign_year: chosen.previous_year(),
            raised_cents: summary.raised_cents,
            entries: summary.entries,
            raised_cents_last_year_same_day: chosen.last_year_same_day(&self.totals, scope).await?,
            by_kind: items(by_kind),
            by_product: items(by_product),
            by_payment_method: items(by_payment_method),
            by_day: items(by_day),
        }))
    }
}

//! Which campaign a reading is about (the one asked for, else the current one), the campaign
//! before it, and what was raised in that one by the same day of its campaign.

use campaign_domain::campaign::{CampaignPlan, current_campaign, same_day_in_previous};
use campaign_domain::ledger::local_date;
use campaign_persistence::campaigns::{Campaign, CampaignRepo};
use campaign_persistence::totals::{TotalsRepo, TotalsScope};
use chrono::Utc;

use crate::problem::ApiError;

/// A campaign and the one before it (the latest of an earlier year), if any.
pub struct Chosen {
    pub campaign: Campaign,
    pub previous: Option<Campaign>,
}

impl Chosen {
    /// The campaign of `year`, or without one the current campaign (the one under way on the
    /// Belgian calendar, else the next, else the last). `field` names the parameter in a 400.
    pub async fn read(campaigns: &CampaignRepo, year: Option<i64>, field: &str) -> Result<Self, ApiError> {
        if let Some(y) = year
            && !(2000..=2100).contains(&y)
        {
            return Err(ApiError::invalid_field(
                field,
                format!("{y} is not a campaign year: give a year from 2000 to 2100"),
            ));
        }
        let all = campaigns.list().await?;
        let year = match year {
            Some(y) => y as i32,
            None => {
                let plans: Vec<(i32, CampaignPlan)> = all.iter().map(|c| (c.year, c.plan)).collect();
                current_campaign(&plans, local_date(Utc::now())).ok_or_else(|| {
                    ApiError::not_found("there is no campaign yet; staff create one with POST /api/v1/campaigns")
                })?
            }
        };
        let campaign = all
            .iter()
            .find(|c| c.year == year)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("there is no {year} campaign")))?;
        let previous = all.iter().filter(|c| c.year < year).max_by_key(|c| c.year).cloned();
        Ok(Self { campaign, previous })
    }

    pub fn previous_year(&self) -> Option<i32> {
        self.previous.as_ref().map(|p| p.year)
    }

    /// What `scope` raised in the previous campaign up to the same day of its campaign as today
    /// is of this one (day 1 with day 1, as pacing aligns them); `None` without a previous
    /// campaign.
    pub async fn last_year_same_day(&self, totals: &TotalsRepo, scope: TotalsScope) -> Result<Option<i64>, ApiError> {
        let Some(previous) = &self.previous else {
            return Ok(None);
        };
        let last_day = same_day_in_previous(&self.campaign.plan, &previous.plan, local_date(Utc::now()));
        Ok(Some(totals.raised_until(previous.year, scope, last_day).await?))
    }
}

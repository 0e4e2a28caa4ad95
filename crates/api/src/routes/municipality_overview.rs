//! `GET /municipalities/{nis}/overview`: a municipality at a glance for its contacts and staff —
//! its groups, upcoming activities, money against the previous campaign, material requests.
//! One object of named sections, so later sections (engagements, inquiries) are added fields.

use campaign_domain::material::RequestStatus;
use campaign_domain::municipality::NisCode;
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::activities::{Activity, ActivityFilter, ActivityRepo};
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::engagements::EngagementRepo;
use campaign_persistence::groups::{GroupFilter, GroupRepo};
use campaign_persistence::inquiries::InquiryRepo;
use campaign_persistence::materials::MaterialRepo;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::questions::QuestionRepo;
use campaign_persistence::totals::{TotalsRepo, TotalsScope};
use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::activities::{KindName, StatusName};
use super::campaign_choice::Chosen;
use super::context::allow;
use super::engagements::EngagementOut;
use super::materials::MaterialRequestOut;
use super::municipalities::ProvinceName;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

/// The most upcoming activities and latest requests an overview lists.
pub const OVERVIEW_LIST_MAX: u64 = 20;
/// The most groups an overview lists (far more than any municipality has).
pub const OVERVIEW_GROUPS_MAX: u64 = 500;

/// The municipality itself.
#[derive(Debug, Object)]
pub struct OverviewMunicipality {
    pub nis_code: String,
    pub name_nl: String,
    /// Official French name (Brussels municipalities only).
    #[oai(nullable)]
    pub name_fr: Option<String>,
    pub province: ProvinceName,
}

/// A volunteer group at home in the municipality.
#[derive(Debug, Object)]
pub struct OverviewGroup {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
}

/// An upcoming activity in the municipality.
#[derive(Debug, Object)]
pub struct OverviewActivity {
    pub id: Uuid,
    pub group_id: Uuid,
    pub title: String,
    pub kind: KindName,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: StatusName,
    pub public: bool,
    /// The address of its place, if one was given.
    #[oai(nullable)]
    pub address: Option<String>,
}

impl From<Activity> for OverviewActivity {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id,
            group_id: a.group.as_uuid(),
            title: a.details.title,
            kind: a.details.kind.into(),
            starts_at: a.details.starts_at,
            ends_at: a.details.ends_at,
            status: a.status.into(),
            public: a.details.public,
            address: a.place.and_then(|p| p.address),
        }
    }
}

/// How many of the municipality's material requests are in each state.
#[derive(Debug, Default, Object)]
pub struct RequestsByStatus {
    pub submitted: i64,
    pub approved: i64,
    pub rejected: i64,
    pub shipped: i64,
    pub delivered: i64,
    pub returned: i64,
    pub cancelled: i64,
}

impl RequestsByStatus {
    fn from_counts(counts: &[(RequestStatus, i64)]) -> Self {
        let mut out = Self::default();
        for (status, n) in counts {
            let slot = match status {
                RequestStatus::Submitted => &mut out.submitted,
                RequestStatus::Approved => &mut out.approved,
                RequestStatus::Rejected => &mut out.rejected,
                RequestStatus::Shipped => &mut out.shipped,
                RequestStatus::Delivered => &mut out.delivered,
                RequestStatus::Returned => &mut out.returned,
                RequestStatus::Cancelled => &mut out.cancelled,
            };
            *slot += n;
        }
        out
    }
}

/// A municipality at a glance.
#[derive(Debug, Object)]
pub struct MunicipalityOverview {
    pub municipality: OverviewMunicipality,
    pub campaign_year: i32,
    /// The campaign before this one (`null` without one).
    #[oai(nullable)]
    pub previous_campaign_year: Option<i32>,
    /// Raised in this campaign by entries booked in the municipality.
    pub raised_cents: i64,
    pub entries: i64,
    /// Raised in the municipality in the previous campaign up to the same day of its campaign
    /// as today is of this one (day 1 with day 1, as pacing aligns them). `null` without a
    /// previous campaign.
    #[oai(nullable)]
    pub raised_cents_last_year_same_day: Option<i64>,
    /// The groups at home there (inactive ones too), by name.
    pub groups: Vec<OverviewGroup>,
    /// Activities there that are not cancelled and end now or later, soonest first, at most 20
    /// (whatever their campaign).
    pub upcoming_activities: Vec<OverviewActivity>,
    /// The municipality's material requests per state, every state listed (zeros included).
    pub requests_by_status: RequestsByStatus,
    /// The municipality's latest material requests, newest first, at most 20 (the whole list:
    /// `GET /material-requests?municipality_nis=`).
    pub requests: Vec<MaterialRequestOut>,
    /// Its engagement in every programme (`not_engaged` where it never moved), in programme
    /// code order; the history is at `GET /municipalities/{nis}/engagements/{programme}`.
    pub engagements: Vec<EngagementOut>,
    /// Its questions to 11.11.11 that are not closed (open or answered): `GET /questions`.
    pub open_questions: u64,
    /// Its inquiries about member organisations' offers that still wait for something (sent,
    /// answered or agreed): `GET /inquiries`.
    pub open_inquiries: u64,
}

pub struct MunicipalityOverviewApi {
    pub municipalities: MunicipalityRepo,
    pub campaigns: CampaignRepo,
    pub totals: TotalsRepo,
    pub groups: GroupRepo,
    pub activities: ActivityRepo,
    pub materials: MaterialRepo,
    pub engagements: EngagementRepo,
    pub questions: QuestionRepo,
    pub inquiries: InquiryRepo,
}

#[OpenApi(tag = "ApiTags::Municipalities")]
impl MunicipalityOverviewApi {
    /// A municipality at a glance
    ///
    /// Its groups, upcoming activities, money raised in a campaign against the previous
    /// campaign on the same day, its material requests, its engagement programmes, its open questions and inquiries.
    /// Staff and the municipality's contacts; 404 for anyone else (volunteers included). Without `campaign_year`, the current
    /// campaign (the one under way, else the next, else the last).
    #[oai(
        path = "/municipalities/:nis/overview",
        method = "get",
        operation_id = "get_municipality_overview"
    )]
    async fn overview(
        &self,
        auth: BearerAuth,
        /// NIS code, 5 digits, e.g. 44021 for Gent.
        nis: Path<String>,
        /// The campaign, 2000 to 2100 (default: the current campaign).
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        campaign_year: Query<Option<i64>>,
    ) -> Result<Json<MunicipalityOverview>, ApiError> {
        let code = NisCode::parse_field("nis", &nis.0)?;
        let missing = || format!("there is no municipality {code} of yours");
        let _grant = allow(&auth.0, Action::Read, Scope::Municipality(code), missing, "")?;
        let listing = self.municipalities.get(code).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "there is no municipality with NIS code {code} in Flanders or Brussels"
            ))
        })?;
        let chosen = Chosen::read(&self.campaigns, campaign_year.0, "campaign_year").await?;
        let scope = TotalsScope {
            municipality: Some(code),
            group: None,
        };
        // Independent reads: on PostgreSQL they run on several pooled connections at once.
        let group_filter = GroupFilter {
            municipality: Some(code),
            ..GroupFilter::default()
        };
        let activity_filter = ActivityFilter {
            municipality: Some(code),
            not_cancelled: true,
            from: Some(Utc::now()),
            ..ActivityFilter::default()
        };
        let (summary, last_year, groups, upcoming, counts, requests) = tokio::try_join!(
            async { Ok::<_, ApiError>(self.totals.summary(chosen.campaign.year, scope).await?) },
            chosen.last_year_same_day(&self.totals, scope),
            async { Ok(self.groups.list(&group_filter, OVERVIEW_GROUPS_MAX).await?) },
            async { Ok(self.activities.list(&activity_filter, OVERVIEW_LIST_MAX).await?) },
            async { Ok(self.materials.count_by_status(code).await?) },
            async { Ok(self.materials.latest_requests(code, OVERVIEW_LIST_MAX).await?) },
        )?;
        let (engagements, open_questions, open_inquiries) = tokio::try_join!(
            async { Ok::<_, ApiError>(self.engagements.for_municipality(code).await?) },
            async { Ok(self.questions.open_count(code).await?) },
            async { Ok(self.inquiries.open_count(code).await?) },
        )?;
        let municipality = listing.municipality;
        Ok(Json(MunicipalityOverview {
            municipality: OverviewMunicipality {
                nis_code: municipality.nis_code.to_string(),
                name_nl: municipality.name_nl,
                name_fr: municipality.name_fr,
                province: municipality.province.into(),
            },
            campaign_year: chosen.campaign.year,
            previous_campaign_year: chosen.previous_year(),
            raised_cents: summary.raised_cents,
            entries: summary.entries,
            raised_cents_last_year_same_day: last_year,
            groups: groups
                .into_iter()
                .map(|g| OverviewGroup {
                    id: g.id.as_uuid(),
                    name: g.name,
                    active: g.active,
                })
                .collect(),
            upcoming_activities: upcoming.into_iter().map(Into::into).collect(),
            requests_by_status: RequestsByStatus::from_counts(&counts),
            requests: requests.into_iter().map(Into::into).collect(),
            engagements: engagements.into_iter().map(Into::into).collect(),
            open_questions,
            open_inquiries,
        }))
    }
}

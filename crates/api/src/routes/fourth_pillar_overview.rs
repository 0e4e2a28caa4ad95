//! The 4th pillar at a glance for staff: referrals per municipality (and province), a call's
//! applications per state with the amounts requested and granted against its budget, and the
//! trainings' fill rates. Each part as JSON, or CSV when `Accept` prefers `text/csv`.

use std::collections::BTreeMap;
use std::sync::Arc;

use campaign_domain::fund::ApplicationStatus;
use campaign_domain::initiative::InitiativeStatus;
use campaign_persistence::fund::{ApplicationFilter, FundRepo};
use campaign_persistence::initiatives::InitiativeRepo;
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityRepo};
use campaign_persistence::trainings::TrainingRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::staff_only;
use super::fund::ApplicationStatusName;
use super::totals::attachment;
use crate::auth::{AuthState, BearerAuth};
use crate::http::Negotiated;
use crate::http::accept;
use crate::http::csv_table::{Cell, CsvTable};
use crate::problem::ApiError;

/// Why other roles are refused.
const STAFF_ONLY: &str = "the 4th pillar's overview is for 11.11.11 staff";

/// Referrals of one municipality, by what became of them.
#[derive(Debug, Object)]
pub struct ReferralCount {
    pub municipality_nis: String,
    pub name_nl: String,
    pub province: String,
    pub referrals: u32,
    /// Waiting for 11.11.11.
    pub referred: u32,
    pub known: u32,
    pub inactive: u32,
}

#[derive(Debug, Object)]
pub struct ReferralCounts {
    /// Per municipality with referrals, most first.
    pub by_municipality: Vec<ReferralCount>,
    /// Per province (all six, zeros included).
    pub by_province: Vec<ProvinceReferrals>,
}

#[derive(Debug, Object)]
pub struct ProvinceReferrals {
    pub province: String,
    pub referrals: u32,
}

/// A call's applications in one state.
#[derive(Debug, Object)]
pub struct ApplicationCount {
    pub status: ApplicationStatusName,
    pub applications: u32,
    pub requested_cents: i64,
    pub granted_cents: i64,
}

#[derive(Debug, Object)]
pub struct ApplicationCounts {
    pub call_year: i32,
    pub budget_cents: i64,
    pub granted_cents: i64,
    pub remaining_cents: i64,
    /// Every state, zeros included.
    pub by_status: Vec<ApplicationCount>,
}

/// A session's seats.
#[derive(Debug, Object)]
pub struct SessionFill {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: u32,
    pub registered: u32,
    pub waitlisted: u32,
    /// Registered seats out of the capacity, in percent (rounded down).
    pub fill_rate_percent: u32,
}

#[derive(Debug, Object)]
pub struct SessionFills {
    pub items: Vec<SessionFill>,
}

macro_rules! negotiated {
    ($name:ident, $json:ty, $doc:literal) => {
        #[derive(ApiResponse)]
        pub enum $name {
            #[doc = $doc]
            #[oai(status = 200)]
            Json(Json<$json>),
            /// The same as CSV.
            #[oai(status = 200, content_type = "text/csv")]
            Csv(
                PlainText<String>,
                /// CSV only: an attachment's file name.
                #[oai(header = "Content-Disposition")]
                Option<String>,
            ),
        }
    };
}

negotiated!(
    ReferralsResponse,
    ReferralCounts,
    "Referrals per municipality and province; CSV (`municipality_nis,name_nl,province,referrals,referred,known,inactive`) when `Accept` prefers `text/csv`."
);
negotiated!(
    ApplicationsResponse,
    ApplicationCounts,
    "A call's applications per state; CSV (`status,applications,requested_cents,granted_cents`) when `Accept` prefers `text/csv`."
);
negotiated!(
    SessionsResponse,
    SessionFills,
    "Trainings with their fill rates; CSV (`id,title,starts_at,capacity,registered,waitlisted,fill_rate_percent`) when `Accept` prefers `text/csv`."
);

pub struct FourthPillarOverviewApi {
    pub initiatives: InitiativeRepo,
    pub municipalities: MunicipalityRepo,
    pub fund: FundRepo,
    pub trainings: TrainingRepo,
    pub auth: Arc<AuthState>,
}

fn wants_csv(req: &Request) -> bool {
    accept::preferred(req, &[accept::JSON, accept::CSV]) == accept::CSV
}

#[OpenApi(tag = "ApiTags::FourthPillar")]
impl FourthPillarOverviewApi {
    /// Referrals per municipality and province
    ///
    /// Staff only.
    #[oai(
        path = "/fourth-pillar/referrals",
        method = "get",
        operation_id = "fourth_pillar_referrals"
    )]
    async fn referrals(&self, auth: BearerAuth, req: &Request) -> Result<Negotiated<ReferralsResponse>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let names: BTreeMap<String, (String, String)> = self
            .municipalities
            .list(&MunicipalityFilter::default(), 1000)
            .await?
            .into_iter()
            .map(|m| {
                (
                    m.municipality.nis_code.to_string(),
                    (m.municipality.name_nl, m.municipality.province.name().to_owned()),
                )
            })
            .collect();
        let mut per: BTreeMap<String, ReferralCount> = BTreeMap::new();
        for r in self.initiatives.referrals(None).await? {
            let nis = r.municipality.to_string();
            let (name, province) = names.get(&nis).cloned().unwrap_or_default();
            let row = per.entry(nis.clone()).or_insert(ReferralCount {
                municipality_nis: nis,
                name_nl: name,
                province,
                referrals: 0,
                referred: 0,
                known: 0,
                inactive: 0,
            });
            row.referrals += 1;
            match r.initiative_status {
                InitiativeStatus::Referred => row.referred += 1,
                InitiativeStatus::Known => row.known += 1,
                InitiativeStatus::Inactive => row.inactive += 1,
            }
        }
        let mut by_municipality: Vec<ReferralCount> = per.into_values().collect();
        by_municipality.sort_by(|a, b| {
            b.referrals
                .cmp(&a.referrals)
                .then(a.municipality_nis.cmp(&b.municipality_nis))
        });
        if wants_csv(req) {
            let mut csv = CsvTable::new(&[
                "municipality_nis",
                "name_nl",
                "province",
                "referrals",
                "referred",
                "known",
                "inactive",
            ])?;
            for r in &by_municipality {
                csv.row(&[
                    Cell::Text(&r.municipality_nis),
                    Cell::Text(&r.name_nl),
                    Cell::Text(&r.province),
                    Cell::Number(i64::from(r.referrals)),
                    Cell::Number(i64::from(r.referred)),
                    Cell::Number(i64::from(r.known)),
                    Cell::Number(i64::from(r.inactive)),
                ])?;
            }
            return Ok(Negotiated(ReferralsResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment("referrals.csv")),
            )));
        }
        let by_province = campaign_domain::municipality::Province::ALL
            .iter()
            .map(|p| ProvinceReferrals {
                province: p.name().to_owned(),
                referrals: by_municipality
                    .iter()
                    .filter(|r| r.province == p.name())
                    .map(|r| r.referrals)
                    .sum(),
            })
            .collect();
        Ok(Negotiated(ReferralsResponse::Json(Json(ReferralCounts {
            by_municipality,
            by_province,
        }))))
    }

    /// A call's applications per state
    ///
    /// Staff only: how many applications are in each state, what they request and what is
    /// granted, against the call's budget. Without `call_year`, the newest call.
    #[oai(
        path = "/fourth-pillar/applications",
        method = "get",
        operation_id = "fourth_pillar_applications"
    )]
    async fn applications(
        &self,
        auth: BearerAuth,
        req: &Request,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] call_year: Query<Option<i32>>,
    ) -> Result<Negotiated<ApplicationsResponse>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let call = match call_year.0 {
            Some(year) => self.fund.call(year).await?,
            None => self.fund.calls().await?.into_iter().next(),
        }
        .ok_or_else(|| ApiError::not_found("there is no such fund call; GET /api/v1/fund-calls lists them"))?;
        let all = self
            .fund
            .list(&ApplicationFilter {
                call_year: Some(call.terms.year),
                ..ApplicationFilter::default()
            })
            .await?;
        let by_status: Vec<ApplicationCount> = ApplicationStatus::ALL
            .into_iter()
            .map(|status| {
                let these: Vec<_> = all.iter().filter(|a| a.status == status).collect();
                ApplicationCount {
                    status: status.into(),
                    applications: u32::try_from(these.len()).unwrap_or(u32::MAX),
                    requested_cents: these.iter().map(|a| a.details.requested_cents).sum(),
                    granted_cents: these.iter().filter_map(|a| a.granted_cents).sum(),
                }
            })
            .collect();
        if wants_csv(req) {
            let mut csv = CsvTable::new(&["status", "applications", "requested_cents", "granted_cents"])?;
            for (status, row) in ApplicationStatus::ALL.into_iter().zip(&by_status) {
                csv.row(&[
                    Cell::Text(status.as_str()),
                    Cell::Number(i64::from(row.applications)),
                    Cell::Number(row.requested_cents),
                    Cell::Number(row.granted_cents),
                ])?;
            }
            return Ok(Negotiated(ApplicationsResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment(&format!("applications-{}.csv", call.terms.year))),
            )));
        }
        Ok(Negotiated(ApplicationsResponse::Json(Json(ApplicationCounts {
            call_year: call.terms.year,
            budget_cents: call.terms.budget_cents,
            granted_cents: call.granted_cents,
            remaining_cents: call.terms.budget_cents - call.granted_cents,
            by_status,
        }))))
    }

    /// Trainings with their fill rates
    ///
    /// Staff only: the sessions that have not ended, soonest first.
    #[oai(
        path = "/fourth-pillar/trainings",
        method = "get",
        operation_id = "fourth_pillar_trainings"
    )]
    async fn trainings(&self, auth: BearerAuth, req: &Request) -> Result<Negotiated<SessionsResponse>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let items: Vec<SessionFill> = self
            .trainings
            .upcoming(Utc::now())
            .await?
            .into_iter()
            .map(|s| SessionFill {
                id: s.id,
                title: s.details.title,
                starts_at: s.details.starts_at,
                capacity: s.details.capacity,
                registered: s.registered,
                waitlisted: s.waitlisted,
                fill_rate_percent: (s.registered.min(s.details.capacity) * 100)
                    .checked_div(s.details.capacity)
                    .unwrap_or(0),
            })
            .collect();
        if wants_csv(req) {
            let mut csv = CsvTable::new(&[
                "id",
                "title",
                "starts_at",
                "capacity",
                "registered",
                "waitlisted",
                "fill_rate_percent",
            ])?;
            for s in &items {
                let (id, starts) = (s.id.to_string(), s.starts_at.to_rfc3339());
                csv.row(&[
                    Cell::Text(&id),
                    Cell::Text(&s.title),
                    Cell::Text(&starts),
                    Cell::Number(i64::from(s.capacity)),
                    Cell::Number(i64::from(s.registered)),
                    Cell::Number(i64::from(s.waitlisted)),
                    Cell::Number(i64::from(s.fill_rate_percent)),
                ])?;
            }
            return Ok(Negotiated(SessionsResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment("trainings.csv")),
            )));
        }
        Ok(Negotiated(SessionsResponse::Json(Json(SessionFills { items }))))
    }
}

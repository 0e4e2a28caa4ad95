//! Cash handed in: a group records a deposit covering its cash of some days
//! (`POST /groups/{id}/deposits`), everyone in scope follows how it stands (`/deposits`), staff
//! close it (`POST /deposits/{id}/close`), and staff see the cash logged, deposited and
//! outstanding per group, municipality or province (`/campaigns/{year}/cash`).

use std::collections::BTreeMap;
use std::sync::Arc;

use campaign_domain::campaign::CampaignYear;
use campaign_domain::deposit::{DepositDetails, DepositStatus};
use campaign_domain::ids::GroupId;
use campaign_domain::ledger::local_date;
use campaign_domain::municipality::NisCode;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::deposits::{Deposit, DepositError, DepositFilter, DepositRepo};
use campaign_persistence::groups::{GroupFilter, GroupRepo};
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityRepo};
use chrono::{DateTime, NaiveDate, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::totals::attachment;
use crate::auth::{AuthState, BearerAuth};
use crate::http::Negotiated;
use crate::http::accept;
use crate::http::csv_table::{Cell, CsvTable};
use crate::problem::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DepositStatusName {
    /// Deposited what was logged in cash for the covered days.
    Matched,
    /// Less than logged.
    Short,
    /// More than logged.
    Over,
    /// Closed by staff; never changes again.
    Closed,
}

impl From<DepositStatus> for DepositStatusName {
    fn from(s: DepositStatus) -> Self {
        match s {
            DepositStatus::Matched => Self::Matched,
            DepositStatus::Short => Self::Short,
            DepositStatus::Over => Self::Over,
            DepositStatus::Closed => Self::Closed,
        }
    }
}

impl From<DepositStatusName> for DepositStatus {
    fn from(s: DepositStatusName) -> Self {
        match s {
            DepositStatusName::Matched => Self::Matched,
            DepositStatusName::Short => Self::Short,
            DepositStatusName::Over => Self::Over,
            DepositStatusName::Closed => Self::Closed,
        }
    }
}

#[derive(Debug, Object)]
pub struct DepositOut {
    pub id: Uuid,
    pub group_id: Uuid,
    pub municipality_nis: String,
    pub amount_cents: i64,
    pub deposited_on: NaiveDate,
    pub reference: String,
    /// The first covered day (Brussels calendar).
    pub covers_from: NaiveDate,
    /// The last covered day.
    pub covers_to: NaiveDate,
    /// The cash logged for the covered days: now, or when it was closed.
    pub expected_cents: i64,
    /// Deposited minus expected.
    pub difference_cents: i64,
    pub status: DepositStatusName,
    #[oai(nullable)]
    pub closed_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub closed_by: Option<Uuid>,
    #[oai(nullable)]
    pub close_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Deposit> for DepositOut {
    fn from(d: Deposit) -> Self {
        Self {
            id: d.id,
            group_id: d.group.as_uuid(),
            municipality_nis: d.municipality.to_string(),
            amount_cents: d.details.amount_cents,
            deposited_on: d.details.deposited_on,
            reference: d.details.reference,
            covers_from: d.details.covers_from,
            covers_to: d.details.covers_to,
            difference_cents: d.details.amount_cents - d.expected_cents,
            expected_cents: d.expected_cents,
            status: d.status.into(),
            closed_at: d.closed_at,
            closed_by: d.closed_by.map(|u| u.as_uuid()),
            close_reason: d.close_reason,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct DepositList {
    pub items: Vec<DepositOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct NewDeposit {
    /// 1 to 100000000 cents.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub amount_cents: i64,
    /// When it was deposited (not before `covers_to`, not in the future).
    pub deposited_on: NaiveDate,
    /// The bank reference, or e.g. "handed to staff".
    #[oai(validator(max_length = 100))]
    pub reference: String,
    pub covers_from: NaiveDate,
    pub covers_to: NaiveDate,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CloseDeposit {
    /// Needed unless the deposit matches.
    #[oai(validator(max_length = 2000))]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CashBy {
    Group,
    Municipality,
    Province,
}

#[derive(Debug, Object)]
pub struct CashRow {
    /// The group id, NIS code or province name.
    pub key: String,
    pub label: String,
    pub logged_cents: i64,
    pub deposited_cents: i64,
    /// Logged minus deposited.
    pub outstanding_cents: i64,
}

#[derive(Debug, Object)]
pub struct CashList {
    pub items: Vec<CashRow>,
}

#[derive(ApiResponse)]
pub enum DepositRecorded {
    /// The deposit is recorded, with how it stands.
    #[oai(status = 201)]
    Created(Json<DepositOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum CashResponse {
    /// Cash per group, municipality or province, most outstanding first; CSV
    /// (`key,label,logged_cents,deposited_cents,outstanding_cents`) when `Accept` prefers `text/csv`.
    #[oai(status = 200)]
    Json(Json<CashList>),
    /// The same as CSV.
    #[oai(status = 200, content_type = "text/csv")]
    Csv(
        PlainText<String>,
        /// CSV only: `attachment; filename="cash-<year>-by-<by>.csv"`.
        #[oai(header = "Content-Disposition")]
        Option<String>,
    ),
}

pub struct DepositsApi {
    pub deposits: DepositRepo,
    pub groups: GroupRepo,
    pub campaigns: CampaignRepo,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no deposit {id} of yours"))
}

impl DepositsApi {
    async fn visible(&self, auth: &BearerAuth, id: Uuid, action: Action, why: &str) -> Result<Deposit, ApiError> {
        let deposit = self.deposits.get(id).await?.ok_or_else(|| missing(id))?;
        let _grant = allow(
            &auth.0,
            action,
            Scope::Group {
                group: deposit.group,
                municipality: deposit.municipality,
            },
            || format!("there is no deposit {id} of yours"),
            why,
        )?;
        Ok(deposit)
    }
}

#[OpenApi(tag = "ApiTags::Money")]
impl DepositsApi {
    /// Record a deposit of cash
    ///
    /// Staff and the group's volunteers (404 for other groups; 403 for its municipality's
    /// contacts): the amount handed in, when, a bank reference (or "handed to staff"), and the
    /// days whose cash it covers (Brussels calendar). Its status is at once `matched`, `short`
    /// or `over` against the group's cash entries of those days. A day already covered by
    /// another deposit of the group is 409.
    #[oai(path = "/groups/:id/deposits", method = "post", operation_id = "record_deposit")]
    async fn record(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<NewDeposit>,
    ) -> Result<DepositRecorded, ApiError> {
        let group = self
            .groups
            .get(GroupId::from_uuid(id.0))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no group {} of yours", id.0)))?;
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Group {
                group: group.id,
                municipality: group.municipality,
            },
            || format!("there is no group {} of yours", id.0),
            "only staff and the group's volunteers record its deposits",
        )?;
        let b = &body.0;
        let details = DepositDetails::new(
            b.amount_cents,
            b.deposited_on,
            &b.reference,
            b.covers_from,
            b.covers_to,
            local_date(Utc::now()),
        )?;
        let recorded = self
            .deposits
            .record(
                group.id,
                details,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        let location = format!("/api/v1/deposits/{}", recorded.id);
        Ok(DepositRecorded::Created(Json(recorded.into()), location))
    }

    /// Deposits
    ///
    /// Newest first, each with how it stands now. Staff see all (filter by `status`,
    /// `group_id`, `municipality_nis`), a volunteer their group's, a contact their
    /// municipality's groups'. Other roles are refused (403).
    #[oai(path = "/deposits", method = "get", operation_id = "list_deposits")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<DepositStatusName>>,
        group_id: Query<Option<Uuid>>,
        #[oai(validator(pattern = "^[0-9]{5}$"))] municipality_nis: Query<Option<String>>,
    ) -> Result<Json<DepositList>, ApiError> {
        let mut filter = DepositFilter {
            status: status.0.map(Into::into),
            group: group_id.0.map(GroupId::from_uuid),
            municipality: municipality_nis
                .0
                .as_deref()
                .map(|m| NisCode::parse_field("municipality_nis", m))
                .transpose()?,
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::Volunteer { group } => {
                if filter.group.is_some_and(|g| g != group) {
                    return Ok(Json(DepositList { items: Vec::new() }));
                }
                filter.group = Some(group);
            }
            Membership::MunicipalContact { municipality } => {
                if filter.municipality.is_some_and(|m| m != municipality) {
                    return Ok(Json(DepositList { items: Vec::new() }));
                }
                filter.municipality = Some(municipality);
            }
            _ => {
                return Err(ApiError::forbidden(format!(
                    "deposits are for staff, volunteers and municipal contacts; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        Ok(Json(DepositList {
            items: self.deposits.list(&filter).await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// One deposit
    #[oai(path = "/deposits/:id", method = "get", operation_id = "get_deposit")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<DepositOut>, ApiError> {
        Ok(Json(self.visible(&auth, id.0, Action::Read, "").await?.into()))
    }

    /// Close a deposit
    ///
    /// Staff only: a reason is needed unless it matches (409 saying by how much it differs).
    /// The expected figure is kept as it is now; a closed deposit never changes (409).
    #[oai(path = "/deposits/:id/close", method = "post", operation_id = "close_deposit")]
    async fn close(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<CloseDeposit>,
    ) -> Result<Json<DepositOut>, ApiError> {
        self.visible(&auth, id.0, Action::Manage, "only 11.11.11 staff close deposits")
            .await?;
        let reason = body.0.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        let closed = self
            .deposits
            .close(
                id.0,
                reason,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await
            .map_err(|e| match e {
                DepositError::NotFound => missing(id.0),
                DepositError::Refused(e) => ApiError::conflict(e.to_string()),
                DepositError::Store(e) => e.into(),
            })?;
        Ok(Json(closed.into()))
    }

    /// Cash logged, deposited and outstanding
    ///
    /// Staff only, for a campaign: per `group` (default), `municipality` or `province`, most
    /// outstanding first. CSV when `Accept` prefers `text/csv`.
    #[oai(path = "/campaigns/:year/cash", method = "get", operation_id = "get_campaign_cash")]
    async fn cash(
        &self,
        auth: BearerAuth,
        req: &Request,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Path<i64>,
        by: Query<Option<CashBy>>,
    ) -> Result<Negotiated<CashResponse>, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "cash reconciliation is for 11.11.11 staff",
        )?;
        let year = CampaignYear::parse(year.0)?;
        let campaign = self
            .campaigns
            .get(year)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no campaign {}", year.get())))?;
        let by = by.0.unwrap_or(CashBy::Group);
        let per_group = self
            .deposits
            .cash_by_group(campaign.year, campaign.plan.starts_on, campaign.plan.ends_on)
            .await?;
        let groups: BTreeMap<GroupId, (String, NisCode)> = self
            .groups
            .list(&GroupFilter::default(), 100_000)
            .await?
            .into_iter()
            .map(|g| (g.id, (g.name, g.municipality)))
            .collect();
        let places: BTreeMap<NisCode, (String, String)> = self
            .municipalities
            .list(&MunicipalityFilter::default(), 1000)
            .await?
            .into_iter()
            .map(|m| {
                (
                    m.municipality.nis_code,
                    (m.municipality.name_nl, m.municipality.province.name().to_owned()),
                )
            })
            .collect();
        let mut rows: BTreeMap<String, CashRow> = BTreeMap::new();
        for (group, logged, deposited) in per_group {
            let Some((name, nis)) = groups.get(&group).cloned() else {
                continue;
            };
            let (place, province) = places.get(&nis).cloned().unwrap_or_default();
            let (key, label) = match by {
                CashBy::Group => (group.to_string(), name),
                CashBy::Municipality => (nis.to_string(), place),
                CashBy::Province => (province.clone(), province),
            };
            let row = rows.entry(key.clone()).or_insert(CashRow {
                key,
                label,
                logged_cents: 0,
                deposited_cents: 0,
                outstanding_cents: 0,
            });
            row.logged_cents += logged;
            row.deposited_cents += deposited;
            row.outstanding_cents = row.logged_cents - row.deposited_cents;
        }
        let mut items: Vec<CashRow> = rows.into_values().collect();
        items.sort_by(|a, b| b.outstanding_cents.cmp(&a.outstanding_cents).then(a.key.cmp(&b.key)));
        if accept::preferred(req, &[accept::JSON, accept::CSV]) == accept::CSV {
            let mut csv = CsvTable::new(&["key", "label", "logged_cents", "deposited_cents", "outstanding_cents"])?;
            for r in &items {
                csv.row(&[
                    Cell::Text(&r.key),
                    Cell::Text(&r.label),
                    Cell::Number(r.logged_cents),
                    Cell::Number(r.deposited_cents),
                    Cell::Number(r.outstanding_cents),
                ])?;
            }
            let by_name = match by {
                CashBy::Group => "group",
                CashBy::Municipality => "municipality",
                CashBy::Province => "province",
            };
            return Ok(Negotiated(CashResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment(&format!("cash-{}-by-{by_name}.csv", campaign.year))),
            )));
        }
        Ok(Negotiated(CashResponse::Json(Json(CashList { items }))))
    }
}

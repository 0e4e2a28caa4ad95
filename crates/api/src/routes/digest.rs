//! Staff's daily digest (`GET /digest`): what waits for them this morning. The same digest is
//! e-mailed at 08:00 Brussels when SMTP is set up (`crate::digest_mail`).

use std::collections::HashMap;
use std::sync::Arc;

use campaign_domain::campaign::{CampaignPlan, current_campaign};
use campaign_domain::deposit::DepositStatus;
use campaign_domain::digest::{DELIVERY_HORIZON_DAYS, cash_waited_too_long, return_due, waited_too_long};
use campaign_domain::ledger::{day_starts_at, local_date};
use campaign_domain::material::RequestStatus;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::question::QuestionStatus;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::deposits::{DepositFilter, DepositRepo};
use campaign_persistence::digest::DigestRepo;
use campaign_persistence::groups::{GroupFilter, GroupRepo};
use campaign_persistence::materials::{MaterialRepo, RequestFilter};
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityRepo};
use campaign_persistence::questions::{QuestionFilter, QuestionRepo};
use campaign_persistence::webhooks::WebhookRepo;
use campaign_persistence::{DatabaseConnection, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::allow;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

/// Items a list of the digest shows at most (its `total` counts them all).
const SHOWN: usize = 50;

/// A material request waiting for staff.
#[derive(Debug, Clone, Object)]
pub struct DigestRequest {
    pub id: Uuid,
    pub municipality_nis: String,
    pub municipality_name: String,
    pub needed_by: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// A lent material (the travelling exhibition) not back in time.
#[derive(Debug, Clone, Object)]
pub struct DigestReturn {
    pub request_id: Uuid,
    pub municipality_nis: String,
    pub municipality_name: String,
    pub materials: Vec<String>,
    /// Needed-by date plus the loan period (21 days).
    pub due_back: NaiveDate,
}

#[derive(Debug, Clone, Object)]
pub struct DigestGroup {
    pub group_id: Uuid,
    pub name: String,
    pub municipality_nis: String,
    pub municipality_name: String,
    /// When it last logged an entry of the campaign; `null`: never.
    #[oai(nullable)]
    pub last_logged: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Object)]
pub struct QuietGroups {
    /// Groups that logged nothing of the campaign since this day (Brussels calendar).
    pub since: NaiveDate,
    pub total: i64,
    /// The longest quiet first, at most 50.
    pub items: Vec<DigestGroup>,
}

#[derive(Debug, Clone, Object)]
pub struct DigestCash {
    pub group_id: Uuid,
    pub name: String,
    pub municipality_nis: String,
    /// Cash logged minus cash deposited, over the campaign.
    pub outstanding_cents: i64,
    /// The first day whose cash is not covered by a deposit.
    pub waiting_since: NaiveDate,
}

#[derive(Debug, Clone, Object)]
pub struct CashWaitingList {
    /// Cash waiting more than this many days is listed.
    pub older_than_days: i64,
    pub total: i64,
    pub total_cents: i64,
    /// The longest waiting first, at most 50.
    pub items: Vec<DigestCash>,
}

#[derive(Debug, Clone, Object)]
pub struct OpenDeposits {
    pub short: i64,
    pub over: i64,
    pub matched: i64,
}

#[derive(Debug, Clone, Object)]
pub struct DigestQuestion {
    pub id: Uuid,
    pub subject: String,
    #[oai(nullable)]
    pub municipality_nis: Option<String>,
    /// Since when it waits for an answer.
    pub waiting_since: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct DigestWebhook {
    pub id: Uuid,
    pub url: String,
    #[oai(nullable)]
    pub disabled_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub reason: Option<String>,
}

/// What waits for staff today.
#[derive(Debug, Clone, Object)]
pub struct DigestOut {
    /// Today (Brussels calendar).
    pub date: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// The campaign the groups and cash are about; `null` before the first campaign.
    #[oai(nullable)]
    pub campaign_year: Option<i32>,
    /// Submitted requests waiting for approval, oldest needed-by first.
    pub requests_waiting: Vec<DigestRequest>,
    /// Approved requests needed within 3 days (or overdue) and not yet shipped.
    pub deliveries_due: Vec<DigestRequest>,
    /// Delivered lent materials whose loan (needed-by + 21 days) has run out.
    pub returns_overdue: Vec<DigestReturn>,
    pub quiet_groups: QuietGroups,
    pub cash_waiting: CashWaitingList,
    /// Deposits not closed yet, by how they stand.
    pub open_deposits: OpenDeposits,
    /// Open questions waiting for an answer more than 2 working days (Belgian calendar).
    pub unanswered_questions: Vec<DigestQuestion>,
    /// Webhook endpoints disabled after failing for 5 days.
    pub disabled_webhooks: Vec<DigestWebhook>,
    /// When today's digest was e-mailed; `null` when not (yet, or without SMTP).
    #[oai(nullable)]
    pub mailed_at: Option<DateTime<Utc>>,
}

/// What the digest is asked to cover.
#[derive(Debug, Clone, Copy)]
pub struct DigestAsk {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub quiet_since: NaiveDate,
    pub cash_older_than_days: i64,
}

impl DigestAsk {
    /// The defaults of the e-mailed digest: quiet for a week, cash waiting more than a week.
    pub fn at(now: DateTime<Utc>) -> Self {
        let today = local_date(now);
        Self {
            today,
            now,
            quiet_since: today - Duration::days(7),
            cash_older_than_days: 7,
        }
    }
}

/// Gathers the digest from the repositories.
pub async fn compose(db: &DatabaseConnection, ask: DigestAsk) -> Result<DigestOut, StoreError> {
    let names: HashMap<String, String> = MunicipalityRepo::new(db.clone())
        .list(&MunicipalityFilter::default(), 1000)
        .await?
        .into_iter()
        .map(|m| (m.municipality.nis_code.to_string(), m.municipality.name_nl))
        .collect();
    let name_of = |nis: &str| names.get(nis).cloned().unwrap_or_default();
    let materials = MaterialRepo::new(db.clone());
    let requests = |status| {
        let filter = RequestFilter {
            status: Some(status),
            ..RequestFilter::default()
        };
        let materials = materials.clone();
        async move { materials.list_requests(&filter, 1000).await }
    };
    let (submitted, approved, delivered, catalogue) = tokio::try_join!(
        requests(RequestStatus::Submitted),
        requests(RequestStatus::Approved),
        requests(RequestStatus::Delivered),
        materials.list(),
    )?;
    let request_out = |r: &campaign_persistence::materials::MaterialRequest| DigestRequest {
        id: r.id,
        municipality_nis: r.municipality.to_string(),
        municipality_name: name_of(&r.municipality.to_string()),
        needed_by: r.needed_by,
        created_at: r.created_at,
    };
    let lent: Vec<&str> = catalogue.iter().filter(|m| m.lent).map(|m| m.code.as_str()).collect();
    let returns_overdue = delivered
        .iter()
        .filter(|r| return_due(r.needed_by) < ask.today)
        .filter_map(|r| {
            let materials: Vec<String> = r
                .lines
                .iter()
                .filter(|l| lent.contains(&l.material_code.as_str()))
                .map(|l| l.material_code.clone())
                .collect();
            (!materials.is_empty()).then(|| DigestReturn {
                request_id: r.id,
                municipality_nis: r.municipality.to_string(),
                municipality_name: name_of(&r.municipality.to_string()),
                materials,
                due_back: return_due(r.needed_by),
            })
        })
        .collect();

    let campaigns = CampaignRepo::new(db.clone()).list().await?;
    let plans: Vec<(i32, CampaignPlan)> = campaigns.iter().map(|c| (c.year, c.plan)).collect();
    let campaign = current_campaign(&plans, ask.today).and_then(|year| plans.iter().find(|(y, _)| *y == year).copied());
    let digest = DigestRepo::new(db.clone());
    let groups = GroupRepo::new(db.clone());
    let mut quiet_groups = QuietGroups {
        since: ask.quiet_since,
        total: 0,
        items: Vec::new(),
    };
    let mut cash_waiting = CashWaitingList {
        older_than_days: ask.cash_older_than_days,
        total: 0,
        total_cents: 0,
        items: Vec::new(),
    };
    if let Some((year, plan)) = campaign
        && plan.starts_on <= ask.today
    {
        let quiet = digest.quiet_groups(year, day_starts_at(ask.quiet_since)).await?;
        quiet_groups.total = quiet.len() as i64;
        quiet_groups.items = quiet
            .into_iter()
            .take(SHOWN)
            .map(|g| DigestGroup {
                group_id: g.group.as_uuid(),
                municipality_name: name_of(&g.municipality.to_string()),
                municipality_nis: g.municipality.to_string(),
                name: g.name,
                last_logged: g.last_logged,
            })
            .collect();
        let deposits = DepositRepo::new(db.clone());
        let every_group = GroupFilter::default();
        let (cash, waiting, all_groups) = tokio::try_join!(
            deposits.cash_by_group(year, plan.starts_on, plan.ends_on),
            digest.cash_waiting(year, plan.starts_on, plan.ends_on),
            groups.list(&every_group, 100_000),
        )?;
        let group_names: HashMap<_, _> = all_groups
            .into_iter()
            .map(|g| (g.id, (g.name, g.municipality)))
            .collect();
        let mut items: Vec<DigestCash> = cash
            .into_iter()
            .filter(|(_, logged, deposited)| logged - deposited > 0)
            .filter_map(|(group, logged, deposited)| {
                let w = waiting.get(&group).copied().unwrap_or_default();
                let since = match w.covered_to {
                    Some(to) => to.succ_opt()?,
                    None => local_date(w.first_cash_at?),
                };
                if !cash_waited_too_long(since, ask.today, ask.cash_older_than_days) {
                    return None;
                }
                let (name, nis) = group_names.get(&group)?.clone();
                Some(DigestCash {
                    group_id: group.as_uuid(),
                    name,
                    municipality_nis: nis.to_string(),
                    outstanding_cents: logged - deposited,
                    waiting_since: since,
                })
            })
            .collect();
        items.sort_by(|a, b| {
            a.waiting_since
                .cmp(&b.waiting_since)
                .then(b.outstanding_cents.cmp(&a.outstanding_cents))
        });
        cash_waiting.total = items.len() as i64;
        cash_waiting.total_cents = items.iter().map(|c| c.outstanding_cents).sum();
        items.truncate(SHOWN);
        cash_waiting.items = items;
    }

    let deposits = DepositRepo::new(db.clone()).list(&DepositFilter::default()).await?;
    let count = |status| deposits.iter().filter(|d| d.status == status).count() as i64;
    let open_deposits = OpenDeposits {
        short: count(DepositStatus::Short),
        over: count(DepositStatus::Over),
        matched: count(DepositStatus::Matched),
    };
    let open = QuestionFilter {
        status: Some(QuestionStatus::Open),
        ..QuestionFilter::default()
    };
    let unanswered_questions = QuestionRepo::new(db.clone())
        .list(&open, 1000)
        .await?
        .into_iter()
        .filter(|q| waited_too_long(q.updated_at, ask.now))
        .map(|q| DigestQuestion {
            id: q.id,
            subject: q.subject,
            municipality_nis: q.municipality.map(|m| m.to_string()),
            waiting_since: q.updated_at,
        })
        .collect();
    let disabled_webhooks = WebhookRepo::new(db.clone())
        .list()
        .await?
        .into_iter()
        .filter(|e| {
            !e.enabled && e.failing_since.is_some() && e.disabled_reason.as_deref() != Some("disabled by staff")
        })
        .map(|e| DigestWebhook {
            id: e.id,
            url: e.url,
            disabled_at: e.disabled_at,
            reason: e.disabled_reason,
        })
        .collect();
    let horizon = ask.today + Duration::days(DELIVERY_HORIZON_DAYS);
    Ok(DigestOut {
        date: ask.today,
        generated_at: ask.now,
        campaign_year: campaign.map(|(y, _)| y),
        requests_waiting: submitted.iter().map(request_out).collect(),
        deliveries_due: approved
            .iter()
            .filter(|r| r.needed_by <= horizon)
            .map(request_out)
            .collect(),
        returns_overdue,
        quiet_groups,
        cash_waiting,
        open_deposits,
        unanswered_questions,
        disabled_webhooks,
        mailed_at: digest.sent_at(ask.today).await?,
    })
}

pub struct DigestApi {
    pub db: DatabaseConnection,
    pub auth: Arc<crate::auth::AuthState>,
}

#[OpenApi(tag = "ApiTags::Digest")]
impl DigestApi {
    /// Today's digest
    ///
    /// Staff only: material requests waiting for approval, deliveries due within 3 days,
    /// lent materials not back 21 days after their needed-by date, active groups that logged
    /// nothing of the current campaign since `no_entry_since` (default: a week ago), groups
    /// whose cash has waited more than `cash_older_than_days` (default 7) to be handed in, open
    /// deposits, questions waiting more than 2 working days (Belgian calendar), and webhook
    /// endpoints disabled after failing. The same digest is e-mailed to staff at 08:00
    /// (Brussels) when SMTP is set up.
    #[oai(path = "/digest", method = "get", operation_id = "get_digest")]
    async fn get(
        &self,
        auth: BearerAuth,
        /// Groups with no entry logged since this day are listed (default: 7 days ago).
        no_entry_since: Query<Option<NaiveDate>>,
        /// Cash waiting longer than this many days is listed, 1 to 60 (default 7).
        #[oai(validator(minimum(value = "1"), maximum(value = "60")))]
        cash_older_than_days: Query<Option<i64>>,
    ) -> Result<Json<DigestOut>, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Read,
            Scope::Administration,
            String::new,
            "the digest is for 11.11.11 staff",
        )?;
        let mut ask = DigestAsk::at(Utc::now());
        if let Some(since) = no_entry_since.0 {
            ask.quiet_since = since;
        }
        if let Some(days) = cash_older_than_days.0 {
            ask.cash_older_than_days = days;
        }
        Ok(Json(compose(&self.db, ask).await?))
    }
}

//! 4th-pillar citizen initiatives and municipalities' referrals of them. A referral creates the
//! initiative (`referred`) and the referral together; staff take it on (`known`) or close it.

use campaign_domain::ids::{InitiativeId, UserId};
use campaign_domain::initiative::{BudgetBand, InitiativeStatus, Profile, StatusRefused, Support, move_to};
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Email;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{initiative, referral};
use crate::idempotency::{Claim, Created, IdempotencyKey, claim_or_answer, complete};
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiative {
    pub id: InitiativeId,
    pub profile: Profile,
    pub status: InitiativeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A referral as the referring municipality sees it: what it asked for and what became of the
/// initiative (its name and status, none of its private data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: Uuid,
    pub initiative: InitiativeId,
    pub initiative_name: String,
    pub initiative_status: InitiativeStatus,
    pub municipality: NisCode,
    pub referred_by: Option<UserId>,
    pub support: Vec<Support>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct InitiativeFilter {
    pub municipality: Option<NisCode>,
    pub status: Option<InitiativeStatus>,
    /// Only this one (an initiative's own account).
    pub only: Option<InitiativeId>,
    /// The (name, id) of the last initiative of the previous page.
    pub after: Option<(String, Uuid)>,
}

#[derive(Debug)]
pub enum InitiativeError {
    NotFound,
    Refused(StatusRefused),
    Store(StoreError),
}

crate::error::store_error_conversions!(InitiativeError);

#[derive(Clone)]
pub struct InitiativeRepo {
    db: DatabaseConnection,
}

impl InitiativeRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn get(&self, id: InitiativeId) -> Result<Option<Initiative>, StoreError> {
        initiative::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(to_initiative)
            .transpose()
    }

    /// Initiatives in name order, at most `limit`.
    pub async fn list(&self, filter: &InitiativeFilter, limit: u64) -> Result<Vec<Initiative>, StoreError> {
        let mut query = initiative::Entity::find()
            .order_by_asc(initiative::Column::Name)
            .order_by_asc(initiative::Column::Id);
        if let Some(nis) = filter.municipality {
            query = query.filter(initiative::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(status) = filter.status {
            query = query.filter(initiative::Column::Status.eq(status.as_str()));
        }
        if let Some(only) = filter.only {
            query = query.filter(initiative::Column::Id.eq(only.as_uuid()));
        }
        if let Some((name, id)) = &filter.after {
            query = query.filter(
                Condition::any().add(initiative::Column::Name.gt(name.as_str())).add(
                    Condition::all()
                        .add(initiative::Column::Name.eq(name.as_str()))
                        .add(initiative::Column::Id.gt(*id)),
                ),
            );
        }
        query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_initiative)
            .collect()
    }

    /// Staff add an initiative 11.11.11 knows (`known`).
    pub async fn create(&self, profile: Profile, ctx: &AuditContext) -> Result<Initiative, StoreError> {
        let txn = begin_write(&self.db).await?;
        let id = insert(&txn, &profile, InitiativeStatus::Known).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("initiative.create", "initiative", id).with_detail(serde_json::json!({
                "name": profile.name,
                "municipality_nis": profile.municipality.to_string(),
            })),
        )
        .await?;
        let created = load(&txn, id).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Replaces the profile; `status`, when given, moves it by the domain's rule (staff only).
    pub async fn update(
        &self,
        id: InitiativeId,
        profile: Profile,
        status: Option<InitiativeStatus>,
        ctx: &AuditContext,
    ) -> Result<Initiative, InitiativeError> {
        let txn = begin_write(&self.db).await?;
        let before = initiative::Entity::find_by_id(id.as_uuid())
            .one(&txn)
            .await?
            .ok_or(InitiativeError::NotFound)?;
        let before = to_initiative(before)?;
        let next = match status {
            Some(to) => move_to(before.status, to).map_err(InitiativeError::Refused)?,
            None => before.status,
        };
        let mut row = active_model(&profile, next);
        row.id = Set(id.as_uuid());
        row.created_at = sea_orm::ActiveValue::NotSet;
        row.update(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("initiative.update", "initiative", id).with_detail(serde_json::json!({
                "status": [before.status.as_str(), next.as_str()],
                "name": profile.name,
            })),
        )
        .await?;
        let changed = load(&txn, id).await?;
        txn.commit().await?;
        Ok(changed)
    }

    /// What was answered before under `key`.
    pub async fn earlier_answer(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        crate::idempotency::earlier_answer(&self.db, key).await
    }

    /// A municipality refers an initiative: it is created `referred`, with the referral. Under
    /// `key`, a retry is answered as the first time.
    #[allow(clippy::too_many_arguments)]
    pub async fn refer(
        &self,
        profile: Profile,
        support: Vec<Support>,
        note: Option<String>,
        referred_by: UserId,
        ctx: &AuditContext,
        key: Option<&IdempotencyKey>,
        render: impl FnOnce(&Referral) -> (u16, String),
    ) -> Result<Created<Referral>, StoreError> {
        let txn = begin_write(&self.db).await?;
        if let Some(answer) = claim_or_answer(&txn, key).await? {
            return Ok(answer);
        }
        let initiative = insert(&txn, &profile, InitiativeStatus::Referred).await?;
        let id = Uuid::new_v4();
        referral::ActiveModel {
            id: Set(id),
            initiative_id: Set(initiative.as_uuid()),
            municipality_nis: Set(profile.municipality.to_string()),
            referred_by: Set(Some(referred_by.as_uuid())),
            support: Set(serde_json::json!(
                support.iter().map(|s| s.as_str()).collect::<Vec<_>>()
            )),
            note: Set(note),
            created_at: Set(crate::now()),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("initiative.refer", "initiative", initiative).with_detail(serde_json::json!({
                "referral_id": id.to_string(),
                "municipality_nis": profile.municipality.to_string(),
                "support": support.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            })),
        )
        .await?;
        let referral = referrals(&txn, None, Some(id))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a new referral vanished".to_owned()))?;
        if let Some(key) = key {
            let (status, body) = render(&referral);
            complete(&txn, key, status, body).await?;
        }
        txn.commit().await?;
        Ok(Created::New(referral))
    }

    /// Referrals newest first: a municipality's, or all (`None`).
    pub async fn referrals(&self, municipality: Option<NisCode>) -> Result<Vec<Referral>, StoreError> {
        referrals(&self.db, municipality, None).await
    }
}

async fn insert(
    conn: &impl ConnectionTrait,
    profile: &Profile,
    status: InitiativeStatus,
) -> Result<InitiativeId, StoreError> {
    let id = InitiativeId::new();
    let mut row = active_model(profile, status);
    row.id = Set(id.as_uuid());
    row.insert(conn).await?;
    Ok(id)
}

fn active_model(profile: &Profile, status: InitiativeStatus) -> initiative::ActiveModel {
    let now = crate::now();
    initiative::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        name: Set(profile.name.clone()),
        municipality_nis: Set(profile.municipality.to_string()),
        countries: Set(serde_json::json!(profile.countries)),
        themes: Set(serde_json::json!(profile.themes)),
        partner_abroad: Set(profile.partner_abroad.clone()),
        contact_name: Set(profile.contact_name.clone().unwrap_or_default()),
        contact_email: Set(profile.contact_email.as_str().to_owned()),
        volunteers: Set(profile.volunteers.and_then(|v| i32::try_from(v).ok())),
        budget_band: Set(profile.budget_band.map(|b| b.as_str().to_owned())),
        status: Set(status.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn load(conn: &impl ConnectionTrait, id: InitiativeId) -> Result<Initiative, StoreError> {
    initiative::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("initiative {id} vanished")))
        .and_then(to_initiative)
}

async fn referrals(
    conn: &impl ConnectionTrait,
    municipality: Option<NisCode>,
    only: Option<Uuid>,
) -> Result<Vec<Referral>, StoreError> {
    let mut query = referral::Entity::find()
        .order_by_desc(referral::Column::CreatedAt)
        .order_by_desc(referral::Column::Id);
    if let Some(nis) = municipality {
        query = query.filter(referral::Column::MunicipalityNis.eq(nis.to_string()));
    }
    if let Some(id) = only {
        query = query.filter(referral::Column::Id.eq(id));
    }
    let rows = query.all(conn).await?;
    let initiatives: std::collections::HashMap<Uuid, (String, String)> = initiative::Entity::find()
        .select_only()
        .column(initiative::Column::Id)
        .column(initiative::Column::Name)
        .column(initiative::Column::Status)
        .filter(initiative::Column::Id.is_in(rows.iter().map(|r| r.initiative_id)))
        .into_tuple::<(Uuid, String, String)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, name, status)| (id, (name, status)))
        .collect();
    rows.into_iter()
        .map(|r| {
            let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("referral {}: {e}", r.id));
            let (name, status) = initiatives
                .get(&r.initiative_id)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("referral {} has no initiative", r.id)))?;
            Ok(Referral {
                id: r.id,
                initiative: InitiativeId::from_uuid(r.initiative_id),
                initiative_name: name,
                initiative_status: InitiativeStatus::parse(&status).map_err(corrupt)?,
                municipality: NisCode::parse(&r.municipality_nis).map_err(corrupt)?,
                referred_by: r.referred_by.map(UserId::from_uuid),
                support: strings(&r.support)
                    .iter()
                    .map(|s| Support::parse(s))
                    .collect::<Result<_, _>>()
                    .map_err(corrupt)?,
                note: r.note,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The strings of a stored JSON array (anything else reads as empty).
fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn to_initiative(row: initiative::Model) -> Result<Initiative, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("initiative {}: {e}", row.id));
    Ok(Initiative {
        id: InitiativeId::from_uuid(row.id),
        profile: Profile {
            name: row.name,
            municipality: NisCode::parse(&row.municipality_nis).map_err(corrupt)?,
            countries: strings(&row.countries),
            themes: strings(&row.themes),
            partner_abroad: row.partner_abroad,
            contact_name: Some(row.contact_name).filter(|c| !c.is_empty()),
            contact_email: Email::parse(&row.contact_email).map_err(corrupt)?,
            volunteers: row.volunteers.and_then(|v| u32::try_from(v).ok()),
            budget_band: row
                .budget_band
                .as_deref()
                .map(BudgetBand::parse)
                .transpose()
                .map_err(corrupt)?,
        },
        status: InitiativeStatus::parse(&row.status).map_err(corrupt)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

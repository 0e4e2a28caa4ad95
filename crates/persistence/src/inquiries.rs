//! Inquiries about offers: a municipality's thread with the organisation whose offer it is.
//! Each message and move follows the domain's rules inside one transaction, audited; a move
//! only lands on the status it was checked against (two people answering at once cannot both
//! move it).

use std::collections::HashMap;

use campaign_domain::ids::{MemberOrgId, UserId};
use campaign_domain::inquiry::{InquiryRefused, InquiryStatus, Side, after_message, move_to};
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{inquiry, inquiry_message, member_organisation, offer};
use crate::idempotency::{Claim, Created, IdempotencyKey, claim_or_answer, complete};
use crate::{StoreError, begin_write};

/// An inquiry without its messages, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub offer_title: String,
    pub organisation: MemberOrgId,
    pub organisation_name: String,
    pub municipality: NisCode,
    pub asked_by: Option<UserId>,
    pub status: InquiryStatus,
    pub preferred_period: Option<String>,
    pub audience_size: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryMessage {
    pub id: Uuid,
    pub author: Option<UserId>,
    pub side: Side,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// An inquiry with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InquiryThread {
    pub inquiry: Inquiry,
    pub messages: Vec<InquiryMessage>,
}

pub struct NewInquiry {
    pub offer_id: Uuid,
    pub municipality: NisCode,
    pub asked_by: UserId,
    /// Who sends it: the municipality's contact, or staff on its behalf.
    pub side: Side,
    pub message: String,
    pub preferred_period: Option<String>,
    pub audience_size: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct InquiryFilter {
    pub status: Option<InquiryStatus>,
    pub organisation: Option<MemberOrgId>,
    pub municipality: Option<NisCode>,
    pub offer: Option<Uuid>,
    /// The (created_at, id) of the last inquiry of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// Why a message or a move was not taken.
#[derive(Debug)]
pub enum InquiryError {
    NotFound,
    Refused(InquiryRefused),
    /// Someone else moved it between reading and writing; read it again.
    Changed,
    Store(StoreError),
}

crate::error::store_error_conversions!(InquiryError);

#[derive(Clone)]
pub struct InquiryRepo {
    db: DatabaseConnection,
}

impl InquiryRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// What was answered before under `key`.
    pub async fn earlier_answer(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        crate::idempotency::earlier_answer(&self.db, key).await
    }

    /// Stores a `sent` inquiry with its first message; `Missing` when the offer does not exist
    /// or is withdrawn.
    pub async fn send(
        &self,
        new: NewInquiry,
        ctx: &AuditContext,
        key: Option<&IdempotencyKey>,
        render: impl FnOnce(&InquiryThread) -> (u16, String),
    ) -> Result<Created<InquiryThread>, StoreError> {
        let txn = begin_write(&self.db).await?;
        if let Some(answer) = claim_or_answer(&txn, key).await? {
            return Ok(answer);
        }
        let Some(offer) = offer::Entity::find_by_id(new.offer_id)
            .one(&txn)
            .await?
            .filter(|o| o.active)
        else {
            return Err(StoreError::Missing(format!(
                "there is no offer {} (or it is no longer offered)",
                new.offer_id
            )));
        };
        let now = crate::now();
        let id = Uuid::new_v4();
        inquiry::ActiveModel {
            id: Set(id),
            offer_id: Set(offer.id),
            organisation_id: Set(offer.organisation_id),
            municipality_nis: Set(new.municipality.to_string()),
            asked_by: Set(Some(new.asked_by.as_uuid())),
            status: Set(InquiryStatus::Sent.as_str().to_owned()),
            preferred_period: Set(new.preferred_period),
            audience_size: Set(new.audience_size.and_then(|n| i32::try_from(n).ok())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        insert_message(&txn, id, Some(new.asked_by), new.side, new.message, now).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("inquiry.send", "inquiry", id).with_detail(serde_json::json!({
                "offer_id": offer.id.to_string(),
                "organisation_id": offer.organisation_id.to_string(),
                "municipality_nis": new.municipality.to_string(),
            })),
        )
        .await?;
        let thread = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new inquiry vanished".to_owned()))?;
        if let Some(key) = key {
            let (status, body) = render(&thread);
            complete(&txn, key, status, body).await?;
        }
        txn.commit().await?;
        Ok(Created::New(thread))
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<InquiryThread>, StoreError> {
        load(&self.db, id).await
    }

    /// Inquiries oldest first, at most `limit`.
    pub async fn list(&self, filter: &InquiryFilter, limit: u64) -> Result<Vec<Inquiry>, StoreError> {
        let mut query = inquiry::Entity::find()
            .order_by_asc(inquiry::Column::CreatedAt)
            .order_by_asc(inquiry::Column::Id);
        if let Some(status) = filter.status {
            query = query.filter(inquiry::Column::Status.eq(status.as_str()));
        }
        if let Some(organisation) = filter.organisation {
            query = query.filter(inquiry::Column::OrganisationId.eq(organisation.as_uuid()));
        }
        if let Some(nis) = filter.municipality {
            query = query.filter(inquiry::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(offer) = filter.offer {
            query = query.filter(inquiry::Column::OfferId.eq(offer));
        }
        if let Some((at, id)) = filter.after {
            query = query.filter(
                Condition::any().add(inquiry::Column::CreatedAt.gt(at)).add(
                    Condition::all()
                        .add(inquiry::Column::CreatedAt.eq(at))
                        .add(inquiry::Column::Id.gt(id)),
                ),
            );
        }
        let rows = query.limit(limit).all(&self.db).await?;
        let titles = offer_titles(&self.db, rows.iter().map(|r| r.offer_id)).await?;
        rows.into_iter().map(|r| to_inquiry(r, &titles)).collect()
    }

    /// How many of the municipality's inquiries still wait for something (not declined or closed).
    pub async fn open_count(&self, nis: NisCode) -> Result<u64, StoreError> {
        Ok(inquiry::Entity::find()
            .filter(inquiry::Column::MunicipalityNis.eq(nis.to_string()))
            .filter(
                inquiry::Column::Status.is_not_in([InquiryStatus::Declined.as_str(), InquiryStatus::Closed.as_str()]),
            )
            .count(&self.db)
            .await?)
    }

    /// Adds a message by `side`; the status follows the domain's rule.
    pub async fn add_message(
        &self,
        id: Uuid,
        side: Side,
        author: UserId,
        text: String,
        ctx: &AuditContext,
    ) -> Result<InquiryThread, InquiryError> {
        let txn = begin_write(&self.db).await?;
        let current = current_status(&txn, id).await?;
        let next = after_message(current, side).map_err(InquiryError::Refused)?;
        let now = crate::now();
        set_status(&txn, id, current, next, now).await?;
        insert_message(&txn, id, Some(author), side, text, now).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("inquiry.message", "inquiry", id).with_detail(serde_json::json!({
                "side": side.as_str(),
                "status": [current.as_str(), next.as_str()],
            })),
        )
        .await?;
        let thread = load(&txn, id).await?.ok_or(InquiryError::NotFound)?;
        txn.commit().await?;
        Ok(thread)
    }

    /// Moves the inquiry to `to` for `side`, if the rules allow it.
    pub async fn move_to(
        &self,
        id: Uuid,
        to: InquiryStatus,
        side: Side,
        ctx: &AuditContext,
    ) -> Result<InquiryThread, InquiryError> {
        let txn = begin_write(&self.db).await?;
        let current = current_status(&txn, id).await?;
        let next = move_to(current, to, side).map_err(InquiryError::Refused)?;
        if next != current {
            set_status(&txn, id, current, next, crate::now()).await?;
            record(
                &txn,
                ctx,
                AuditEvent::new("inquiry.move", "inquiry", id).with_detail(serde_json::json!({
                    "side": side.as_str(),
                    "status": [current.as_str(), next.as_str()],
                })),
            )
            .await?;
        }
        let thread = load(&txn, id).await?.ok_or(InquiryError::NotFound)?;
        txn.commit().await?;
        Ok(thread)
    }
}

async fn current_status(conn: &impl ConnectionTrait, id: Uuid) -> Result<InquiryStatus, InquiryError> {
    let row = inquiry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(InquiryError::NotFound)?;
    InquiryStatus::parse(&row.status)
        .map_err(|e| InquiryError::Store(StoreError::Corrupt(format!("inquiry {id}: {e}"))))
}

/// Moves `from` → `to` only if the inquiry is still `from` (and touches `updated_at` either way).
async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: InquiryStatus,
    to: InquiryStatus,
    at: DateTime<Utc>,
) -> Result<(), InquiryError> {
    let updated = inquiry::Entity::update_many()
        .col_expr(inquiry::Column::Status, sea_orm::sea_query::Expr::value(to.as_str()))
        .col_expr(inquiry::Column::UpdatedAt, sea_orm::sea_query::Expr::value(at))
        .filter(inquiry::Column::Id.eq(id))
        .filter(inquiry::Column::Status.eq(from.as_str()))
        .exec(conn)
        .await?;
    if updated.rows_affected == 1 {
        Ok(())
    } else {
        Err(InquiryError::Changed)
    }
}

async fn insert_message(
    conn: &impl ConnectionTrait,
    inquiry_id: Uuid,
    author: Option<UserId>,
    side: Side,
    text: String,
    at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    inquiry_message::ActiveModel {
        id: Set(Uuid::new_v4()),
        inquiry_id: Set(inquiry_id),
        author: Set(author.map(|a| a.as_uuid())),
        side: Set(side.as_str().to_owned()),
        text: Set(text),
        created_at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Each offer's title and its organisation's name.
async fn offer_titles(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (String, String)>, StoreError> {
    let ids: Vec<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let offers: Vec<(Uuid, String, Uuid)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::Id)
        .column(offer::Column::Title)
        .column(offer::Column::OrganisationId)
        .filter(offer::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    let names: HashMap<Uuid, String> = member_organisation::Entity::find()
        .filter(member_organisation::Column::Id.is_in(offers.iter().map(|o| o.2)))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(offers
        .into_iter()
        .map(|(id, title, organisation)| (id, (title, names.get(&organisation).cloned().unwrap_or_default())))
        .collect())
}

fn to_inquiry(row: inquiry::Model, titles: &HashMap<Uuid, (String, String)>) -> Result<Inquiry, StoreError> {
    let (offer_title, organisation_name) = titles.get(&row.offer_id).cloned().unwrap_or_default();
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("inquiry {}: {e}", row.id));
    Ok(Inquiry {
        id: row.id,
        offer_id: row.offer_id,
        offer_title,
        organisation: MemberOrgId::from_uuid(row.organisation_id),
        organisation_name,
        municipality: NisCode::parse(&row.municipality_nis).map_err(corrupt)?,
        asked_by: row.asked_by.map(UserId::from_uuid),
        status: InquiryStatus::parse(&row.status).map_err(corrupt)?,
        preferred_period: row.preferred_period,
        audience_size: row.audience_size.and_then(|n| u32::try_from(n).ok()),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<InquiryThread>, StoreError> {
    let Some(row) = inquiry::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let titles = offer_titles(conn, std::iter::once(row.offer_id)).await?;
    let messages = inquiry_message::Entity::find()
        .filter(inquiry_message::Column::InquiryId.eq(id))
        .order_by_asc(inquiry_message::Column::CreatedAt)
        .order_by_asc(inquiry_message::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| {
            Ok(InquiryMessage {
                id: m.id,
                author: m.author.map(UserId::from_uuid),
                side: Side::parse(&m.side)
                    .map_err(|e| StoreError::Corrupt(format!("inquiry message {}: {e}", m.id)))?,
                text: m.text,
                created_at: m.created_at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(InquiryThread {
        inquiry: to_inquiry(row, &titles)?,
        messages,
    }))
}

//! Materials and the requests of municipalities. Stock never goes below zero and reserved never
//! exceeds stock, whatever the concurrency: every change is one conditional UPDATE that the
//! database re-checks under its row lock, with CHECK constraints as the backstop.

use campaign_domain::ids::UserId;
use campaign_domain::material::{IllegalMove, Line, RequestMove, RequestStatus, next_status};
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use campaign_domain::webhook::EventType;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{material, material_request, material_request_line};
use crate::error::conflict_on_unique;
use crate::idempotency::{Created, IdempotencyKey, claim_or_answer, complete};
use crate::webhook_outbox;
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub code: String,
    pub name: String,
    pub lent: bool,
    pub stock_on_hand: i32,
    pub reserved: i32,
}

impl Material {
    pub fn available(&self) -> i32 {
        self.stock_on_hand - self.reserved
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRequest {
    pub id: Uuid,
    pub municipality: NisCode,
    pub requested_by: UserId,
    pub status: RequestStatus,
    pub needed_by: NaiveDate,
    pub delivery_address: String,
    pub note: Option<String>,
    pub rejection_reason: Option<String>,
    pub lines: Vec<Line>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewRequest {
    pub municipality: NisCode,
    pub requested_by: UserId,
    pub needed_by: NaiveDate,
    pub delivery_address: String,
    pub note: Option<String>,
    pub lines: Vec<Line>,
}

/// A line that stock cannot cover at approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLine {
    pub material_code: String,
    pub requested: i32,
    pub available: i32,
}

/// Why a move was refused.
#[derive(Debug)]
pub enum MoveError {
    NotFound,
    Illegal(IllegalMove),
    /// Approval: these lines are not covered; nothing was reserved.
    Short(Vec<ShortLine>),
    Store(StoreError),
}

impl From<StoreError> for MoveError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sea_orm::DbErr> for MoveError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub municipality: Option<NisCode>,
    /// The (needed_by, id) of the last request of the previous page.
    pub after: Option<(NaiveDate, Uuid)>,
}

#[derive(Clone)]
pub struct MaterialRepo {
    db: DatabaseConnection,
}

impl MaterialRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn list(&self) -> Result<Vec<Material>, StoreError> {
        Ok(material::Entity::find()
            .order_by_asc(material::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_material)
            .collect())
    }

    pub async fn get(&self, code: &str) -> Result<Option<Material>, StoreError> {
        Ok(material::Entity::find_by_id(code).one(&self.db).await?.map(to_material))
    }

    pub async fn create(
        &self,
        code: String,
        name: String,
        lent: bool,
        stock: i32,
        ctx: &AuditContext,
    ) -> Result<Material, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let row = material::ActiveModel {
            code: Set(code.clone()),
            name: Set(name),
            lent: Set(lent),
            stock_on_hand: Set(stock),
            reserved: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a material {code} already")))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("material.create", "material", &code)
                .with_detail(serde_json::json!({ "stock_on_hand": stock, "lent": lent })),
        )
        .await?;
        txn.commit().await?;
        Ok(to_material(row))
    }

    /// Adds `delta` (negative to remove) to the stock; `Conflict` when less than what is
    /// reserved would remain, `Missing` for an unknown material.
    pub async fn adjust(
        &self,
        code: &str,
        delta: i32,
        reason: &str,
        ctx: &AuditContext,
    ) -> Result<Material, StoreError> {
        let txn = begin_write(&self.db).await?;
        let changed = material::Entity::update_many()
            .col_expr(
                material::Column::StockOnHand,
                Expr::col(material::Column::StockOnHand).add(delta),
            )
            .col_expr(material::Column::UpdatedAt, Expr::value(crate::now()))
            .filter(material::Column::Code.eq(code))
            .filter(
                Expr::col(material::Column::StockOnHand)
                    .add(delta)
                    .gte(Expr::col(material::Column::Reserved)),
            )
            .exec(&txn)
            .await?
            .rows_affected;
        let row = material::Entity::find_by_id(code)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("there is no material {code}")))?;
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "{code}: {} in stock, {} reserved; a change of {delta} would leave less than what is reserved",
                row.stock_on_hand, row.reserved
            )));
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("material.adjust", "material", code).with_detail(
                serde_json::json!({ "delta": delta, "reason": reason, "stock_on_hand": row.stock_on_hand }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(to_material(row))
    }

    /// What was answered before under `key` (see [`crate::idempotency::Claim`]).
    pub async fn earlier_answer(&self, key: &IdempotencyKey) -> Result<crate::idempotency::Claim, StoreError> {
        crate::idempotency::earlier_answer(&self.db, key).await
    }

    /// Stores a submitted request; `Unknown` names a material that does not exist.
    pub async fn create_request(
        &self,
        new: NewRequest,
        ctx: &AuditContext,
        key: Option<&IdempotencyKey>,
        render: impl FnOnce(&MaterialRequest) -> (u16, String),
    ) -> Result<Created<MaterialRequest>, StoreError> {
        let txn = begin_write(&self.db).await?;
        if let Some(answer) = claim_or_answer(&txn, key).await? {
            return Ok(answer);
        }
        let codes: Vec<String> = new.lines.iter().map(|l| l.material_code.clone()).collect();
        let known: Vec<String> = material::Entity::find()
            .select_only()
            .column(material::Column::Code)
            .filter(material::Column::Code.is_in(codes.clone()))
            .into_tuple()
            .all(&txn)
            .await?;
        let unknown: Vec<&String> = codes.iter().filter(|c| !known.contains(c)).collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|c| c.as_str()).collect();
            return Err(StoreError::Unknown(format!(
                "unknown material code(s): {}; see GET /api/v1/materials",
                names.join(", ")
            )));
        }
        let now = crate::now();
        let id = Uuid::new_v4();
        material_request::ActiveModel {
            id: Set(id),
            municipality_nis: Set(new.municipality.to_string()),
            requested_by: Set(new.requested_by.as_uuid()),
            status: Set(RequestStatus::Submitted.as_str().to_owned()),
            needed_by: Set(new.needed_by),
            delivery_address: Set(new.delivery_address),
            note: Set(new.note),
            rejection_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for line in &new.lines {
            material_request_line::ActiveModel {
                request_id: Set(id),
                material_code: Set(line.material_code.clone()),
                quantity: Set(line.quantity),
            }
            .insert(&txn)
            .await?;
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("material_request.create", "material_request", id)
                .with_detail(serde_json::json!({ "municipality_nis": new.municipality.to_string() })),
        )
        .await?;
        let request = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new request vanished".to_owned()))?;
        if let Some(key) = key {
            let (status, body) = render(&request);
            complete(&txn, key, status, body).await?;
        }
        txn.commit().await?;
        Ok(Created::New(request))
    }

    pub async fn get_request(&self, id: Uuid) -> Result<Option<MaterialRequest>, StoreError> {
        load(&self.db, id).await
    }

    /// The queue: oldest needed-by first.
    pub async fn list_requests(&self, filter: &RequestFilter, limit: u64) -> Result<Vec<MaterialRequest>, StoreError> {
        let mut query = material_request::Entity::find()
            .order_by_asc(material_request::Column::NeededBy)
            .order_by_asc(material_request::Column::Id);
        if let Some(status) = filter.status {
            query = query.filter(material_request::Column::Status.eq(status.as_str()));
        }
        if let Some(nis) = filter.municipality {
            query = query.filter(material_request::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some((day, id)) = filter.after {
            query = query.filter(
                Condition::any().add(material_request::Column::NeededBy.gt(day)).add(
                    Condition::all()
                        .add(material_request::Column::NeededBy.eq(day))
                        .add(material_request::Column::Id.gt(id)),
                ),
            );
        }
        let rows = query.limit(limit).all(&self.db).await?;
        self.with_lines(rows).await
    }

    /// A municipality's latest requests, newest first (by creation, ties by id).
    pub async fn latest_requests(&self, municipality: NisCode, limit: u64) -> Result<Vec<MaterialRequest>, StoreError> {
        let rows = material_request::Entity::find()
            .filter(material_request::Column::MunicipalityNis.eq(municipality.to_string()))
            .order_by_desc(material_request::Column::CreatedAt)
            .order_by_desc(material_request::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.with_lines(rows).await
    }

    /// How many requests of a municipality are in each state (every state, zeros included).
    pub async fn count_by_status(&self, municipality: NisCode) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
        let counted: Vec<(String, i64)> = material_request::Entity::find()
            .filter(material_request::Column::MunicipalityNis.eq(municipality.to_string()))
            .select_only()
            .column(material_request::Column::Status)
            .column_as(Expr::col(material_request::Column::Id).count(), "n")
            .group_by(material_request::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(RequestStatus::ALL
            .into_iter()
            .map(|status| {
                let n = counted
                    .iter()
                    .filter(|(s, _)| s == status.as_str())
                    .map(|(_, n)| *n)
                    .sum();
                (status, n)
            })
            .collect())
    }

    /// The requests of `rows` with their lines, in the order of `rows`.
    async fn with_lines(&self, rows: Vec<material_request::Model>) -> Result<Vec<MaterialRequest>, StoreError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let lines = material_request_line::Entity::find()
            .filter(material_request_line::Column::RequestId.is_in(ids))
            .order_by_asc(material_request_line::Column::MaterialCode)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let own: Vec<Line> = lines
                    .iter()
                    .filter(|l| l.request_id == row.id)
                    .map(|l| Line {
                        material_code: l.material_code.clone(),
                        quantity: l.quantity,
                    })
                    .collect();
                to_request(row, own)
            })
            .collect()
    }

    /// Moves a request through its states, with the stock effects of the move, all or nothing.
    pub async fn apply(
        &self,
        id: Uuid,
        action: RequestMove,
        reason: Option<String>,
        ctx: &AuditContext,
    ) -> Result<MaterialRequest, MoveError> {
        let txn = begin_write(&self.db).await?;
        let request = load(&txn, id).await?.ok_or(MoveError::NotFound)?;
        let lent_codes: Vec<String> = material::Entity::find()
            .select_only()
            .column(material::Column::Code)
            .filter(material::Column::Lent.eq(true))
            .filter(material::Column::Code.is_in(request.lines.iter().map(|l| l.material_code.clone())))
            .into_tuple()
            .all(&txn)
            .await?;
        let next = next_status(request.status, action, !lent_codes.is_empty()).map_err(MoveError::Illegal)?;
        // Take the request: a concurrent move of the same request finds another status and stops.
        let mut update = material_request::Entity::update_many()
            .col_expr(material_request::Column::Status, Expr::value(next.as_str()))
            .col_expr(material_request::Column::UpdatedAt, Expr::value(crate::now()));
        if action == RequestMove::Reject {
            update = update.col_expr(material_request::Column::RejectionReason, Expr::value(reason.clone()));
        }
        let taken = update
            .filter(material_request::Column::Id.eq(id))
            .filter(material_request::Column::Status.eq(request.status.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        if taken == 0 {
            let now_status = load(&txn, id).await?.map_or(request.status, |r| r.status);
            return Err(MoveError::Illegal(IllegalMove {
                from: now_status,
                action,
            }));
        }
        match (request.status, action) {
            (_, RequestMove::Approve) => {
                let mut short = Vec::new();
                for line in &request.lines {
                    if !shift(&txn, &line.material_code, 0, line.quantity).await? {
                        let available = material::Entity::find_by_id(line.material_code.as_str())
                            .one(&txn)
                            .await?
                            .map_or(0, |m| m.stock_on_hand - m.reserved);
                        short.push(ShortLine {
                            material_code: line.material_code.clone(),
                            requested: line.quantity,
                            available,
                        });
                    }
                }
                if !short.is_empty() {
                    // Dropping the transaction rolls back every line reserved above.
                    return Err(MoveError::Short(short));
                }
            }
            (_, RequestMove::Ship) => {
                for line in &request.lines {
                    if !shift(&txn, &line.material_code, -line.quantity, -line.quantity).await? {
                        return Err(MoveError::Store(StoreError::Corrupt(format!(
                            "stock of {} does not cover the request",
                            line.material_code
                        ))));
                    }
                }
            }
            (RequestStatus::Approved, RequestMove::Cancel) => {
                for line in &request.lines {
                    if !shift(&txn, &line.material_code, 0, -line.quantity).await? {
                        return Err(MoveError::Store(StoreError::Corrupt(format!(
                            "stock of {} does not cover the request",
                            line.material_code
                        ))));
                    }
                }
            }
            (_, RequestMove::Return) => {
                for line in request.lines.iter().filter(|l| lent_codes.contains(&l.material_code)) {
                    if !shift(&txn, &line.material_code, line.quantity, 0).await? {
                        return Err(MoveError::Store(StoreError::Corrupt(format!(
                            "stock of {} does not cover the request",
                            line.material_code
                        ))));
                    }
                }
            }
            _ => {}
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("material_request.move", "material_request", id).with_detail(serde_json::json!({
                "from": request.status.as_str(), "to": next.as_str(), "reason": reason,
            })),
        )
        .await?;
        let moved = load(&txn, id).await?.ok_or(MoveError::NotFound)?;
        let data = serde_json::json!({
            "id": moved.id,
            "municipality_nis": moved.municipality.to_string(),
            "from": request.status.as_str(),
            "status": moved.status.as_str(),
            "needed_by": moved.needed_by,
            "rejection_reason": moved.rejection_reason,
            "lines": moved.lines.iter().map(|l| serde_json::json!({
                "material_code": l.material_code, "quantity": l.quantity,
            })).collect::<Vec<_>>(),
            "updated_at": moved.updated_at,
        });
        webhook_outbox::emit(&txn, EventType::RequestStatusChanged, data).await?;
        txn.commit().await?;
        Ok(moved)
    }
}

/// Changes stock and reserved of one material by the given amounts, only if afterwards
/// 0 <= reserved <= stock still holds. False when it would not.
async fn shift(txn: &impl ConnectionTrait, code: &str, stock: i32, reserved: i32) -> Result<bool, StoreError> {
    let changed = material::Entity::update_many()
        .col_expr(
            material::Column::StockOnHand,
            Expr::col(material::Column::StockOnHand).add(stock),
        )
        .col_expr(
            material::Column::Reserved,
            Expr::col(material::Column::Reserved).add(reserved),
        )
        .col_expr(material::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(material::Column::Code.eq(code))
        .filter(Expr::col(material::Column::Reserved).add(reserved).gte(0))
        .filter(
            Expr::col(material::Column::StockOnHand)
                .add(stock)
                .gte(Expr::col(material::Column::Reserved).add(reserved)),
        )
        .exec(txn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<MaterialRequest>, StoreError> {
    let Some(row) = material_request::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let lines = material_request_line::Entity::find()
        .filter(material_request_line::Column::RequestId.eq(id))
        .order_by_asc(material_request_line::Column::MaterialCode)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| Line {
            material_code: l.material_code,
            quantity: l.quantity,
        })
        .collect();
    to_request(row, lines).map(Some)
}

fn to_material(row: material::Model) -> Material {
    Material {
        code: row.code,
        name: row.name,
        lent: row.lent,
        stock_on_hand: row.stock_on_hand,
        reserved: row.reserved,
    }
}

fn to_request(row: material_request::Model, lines: Vec<Line>) -> Result<MaterialRequest, StoreError> {
    let corrupt =
        |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("material request {}: {e}", row.id));
    Ok(MaterialRequest {
        id: row.id,
        municipality: NisCode::parse(&row.municipality_nis).map_err(corrupt)?,
        requested_by: UserId::from_uuid(row.requested_by),
        status: RequestStatus::parse(&row.status).map_err(corrupt)?,
        needed_by: row.needed_by,
        delivery_address: row.delivery_address,
        note: row.note,
        rejection_reason: row.rejection_reason,
        lines,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

//! Spreadsheet imports of groups with their volunteers, and of materials with their stock. The
//! plan is made from what is stored inside the transaction that carries it out, so what a run
//! reports is what it did; a dry run reads the same way and writes nothing. A file with a refused
//! row changes nothing (all or nothing). On PostgreSQL imports take turns (an advisory lock); on
//! SQLite every write does.

use std::collections::{HashMap, HashSet};

use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::import::groups::{self, GroupChange, GroupPlan, KnownAccount, KnownGroup, Stored};
use campaign_domain::import::materials::{self, KnownMaterial, MaterialChange, MaterialPlan};
use campaign_domain::import::{FileError, Sheet, Summary};
use campaign_domain::material::RequestStatus;
use campaign_domain::municipality::NisCode;
use campaign_domain::municipality_names::MunicipalityNames;
use campaign_domain::user::Role;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::audit::{AuditContext, AuditEvent, record, record_many};
use crate::entities::{app_user, material, material_request, material_request_line, municipality, volunteer_group};
use crate::error::conflict_on_unique;
use crate::{StoreError, WriteTxn, begin_write};

/// The advisory lock imports take turns on (PostgreSQL).
const IMPORT_LOCK: i64 = 7_260_017;
/// Rows per multi-row INSERT (well under SQLite's 32,766 bound parameters).
const CHUNK: usize = 400;

/// Why an import did not run.
#[derive(Debug)]
pub enum ImportError {
    /// The file as a whole cannot be read (no header, a column missing, too many rows).
    File(FileError),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

impl From<FileError> for ImportError {
    fn from(e: FileError) -> Self {
        Self::File(e)
    }
}

/// What was asked: a dry run, or the real import of a file known by its digest.
pub enum Mode<'a> {
    DryRun,
    Apply {
        ctx: &'a AuditContext,
        file_sha256: &'a str,
    },
}

/// The plan of every row, and whether it was carried out (never in a dry run, never with a
/// refused row, and not needed when nothing changes).
pub struct Imported<P> {
    pub plan: P,
    pub summary: Summary,
    pub applied: bool,
}

#[derive(Clone)]
pub struct ImportRepo {
    db: DatabaseConnection,
}

impl ImportRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The municipalities by code and name, the 2025 mergers included.
    pub async fn municipality_names(&self) -> Result<MunicipalityNames, StoreError> {
        let rows = municipality::Entity::find().all(&self.db).await?;
        let mut registry = Vec::with_capacity(rows.len());
        for row in &rows {
            let nis = NisCode::parse(&row.nis_code)
                .map_err(|e| StoreError::Corrupt(format!("municipality {}: {e}", row.nis_code)))?;
            registry.push((nis, row.name_nl.as_str(), row.name_fr.as_deref()));
        }
        Ok(MunicipalityNames::new(registry))
    }

    /// Groups with their volunteers.
    pub async fn groups(
        &self,
        sheet: &Sheet,
        names: &MunicipalityNames,
        mode: Mode<'_>,
    ) -> Result<Imported<GroupPlan>, ImportError> {
        let Mode::Apply { ctx, file_sha256 } = mode else {
            let stored = stored_groups(&self.db, sheet, names).await?;
            return Ok(not_applied(groups::plan(sheet, names, &stored)?));
        };
        let txn = begin_write(&self.db).await?;
        take_turn(&txn).await?;
        let stored = stored_groups(&txn, sheet, names).await?;
        let (plan, summary) = match to_apply(groups::plan(sheet, names, &stored)?) {
            Ok(planned) => planned,
            Err(not_applied) => return Ok(not_applied),
        };
        apply_groups(&txn, ctx, &plan.changes).await?;
        // Moved volunteers: every server's copy of accounts is stale.
        crate::changes::announce(&txn).await?;
        commit_import(txn, ctx, "import.groups", file_sha256, &summary).await?;
        Ok(Imported {
            plan,
            summary,
            applied: true,
        })
    }

    /// Materials with their stock.
    pub async fn materials(&self, sheet: &Sheet, mode: Mode<'_>) -> Result<Imported<MaterialPlan>, ImportError> {
        let Mode::Apply { ctx, file_sha256 } = mode else {
            let stored = stored_materials(&self.db, sheet, false).await?;
            return Ok(not_applied(materials::plan(sheet, &stored)?));
        };
        let txn = begin_write(&self.db).await?;
        take_turn(&txn).await?;
        let stored = stored_materials(&txn, sheet, true).await?;
        let (plan, summary) = match to_apply(materials::plan(sheet, &stored)?) {
            Ok(planned) => planned,
            Err(not_applied) => return Ok(not_applied),
        };
        apply_materials(&txn, ctx, &plan.changes).await?;
        commit_import(txn, ctx, "import.materials", file_sha256, &summary).await?;
        Ok(Imported {
            plan,
            summary,
            applied: true,
        })
    }
}

trait Reported {
    fn reports(&self) -> &[campaign_domain::import::RowReport];
}

impl Reported for GroupPlan {
    fn reports(&self) -> &[campaign_domain::import::RowReport] {
        &self.reports
    }
}

impl Reported for MaterialPlan {
    fn reports(&self) -> &[campaign_domain::import::RowReport] {
        &self.reports
    }
}

fn not_applied<P: Reported>(plan: P) -> Imported<P> {
    Imported {
        summary: Summary::of(plan.reports()),
        plan,
        applied: false,
    }
}

/// The plan with its summary when it is to be carried out; otherwise what to answer (a refused
/// row, or nothing to change: the transaction ends unused).
fn to_apply<P: Reported>(plan: P) -> Result<(P, Summary), Imported<P>> {
    let summary = Summary::of(plan.reports());
    if summary.acceptable() && summary.changes_anything() {
        Ok((plan, summary))
    } else {
        Err(Imported {
            plan,
            summary,
            applied: false,
        })
    }
}

/// Records the import itself (its file and outcome) and commits its transaction.
async fn commit_import(
    txn: WriteTxn,
    ctx: &AuditContext,
    action: &'static str,
    file_sha256: &str,
    s: &Summary,
) -> Result<(), StoreError> {
    let detail = serde_json::json!({
        "rows": s.rows, "created": s.created, "updated": s.updated, "unchanged": s.unchanged,
    });
    record(
        &txn,
        ctx,
        AuditEvent::new(action, "import", file_sha256).with_detail(detail),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn take_turn(txn: &impl ConnectionTrait) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
            .await?;
    }
    Ok(())
}

async fn stored_groups(
    conn: &impl ConnectionTrait,
    sheet: &Sheet,
    names: &MunicipalityNames,
) -> Result<Stored, ImportError> {
    let codes: Vec<String> = groups::municipalities_named(sheet, names)?
        .iter()
        .map(ToString::to_string)
        .collect();
    let emails = groups::emails_named(sheet)?;
    let mut stored = Stored::default();
    for chunk in codes.chunks(CHUNK) {
        let rows = volunteer_group::Entity::find()
            .filter(volunteer_group::Column::MunicipalityNis.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?;
        for row in rows {
            stored.groups.push(KnownGroup {
                id: GroupId::from_uuid(row.id),
                municipality: NisCode::parse(&row.municipality_nis)
                    .map_err(|e| StoreError::Corrupt(format!("group {}: {e}", row.id)))?,
                name: row.name,
                active: row.active,
            });
        }
    }
    let mut group_ids = Vec::new();
    for chunk in emails.chunks(CHUNK) {
        let rows = app_user::Entity::find()
            .filter(app_user::Column::Email.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?;
        for row in rows {
            let role = Role::parse(&row.role).map_err(|e| StoreError::Corrupt(format!("user {}: {e}", row.id)))?;
            group_ids.extend(row.group_id);
            stored.accounts.push(KnownAccount {
                id: UserId::from_uuid(row.id),
                email: row.email,
                name: row.name,
                role,
                group: row.group_id.map(GroupId::from_uuid),
                group_name: None,
                active: row.active,
            });
        }
    }
    group_ids.sort();
    group_ids.dedup();
    let mut group_names = HashMap::new();
    for chunk in group_ids.chunks(CHUNK) {
        let rows: Vec<(uuid::Uuid, String)> = volunteer_group::Entity::find()
            .select_only()
            .column(volunteer_group::Column::Id)
            .column(volunteer_group::Column::Name)
            .filter(volunteer_group::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        group_names.extend(rows);
    }
    for account in &mut stored.accounts {
        account.group_name = account.group.and_then(|g| group_names.get(&g.as_uuid()).cloned());
    }
    Ok(stored)
}

async fn apply_groups(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    changes: &[GroupChange],
) -> Result<(), StoreError> {
    let now = crate::now();
    let mut new_groups = Vec::new();
    let mut new_users = Vec::new();
    let mut events = Vec::new();
    for change in changes {
        match change {
            GroupChange::CreateGroup { id, name, municipality } => {
                new_groups.push(volunteer_group::ActiveModel {
                    id: Set(id.as_uuid()),
                    name: Set(name.clone()),
                    municipality_nis: Set(municipality.to_string()),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                events.push(
                    AuditEvent::new("group.create", "group", id).with_detail(serde_json::json!({
                        "name": name, "municipality_nis": municipality.to_string(), "import": true,
                    })),
                );
            }
            GroupChange::ReactivateGroup { id } => {
                volunteer_group::Entity::update_many()
                    .col_expr(volunteer_group::Column::Active, Expr::value(true))
                    .col_expr(volunteer_group::Column::UpdatedAt, Expr::value(now))
                    .filter(volunteer_group::Column::Id.eq(id.as_uuid()))
                    .exec(txn)
                    .await?;
                events.push(
                    AuditEvent::new("group.update", "group", id)
                        .with_detail(serde_json::json!({ "active": true, "import": true })),
                );
            }
            GroupChange::CreateVolunteer { id, email, name, group } => {
                new_users.push(app_user::ActiveModel {
                    id: Set(id.as_uuid()),
                    email: Set(email.as_str().to_owned()),
                    name: Set(name.as_str().to_owned()),
                    role: Set(Role::Volunteer.as_str().to_owned()),
                    group_id: Set(Some(group.as_uuid())),
                    municipality_nis: Set(None),
                    member_org_id: Set(None),
                    initiative_id: Set(None),
                    active: Set(true),
                    // No password: no hash matches it, so the account cannot sign in until staff
                    // set a password (PATCH /users/{id}).
                    password_hash: Set(String::new()),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                events.push(
                    AuditEvent::new("user.create", "user", id)
                        .with_detail(serde_json::json!({ "role": "volunteer", "import": true })),
                );
            }
            GroupChange::RenameVolunteer { id, name } => {
                app_user::Entity::update_many()
                    .col_expr(app_user::Column::Name, Expr::value(name.as_str()))
                    .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
                    .filter(app_user::Column::Id.eq(id.as_uuid()))
                    .exec(txn)
                    .await?;
                events.push(
                    AuditEvent::new("user.update", "user", id)
                        .with_detail(serde_json::json!({ "name": name.as_str(), "import": true })),
                );
            }
            GroupChange::MoveVolunteer { id, group } => {
                app_user::Entity::update_many()
                    .col_expr(app_user::Column::GroupId, Expr::value(group.as_uuid()))
                    .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
                    .filter(app_user::Column::Id.eq(id.as_uuid()))
                    .filter(app_user::Column::Role.eq(Role::Volunteer.as_str()))
                    .exec(txn)
                    .await?;
                events.push(
                    AuditEvent::new("user.update", "user", id)
                        .with_detail(serde_json::json!({ "group_id": group.as_uuid(), "import": true })),
                );
            }
        }
    }
    // Groups first: the new accounts belong to them.
    for chunk in new_groups.chunks(CHUNK) {
        volunteer_group::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    for chunk in new_users.chunks(CHUNK) {
        app_user::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await
            .map_err(|e| {
                conflict_on_unique(e, || {
                    "an account with one of these e-mail addresses was created meanwhile; run the import again"
                        .to_owned()
                })
            })?;
    }
    record_many(txn, ctx, events).await
}

async fn stored_materials(
    conn: &impl ConnectionTrait,
    sheet: &Sheet,
    lock: bool,
) -> Result<Vec<KnownMaterial>, ImportError> {
    let codes = materials::codes_named(sheet)?;
    let mut stored = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        let mut query = material::Entity::find().filter(material::Column::Code.is_in(chunk.iter().cloned()));
        // Approvals reserve stock under the row lock: an import waits for them, and they for it.
        // In code order, as approvals lock their lines: neither waits on the other in a circle.
        if lock && conn.get_database_backend() == DbBackend::Postgres {
            query = query.order_by_asc(material::Column::Code).lock_exclusive();
        }
        let rows = query.all(conn).await?;
        let held: HashSet<String> = material_request_line::Entity::find()
            .select_only()
            .column(material_request_line::Column::MaterialCode)
            .distinct()
            .filter(material_request_line::Column::MaterialCode.is_in(chunk.iter().cloned()))
            .filter(
                material_request_line::Column::RequestId.in_subquery(
                    Query::select()
                        .column(material_request::Column::Id)
                        .from(material_request::Entity)
                        .and_where(material_request::Column::Status.is_in([
                            RequestStatus::Approved.as_str(),
                            RequestStatus::Shipped.as_str(),
                            RequestStatus::Delivered.as_str(),
                        ]))
                        .to_owned(),
                ),
            )
            .into_tuple::<String>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        stored.extend(rows.into_iter().map(|m| KnownMaterial {
            on_requests: held.contains(&m.code),
            code: m.code,
            name: m.name,
            lent: m.lent,
            stock_on_hand: m.stock_on_hand,
            reserved: m.reserved,
        }));
    }
    Ok(stored)
}

async fn apply_materials(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    changes: &[MaterialChange],
) -> Result<(), StoreError> {
    let now = crate::now();
    let mut new_rows = Vec::new();
    let mut events = Vec::new();
    for change in changes {
        match change {
            MaterialChange::Create {
                code,
                name,
                lent,
                stock,
            } => {
                new_rows.push(material::ActiveModel {
                    code: Set(code.clone()),
                    name: Set(name.clone()),
                    lent: Set(*lent),
                    stock_on_hand: Set(*stock),
                    reserved: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                events.push(
                    AuditEvent::new("material.create", "material", code)
                        .with_detail(serde_json::json!({ "stock_on_hand": stock, "lent": lent, "import": true })),
                );
            }
            MaterialChange::Update {
                code,
                name,
                lent,
                stock,
            } => {
                let mut update = material::Entity::update_many()
                    .col_expr(material::Column::UpdatedAt, Expr::value(now))
                    .filter(material::Column::Code.eq(code.as_str()));
                let mut detail = serde_json::Map::new();
                detail.insert("import".into(), true.into());
                if let Some(name) = name {
                    update = update.col_expr(material::Column::Name, Expr::value(name.as_str()));
                    detail.insert("name".into(), name.as_str().into());
                }
                if let Some(lent) = lent {
                    update = update.col_expr(material::Column::Lent, Expr::value(*lent));
                    detail.insert("lent".into(), (*lent).into());
                }
                if let Some(stock) = stock {
                    // Re-checked by the database: never below what is reserved.
                    update = update
                        .col_expr(material::Column::StockOnHand, Expr::value(*stock))
                        .filter(Expr::col(material::Column::Reserved).lte(*stock));
                    detail.insert("stock_on_hand".into(), (*stock).into());
                }
                if update.exec(txn).await?.rows_affected == 0 {
                    return Err(StoreError::Conflict(format!(
                        "{code}: more was reserved meanwhile than the stock the file gives; run the dry run again"
                    )));
                }
                events.push(AuditEvent::new("material.update", "material", code).with_detail(detail.into()));
            }
        }
    }
    for chunk in new_rows.chunks(CHUNK) {
        material::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await
            .map_err(|e| {
                conflict_on_unique(e, || {
                    "a material of this file was added meanwhile; run the import again".to_owned()
                })
            })?;
    }
    record_many(txn, ctx, events).await
}

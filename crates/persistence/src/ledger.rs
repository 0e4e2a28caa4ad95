//! The money ledger: append-only entries (the database refuses updates and deletes), offline
//! batches that count each client id once, and corrections that reverse an entry once.

use std::collections::{BTreeSet, HashMap};

/// Rows per multi-row statement (18 values each: well inside both databases' parameter limits).
const MULTI_ROW: usize = 500;

use campaign_domain::group::inactive_for_money;
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::ledger::{EntryKind, PaymentMethod, is_campaign_day, local_date};
use campaign_domain::municipality::NisCode;
use campaign_domain::webhook::EventType;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{campaign, ledger_entry, volunteer_group};
use crate::entry_statement::{self, Outcome};
use crate::error::conflict_on_unique;
use crate::idempotency::{Claim, IdempotencyKey, claim, complete, earlier_answer};
use crate::webhook_outbox::{self, entry_data};
use crate::{StoreError, begin_write, totals};

/// A product line of a sale, priced from the campaign's price list (checked by the domain).
pub use campaign_domain::entry_check::SaleLine;

/// A checked new entry (not a correction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub group: GroupId,
    pub campaign_year: i32,
    pub municipality: NisCode,
    pub kind: EntryKind,
    pub sale: Option<SaleLine>,
    pub amount_cents: i64,
    pub payment_method: PaymentMethod,
    pub occurred_at: DateTime<Utc>,
    pub activity: Option<Uuid>,
    pub note: Option<String>,
    pub client_id: Option<String>,
    pub created_by: UserId,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub group: GroupId,
    pub campaign_year: i32,
    pub municipality_nis: String,
    pub kind: String,
    pub product_code: Option<String>,
    pub quantity: Option<i32>,
    pub unit_price_cents: Option<i64>,
    pub amount_cents: i64,
    pub payment_method: String,
    pub occurred_at: DateTime<Utc>,
    pub activity: Option<Uuid>,
    pub note: Option<String>,
    pub corrects: Option<Uuid>,
    pub client_id: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// What became of one single entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    /// Stored now.
    New(LedgerEntry),
    /// Its client id was stored before for this group (by a single entry or a batch): this is
    /// that entry, and nothing new was written.
    Existing(LedgerEntry),
    /// Its idempotency key was used before for the same request: the answer kept then.
    Replay { status: u16, body: String },
    /// Its idempotency key was used before for another request.
    KeyMismatch,
}

/// What became of one entry of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    Created(Uuid),
    /// This client id was stored before (in this batch, an earlier one, or a concurrent one).
    Duplicate(Uuid),
    Rejected(String),
}

#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub group: Option<GroupId>,
    pub campaign_year: Option<i32>,
    pub kind: Option<EntryKind>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The (occurred_at, id) of the last entry of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// Newest first instead of oldest first (`after` then means "older than").
    pub newest_first: bool,
}

#[derive(Clone)]
pub struct LedgerRepo {
    db: DatabaseConnection,
}

impl LedgerRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// What was answered before under `key` (see [`crate::idempotency::Claim`]).
    pub async fn earlier_answer(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        earlier_answer(&self.db, key).await
    }

    /// The entry a group stored under a client id, if any.
    pub async fn by_client_id(&self, group: GroupId, client_id: &str) -> Result<Option<LedgerEntry>, StoreError> {
        Ok(ledger_entry::Entity::find()
            .filter(ledger_entry::Column::GroupId.eq(group.as_uuid()))
            .filter(ledger_entry::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?
            .map(to_domain))
    }

    /// Of these client ids, those a group stored before, with their entries.
    pub async fn stored_client_ids(
        &self,
        group: GroupId,
        client_ids: &[String],
    ) -> Result<HashMap<String, Uuid>, StoreError> {
        stored_ids(&self.db, group, client_ids).await
    }

    /// Stores one entry. With a key, the key is claimed in the same transaction, and `render`
    /// gives the answer (status, JSON) to keep for retries; its flag says whether the entry is
    /// one stored before under the same client id. The group must be active (checked under a
    /// share lock, so a concurrent deactivation either waits for this entry or is seen by it).
    pub async fn create(
        &self,
        new: NewEntry,
        ctx: &AuditContext,
        key: Option<&IdempotencyKey>,
        render: impl Fn(&LedgerEntry, bool) -> (u16, String),
    ) -> Result<Logged, StoreError> {
        let txn = begin_write(&self.db).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            return match entry_statement::store(&txn, &new, ctx, key, &render).await? {
                Outcome::Stored(entry) => {
                    txn.commit().await?;
                    Ok(Logged::New(*entry))
                }
                Outcome::KeyTaken => Ok(match key.map(|key| claim(&txn, key)) {
                    Some(claimed) => match claimed.await? {
                        Claim::Replay { status, body } => Logged::Replay { status, body },
                        Claim::Mismatch => Logged::KeyMismatch,
                        Claim::Fresh => return Err(StoreError::Corrupt("a claimed key vanished".to_owned())),
                    },
                    None => {
                        return Err(StoreError::Corrupt(
                            "an entry without key found its key taken".to_owned(),
                        ));
                    }
                }),
                Outcome::NotStored => {
                    // A client id stored before (answered as that entry), or a refusal (rolled
                    // back with the claim).
                    let entry = to_domain(why_not_stored(&txn, &new).await?);
                    if let Some(key) = key {
                        let (status, body) = render(&entry, true);
                        complete(&txn, key, status, body).await?;
                    }
                    txn.commit().await?;
                    Ok(Logged::Existing(entry))
                }
            };
        }
        // SQLite, in process: the same steps one statement at a time.
        if let Some(key) = key {
            match claim(&txn, key).await? {
                Claim::Fresh => {}
                Claim::Replay { status, body } => return Ok(Logged::Replay { status, body }),
                Claim::Mismatch => return Ok(Logged::KeyMismatch),
            }
        }
        // One statement checks the group and the campaign's days (under share locks) and
        // stores the entry; nothing stored means a client id stored before, or a refusal.
        let (row, existing) = match insert_checked(&txn, &new).await? {
            Some(row) => {
                totals::add(&txn, (&row).into()).await?;
                (row, false)
            }
            None => (why_not_stored(&txn, &new).await?, true),
        };
        let entry = to_domain(row.clone());
        if !existing {
            record(&txn, ctx, entry_event("ledger.create", &row)).await?;
            webhook_outbox::emit(&txn, EventType::EntryCreated, entry_data(&entry)).await?;
        }
        if let Some(key) = key {
            let (status, body) = render(&entry, existing);
            complete(&txn, key, status, body).await?;
        }
        txn.commit().await?;
        Ok(if existing {
            Logged::Existing(entry)
        } else {
            Logged::New(entry)
        })
    }

    /// Stores the good entries of an offline batch of `group` in one transaction; each client
    /// id counts once per group, also against other batches running at the same time. An
    /// `Err` item is answered as it is (a duplicate found before, or a rejection). `Conflict`
    /// when the group is deactivated and the batch has an entry to store.
    pub async fn create_batch(
        &self,
        group: GroupId,
        entries: Vec<Result<NewEntry, BatchOutcome>>,
        ctx: &AuditContext,
    ) -> Result<Vec<BatchOutcome>, StoreError> {
        let txn = begin_write(&self.db).await?;
        let mut answers: Vec<Option<BatchOutcome>> = vec![None; entries.len()];
        let mut candidates: Vec<(usize, NewEntry)> = Vec::new();
        for (index, entry) in entries.into_iter().enumerate() {
            match entry {
                Ok(new) if new.client_id.is_some() => candidates.push((index, new)),
                Ok(_) => answers[index] = Some(BatchOutcome::Rejected("client_id is required in a batch".to_owned())),
                Err(answer) => answers[index] = Some(answer),
            }
        }
        if !candidates.is_empty() {
            writable_group(&txn, group).await?;
        }
        // Each campaign's days, read (under a share lock) once per batch.
        let mut days_of = HashMap::new();
        for year in candidates
            .iter()
            .map(|(_, new)| new.campaign_year)
            .collect::<BTreeSet<_>>()
        {
            days_of.insert(year, campaign_days(&txn, year).await?);
        }
        let mut rows: Vec<(usize, Uuid, NewEntry)> = Vec::with_capacity(candidates.len());
        for (index, new) in candidates {
            match off_campaign_days(&new, days_of.get(&new.campaign_year).copied().flatten()) {
                Some(why) => answers[index] = Some(BatchOutcome::Rejected(why)),
                None => rows.push((index, Uuid::new_v4(), new)),
            }
        }
        // In client-id order, so concurrent batches take the unique-index locks in the same order
        // and cannot deadlock; the answers keep the order sent. One multi-row insert: a client id
        // stored before (or twice in this batch, or by a concurrent batch) is skipped.
        rows.sort_by(|a, b| a.2.client_id.cmp(&b.2.client_id));
        let now = crate::now();
        let mut inserted: BTreeSet<Uuid> = BTreeSet::new();
        for chunk in rows.chunks(MULTI_ROW) {
            let models = chunk.iter().map(|(_, id, new)| active_model(new, *id, None, now));
            let result = ledger_entry::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([ledger_entry::Column::GroupId, ledger_entry::Column::ClientId])
                        .do_nothing()
                        .to_owned(),
                )
                .try_insert()
                .exec_with_returning_keys(&txn)
                .await?;
            if let sea_orm::TryInsertResult::Inserted(ids) = result {
                inserted.extend(ids);
            }
        }
        let skipped: Vec<String> = rows
            .iter()
            .filter(|(_, id, _)| !inserted.contains(id))
            .filter_map(|(_, _, new)| new.client_id.clone())
            .collect();
        let stored_before = stored_ids(&txn, group, &skipped).await?;
        let mut contributions: Vec<&NewEntry> = Vec::with_capacity(inserted.len());
        for (index, id, new) in &rows {
            answers[*index] = Some(if inserted.contains(id) {
                contributions.push(new);
                BatchOutcome::Created(*id)
            } else {
                let client_id = new.client_id.as_deref().unwrap_or_default();
                let stored = stored_before
                    .get(client_id)
                    .copied()
                    .ok_or_else(|| StoreError::Corrupt("a duplicate client id vanished".to_owned()))?;
                BatchOutcome::Duplicate(stored)
            });
        }
        let codes: Vec<String> = contributions.iter().map(|n| n.municipality.to_string()).collect();
        totals::add_many(
            &txn,
            contributions
                .iter()
                .zip(&codes)
                .map(|(new, nis)| contribution(new, nis)),
        )
        .await?;
        let years: BTreeSet<i32> = contributions.iter().map(|n| n.campaign_year).collect();
        for year in years {
            totals::announce(&txn, year).await?;
        }
        let events = rows
            .iter()
            .filter(|(_, id, _)| inserted.contains(id))
            .map(|(_, id, new)| {
                let mut entry = entry_statement::new_entry(new, now);
                entry.id = *id;
                entry_data(&entry)
            })
            .collect();
        webhook_outbox::emit_many(&txn, EventType::EntryCreated, events).await?;
        let outcomes: Vec<BatchOutcome> = answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| BatchOutcome::Rejected("not processed".to_owned())))
            .collect();
        let mut event = AuditEvent::new("ledger.batch", "ledger_entry", "");
        event.entity_id = None;
        let detail = serde_json::json!({ "entries": outcomes.len(), "created": contributions.len() });
        record(&txn, ctx, event.with_detail(detail)).await?;
        txn.commit().await?;
        Ok(outcomes)
    }

    /// Stores many entries at once (demo data, benchmarks, imports) with their totals, in
    /// transactions of 1,000 entries. Returns how many were stored.
    pub async fn import(&self, entries: Vec<NewEntry>, ctx: &AuditContext) -> Result<usize, StoreError> {
        for chunk in entries.chunks(1000) {
            let txn = begin_write(&self.db).await?;
            let rows: Vec<ledger_entry::ActiveModel> = chunk
                .iter()
                .map(|new| active_model(new, Uuid::new_v4(), None, crate::now()))
                .collect();
            ledger_entry::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
            let codes: Vec<String> = chunk.iter().map(|n| n.municipality.to_string()).collect();
            totals::add_many(&txn, chunk.iter().zip(&codes).map(|(new, nis)| contribution(new, nis))).await?;
            let years: std::collections::BTreeSet<i32> = chunk.iter().map(|n| n.campaign_year).collect();
            for year in years {
                totals::announce(&txn, year).await?;
            }
            txn.commit().await?;
        }
        let mut event = AuditEvent::new("ledger.import", "ledger_entry", "");
        event.entity_id = None;
        record(
            &self.db,
            ctx,
            event.with_detail(serde_json::json!({ "entries": entries.len() })),
        )
        .await?;
        Ok(entries.len())
    }

    /// Appends the entry that reverses `original`. `Conflict` when it is a correction itself
    /// or was corrected already.
    pub async fn correct(
        &self,
        original: Uuid,
        reason: String,
        by: UserId,
        ctx: &AuditContext,
    ) -> Result<LedgerEntry, StoreError> {
        let txn = begin_write(&self.db).await?;
        let row = ledger_entry::Entity::find_by_id(original)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("there is no entry {original}")))?;
        if row.corrects_id.is_some() {
            return Err(StoreError::Conflict(format!(
                "entry {original} is a correction; correct the original entry instead"
            )));
        }
        writable_group(&txn, GroupId::from_uuid(row.group_id)).await?;
        let reversal = ledger_entry::ActiveModel {
            id: Set(Uuid::new_v4()),
            group_id: Set(row.group_id),
            campaign_year: Set(row.campaign_year),
            municipality_nis: Set(row.municipality_nis.clone()),
            kind: Set(EntryKind::Correction.as_str().to_owned()),
            product_id: Set(row.product_id),
            product_code: Set(row.product_code.clone()),
            quantity: Set(row.quantity.map(|q| -q)),
            unit_price_cents: Set(row.unit_price_cents),
            amount_cents: Set(-row.amount_cents),
            payment_method: Set(row.payment_method.clone()),
            // On the day of the original, so the totals of that day come out right.
            occurred_at: Set(row.occurred_at),
            activity_id: Set(row.activity_id),
            note: Set(Some(reason)),
            corrects_id: Set(Some(original)),
            client_id: Set(None),
            created_by: Set(by.as_uuid()),
            created_at: Set(crate::now()),
        };
        let inserted = ledger_entry::Entity::insert(reversal)
            .exec_with_returning(&txn)
            .await
            .map_err(|e| conflict_on_unique(e, || format!("entry {original} was corrected already")))?;
        totals::add(&txn, (&inserted).into()).await?;
        totals::announce(&txn, inserted.campaign_year).await?;
        record(&txn, ctx, entry_event("ledger.correct", &inserted)).await?;
        let reversal = to_domain(inserted);
        webhook_outbox::emit(&txn, EventType::EntryCorrected, entry_data(&reversal)).await?;
        txn.commit().await?;
        Ok(reversal)
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<LedgerEntry>, StoreError> {
        Ok(ledger_entry::Entity::find_by_id(id).one(&self.db).await?.map(to_domain))
    }

    /// The correction of an entry, if any.
    pub async fn correction_of(&self, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(ledger_entry::Entity::find()
            .filter(ledger_entry::Column::CorrectsId.eq(id))
            .one(&self.db)
            .await?
            .map(|row| row.id))
    }

    /// One page in time order (oldest or newest first), ties by id in the same direction.
    pub async fn list(&self, filter: &EntryFilter, limit: u64) -> Result<Vec<LedgerEntry>, StoreError> {
        let order = if filter.newest_first {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        };
        let mut query = ledger_entry::Entity::find()
            .order_by(ledger_entry::Column::OccurredAt, order.clone())
            .order_by(ledger_entry::Column::Id, order);
        if let Some(group) = filter.group {
            query = query.filter(ledger_entry::Column::GroupId.eq(group.as_uuid()));
        }
        if let Some(year) = filter.campaign_year {
            query = query.filter(ledger_entry::Column::CampaignYear.eq(year));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(ledger_entry::Column::Kind.eq(kind.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(ledger_entry::Column::OccurredAt.gte(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(ledger_entry::Column::OccurredAt.lt(to));
        }
        if let Some((at, id)) = filter.after {
            let (later, next) = if filter.newest_first {
                (ledger_entry::Column::OccurredAt.lt(at), ledger_entry::Column::Id.lt(id))
            } else {
                (ledger_entry::Column::OccurredAt.gt(at), ledger_entry::Column::Id.gt(id))
            };
            query = query.filter(
                Condition::any()
                    .add(later)
                    .add(Condition::all().add(ledger_entry::Column::OccurredAt.eq(at)).add(next)),
            );
        }
        Ok(query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect())
    }

    /// Entries and their sum for a campaign (or all), straight from the ledger.
    pub async fn sum(&self, campaign_year: Option<i32>) -> Result<(i64, i64), StoreError> {
        let mut query = ledger_entry::Entity::find()
            .select_only()
            .column_as(Expr::expr(Func::count(Expr::col(ledger_entry::Column::Id))), "entries")
            // SUM of a bigint is numeric on PostgreSQL: cast back to keep i64 cents.
            .column_as(
                Expr::expr(Func::cast_as(
                    Func::sum(Expr::col(ledger_entry::Column::AmountCents)),
                    "BIGINT",
                )),
                "raised",
            );
        if let Some(year) = campaign_year {
            query = query.filter(ledger_entry::Column::CampaignYear.eq(year));
        }
        let row: Option<(i64, Option<i64>)> = query.into_tuple().one(&self.db).await?;
        Ok(row.map_or((0, 0), |(n, sum)| (n, sum.unwrap_or(0))))
    }
}

fn contribution<'a>(new: &'a NewEntry, municipality_nis: &'a str) -> totals::Contribution<'a> {
    totals::Contribution {
        campaign_year: new.campaign_year,
        occurred_at: new.occurred_at,
        group: new.group.as_uuid(),
        municipality_nis,
        kind: new.kind.as_str(),
        product_code: new.sale.as_ref().map(|s| s.product_code.as_str()),
        payment_method: new.payment_method.as_str(),
        amount_cents: new.amount_cents,
    }
}

/// The row of `new`, created at `created_at`; times to the microsecond, as PostgreSQL keeps them
/// (what a webhook's payload says is what a later read gives).
fn active_model(
    new: &NewEntry,
    id: Uuid,
    corrects: Option<Uuid>,
    created_at: DateTime<Utc>,
) -> ledger_entry::ActiveModel {
    ledger_entry::ActiveModel {
        id: Set(id),
        group_id: Set(new.group.as_uuid()),
        campaign_year: Set(new.campaign_year),
        municipality_nis: Set(new.municipality.to_string()),
        kind: Set(new.kind.as_str().to_owned()),
        product_id: Set(new.sale.as_ref().map(|s| s.product_id)),
        product_code: Set(new.sale.as_ref().map(|s| s.product_code.clone())),
        quantity: Set(new.sale.as_ref().map(|s| s.quantity)),
        unit_price_cents: Set(new.sale.as_ref().map(|s| s.unit_price_cents)),
        amount_cents: Set(new.amount_cents),
        payment_method: Set(new.payment_method.as_str().to_owned()),
        occurred_at: Set(chrono::SubsecRound::trunc_subsecs(new.occurred_at, 6)),
        activity_id: Set(new.activity),
        note: Set(new.note.clone()),
        corrects_id: Set(corrects),
        client_id: Set(new.client_id.clone()),
        created_by: Set(new.created_by.as_uuid()),
        created_at: Set(created_at),
    }
}

/// The entry a group stored under a client id, read in the write's transaction.
async fn stored_entry(
    txn: &impl ConnectionTrait,
    group: GroupId,
    client_id: &str,
) -> Result<Option<ledger_entry::Model>, StoreError> {
    Ok(ledger_entry::Entity::find()
        .filter(ledger_entry::Column::GroupId.eq(group.as_uuid()))
        .filter(ledger_entry::Column::ClientId.eq(client_id))
        .one(txn)
        .await?)
}

/// Stores `new` if its group is active and its day is one of its campaign's
/// ([`entry_statement::checked_insert`]). `None` when nothing was stored: its client id was
/// stored before, or one of the checks failed ([`why_not_stored`] tells which).
async fn insert_checked(txn: &impl ConnectionTrait, new: &NewEntry) -> Result<Option<ledger_entry::Model>, StoreError> {
    let backend = txn.get_database_backend();
    let entry = entry_statement::new_entry(new, crate::now());
    let mut p = entry_statement::Params::default();
    let insert = entry_statement::checked_insert(&mut p, new, &entry, backend, "");
    let sql = format!("{insert} RETURNING {}", entry_statement::ENTRY_COLUMNS);
    Ok(ledger_entry::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, p.0))
        .one(txn)
        .await?)
}

/// Why [`insert_checked`] stored nothing: the entry stored before under its client id, or the
/// refusal (a deactivated group, a day outside the campaign).
async fn why_not_stored(txn: &impl ConnectionTrait, new: &NewEntry) -> Result<ledger_entry::Model, StoreError> {
    if let Some(client_id) = &new.client_id
        && let Some(row) = stored_entry(txn, new.group, client_id).await?
    {
        return Ok(row);
    }
    writable_group(txn, new.group).await?;
    let days = campaign_days(txn, new.campaign_year).await?;
    Err(StoreError::Conflict(off_campaign_days(new, days).unwrap_or_else(
        || {
            format!(
                "the entry could not be stored on the {} campaign; send it again",
                new.campaign_year
            )
        },
    )))
}

/// Of these client ids, those `group` stored, with their entries.
async fn stored_ids(
    conn: &impl ConnectionTrait,
    group: GroupId,
    client_ids: &[String],
) -> Result<HashMap<String, Uuid>, StoreError> {
    let mut stored = HashMap::new();
    // Bounded IN lists (a batch has at most 500 entries anyway).
    for chunk in client_ids.chunks(MULTI_ROW) {
        let rows: Vec<(Uuid, Option<String>)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::Id)
            .column(ledger_entry::Column::ClientId)
            .filter(ledger_entry::Column::GroupId.eq(group.as_uuid()))
            .filter(ledger_entry::Column::ClientId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        stored.extend(rows.into_iter().filter_map(|(id, client)| client.map(|c| (c, id))));
    }
    Ok(stored)
}

/// `Conflict` naming the group when it is deactivated. Read under a share lock on PostgreSQL
/// (entries of one group do not wait for each other; a deactivation waits for them, and an
/// entry that waited for a deactivation sees it); SQLite runs one write at a time.
async fn writable_group(txn: &impl ConnectionTrait, group: GroupId) -> Result<(), StoreError> {
    let row = volunteer_group::Entity::find_by_id(group.as_uuid())
        .lock(LockType::Share)
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Missing(format!("there is no group {group}")))?;
    if row.active {
        Ok(())
    } else {
        Err(StoreError::Conflict(inactive_for_money(&row.name, row.id)))
    }
}

fn entry_event(action: &'static str, row: &ledger_entry::Model) -> AuditEvent {
    AuditEvent::new(action, "ledger_entry", row.id).with_detail(serde_json::json!({
        "group_id": row.group_id, "kind": row.kind, "amount_cents": row.amount_cents, "corrects_id": row.corrects_id,
    }))
}

fn to_domain(row: ledger_entry::Model) -> LedgerEntry {
    LedgerEntry {
        id: row.id,
        group: GroupId::from_uuid(row.group_id),
        campaign_year: row.campaign_year,
        municipality_nis: row.municipality_nis,
        kind: row.kind,
        product_code: row.product_code,
        quantity: row.quantity,
        unit_price_cents: row.unit_price_cents,
        amount_cents: row.amount_cents,
        payment_method: row.payment_method,
        occurred_at: row.occurred_at,
        activity: row.activity_id,
        note: row.note,
        corrects: row.corrects_id,
        client_id: row.client_id,
        created_by: UserId::from_uuid(row.created_by),
        created_at: row.created_at,
    }
}

/// The days of a campaign (`None` without one), read inside the write's transaction under the
/// lightest share lock (FOR KEY SHARE: writers do not block each other with it, but the FOR
/// UPDATE of a change of dates waits for it; SQLite runs one write at a time). The API checked
/// the day before the transaction; reading again here means a concurrent change of the dates
/// either waits for this entry and sees it, or commits first and is seen here.
async fn campaign_days(
    txn: &impl ConnectionTrait,
    year: i32,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, StoreError> {
    Ok(campaign::Entity::find_by_id(year)
        .lock(LockType::KeyShare)
        .one(txn)
        .await?
        .map(|row| (row.starts_on, row.ends_on)))
}

/// Why `new` cannot be stored on its campaign's days, if it cannot.
fn off_campaign_days(new: &NewEntry, days: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> Option<String> {
    let Some(days) = days else {
        return Some(format!("there is no {} campaign", new.campaign_year));
    };
    let day = local_date(new.occurred_at);
    (!is_campaign_day(day, days)).then(|| {
        format!(
            "{day} is not a day of the {} campaign ({} to {}); its dates changed while the entry was sent",
            new.campaign_year, days.0, days.1
        )
    })
}

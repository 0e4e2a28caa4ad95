//! A single entry on PostgreSQL in one statement: the idempotency key claimed with the answer it
//! will keep, the entry stored if its group is active and its day is its campaign's (both read
//! under share locks), its 7 rollup rows, its webhook deliveries, its audit row and the totals'
//! notification. Data-modifying common table expressions run in one snapshot, each only if the
//! one before it wrote: no key claimed, no entry; no entry, no rollups, deliveries, audit or
//! notification. The caller's
//! transaction holds it with whatever follows when nothing was stored (a replay, a client id
//! stored before, a refusal).

use campaign_domain::ledger::local_date;
use campaign_domain::webhook::EventType;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::AuditContext;
use crate::idempotency::{IdempotencyKey, KEEP_FOR};
use crate::ledger::{LedgerEntry, NewEntry};
use crate::totals::{self, CHANNEL, Contribution};
use crate::webhook_outbox::{DELIVERY_COLUMNS, entry_data, envelope};

/// What the statement did.
pub(crate) enum Outcome {
    /// Stored, with its rollups, audit row and kept answer.
    Stored(Box<LedgerEntry>),
    /// The key was live (a retry, or the same key for another request): nothing was written.
    KeyTaken,
    /// The key (if any) was claimed but the entry was not stored: its client id was stored
    /// before, or a check failed. The claim still holds the answer of a new entry.
    NotStored,
}

/// The parameters of a statement, numbered as they are added.
#[derive(Default)]
pub(crate) struct Params(pub(crate) Vec<Value>);

impl Params {
    fn add(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }
}

/// The columns [`checked_insert`] writes, in order.
pub(crate) const ENTRY_COLUMNS: &str = "id, group_id, campaign_year, municipality_nis, kind, product_id, \
    product_code, quantity, unit_price_cents, amount_cents, payment_method, occurred_at, activity_id, note, \
    client_id, created_by, created_at";

/// `new` as it will be stored, with a new id, created `now`; times to the microsecond, as
/// PostgreSQL keeps them (an answer must be what a later read gives).
pub(crate) fn new_entry(new: &NewEntry, now: chrono::DateTime<chrono::Utc>) -> LedgerEntry {
    let sale = new.sale.as_ref();
    LedgerEntry {
        id: Uuid::new_v4(),
        group: new.group,
        campaign_year: new.campaign_year,
        municipality_nis: new.municipality.to_string(),
        kind: new.kind.as_str().to_owned(),
        product_code: sale.map(|s| s.product_code.clone()),
        quantity: sale.map(|s| s.quantity),
        unit_price_cents: sale.map(|s| s.unit_price_cents),
        amount_cents: new.amount_cents,
        payment_method: new.payment_method.as_str().to_owned(),
        occurred_at: chrono::SubsecRound::trunc_subsecs(new.occurred_at, 6),
        activity: new.activity,
        note: new.note.clone(),
        corrects: None,
        client_id: new.client_id.clone(),
        created_by: new.created_by,
        created_at: now,
    }
}

/// `INSERT … SELECT` of `entry` (made from `new` by [`new_entry`]) that stores it only if its
/// group is active and its day is one of its campaign's, and `also` (more `AND` conditions)
/// holds; on PostgreSQL it reads the group and the campaign under share locks, so a concurrent
/// deactivation or change of dates waits for this entry, or commits first and is seen here
/// (SQLite runs one write at a time). A client id stored before stores nothing either (a
/// concurrent insert of it is waited for). No `RETURNING`: the caller adds what it needs.
pub(crate) fn checked_insert(
    p: &mut Params,
    new: &NewEntry,
    entry: &LedgerEntry,
    backend: DbBackend,
    also: &str,
) -> String {
    let day = local_date(new.occurred_at);
    let lock = if backend == DbBackend::Postgres {
        " FOR SHARE OF g, c"
    } else {
        ""
    };
    format!(
        "INSERT INTO ledger_entry ({ENTRY_COLUMNS}) \
         SELECT {}, g.id, c.year, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} \
         FROM volunteer_group g JOIN campaign c ON c.year = {} \
         WHERE g.id = {} AND g.active AND c.starts_on <= {} AND c.ends_on >= {}{also}{lock} \
         ON CONFLICT (group_id, client_id) DO NOTHING",
        p.add(entry.id),
        p.add(entry.municipality_nis.clone()),
        p.add(new.kind.as_str()),
        p.add(new.sale.as_ref().map(|s| s.product_id)),
        p.add(entry.product_code.clone()),
        p.add(entry.quantity),
        p.add(entry.unit_price_cents),
        p.add(entry.amount_cents),
        p.add(new.payment_method.as_str()),
        p.add(entry.occurred_at),
        p.add(entry.activity),
        p.add(entry.note.clone()),
        p.add(entry.client_id.clone()),
        p.add(entry.created_by.as_uuid()),
        p.add(entry.created_at),
        p.add(new.campaign_year),
        p.add(new.group.as_uuid()),
        p.add(day),
        p.add(day),
    )
}

/// Runs the statement for `new` on `txn`. `render` gives the answer (status, JSON) to keep under
/// `key` for the entry as it will be stored.
pub(crate) async fn store(
    txn: &impl ConnectionTrait,
    new: &NewEntry,
    ctx: &AuditContext,
    key: Option<&IdempotencyKey>,
    render: &impl Fn(&LedgerEntry, bool) -> (u16, String),
) -> Result<Outcome, StoreError> {
    let now = crate::now();
    let entry = new_entry(new, now);
    let mut p = Params::default();
    let mut sql = String::from("WITH ");
    if let Some(key) = key {
        let (status, body) = render(&entry, false);
        sql.push_str(&format!(
            "claim AS (INSERT INTO idempotency_key \
             (user_id, key, fingerprint, response_status, response_body, created_at, expires_at) \
             VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (user_id, key) DO UPDATE SET \
             fingerprint = excluded.fingerprint, response_status = excluded.response_status, \
             response_body = excluded.response_body, created_at = excluded.created_at, \
             expires_at = excluded.expires_at WHERE idempotency_key.expires_at < {} RETURNING 1), ",
            p.add(key.user.as_uuid()),
            p.add(key.key.clone()),
            p.add(key.fingerprint.clone()),
            p.add(i32::from(status)),
            p.add(body),
            p.add(now),
            p.add(now + KEEP_FOR),
            p.add(now),
        ));
    }
    let also = if key.is_some() {
        " AND EXISTS (SELECT 1 FROM claim)"
    } else {
        ""
    };
    let insert = checked_insert(&mut p, new, &entry, txn.get_database_backend(), also);
    sql.push_str(&format!("entry AS ({insert} RETURNING id), "));
    let rollups = totals::rollup_sums([Contribution {
        campaign_year: new.campaign_year,
        occurred_at: new.occurred_at,
        group: new.group.as_uuid(),
        municipality_nis: &entry.municipality_nis,
        kind: new.kind.as_str(),
        product_code: entry.product_code.as_deref(),
        payment_method: new.payment_method.as_str(),
        amount_cents: new.amount_cents,
    }]);
    let rows: Vec<String> = rollups
        .into_iter()
        .map(|((year, dimension, key, group, municipality), (cents, entries))| {
            format!(
                "({}, {}, {}, {}, {}, {}, {})",
                p.add(year),
                p.add(dimension),
                p.add(key),
                p.add(group),
                p.add(municipality),
                p.add(cents),
                p.add(entries),
            )
        })
        .collect();
    sql.push_str(&format!(
        "rollup AS (INSERT INTO ledger_rollup (campaign_year, dimension, key, group_id, municipality_nis, \
         raised_cents, entries) SELECT v.y, v.d, v.k, v.g, v.m, v.r, v.e FROM (VALUES {}) \
         AS v (y, d, k, g, m, r, e) WHERE EXISTS (SELECT 1 FROM entry) \
         ON CONFLICT (campaign_year, dimension, key, group_id, municipality_nis) DO UPDATE SET \
         raised_cents = ledger_rollup.raised_cents + excluded.raised_cents, \
         entries = ledger_rollup.entries + excluded.entries), ",
        rows.join(", ")
    ));
    let detail = serde_json::json!({
        "group_id": new.group.as_uuid(), "kind": entry.kind, "amount_cents": new.amount_cents, "corrects_id": null,
    });
    // The event for webhooks, in the outbox of every endpoint that hears of new entries.
    let event = EventType::EntryCreated.as_str();
    sql.push_str(&format!(
        "hooks AS (INSERT INTO webhook_delivery ({DELIVERY_COLUMNS}) \
         SELECT s.endpoint_id, {}, {}, {}, {}, {}, 'pending', 0, {}, 0 FROM entry \
         CROSS JOIN webhook_subscription s JOIN webhook_endpoint e ON e.id = s.endpoint_id \
         WHERE s.event_type = {} AND e.enabled), ",
        p.add(Uuid::new_v4()),
        p.add(event),
        p.add(envelope(event, now, entry_data(&entry))),
        p.add(now),
        p.add(now),
        p.add(now),
        p.add(event),
    ));
    sql.push_str(&format!(
        "audit AS (INSERT INTO audit_log (at, actor_id, action, entity, entity_id, request_id, client_addr, \
         subject, detail) SELECT {}, {}, 'ledger.create', 'ledger_entry', {}, {}, {}, NULL, {} FROM entry) \
         SELECT {} AS claimed, (SELECT count(*) FROM entry) AS stored, \
         (SELECT pg_notify({}, {}) FROM entry) AS notified",
        p.add(now),
        p.add(ctx.actor.map(|a| a.as_uuid())),
        p.add(entry.id.to_string()),
        p.add(ctx.request_id.clone()),
        p.add(ctx.client_addr.clone()),
        p.add(detail.to_string()),
        if key.is_some() {
            "(SELECT count(*) FROM claim)"
        } else {
            "CAST(1 AS bigint)"
        },
        p.add(CHANNEL),
        p.add(new.campaign_year.to_string()),
    ));
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(txn.get_database_backend(), sql, p.0))
        .await?
        .ok_or_else(|| StoreError::Corrupt("the entry's statement answered no row".to_owned()))?;
    let claimed: i64 = row.try_get("", "claimed")?;
    let stored: i64 = row.try_get("", "stored")?;
    Ok(match (claimed, stored) {
        (0, _) => Outcome::KeyTaken,
        (_, 0) => Outcome::NotStored,
        _ => Outcome::Stored(Box::new(entry)),
    })
}

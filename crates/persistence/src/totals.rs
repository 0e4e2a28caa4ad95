//! Money raised, kept up to date in the transaction of every ledger write (one upsert of a
//! finely keyed row), and checked against the ledger by `campaign verify-totals`.

use std::collections::{BTreeMap, HashMap};

use campaign_domain::ids::GroupId;
use campaign_domain::ledger::local_date;
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::StoreError;
use crate::entities::{ledger_entry, ledger_total, municipality, product, volunteer_group};

/// What a ledger entry adds to the totals.
pub(crate) struct Contribution<'a> {
    pub campaign_year: i32,
    pub occurred_at: DateTime<Utc>,
    pub group: Uuid,
    pub municipality_nis: &'a str,
    pub kind: &'a str,
    pub product_code: Option<&'a str>,
    pub payment_method: &'a str,
    pub amount_cents: i64,
}

impl<'a> From<&'a ledger_entry::Model> for Contribution<'a> {
    fn from(row: &'a ledger_entry::Model) -> Self {
        Self {
            campaign_year: row.campaign_year,
            occurred_at: row.occurred_at,
            group: row.group_id,
            municipality_nis: &row.municipality_nis,
            kind: &row.kind,
            product_code: row.product_code.as_deref(),
            payment_method: &row.payment_method,
            amount_cents: row.amount_cents,
        }
    }
}

/// Adds one entry to the totals, on `txn` (the transaction of the entry).
pub(crate) async fn add(txn: &impl ConnectionTrait, c: Contribution<'_>) -> Result<(), StoreError> {
    use ledger_total::Column as T;
    let qualified = |col: T| Expr::col((ledger_total::Entity, col));
    let excluded = |col: T| Expr::col((Alias::new("excluded"), col));
    ledger_total::Entity::insert(ledger_total::ActiveModel {
        campaign_year: Set(c.campaign_year),
        day: Set(local_date(c.occurred_at)),
        group_id: Set(c.group),
        municipality_nis: Set(c.municipality_nis.to_owned()),
        kind: Set(c.kind.to_owned()),
        product_code: Set(c.product_code.unwrap_or_default().to_owned()),
        payment_method: Set(c.payment_method.to_owned()),
        raised_cents: Set(c.amount_cents),
        entries: Set(1),
    })
    .on_conflict(
        OnConflict::columns([
            T::CampaignYear,
            T::Day,
            T::GroupId,
            T::MunicipalityNis,
            T::Kind,
            T::ProductCode,
            T::PaymentMethod,
        ])
        .value(T::RaisedCents, qualified(T::RaisedCents).add(excluded(T::RaisedCents)))
        .value(T::Entries, qualified(T::Entries).add(excluded(T::Entries)))
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The PostgreSQL channel on which committed ledger writes announce their campaign year.
pub const CHANNEL: &str = "campaign_totals";

/// On PostgreSQL, announces a change of a campaign's totals to every server process; the
/// notification is delivered when (and only if) the transaction commits.
pub(crate) async fn announce(txn: &impl ConnectionTrait, campaign_year: i32) -> Result<(), StoreError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '{campaign_year}')"))
            .await?;
    }
    Ok(())
}

/// On PostgreSQL, calls `on_change` with the campaign year of every committed ledger write, by
/// any server process, until `keep_going` says stop; reconnects after a failure.
pub async fn listen_for_changes(db: DatabaseConnection, on_change: impl Fn(i32), keep_going: impl Fn() -> bool) {
    use sea_orm::sqlx::postgres::PgListener;
    while keep_going() {
        let listening = async {
            let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
            listener.listen(CHANNEL).await?;
            loop {
                let notification = listener.recv().await?;
                if let Ok(year) = notification.payload().parse::<i32>() {
                    on_change(year);
                }
            }
        };
        let result: Result<(), sea_orm::sqlx::Error> = listening.await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "listening for totals changes failed; retrying in 5 s");
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// A campaign's totals, or one municipality's or group's share of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub raised_cents: i64,
    pub entries: i64,
    pub groups_reporting: i64,
    pub municipalities_reporting: i64,
    /// (kind, raised, entries), by kind.
    pub by_kind: Vec<(String, i64, i64)>,
}

/// What totals can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Province,
    Municipality,
    Group,
    Product,
    PaymentMethod,
    Day,
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub key: String,
    pub label: String,
    pub raised_cents: i64,
    pub entries: i64,
}

/// Which part of the totals a reader may see.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotalsScope {
    pub municipality: Option<NisCode>,
    pub group: Option<GroupId>,
}

type Key = (i32, NaiveDate, Uuid, String, String, String, String);

#[derive(Clone)]
pub struct TotalsRepo {
    db: DatabaseConnection,
}

impl TotalsRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn rows(&self, year: i32, scope: TotalsScope) -> Result<Vec<ledger_total::Model>, StoreError> {
        let mut query = ledger_total::Entity::find().filter(ledger_total::Column::CampaignYear.eq(year));
        if let Some(nis) = scope.municipality {
            query = query.filter(ledger_total::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(group) = scope.group {
            query = query.filter(ledger_total::Column::GroupId.eq(group.as_uuid()));
        }
        Ok(query.all(&self.db).await?)
    }

    pub async fn summary(&self, year: i32, scope: TotalsScope) -> Result<Summary, StoreError> {
        let rows = self.rows(year, scope).await?;
        let mut summary = Summary::default();
        let mut kinds: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut groups = std::collections::HashSet::new();
        let mut places = std::collections::HashSet::new();
        for row in &rows {
            summary.raised_cents = summary.raised_cents.saturating_add(row.raised_cents);
            summary.entries += row.entries;
            groups.insert(row.group_id);
            places.insert(row.municipality_nis.clone());
            let kind = kinds.entry(row.kind.clone()).or_default();
            kind.0 += row.raised_cents;
            kind.1 += row.entries;
        }
        summary.groups_reporting = groups.len() as i64;
        summary.municipalities_reporting = places.len() as i64;
        summary.by_kind = kinds.into_iter().map(|(k, (r, e))| (k, r, e)).collect();
        Ok(summary)
    }

    /// The totals broken down by `dimension`, largest first (days in date order).
    pub async fn by(&self, year: i32, dimension: Dimension, scope: TotalsScope) -> Result<Vec<TotalRow>, StoreError> {
        let rows = self.rows(year, scope).await?;
        let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for row in &rows {
            let key = match dimension {
                Dimension::Province => NisCode::parse(&row.municipality_nis)
                    .ok()
                    .and_then(|c| c.province())
                    .map_or_else(|| "unknown".to_owned(), |p| p.name().to_owned()),
                Dimension::Municipality => row.municipality_nis.clone(),
                Dimension::Group => row.group_id.to_string(),
                Dimension::Product => row.product_code.clone(),
                Dimension::PaymentMethod => row.payment_method.clone(),
                Dimension::Day => row.day.to_string(),
            };
            let sum = sums.entry(key).or_default();
            sum.0 += row.raised_cents;
            sum.1 += row.entries;
        }
        let labels = self.labels(year, dimension).await?;
        let mut out: Vec<TotalRow> = sums
            .into_iter()
            .map(|(key, (raised_cents, entries))| TotalRow {
                label: labels.get(&key).cloned().unwrap_or_else(|| {
                    if key.is_empty() {
                        "(no product)".to_owned()
                    } else {
                        key.clone()
                    }
                }),
                key,
                raised_cents,
                entries,
            })
            .collect();
        if dimension != Dimension::Day {
            out.sort_by(|a, b| b.raised_cents.cmp(&a.raised_cents).then(a.key.cmp(&b.key)));
        }
        Ok(out)
    }

    async fn labels(&self, year: i32, dimension: Dimension) -> Result<HashMap<String, String>, StoreError> {
        Ok(match dimension {
            Dimension::Municipality => municipality::Entity::find()
                .select_only()
                .column(municipality::Column::NisCode)
                .column(municipality::Column::NameNl)
                .into_tuple::<(String, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect(),
            Dimension::Group => volunteer_group::Entity::find()
                .select_only()
                .column(volunteer_group::Column::Id)
                .column(volunteer_group::Column::Name)
                .into_tuple::<(Uuid, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            Dimension::Product => product::Entity::find()
                .select_only()
                .column(product::Column::Code)
                .column(product::Column::Name)
                .filter(product::Column::CampaignYear.eq(year))
                .into_tuple::<(String, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect(),
            _ => HashMap::new(),
        })
    }

    /// Recomputes every total from the ledger and lists where the kept totals differ.
    pub async fn verify(&self) -> Result<Vec<String>, StoreError> {
        let from_ledger = self.recompute().await?;
        let kept: BTreeMap<Key, (i64, i64)> = ledger_total::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                (
                    (
                        r.campaign_year,
                        r.day,
                        r.group_id,
                        r.municipality_nis,
                        r.kind,
                        r.product_code,
                        r.payment_method,
                    ),
                    (r.raised_cents, r.entries),
                )
            })
            .collect();
        let mut differences = Vec::new();
        for (key, expected) in &from_ledger {
            match kept.get(key) {
                Some(found) if found == expected => {}
                found => differences.push(format!(
                    "{} {} group {} {} {} {} {}: ledger says {} cents in {} entries, totals say {:?}",
                    key.0, key.1, key.2, key.3, key.4, key.5, key.6, expected.0, expected.1, found
                )),
            }
        }
        for key in kept.keys().filter(|k| !from_ledger.contains_key(*k)) {
            differences.push(format!(
                "{} {} group {} {} {} {} {}: kept in the totals but not in the ledger",
                key.0, key.1, key.2, key.3, key.4, key.5, key.6
            ));
        }
        Ok(differences)
    }

    /// Replaces the kept totals with a recomputation from the ledger, in one transaction.
    pub async fn rebuild(&self) -> Result<usize, StoreError> {
        let from_ledger = self.recompute().await?;
        let txn = self.db.begin().await?;
        ledger_total::Entity::delete_many().exec(&txn).await?;
        for (
            (campaign_year, day, group_id, municipality_nis, kind, product_code, payment_method),
            (raised_cents, entries),
        ) in &from_ledger
        {
            ledger_total::Entity::insert(ledger_total::ActiveModel {
                campaign_year: Set(*campaign_year),
                day: Set(*day),
                group_id: Set(*group_id),
                municipality_nis: Set(municipality_nis.clone()),
                kind: Set(kind.clone()),
                product_code: Set(product_code.clone()),
                payment_method: Set(payment_method.clone()),
                raised_cents: Set(*raised_cents),
                entries: Set(*entries),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(from_ledger.len())
    }

    async fn recompute(&self) -> Result<BTreeMap<Key, (i64, i64)>, StoreError> {
        let mut totals: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
        let mut last: Option<Uuid> = None;
        // In pages, so a million entries never sit in memory at once.
        loop {
            let mut query = ledger_entry::Entity::find()
                .select_only()
                .columns([
                    ledger_entry::Column::Id,
                    ledger_entry::Column::CampaignYear,
                    ledger_entry::Column::OccurredAt,
                    ledger_entry::Column::GroupId,
                    ledger_entry::Column::MunicipalityNis,
                    ledger_entry::Column::Kind,
                    ledger_entry::Column::ProductCode,
                    ledger_entry::Column::PaymentMethod,
                    ledger_entry::Column::AmountCents,
                ])
                .order_by_asc(ledger_entry::Column::Id);
            if let Some(last) = last {
                query = query.filter(ledger_entry::Column::Id.gt(last));
            }
            type Row = (
                Uuid,
                i32,
                DateTime<Utc>,
                Uuid,
                String,
                String,
                Option<String>,
                String,
                i64,
            );
            let page: Vec<Row> = query.limit(10_000).into_tuple().all(&self.db).await?;
            let Some(tail) = page.last() else { break };
            last = Some(tail.0);
            for (_, year, at, group, nis, kind, product, method, amount) in page {
                let total = totals
                    .entry((
                        year,
                        local_date(at),
                        group,
                        nis,
                        kind,
                        product.unwrap_or_default(),
                        method,
                    ))
                    .or_default();
                total.0 += amount;
                total.1 += 1;
            }
        }
        Ok(totals)
    }
}

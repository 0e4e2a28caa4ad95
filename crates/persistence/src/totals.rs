//! Money raised, kept up to date in the transaction of every ledger write, and checked against
//! the ledger by `campaign verify-totals`.
//!
//! Each entry adds to one rollup row per dimension (kind, province, municipality, group,
//! product, payment method, day), keyed also by its group and municipality: a write touches only
//! rows of its own group, so writers of different groups never wait for each other, and a read
//! sums at most a few thousand rows however large the ledger grows.

use std::collections::{BTreeMap, HashMap};

use campaign_domain::ids::GroupId;
use campaign_domain::ledger::{day_starts_at, local_date};
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IsolationLevel,
    QueryFilter, QueryOrder, QuerySelect, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{ledger_entry, ledger_rollup, municipality, product, volunteer_group};
use crate::{StoreError, begin_write};

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

/// Day rows are spread over this many buckets of groups instead of one row per group: few rows
/// to read (60 days × 16), and writers of one day still rarely meet on a row.
const DAY_BUCKETS: u128 = 16;

impl Contribution<'_> {
    /// Every rollup row this entry adds to: (dimension, key, group, municipality).
    fn rows(&self) -> [(&'static str, String, Uuid, String); 7] {
        let province = NisCode::parse(self.municipality_nis)
            .ok()
            .and_then(|c| c.province())
            .map_or_else(|| "unknown".to_owned(), |p| p.name().to_owned());
        let own =
            |dimension: Dimension, key: String| (dimension.as_str(), key, self.group, self.municipality_nis.to_owned());
        [
            own(Dimension::Kind, self.kind.to_owned()),
            own(Dimension::Province, province),
            own(Dimension::Municipality, self.municipality_nis.to_owned()),
            own(Dimension::Group, self.group.to_string()),
            own(Dimension::Product, self.product_code.unwrap_or_default().to_owned()),
            own(Dimension::PaymentMethod, self.payment_method.to_owned()),
            (
                Dimension::Day.as_str(),
                local_date(self.occurred_at).to_string(),
                Uuid::from_u128(self.group.as_u128() % DAY_BUCKETS),
                String::new(),
            ),
        ]
    }
}

/// The row of one summed rollup key.
fn rollup_row(
    ((campaign_year, dimension, key, group_id, municipality_nis), (raised_cents, entries)): (Key, (i64, i64)),
) -> ledger_rollup::ActiveModel {
    ledger_rollup::ActiveModel {
        campaign_year: Set(campaign_year),
        dimension: Set(dimension),
        key: Set(key),
        group_id: Set(group_id),
        municipality_nis: Set(municipality_nis),
        raised_cents: Set(raised_cents),
        entries: Set(entries),
    }
}

/// Adds one entry to the totals, on `txn` (the transaction of the entry).
pub(crate) async fn add(txn: &impl ConnectionTrait, c: Contribution<'_>) -> Result<(), StoreError> {
    add_many(txn, [c]).await
}

/// Adds entries to the totals, summed per rollup row first, and in one fixed order (sorted
/// keys), so concurrent writers lock rows in the same order and cannot deadlock.
pub(crate) async fn add_many<'a>(
    txn: &impl ConnectionTrait,
    contributions: impl IntoIterator<Item = Contribution<'a>>,
) -> Result<(), StoreError> {
    use ledger_rollup::Column as R;
    let sums = rollup_sums(contributions);
    let qualified = |col: R| Expr::col((ledger_rollup::Entity, col));
    let excluded = |col: R| Expr::col((Alias::new("excluded"), col));
    let rows: Vec<ledger_rollup::ActiveModel> = sums.into_iter().map(rollup_row).collect();
    for chunk in rows.chunks(1000) {
        ledger_rollup::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([R::CampaignYear, R::Dimension, R::Key, R::GroupId, R::MunicipalityNis])
                    .value(R::RaisedCents, qualified(R::RaisedCents).add(excluded(R::RaisedCents)))
                    .value(R::Entries, qualified(R::Entries).add(excluded(R::Entries)))
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The rollup rows these entries add to, each with (cents, entries) summed, in key order (the
/// order in which writers lock them, so that they cannot deadlock).
pub(crate) fn rollup_sums<'a>(contributions: impl IntoIterator<Item = Contribution<'a>>) -> BTreeMap<Key, (i64, i64)> {
    let mut sums: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for c in contributions {
        add_to(&mut sums, &c);
    }
    sums
}

/// Adds one entry's contribution to summed rollup rows.
fn add_to(sums: &mut BTreeMap<Key, (i64, i64)>, c: &Contribution<'_>) {
    for (dimension, key, group, municipality) in c.rows() {
        let sum = sums
            .entry((c.campaign_year, dimension.to_owned(), key, group, municipality))
            .or_default();
        sum.0 += c.amount_cents;
        sum.1 += 1;
    }
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
    let on = move |heard: crate::notifications::Heard<'_>| {
        if let crate::notifications::Heard::Payload(payload) = heard
            && let Ok(year) = payload.parse::<i32>()
        {
            on_change(year);
        }
    };
    crate::notifications::listen(db, CHANNEL, on, keep_going).await;
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
    Kind,
    Province,
    Municipality,
    Group,
    Product,
    PaymentMethod,
    Day,
}

impl Dimension {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Province => "province",
            Self::Municipality => "municipality",
            Self::Group => "group",
            Self::Product => "product",
            Self::PaymentMethod => "payment_method",
            Self::Day => "day",
        }
    }
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

/// A rollup row's key: (campaign year, dimension, key, group, municipality).
pub(crate) type Key = (i32, String, String, Uuid, String);

#[derive(Clone)]
pub struct TotalsRepo {
    db: DatabaseConnection,
}

fn summed() -> [(sea_orm::sea_query::SimpleExpr, &'static str); 2] {
    let sum = |col: ledger_rollup::Column| Expr::expr(Func::cast_as(Func::sum(Expr::col(col)), "BIGINT"));
    [
        (sum(ledger_rollup::Column::RaisedCents), "raised"),
        (sum(ledger_rollup::Column::Entries), "entries"),
    ]
}

impl TotalsRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    fn scoped(year: i32, dimension: Dimension, scope: TotalsScope) -> sea_orm::Select<ledger_rollup::Entity> {
        let mut query = ledger_rollup::Entity::find()
            .filter(ledger_rollup::Column::CampaignYear.eq(year))
            .filter(ledger_rollup::Column::Dimension.eq(dimension.as_str()));
        if let Some(nis) = scope.municipality {
            query = query.filter(ledger_rollup::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(group) = scope.group {
            query = query.filter(ledger_rollup::Column::GroupId.eq(group.as_uuid()));
        }
        query
    }

    /// (key, raised, entries) per key of a dimension, summed in the database.
    async fn sums(
        &self,
        year: i32,
        dimension: Dimension,
        scope: TotalsScope,
    ) -> Result<Vec<(String, i64, i64)>, StoreError> {
        let [raised, entries] = summed();
        Ok(Self::scoped(year, dimension, scope)
            .select_only()
            .column(ledger_rollup::Column::Key)
            .column_as(raised.0, raised.1)
            .column_as(entries.0, entries.1)
            .group_by(ledger_rollup::Column::Key)
            .order_by_asc(ledger_rollup::Column::Key)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Entries and money raised over every campaign (for metrics).
    pub async fn grand_total(&self) -> Result<(i64, i64), StoreError> {
        let [raised, entries] = summed();
        let row: Option<(Option<i64>, Option<i64>)> = ledger_rollup::Entity::find()
            .filter(ledger_rollup::Column::Dimension.eq(Dimension::Kind.as_str()))
            .select_only()
            .column_as(entries.0, entries.1)
            .column_as(raised.0, raised.1)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(row.map_or((0, 0), |(e, r)| (e.unwrap_or(0), r.unwrap_or(0))))
    }

    /// Money raised per campaign year, over every campaign with entries (for metrics).
    pub async fn raised_by_campaign(&self) -> Result<Vec<(i32, i64)>, StoreError> {
        let [raised, _] = summed();
        let rows: Vec<(i32, Option<i64>)> = ledger_rollup::Entity::find()
            .filter(ledger_rollup::Column::Dimension.eq(Dimension::Kind.as_str()))
            .select_only()
            .column(ledger_rollup::Column::CampaignYear)
            .column_as(raised.0, raised.1)
            .group_by(ledger_rollup::Column::CampaignYear)
            .order_by_asc(ledger_rollup::Column::CampaignYear)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|(year, r)| (year, r.unwrap_or(0))).collect())
    }

    /// Money raised in a campaign on its days up to `last_day` (a Belgian calendar day, included)
    /// within `scope`. The whole campaign is read from the day totals; a group's or a
    /// municipality's share from the ledger entries of its groups (through the index on group
    /// and time), since day totals are not kept per group.
    pub async fn raised_until(&self, year: i32, scope: TotalsScope, last_day: NaiveDate) -> Result<i64, StoreError> {
        let [raised, _] = summed();
        if scope.group.is_none() && scope.municipality.is_none() {
            let row: Option<Option<i64>> = Self::scoped(year, Dimension::Day, scope)
                .filter(ledger_rollup::Column::Key.lte(last_day.to_string()))
                .select_only()
                .column_as(raised.0, raised.1)
                .into_tuple()
                .one(&self.db)
                .await?;
            return Ok(row.flatten().unwrap_or(0));
        }
        let before = last_day.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, day_starts_at);
        if let (Some(nis), None) = (scope.municipality, scope.group) {
            // Read from the index on (municipality, campaign, time, amount) alone.
            let sum: Option<Option<i64>> = ledger_entry::Entity::find()
                .filter(ledger_entry::Column::MunicipalityNis.eq(nis.to_string()))
                .filter(ledger_entry::Column::CampaignYear.eq(year))
                .filter(ledger_entry::Column::OccurredAt.lt(before))
                .select_only()
                .column_as(
                    Expr::expr(Func::cast_as(
                        Func::sum(Expr::col(ledger_entry::Column::AmountCents)),
                        "BIGINT",
                    )),
                    "raised",
                )
                .into_tuple()
                .one(&self.db)
                .await?;
            return Ok(sum.flatten().unwrap_or(0));
        }
        let groups: Vec<Uuid> = match scope.group {
            Some(group) => vec![group.as_uuid()],
            None => {
                Self::scoped(year, Dimension::Group, scope)
                    .select_only()
                    .column(ledger_rollup::Column::GroupId)
                    .distinct()
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
        };
        if groups.is_empty() {
            return Ok(0);
        }
        let mut total = 0i64;
        for chunk in groups.chunks(500) {
            let mut query = ledger_entry::Entity::find()
                .filter(ledger_entry::Column::GroupId.is_in(chunk.to_vec()))
                .filter(ledger_entry::Column::CampaignYear.eq(year))
                .filter(ledger_entry::Column::OccurredAt.lt(before));
            if let Some(nis) = scope.municipality {
                query = query.filter(ledger_entry::Column::MunicipalityNis.eq(nis.to_string()));
            }
            let sum: Option<Option<i64>> = query
                .select_only()
                .column_as(
                    Expr::expr(Func::cast_as(
                        Func::sum(Expr::col(ledger_entry::Column::AmountCents)),
                        "BIGINT",
                    )),
                    "raised",
                )
                .into_tuple()
                .one(&self.db)
                .await?;
            total = total.saturating_add(sum.flatten().unwrap_or(0));
        }
        Ok(total)
    }

    /// A group's totals per Belgian calendar day of a campaign, in date order, from its ledger
    /// entries (day totals are not kept per group; a group's entries are read through the index
    /// on group and time, two columns each).
    pub async fn group_days(&self, year: i32, group: GroupId) -> Result<Vec<TotalRow>, StoreError> {
        let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
        let mut after: Option<(DateTime<Utc>, Uuid)> = None;
        loop {
            let mut query = ledger_entry::Entity::find()
                .filter(ledger_entry::Column::GroupId.eq(group.as_uuid()))
                .filter(ledger_entry::Column::CampaignYear.eq(year))
                .order_by_asc(ledger_entry::Column::OccurredAt)
                .order_by_asc(ledger_entry::Column::Id);
            if let Some((at, id)) = after {
                query = query.filter(
                    sea_orm::Condition::any()
                        .add(ledger_entry::Column::OccurredAt.gt(at))
                        .add(
                            sea_orm::Condition::all()
                                .add(ledger_entry::Column::OccurredAt.eq(at))
                                .add(ledger_entry::Column::Id.gt(id)),
                        ),
                );
            }
            let page: Vec<(DateTime<Utc>, Uuid, i64)> = query
                .select_only()
                .column(ledger_entry::Column::OccurredAt)
                .column(ledger_entry::Column::Id)
                .column(ledger_entry::Column::AmountCents)
                .limit(10_000)
                .into_tuple()
                .all(&self.db)
                .await?;
            let Some(&(at, id, _)) = page.last() else { break };
            after = Some((at, id));
            for (at, _, amount) in &page {
                let day = days.entry(local_date(*at)).or_default();
                day.0 = day.0.saturating_add(*amount);
                day.1 += 1;
            }
        }
        Ok(days
            .into_iter()
            .map(|(day, (raised_cents, entries))| TotalRow {
                key: day.to_string(),
                label: day.to_string(),
                raised_cents,
                entries,
            })
            .collect())
    }

    pub async fn summary(&self, year: i32, scope: TotalsScope) -> Result<Summary, StoreError> {
        let by_kind = self.sums(year, Dimension::Kind, scope).await?;
        let (groups, places): (i64, i64) = Self::scoped(year, Dimension::Kind, scope)
            .select_only()
            .column_as(Expr::cust("COUNT(DISTINCT group_id)"), "groups")
            .column_as(Expr::cust("COUNT(DISTINCT municipality_nis)"), "places")
            .into_tuple()
            .one(&self.db)
            .await?
            .unwrap_or((0, 0));
        Ok(Summary {
            raised_cents: by_kind
                .iter()
                .fold(0i64, |sum, (_, raised, _)| sum.saturating_add(*raised)),
            entries: by_kind.iter().map(|(_, _, entries)| entries).sum(),
            groups_reporting: groups,
            municipalities_reporting: places,
            by_kind,
        })
    }

    /// The totals broken down by `dimension`, largest first (days in date order). Day rows
    /// carry no group or municipality, so a scope narrows every dimension but `Day`.
    pub async fn by(&self, year: i32, dimension: Dimension, scope: TotalsScope) -> Result<Vec<TotalRow>, StoreError> {
        let sums = self.sums(year, dimension, scope).await?;
        let labels = self.labels(year, dimension).await?;
        let mut out: Vec<TotalRow> = sums
            .into_iter()
            .map(|(key, raised_cents, entries)| TotalRow {
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
    ///
    /// Ledger and totals are read in one snapshot (PostgreSQL: a REPEATABLE READ, READ ONLY
    /// transaction; SQLite: one read transaction), so entries written meanwhile are either in both
    /// or in neither, and a busy server never shows a difference that is not there.
    pub async fn verify(&self) -> Result<Vec<String>, StoreError> {
        let options = match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => TransactionOptions {
                isolation_level: Some(IsolationLevel::RepeatableRead),
                access_mode: Some(AccessMode::ReadOnly),
                ..TransactionOptions::default()
            },
            _ => TransactionOptions::default(),
        };
        let txn = self.db.begin_with_options(options).await?;
        let recomputed = recompute(&txn).await?;
        let kept = kept(&txn).await?;
        txn.commit().await?;
        Ok(differences(&recomputed, &kept))
    }

    /// Replaces the kept totals with a recomputation from the ledger where they differ, safely
    /// while servers write entries: nothing committed before or during the repair is lost.
    ///
    /// One transaction reads the ledger and writes the totals while ledger writes wait: on
    /// PostgreSQL it locks `ledger_entry` in SHARE mode (it waits for writes in progress to
    /// commit, and new ones wait for the repair) and then `ledger_rollup` in EXCLUSIVE mode
    /// (reads of the totals go on); every ledger write inserts its entry before it adds to the
    /// totals, so this order cannot deadlock. On SQLite the IMMEDIATE transaction holds the write
    /// lock. Writes that waited then add to the repaired totals.
    pub async fn repair(&self) -> Result<Repair, StoreError> {
        let txn = begin_write(&self.db).await?;
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            txn.execute_unprepared("LOCK TABLE ledger_entry IN SHARE MODE").await?;
            txn.execute_unprepared("LOCK TABLE ledger_rollup IN EXCLUSIVE MODE")
                .await?;
        }
        let recomputed = recompute(&txn).await?;
        let differences = differences(&recomputed, &kept(&txn).await?);
        let rows = recomputed.len();
        if !differences.is_empty() {
            ledger_rollup::Entity::delete_many().exec(&txn).await?;
            let rows: Vec<ledger_rollup::ActiveModel> = recomputed.into_iter().map(rollup_row).collect();
            for chunk in rows.chunks(1000) {
                ledger_rollup::Entity::insert_many(chunk.to_vec())
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
        txn.commit().await?;
        Ok(Repair { differences, rows })
    }
}

/// What `TotalsRepo::repair` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The differences found (and repaired); empty when the totals agreed.
    pub differences: Vec<String>,
    /// Rows of totals recomputed.
    pub rows: usize,
}

/// The kept totals, by key.
async fn kept(conn: &impl ConnectionTrait) -> Result<BTreeMap<Key, (i64, i64)>, StoreError> {
    Ok(ledger_rollup::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| {
            (
                (r.campaign_year, r.dimension, r.key, r.group_id, r.municipality_nis),
                (r.raised_cents, r.entries),
            )
        })
        .collect())
}

/// Where the kept totals differ from the recomputed ones, in words.
fn differences(recomputed: &BTreeMap<Key, (i64, i64)>, kept: &BTreeMap<Key, (i64, i64)>) -> Vec<String> {
    let mut differences = Vec::new();
    for (key, expected) in recomputed {
        match kept.get(key) {
            Some(found) if found == expected => {}
            found => differences.push(format!(
                "{} {} {} (group {}, municipality {}): ledger says {} cents in {} entries, totals say {:?}",
                key.0, key.1, key.2, key.3, key.4, expected.0, expected.1, found
            )),
        }
    }
    for key in kept.keys().filter(|k| !recomputed.contains_key(*k)) {
        differences.push(format!(
            "{} {} {} (group {}, municipality {}): kept in the totals but not in the ledger",
            key.0, key.1, key.2, key.3, key.4
        ));
    }
    differences
}

/// Every total, recomputed from the ledger as `conn` sees it.
async fn recompute(conn: &impl ConnectionTrait) -> Result<BTreeMap<Key, (i64, i64)>, StoreError> {
    let mut totals: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    let mut last: Option<Uuid> = None;
    // In pages, so a million entries never sit in memory at once.
    loop {
        let mut query = ledger_entry::Entity::find().order_by_asc(ledger_entry::Column::Id);
        if let Some(last) = last {
            query = query.filter(ledger_entry::Column::Id.gt(last));
        }
        let page = query.limit(10_000).all(conn).await?;
        let Some(tail) = page.last() else { break };
        last = Some(tail.id);
        for row in &page {
            add_to(&mut totals, &Contribution::from(row));
        }
    }
    Ok(totals)
}

//! Activities, with the filters of the agenda and the map.

use campaign_domain::activity::{ActivityDetails, ActivityKind, ActivityStatus, BoundingBox, Place};
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::municipality::{NisCode, Province};
use campaign_domain::point::LonLat;
use chrono::{DateTime, Utc};
use geo::{Distance, Haversine, Point};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{activity, municipality};
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: Uuid,
    pub group: GroupId,
    pub campaign_year: i32,
    pub details: ActivityDetails,
    pub place: Option<Place>,
    pub municipality: NisCode,
    pub status: ActivityStatus,
    pub attendance: Option<i32>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Raised by every change: the activity's `ETag`.
    pub version: i32,
}

pub struct NewActivity {
    pub group: GroupId,
    pub campaign_year: i32,
    pub details: ActivityDetails,
    pub place: Option<Place>,
    pub municipality: NisCode,
    pub created_by: UserId,
}

/// An activity brought in by an import, with the status and attendance it has reached.
pub struct ImportedActivity {
    pub activity: NewActivity,
    pub status: ActivityStatus,
    pub attendance: Option<i32>,
}

/// A whole new state for an activity (the API merges a patch into the current one).
pub struct ActivityUpdate {
    pub details: ActivityDetails,
    pub place: Option<Place>,
    pub municipality: NisCode,
    pub status: ActivityStatus,
    pub attendance: Option<i32>,
}

/// Why a change of an activity was not written.
#[derive(Debug)]
pub enum UpdateRefused<E> {
    /// There is no such activity.
    Missing,
    /// The precondition refused the current version (a stale `If-Match`).
    Stale { current: i32 },
    /// The change itself was refused, on the current state.
    Refused(E),
}

/// Filters of the activity lists; `only_*` carry the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub only_group: Option<GroupId>,
    pub only_municipality: Option<NisCode>,
    /// Public, not cancelled activities only (the public agenda).
    pub public_only: bool,
    /// Leave cancelled activities out.
    pub not_cancelled: bool,
    pub campaign_year: Option<i32>,
    pub group: Option<GroupId>,
    pub municipality: Option<NisCode>,
    pub province: Option<Province>,
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    /// Activities still going on at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Activities starting before this time.
    pub to: Option<DateTime<Utc>>,
    pub bbox: Option<BoundingBox>,
    /// The (starts_at, id) of the last activity of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

#[derive(Clone)]
pub struct ActivityRepo {
    db: DatabaseConnection,
}

impl ActivityRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn create(&self, new: NewActivity, ctx: &AuditContext) -> Result<Activity, StoreError> {
        let txn = begin_write(&self.db).await?;
        let row = new_row(new, Uuid::new_v4(), crate::now()).insert(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("activity.create", "activity", row.id)
                .with_detail(serde_json::json!({ "group_id": row.group_id, "title": row.title })),
        )
        .await?;
        txn.commit().await?;
        to_domain(row)
    }

    /// Stores many activities at once (demo data, benchmarks, imports), each with the status
    /// and attendance it has reached, in one transaction with one audit record. Returns their ids
    /// in the given order.
    pub async fn import(&self, activities: Vec<ImportedActivity>, ctx: &AuditContext) -> Result<Vec<Uuid>, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let count = activities.len();
        let ids: Vec<Uuid> = activities.iter().map(|_| Uuid::new_v4()).collect();
        let rows: Vec<activity::ActiveModel> = activities
            .into_iter()
            .zip(&ids)
            .map(|(imported, id)| {
                let mut row = new_row(imported.activity, *id, now);
                row.status = Set(imported.status.as_str().to_owned());
                row.attendance = Set(imported.attendance);
                row
            })
            .collect();
        // Bounded statements: SQLite allows 32,766 parameters, PostgreSQL 65,535.
        for chunk in rows.chunks(500) {
            activity::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        let mut event = AuditEvent::new("activity.import", "activity", "");
        event.entity_id = None;
        record(&txn, ctx, event.with_detail(serde_json::json!({ "count": count }))).await?;
        txn.commit().await?;
        Ok(ids)
    }

    /// Changes an activity in one transaction: reads it under a row lock, asks `precondition`
    /// whether its version is the one the client saw (`If-Match`), lets `change` compute the new
    /// state from the current one (merging the patch and checking the status machine), and
    /// writes it only over the version it read, raising the version.
    pub async fn update<E>(
        &self,
        id: Uuid,
        precondition: impl FnOnce(i32) -> bool,
        change: impl FnOnce(&Activity) -> Result<ActivityUpdate, E>,
        ctx: &AuditContext,
    ) -> Result<Result<Activity, UpdateRefused<E>>, StoreError> {
        let txn = begin_write(&self.db).await?;
        // FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction already excludes other writers.
        let Some(row) = activity::Entity::find_by_id(id)
            .lock(LockType::Update)
            .one(&txn)
            .await?
        else {
            return Ok(Err(UpdateRefused::Missing));
        };
        let read_version = row.version;
        if !precondition(read_version) {
            return Ok(Err(UpdateRefused::Stale { current: read_version }));
        }
        let previous_status = row.status.clone();
        let current = to_domain(row)?;
        let update = match change(&current) {
            Ok(update) => update,
            Err(e) => return Ok(Err(UpdateRefused::Refused(e))),
        };
        let d = &update.details;
        let written = activity::Entity::update_many()
            .col_expr(activity::Column::Kind, Expr::value(d.kind.as_str()))
            .col_expr(activity::Column::Title, Expr::value(d.title.clone()))
            .col_expr(activity::Column::Description, Expr::value(d.description.clone()))
            .col_expr(activity::Column::StartsAt, Expr::value(d.starts_at))
            .col_expr(activity::Column::EndsAt, Expr::value(d.ends_at))
            .col_expr(activity::Column::Public, Expr::value(d.public))
            .col_expr(
                activity::Column::Lon,
                Expr::value(update.place.as_ref().map(|p| p.point.lon())),
            )
            .col_expr(
                activity::Column::Lat,
                Expr::value(update.place.as_ref().map(|p| p.point.lat())),
            )
            .col_expr(
                activity::Column::Address,
                Expr::value(update.place.as_ref().and_then(|p| p.address.clone())),
            )
            .col_expr(
                activity::Column::MunicipalityNis,
                Expr::value(update.municipality.to_string()),
            )
            .col_expr(activity::Column::Status, Expr::value(update.status.as_str()))
            .col_expr(activity::Column::Attendance, Expr::value(update.attendance))
            .col_expr(activity::Column::UpdatedAt, Expr::value(crate::now()))
            .col_expr(activity::Column::Version, Expr::value(read_version + 1))
            .filter(activity::Column::Id.eq(id))
            .filter(activity::Column::Version.eq(read_version))
            .exec(&txn)
            .await?
            .rows_affected;
        if written != 1 {
            // Cannot happen under the row lock; refuse rather than overwrite unseen.
            return Ok(Err(UpdateRefused::Stale {
                current: read_version + 1,
            }));
        }
        let row = activity::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("activity {id} vanished while changed")))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("activity.update", "activity", id).with_detail(serde_json::json!({
                "status": row.status, "previous_status": previous_status, "attendance": row.attendance,
                "version": row.version,
            })),
        )
        .await?;
        txn.commit().await?;
        to_domain(row).map(Ok)
    }

    /// How many activities of a campaign (not cancelled) each municipality has.
    pub async fn count_by_municipality(
        &self,
        campaign_year: i32,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        Ok(activity::Entity::find()
            .select_only()
            .column(activity::Column::MunicipalityNis)
            .column_as(Expr::col(activity::Column::Id).count(), "n")
            .filter(activity::Column::CampaignYear.eq(campaign_year))
            .filter(activity::Column::Status.ne(ActivityStatus::Cancelled.as_str()))
            .group_by(activity::Column::MunicipalityNis)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect())
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Activity>, StoreError> {
        activity::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(to_domain)
            .transpose()
    }

    /// The activities with these ids (unknown ones are absent), in one query: what entries that
    /// refer to them need to know.
    pub async fn many(&self, ids: &[Uuid]) -> Result<Vec<Activity>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        activity::Entity::find()
            .filter(activity::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    /// One page in start-time order. Keyset pagination: activities added meanwhile never make a
    /// page repeat or skip one that existed.
    pub async fn list(&self, filter: &ActivityFilter, limit: u64) -> Result<Vec<Activity>, StoreError> {
        let mut query = filtered(filter)
            .order_by_asc(activity::Column::StartsAt)
            .order_by_asc(activity::Column::Id);
        if let Some((starts_at, id)) = filter.after {
            query = query.filter(
                Condition::any().add(activity::Column::StartsAt.gt(starts_at)).add(
                    Condition::all()
                        .add(activity::Column::StartsAt.eq(starts_at))
                        .add(activity::Column::Id.gt(id)),
                ),
            );
        }
        query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    /// One page of the matching activities within `radius_m` metres of `centre` (great-circle
    /// distance), nearest first, ties by id, each with its distance in metres. `after` is the
    /// (distance in millimetres, id) of the last activity of the previous page.
    pub async fn near(
        &self,
        filter: &ActivityFilter,
        centre: LonLat,
        radius_m: f64,
        after: Option<(i64, Uuid)>,
        limit: u64,
    ) -> Result<Vec<(Activity, f64)>, StoreError> {
        // Cut the candidates with the indexed bounding box of the circle and measure them from
        // their coordinates alone; only the page itself is read whole.
        let dlat = radius_m / 111_000.0;
        let dlon = radius_m / (111_000.0 * centre.lat().to_radians().cos().max(0.01));
        let candidates: Vec<(Uuid, Option<f64>, Option<f64>)> = filtered(filter)
            .filter(activity::Column::Lat.between(centre.lat() - dlat, centre.lat() + dlat))
            .filter(activity::Column::Lon.between(centre.lon() - dlon, centre.lon() + dlon))
            .select_only()
            .column(activity::Column::Id)
            .column(activity::Column::Lon)
            .column(activity::Column::Lat)
            .into_tuple()
            .all(&self.db)
            .await?;
        let origin = Point::new(centre.lon(), centre.lat());
        let mut page: Vec<(Uuid, f64)> = candidates
            .into_iter()
            .filter_map(|(id, lon, lat)| {
                let distance = Haversine.distance(origin, Point::new(lon?, lat?));
                (distance <= radius_m).then_some((id, distance))
            })
            .filter(|(id, d)| after.is_none_or(|(mm, last)| (millimetres(*d), *id) > (mm, last)))
            .collect();
        page.sort_by(|(a, da), (b, db)| da.total_cmp(db).then(a.cmp(b)));
        page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));

        let ids: Vec<Uuid> = page.iter().map(|(id, _)| *id).collect();
        let mut rows: std::collections::HashMap<Uuid, activity::Model> = activity::Entity::find()
            .filter(activity::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        page.into_iter()
            .filter_map(|(id, distance)| rows.remove(&id).map(|row| to_domain(row).map(|a| (a, distance))))
            .collect()
    }
}

/// A distance in whole millimetres, the unit of `near` cursors.
pub fn millimetres(metres: f64) -> i64 {
    (metres * 1000.0).round() as i64
}

/// The row of a new, planned activity.
fn new_row(new: NewActivity, id: Uuid, now: DateTime<Utc>) -> activity::ActiveModel {
    let d = new.details;
    activity::ActiveModel {
        id: Set(id),
        group_id: Set(new.group.as_uuid()),
        campaign_year: Set(new.campaign_year),
        kind: Set(d.kind.as_str().to_owned()),
        title: Set(d.title),
        description: Set(d.description),
        starts_at: Set(d.starts_at),
        ends_at: Set(d.ends_at),
        lon: Set(new.place.as_ref().map(|p| p.point.lon())),
        lat: Set(new.place.as_ref().map(|p| p.point.lat())),
        address: Set(new.place.and_then(|p| p.address)),
        municipality_nis: Set(new.municipality.to_string()),
        public: Set(d.public),
        status: Set(ActivityStatus::Planned.as_str().to_owned()),
        attendance: Set(None),
        created_by: Set(new.created_by.as_uuid()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}

fn filtered(filter: &ActivityFilter) -> Select<activity::Entity> {
    let mut query = activity::Entity::find();
    for group in [filter.only_group, filter.group].into_iter().flatten() {
        query = query.filter(activity::Column::GroupId.eq(group.as_uuid()));
    }
    for nis in [filter.only_municipality, filter.municipality].into_iter().flatten() {
        query = query.filter(activity::Column::MunicipalityNis.eq(nis.to_string()));
    }
    if filter.public_only {
        query = query
            .filter(activity::Column::Public.eq(true))
            .filter(activity::Column::Status.ne(ActivityStatus::Cancelled.as_str()));
    }
    if filter.not_cancelled {
        query = query.filter(activity::Column::Status.ne(ActivityStatus::Cancelled.as_str()));
    }
    if let Some(year) = filter.campaign_year {
        query = query.filter(activity::Column::CampaignYear.eq(year));
    }
    if let Some(province) = filter.province {
        query = query.filter(
            activity::Column::MunicipalityNis.in_subquery(
                Query::select()
                    .column(municipality::Column::NisCode)
                    .from(municipality::Entity)
                    .and_where(Expr::col(municipality::Column::Province).eq(province.name()))
                    .to_owned(),
            ),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(activity::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(activity::Column::Status.eq(status.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(activity::Column::EndsAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(activity::Column::StartsAt.lt(to));
    }
    if let Some(bbox) = filter.bbox {
        query = query
            .filter(activity::Column::Lat.between(bbox.min.lat(), bbox.max.lat()))
            .filter(activity::Column::Lon.between(bbox.min.lon(), bbox.max.lon()));
    }
    query
}

fn to_domain(row: activity::Model) -> Result<Activity, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt(format!("activity {}: {what}", row.id));
    let kind = ActivityKind::parse(&row.kind).map_err(|e| corrupt(e.to_string()))?;
    let status = ActivityStatus::parse(&row.status).map_err(|e| corrupt(e.to_string()))?;
    let details = ActivityDetails {
        kind,
        title: row.title,
        description: row.description,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        public: row.public,
    };
    let place = match (row.lon, row.lat) {
        (Some(lon), Some(lat)) => Some(Place {
            point: LonLat::parse(lon, lat).map_err(|e| corrupt(e.to_string()))?,
            address: row.address,
        }),
        _ => None,
    };
    Ok(Activity {
        id: row.id,
        group: GroupId::from_uuid(row.group_id),
        campaign_year: row.campaign_year,
        details,
        place,
        municipality: NisCode::parse(&row.municipality_nis).map_err(|e| corrupt(e.to_string()))?,
        status,
        attendance: row.attendance,
        created_by: UserId::from_uuid(row.created_by),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

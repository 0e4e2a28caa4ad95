//! Activities of volunteer groups: logging them, the scoped agenda with its map filters, and
//! the public agenda without personal data.

use std::sync::Arc;

use campaign_domain::activity::{
    self, ActivityDetails, ActivityKind, ActivityStatus, BoundingBox, Place, parse_near, radius_km,
};
use campaign_domain::campaign::CampaignYear;
use campaign_domain::geo_index::MunicipalityIndex;
use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::point::LonLat;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::activities::{
    Activity, ActivityFilter, ActivityRepo, ActivityUpdate, NewActivity, UpdateRefused, millimetres,
};
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::GroupRepo;
use chrono::{DateTime, FixedOffset, Utc};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::groups::visible_group;
use super::municipalities::ProvinceName;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::http::preconditions::{etag, if_match_of, passes};
use crate::http::{Negotiated, accept};
use crate::problem::{ApiError, Problem};

const CURSOR_LIST: &str = "activities";
const CURSOR_NEAR: &str = "activities-near";
pub const GEO_JSON: &str = accept::GEO_JSON;

/// What kind of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum KindName {
    Quiz,
    Dinner,
    Sports,
    SaleStand,
    Concert,
    Walk,
    Exhibition,
    Other,
}

impl From<KindName> for ActivityKind {
    fn from(k: KindName) -> Self {
        match k {
            KindName::Quiz => Self::Quiz,
            KindName::Dinner => Self::Dinner,
            KindName::Sports => Self::Sports,
            KindName::SaleStand => Self::SaleStand,
            KindName::Concert => Self::Concert,
            KindName::Walk => Self::Walk,
            KindName::Exhibition => Self::Exhibition,
            KindName::Other => Self::Other,
        }
    }
}

impl From<ActivityKind> for KindName {
    fn from(k: ActivityKind) -> Self {
        match k {
            ActivityKind::Quiz => Self::Quiz,
            ActivityKind::Dinner => Self::Dinner,
            ActivityKind::Sports => Self::Sports,
            ActivityKind::SaleStand => Self::SaleStand,
            ActivityKind::Concert => Self::Concert,
            ActivityKind::Walk => Self::Walk,
            ActivityKind::Exhibition => Self::Exhibition,
            ActivityKind::Other => Self::Other,
        }
    }
}

/// Planned, then held (with attendance) or cancelled; never back to planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum StatusName {
    Planned,
    Held,
    Cancelled,
}

impl From<StatusName> for ActivityStatus {
    fn from(s: StatusName) -> Self {
        match s {
            StatusName::Planned => Self::Planned,
            StatusName::Held => Self::Held,
            StatusName::Cancelled => Self::Cancelled,
        }
    }
}

impl From<ActivityStatus> for StatusName {
    fn from(s: ActivityStatus) -> Self {
        match s {
            ActivityStatus::Planned => Self::Planned,
            ActivityStatus::Held => Self::Held,
            ActivityStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Where an activity takes place, in WGS84.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct Location {
    pub lon: f64,
    pub lat: f64,
    #[oai(nullable, validator(max_length = 300))]
    pub address: Option<String>,
}

impl From<Place> for Location {
    fn from(p: Place) -> Self {
        Self {
            lon: p.point.lon(),
            lat: p.point.lat(),
            address: p.address,
        }
    }
}

/// An activity of a volunteer group. Times are UTC.
#[derive(Debug, Object)]
pub struct ActivityOut {
    pub id: Uuid,
    pub group_id: Uuid,
    pub campaign_year: i32,
    pub kind: KindName,
    pub title: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[oai(nullable)]
    pub location: Option<Location>,
    /// Resolved from the location when boundaries are loaded, else the group's municipality.
    pub municipality_nis: String,
    pub public: bool,
    pub status: StatusName,
    #[oai(nullable)]
    pub attendance: Option<i32>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In `near` searches: metres from the centre.
    #[oai(skip_serializing_if_is_none)]
    pub distance_m: Option<f64>,
}

impl ActivityOut {
    fn new(a: Activity, distance_m: Option<f64>) -> Self {
        Self {
            id: a.id,
            group_id: a.group.as_uuid(),
            campaign_year: a.campaign_year,
            kind: a.details.kind.into(),
            title: a.details.title,
            description: a.details.description,
            starts_at: a.details.starts_at,
            ends_at: a.details.ends_at,
            location: a.place.map(Into::into),
            municipality_nis: a.municipality.to_string(),
            public: a.details.public,
            status: a.status.into(),
            attendance: a.attendance,
            created_by: a.created_by.as_uuid(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            distance_m: distance_m.map(|d| d.round()),
        }
    }
}

/// A public activity: what, when and where, without who organises or logged it.
#[derive(Debug, Object)]
pub struct PublicActivity {
    pub id: Uuid,
    pub kind: KindName,
    pub title: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[oai(nullable)]
    pub location: Option<Location>,
    pub municipality_nis: String,
    pub status: StatusName,
    #[oai(skip_serializing_if_is_none)]
    pub distance_m: Option<f64>,
}

impl PublicActivity {
    fn new(a: Activity, distance_m: Option<f64>) -> Self {
        Self {
            id: a.id,
            kind: a.details.kind.into(),
            title: a.details.title,
            description: a.details.description,
            starts_at: a.details.starts_at,
            ends_at: a.details.ends_at,
            location: a.place.map(Into::into),
            municipality_nis: a.municipality.to_string(),
            status: a.status.into(),
            distance_m: distance_m.map(|d| d.round()),
        }
    }
}

/// A new activity. Times take any offset (`2026-11-07T19:30:00+01:00`) and are stored in UTC.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateActivityRequest {
    pub kind: KindName,
    #[oai(validator(max_length = 400))]
    pub title: String,
    #[oai(validator(max_length = 10000))]
    pub description: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub location: Option<Location>,
    /// Shown on the public agenda.
    pub public: bool,
    /// Defaults to the year of the start date in Belgium; that campaign must exist.
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub campaign_year: Option<i64>,
}

/// Changes to an activity; fields left out keep their value. `status: held` needs `attendance`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateActivityRequest {
    pub kind: Option<KindName>,
    #[oai(validator(max_length = 400))]
    pub title: Option<String>,
    #[oai(validator(max_length = 10000))]
    pub description: Option<String>,
    pub starts_at: Option<DateTime<FixedOffset>>,
    pub ends_at: Option<DateTime<FixedOffset>>,
    pub location: Option<Location>,
    pub public: Option<bool>,
    pub status: Option<StatusName>,
    /// People who came, for a held activity.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub attendance: Option<i64>,
}

#[derive(Debug, Object)]
pub struct ActivityPage {
    pub items: Vec<ActivityOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Object)]
pub struct PublicActivityPage {
    pub items: Vec<PublicActivity>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A GeoJSON point.
#[derive(Debug, Object)]
pub struct GeoPoint {
    /// Always `Point`.
    #[oai(rename = "type")]
    pub kind: String,
    /// `[lon, lat]`.
    pub coordinates: Vec<f64>,
}

/// One activity as a GeoJSON feature; `geometry` is `null` without a location.
#[derive(Debug, Object)]
pub struct ActivityFeature {
    /// Always `Feature`.
    #[oai(rename = "type")]
    pub kind: String,
    pub id: String,
    #[oai(nullable)]
    pub geometry: Option<GeoPoint>,
    pub properties: ActivityOut,
}

/// Activities as a GeoJSON FeatureCollection (RFC 7946), with the list's `next_cursor`.
#[derive(Debug, Object)]
pub struct ActivityFeatureCollection {
    /// Always `FeatureCollection`.
    #[oai(rename = "type")]
    pub kind: String,
    pub features: Vec<ActivityFeature>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum ActivityCreated {
    /// The activity is logged.
    #[oai(status = 201)]
    Created(Json<ActivityOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum ActivityRead {
    /// The activity, with its `ETag`.
    #[oai(status = 200)]
    Found(Json<ActivityOut>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum ActivityUpdated {
    /// The activity as changed, with its new `ETag`.
    #[oai(status = 200)]
    Updated(Json<ActivityOut>, #[oai(header = "ETag")] String),
    /// `If-Match` does not name the activity's current `ETag`: someone changed it since it was
    /// read. Nothing was changed; GET it again and reapply the change.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum ActivityList {
    /// The activities; a GeoJSON FeatureCollection when `Accept` prefers `application/geo+json`.
    #[oai(status = 200)]
    List(Json<ActivityPage>),
    /// The activities as a GeoJSON FeatureCollection.
    #[oai(status = 200, content_type = "application/geo+json")]
    Geo(Json<ActivityFeatureCollection>),
}

pub struct ActivitiesApi {
    pub activities: ActivityRepo,
    pub groups: GroupRepo,
    pub campaigns: CampaignRepo,
    pub geo: Arc<Option<MunicipalityIndex>>,
    pub auth: Arc<AuthState>,
}

/// The search part of a list request, checked.
struct Search {
    filter: ActivityFilter,
    near: Option<(LonLat, f64)>,
    limit: PageLimit,
    cursor: Option<String>,
}

impl Search {
    #[allow(clippy::too_many_arguments)]
    fn parse(
        near: Option<&str>,
        radius: Option<f64>,
        bbox: Option<&str>,
        from: Option<DateTime<FixedOffset>>,
        to: Option<DateTime<FixedOffset>>,
        limit: Option<i64>,
        cursor: Option<String>,
        mut filter: ActivityFilter,
    ) -> Result<Self, ApiError> {
        let near = match (near, radius) {
            (Some(near), Some(radius)) => Some((parse_near(near)?, radius_km(radius)? * 1000.0)),
            (Some(_), None) => return Err(ApiError::invalid_field("radius_km", "give radius_km with near")),
            (None, Some(_)) => return Err(ApiError::invalid_field("near", "give near=lon,lat with radius_km")),
            (None, None) => None,
        };
        filter.bbox = bbox.map(BoundingBox::parse).transpose()?;
        filter.from = from.map(|t| t.with_timezone(&Utc));
        filter.to = to.map(|t| t.with_timezone(&Utc));
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && to <= from
        {
            return Err(ApiError::invalid_field("to", "must be after from"));
        }
        Ok(Self {
            filter,
            near,
            limit: PageLimit::parse(limit)?,
            cursor,
        })
    }

    /// Runs the search: one page, with distances for `near`, and the next cursor.
    async fn run(mut self, repo: &ActivityRepo) -> Result<(Vec<(Activity, Option<f64>)>, Option<String>), ApiError> {
        let invalid = || ApiError::invalid_field("cursor", "this cursor is not valid here; pass next_cursor unchanged");
        let Some((centre, radius_m)) = self.near else {
            if let Some(raw) = self.cursor.as_deref() {
                let key = pagination::decode(CURSOR_LIST, raw)?;
                let (at, id) = key.split_once('|').ok_or_else(invalid)?;
                let at = DateTime::parse_from_rfc3339(at)
                    .map_err(|_| invalid())?
                    .with_timezone(&Utc);
                self.filter.after = Some((at, Uuid::parse_str(id).map_err(|_| invalid())?));
            }
            let mut rows = repo.list(&self.filter, self.limit.get() + 1).await?;
            let next = pagination::next_cursor(&mut rows, self.limit, CURSOR_LIST, |a| {
                format!("{}|{}", a.details.starts_at.to_rfc3339(), a.id)
            });
            return Ok((rows.into_iter().map(|a| (a, None)).collect(), next));
        };
        // Nearest first: the cursor is the (distance in mm, id) of the last one shown.
        let after = match self.cursor.as_deref() {
            Some(raw) => {
                let key = pagination::decode(CURSOR_NEAR, raw)?;
                let (mm, id) = key.split_once('|').ok_or_else(invalid)?;
                Some((
                    mm.parse::<i64>().map_err(|_| invalid())?,
                    Uuid::parse_str(id).map_err(|_| invalid())?,
                ))
            }
            None => None,
        };
        let mut rows = repo
            .near(&self.filter, centre, radius_m, after, self.limit.get() + 1)
            .await?;
        let next = pagination::next_cursor(&mut rows, self.limit, CURSOR_NEAR, |(a, d)| {
            format!("{}|{}", millimetres(*d), a.id)
        });
        Ok((rows.into_iter().map(|(a, d)| (a, Some(d))).collect(), next))
    }
}

fn wants_geojson(req: &Request) -> bool {
    accept::preferred(req, &[accept::JSON, GEO_JSON]) == GEO_JSON
}

fn scope_of(activity: &Activity) -> Scope {
    Scope::Group {
        group: activity.group,
        municipality: activity.municipality,
    }
}

impl ActivitiesApi {
    /// The municipality of a place: from the boundaries when loaded, else the group's (a place
    /// outside Belgium is refused either way: it is a mistake, often longitude and latitude
    /// swapped).
    fn municipality_of(&self, place: Option<&Place>, group_home: NisCode) -> Result<NisCode, ApiError> {
        match (place, self.geo.as_ref()) {
            (Some(place), None) if !place.point.in_belgium_envelope() => Err(ApiError::unprocessable(format!(
                "location (lon {}, lat {}) lies outside Belgium; give the longitude (about 2.5 to 6 in Flanders) before the latitude (about 50.7 to 51.5)",
                place.point.lon(),
                place.point.lat()
            ))),
            (Some(place), Some(index)) => index.locate(place.point).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "location (lon {}, lat {}) lies outside Flanders and Brussels; the campaign only covers those",
                    place.point.lon(),
                    place.point.lat()
                ))
            }),
            _ => Ok(group_home),
        }
    }

    async fn visible_activity(
        &self,
        auth: &BearerAuth,
        id: Uuid,
        action: Action,
        why: &str,
    ) -> Result<Activity, ApiError> {
        let missing = || format!("there is no activity {id}");
        let activity = self
            .activities
            .get(id)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let _grant = allow(&auth.0, action, scope_of(&activity), missing, why)?;
        Ok(activity)
    }
}

fn place_of(location: Option<&Location>) -> Result<Option<Place>, ApiError> {
    Ok(location
        .map(|l| Place::new(l.lon, l.lat, l.address.as_deref()))
        .transpose()?)
}

#[OpenApi(tag = "ApiTags::Activities")]
impl ActivitiesApi {
    /// Log an activity of a group
    ///
    /// For staff and the group's own volunteers. With boundaries loaded, `municipality_nis` is
    /// resolved from the location (a location outside Flanders and Brussels is 422); without a
    /// location, or without boundaries, it is the group's municipality.
    #[oai(path = "/groups/:id/activities", method = "post", operation_id = "create_activity")]
    async fn create_activity(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<CreateActivityRequest>,
    ) -> Result<ActivityCreated, ApiError> {
        let group = visible_group(
            &self.groups,
            &auth.0,
            id.0,
            Action::Write,
            "only staff and the group's volunteers log its activities",
        )
        .await?;
        if !group.active {
            return Err(ApiError::conflict(format!(
                "group {} is inactive; staff can reactivate it",
                group.id
            )));
        }
        let body = body.0;
        let details = ActivityDetails::new(
            body.kind.into(),
            &body.title,
            body.description.as_deref(),
            body.starts_at.with_timezone(&Utc),
            body.ends_at.with_timezone(&Utc),
            body.public,
        );
        let place = place_of(body.location.as_ref());
        let (details, place) = match (details, place) {
            (Ok(d), Ok(p)) => (d, p),
            (d, p) => {
                let mut errors = d.err().map(|e| e.errors).unwrap_or_default();
                if let Err(ApiError::BadRequest(problem)) = p {
                    errors.extend(
                        problem
                            .0
                            .errors
                            .unwrap_or_default()
                            .into_iter()
                            .map(|f| campaign_domain::FieldError::new(f.field, f.message)),
                    );
                }
                return Err(ApiError::validation(campaign_domain::ValidationError { errors }));
            }
        };
        let year = match body.campaign_year {
            Some(year) => CampaignYear::parse(year).map_err(|e| ApiError::validation(rename(e, "campaign_year")))?,
            None => CampaignYear::parse(i64::from(chrono::Datelike::year(&details.local_start_date())))?,
        };
        if self.campaigns.get(year).await?.is_none() {
            return Err(ApiError::unprocessable(format!(
                "there is no {} campaign; staff create it first",
                year.get()
            )));
        }
        let municipality = self.municipality_of(place.as_ref(), group.municipality)?;
        let new = NewActivity {
            group: group.id,
            campaign_year: year.get(),
            details,
            place,
            municipality,
            created_by: auth.0.user_id,
        };
        let created = self
            .activities
            .create(new, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/activities/{}", created.id);
        Ok(ActivityCreated::Created(
            Json(ActivityOut::new(created, None)),
            location,
        ))
    }

    /// List activities
    ///
    /// Staff see all, a volunteer their group's, a municipal contact those in their municipality.
    /// In start-time order, or nearest first with `near` and `radius_km`.
    #[oai(path = "/activities", method = "get", operation_id = "list_activities")]
    #[allow(clippy::too_many_arguments)]
    async fn list_activities(
        &self,
        auth: BearerAuth,
        req: &Request,
        campaign_year: Query<Option<i32>>,
        group_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 5))] municipality_nis: Query<Option<String>>,
        province: Query<Option<ProvinceName>>,
        kind: Query<Option<KindName>>,
        status: Query<Option<StatusName>>,
        /// Activities still going on at or after this time (RFC 3339).
        from: Query<Option<DateTime<FixedOffset>>>,
        /// Activities starting before this time (RFC 3339).
        to: Query<Option<DateTime<FixedOffset>>>,
        /// `lon,lat`: nearest first, within `radius_km`.
        #[oai(validator(max_length = 60))]
        near: Query<Option<String>>,
        /// Search radius in km, more than 0 and at most 100.
        radius_km: Query<Option<f64>>,
        /// `minlon,minlat,maxlon,maxlat`.
        #[oai(validator(max_length = 120))]
        bbox: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Negotiated<ActivityList>, ApiError> {
        let mut filter = ActivityFilter {
            campaign_year: campaign_year.0,
            group: group_id.0.map(GroupId::from_uuid),
            municipality: municipality_nis
                .0
                .as_deref()
                .map(|m| NisCode::parse_field("municipality_nis", m))
                .transpose()?,
            province: province.0.map(Into::into),
            kind: kind.0.map(Into::into),
            status: status.0.map(Into::into),
            ..ActivityFilter::default()
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::Volunteer { group } => filter.only_group = Some(group),
            Membership::MunicipalContact { municipality } => filter.only_municipality = Some(municipality),
            Membership::MemberOrg { .. } | Membership::Initiative { .. } => {
                return Err(ApiError::forbidden(format!(
                    "activities are for staff, volunteers and municipal contacts; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        let search = Search::parse(
            near.0.as_deref(),
            radius_km.0,
            bbox.0.as_deref(),
            from.0,
            to.0,
            limit.0,
            cursor.0,
            filter,
        )?;
        let (rows, next_cursor) = search.run(&self.activities).await?;
        let items: Vec<ActivityOut> = rows.into_iter().map(|(a, d)| ActivityOut::new(a, d)).collect();
        if wants_geojson(req) {
            let features = items
                .into_iter()
                .map(|a| ActivityFeature {
                    kind: "Feature".to_owned(),
                    id: a.id.to_string(),
                    geometry: a.location.as_ref().map(|l| GeoPoint {
                        kind: "Point".to_owned(),
                        coordinates: vec![l.lon, l.lat],
                    }),
                    properties: a,
                })
                .collect();
            return Ok(Negotiated(ActivityList::Geo(Json(ActivityFeatureCollection {
                kind: "FeatureCollection".to_owned(),
                features,
                next_cursor,
            }))));
        }
        Ok(Negotiated(ActivityList::List(Json(ActivityPage {
            items,
            next_cursor,
        }))))
    }

    /// Get an activity
    ///
    /// Answers the activity's `ETag`; send it back as `If-Match` with a `PATCH` so that change
    /// applies only to the version you read.
    #[oai(path = "/activities/:id", method = "get", operation_id = "get_activity")]
    async fn get_activity(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<ActivityRead, ApiError> {
        let activity = self.visible_activity(&auth, id.0, Action::Read, "").await?;
        let tag = etag(activity.version);
        Ok(ActivityRead::Found(Json(ActivityOut::new(activity, None)), tag))
    }

    /// Change an activity, mark it held (with attendance) or cancelled
    ///
    /// For staff and the group's own volunteers. A held or cancelled activity never goes back to
    /// planned (409 names the current status). With `If-Match` (the `ETag` of a `GET`), the change
    /// applies only if nobody changed the activity since (412 otherwise: read it again). Without
    /// it, the fields sent are applied to the activity as it is when the change is written, and
    /// the status rules are checked against that same state.
    #[oai(path = "/activities/:id", method = "patch", operation_id = "update_activity")]
    async fn update_activity(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        /// The `ETag` of the version this change was made from (or `*`); a stale one is 412.
        #[oai(name = "If-Match", validator(max_length = 200))]
        _if_match: Header<Option<String>>,
        body: Json<UpdateActivityRequest>,
    ) -> Result<ActivityUpdated, ApiError> {
        let if_match = if_match_of(req, "GET /activities/{id}")?;
        let seen = self
            .visible_activity(
                &auth,
                id.0,
                Action::Write,
                "only staff and the group's volunteers change its activities",
            )
            .await?;
        let body = body.0;
        // A new location resolves against the group's home when no boundaries are loaded.
        let place = place_of(body.location.as_ref())?;
        let group_home = match body.location {
            Some(_) => Some(
                self.groups
                    .get(seen.group)
                    .await?
                    .ok_or_else(|| ApiError::internal(&"the activity's group is gone"))?
                    .municipality,
            ),
            None => None,
        };
        let moved_to = match (&place, group_home) {
            (Some(_), Some(home)) => Some(self.municipality_of(place.as_ref(), home)?),
            _ => None,
        };
        let precondition = |version: i32| passes(if_match.as_ref(), version);
        let change = |current: &Activity| merge(current, &body, place.clone(), moved_to);
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        match self.activities.update(id.0, precondition, change, &ctx).await? {
            Ok(updated) => {
                let tag = etag(updated.version);
                Ok(ActivityUpdated::Updated(Json(ActivityOut::new(updated, None)), tag))
            }
            Err(UpdateRefused::Missing) => Err(ApiError::not_found(format!("there is no activity {}", id.0))),
            Err(UpdateRefused::Stale { current }) => Ok(ActivityUpdated::PreconditionFailed(Json(Problem::new(
                StatusCode::PRECONDITION_FAILED,
                format!(
                    "the activity changed since you read it (If-Match does not name its current ETag {}); \
                     GET it again, reapply your change and send it with the new ETag",
                    etag(current)
                ),
            )))),
            Err(UpdateRefused::Refused(e)) => Err(e),
        }
    }
}

/// The new state of `current` with the fields of `patch`, checked against the status machine.
fn merge(
    current: &Activity,
    patch: &UpdateActivityRequest,
    place: Option<Place>,
    moved_to: Option<NisCode>,
) -> Result<ActivityUpdate, ApiError> {
    let details = ActivityDetails::new(
        patch.kind.map_or(current.details.kind, Into::into),
        patch.title.as_deref().unwrap_or(&current.details.title),
        patch.description.as_deref().or(current.details.description.as_deref()),
        patch
            .starts_at
            .map_or(current.details.starts_at, |t| t.with_timezone(&Utc)),
        patch.ends_at.map_or(current.details.ends_at, |t| t.with_timezone(&Utc)),
        patch.public.unwrap_or(current.details.public),
    )?;
    let status: ActivityStatus = patch.status.map_or(current.status, Into::into);
    activity::transition(current.status, status).map_err(|e| ApiError::conflict(e.to_string()))?;
    let attendance = match (status, patch.attendance) {
        (ActivityStatus::Held, Some(n)) => Some(activity::attendance(n)?),
        (ActivityStatus::Held, None) => Some(current.attendance.ok_or_else(|| {
            ApiError::invalid_field("attendance", "give the attendance when marking an activity held")
        })?),
        (_, Some(_)) => {
            return Err(ApiError::invalid_field(
                "attendance",
                "only a held activity has an attendance",
            ));
        }
        (_, None) => None,
    };
    let (place, municipality) = match (patch.location.is_some(), moved_to) {
        (true, Some(municipality)) => (place, municipality),
        _ => (current.place.clone(), current.municipality),
    };
    Ok(ActivityUpdate {
        details,
        place,
        municipality,
        status,
        attendance,
    })
}

fn rename(mut e: campaign_domain::ValidationError, field: &str) -> campaign_domain::ValidationError {
    for error in &mut e.errors {
        error.field = field.to_owned();
    }
    e
}

/// The public agenda: no sign-in.
pub struct PublicActivitiesApi {
    pub activities: ActivityRepo,
    pub campaigns: CampaignRepo,
}

/// The most activities one page of the public agenda holds.
pub const PUBLIC_MAX_LIMIT: u16 = 100;

#[OpenApi(tag = "ApiTags::Public")]
impl PublicActivitiesApi {
    /// What's on: public activities
    ///
    /// Public activities of the current campaign (the one under way, else the next, else the
    /// last) that are not cancelled, without personal data. Nearest first with `near` and
    /// `radius_km` (at most 25 km), else in start-time order; at most 100 a page.
    #[oai(path = "/public/activities", method = "get", operation_id = "list_public_activities")]
    #[allow(clippy::too_many_arguments)]
    async fn list_public_activities(
        &self,
        /// `lon,lat`: nearest first, within `radius_km`.
        #[oai(validator(max_length = 60))]
        near: Query<Option<String>>,
        /// Search radius in km, more than 0 and at most 25.
        radius_km: Query<Option<f64>>,
        /// Activities still going on at or after this time (RFC 3339).
        from: Query<Option<DateTime<FixedOffset>>>,
        /// Activities starting before this time (RFC 3339).
        to: Query<Option<DateTime<FixedOffset>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<PublicActivityPage>, ApiError> {
        // Bounded before anything is read: a wide radius or a long page costs every caller.
        if let Some(radius) = radius_km.0 {
            activity::radius_km_at_most(radius, activity::PUBLIC_MAX_RADIUS_KM)?;
        }
        PageLimit::parse_at_most(limit.0, PUBLIC_MAX_LIMIT)?;
        let campaigns: Vec<(i32, campaign_domain::campaign::CampaignPlan)> = self
            .campaigns
            .list()
            .await?
            .into_iter()
            .map(|c| (c.year, c.plan))
            .collect();
        let today = campaign_domain::ledger::local_date(Utc::now());
        let Some(current) = campaign_domain::campaign::current_campaign(&campaigns, today) else {
            return Ok(Json(PublicActivityPage {
                items: Vec::new(),
                next_cursor: None,
            }));
        };
        let filter = ActivityFilter {
            public_only: true,
            campaign_year: Some(current),
            ..ActivityFilter::default()
        };
        let search = Search::parse(
            near.0.as_deref(),
            radius_km.0,
            None,
            from.0,
            to.0,
            limit.0,
            cursor.0,
            filter,
        )?;
        let (rows, next_cursor) = search.run(&self.activities).await?;
        Ok(Json(PublicActivityPage {
            items: rows.into_iter().map(|(a, d)| PublicActivity::new(a, d)).collect(),
            next_cursor,
        }))
    }
}

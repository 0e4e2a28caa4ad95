//! `/materials` and material requests of municipalities: a catalogue with limited stock, and
//! requests that move submitted → approved (stock reserved) → shipped → delivered → returned.

use std::sync::Arc;

use campaign_domain::ledger::local_date;
use campaign_domain::material::{self, Line, RequestMove, RequestStatus};
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::{Membership, parse_text};
use campaign_persistence::materials::{Material, MaterialRepo, MaterialRequest, MoveError, NewRequest, RequestFilter};
use campaign_persistence::municipalities::MunicipalityRepo;
use chrono::{DateTime, NaiveDate, Utc};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::idempotency;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "material-requests";

/// A material of the catalogue with its stock.
#[derive(Debug, Object)]
pub struct MaterialOut {
    pub code: String,
    pub name: String,
    /// Lent materials (the exhibition) must come back; given ones (posters) do not.
    pub lent: bool,
    pub stock_on_hand: i32,
    /// Promised to approved requests, not yet shipped.
    pub reserved: i32,
    /// `stock_on_hand - reserved`.
    pub available: i32,
}

impl From<Material> for MaterialOut {
    fn from(m: Material) -> Self {
        let available = m.available();
        Self {
            code: m.code,
            name: m.name,
            lent: m.lent,
            stock_on_hand: m.stock_on_hand,
            reserved: m.reserved,
            available,
        }
    }
}

/// The material catalogue.
#[derive(Debug, Object)]
pub struct MaterialList {
    pub items: Vec<MaterialOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateMaterialRequest {
    /// A slug such as `flag` or `expo-kit`.
    #[oai(validator(max_length = 40))]
    pub code: String,
    #[oai(validator(max_length = 200))]
    pub name: String,
    pub lent: bool,
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub stock_on_hand: i64,
}

/// A change of stock (negative to remove) and why.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct StockAdjustment {
    #[oai(validator(minimum(value = "-1000000"), maximum(value = "1000000")))]
    pub delta: i64,
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

/// One line of a request.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct LineIn {
    #[oai(validator(max_length = 40))]
    pub material_code: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub quantity: i64,
}

/// A request for materials, for one municipality.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MaterialRequestIn {
    /// 1 to 20 lines, each material once, 1 to 1,000 of it.
    #[oai(validator(max_items = 100))]
    pub lines: Vec<LineIn>,
    /// A day after today.
    pub needed_by: NaiveDate,
    #[oai(validator(max_length = 1000))]
    pub delivery_address: String,
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RequestStatusName {
    Submitted,
    Approved,
    Rejected,
    Shipped,
    Delivered,
    Returned,
    Cancelled,
}

impl From<RequestStatus> for RequestStatusName {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::Submitted => Self::Submitted,
            RequestStatus::Approved => Self::Approved,
            RequestStatus::Rejected => Self::Rejected,
            RequestStatus::Shipped => Self::Shipped,
            RequestStatus::Delivered => Self::Delivered,
            RequestStatus::Returned => Self::Returned,
            RequestStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<RequestStatusName> for RequestStatus {
    fn from(s: RequestStatusName) -> Self {
        match s {
            RequestStatusName::Submitted => Self::Submitted,
            RequestStatusName::Approved => Self::Approved,
            RequestStatusName::Rejected => Self::Rejected,
            RequestStatusName::Shipped => Self::Shipped,
            RequestStatusName::Delivered => Self::Delivered,
            RequestStatusName::Returned => Self::Returned,
            RequestStatusName::Cancelled => Self::Cancelled,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct LineOut {
    pub material_code: String,
    pub quantity: i32,
}

/// A material request.
#[derive(Debug, Clone, Object)]
pub struct MaterialRequestOut {
    pub id: Uuid,
    pub municipality_nis: String,
    pub requested_by: Uuid,
    pub status: RequestStatusName,
    pub needed_by: NaiveDate,
    pub delivery_address: String,
    #[oai(nullable)]
    pub note: Option<String>,
    #[oai(nullable)]
    pub rejection_reason: Option<String>,
    pub lines: Vec<LineOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MaterialRequest> for MaterialRequestOut {
    fn from(r: MaterialRequest) -> Self {
        Self {
            id: r.id,
            municipality_nis: r.municipality.to_string(),
            requested_by: r.requested_by.as_uuid(),
            status: r.status.into(),
            needed_by: r.needed_by,
            delivery_address: r.delivery_address,
            note: r.note,
            rejection_reason: r.rejection_reason,
            lines: r
                .lines
                .into_iter()
                .map(|l: Line| LineOut {
                    material_code: l.material_code,
                    quantity: l.quantity,
                })
                .collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct MaterialRequestPage {
    pub items: Vec<MaterialRequestOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RejectIn {
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

#[derive(ApiResponse)]
pub enum MaterialCreated {
    /// The material is in the catalogue.
    #[oai(status = 201)]
    Created(Json<MaterialOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum StockAdjusted {
    /// The adjustment is recorded (and audited); the material with its new stock.
    #[oai(status = 201)]
    Created(Json<MaterialOut>),
}

#[derive(ApiResponse)]
pub enum RequestCreated {
    /// The request is submitted. A retry with the same `Idempotency-Key` answers the same.
    #[oai(status = 201)]
    Created(
        Json<MaterialRequestOut>,
        #[oai(header = "Location")] String,
        /// `true` when this answers a retry and nothing new was written.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

pub struct MaterialsApi {
    pub materials: MaterialRepo,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

/// The answer kept for an earlier request under the same `Idempotency-Key`.
fn replay(stored: &str) -> Result<RequestCreated, ApiError> {
    let request: MaterialRequestOut = idempotency::replayed(stored)?;
    let location = format!("/api/v1/material-requests/{}", request.id);
    Ok(RequestCreated::Created(Json(request), location, true))
}

fn move_error(e: MoveError, id: Uuid) -> ApiError {
    match e {
        MoveError::NotFound => ApiError::not_found(format!("there is no material request {id}")),
        MoveError::Illegal(e) => ApiError::conflict(e.to_string()),
        MoveError::Short(lines) => {
            let listed: Vec<String> = lines
                .iter()
                .map(|l| {
                    format!(
                        "{}: {} requested, {} available",
                        l.material_code, l.requested, l.available
                    )
                })
                .collect();
            ApiError::conflict(format!(
                "stock does not cover every line, so nothing was reserved: {}",
                listed.join("; ")
            ))
        }
        MoveError::Store(e) => e.into(),
    }
}

impl MaterialsApi {
    /// The request, if the actor may see it: staff all, a contact their municipality's.
    async fn visible(
        &self,
        auth: &BearerAuth,
        id: Uuid,
        action: Action,
        why: &str,
    ) -> Result<MaterialRequest, ApiError> {
        let missing = || format!("there is no material request {id}");
        let request = self
            .materials
            .get_request(id)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let scope = Scope::Municipality(request.municipality);
        let _grant = allow(&auth.0, action, scope, missing, why)?;
        Ok(request)
    }

    async fn apply(
        &self,
        auth: &BearerAuth,
        req: &Request,
        id: Uuid,
        action: RequestMove,
        reason: Option<String>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        let needed = if action == RequestMove::Cancel {
            Action::Write
        } else {
            Action::Manage
        };
        let why = format!("only staff may {} a material request", action.as_str());
        let _request = self.visible(auth, id, needed, &why).await?;
        let moved = self
            .materials
            .apply(id, action, reason, &audit_context(req, &self.auth, Some(&auth.0)))
            .await
            .map_err(|e| move_error(e, id))?;
        Ok(Json(moved.into()))
    }
}

#[OpenApi(tag = "ApiTags::Materials")]
impl MaterialsApi {
    /// The catalogue with stock
    ///
    /// Every material in code order, as `{items}` like every other list (the catalogue is short:
    /// one page, no cursor). Any role.
    #[oai(path = "/materials", method = "get", operation_id = "list_materials")]
    async fn list_materials(&self, _auth: BearerAuth) -> Result<Json<MaterialList>, ApiError> {
        Ok(Json(MaterialList {
            items: self.materials.list().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// Add a material to the catalogue
    #[oai(path = "/materials", method = "post", operation_id = "create_material")]
    async fn create_material(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateMaterialRequest>,
    ) -> Result<MaterialCreated, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only staff manage materials",
        )?;
        let code = material::material_code(&body.code)?;
        let name = parse_text("name", &body.name, 120)?;
        let stock = i32::try_from(body.stock_on_hand)
            .ok()
            .filter(|s| (0..=1_000_000).contains(s))
            .ok_or_else(|| ApiError::invalid_field("stock_on_hand", "must be 0 to 1000000"))?;
        let created = self
            .materials
            .create(
                code,
                name,
                body.lent,
                stock,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        let location = format!("/api/v1/materials/{}", created.code);
        Ok(MaterialCreated::Created(Json(created.into()), location))
    }

    /// Adjust a material's stock
    ///
    /// With a reason, audited. An adjustment that would leave less than what is reserved is 409.
    #[oai(
        path = "/materials/:code/stock-adjustments",
        method = "post",
        operation_id = "adjust_stock"
    )]
    async fn adjust_stock(
        &self,
        auth: BearerAuth,
        req: &Request,
        code: Path<String>,
        body: Json<StockAdjustment>,
    ) -> Result<StockAdjusted, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only staff adjust stock",
        )?;
        let delta = i32::try_from(body.delta)
            .ok()
            .filter(|d| *d != 0 && d.abs() <= 1_000_000)
            .ok_or_else(|| ApiError::invalid_field("delta", "must be a non-zero change of at most 1000000"))?;
        let reason = parse_text("reason", &body.reason, 500)?;
        let material = self
            .materials
            .adjust(&code.0, delta, &reason, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        Ok(StockAdjusted::Created(Json(material.into())))
    }

    /// Request materials for a municipality
    ///
    /// For staff and that municipality's contacts. `Idempotency-Key` is honoured.
    #[oai(
        path = "/municipalities/:nis/material-requests",
        method = "post",
        operation_id = "create_material_request"
    )]
    async fn create_request(
        &self,
        auth: BearerAuth,
        req: &Request,
        nis: Path<String>,
        /// A key of your choice, unique per request (e.g. a UUID), kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<MaterialRequestIn>,
    ) -> Result<RequestCreated, ApiError> {
        let code = NisCode::parse_field("nis", &nis.0)?;
        let missing = || format!("there is no municipality {code} of yours");
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Municipality(code),
            missing,
            "only staff and the municipality's contacts request its materials",
        )?;
        // A retry is answered from its key before anything else is checked (a request sent
        // before midnight with tomorrow as needed_by is still the request that was stored).
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        if let Some(key) = &key
            && let Some((_, stored)) = idempotency::earlier(self.materials.earlier_answer(key).await?)?
        {
            return replay(&stored);
        }
        if self.municipalities.get(code).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "there is no municipality {code} in Flanders or Brussels"
            )));
        }
        let raw_lines: Vec<(String, i64)> = body
            .lines
            .iter()
            .map(|l| (l.material_code.clone(), l.quantity))
            .collect();
        let lines = material::lines(&raw_lines);
        let when = material::needed_by_and_address(body.needed_by, local_date(Utc::now()), &body.delivery_address);
        let note = campaign_domain::ledger::note("note", body.note.as_deref());
        let (lines, (needed_by, delivery_address), note) = match (lines, when, note) {
            (Ok(l), Ok(w), Ok(n)) => (l, w, n),
            (l, w, n) => {
                let all = campaign_domain::ValidationError::all([l.err(), w.err(), n.err()]);
                return Err(ApiError::validation(all));
            }
        };
        let new = NewRequest {
            municipality: code,
            requested_by: auth.0.user_id,
            needed_by,
            delivery_address,
            note,
            lines,
        };
        let render = |r: &MaterialRequest| idempotency::created_json(MaterialRequestOut::from(r.clone()));
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let created = self.materials.create_request(new, &ctx, key.as_ref(), render).await?;
        idempotency::answer(
            created,
            |request| {
                let location = format!("/api/v1/material-requests/{}", request.id);
                RequestCreated::Created(Json(request.into()), location, false)
            },
            replay,
        )
    }

    /// The queue of material requests
    ///
    /// Oldest needed-by first. Staff see all; a municipal contact their municipality's.
    #[oai(path = "/material-requests", method = "get", operation_id = "list_material_requests")]
    async fn list_requests(
        &self,
        auth: BearerAuth,
        status: Query<Option<RequestStatusName>>,
        #[oai(validator(max_length = 5))] municipality_nis: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<MaterialRequestPage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let mut filter = RequestFilter {
            status: status.0.map(Into::into),
            municipality: municipality_nis
                .0
                .as_deref()
                .map(|m| NisCode::parse_field("municipality_nis", m))
                .transpose()?,
            after: None,
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::MunicipalContact { municipality } => {
                if filter.municipality.is_some_and(|m| m != municipality) {
                    return Ok(Json(MaterialRequestPage {
                        items: Vec::new(),
                        next_cursor: None,
                    }));
                }
                filter.municipality = Some(municipality);
            }
            Membership::Volunteer { .. } | Membership::MemberOrg { .. } | Membership::Initiative { .. } => {
                return Err(ApiError::forbidden(format!(
                    "material requests are for staff and municipal contacts; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        if let Some(raw) = cursor.0.as_deref() {
            let invalid = || ApiError::invalid_field("cursor", "this cursor is not valid here");
            let key = pagination::decode(CURSOR_LIST, raw)?;
            let (day, id) = key.split_once('|').ok_or_else(invalid)?;
            filter.after = Some((
                day.parse().map_err(|_| invalid())?,
                Uuid::parse_str(id).map_err(|_| invalid())?,
            ));
        }
        let mut rows = self.materials.list_requests(&filter, limit.get() + 1).await?;
        let next_cursor =
            pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |r| format!("{}|{}", r.needed_by, r.id));
        Ok(Json(MaterialRequestPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Get a material request
    #[oai(
        path = "/material-requests/:id",
        method = "get",
        operation_id = "get_material_request"
    )]
    async fn get_request(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<MaterialRequestOut>, ApiError> {
        Ok(Json(self.visible(&auth, id.0, Action::Read, "").await?.into()))
    }

    /// Approve: reserve stock for every line, or for none (409 lists each short line)
    #[oai(
        path = "/material-requests/:id/approve",
        method = "post",
        operation_id = "approve_material_request"
    )]
    async fn approve(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        self.apply(&auth, req, id.0, RequestMove::Approve, None).await
    }

    /// Reject a submitted request, with a reason
    #[oai(
        path = "/material-requests/:id/reject",
        method = "post",
        operation_id = "reject_material_request"
    )]
    async fn reject(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<RejectIn>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        let reason = parse_text("reason", &body.reason, 500)?;
        self.apply(&auth, req, id.0, RequestMove::Reject, Some(reason)).await
    }

    /// Ship: the reserved stock leaves the warehouse
    #[oai(
        path = "/material-requests/:id/ship",
        method = "post",
        operation_id = "ship_material_request"
    )]
    async fn ship(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        self.apply(&auth, req, id.0, RequestMove::Ship, None).await
    }

    /// Mark a shipped request delivered
    #[oai(
        path = "/material-requests/:id/deliver",
        method = "post",
        operation_id = "deliver_material_request"
    )]
    async fn deliver(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        self.apply(&auth, req, id.0, RequestMove::Deliver, None).await
    }

    /// Take lent materials back into stock
    #[oai(
        path = "/material-requests/:id/return",
        method = "post",
        operation_id = "return_material_request"
    )]
    async fn return_request(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        self.apply(&auth, req, id.0, RequestMove::Return, None).await
    }

    /// Cancel before shipping (staff, or the municipality's contacts); releases reserved stock
    #[oai(
        path = "/material-requests/:id/cancel",
        method = "post",
        operation_id = "cancel_material_request"
    )]
    async fn cancel(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Json<MaterialRequestOut>, ApiError> {
        self.apply(&auth, req, id.0, RequestMove::Cancel, None).await
    }
}

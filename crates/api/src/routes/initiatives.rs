//! The 4th pillar's citizen initiatives: `/initiatives` (staff all, an initiative's accounts their
//! own), and municipalities' referrals (`POST /municipalities/{nis}/referrals`, `GET /referrals`):
//! the referring municipality follows what became of them without the initiative's private data.

use std::sync::Arc;

use campaign_domain::ids::InitiativeId;
use campaign_domain::initiative::{self, BudgetBand, InitiativeStatus, Profile, ProfileDraft, Support};
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::initiatives::{Initiative, InitiativeError, InitiativeFilter, InitiativeRepo, Referral};
use campaign_persistence::municipalities::MunicipalityRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::idempotency;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "initiatives";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum InitiativeStatusName {
    /// Sent on by a municipality; 11.11.11 has not taken it on yet.
    Referred,
    /// 11.11.11 knows and supports it.
    Known,
    /// No longer active.
    Inactive,
}

impl From<InitiativeStatus> for InitiativeStatusName {
    fn from(s: InitiativeStatus) -> Self {
        match s {
            InitiativeStatus::Referred => Self::Referred,
            InitiativeStatus::Known => Self::Known,
            InitiativeStatus::Inactive => Self::Inactive,
        }
    }
}

impl From<InitiativeStatusName> for InitiativeStatus {
    fn from(s: InitiativeStatusName) -> Self {
        match s {
            InitiativeStatusName::Referred => Self::Referred,
            InitiativeStatusName::Known => Self::Known,
            InitiativeStatusName::Inactive => Self::Inactive,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SupportName {
    /// The handbook, the helpdesk, individual guidance.
    Advice,
    /// Free trainings and network meetings.
    Training,
    /// The 11.11.11 fund for the 4th pillar.
    Fund,
}

impl From<Support> for SupportName {
    fn from(s: Support) -> Self {
        match s {
            Support::Advice => Self::Advice,
            Support::Training => Self::Training,
            Support::Fund => Self::Fund,
        }
    }
}

impl From<SupportName> for Support {
    fn from(s: SupportName) -> Self {
        match s {
            SupportName::Advice => Self::Advice,
            SupportName::Training => Self::Training,
            SupportName::Fund => Self::Fund,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum BudgetBandName {
    #[oai(rename = "under_10k")]
    Under10k,
    #[oai(rename = "10k_50k")]
    From10kTo50k,
    #[oai(rename = "50k_250k")]
    From50kTo250k,
    #[oai(rename = "over_250k")]
    Over250k,
}

impl From<BudgetBand> for BudgetBandName {
    fn from(b: BudgetBand) -> Self {
        match b {
            BudgetBand::Under10k => Self::Under10k,
            BudgetBand::From10kTo50k => Self::From10kTo50k,
            BudgetBand::From50kTo250k => Self::From50kTo250k,
            BudgetBand::Over250k => Self::Over250k,
        }
    }
}

impl From<BudgetBandName> for BudgetBand {
    fn from(b: BudgetBandName) -> Self {
        match b {
            BudgetBandName::Under10k => Self::Under10k,
            BudgetBandName::From10kTo50k => Self::From10kTo50k,
            BudgetBandName::From50kTo250k => Self::From50kTo250k,
            BudgetBandName::Over250k => Self::Over250k,
        }
    }
}

/// An initiative with its profile.
#[derive(Debug, Object)]
pub struct InitiativeOut {
    pub id: Uuid,
    pub name: String,
    pub municipality_nis: String,
    /// ISO 3166-1 alpha-2 codes of the countries it works in.
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    #[oai(nullable)]
    pub partner_abroad: Option<String>,
    #[oai(nullable)]
    pub contact_name: Option<String>,
    pub contact_email: String,
    #[oai(nullable)]
    pub volunteers: Option<u32>,
    #[oai(nullable)]
    pub budget_band: Option<BudgetBandName>,
    pub status: InitiativeStatusName,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Initiative> for InitiativeOut {
    fn from(i: Initiative) -> Self {
        let p = i.profile;
        Self {
            id: i.id.as_uuid(),
            name: p.name,
            municipality_nis: p.municipality.to_string(),
            countries: p.countries,
            themes: p.themes,
            partner_abroad: p.partner_abroad,
            contact_name: p.contact_name,
            contact_email: p.contact_email.as_str().to_owned(),
            volunteers: p.volunteers,
            budget_band: p.budget_band.map(Into::into),
            status: i.status.into(),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct InitiativePage {
    pub items: Vec<InitiativeOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// An initiative's profile as sent.
#[derive(Debug, Object, Clone)]
#[oai(deny_unknown_fields)]
pub struct ProfileIn {
    #[oai(validator(max_length = 120))]
    pub name: String,
    /// The municipality it is based in (5 digits).
    #[oai(validator(pattern = "^[0-9]{5}$"))]
    pub municipality_nis: String,
    /// ISO 3166-1 alpha-2 codes, e.g. `["CD", "PE"]`.
    #[oai(validator(max_items = 30))]
    pub countries: Option<Vec<String>>,
    /// What it works on, in its own words.
    #[oai(validator(max_items = 20))]
    pub themes: Option<Vec<String>>,
    #[oai(validator(max_length = 200))]
    pub partner_abroad: Option<String>,
    #[oai(validator(max_length = 100))]
    pub contact_name: Option<String>,
    #[oai(validator(max_length = 254))]
    pub contact_email: String,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub volunteers: Option<i64>,
    pub budget_band: Option<BudgetBandName>,
}

/// A change: absent fields stay, `null` clears the optional ones; `status` is staff's.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateInitiative {
    #[oai(validator(max_length = 120))]
    pub name: Option<String>,
    #[oai(validator(pattern = "^[0-9]{5}$"))]
    pub municipality_nis: Option<String>,
    #[oai(validator(max_items = 30))]
    pub countries: Option<Vec<String>>,
    #[oai(validator(max_items = 20))]
    pub themes: Option<Vec<String>>,
    #[oai(validator(max_length = 200))]
    pub partner_abroad: MaybeUndefined<String>,
    #[oai(validator(max_length = 100))]
    pub contact_name: MaybeUndefined<String>,
    #[oai(validator(max_length = 254))]
    pub contact_email: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub volunteers: MaybeUndefined<i64>,
    pub budget_band: MaybeUndefined<BudgetBandName>,
    /// `known` (take a referral on) or `inactive`; staff only.
    pub status: Option<InitiativeStatusName>,
}

/// A referral as the referring municipality sees it.
#[derive(Debug, Object)]
pub struct ReferralOut {
    pub id: Uuid,
    pub initiative_id: Uuid,
    pub initiative_name: String,
    /// What became of it: `referred` (waiting for 11.11.11), `known` (taken on), `inactive`.
    pub initiative_status: InitiativeStatusName,
    pub municipality_nis: String,
    #[oai(nullable)]
    pub referred_by: Option<Uuid>,
    pub support: Vec<SupportName>,
    #[oai(nullable)]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Referral> for ReferralOut {
    fn from(r: Referral) -> Self {
        Self {
            id: r.id,
            initiative_id: r.initiative.as_uuid(),
            initiative_name: r.initiative_name,
            initiative_status: r.initiative_status.into(),
            municipality_nis: r.municipality.to_string(),
            referred_by: r.referred_by.map(|u| u.as_uuid()),
            support: r.support.into_iter().map(Into::into).collect(),
            note: r.note,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ReferralList {
    pub items: Vec<ReferralOut>,
}

/// The initiative a municipality sends on: its name and contact at least.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ReferredInitiative {
    #[oai(validator(max_length = 120))]
    pub name: String,
    #[oai(validator(max_length = 254))]
    pub contact_email: String,
    #[oai(validator(max_length = 100))]
    pub contact_name: Option<String>,
    #[oai(validator(max_items = 30))]
    pub countries: Option<Vec<String>>,
    #[oai(validator(max_items = 20))]
    pub themes: Option<Vec<String>>,
    #[oai(validator(max_length = 200))]
    pub partner_abroad: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100000")))]
    pub volunteers: Option<i64>,
    pub budget_band: Option<BudgetBandName>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ReferIn {
    pub initiative: ReferredInitiative,
    /// What the initiative needs: one or more of `advice`, `training`, `fund`.
    #[oai(validator(min_items = 1, max_items = 3))]
    pub support: Vec<SupportName>,
    /// Up to 2000 characters, line breaks kept.
    #[oai(validator(max_length = 2000))]
    pub note: Option<String>,
}

#[derive(ApiResponse)]
pub enum InitiativeCreated {
    /// The initiative is added, `known`.
    #[oai(status = 201)]
    Created(Json<InitiativeOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum ReferralCreated {
    /// The initiative is referred to 11.11.11's 4th-pillar desk.
    #[oai(status = 201)]
    Created(
        Json<ReferralOut>,
        /// `true` when this answers a retry with the same `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

fn replay(stored: &str) -> Result<ReferralCreated, ApiError> {
    Ok(ReferralCreated::Created(Json(idempotency::replayed(stored)?), true))
}

pub struct InitiativesApi {
    pub initiatives: InitiativeRepo,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no initiative {id} of yours"))
}

fn strs(list: &Option<Vec<String>>) -> Vec<&str> {
    list.iter().flatten().map(String::as_str).collect()
}

impl InitiativesApi {
    /// The profile checked, and its municipality one of ours (422 otherwise).
    async fn checked(&self, draft: ProfileDraft<'_>) -> Result<Profile, ApiError> {
        let profile = Profile::new(draft)?;
        if self.municipalities.get(profile.municipality).await?.is_none() {
            return Err(ApiError::unprocessable(format!(
                "municipality_nis {} is not a municipality of Flanders or Brussels",
                profile.municipality
            )));
        }
        Ok(profile)
    }

    /// The initiative, if the actor may see it (staff, its own accounts).
    async fn visible(&self, auth: &BearerAuth, id: Uuid, action: Action) -> Result<Initiative, ApiError> {
        let initiative = InitiativeId::from_uuid(id);
        let _grant = allow(
            &auth.0,
            action,
            Scope::Initiative(initiative),
            || format!("there is no initiative {id} of yours"),
            "only staff and the initiative's own accounts change it",
        )?;
        self.initiatives.get(initiative).await?.ok_or_else(|| missing(id))
    }
}

#[OpenApi(tag = "ApiTags::FourthPillar")]
impl InitiativesApi {
    /// Initiatives
    ///
    /// In name order. Staff see all (filter by `municipality_nis` and `status`, e.g.
    /// `status=referred` for the referrals to take on); an initiative's account sees its own.
    /// Others are refused (403): a municipality follows its referrals at `GET /referrals`.
    #[oai(path = "/initiatives", method = "get", operation_id = "list_initiatives")]
    async fn list(
        &self,
        auth: BearerAuth,
        #[oai(validator(pattern = "^[0-9]{5}$"))] municipality_nis: Query<Option<String>>,
        status: Query<Option<InitiativeStatusName>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<InitiativePage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let mut filter = InitiativeFilter {
            municipality: municipality_nis
                .0
                .as_deref()
                .map(|m| NisCode::parse_field("municipality_nis", m))
                .transpose()?,
            status: status.0.map(Into::into),
            ..InitiativeFilter::default()
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::Initiative { initiative } => filter.only = Some(initiative),
            _ => {
                return Err(ApiError::forbidden(format!(
                    "initiatives are for staff and the initiatives' own accounts (a municipality follows its referrals at GET /api/v1/referrals); your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        if let Some(raw) = cursor.0.as_deref() {
            let invalid = || ApiError::invalid_field("cursor", "this cursor is not valid here");
            let key = pagination::decode(CURSOR_LIST, raw)?;
            let (name, id) = key.rsplit_once('\u{1f}').ok_or_else(invalid)?;
            filter.after = Some((name.to_owned(), Uuid::parse_str(id).map_err(|_| invalid())?));
        }
        let mut rows = self.initiatives.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |i| {
            format!("{}\u{1f}{}", i.profile.name, i.id)
        });
        Ok(Json(InitiativePage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Add an initiative
    ///
    /// Staff only; answered `known`; audited. Accounts for it: `POST /users` with role
    /// `initiative` and its `initiative_id`.
    #[oai(path = "/initiatives", method = "post", operation_id = "create_initiative")]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<ProfileIn>,
    ) -> Result<InitiativeCreated, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only 11.11.11 staff add initiatives (a municipality refers one with POST /municipalities/{nis}/referrals)",
        )?;
        let b = &body.0;
        let profile = self
            .checked(ProfileDraft {
                name: &b.name,
                municipality_nis: &b.municipality_nis,
                countries: strs(&b.countries),
                themes: strs(&b.themes),
                partner_abroad: b.partner_abroad.as_deref(),
                contact_name: b.contact_name.as_deref(),
                contact_email: &b.contact_email,
                volunteers: b.volunteers,
                budget_band: b.budget_band.map(Into::into),
            })
            .await?;
        let created = self
            .initiatives
            .create(profile, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/initiatives/{}", created.id);
        Ok(InitiativeCreated::Created(Json(created.into()), location))
    }

    /// One initiative
    ///
    /// Staff and the initiative's own accounts; 404 for anyone else.
    #[oai(path = "/initiatives/:id", method = "get", operation_id = "get_initiative")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<InitiativeOut>, ApiError> {
        Ok(Json(self.visible(&auth, id.0, Action::Read).await?.into()))
    }

    /// Change an initiative
    ///
    /// Staff and the initiative's own accounts change the profile (audited); only staff change
    /// `status` (a referral taken on is `known`; 409 for a move back to `referred`).
    #[oai(path = "/initiatives/:id", method = "patch", operation_id = "update_initiative")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<UpdateInitiative>,
    ) -> Result<Json<InitiativeOut>, ApiError> {
        let current = self.visible(&auth, id.0, Action::Write).await?;
        let b = body.0;
        if b.status.is_some() && auth.0.membership != Membership::Staff {
            return Err(ApiError::forbidden(
                "only 11.11.11 staff change an initiative's status; leave `status` out",
            ));
        }
        let p = current.profile;
        let municipality = p.municipality.to_string();
        let keep = |v: &MaybeUndefined<String>, old: Option<String>| match v {
            MaybeUndefined::Undefined => old,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v.clone()),
        };
        let partner = keep(&b.partner_abroad, p.partner_abroad.clone());
        let contact_name = keep(&b.contact_name, p.contact_name.clone());
        let volunteers = match b.volunteers {
            MaybeUndefined::Undefined => p.volunteers.map(i64::from),
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v),
        };
        let budget_band = match b.budget_band {
            MaybeUndefined::Undefined => p.budget_band,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v.into()),
        };
        let countries = b.countries.clone().unwrap_or_else(|| p.countries.clone());
        let themes = b.themes.clone().unwrap_or_else(|| p.themes.clone());
        let email = b
            .contact_email
            .clone()
            .unwrap_or_else(|| p.contact_email.as_str().to_owned());
        let profile = self
            .checked(ProfileDraft {
                name: b.name.as_deref().unwrap_or(&p.name),
                municipality_nis: b.municipality_nis.as_deref().unwrap_or(&municipality),
                countries: countries.iter().map(String::as_str).collect(),
                themes: themes.iter().map(String::as_str).collect(),
                partner_abroad: partner.as_deref(),
                contact_name: contact_name.as_deref(),
                contact_email: &email,
                volunteers,
                budget_band,
            })
            .await?;
        let changed = self
            .initiatives
            .update(
                current.id,
                profile,
                b.status.map(Into::into),
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await
            .map_err(|e| match e {
                InitiativeError::NotFound => missing(id.0),
                InitiativeError::Refused(e) => ApiError::conflict(e.to_string()),
                InitiativeError::Store(e) => e.into(),
            })?;
        Ok(Json(changed.into()))
    }

    /// Refer an initiative to 11.11.11
    ///
    /// For staff and that municipality's contacts (404 for another municipality): an
    /// initiative from the municipality that needs `advice`, `training` or the `fund`. It is
    /// added as `referred`; staff take it on from `GET /initiatives?status=referred`; the
    /// municipality follows it at `GET /referrals`. `Idempotency-Key` is honoured.
    #[oai(
        path = "/municipalities/:nis/referrals",
        method = "post",
        operation_id = "refer_initiative"
    )]
    async fn refer(
        &self,
        auth: BearerAuth,
        req: &Request,
        nis: Path<String>,
        /// A key of your choice, unique per request (e.g. a UUID), kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<ReferIn>,
    ) -> Result<ReferralCreated, ApiError> {
        let code = NisCode::parse_field("nis", &nis.0)?;
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Municipality(code),
            || format!("there is no municipality {code} of yours"),
            "only staff and the municipality's contacts refer in its name",
        )?;
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        if let Some(key) = &key
            && let Some((_, stored)) = idempotency::earlier(self.initiatives.earlier_answer(key).await?)?
        {
            return replay(&stored);
        }
        let b = &body.0;
        let i = &b.initiative;
        let nis_text = code.to_string();
        let support: Vec<&str> = b.support.iter().map(|s| Support::from(*s).as_str()).collect();
        let profile = Profile::new(ProfileDraft {
            name: &i.name,
            municipality_nis: &nis_text,
            countries: strs(&i.countries),
            themes: strs(&i.themes),
            partner_abroad: i.partner_abroad.as_deref(),
            contact_name: i.contact_name.as_deref(),
            contact_email: &i.contact_email,
            volunteers: i.volunteers,
            budget_band: i.budget_band.map(Into::into),
        });
        let support = initiative::support_set(&support);
        let note = b
            .note
            .as_deref()
            .map(initiative::referral_note)
            .transpose()
            .map(Option::flatten);
        let (profile, support, note) = match (profile, support, note) {
            (Ok(p), Ok(s), Ok(n)) => (p, s, n),
            (p, s, n) => {
                let all = campaign_domain::ValidationError::all([p.err(), s.err(), n.err()]);
                return Err(ApiError::validation(all));
            }
        };
        if self.municipalities.get(code).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "there is no municipality {code} in Flanders or Brussels"
            )));
        }
        let render = |r: &Referral| idempotency::created_json(ReferralOut::from(r.clone()));
        let created = self
            .initiatives
            .refer(
                profile,
                support,
                note,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
                key.as_ref(),
                render,
            )
            .await?;
        idempotency::answer(created, |r| ReferralCreated::Created(Json(r.into()), false), replay)
    }

    /// Referrals
    ///
    /// Newest first: staff see all, a contact their municipality's, each with what became of
    /// the initiative (its status). Others are refused (403).
    #[oai(path = "/referrals", method = "get", operation_id = "list_referrals")]
    async fn referrals(&self, auth: BearerAuth) -> Result<Json<ReferralList>, ApiError> {
        let municipality = match auth.0.membership {
            Membership::Staff => None,
            Membership::MunicipalContact { municipality } => Some(municipality),
            _ => {
                return Err(ApiError::forbidden(format!(
                    "referrals are for staff and municipal contacts; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        };
        Ok(Json(ReferralList {
            items: self
                .initiatives
                .referrals(municipality)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        }))
    }
}

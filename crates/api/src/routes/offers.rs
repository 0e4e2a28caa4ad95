//! The member organisations' offer to local governments: `/offers` (anyone searches and reads),
//! `/member-organisations/{id}/offers` (the organisation's own list and new offers, for staff
//! and that organisation's `member_org` accounts), `PATCH /offers/{id}`, and the managed list of
//! themes at `/offer-themes`.

use std::sync::Arc;

use campaign_domain::ids::MemberOrgId;
use campaign_domain::municipality::Province;
use campaign_domain::offer::{Audience, OfferDetails, OfferDraft, OfferFormat, SearchWords, Theme, ThemeCode};
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::offers::{Offer, OfferFilter, OfferRepo};
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::municipalities::ProvinceName;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "offers";

macro_rules! api_vocabulary {
    ($(#[$meta:meta])* $api:ident <=> $domain:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
        #[oai(rename_all = "snake_case")]
        pub enum $api {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$api> for $domain {
            fn from(v: $api) -> Self {
                match v {
                    $($api::$variant => $domain::$variant),+
                }
            }
        }

        impl From<$domain> for $api {
            fn from(v: $domain) -> Self {
                match v {
                    $($domain::$variant => $api::$variant),+
                }
            }
        }
    };
}

api_vocabulary!(
    /// The shape an offer takes.
    OfferFormatName <=> OfferFormat {
        Exhibition,
        Workshop,
        /// A game or a method.
        GameOrMethod,
        Trajectory,
        Lecture,
        Walk,
        Brochure,
        Installation,
        Products,
    }
);

api_vocabulary!(
    /// Whom an offer is for.
    AudienceName <=> Audience {
        Citizens,
        Schools,
        /// A children's or youth council.
        ChildrenYouthCouncil,
        CivilServants,
        CouncilMembers,
    }
);

/// A theme of the managed list.
#[derive(Debug, Object)]
pub struct ThemeOut {
    /// E.g. `water`, `fair-trade`.
    pub code: String,
    pub name: String,
}

impl From<Theme> for ThemeOut {
    fn from(t: Theme) -> Self {
        Self {
            code: t.code.as_str().to_owned(),
            name: t.name,
        }
    }
}

#[derive(Debug, Object)]
pub struct ThemeList {
    pub items: Vec<ThemeOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateTheme {
    /// 1 to 40 lower-case letters, digits and hyphens.
    #[oai(validator(max_length = 40, pattern = "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"))]
    pub code: String,
    #[oai(validator(max_length = 80))]
    pub name: String,
}

/// An offer of a member organisation to local governments.
#[derive(Debug, Object)]
pub struct OfferOut {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub title: String,
    pub description: String,
    pub formats: Vec<OfferFormatName>,
    /// Codes of the managed list (`GET /offer-themes`).
    pub themes: Vec<String>,
    pub audiences: Vec<AudienceName>,
    /// Where it is offered; empty when `everywhere`.
    pub provinces: Vec<ProvinceName>,
    /// Offered in all of Flanders and Brussels.
    pub everywhere: bool,
    #[oai(nullable)]
    pub cost_note: Option<String>,
    #[oai(nullable)]
    pub link: Option<String>,
    /// Still offered; a withdrawn offer is left out of `GET /offers`.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Offer> for OfferOut {
    fn from(o: Offer) -> Self {
        let d = o.details;
        Self {
            id: o.id,
            organisation_id: o.organisation.as_uuid(),
            organisation_name: o.organisation_name,
            title: d.title,
            description: d.description,
            formats: d.formats.into_iter().map(Into::into).collect(),
            themes: d.themes.iter().map(|t| t.as_str().to_owned()).collect(),
            audiences: d.audiences.into_iter().map(Into::into).collect(),
            everywhere: d.provinces.is_empty(),
            provinces: d.provinces.into_iter().map(Into::into).collect(),
            cost_note: d.cost_note,
            link: d.link,
            active: o.active,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// One page of offers, and how many match in all.
#[derive(Debug, Object)]
pub struct OfferPage {
    pub items: Vec<OfferOut>,
    pub total: u64,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A new offer.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateOffer {
    #[oai(validator(max_length = 200))]
    pub title: String,
    /// Up to 5000 characters, line breaks kept.
    #[oai(validator(max_length = 5000))]
    pub description: String,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub formats: Vec<OfferFormatName>,
    /// Codes of the managed list (`GET /offer-themes`).
    #[oai(validator(min_items = 1, max_items = 20))]
    pub themes: Vec<String>,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub audiences: Vec<AudienceName>,
    /// Where it is offered; leave out (or empty) for all of Flanders and Brussels.
    #[oai(validator(max_items = 6))]
    pub provinces: Option<Vec<ProvinceName>>,
    /// E.g. "free", "€150 per session"; up to 300 characters.
    #[oai(validator(max_length = 300))]
    pub cost_note: Option<String>,
    /// A web page about it, starting with https://.
    #[oai(validator(max_length = 500))]
    pub link: Option<String>,
}

/// A change to an offer: absent fields stay; `null` clears `cost_note` or `link`; lists replace
/// the whole list; `active: false` withdraws it.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateOffer {
    #[oai(validator(max_length = 200))]
    pub title: Option<String>,
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub formats: Option<Vec<OfferFormatName>>,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub themes: Option<Vec<String>>,
    #[oai(validator(min_items = 1, max_items = 20))]
    pub audiences: Option<Vec<AudienceName>>,
    #[oai(validator(max_items = 6))]
    pub provinces: Option<Vec<ProvinceName>>,
    #[oai(validator(max_length = 300))]
    pub cost_note: MaybeUndefined<String>,
    #[oai(validator(max_length = 500))]
    pub link: MaybeUndefined<String>,
    pub active: Option<bool>,
}

#[derive(ApiResponse)]
pub enum OfferCreated {
    /// The offer is published.
    #[oai(status = 201)]
    Created(Json<OfferOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum ThemeCreated {
    /// The theme is added to the list.
    #[oai(status = 201)]
    Created(Json<ThemeOut>),
}

pub struct OffersApi {
    pub offers: OfferRepo,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no offer {id}; GET /api/v1/offers lists them"))
}

/// The new value of an optional text: absent keeps `current`, `null` clears it.
fn merged(change: &MaybeUndefined<String>, current: Option<String>) -> Option<String> {
    match change {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(v) => Some(v.clone()),
    }
}

/// The search's paging: `limit` (1 to 500, default 50) from the cursor's offset.
fn page(limit: Option<i64>, cursor: Option<&str>) -> Result<(PageLimit, u64), ApiError> {
    let limit = PageLimit::parse(limit)?;
    let offset = match cursor {
        None => 0,
        Some(raw) => pagination::decode(CURSOR_LIST, raw)?
            .parse::<u64>()
            .map_err(|_| ApiError::invalid_field("cursor", "this cursor is not valid here"))?,
    };
    Ok((limit, offset))
}

fn next_cursor(offset: u64, shown: usize, total: u64) -> Option<String> {
    let next = offset + shown as u64;
    (shown > 0 && next < total).then(|| pagination::encode(CURSOR_LIST, &next.to_string()))
}

impl OffersApi {
    /// Checks the offer's fields and that its themes are in the managed list.
    async fn checked(&self, draft: OfferDraft<'_>) -> Result<OfferDetails, ApiError> {
        let details = OfferDetails::new(draft)?;
        let themes = self.offers.themes().await?;
        details.unknown_themes(themes.iter().map(|t| &t.code))?;
        Ok(details)
    }

    /// Staff and the organisation's own accounts may change its offers; others are told it
    /// does not exist (for a page of an organisation) or that it is not theirs (for an offer,
    /// which anyone may read).
    fn may_write(
        auth: &BearerAuth,
        organisation: MemberOrgId,
        hidden: impl FnOnce() -> String,
    ) -> Result<(), ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::MemberOrg(organisation),
            hidden,
            "only staff and the organisation's own accounts change its offers",
        )?;
        Ok(())
    }
}

#[OpenApi(tag = "ApiTags::MemberOrganisations")]
impl OffersApi {
    /// The themes of the offer
    ///
    /// The managed list offers are tagged with; no sign-in needed.
    #[oai(path = "/offer-themes", method = "get", operation_id = "list_offer_themes")]
    async fn themes(&self) -> Result<Json<ThemeList>, ApiError> {
        Ok(Json(ThemeList {
            items: self.offers.themes().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// Add a theme
    ///
    /// Staff only; audited. A code in use is 409.
    #[oai(path = "/offer-themes", method = "post", operation_id = "create_offer_theme")]
    async fn add_theme(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateTheme>,
    ) -> Result<ThemeCreated, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only 11.11.11 staff keep the list of themes",
        )?;
        let theme = Theme::new(&body.code, &body.name)?;
        let added = self
            .offers
            .add_theme(theme, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        Ok(ThemeCreated::Created(Json(added.into())))
    }

    /// Search the offer
    ///
    /// No sign-in needed; offers still offered only. `q` searches title and description (every
    /// word must occur, as a word or the start of one: `water` finds "Waterwandeling"; on
    /// PostgreSQL with Dutch stemming), most relevant first; without `q`, in title order. The
    /// filters combine: `province` includes offers for all of Flanders and Brussels.
    #[oai(path = "/offers", method = "get", operation_id = "list_offers")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        /// Words to search for in title and description.
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        /// A theme code (`GET /offer-themes`).
        #[oai(validator(max_length = 40))]
        theme: Query<Option<String>>,
        format: Query<Option<OfferFormatName>>,
        audience: Query<Option<AudienceName>>,
        province: Query<Option<ProvinceName>>,
        organisation_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<OfferPage>, ApiError> {
        let (limit, offset) = page(limit.0, cursor.0.as_deref())?;
        let filter = OfferFilter {
            words: q.0.as_deref().map(SearchWords::parse).transpose()?,
            theme: theme
                .0
                .as_deref()
                .map(|t| ThemeCode::parse_field("theme", t))
                .transpose()?,
            format: format.0.map(Into::into),
            audience: audience.0.map(Into::into),
            province: province.0.map(Province::from),
            organisation: organisation_id.0.map(MemberOrgId::from_uuid),
            include_withdrawn: false,
        };
        self.search(&filter, limit, offset).await
    }

    /// One offer
    ///
    /// No sign-in needed; withdrawn offers too (`active: false`), so inquiries about them stay
    /// readable.
    #[oai(path = "/offers/:id", method = "get", operation_id = "get_offer")]
    async fn get(&self, id: Path<Uuid>) -> Result<Json<OfferOut>, ApiError> {
        let offer = self.offers.get(id.0).await?.ok_or_else(|| missing(id.0))?;
        Ok(Json(offer.into()))
    }

    /// An organisation's own offers
    ///
    /// For staff and the organisation's `member_org` accounts (404 for others): withdrawn
    /// offers included, in title order.
    #[oai(
        path = "/member-organisations/:id/offers",
        method = "get",
        operation_id = "list_organisation_offers"
    )]
    async fn own(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<OfferPage>, ApiError> {
        let organisation = MemberOrgId::from_uuid(id.0);
        let _grant = allow(
            &auth.0,
            Action::Read,
            Scope::MemberOrg(organisation),
            || format!("there is no member organisation {} of yours", id.0),
            "",
        )?;
        let (limit, offset) = page(limit.0, cursor.0.as_deref())?;
        let filter = OfferFilter {
            organisation: Some(organisation),
            include_withdrawn: true,
            ..OfferFilter::default()
        };
        self.search(&filter, limit, offset).await
    }

    /// Publish an offer
    ///
    /// For staff and the organisation's `member_org` accounts (404 for others); audited.
    /// Themes must be in the managed list (400 names the unknown ones).
    #[oai(
        path = "/member-organisations/:id/offers",
        method = "post",
        operation_id = "create_offer"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<CreateOffer>,
    ) -> Result<OfferCreated, ApiError> {
        let organisation = MemberOrgId::from_uuid(id.0);
        Self::may_write(&auth, organisation, || {
            format!("there is no member organisation {} of yours", id.0)
        })?;
        let body = body.0;
        let details = self
            .checked(OfferDraft {
                title: &body.title,
                description: &body.description,
                formats: body.formats.iter().map(|f| OfferFormat::from(*f).as_str()).collect(),
                themes: body.themes.iter().map(String::as_str).collect(),
                audiences: body.audiences.iter().map(|a| Audience::from(*a).as_str()).collect(),
                provinces: body.provinces.unwrap_or_default().into_iter().map(Into::into).collect(),
                cost_note: body.cost_note.as_deref(),
                link: body.link.as_deref(),
            })
            .await?;
        let created = self
            .offers
            .create(
                organisation,
                details,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        let location = format!("/api/v1/offers/{}", created.id);
        Ok(OfferCreated::Created(Json(created.into()), location))
    }

    /// Change an offer
    ///
    /// For staff and the organisation's `member_org` accounts (403 for others, who may read
    /// it); audited. `active: false` withdraws it from the search, `true` offers it again.
    #[oai(path = "/offers/:id", method = "patch", operation_id = "update_offer")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<UpdateOffer>,
    ) -> Result<Json<OfferOut>, ApiError> {
        let current = self.offers.get(id.0).await?.ok_or_else(|| missing(id.0))?;
        if let Err(refused) = Self::may_write(&auth, current.organisation, String::new) {
            // The offer is public: refusing a stranger is 403, not 404.
            return Err(match refused {
                ApiError::NotFound(_) => ApiError::forbidden(format!(
                    "only staff and the organisation's own accounts change its offers; your role is {}",
                    auth.0.role().as_str()
                )),
                other => other,
            });
        }
        let body = body.0;
        let d = current.details;
        let formats: Vec<&str> = match &body.formats {
            Some(f) => f.iter().map(|f| OfferFormat::from(*f).as_str()).collect(),
            None => d.formats.iter().map(|f| f.as_str()).collect(),
        };
        let themes: Vec<&str> = match &body.themes {
            Some(t) => t.iter().map(String::as_str).collect(),
            None => d.themes.iter().map(ThemeCode::as_str).collect(),
        };
        let audiences: Vec<&str> = match &body.audiences {
            Some(a) => a.iter().map(|a| Audience::from(*a).as_str()).collect(),
            None => d.audiences.iter().map(|a| a.as_str()).collect(),
        };
        let provinces: Vec<Province> = match &body.provinces {
            Some(p) => p.iter().map(|p| Province::from(*p)).collect(),
            None => d.provinces.iter().copied().collect(),
        };
        let cost_note = merged(&body.cost_note, d.cost_note.clone());
        let link = merged(&body.link, d.link.clone());
        let details = self
            .checked(OfferDraft {
                title: body.title.as_deref().unwrap_or(&d.title),
                description: body.description.as_deref().unwrap_or(&d.description),
                formats,
                themes,
                audiences,
                provinces,
                cost_note: cost_note.as_deref(),
                link: link.as_deref(),
            })
            .await?;
        let changed = self
            .offers
            .update(
                id.0,
                details,
                body.active.unwrap_or(current.active),
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        Ok(Json(changed.into()))
    }
}

impl OffersApi {
    async fn search(&self, filter: &OfferFilter, limit: PageLimit, offset: u64) -> Result<Json<OfferPage>, ApiError> {
        let found = self.offers.search(filter, offset, limit.get()).await?;
        let next_cursor = next_cursor(offset, found.items.len(), found.total);
        Ok(Json(OfferPage {
            items: found.items.into_iter().map(Into::into).collect(),
            total: found.total,
            next_cursor,
        }))
    }
}

//! Money raised: campaign totals, breakdowns (JSON or CSV), and the public thermometer. Read from
//! the running totals kept with every ledger write, never by scanning the ledger.

use campaign_domain::campaign::CampaignYear;
use campaign_domain::ids::UserId;
use campaign_domain::municipality::Province;
use campaign_domain::policy::Actor;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::activities::ActivityRepo;
use campaign_persistence::campaigns::{Campaign, CampaignRepo};
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::totals::{Dimension, Summary, TotalRow, TotalsRepo, TotalsScope};
use campaign_persistence::users::UserRepo;
use chrono::NaiveDate;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem::Request;
use poem::http::header;
use poem::web::sse::Event;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::EventStream;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::types::Any;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

use super::ApiTags;
use super::campaign_choice::Chosen;
use super::context::allow;
use super::map_shapes::Boundary;
use crate::auth::{AuthState, BearerAuth};
use crate::http::accept;
use crate::http::csv_table::{Cell, CsvTable};
use crate::http::{Negotiated, RenderedJson};
use crate::live_streams::{Latest, LiveTotals, Refused, StreamPermit};
use crate::problem::ApiError;

/// Money raised by kind of entry.
#[derive(Debug, Object)]
pub struct KindTotal {
    pub kind: String,
    pub raised_cents: i64,
    pub entries: i64,
}

/// A campaign's totals (for a municipal contact: their municipality's share).
#[derive(Debug, Object)]
pub struct CampaignTotals {
    pub campaign_year: i32,
    pub raised_cents: i64,
    /// The campaign-wide target; `null` for a municipal contact, whose figures are their
    /// municipality's share (compare them with `raised_cents_last_year_same_day` instead).
    #[oai(nullable)]
    pub target_cents: Option<i64>,
    /// The campaign before this one (`null` without one).
    #[oai(nullable)]
    pub previous_campaign_year: Option<i32>,
    /// Raised within the same scope (the whole campaign, or the contact's municipality) in the
    /// previous campaign up to the same day of its campaign as today is of this one (day 1 with
    /// day 1, as pacing aligns them; a campaign that is over compares whole). `null` without a
    /// previous campaign. On the live stream: as at connect.
    #[oai(nullable)]
    pub raised_cents_last_year_same_day: Option<i64>,
    pub entries: i64,
    pub groups_reporting: i64,
    pub municipalities_reporting: i64,
    pub by_kind: Vec<KindTotal>,
    /// `null` for the whole campaign; a contact's municipality otherwise.
    #[oai(nullable)]
    pub municipality_nis: Option<String>,
}

/// What totals can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DimensionName {
    Province,
    Municipality,
    Group,
    Product,
    PaymentMethod,
    Day,
}

impl From<DimensionName> for Dimension {
    fn from(d: DimensionName) -> Self {
        match d {
            DimensionName::Province => Self::Province,
            DimensionName::Municipality => Self::Municipality,
            DimensionName::Group => Self::Group,
            DimensionName::Product => Self::Product,
            DimensionName::PaymentMethod => Self::PaymentMethod,
            DimensionName::Day => Self::Day,
        }
    }
}

#[derive(Debug, Object)]
pub struct TotalItem {
    /// NIS code, group id, product code, payment method, province or day (YYYY-MM-DD, Belgian).
    pub key: String,
    pub label: String,
    pub raised_cents: i64,
    pub entries: i64,
}

impl From<TotalRow> for TotalItem {
    fn from(r: TotalRow) -> Self {
        Self {
            key: r.key,
            label: r.label,
            raised_cents: r.raised_cents,
            entries: r.entries,
        }
    }
}

#[derive(Debug, Object)]
pub struct TotalsBreakdown {
    pub items: Vec<TotalItem>,
}

#[derive(ApiResponse)]
pub enum BreakdownResponse {
    /// The breakdown; as CSV (`key,label,raised_cents,entries`) when `Accept` prefers `text/csv`,
    /// with `Content-Disposition: attachment; filename="totals-<year>-by-<dimension>.csv"`.
    /// Text cells that could run as a spreadsheet formula start with `'`.
    #[oai(status = 200)]
    Json(Json<TotalsBreakdown>),
    /// The breakdown as CSV.
    #[oai(status = 200, content_type = "text/csv")]
    Csv(
        PlainText<String>,
        /// CSV only: `attachment; filename="totals-<year>-by-<dimension>.csv"`.
        #[oai(header = "Content-Disposition")]
        Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum PacingResponse {
    /// Pacing; as CSV (`day,date,raised_cents,cumulative_cents,previous_date,previous_cumulative_cents`,
    /// empty cells for `null`) when `Accept` prefers `text/csv`, with
    /// `Content-Disposition: attachment; filename="pacing-<year>.csv"`.
    #[oai(status = 200)]
    Json(Json<Pacing>),
    /// Pacing as CSV.
    #[oai(status = 200, content_type = "text/csv")]
    Csv(
        PlainText<String>,
        /// CSV only: `attachment; filename="pacing-<year>.csv"`.
        #[oai(header = "Content-Disposition")]
        Option<String>,
    ),
}

/// `attachment; filename="<name>"` for a CSV answer (`name` is made of ASCII letters, digits
/// and `-_.` only).
pub fn attachment(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("attachment; filename=\"{safe}\"")
}

/// The public thermometer: money raised against the target.
#[derive(Debug, Object)]
pub struct Thermometer {
    pub campaign_year: i32,
    pub raised_cents: i64,
    pub target_cents: i64,
}

#[derive(ApiResponse)]
pub enum ThermometerResponse {
    /// The thermometer; cache it for 30 seconds, revalidate with `If-None-Match`.
    #[oai(status = 200)]
    Fresh(
        Json<Thermometer>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Unchanged since the `ETag` sent.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String, #[oai(header = "Cache-Control")] String),
}

/// One day of the campaign, against the same day of the previous campaign.
#[derive(Debug, Object)]
pub struct PacingDay {
    /// 1 on the first day of the campaign.
    pub day: i64,
    pub date: NaiveDate,
    pub raised_cents: i64,
    pub cumulative_cents: i64,
    /// The same day of the previous campaign (`null` without one).
    #[oai(nullable)]
    pub previous_date: Option<NaiveDate>,
    #[oai(nullable)]
    pub previous_cumulative_cents: Option<i64>,
}

#[derive(Debug, Object)]
pub struct Pacing {
    pub campaign_year: i32,
    #[oai(nullable)]
    pub previous_campaign_year: Option<i32>,
    pub days: Vec<PacingDay>,
}

/// A municipality on the campaign map.
#[derive(Debug, Object, Serialize)]
pub struct MapProperties {
    pub nis_code: String,
    pub name_nl: String,
    pub raised_cents: i64,
    /// Active volunteer groups at home there.
    pub groups: i64,
    /// Activities of this campaign there, not cancelled.
    pub activities: i64,
}

#[derive(Debug, Object, Serialize)]
pub struct MapFeature {
    /// Always `Feature`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// The boundary (a GeoJSON MultiPolygon) where loaded, else `null`.
    #[oai(nullable)]
    pub geometry: Option<Any<Boundary>>,
    pub properties: MapProperties,
}

/// Municipalities as a GeoJSON FeatureCollection (RFC 7946), written by serde: the boundaries
/// go into the answer as the text they are kept as.
#[derive(Debug, Object, Serialize)]
pub struct CampaignMap {
    /// Always `FeatureCollection`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub features: Vec<MapFeature>,
}

#[derive(ApiResponse)]
pub enum MapResponse {
    /// The map.
    #[oai(status = 200, content_type = "application/geo+json")]
    Map(RenderedJson<CampaignMap>),
}

pub struct TotalsApi {
    pub live: LiveTotals,
    pub users: UserRepo,
    pub auth: Arc<AuthState>,
    pub totals: TotalsRepo,
    pub campaigns: CampaignRepo,
    pub municipalities: MunicipalityRepo,
    pub groups: GroupRepo,
    pub activities: ActivityRepo,
    /// The boundaries of the map, held in memory.
    pub shapes: super::map_shapes::MapShapes,
}

/// The state of one live stream.
struct Live {
    latest: Latest,
    campaign: Campaign,
    comparison: Comparison,
    first_sent: bool,
    /// When the access token behind the stream expires.
    ends_at: tokio::time::Instant,
    account: UserId,
    users: UserRepo,
    account_check: tokio::time::Interval,
    _permit: StreamPermit,
}

impl Live {
    /// The next totals to send; `None` ends the stream (token expired, account deactivated,
    /// server shutting down).
    async fn next(&mut self) -> Option<Arc<Summary>> {
        loop {
            if !self.first_sent
                && let Some(first) = self.latest.borrow_and_update().clone()
            {
                self.first_sent = true;
                return Some(first);
            }
            tokio::select! {
                () = tokio::time::sleep_until(self.ends_at) => {
                    tracing::info!(user.id = %self.account, "live totals: the access token expired; stream closed");
                    return None;
                }
                _ = self.account_check.tick() => {
                    if !self.account_active().await {
                        tracing::info!(user.id = %self.account, "live totals: the account is deactivated; stream closed");
                        return None;
                    }
                }
                changed = self.latest.changed() => {
                    changed.ok()?;
                    if let Some(totals) = self.latest.borrow_and_update().clone() {
                        self.first_sent = true;
                        return Some(totals);
                    }
                }
            }
        }
    }

    /// Whether the account is still active; a failed read keeps the stream (it is retried).
    async fn account_active(&self) -> bool {
        match self.users.get(self.account).await {
            Ok(user) => user.is_some_and(|u| u.active),
            Err(e) => {
                tracing::warn!(user.id = %self.account, error = %e, "live totals: cannot check the account");
                true
            }
        }
    }
}

/// What a campaign's totals are compared with: the previous campaign, and what the same scope
/// raised in it by the same day.
#[derive(Debug, Clone, Copy, Default)]
struct Comparison {
    previous_campaign_year: Option<i32>,
    raised_cents_last_year_same_day: Option<i64>,
}

/// The totals of a whole campaign, as answered.
fn totals_from(campaign: &Campaign, s: &Summary, comparison: Comparison) -> CampaignTotals {
    CampaignTotals {
        campaign_year: campaign.year,
        raised_cents: s.raised_cents,
        target_cents: Some(campaign.plan.target_cents),
        previous_campaign_year: comparison.previous_campaign_year,
        raised_cents_last_year_same_day: comparison.raised_cents_last_year_same_day,
        entries: s.entries,
        groups_reporting: s.groups_reporting,
        municipalities_reporting: s.municipalities_reporting,
        by_kind: s
            .by_kind
            .iter()
            .map(|(kind, raised_cents, entries)| KindTotal {
                kind: kind.clone(),
                raised_cents: *raised_cents,
                entries: *entries,
            })
            .collect(),
        municipality_nis: None,
    }
}

/// When the access token of `req` expires, as a point on tokio's clock.
fn token_expiry(auth: &AuthState, req: &Request) -> Result<tokio::time::Instant, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| ApiError::unauthorized("send the access token as `Authorization: Bearer <token>`"))?;
    let claims = auth.keys.verify(token).map_err(ApiError::unauthorized)?;
    let expires = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_default();
    let left = (expires - chrono::Utc::now())
        .to_std()
        .ok()
        .filter(|left| !left.is_zero())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "the access token has expired; get a new one with POST /api/v1/auth/refresh and reconnect",
            )
        })?;
    Ok(tokio::time::Instant::now() + left)
}

fn refused(why: Refused) -> ApiError {
    match why {
        Refused::AccountFull(n) => ApiError::too_many_requests(
            format!(
                "this account has {n} live totals streams open, the most one account may have \
                 (CAMPAIGN_LIVE_STREAMS_PER_ACCOUNT); close one, or share one stream between views"
            ),
            30,
        ),
        Refused::ServerFull(n) => ApiError::unavailable(format!(
            "the server has {n} live totals streams open, its limit (CAMPAIGN_LIVE_STREAMS_TOTAL); \
             retry in a minute, or poll GET /campaigns/{{year}}/totals meanwhile"
        )),
    }
}

async fn totals_of(totals: &TotalsRepo, chosen: &Chosen, scope: TotalsScope) -> Result<CampaignTotals, ApiError> {
    let summary = totals.summary(chosen.campaign.year, scope).await?;
    let comparison = Comparison {
        previous_campaign_year: chosen.previous_year(),
        raised_cents_last_year_same_day: chosen.last_year_same_day(totals, scope).await?,
    };
    let whole = totals_from(&chosen.campaign, &summary, comparison);
    Ok(match scope.municipality {
        // A municipality's share is not measured against the campaign-wide target.
        Some(nis) => CampaignTotals {
            municipality_nis: Some(nis.to_string()),
            target_cents: None,
            ..whole
        },
        None => whole,
    })
}

fn staff_only(auth: &BearerAuth, what: &str) -> Result<(), ApiError> {
    let _grant = allow(&auth.0, Action::Manage, Scope::Campaign, String::new, what)?;
    Ok(())
}

/// Cumulative raised per day index (1-based) of a campaign, from its per-day totals.
fn cumulative(campaign: &Campaign, days: &[TotalRow]) -> Vec<(NaiveDate, i64, i64)> {
    let by_day: std::collections::HashMap<&str, i64> = days.iter().map(|d| (d.key.as_str(), d.raised_cents)).collect();
    let mut running = 0i64;
    campaign
        .plan
        .starts_on
        .iter_days()
        .take_while(|d| *d <= campaign.plan.ends_on)
        .map(|date| {
            let raised = by_day.get(date.to_string().as_str()).copied().unwrap_or(0);
            running = running.saturating_add(raised);
            (date, raised, running)
        })
        .collect()
}

/// Pacing as CSV, one row per day, the columns of its JSON; `null` is an empty cell.
fn pacing_csv(pacing: &Pacing) -> Result<String, ApiError> {
    let mut csv = CsvTable::new(&[
        "day",
        "date",
        "raised_cents",
        "cumulative_cents",
        "previous_date",
        "previous_cumulative_cents",
    ])?;
    for d in &pacing.days {
        let date = d.date.to_string();
        let previous_date = d.previous_date.map(|p| p.to_string()).unwrap_or_default();
        let previous = d.previous_cumulative_cents.map(|c| c.to_string()).unwrap_or_default();
        csv.row(&[
            Cell::Number(d.day),
            Cell::Text(&date),
            Cell::Number(d.raised_cents),
            Cell::Number(d.cumulative_cents),
            Cell::Text(&previous_date),
            Cell::Text(&previous),
        ])?;
    }
    csv.finish()
}

impl TotalsApi {
    /// Adds a zero row for every municipality (or province) without one, after the others, in
    /// NIS-code (province-name) order.
    async fn add_empty(&self, dimension: DimensionName, rows: &mut Vec<TotalRow>) -> Result<(), ApiError> {
        let present: std::collections::HashSet<String> = rows.iter().map(|r| r.key.clone()).collect();
        let zero = |key: String, label: String| TotalRow {
            key,
            label,
            raised_cents: 0,
            entries: 0,
        };
        match dimension {
            DimensionName::Municipality => {
                let all = self.municipalities.list(&Default::default(), 1000).await?;
                rows.extend(
                    all.into_iter()
                        .map(|m| (m.municipality.nis_code.to_string(), m.municipality.name_nl))
                        .filter(|(code, _)| !present.contains(code))
                        .map(|(code, name)| zero(code, name)),
                );
            }
            DimensionName::Province => rows.extend(
                Province::ALL
                    .into_iter()
                    .map(|p| p.name().to_owned())
                    .filter(|name| !present.contains(name))
                    .map(|name| zero(name.clone(), name)),
            ),
            _ => {}
        }
        Ok(())
    }

    async fn campaign(&self, year: i64) -> Result<Campaign, ApiError> {
        let parsed = CampaignYear::parse(year)?;
        self.campaigns
            .get(parsed)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no {year} campaign")))
    }
}

fn scope_of(actor: &Actor) -> TotalsScope {
    match actor.membership {
        Membership::MunicipalContact { municipality } => TotalsScope {
            municipality: Some(municipality),
            group: None,
        },
        _ => TotalsScope::default(),
    }
}

#[OpenApi(tag = "ApiTags::Totals")]
impl TotalsApi {
    /// A campaign's totals
    ///
    /// Staff and volunteers see the whole campaign against its target; a municipal contact their
    /// municipality's share, with `target_cents: null`. Every reader gets
    /// `raised_cents_last_year_same_day` for what they see: the same scope in the previous
    /// campaign up to the same day of its campaign.
    #[oai(
        path = "/campaigns/:year/totals",
        method = "get",
        operation_id = "get_campaign_totals"
    )]
    async fn campaign_totals(&self, auth: BearerAuth, year: Path<i64>) -> Result<Json<CampaignTotals>, ApiError> {
        let chosen = Chosen::read(&self.campaigns, Some(year.0), "year").await?;
        Ok(Json(totals_of(&self.totals, &chosen, scope_of(&auth.0)).await?))
    }

    /// Live totals (Server-Sent Events)
    ///
    /// A `totals` event with the campaign totals at connect, then after each change of the
    /// ledger, at most one a second. On PostgreSQL every server process streams every change.
    /// Staff. The stream ends when the access token expires or the account is deactivated
    /// (reconnect with a fresh token); an account may keep a few streams open (429 beyond) and
    /// the server a few hundred (503 beyond).
    #[oai(
        path = "/campaigns/:year/totals/stream",
        method = "get",
        operation_id = "stream_campaign_totals"
    )]
    async fn stream(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
    ) -> Result<EventStream<BoxStream<'static, CampaignTotals>>, ApiError> {
        staff_only(&auth, "the live totals are for staff")?;
        let chosen = Chosen::read(&self.campaigns, Some(year.0), "year").await?;
        let comparison = Comparison {
            previous_campaign_year: chosen.previous_year(),
            raised_cents_last_year_same_day: chosen.last_year_same_day(&self.totals, TotalsScope::default()).await?,
        };
        let campaign = chosen.campaign;
        let ends_at = token_expiry(&self.auth, req)?;
        let permit = self.live.admit(auth.0.user_id.as_uuid()).map_err(refused)?;
        let every = self.live.limits().account_check;
        let mut account_check = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        account_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let state = Live {
            latest: self.live.follow(campaign.year),
            campaign,
            comparison,
            first_sent: false,
            ends_at,
            account: auth.0.user_id,
            users: self.users.clone(),
            account_check,
            _permit: permit,
        };
        let events = futures_util::stream::unfold(state, |mut live| async move {
            let totals = live.next().await?;
            Some((totals_from(&live.campaign, &totals, live.comparison), live))
        });
        Ok(EventStream::new(events.boxed())
            .keep_alive(Duration::from_secs(15))
            .to_event(|totals| Event::message(totals.to_json_string()).event_type("totals")))
    }

    /// A campaign's totals broken down
    ///
    /// By province, municipality, group, product, payment method or day (Belgian calendar).
    /// Staff; a volunteer may ask for `group` and sees their own group's row only. With
    /// `include_empty=true`, `municipality` lists every municipality of the registry (304) and
    /// `province` every province, those without entries with 0 after the others (NIS-code
    /// order); other dimensions answer 400 to it.
    #[oai(
        path = "/campaigns/:year/totals/by/:dimension",
        method = "get",
        operation_id = "get_totals_by"
    )]
    async fn totals_by(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
        dimension: Path<DimensionName>,
        /// `true`: also the municipalities (or provinces) without entries, with 0. Only for
        /// `municipality` and `province`.
        include_empty: Query<Option<bool>>,
    ) -> Result<Negotiated<BreakdownResponse>, ApiError> {
        let include_empty = include_empty.0.unwrap_or(false);
        if include_empty && !matches!(dimension.0, DimensionName::Municipality | DimensionName::Province) {
            return Err(ApiError::invalid_field(
                "include_empty",
                "include_empty=true is for the `municipality` and `province` breakdowns only; leave it out here",
            ));
        }
        let scope = match (auth.0.membership, dimension.0) {
            (Membership::Staff, _) => TotalsScope::default(),
            (Membership::Volunteer { group }, DimensionName::Group) => TotalsScope {
                municipality: None,
                group: Some(group),
            },
            (Membership::Volunteer { .. }, _) => {
                return Err(ApiError::forbidden(
                    "volunteers see the `group` breakdown of their own group only",
                ));
            }
            (Membership::MunicipalContact { .. } | Membership::MemberOrg { .. } | Membership::Initiative { .. }, _) => {
                return Err(ApiError::forbidden(
                    "breakdowns are for staff; read GET /campaigns/{year}/totals instead",
                ));
            }
        };
        let campaign = self.campaign(year.0).await?;
        let mut rows = self.totals.by(campaign.year, dimension.0.into(), scope).await?;
        if include_empty {
            self.add_empty(dimension.0, &mut rows).await?;
        }
        if accept::preferred(req, &[accept::JSON, accept::CSV]) == accept::CSV {
            let mut csv = CsvTable::new(&["key", "label", "raised_cents", "entries"])?;
            for row in &rows {
                csv.row(&[
                    Cell::Text(&row.key),
                    Cell::Text(&row.label),
                    Cell::Number(row.raised_cents),
                    Cell::Number(row.entries),
                ])?;
            }
            let name = format!(
                "totals-{}-by-{}.csv",
                campaign.year,
                Dimension::from(dimension.0).as_str()
            );
            return Ok(Negotiated(BreakdownResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment(&name)),
            )));
        }
        let items = rows.into_iter().map(TotalItem::from).collect();
        Ok(Negotiated(BreakdownResponse::Json(Json(TotalsBreakdown { items }))))
    }

    /// Pacing against the previous campaign
    ///
    /// Per day of the campaign: raised that day, cumulative, and the previous campaign's
    /// cumulative on the same day of its campaign. Staff. As CSV when `Accept` prefers
    /// `text/csv`.
    #[oai(path = "/campaigns/:year/pacing", method = "get", operation_id = "get_pacing")]
    async fn pacing(
        &self,
        auth: BearerAuth,
        req: &Request,
        year: Path<i64>,
    ) -> Result<Negotiated<PacingResponse>, ApiError> {
        staff_only(&auth, "pacing is for staff")?;
        let campaign = self.campaign(year.0).await?;
        let previous = self
            .campaigns
            .list()
            .await?
            .into_iter()
            .filter(|c| c.year < campaign.year)
            .max_by_key(|c| c.year);
        let this = cumulative(
            &campaign,
            &self
                .totals
                .by(campaign.year, Dimension::Day, TotalsScope::default())
                .await?,
        );
        let before = match &previous {
            Some(p) => cumulative(
                p,
                &self.totals.by(p.year, Dimension::Day, TotalsScope::default()).await?,
            ),
            None => Vec::new(),
        };
        let days = this
            .into_iter()
            .enumerate()
            .map(|(i, (date, raised_cents, cumulative_cents))| {
                // A shorter previous campaign stays at its final total after its last day.
                let earlier = before.get(i).or(before.last());
                PacingDay {
                    day: i as i64 + 1,
                    date,
                    raised_cents,
                    cumulative_cents,
                    previous_date: before.get(i).map(|(d, _, _)| *d),
                    previous_cumulative_cents: earlier.map(|(_, _, c)| *c),
                }
            })
            .collect();
        let pacing = Pacing {
            campaign_year: campaign.year,
            previous_campaign_year: previous.map(|p| p.year),
            days,
        };
        if accept::preferred(req, &[accept::JSON, accept::CSV]) == accept::CSV {
            return Ok(Negotiated(PacingResponse::Csv(
                PlainText(pacing_csv(&pacing)?),
                Some(attachment(&format!("pacing-{}.csv", pacing.campaign_year))),
            )));
        }
        Ok(Negotiated(PacingResponse::Json(Json(pacing))))
    }

    /// The campaign map
    ///
    /// Every municipality with money raised, groups and activities, and its boundary where
    /// loaded. Staff.
    #[oai(path = "/campaigns/:year/map", method = "get", operation_id = "get_campaign_map")]
    async fn map(&self, auth: BearerAuth, year: Path<i64>) -> Result<MapResponse, ApiError> {
        staff_only(&auth, "the map is for staff")?;
        let campaign = self.campaign(year.0).await?;
        let raised: std::collections::HashMap<String, i64> = self
            .totals
            .by(campaign.year, Dimension::Municipality, TotalsScope::default())
            .await?
            .into_iter()
            .map(|r| (r.key, r.raised_cents))
            .collect();
        let groups = self.groups.count_by_municipality().await?;
        let activities = self.activities.count_by_municipality(campaign.year).await?;
        let shapes = self.shapes.current(&self.municipalities).await?;
        let all = self.municipalities.list(&Default::default(), 1000).await?;
        let features = all
            .into_iter()
            .map(|m| {
                let code = m.municipality.nis_code.to_string();
                MapFeature {
                    kind: "Feature".to_owned(),
                    id: code.clone(),
                    geometry: shapes.get(&code).cloned().map(Any),
                    properties: MapProperties {
                        raised_cents: raised.get(&code).copied().unwrap_or(0),
                        groups: groups.get(&code).copied().unwrap_or(0),
                        activities: activities.get(&code).copied().unwrap_or(0),
                        name_nl: m.municipality.name_nl,
                        nis_code: code,
                    },
                }
            })
            .collect();
        let map = CampaignMap {
            kind: "FeatureCollection".to_owned(),
            features,
        };
        let body = RenderedJson::new(&map)
            .map_err(|e| ApiError::internal(&format_args!("writing the campaign map failed: {e}")))?;
        Ok(MapResponse::Map(body))
    }

    /// The public thermometer
    ///
    /// No sign-in. Cacheable: `ETag` and `Cache-Control: public, max-age=30`.
    #[oai(
        path = "/public/campaigns/:year/thermometer",
        method = "get",
        operation_id = "get_thermometer"
    )]
    async fn thermometer(
        &self,
        year: Path<i64>,
        /// The `ETag` of an earlier answer.
        #[oai(name = "If-None-Match", validator(max_length = 200))]
        if_none_match: Header<Option<String>>,
    ) -> Result<ThermometerResponse, ApiError> {
        let campaign = self.campaign(year.0).await?;
        let summary = self.totals.summary(campaign.year, TotalsScope::default()).await?;
        let digest = Sha256::digest(
            format!(
                "{}:{}:{}",
                campaign.year, summary.raised_cents, campaign.plan.target_cents
            )
            .as_bytes(),
        );
        let etag = format!(
            "\"{}\"",
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>()
        );
        let cache = "public, max-age=30".to_owned();
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|sent| sent.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            return Ok(ThermometerResponse::NotModified(etag, cache));
        }
        let body = Thermometer {
            campaign_year: campaign.year,
            raised_cents: summary.raised_cents,
            target_cents: campaign.plan.target_cents,
        };
        Ok(ThermometerResponse::Fresh(Json(body), etag, cache))
    }
}

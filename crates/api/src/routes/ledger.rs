//! The money ledger: one entry (with `Idempotency-Key`), offline batches, corrections, and the
//! group's entries. Every euro counts once, whatever the retries of a flaky phone.

use std::collections::HashMap;
use std::sync::Arc;

use campaign_domain::ValidationError;
use campaign_domain::entry_check::{ActivityRef, EntryDraft, EntryRejection, PriceList, check_entry};
use campaign_domain::group::inactive_for_money;
use campaign_domain::ledger::{self, EntryKind, PaymentMethod};
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::activities::ActivityRepo;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::{Group, GroupRepo};
use campaign_persistence::ledger::{BatchOutcome, EntryFilter, LedgerEntry, LedgerRepo, Logged, NewEntry};
use campaign_persistence::price_lists::PriceLists;
use chrono::{DateTime, FixedOffset, Utc};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Any, ToJSON};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::groups::{allowed_group, visible_group};
use super::idempotency;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "entries";
/// Cursors of the newest-first list are not valid in the oldest-first one, and back.
const CURSOR_LIST_NEWEST: &str = "entries-newest";
/// The most entries one batch carries.
pub const MAX_BATCH: usize = 500;

/// What an entry records (`correction` entries are made by `POST /entries/{id}/corrections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EntryKindName {
    Sale,
    ActivityIncome,
    Donation,
}

/// In which order a group's entries are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum EntryOrder {
    OldestFirst,
    NewestFirst,
}

/// How the money was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodName {
    Cash,
    Card,
    Transfer,
    Payconiq,
}

/// A new entry. A `sale` gives `product_code` and `quantity` (the server computes the amount
/// from the campaign's price list); `activity_income` and `donation` give `amount_cents`.
/// `occurred_at` lies inside a campaign (Belgian days) and not in the future.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EntryIn {
    pub kind: EntryKindName,
    #[oai(validator(max_length = 40))]
    pub product_code: Option<String>,
    /// Units sold, for a sale.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub quantity: Option<i64>,
    /// For `activity_income` and `donation`: 1 cent to €100,000.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub amount_cents: Option<i64>,
    pub payment_method: PaymentMethodName,
    pub occurred_at: DateTime<FixedOffset>,
    pub activity_id: Option<Uuid>,
    #[oai(validator(max_length = 1000))]
    pub note: Option<String>,
    /// The device's own id for this entry (1 to 100 visible ASCII characters, e.g. a UUID),
    /// optional on a single entry, required in a batch. One entry per group and client id,
    /// forever: a single entry whose client id the group stored before (by a single entry or a
    /// batch, however long ago) answers that stored entry with 200 and
    /// `Idempotent-Replayed: true`, and nothing new is written.
    #[oai(validator(max_length = 100))]
    pub client_id: Option<String>,
}

/// An entry of the ledger. Amounts in euro cents; a correction has the opposite amount.
#[derive(Debug, Clone, Object)]
pub struct EntryOut {
    pub id: Uuid,
    pub group_id: Uuid,
    pub campaign_year: i32,
    pub municipality_nis: String,
    /// `sale`, `activity_income`, `donation` or `correction`.
    pub kind: String,
    #[oai(nullable)]
    pub product_code: Option<String>,
    #[oai(nullable)]
    pub quantity: Option<i32>,
    #[oai(nullable)]
    pub unit_price_cents: Option<i64>,
    pub amount_cents: i64,
    pub payment_method: String,
    pub occurred_at: DateTime<Utc>,
    #[oai(nullable)]
    pub activity_id: Option<Uuid>,
    #[oai(nullable)]
    pub note: Option<String>,
    /// For a correction: the entry it reverses.
    #[oai(nullable)]
    pub corrects_id: Option<Uuid>,
    #[oai(nullable)]
    pub client_id: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<LedgerEntry> for EntryOut {
    fn from(e: LedgerEntry) -> Self {
        Self {
            id: e.id,
            group_id: e.group.as_uuid(),
            campaign_year: e.campaign_year,
            municipality_nis: e.municipality_nis,
            kind: e.kind,
            product_code: e.product_code,
            quantity: e.quantity,
            unit_price_cents: e.unit_price_cents,
            amount_cents: e.amount_cents,
            payment_method: e.payment_method,
            occurred_at: e.occurred_at,
            activity_id: e.activity,
            note: e.note,
            corrects_id: e.corrects,
            client_id: e.client_id,
            created_by: e.created_by.as_uuid(),
            created_at: e.created_at,
        }
    }
}

/// Up to 500 entries from an offline device, each with the device's own `client_id` and the
/// fields of a single entry. Each is answered on its own.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct BatchIn {
    #[oai(validator(max_items = 500))]
    pub entries: Vec<Any<serde_json::Value>>,
}

/// What became of one entry of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BatchStatus {
    Created,
    Duplicate,
    Rejected,
}

#[derive(Debug, Object)]
pub struct BatchResult {
    #[oai(nullable)]
    pub client_id: Option<String>,
    pub status: BatchStatus,
    #[oai(nullable)]
    pub entry_id: Option<Uuid>,
    /// Why it was rejected.
    #[oai(nullable)]
    pub error: Option<String>,
}

#[derive(Debug, Object)]
pub struct BatchOut {
    /// One result per entry, in the order sent.
    pub results: Vec<BatchResult>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CorrectionIn {
    /// Why the entry is reversed.
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

#[derive(Debug, Object)]
pub struct EntryPage {
    pub items: Vec<EntryOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum EntryCreated {
    /// The entry is committed. A retry with the same `Idempotency-Key` answers the same.
    #[oai(status = 201)]
    Created(
        Json<EntryOut>,
        #[oai(header = "Location")] String,
        /// `true` when this answers a retry and nothing new was written.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
    /// The group stored an entry under this `client_id` before (by a single entry or a batch):
    /// this is that entry, as stored; nothing new was written. `Idempotent-Replayed` is `true`.
    #[oai(status = 200)]
    Existing(
        Json<EntryOut>,
        #[oai(header = "Location")] String,
        /// Always `true`: nothing new was written.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

impl EntryCreated {
    fn new(entry: EntryOut) -> Self {
        let location = format!("/api/v1/entries/{}", entry.id);
        Self::Created(Json(entry), location, false)
    }

    /// An entry stored before under the same client id.
    fn existing(entry: EntryOut) -> Self {
        let location = format!("/api/v1/entries/{}", entry.id);
        Self::Existing(Json(entry), location, true)
    }

    /// The answer kept under an `Idempotency-Key`, with the status it had.
    fn replay(status: u16, body: &str) -> Result<Self, ApiError> {
        let entry: EntryOut = idempotency::replayed(body)?;
        let location = format!("/api/v1/entries/{}", entry.id);
        Ok(if status == 200 {
            Self::Existing(Json(entry), location, true)
        } else {
            Self::Created(Json(entry), location, true)
        })
    }
}

/// An entry's JSON as answered, for the idempotency record.
fn rendered(entry: &LedgerEntry, existing: bool) -> (u16, String) {
    let status = if existing { 200 } else { 201 };
    let body = EntryOut::from(entry.clone())
        .to_json()
        .map(|v| v.to_string())
        .unwrap_or_default();
    (status, body)
}

pub struct LedgerApi {
    /// Campaign days and prices, read once and kept until they change.
    pub prices: PriceLists,
    pub feed: crate::live::TotalsFeed,
    pub ledger: LedgerRepo,
    pub groups: GroupRepo,
    /// Accounts and groups as requests need them, kept until they change (an entry's statement
    /// checks again that its group is active).
    pub directory: campaign_persistence::directory::Directory,
    pub campaigns: CampaignRepo,
    pub activities: ActivityRepo,
    pub auth: Arc<AuthState>,
}

/// An entry the domain refused, as an answer: bad values (400) or references to unknown things (422).
fn rejection_answer(rejection: EntryRejection) -> ApiError {
    let error = ValidationError {
        errors: rejection.errors,
    };
    if rejection.unprocessable {
        ApiError::unprocessable(error.to_string())
    } else {
        ApiError::validation(error)
    }
}

impl LedgerApi {
    /// Reads the activities these entries refer to. A database failure is a 5xx here, never a
    /// rejection of the entry.
    async fn activity_refs(&self, ids: impl IntoIterator<Item = Uuid>) -> Result<HashMap<Uuid, ActivityRef>, ApiError> {
        let ids: Vec<Uuid> = ids
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(self
            .activities
            .many(&ids)
            .await?
            .into_iter()
            .map(|activity| {
                let reference = ActivityRef {
                    group: activity.group,
                    status: activity.status,
                };
                (activity.id, reference)
            })
            .collect())
    }

    /// A single entry checked for storing, or its refusal (a deactivated group, the domain's
    /// rules). A database failure is the outer error.
    async fn checked(
        &self,
        group: &Group,
        input: EntryIn,
        client_id: Option<String>,
        created_by: campaign_domain::ids::UserId,
    ) -> Result<Result<NewEntry, ApiError>, ApiError> {
        if !group.active {
            return Ok(Err(ApiError::conflict(inactive_for_money(&group.name, group.id))));
        }
        let prices = self.prices.current().await?;
        let activities = self.activity_refs(input.activity_id).await?;
        Ok(Self::build(group, input, client_id, created_by, &prices, &activities).map_err(rejection_answer))
    }

    /// Checks one entry of `group` (the rules are the domain's, `check_entry`) and makes it the
    /// entry to store.
    fn build(
        group: &Group,
        input: EntryIn,
        client_id: Option<String>,
        created_by: campaign_domain::ids::UserId,
        prices: &PriceList,
        activities: &HashMap<Uuid, ActivityRef>,
    ) -> Result<NewEntry, EntryRejection> {
        let draft = EntryDraft {
            kind: match input.kind {
                EntryKindName::Sale => EntryKind::Sale,
                EntryKindName::ActivityIncome => EntryKind::ActivityIncome,
                EntryKindName::Donation => EntryKind::Donation,
            },
            product_code: input.product_code,
            quantity: input.quantity,
            amount_cents: input.amount_cents,
            payment_method: match input.payment_method {
                PaymentMethodName::Cash => PaymentMethod::Cash,
                PaymentMethodName::Card => PaymentMethod::Card,
                PaymentMethodName::Transfer => PaymentMethod::Transfer,
                PaymentMethodName::Payconiq => PaymentMethod::Payconiq,
            },
            occurred_at: input.occurred_at.with_timezone(&Utc),
            activity_id: input.activity_id,
            note: input.note,
        };
        let checked = check_entry(draft, group.id, prices, activities, Utc::now())?;
        Ok(NewEntry {
            group: group.id,
            campaign_year: checked.campaign_year,
            municipality: group.municipality,
            kind: checked.kind,
            sale: checked.sale,
            amount_cents: checked.amount_cents,
            payment_method: checked.payment_method,
            occurred_at: checked.occurred_at,
            activity: checked.activity,
            note: checked.note,
            client_id,
            created_by,
        })
    }
}

#[OpenApi(tag = "ApiTags::Money")]
impl LedgerApi {
    /// Log one entry
    ///
    /// For staff and the group's own volunteers. Send an `Idempotency-Key` (a UUID per entry)
    /// and retry freely: the first request is applied, a retry answers the same without a
    /// second entry (checked before anything else, so a stored entry is never refused later),
    /// and the same key with another body is 422. Keys are kept 48 hours; a `client_id` is kept
    /// forever: an entry whose `client_id` the group stored before answers that entry with 200.
    /// A deactivated group's entries are 409.
    #[oai(path = "/groups/:id/entries", method = "post", operation_id = "create_entry")]
    async fn create_entry(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        /// A key of your choice, unique per entry (e.g. a UUID): 1 to 200 visible ASCII
        /// characters, kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<EntryIn>,
    ) -> Result<EntryCreated, ApiError> {
        let group = allowed_group(
            self.directory
                .group(campaign_domain::ids::GroupId::from_uuid(id.0))
                .await?,
            &auth.0,
            id.0,
            Action::Write,
            "only staff and the group's volunteers log its money",
        )?;
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        let client_id = body.0.client_id.as_deref().map(ledger::client_id).transpose()?;
        let new = match self.checked(&group, body.0, client_id.clone(), auth.0.user_id).await? {
            Ok(new) => new,
            // A retry is answered as the first time, whatever has changed since: only a request
            // that would be refused now looks for an earlier answer (a valid one finds it while
            // claiming its key, or by its client id, in the write's transaction).
            Err(refusal) => {
                if let Some(key) = &key
                    && let Some((status, stored)) = idempotency::earlier(self.ledger.earlier_answer(key).await?)?
                {
                    return EntryCreated::replay(status, &stored);
                }
                if let Some(client_id) = &client_id
                    && let Some(stored) = self.ledger.by_client_id(group.id, client_id).await?
                {
                    return Ok(EntryCreated::existing(stored.into()));
                }
                return Err(refusal);
            }
        };
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        match self.ledger.create(new, &ctx, key.as_ref(), rendered).await? {
            Logged::New(entry) => {
                self.feed.changed(entry.campaign_year);
                Ok(EntryCreated::new(entry.into()))
            }
            Logged::Existing(entry) => Ok(EntryCreated::existing(entry.into())),
            Logged::Replay { status, body } => EntryCreated::replay(status, &body),
            Logged::KeyMismatch => Err(idempotency::key_reused()),
        }
    }

    /// Upload an offline batch
    ///
    /// Up to 500 entries, each with its `client_id`. Each answers `created`, `duplicate` (this
    /// client id was stored before, by a batch or a single entry, however long ago: never
    /// counted twice, and answered before the entry is checked again) or `rejected` with the
    /// reason; one bad entry does not spoil the others. A deactivated group's batch is 409
    /// unless every entry is a duplicate.
    #[oai(
        path = "/groups/:id/entries/batch",
        method = "post",
        operation_id = "create_entries_batch"
    )]
    async fn create_batch(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<BatchIn>,
    ) -> Result<Json<BatchOut>, ApiError> {
        let group = allowed_group(
            self.directory
                .group(campaign_domain::ids::GroupId::from_uuid(id.0))
                .await?,
            &auth.0,
            id.0,
            Action::Write,
            "only staff and the group's volunteers log its money",
        )?;
        if body.entries.len() > MAX_BATCH {
            return Err(ApiError::invalid_field(
                "entries",
                format!("a batch carries at most {MAX_BATCH} entries; split it"),
            ));
        }
        let items: Vec<BatchItem> = body
            .0
            .entries
            .into_iter()
            .map(|Any(raw)| BatchItem::read(raw))
            .collect();
        // Client ids stored before are answered first, whatever their entries say now.
        let known: Vec<String> = items
            .iter()
            .filter_map(|i| i.client_id.as_ref().ok().cloned())
            .collect();
        let stored = self.ledger.stored_client_ids(group.id, &known).await?;
        let fresh = items
            .iter()
            .any(|i| i.entry.is_ok() && i.client_id.as_ref().is_ok_and(|c| !stored.contains_key(c)));
        if fresh && !group.active {
            return Err(ApiError::conflict(inactive_for_money(&group.name, group.id)));
        }
        let prices = self.prices.current().await?;
        let activities = self
            .activity_refs(
                items
                    .iter()
                    .filter_map(|i| i.entry.as_ref().ok().and_then(|e| e.activity_id)),
            )
            .await?;
        let mut client_ids = Vec::with_capacity(items.len());
        let mut checked = Vec::with_capacity(items.len());
        for item in items {
            client_ids.push(item.sent);
            let known = item.client_id.as_ref().ok().and_then(|c| stored.get(c)).copied();
            checked.push(match (item.client_id, item.entry, known) {
                (Err(reason), _, _) => Err(BatchOutcome::Rejected(reason)),
                (Ok(_), _, Some(id)) => Err(BatchOutcome::Duplicate(id)),
                (Ok(_), Err(reason), None) => Err(BatchOutcome::Rejected(reason)),
                (Ok(client_id), Ok(input), None) => {
                    Self::build(&group, input, Some(client_id), auth.0.user_id, &prices, &activities)
                        .map_err(|p| BatchOutcome::Rejected(p.text()))
                }
            });
        }
        let outcomes = self
            .ledger
            .create_batch(group.id, checked, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let results = outcomes
            .into_iter()
            .zip(client_ids)
            .map(|(outcome, client_id)| match outcome {
                BatchOutcome::Created(id) => BatchResult {
                    client_id,
                    status: BatchStatus::Created,
                    entry_id: Some(id),
                    error: None,
                },
                BatchOutcome::Duplicate(id) => BatchResult {
                    client_id,
                    status: BatchStatus::Duplicate,
                    entry_id: Some(id),
                    error: None,
                },
                BatchOutcome::Rejected(reason) => BatchResult {
                    client_id,
                    status: BatchStatus::Rejected,
                    entry_id: None,
                    error: Some(reason),
                },
            })
            .collect();
        Ok(Json(BatchOut { results }))
    }

    /// List a group's entries
    ///
    /// In time order (`occurred_at`, ties by id): oldest first, or with `order=newest_first` the
    /// latest first. Staff, the group's volunteers and the contacts of its municipality.
    #[oai(path = "/groups/:id/entries", method = "get", operation_id = "list_entries")]
    #[allow(clippy::too_many_arguments)]
    async fn list_entries(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        campaign_year: Query<Option<i32>>,
        /// `sale`, `activity_income`, `donation` or `correction`.
        #[oai(validator(max_length = 20))]
        kind: Query<Option<String>>,
        /// Entries that occurred at or after this time (RFC 3339).
        from: Query<Option<DateTime<FixedOffset>>>,
        /// Entries that occurred before this time (RFC 3339).
        to: Query<Option<DateTime<FixedOffset>>>,
        /// `oldest_first` (default) or `newest_first`; a cursor stays with the order it came from.
        order: Query<Option<EntryOrder>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<EntryPage>, ApiError> {
        let group = visible_group(&self.groups, &auth.0, id.0, Action::Read, "").await?;
        let limit = PageLimit::parse(limit.0)?;
        let newest_first = order.0 == Some(EntryOrder::NewestFirst);
        let list = if newest_first { CURSOR_LIST_NEWEST } else { CURSOR_LIST };
        let after = match cursor.0.as_deref() {
            Some(raw) => {
                let invalid = || ApiError::invalid_field("cursor", "this cursor is not valid here");
                let key = pagination::decode(list, raw)?;
                let (at, id) = key.split_once('|').ok_or_else(invalid)?;
                Some((
                    DateTime::parse_from_rfc3339(at)
                        .map_err(|_| invalid())?
                        .with_timezone(&Utc),
                    Uuid::parse_str(id).map_err(|_| invalid())?,
                ))
            }
            None => None,
        };
        let filter = EntryFilter {
            group: Some(group.id),
            campaign_year: campaign_year.0,
            kind: kind.0.as_deref().map(EntryKind::parse).transpose()?,
            from: from.0.map(|t| t.with_timezone(&Utc)),
            to: to.0.map(|t| t.with_timezone(&Utc)),
            after,
            newest_first,
        };
        let mut rows = self.ledger.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, list, |e| {
            format!("{}|{}", e.occurred_at.to_rfc3339(), e.id)
        });
        Ok(Json(EntryPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Correct an entry
    ///
    /// Appends the entry that reverses it (the opposite amount, on the same day). An entry is
    /// corrected once; a correction is not corrected (409).
    #[oai(path = "/entries/:id/corrections", method = "post", operation_id = "correct_entry")]
    async fn correct_entry(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<CorrectionIn>,
    ) -> Result<EntryCreated, ApiError> {
        let missing = || format!("there is no entry {}", id.0);
        let entry = self
            .ledger
            .get(id.0)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let group = self
            .groups
            .get(entry.group)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let scope = Scope::Group {
            group: group.id,
            municipality: group.municipality,
        };
        let _grant = allow(
            &auth.0,
            Action::Write,
            scope,
            missing,
            "only staff and the group's volunteers correct its entries",
        )?;
        let reason = ledger::reason(&body.reason)?;
        let correction = self
            .ledger
            .correct(
                id.0,
                reason,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        self.feed.changed(correction.campaign_year);
        Ok(EntryCreated::new(correction.into()))
    }
}

/// One item of a batch as sent: its client id as given, that id checked, and the entry.
struct BatchItem {
    sent: Option<String>,
    client_id: Result<String, String>,
    entry: Result<EntryIn, String>,
}

impl BatchItem {
    /// Takes `client_id` out of a batch item and reads the rest as an entry.
    fn read(raw: serde_json::Value) -> Self {
        let serde_json::Value::Object(mut fields) = raw else {
            return Self {
                sent: None,
                client_id: Err("each entry must be a JSON object".to_owned()),
                entry: Err("each entry must be a JSON object".to_owned()),
            };
        };
        let sent = fields.remove("client_id").map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        let client_id = match sent.as_deref().map(ledger::client_id) {
            None => Err("client_id is required for each entry of a batch".to_owned()),
            Some(Err(e)) => Err(e.to_string()),
            Some(Ok(client_id)) => Ok(client_id),
        };
        let entry = serde_json::from_value::<EntryIn>(serde_json::Value::Object(fields)).map_err(|e| e.to_string());
        Self { sent, client_id, entry }
    }
}

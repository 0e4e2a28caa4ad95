//! Municipalities' engagements in the programmes: status, dates and evidence per criterion, each
//! change checked by the domain against the state it is made from, written over that same
//! version only (no lost updates), kept in the history and the audit log.

use std::collections::{BTreeMap, HashMap};

use campaign_domain::engagement::{EngagementDates, EngagementStatus, Mover};
use campaign_domain::engagement_change::{
    ChangeRefused, EngagementChange, EngagementState, apply_change, changed_fields,
};
use campaign_domain::ids::UserId;
use campaign_domain::municipality::{Municipality, NisCode};
use campaign_domain::programme::Programme;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{app_user, engagement, engagement_change, engagement_evidence, municipality};
use crate::{begin_write, programmes};

/// A municipality's engagement in one programme as stored; `version` 0 for one never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    pub municipality: NisCode,
    pub programme: String,
    pub state: EngagementState,
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One change in an engagement's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    pub at: DateTime<Utc>,
    pub by: Option<UserId>,
    /// The account's name, while the account exists.
    pub by_name: Option<String>,
    pub status_from: EngagementStatus,
    pub status_to: EngagementStatus,
    pub fields: Vec<String>,
}

/// An engagement with its municipality, for public lists and staff queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagedMunicipality {
    pub municipality: Municipality,
    pub programme: String,
    pub status: EngagementStatus,
    pub dates: EngagementDates,
}

/// Why a change was not made.
#[derive(Debug)]
pub enum ChangeError {
    /// There is no programme of that code.
    NoProgramme,
    /// The precondition (If-Match) does not hold for the current version.
    Stale {
        current: i32,
    },
    /// The domain refused the change.
    Refused(ChangeRefused),
    Store(StoreError),
}

crate::error::store_error_conversions!(ChangeError);

#[derive(Clone)]
pub struct EngagementRepo {
    db: DatabaseConnection,
}

impl EngagementRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The municipality's engagement in every programme (in programme code order), `not_engaged`
    /// where it never moved; evidence only for the programme's current criteria.
    pub async fn for_municipality(&self, nis: NisCode) -> Result<Vec<Engagement>, StoreError> {
        let programmes = programmes::ProgrammeRepo::new(self.db.clone()).list().await?;
        let rows: HashMap<String, engagement::Model> = engagement::Entity::find()
            .filter(engagement::Column::MunicipalityNis.eq(nis.to_string()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.programme_code.clone(), row))
            .collect();
        let evidence = engagement_evidence::Entity::find()
            .filter(engagement_evidence::Column::MunicipalityNis.eq(nis.to_string()))
            .all(&self.db)
            .await?;
        programmes
            .into_iter()
            .map(|p| {
                let own = evidence
                    .iter()
                    .filter(|e| e.programme_code == p.code && p.criteria.iter().any(|c| c.code == e.criterion_code));
                to_engagement(nis, &p.code, rows.get(&p.code), own)
            })
            .collect()
    }

    /// The municipality's engagement in `programme`; `None` if there is no such programme.
    pub async fn get(&self, nis: NisCode, programme: &str) -> Result<Option<Engagement>, StoreError> {
        load(&self.db, nis, programme).await
    }

    /// The engagement's changes, newest first, at most `limit`.
    pub async fn history(&self, nis: NisCode, programme: &str, limit: u64) -> Result<Vec<HistoryRecord>, StoreError> {
        let rows = engagement_change::Entity::find()
            .filter(engagement_change::Column::MunicipalityNis.eq(nis.to_string()))
            .filter(engagement_change::Column::ProgrammeCode.eq(programme))
            .order_by_desc(engagement_change::Column::ChangedAt)
            .order_by_desc(engagement_change::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.changed_by).collect();
        let names: HashMap<Uuid, String> = if ids.is_empty() {
            HashMap::new()
        } else {
            app_user::Entity::find()
                .select_only()
                .column(app_user::Column::Id)
                .column(app_user::Column::Name)
                .filter(app_user::Column::Id.is_in(ids))
                .into_tuple::<(Uuid, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        rows.into_iter()
            .map(|row| {
                let status = |raw: &str| {
                    EngagementStatus::parse(raw)
                        .map_err(|e| StoreError::Corrupt(format!("engagement change {}: {e}", row.id)))
                };
                Ok(HistoryRecord {
                    at: row.changed_at,
                    by: row.changed_by.map(UserId::from_uuid),
                    by_name: row.changed_by.and_then(|id| names.get(&id).cloned()),
                    status_from: status(&row.status_from)?,
                    status_to: status(&row.status_to)?,
                    fields: serde_json::from_str(&row.fields)
                        .map_err(|e| StoreError::Corrupt(format!("engagement change {}: {e}", row.id)))?,
                })
            })
            .collect()
    }

    /// Makes `change` by `by`, if `precondition` holds for the current version and the domain
    /// allows it. A change that changes nothing is answered with the engagement as it is.
    pub async fn change(
        &self,
        nis: NisCode,
        programme: &str,
        precondition: impl Fn(i32) -> bool,
        change: &EngagementChange,
        by: Mover,
        ctx: &AuditContext,
    ) -> Result<Engagement, ChangeError> {
        let txn = begin_write(&self.db).await?;
        let definition = programmes::load(&txn, programme)
            .await?
            .ok_or(ChangeError::NoProgramme)?;
        let current = load_with(&txn, nis, &definition).await?;
        if !precondition(current.version) {
            return Err(ChangeError::Stale {
                current: current.version,
            });
        }
        let after = apply_change(&current.state, change, &definition.criteria, by).map_err(ChangeError::Refused)?;
        let fields = changed_fields(&current.state, &after);
        if fields.is_empty() {
            return Ok(current);
        }
        let now = crate::now();
        let version = current.version + 1;
        let row = engagement::ActiveModel {
            municipality_nis: Set(nis.to_string()),
            programme_code: Set(programme.to_owned()),
            status: Set(after.status.as_str().to_owned()),
            council_decision_on: Set(after.dates.council_decision_on),
            recognised_on: Set(after.dates.recognised_on),
            renewal_due_on: Set(after.dates.renewal_due_on),
            version: Set(version),
            updated_at: Set(now),
            updated_by: Set(ctx.actor.map(|a| a.as_uuid())),
        };
        if current.version == 0 {
            // Two first changes at once: the second meets the first's row and is told to retry.
            row.insert(&txn).await.map_err(|e| {
                crate::error::conflict_on_unique(e, || {
                    "the engagement changed while this change was made; read it again and retry".to_owned()
                })
            })?;
        } else {
            let written = engagement::Entity::update_many()
                .set(row)
                .filter(engagement::Column::MunicipalityNis.eq(nis.to_string()))
                .filter(engagement::Column::ProgrammeCode.eq(programme))
                .filter(engagement::Column::Version.eq(current.version))
                .exec(&txn)
                .await?
                .rows_affected;
            if written == 0 {
                return Err(ChangeError::Stale {
                    current: current.version + 1,
                });
            }
        }
        for (code, _) in change
            .evidence
            .iter()
            .filter(|(code, _)| current.state.evidence.get(*code) != after.evidence.get(*code))
        {
            engagement_evidence::Entity::delete_many()
                .filter(engagement_evidence::Column::MunicipalityNis.eq(nis.to_string()))
                .filter(engagement_evidence::Column::ProgrammeCode.eq(programme))
                .filter(engagement_evidence::Column::CriterionCode.eq(code))
                .exec(&txn)
                .await?;
            if let Some(text) = after.evidence.get(code) {
                engagement_evidence::ActiveModel {
                    municipality_nis: Set(nis.to_string()),
                    programme_code: Set(programme.to_owned()),
                    criterion_code: Set(code.clone()),
                    text: Set(text.clone()),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
        }
        let fields_json = serde_json::to_string(&fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        engagement_change::ActiveModel {
            id: Set(Uuid::new_v4()),
            municipality_nis: Set(nis.to_string()),
            programme_code: Set(programme.to_owned()),
            changed_at: Set(now),
            changed_by: Set(ctx.actor.map(|a| a.as_uuid())),
            status_from: Set(current.state.status.as_str().to_owned()),
            status_to: Set(after.status.as_str().to_owned()),
            fields: Set(fields_json),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("engagement.change", "engagement", format!("{nis}/{programme}")).with_detail(
                serde_json::json!({
                    "status": [current.state.status.as_str(), after.status.as_str()],
                    "fields": fields,
                }),
            ),
        )
        .await?;
        let changed = load_with(&txn, nis, &definition).await?;
        txn.commit().await?;
        Ok(changed)
    }

    /// The municipalities whose engagement in `programme` has one of `statuses`, in NIS order.
    pub async fn with_status(
        &self,
        programme: &str,
        statuses: &[EngagementStatus],
    ) -> Result<Vec<EngagedMunicipality>, StoreError> {
        let rows = engagement::Entity::find()
            .filter(engagement::Column::ProgrammeCode.eq(programme))
            .filter(engagement::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
            .order_by_asc(engagement::Column::MunicipalityNis)
            .all(&self.db)
            .await?;
        self.with_municipalities(rows).await
    }

    /// Recognised engagements whose renewal is due on or before `until` (overdue ones too),
    /// soonest first.
    pub async fn renewals_due(&self, until: NaiveDate) -> Result<Vec<EngagedMunicipality>, StoreError> {
        let rows = engagement::Entity::find()
            .filter(engagement::Column::Status.eq(EngagementStatus::Recognised.as_str()))
            .filter(engagement::Column::RenewalDueOn.lte(until))
            .order_by_asc(engagement::Column::RenewalDueOn)
            .order_by_asc(engagement::Column::MunicipalityNis)
            .all(&self.db)
            .await?;
        self.with_municipalities(rows).await
    }

    async fn with_municipalities(&self, rows: Vec<engagement::Model>) -> Result<Vec<EngagedMunicipality>, StoreError> {
        let codes: Vec<String> = rows.iter().map(|r| r.municipality_nis.clone()).collect();
        let places: HashMap<String, Municipality> = municipality::Entity::find()
            .filter(municipality::Column::NisCode.is_in(codes))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Ok((row.nis_code.clone(), crate::municipalities::to_domain(row)?)))
            .collect::<Result<_, StoreError>>()?;
        rows.into_iter()
            .map(|row| {
                let municipality = places
                    .get(&row.municipality_nis)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt(format!("engagement of unknown {}", row.municipality_nis)))?;
                Ok(EngagedMunicipality {
                    municipality,
                    status: status_of(&row)?,
                    dates: dates_of(&row),
                    programme: row.programme_code,
                })
            })
            .collect()
    }
}

fn status_of(row: &engagement::Model) -> Result<EngagementStatus, StoreError> {
    EngagementStatus::parse(&row.status).map_err(|e| {
        StoreError::Corrupt(format!(
            "engagement {}/{}: {e}",
            row.municipality_nis, row.programme_code
        ))
    })
}

fn dates_of(row: &engagement::Model) -> EngagementDates {
    EngagementDates {
        council_decision_on: row.council_decision_on,
        recognised_on: row.recognised_on,
        renewal_due_on: row.renewal_due_on,
    }
}

fn to_engagement<'a>(
    nis: NisCode,
    programme: &str,
    row: Option<&engagement::Model>,
    evidence: impl Iterator<Item = &'a engagement_evidence::Model>,
) -> Result<Engagement, StoreError> {
    let evidence: BTreeMap<String, String> = evidence.map(|e| (e.criterion_code.clone(), e.text.clone())).collect();
    Ok(match row {
        None => Engagement {
            municipality: nis,
            programme: programme.to_owned(),
            state: EngagementState {
                evidence,
                ..EngagementState::default()
            },
            version: 0,
            updated_at: None,
        },
        Some(row) => Engagement {
            municipality: nis,
            programme: programme.to_owned(),
            state: EngagementState {
                status: status_of(row)?,
                dates: dates_of(row),
                evidence,
            },
            version: row.version,
            updated_at: Some(row.updated_at),
        },
    })
}

/// The engagement of `nis` in `programme` on `conn`; `None` without such a programme.
async fn load(conn: &impl ConnectionTrait, nis: NisCode, programme: &str) -> Result<Option<Engagement>, StoreError> {
    let Some(definition) = programmes::load(conn, programme).await? else {
        return Ok(None);
    };
    load_with(conn, nis, &definition).await.map(Some)
}

/// The engagement of `nis` in the programme `definition` describes (read already).
async fn load_with(
    conn: &impl ConnectionTrait,
    nis: NisCode,
    definition: &Programme,
) -> Result<Engagement, StoreError> {
    let programme = definition.code.as_str();
    let row = engagement::Entity::find_by_id((nis.to_string(), programme.to_owned()))
        .one(conn)
        .await?;
    let evidence = engagement_evidence::Entity::find()
        .filter(engagement_evidence::Column::MunicipalityNis.eq(nis.to_string()))
        .filter(engagement_evidence::Column::ProgrammeCode.eq(programme))
        .all(conn)
        .await?;
    let current = evidence
        .iter()
        .filter(|e| definition.criteria.iter().any(|c| c.code == e.criterion_code));
    to_engagement(nis, programme, row.as_ref(), current)
}

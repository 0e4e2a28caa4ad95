//! Trainings and network meetings with their registrations. Registering and cancelling take the
//! session's row first (`FOR UPDATE` on PostgreSQL; SQLite's writes queue behind one another), so
//! concurrent registrations never fill more seats than there are, and a cancelled seat goes to
//! the first in line.

use std::collections::HashMap;

use campaign_domain::ids::UserId;
use campaign_domain::training::{RegistrationStatus, SessionDetails, SessionKind, place, promotions};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{app_user, training_registration, training_session};
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub details: SessionDetails,
    pub registered: u32,
    pub waitlisted: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: Uuid,
    pub session_id: Uuid,
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub status: RegistrationStatus,
    /// The place in line: when (re-)registered.
    pub queued_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug)]
pub enum RegistrationError {
    NoSession,
    NotFound,
    /// Registered or in line already.
    Already(Registration),
    /// The session is over.
    Ended,
    Store(StoreError),
}

crate::error::store_error_conversions!(RegistrationError);

#[derive(Clone)]
pub struct TrainingRepo {
    db: DatabaseConnection,
}

impl TrainingRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn create(&self, details: SessionDetails, ctx: &AuditContext) -> Result<Session, StoreError> {
        let txn = begin_write(&self.db).await?;
        let id = Uuid::new_v4();
        let now = crate::now();
        training_session::ActiveModel {
            id: Set(id),
            kind: Set(details.kind.as_str().to_owned()),
            title: Set(details.title.clone()),
            description: Set(details.description.clone()),
            starts_at: Set(details.starts_at),
            ends_at: Set(details.ends_at),
            place: Set(details.place.clone()),
            online_link: Set(details.online_link.clone()),
            capacity: Set(i32::try_from(details.capacity).unwrap_or(i32::MAX)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("training.create", "training_session", id).with_detail(serde_json::json!({
                "title": details.title,
                "capacity": details.capacity,
                "starts_at": details.starts_at,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(Session {
            id,
            details,
            registered: 0,
            waitlisted: 0,
            created_at: now,
        })
    }

    /// Sessions that have not ended by `after`, soonest first.
    pub async fn upcoming(&self, after: DateTime<Utc>) -> Result<Vec<Session>, StoreError> {
        let rows = training_session::Entity::find()
            .filter(training_session::Column::EndsAt.gt(after))
            .order_by_asc(training_session::Column::StartsAt)
            .order_by_asc(training_session::Column::Id)
            .all(&self.db)
            .await?;
        let mut sessions = Vec::with_capacity(rows.len());
        for row in rows {
            sessions.push(with_counts(&self.db, row).await?);
        }
        Ok(sessions)
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Session>, StoreError> {
        match training_session::Entity::find_by_id(id).one(&self.db).await? {
            Some(row) => Ok(Some(with_counts(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    /// Registers `user`: a seat while there is one, else a place at the end of the line.
    pub async fn register(
        &self,
        session: Uuid,
        user: UserId,
        ctx: &AuditContext,
    ) -> Result<Registration, RegistrationError> {
        let txn = begin_write(&self.db).await?;
        let row = lock_session(&txn, session).await?.ok_or(RegistrationError::NoSession)?;
        if row.ends_at <= crate::now() {
            return Err(RegistrationError::Ended);
        }
        let existing = training_registration::Entity::find()
            .filter(training_registration::Column::SessionId.eq(session))
            .filter(training_registration::Column::UserId.eq(user.as_uuid()))
            .one(&txn)
            .await?;
        if let Some(existing) = &existing
            && existing.status != RegistrationStatus::Cancelled.as_str()
        {
            return Err(RegistrationError::Already(
                load(&txn, existing.id).await?.ok_or(RegistrationError::NotFound)?,
            ));
        }
        let registered = count(&txn, session, RegistrationStatus::Registered).await?;
        let status = place(registered, u32::try_from(row.capacity).unwrap_or(0));
        let now = crate::now();
        let id = match existing {
            Some(cancelled) => {
                training_registration::ActiveModel {
                    id: Set(cancelled.id),
                    status: Set(status.as_str().to_owned()),
                    queued_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
                cancelled.id
            }
            None => {
                let id = Uuid::new_v4();
                training_registration::ActiveModel {
                    id: Set(id),
                    session_id: Set(session),
                    user_id: Set(user.as_uuid()),
                    status: Set(status.as_str().to_owned()),
                    queued_at: Set(now),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
                id
            }
        };
        record(
            &txn,
            ctx,
            AuditEvent::new("training.register", "training_registration", id).with_detail(serde_json::json!({
                "session_id": session.to_string(),
                "status": status.as_str(),
            })),
        )
        .await?;
        let registration = load(&txn, id).await?.ok_or(RegistrationError::NotFound)?;
        txn.commit().await?;
        Ok(registration)
    }

    pub async fn registration(&self, id: Uuid) -> Result<Option<Registration>, StoreError> {
        load(&self.db, id).await
    }

    /// Cancels a registration of `session`; a freed seat goes to the first in line.
    pub async fn cancel(&self, session: Uuid, id: Uuid, ctx: &AuditContext) -> Result<Registration, RegistrationError> {
        let txn = begin_write(&self.db).await?;
        let row = lock_session(&txn, session).await?.ok_or(RegistrationError::NoSession)?;
        let current = load(&txn, id)
            .await?
            .filter(|r| r.session_id == session)
            .ok_or(RegistrationError::NotFound)?;
        if current.status != RegistrationStatus::Cancelled {
            let now = crate::now();
            training_registration::ActiveModel {
                id: Set(id),
                status: Set(RegistrationStatus::Cancelled.as_str().to_owned()),
                updated_at: Set(now),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            let registered = count(&txn, session, RegistrationStatus::Registered).await?;
            let waiting = count(&txn, session, RegistrationStatus::Waitlisted).await?;
            let up = promotions(registered, u32::try_from(row.capacity).unwrap_or(0), waiting);
            let first: Vec<Uuid> = training_registration::Entity::find()
                .select_only()
                .column(training_registration::Column::Id)
                .filter(training_registration::Column::SessionId.eq(session))
                .filter(training_registration::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
                .order_by_asc(training_registration::Column::QueuedAt)
                .order_by_asc(training_registration::Column::Id)
                .limit(u64::from(up))
                .into_tuple()
                .all(&txn)
                .await?;
            for moved in &first {
                training_registration::ActiveModel {
                    id: Set(*moved),
                    status: Set(RegistrationStatus::Registered.as_str().to_owned()),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
            }
            record(
                &txn,
                ctx,
                AuditEvent::new("training.cancel", "training_registration", id).with_detail(serde_json::json!({
                    "session_id": session.to_string(),
                    "was": current.status.as_str(),
                    "moved_up": first.iter().map(Uuid::to_string).collect::<Vec<_>>(),
                })),
            )
            .await?;
        }
        let cancelled = load(&txn, id).await?.ok_or(RegistrationError::NotFound)?;
        txn.commit().await?;
        Ok(cancelled)
    }

    /// A session's registrations: the seats in order of registration, then the line in order,
    /// then the cancelled ones.
    pub async fn registrations(&self, session: Uuid) -> Result<Vec<Registration>, StoreError> {
        let rows = training_registration::Entity::find()
            .filter(training_registration::Column::SessionId.eq(session))
            .order_by_asc(training_registration::Column::QueuedAt)
            .order_by_asc(training_registration::Column::Id)
            .all(&self.db)
            .await?;
        let mut all = with_people(&self.db, rows).await?;
        let rank = |s: RegistrationStatus| match s {
            RegistrationStatus::Registered => 0,
            RegistrationStatus::Waitlisted => 1,
            RegistrationStatus::Cancelled => 2,
        };
        all.sort_by_key(|r| rank(r.status));
        Ok(all)
    }

    /// The registrations of `user`, by session.
    pub async fn of_user(&self, user: UserId) -> Result<HashMap<Uuid, Registration>, StoreError> {
        let rows = training_registration::Entity::find()
            .filter(training_registration::Column::UserId.eq(user.as_uuid()))
            .all(&self.db)
            .await?;
        Ok(with_people(&self.db, rows)
            .await?
            .into_iter()
            .map(|r| (r.session_id, r))
            .collect())
    }
}

async fn lock_session(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<training_session::Model>, StoreError> {
    let mut query = training_session::Entity::find_by_id(id);
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    Ok(query.one(conn).await?)
}

async fn count(conn: &impl ConnectionTrait, session: Uuid, status: RegistrationStatus) -> Result<u32, StoreError> {
    let n = training_registration::Entity::find()
        .filter(training_registration::Column::SessionId.eq(session))
        .filter(training_registration::Column::Status.eq(status.as_str()))
        .count(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn with_counts(conn: &impl ConnectionTrait, row: training_session::Model) -> Result<Session, StoreError> {
    let registered = count(conn, row.id, RegistrationStatus::Registered).await?;
    let waitlisted = count(conn, row.id, RegistrationStatus::Waitlisted).await?;
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("training {}: {e}", row.id));
    Ok(Session {
        id: row.id,
        details: SessionDetails {
            kind: SessionKind::parse(&row.kind).map_err(corrupt)?,
            title: row.title,
            description: row.description,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            place: row.place,
            online_link: row.online_link,
            capacity: u32::try_from(row.capacity).unwrap_or(0),
        },
        registered,
        waitlisted,
        created_at: row.created_at,
    })
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Registration>, StoreError> {
    let Some(row) = training_registration::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_people(conn, vec![row]).await?.pop())
}

async fn with_people(
    conn: &impl ConnectionTrait,
    rows: Vec<training_registration::Model>,
) -> Result<Vec<Registration>, StoreError> {
    let people: HashMap<Uuid, (String, String)> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Name)
        .column(app_user::Column::Email)
        .filter(app_user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .into_tuple::<(Uuid, String, String)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, name, email)| (id, (name, email)))
        .collect();
    rows.into_iter()
        .map(|r| {
            let (name, email) = people.get(&r.user_id).cloned().unwrap_or_default();
            Ok(Registration {
                id: r.id,
                session_id: r.session_id,
                user: UserId::from_uuid(r.user_id),
                name,
                email,
                status: RegistrationStatus::parse(&r.status)
                    .map_err(|e| StoreError::Corrupt(format!("registration {}: {e}", r.id)))?,
                queued_at: r.queued_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

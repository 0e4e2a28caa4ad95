//! Questions to 11.11.11 and their threads of messages. Each message and each close moves the
//! question's status by the domain's rules inside one transaction, audited.

use campaign_domain::ids::{InitiativeId, UserId};
use campaign_domain::municipality::NisCode;
use campaign_domain::question::{QuestionStatus, QuestionTopic, ThreadRefused, Writer, after_message, move_to};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{question, question_message};
use crate::idempotency::{Claim, Created, IdempotencyKey, claim_or_answer, complete};
use crate::{StoreError, begin_write};

/// A question without its messages, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: Uuid,
    pub topic: QuestionTopic,
    pub status: QuestionStatus,
    pub subject: String,
    pub municipality: Option<NisCode>,
    /// The initiative it is asked for (the 4th pillar's helpdesk).
    pub initiative: Option<InitiativeId>,
    pub asked_by: Option<UserId>,
    /// The staff member following it up (individual guidance).
    pub assigned_to: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub author: Option<UserId>,
    pub from_staff: bool,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A question with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub question: Question,
    pub messages: Vec<Message>,
}

pub struct NewQuestion {
    pub topic: QuestionTopic,
    pub subject: String,
    pub text: String,
    pub asker: Asker,
    pub asked_by: UserId,
}

/// Whom a question is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    Municipality(NisCode),
    Initiative(InitiativeId),
}

#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub topic: Option<QuestionTopic>,
    pub status: Option<QuestionStatus>,
    pub municipality: Option<NisCode>,
    pub initiative: Option<InitiativeId>,
    pub assigned_to: Option<UserId>,
    /// The (created_at, id) of the last question of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// Why a message or a move was not taken.
#[derive(Debug)]
pub enum ThreadError {
    NotFound,
    Refused(ThreadRefused),
    Store(StoreError),
}

crate::error::store_error_conversions!(ThreadError);

#[derive(Clone)]
pub struct QuestionRepo {
    db: DatabaseConnection,
}

impl QuestionRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// What was answered before under `key`.
    pub async fn earlier_answer(&self, key: &IdempotencyKey) -> Result<Claim, StoreError> {
        crate::idempotency::earlier_answer(&self.db, key).await
    }

    /// Stores a new `open` question with its first message.
    pub async fn ask(
        &self,
        new: NewQuestion,
        ctx: &AuditContext,
        key: Option<&IdempotencyKey>,
        render: impl FnOnce(&Thread) -> (u16, String),
    ) -> Result<Created<Thread>, StoreError> {
        let txn = begin_write(&self.db).await?;
        if let Some(answer) = claim_or_answer(&txn, key).await? {
            return Ok(answer);
        }
        let now = crate::now();
        let id = Uuid::new_v4();
        question::ActiveModel {
            id: Set(id),
            topic: Set(new.topic.as_str().to_owned()),
            status: Set(QuestionStatus::Open.as_str().to_owned()),
            subject: Set(new.subject),
            municipality_nis: Set(match new.asker {
                Asker::Municipality(nis) => Some(nis.to_string()),
                Asker::Initiative(_) => None,
            }),
            initiative_id: Set(match new.asker {
                Asker::Initiative(i) => Some(i.as_uuid()),
                Asker::Municipality(_) => None,
            }),
            asked_by: Set(Some(new.asked_by.as_uuid())),
            assigned_to: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        insert_message(&txn, id, Some(new.asked_by), false, new.text, now).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("question.ask", "question", id).with_detail(serde_json::json!({
                "topic": new.topic.as_str(),
                "asker": match new.asker {
                    Asker::Municipality(nis) => format!("municipality {nis}"),
                    Asker::Initiative(i) => format!("initiative {i}"),
                },
            })),
        )
        .await?;
        let thread = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new question vanished".to_owned()))?;
        if let Some(key) = key {
            let (status, body) = render(&thread);
            complete(&txn, key, status, body).await?;
        }
        txn.commit().await?;
        Ok(Created::New(thread))
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Thread>, StoreError> {
        load(&self.db, id).await
    }

    /// Questions oldest first (the queue's order), at most `limit`.
    pub async fn list(&self, filter: &QuestionFilter, limit: u64) -> Result<Vec<Question>, StoreError> {
        let mut query = question::Entity::find()
            .order_by_asc(question::Column::CreatedAt)
            .order_by_asc(question::Column::Id);
        if let Some(topic) = filter.topic {
            query = query.filter(question::Column::Topic.eq(topic.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(question::Column::Status.eq(status.as_str()));
        }
        if let Some(nis) = filter.municipality {
            query = query.filter(question::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(initiative) = filter.initiative {
            query = query.filter(question::Column::InitiativeId.eq(initiative.as_uuid()));
        }
        if let Some(staff) = filter.assigned_to {
            query = query.filter(question::Column::AssignedTo.eq(staff.as_uuid()));
        }
        if let Some((at, id)) = filter.after {
            query = query.filter(
                Condition::any().add(question::Column::CreatedAt.gt(at)).add(
                    Condition::all()
                        .add(question::Column::CreatedAt.eq(at))
                        .add(question::Column::Id.gt(id)),
                ),
            );
        }
        query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_question)
            .collect()
    }

    /// How many of the municipality's questions are not closed.
    pub async fn open_count(&self, nis: NisCode) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(question::Entity::find()
            .filter(question::Column::MunicipalityNis.eq(nis.to_string()))
            .filter(question::Column::Status.ne(QuestionStatus::Closed.as_str()))
            .count(&self.db)
            .await?)
    }

    /// Adds a message by `writer`; the status follows the domain's rule.
    pub async fn add_message(
        &self,
        id: Uuid,
        writer: Writer,
        author: UserId,
        text: String,
        ctx: &AuditContext,
    ) -> Result<Thread, ThreadError> {
        let txn = begin_write(&self.db).await?;
        let current = current_status(&txn, id).await?;
        let next = after_message(current, writer).map_err(ThreadError::Refused)?;
        let now = crate::now();
        insert_message(&txn, id, Some(author), writer == Writer::Staff, text, now).await?;
        set_status(&txn, id, next, now).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("question.message", "question", id)
                .with_detail(serde_json::json!({ "status": [current.as_str(), next.as_str()] })),
        )
        .await?;
        let thread = load(&txn, id).await?.ok_or(ThreadError::NotFound)?;
        txn.commit().await?;
        Ok(thread)
    }

    /// Assigns the question to a staff member for individual guidance (`None` takes it back).
    pub async fn assign(&self, id: Uuid, to: Option<UserId>, ctx: &AuditContext) -> Result<Thread, ThreadError> {
        let txn = begin_write(&self.db).await?;
        current_status(&txn, id).await?;
        question::ActiveModel {
            id: Set(id),
            assigned_to: Set(to.map(|u| u.as_uuid())),
            updated_at: Set(crate::now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("question.assign", "question", id)
                .with_detail(serde_json::json!({ "assigned_to": to.map(|u| u.to_string()) })),
        )
        .await?;
        let thread = load(&txn, id).await?.ok_or(ThreadError::NotFound)?;
        txn.commit().await?;
        Ok(thread)
    }

    /// Moves the question to `to` (only closing is a move of its own).
    pub async fn move_to(&self, id: Uuid, to: QuestionStatus, ctx: &AuditContext) -> Result<Thread, ThreadError> {
        let txn = begin_write(&self.db).await?;
        let current = current_status(&txn, id).await?;
        let next = move_to(current, to).map_err(ThreadError::Refused)?;
        if next != current {
            set_status(&txn, id, next, crate::now()).await?;
            record(
                &txn,
                ctx,
                AuditEvent::new("question.close", "question", id)
                    .with_detail(serde_json::json!({ "status": [current.as_str(), next.as_str()] })),
            )
            .await?;
        }
        let thread = load(&txn, id).await?.ok_or(ThreadError::NotFound)?;
        txn.commit().await?;
        Ok(thread)
    }
}

async fn current_status(conn: &impl ConnectionTrait, id: Uuid) -> Result<QuestionStatus, ThreadError> {
    let row = question::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ThreadError::NotFound)?;
    Ok(to_question(row)?.status)
}

async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: QuestionStatus,
    at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    question::ActiveModel {
        id: Set(id),
        status: Set(status.as_str().to_owned()),
        updated_at: Set(at),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

async fn insert_message(
    conn: &impl ConnectionTrait,
    question: Uuid,
    author: Option<UserId>,
    from_staff: bool,
    text: String,
    at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    question_message::ActiveModel {
        id: Set(Uuid::new_v4()),
        question_id: Set(question),
        author: Set(author.map(|a| a.as_uuid())),
        from_staff: Set(from_staff),
        text: Set(text),
        created_at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

fn to_question(row: question::Model) -> Result<Question, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("question {}: {e}", row.id));
    Ok(Question {
        id: row.id,
        topic: QuestionTopic::parse(&row.topic).map_err(corrupt)?,
        status: QuestionStatus::parse(&row.status).map_err(corrupt)?,
        municipality: row
            .municipality_nis
            .as_deref()
            .map(NisCode::parse)
            .transpose()
            .map_err(corrupt)?,
        initiative: row.initiative_id.map(InitiativeId::from_uuid),
        asked_by: row.asked_by.map(UserId::from_uuid),
        assigned_to: row.assigned_to.map(UserId::from_uuid),
        subject: row.subject,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Thread>, StoreError> {
    let Some(row) = question::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let messages = question_message::Entity::find()
        .filter(question_message::Column::QuestionId.eq(id))
        .order_by_asc(question_message::Column::CreatedAt)
        .order_by_asc(question_message::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| Message {
            id: m.id,
            author: m.author.map(UserId::from_uuid),
            from_staff: m.from_staff,
            text: m.text,
            created_at: m.created_at,
        })
        .collect();
    Ok(Some(Thread {
        question: to_question(row)?,
        messages,
    }))
}

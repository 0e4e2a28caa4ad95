use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub payload: String,
    pub created_at: ChronoDateTimeUtc,
    pub retry_from: ChronoDateTimeUtc,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<ChronoDateTimeUtc>,
    pub locked_until: Option<ChronoDateTimeUtc>,
    pub last_attempt_at: Option<ChronoDateTimeUtc>,
    pub last_status_code: Option<i32>,
    pub last_duration_ms: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

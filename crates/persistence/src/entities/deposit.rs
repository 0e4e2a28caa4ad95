use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deposit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub amount_cents: i64,
    pub deposited_on: ChronoDate,
    pub reference: String,
    pub covers_from: ChronoDate,
    pub covers_to: ChronoDate,
    pub closed_at: Option<ChronoDateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub close_reason: Option<String>,
    pub expected_at_close: Option<i64>,
    pub created_by: Option<Uuid>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: ChronoDate,
    pub claimed_by: String,
    pub claimed_until: ChronoDateTimeUtc,
    pub attempts: i32,
    pub sent_at: Option<ChronoDateTimeUtc>,
    pub recipients: i32,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_nis: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_code: String,
    pub status: String,
    pub council_decision_on: Option<ChronoDate>,
    pub recognised_on: Option<ChronoDate>,
    pub renewal_due_on: Option<ChronoDate>,
    pub version: i32,
    pub updated_at: ChronoDateTimeUtc,
    pub updated_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagement_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_nis: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub criterion_code: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

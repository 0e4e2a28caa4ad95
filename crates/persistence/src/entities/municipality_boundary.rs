use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "municipality_boundary")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nis_code: String,
    #[sea_orm(column_type = "Text")]
    pub geometry: String,
    pub imported_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

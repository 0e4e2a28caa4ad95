use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagement_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_nis: String,
    pub programme_code: String,
    pub changed_at: ChronoDateTimeUtc,
    pub changed_by: Option<Uuid>,
    pub status_from: String,
    pub status_to: String,
    #[sea_orm(column_type = "Text")]
    pub fields: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

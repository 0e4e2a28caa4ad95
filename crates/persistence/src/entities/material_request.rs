use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "material_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_nis: String,
    pub requested_by: Uuid,
    pub status: String,
    pub needed_by: ChronoDate,
    #[sea_orm(column_type = "Text")]
    pub delivery_address: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub rejection_reason: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

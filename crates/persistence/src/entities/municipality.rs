use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "municipality")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nis_code: String,
    pub name_nl: String,
    pub name_fr: Option<String>,
    pub province: String,
    pub region: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_criterion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub title: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

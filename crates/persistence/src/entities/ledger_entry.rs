use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub campaign_year: i32,
    pub municipality_nis: String,
    pub kind: String,
    pub product_id: Option<Uuid>,
    pub product_code: Option<String>,
    pub quantity: Option<i32>,
    pub unit_price_cents: Option<i64>,
    pub amount_cents: i64,
    pub payment_method: String,
    pub occurred_at: ChronoDateTimeUtc,
    pub activity_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub corrects_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub created_by: Uuid,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

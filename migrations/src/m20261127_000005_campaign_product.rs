//! Campaigns (one per year) and the products sold in each.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, date, integer, string, timestamp_with_time_zone, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("campaign")
                    .if_not_exists()
                    .col(integer("year").primary_key())
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(big_integer("target_cents"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("ends_on > starts_on"))
                    .check(Expr::cust("target_cents >= 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("product")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(integer("campaign_year"))
                    .col(string("code"))
                    .col(string("name"))
                    .col(big_integer("unit_price_cents"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(Expr::cust("unit_price_cents > 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("product_campaign_year_fkey")
                            .from("product", "campaign_year")
                            .to("campaign", "year"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("product_campaign_code_key")
                    .table("product")
                    .col("campaign_year")
                    .col("code")
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["product", "campaign"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Running totals of the ledger, kept in the transaction of every ledger write, so reading
//! totals never scans the ledger. Keyed finely (a group's day, product and payment method), so
//! concurrent writers of different groups never wait for each other.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, date, integer, string, string_len, uuid};

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
                    .table("ledger_total")
                    .if_not_exists()
                    .col(integer("campaign_year"))
                    // The Belgian calendar day of occurred_at.
                    .col(date("day"))
                    .col(uuid("group_id"))
                    .col(string_len("municipality_nis", 5))
                    .col(string("kind"))
                    // Empty for entries without a product.
                    .col(string("product_code"))
                    .col(string("payment_method"))
                    .col(big_integer("raised_cents"))
                    .col(big_integer("entries"))
                    .primary_key(
                        Index::create()
                            .col("campaign_year")
                            .col("day")
                            .col("group_id")
                            .col("municipality_nis")
                            .col("kind")
                            .col("product_code")
                            .col("payment_method"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("ledger_total").to_owned()).await
    }
}

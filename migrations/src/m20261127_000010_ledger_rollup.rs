//! Replaces the one fine-grained total table by rollups per dimension: one row per campaign,
//! dimension, key and group, so a read sums at most a few thousand rows however large the
//! ledger grows, and writers of different groups still never touch the same row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, integer, string, string_len, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("ledger_total").if_exists().to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("ledger_rollup")
                    .if_not_exists()
                    .col(integer("campaign_year"))
                    // kind, province, municipality, group, product, payment_method or day.
                    .col(string("dimension"))
                    .col(string("key"))
                    .col(uuid("group_id"))
                    .col(string_len("municipality_nis", 5))
                    .col(big_integer("raised_cents"))
                    .col(big_integer("entries"))
                    .primary_key(
                        Index::create()
                            .col("campaign_year")
                            .col("dimension")
                            .col("key")
                            .col("group_id")
                            .col("municipality_nis"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("ledger_rollup").to_owned())
            .await
    }
}

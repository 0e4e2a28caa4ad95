//! Cash handed in by volunteer groups: deposits covering the group's cash entries of some days,
//! reconciled against them (the ledger is not changed); once closed, the expected figure is kept.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, date, string, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
    uuid, uuid_null,
};

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
                    .table("deposit")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("group_id"))
                    .col(big_integer("amount_cents"))
                    .col(date("deposited_on"))
                    .col(string("reference"))
                    .col(date("covers_from"))
                    .col(date("covers_to"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(uuid_null("closed_by"))
                    .col(text_null("close_reason"))
                    // The cash logged for the covered days when it was closed.
                    .col(big_integer_null("expected_at_close"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("amount_cents > 0"))
                    .check(Expr::cust("covers_to >= covers_from"))
                    .check(Expr::cust("(closed_at IS NULL) = (expected_at_close IS NULL)"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("deposit_group_fkey")
                            .from("deposit", "group_id")
                            .to("volunteer_group", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("deposit_group_idx")
                    .table("deposit")
                    .col("group_id")
                    .col("covers_from")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("deposit").if_exists().to_owned())
            .await
    }
}

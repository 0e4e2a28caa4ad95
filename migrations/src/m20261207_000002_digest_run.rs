//! The daily digest's sending, one row per Brussels day: the server process that claims the day
//! sends it (once, whatever the number of replicas); a failed sending is tried again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    date, integer, string, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
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
                    .table("digest_run")
                    .if_not_exists()
                    .col(date("day").primary_key())
                    // Which process claimed it (host and process id), until when.
                    .col(string("claimed_by"))
                    .col(timestamp_with_time_zone("claimed_until"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(integer("recipients").default(0))
                    .col(text_null("last_error"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("digest_run").if_exists().to_owned())
            .await
    }
}

//! Trainings and network meetings of the 4th-pillar desk, and the registrations for them: one
//! per account and session (a cancelled one comes back to life at the end of the line).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, string, string_null, text_null, timestamp_with_time_zone, uuid};

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
                    .table("training_session")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string("kind"))
                    .col(string("title"))
                    .col(text_null("description"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string_null("place"))
                    .col(string_null("online_link"))
                    .col(integer("capacity"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("kind IN ('training', 'network_meeting')"))
                    .check(Expr::cust("capacity BETWEEN 1 AND 10000"))
                    .check(Expr::cust("ends_at > starts_at"))
                    .check(Expr::cust("place IS NOT NULL OR online_link IS NOT NULL"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("training_session_starts_idx")
                    .table("training_session")
                    .col("starts_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("training_registration")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("session_id"))
                    .col(uuid("user_id"))
                    .col(string("status"))
                    // The place in line: when (re-)registered.
                    .col(timestamp_with_time_zone("queued_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("status IN ('registered', 'waitlisted', 'cancelled')"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("training_registration_session_fkey")
                            .from("training_registration", "session_id")
                            .to("training_session", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("training_registration_user_fkey")
                            .from("training_registration", "user_id")
                            .to("app_user", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("training_registration_once_idx")
                    .table("training_registration")
                    .col("session_id")
                    .col("user_id")
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("training_registration_line_idx")
                    .table("training_registration")
                    .col("session_id")
                    .col("status")
                    .col("queued_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["training_registration", "training_session"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

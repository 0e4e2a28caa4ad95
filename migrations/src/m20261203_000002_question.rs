//! Questions to 11.11.11 (campaign support, local global policy, later the 4th pillar): a thread
//! of messages per question, asked for a municipality and answered by staff.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, string, string_len_null, text, timestamp_with_time_zone, uuid, uuid_null};

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
                    .table("question")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string("topic"))
                    .col(string("status"))
                    .col(string("subject"))
                    // The municipality it is asked for (an initiative's questions will have none).
                    .col(string_len_null("municipality_nis", 5))
                    .col(uuid_null("asked_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust(
                        "topic IN ('campaign_support', 'local_global_policy', 'fourth_pillar')",
                    ))
                    .check(Expr::cust("status IN ('open', 'answered', 'closed')"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("question_municipality_fkey")
                            .from("question", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("question_queue_idx", ["topic", "status", "created_at"].as_slice()),
            (
                "question_municipality_idx",
                ["municipality_nis", "created_at"].as_slice(),
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("question").if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("question_message")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("question_id"))
                    .col(uuid_null("author"))
                    // Written by 11.11.11 staff (else by the asking side).
                    .col(boolean("from_staff"))
                    .col(text("text"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("question_message_question_fkey")
                            .from("question_message", "question_id")
                            .to("question", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("question_message_thread_idx")
                    .table("question_message")
                    .col("question_id")
                    .col("created_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["question_message", "question"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! The audit log: every write and every login attempt, written in the transaction of the write.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_pk_auto, string, string_null, text_null, timestamp_with_time_zone, uuid_null};

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
                    .table("audit_log")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("actor_id"))
                    .col(string("action"))
                    .col(string("entity"))
                    .col(string_null("entity_id"))
                    .col(string_null("request_id"))
                    .col(string_null("client_addr"))
                    // For login attempts: a hash of the e-mail tried, to throttle per account.
                    .col(string_null("subject"))
                    .col(text_null("detail"))
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, &[&str]); 5] = [
            ("audit_log_at_idx", &["at"]),
            ("audit_log_actor_idx", &["actor_id", "at"]),
            ("audit_log_entity_idx", &["entity", "at"]),
            ("audit_log_subject_idx", &["action", "subject", "at"]),
            ("audit_log_client_idx", &["action", "client_addr", "at"]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table("audit_log").if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("audit_log").to_owned()).await
    }
}

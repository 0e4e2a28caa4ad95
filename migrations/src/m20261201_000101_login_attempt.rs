//! Sign-in attempts, recorded before the password is checked, so that a burst of attempts is
//! counted whole by the throttle; each gets its outcome once known. Kept a day.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_pk_auto, string, timestamp_with_time_zone};

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
                    .table("login_attempt")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    // A hash of the e-mail address tried, never the address.
                    .col(string("account"))
                    .col(string("client_addr"))
                    // pending, failed, succeeded, throttled or abandoned.
                    .col(string("outcome"))
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, &[&str]); 3] = [
            ("login_attempt_account_idx", &["account", "at"]),
            ("login_attempt_client_idx", &["client_addr", "at"]),
            ("login_attempt_at_idx", &["at"]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table("login_attempt").if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("login_attempt").to_owned())
            .await
    }
}

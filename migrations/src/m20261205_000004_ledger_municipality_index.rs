//! A municipality's money up to a day (its overview's "last year on the same day") is summed
//! from its ledger entries: day totals are not kept per municipality. This index covers that sum
//! (municipality, campaign, time, and the amount itself), so it reads the index only, not the
//! entries. Built once at the upgrade (about a second per million entries).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "CREATE INDEX IF NOT EXISTS ledger_entry_municipality_idx ON ledger_entry \
                 (municipality_nis, campaign_year, occurred_at) INCLUDE (amount_cents)"
            }
            _ => {
                "CREATE INDEX IF NOT EXISTS ledger_entry_municipality_idx ON ledger_entry \
                 (municipality_nis, campaign_year, occurred_at, amount_cents)"
            }
        };
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ledger_entry_municipality_idx")
            .await?;
        Ok(())
    }
}

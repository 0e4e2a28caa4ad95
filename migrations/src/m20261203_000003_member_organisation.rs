//! 11.11.11's member organisations, seeded with the names 11.11.11 lists to local governments
//! (`data/member_organisations.txt`); staff add the others and edit them. Seeded ids are fixed
//! (`1111…0001` onwards), so every installation names them alike.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_null, text_null, timestamp_with_time_zone, uuid};
use sea_orm_migration::sea_orm::prelude::Uuid;

const SEED: &str = include_str!("data/member_organisations.txt");
/// The first seeded id; the n-th name (from 1) gets `SEED_BASE + n`.
const SEED_BASE: u128 = 0x1111_1111_1111_4111_8111_0000_0000_0000;

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
                    .table("member_organisation")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string("name").unique_key())
                    .col(string_null("website"))
                    .col(text_null("description"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table("member_organisation")
            .columns(["id", "name", "created_at", "updated_at"]);
        for (n, name) in (1u128..).zip(SEED.lines().map(str::trim).filter(|l| !l.is_empty())) {
            insert
                .values([
                    Uuid::from_u128(SEED_BASE + n).into(),
                    name.into(),
                    Expr::current_timestamp(),
                    Expr::current_timestamp(),
                ])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        insert.on_conflict(OnConflict::column("name").do_nothing().to_owned());
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("member_organisation").to_owned())
            .await
    }
}

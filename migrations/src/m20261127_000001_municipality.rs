//! The municipality registry: every municipality of Flanders (285) and Brussels (19) as in force
//! since the mergers of 1 January 2025, seeded from Statbel's REFNIS 2025 classification.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_len, string_null};

/// `nis_code,name_nl,name_fr,province,region`, one row per municipality (see data/README.md).
const REGISTRY_2025: &str = include_str!("data/municipalities_2025.csv");

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
                    .table("municipality")
                    .if_not_exists()
                    .col(string_len("nis_code", 5).primary_key())
                    .col(string("name_nl"))
                    .col(string_null("name_fr"))
                    .col(string("province"))
                    .col(string("region"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("municipality_province_idx")
                    .table("municipality")
                    .col("province")
                    .col("nis_code")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        let mut insert = Query::insert();
        insert
            .into_table("municipality")
            .columns(["nis_code", "name_nl", "name_fr", "province", "region"]);
        for (line_no, line) in REGISTRY_2025.lines().enumerate().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let [nis_code, name_nl, name_fr, province, region] = fields[..] else {
                return Err(DbErr::Migration(format!(
                    "registry line {} is malformed: {line}",
                    line_no + 1
                )));
            };
            let name_fr = (!name_fr.is_empty()).then_some(name_fr);
            insert
                .values([
                    nis_code.into(),
                    name_nl.into(),
                    name_fr.into(),
                    province.into(),
                    region.into(),
                ])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        insert.on_conflict(OnConflict::column("nis_code").do_nothing().to_owned());
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("municipality").to_owned()).await
    }
}

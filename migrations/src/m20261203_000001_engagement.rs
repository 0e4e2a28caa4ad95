//! Engagement programmes (Faire Gemeente, Solidaire Gemeente, …) with their criteria, and per
//! municipality and programme its status, dates, evidence per criterion and history of changes.
//! A municipality without an engagement row is `not_engaged`. The programmes themselves are
//! seeded by the persistence crate after migrating (they are data staff edit, not schema).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    date_null, integer, string, string_len, text, timestamp_with_time_zone, uuid, uuid_null,
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
                    .table("programme")
                    .if_not_exists()
                    .col(string("code").primary_key())
                    .col(string("name"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("programme_criterion")
                    .if_not_exists()
                    .col(string("programme_code"))
                    .col(string("code"))
                    .col(string("title"))
                    // The order in which the programme lists its criteria.
                    .col(integer("position"))
                    .primary_key(Index::create().col("programme_code").col("code"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("programme_criterion_programme_fkey")
                            .from("programme_criterion", "programme_code")
                            .to("programme", "code")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("engagement")
                    .if_not_exists()
                    .col(string_len("municipality_nis", 5))
                    .col(string("programme_code"))
                    .col(string("status"))
                    .col(date_null("council_decision_on"))
                    .col(date_null("recognised_on"))
                    .col(date_null("renewal_due_on"))
                    // Raised by every change: the ETag, and the guard against lost updates.
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(uuid_null("updated_by"))
                    .primary_key(Index::create().col("municipality_nis").col("programme_code"))
                    .check(Expr::cust(
                        "status IN ('not_engaged', 'interested', 'committed', 'recognised', 'lapsed')",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("engagement_municipality_fkey")
                            .from("engagement", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("engagement_programme_fkey")
                            .from("engagement", "programme_code")
                            .to("programme", "code"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("engagement_programme_status_idx")
                    .table("engagement")
                    .col("programme_code")
                    .col("status")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("engagement_renewal_idx")
                    .table("engagement")
                    .col("status")
                    .col("renewal_due_on")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("engagement_evidence")
                    .if_not_exists()
                    .col(string_len("municipality_nis", 5))
                    .col(string("programme_code"))
                    .col(string("criterion_code"))
                    .col(text("text"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(
                        Index::create()
                            .col("municipality_nis")
                            .col("programme_code")
                            .col("criterion_code"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("engagement_evidence_engagement_fkey")
                            .from_tbl("engagement_evidence")
                            .from_col("municipality_nis")
                            .from_col("programme_code")
                            .to_tbl("engagement")
                            .to_col("municipality_nis")
                            .to_col("programme_code")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("engagement_change")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string_len("municipality_nis", 5))
                    .col(string("programme_code"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .col(uuid_null("changed_by"))
                    .col(string("status_from"))
                    .col(string("status_to"))
                    // The names of the fields changed, as a JSON array.
                    .col(text("fields"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("engagement_change_engagement_fkey")
                            .from_tbl("engagement_change")
                            .from_col("municipality_nis")
                            .from_col("programme_code")
                            .to_tbl("engagement")
                            .to_col("municipality_nis")
                            .to_col("programme_code")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("engagement_change_history_idx")
                    .table("engagement_change")
                    .col("municipality_nis")
                    .col("programme_code")
                    .col("changed_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "engagement_change",
            "engagement_evidence",
            "engagement",
            "programme_criterion",
            "programme",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

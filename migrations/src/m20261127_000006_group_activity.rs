//! Volunteer groups and their activities.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, double_null, integer, integer_null, string, string_len, string_null, text_null, timestamp_with_time_zone,
    uuid,
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
                    .table("volunteer_group")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string("name"))
                    .col(string_len("municipality_nis", 5))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("volunteer_group_municipality_nis_fkey")
                            .from("volunteer_group", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("volunteer_group_municipality_idx")
                    .table("volunteer_group")
                    .col("municipality_nis")
                    .col("name")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("activity")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("group_id"))
                    .col(integer("campaign_year"))
                    .col(string("kind"))
                    .col(string("title"))
                    .col(text_null("description"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(double_null("lon"))
                    .col(double_null("lat"))
                    .col(string_null("address"))
                    .col(string_len("municipality_nis", 5))
                    .col(boolean("public"))
                    .col(string("status"))
                    .col(integer_null("attendance"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust(
                        "kind IN ('quiz', 'dinner', 'sports', 'sale_stand', 'concert', 'walk', 'exhibition', 'other')",
                    ))
                    .check(Expr::cust("status IN ('planned', 'held', 'cancelled')"))
                    .check(Expr::cust("ends_at > starts_at"))
                    .check(Expr::cust("(lon IS NULL) = (lat IS NULL)"))
                    .check(Expr::cust("attendance IS NULL OR attendance >= 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("activity_group_id_fkey")
                            .from("activity", "group_id")
                            .to("volunteer_group", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("activity_campaign_year_fkey")
                            .from("activity", "campaign_year")
                            .to("campaign", "year"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("activity_municipality_nis_fkey")
                            .from("activity", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .to_owned(),
            )
            .await?;
        // Lists are ordered by start time, then id (the cursor); each filter has an index.
        let indexes: [(&str, &[&str]); 5] = [
            ("activity_starts_idx", &["starts_at", "id"]),
            ("activity_campaign_idx", &["campaign_year", "starts_at"]),
            ("activity_group_idx", &["group_id", "starts_at"]),
            ("activity_municipality_idx", &["municipality_nis", "starts_at"]),
            ("activity_position_idx", &["lat", "lon"]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table("activity").if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["activity", "volunteer_group"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Accounts, refresh tokens and settings kept by the server itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, string, string_len_null, string_uniq, text, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid,
    uuid_null,
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
                    .table("app_setting")
                    .if_not_exists()
                    .col(string("key").primary_key())
                    .col(text("value"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("app_user")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    // Stored lower-case, so uniqueness is case-insensitive.
                    .col(string_uniq("email"))
                    .col(string("name"))
                    .col(string("role"))
                    // Groups arrive with the next migration that creates them; the check holds now.
                    .col(uuid_null("group_id"))
                    .col(string_len_null("municipality_nis", 5))
                    .col(boolean("active"))
                    .col(string("password_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("role IN ('staff', 'volunteer', 'municipal_contact')"))
                    .check(Expr::cust("(role = 'volunteer') = (group_id IS NOT NULL)"))
                    .check(Expr::cust(
                        "(role = 'municipal_contact') = (municipality_nis IS NOT NULL)",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("app_user_municipality_nis_fkey")
                            .from("app_user", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("app_user_role_idx")
                    .table("app_user")
                    .col("role")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_token")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("user_id"))
                    // Every token of one login shares a family; reuse of a spent one revokes it all.
                    .col(uuid("family_id"))
                    // SHA-256 of the token, hex; the token itself is never stored.
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("spent_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("refresh_token_user_id_fkey")
                            .from("refresh_token", "user_id")
                            .to("app_user", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("refresh_token_family_idx", "family_id"),
            ("refresh_token_user_idx", "user_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("refresh_token")
                        .col(col)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["refresh_token", "app_user", "app_setting"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

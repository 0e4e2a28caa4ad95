//! The 4th pillar: citizen initiatives (with their accounts: the `initiative` role, scoped by
//! `app_user.initiative_id`), municipalities' referrals of them, and the 11.11.11 fund's yearly
//! calls with their applications.
//!
//! The role is added by `scoped_role`, as `member_org` was.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, integer, integer_null, json, string, string_len, string_null, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null, uuid, uuid_null,
};

use crate::scoped_role::{self, ScopedRole};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        initiatives(manager).await?;
        accounts(manager).await?;
        fund(manager).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "initiative accounts cannot be migrated down; restore a backup instead".to_owned(),
        ))
    }
}

async fn initiatives(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("initiative")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string("name"))
                .col(string_len("municipality_nis", 5))
                // JSON arrays of ISO 3166-1 alpha-2 codes and of theme words.
                .col(json("countries"))
                .col(json("themes"))
                .col(string_null("partner_abroad"))
                .col(string("contact_name"))
                .col(string("contact_email"))
                .col(integer_null("volunteers"))
                .col(string_null("budget_band"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .check(Expr::cust("status IN ('referred', 'known', 'inactive')"))
                .check(Expr::cust(
                    "budget_band IS NULL OR budget_band IN ('under_10k', '10k_50k', '50k_250k', 'over_250k')",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("initiative_municipality_fkey")
                        .from("initiative", "municipality_nis")
                        .to("municipality", "nis_code"),
                )
                .to_owned(),
        )
        .await?;
    for (name, cols) in [
        ("initiative_municipality_idx", ["municipality_nis", "name"]),
        ("initiative_status_idx", ["status", "name"]),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table("initiative")
                    .col(cols[0])
                    .col(cols[1])
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
    }
    manager
        .create_table(
            Table::create()
                .table("referral")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("initiative_id"))
                .col(string_len("municipality_nis", 5))
                .col(uuid_null("referred_by"))
                // A JSON array of advice, training, fund.
                .col(json("support"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("referral_initiative_fkey")
                        .from("referral", "initiative_id")
                        .to("initiative", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("referral_municipality_fkey")
                        .from("referral", "municipality_nis")
                        .to("municipality", "nis_code"),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("referral_municipality_idx")
                .table("referral")
                .col("municipality_nis")
                .col("created_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
}

async fn accounts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    scoped_role::add(
        manager,
        ScopedRole {
            role: "initiative",
            column: "initiative_id",
            references: "initiative",
            roles_before: &["staff", "volunteer", "municipal_contact", "member_org"],
        },
    )
    .await
}

async fn fund(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("fund_call")
                .if_not_exists()
                .col(integer("year").primary_key())
                .col(big_integer("budget_cents"))
                .col(big_integer("max_per_application_cents"))
                .col(timestamp_with_time_zone("deadline"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .check(Expr::cust("budget_cents > 0 AND max_per_application_cents > 0"))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table("fund_application")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(integer("call_year"))
                .col(uuid("initiative_id"))
                .col(string("status"))
                .col(string("project_title"))
                .col(string_len("country", 2))
                .col(string("partner"))
                .col(text("summary"))
                .col(big_integer("requested_cents"))
                // A JSON array of {label, amount_cents}.
                .col(json("budget_lines"))
                .col(big_integer_null("granted_cents"))
                .col(text_null("refusal_reason"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(uuid_null("decided_by"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .check(Expr::cust(
                    "status IN ('draft', 'submitted', 'under_review', 'granted', 'refused')",
                ))
                .check(Expr::cust("(status = 'granted') = (granted_cents IS NOT NULL)"))
                .check(Expr::cust(
                    "granted_cents IS NULL OR (granted_cents >= 0 AND granted_cents <= requested_cents)",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("fund_application_call_fkey")
                        .from("fund_application", "call_year")
                        .to("fund_call", "year"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fund_application_initiative_fkey")
                        .from("fund_application", "initiative_id")
                        .to("initiative", "id"),
                )
                .to_owned(),
        )
        .await?;
    for (name, cols) in [
        ("fund_application_call_idx", ["call_year", "status"]),
        ("fund_application_initiative_idx", ["initiative_id", "call_year"]),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table("fund_application")
                    .col(cols[0])
                    .col(cols[1])
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

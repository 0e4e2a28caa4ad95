//! The money ledger (append-only, enforced by triggers) and idempotency keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, integer, integer_null, string, string_len, string_null, text, text_null,
    timestamp_with_time_zone, uuid, uuid_null,
};
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const APPEND_ONLY_SQLITE: [&str; 2] = [
    "CREATE TRIGGER IF NOT EXISTS ledger_entry_no_update BEFORE UPDATE ON ledger_entry \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: add a correction instead'); END",
    "CREATE TRIGGER IF NOT EXISTS ledger_entry_no_delete BEFORE DELETE ON ledger_entry \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: add a correction instead'); END",
];

const APPEND_ONLY_POSTGRES: [&str; 2] = [
    "CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'ledger entries are append-only: add a correction instead'; END $$",
    "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry \
     FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("ledger_entry")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(uuid("group_id"))
                    .col(integer("campaign_year"))
                    // The group's municipality when the entry was made (totals per place).
                    .col(string_len("municipality_nis", 5))
                    .col(string("kind"))
                    .col(uuid_null("product_id"))
                    .col(string_null("product_code"))
                    .col(integer_null("quantity"))
                    .col(big_integer_null("unit_price_cents"))
                    .col(big_integer("amount_cents"))
                    .col(string("payment_method"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(uuid_null("activity_id"))
                    .col(text_null("note"))
                    // A correction reverses exactly one entry, and an entry is reversed at most once.
                    .col(uuid_null("corrects_id").unique_key())
                    .col(string_null("client_id"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(Expr::cust("kind IN ('sale', 'activity_income', 'donation', 'correction')"))
                    .check(Expr::cust("payment_method IN ('cash', 'card', 'transfer', 'payconiq')"))
                    .check(Expr::cust("(kind = 'correction') = (corrects_id IS NOT NULL)"))
                    .check(Expr::cust(
                        "kind <> 'sale' OR (product_id IS NOT NULL AND quantity > 0 AND amount_cents = unit_price_cents * quantity)",
                    ))
                    .check(Expr::cust("kind = 'correction' OR amount_cents > 0"))
                    .foreign_key(ForeignKey::create().name("ledger_entry_group_fkey").from("ledger_entry", "group_id").to("volunteer_group", "id"))
                    .foreign_key(ForeignKey::create().name("ledger_entry_campaign_fkey").from("ledger_entry", "campaign_year").to("campaign", "year"))
                    .foreign_key(ForeignKey::create().name("ledger_entry_product_fkey").from("ledger_entry", "product_id").to("product", "id"))
                    .foreign_key(ForeignKey::create().name("ledger_entry_activity_fkey").from("ledger_entry", "activity_id").to("activity", "id"))
                    .foreign_key(ForeignKey::create().name("ledger_entry_corrects_fkey").from("ledger_entry", "corrects_id").to("ledger_entry", "id"))
                    .to_owned(),
            )
            .await?;
        // Offline batches: a client id counts once per group, whatever the retries.
        manager
            .create_index(
                Index::create()
                    .name("ledger_entry_client_key")
                    .table("ledger_entry")
                    .col("group_id")
                    .col("client_id")
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ledger_entry_group_idx", ["group_id", "occurred_at"]),
            ("ledger_entry_campaign_idx", ["campaign_year", "occurred_at"]),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("ledger_entry")
                        .col(cols[0])
                        .col(cols[1])
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => APPEND_ONLY_POSTGRES,
            _ => APPEND_ONLY_SQLITE,
        };
        for statement in triggers {
            manager.get_connection().execute_unprepared(statement).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("idempotency_key")
                    .if_not_exists()
                    .col(uuid("user_id"))
                    .col(string("key"))
                    // What the key was first used for: method, path and a hash of the body.
                    .col(string("fingerprint"))
                    .col(integer("response_status"))
                    .col(text("response_body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .primary_key(Index::create().col("user_id").col("key"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_key_expiry_idx")
                    .table("idempotency_key")
                    .col("expires_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["idempotency_key", "ledger_entry"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

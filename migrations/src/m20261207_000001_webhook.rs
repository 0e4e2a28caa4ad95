//! Webhooks: endpoints registered by staff, the events each hears of, and an outbox of
//! deliveries written in the transaction of the change they announce, sent by a background
//! worker with retries (a delivery row is the event for one endpoint, with its attempts so far).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, boolean, integer, integer_null, string, text, text_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null, uuid, uuid_null,
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
                    .table("webhook_endpoint")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(text("url"))
                    .col(text_null("description"))
                    // `whsec_` and the base64 of the key; shown once, at creation.
                    .col(string("secret"))
                    .col(boolean("enabled"))
                    // Since when no delivery has succeeded (none failing: NULL), and the last
                    // failure: a streak with a gap longer than the retry window starts anew.
                    .col(timestamp_with_time_zone_null("failing_since"))
                    .col(timestamp_with_time_zone_null("last_failed_at"))
                    .col(timestamp_with_time_zone_null("disabled_at"))
                    .col(text_null("disabled_reason"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_subscription")
                    .if_not_exists()
                    .col(uuid("endpoint_id"))
                    .col(string("event_type"))
                    .primary_key(Index::create().col("endpoint_id").col("event_type"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_subscription_endpoint_fkey")
                            .from("webhook_subscription", "endpoint_id")
                            .to("webhook_endpoint", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_subscription_event_idx")
                    .table("webhook_subscription")
                    .col("event_type")
                    .col("endpoint_id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_delivery")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(uuid("endpoint_id"))
                    // The `webhook-id` receivers dedupe on: the same for every endpoint and attempt.
                    .col(uuid("event_id"))
                    .col(string("event_type"))
                    .col(text("payload"))
                    .col(timestamp_with_time_zone("created_at"))
                    // Retries go on for 24 hours from here: the creation, or the last replay.
                    .col(timestamp_with_time_zone("retry_from"))
                    // pending → succeeded | failed (given up after the retry window).
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    // Claimed by a worker until then; an attempt cut short by a crash is made
                    // again once it has passed.
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(timestamp_with_time_zone_null("last_attempt_at"))
                    .col(integer_null("last_status_code"))
                    .col(big_integer("last_duration_ms").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .check(Expr::cust("status IN ('pending', 'succeeded', 'failed')"))
                    .check(Expr::cust("(status = 'pending') = (next_attempt_at IS NOT NULL)"))
                    // No foreign key to the endpoint on purpose: a sale's transaction writes its
                    // deliveries, and staff deleting an endpoint at that moment must never make the
                    // sale fail. Deleting an endpoint deletes its deliveries; a delivery written by
                    // a racing sale is never claimed (the worker joins the endpoint).
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("webhook_delivery_due_idx", &["status", "next_attempt_at"][..]),
            ("webhook_delivery_endpoint_idx", &["endpoint_id", "id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("webhook_delivery").if_not_exists();
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_delivery", "webhook_subscription", "webhook_endpoint"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

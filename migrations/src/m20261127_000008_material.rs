//! Materials, their stock, and the requests of municipalities.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, date, integer, string, string_len, string_null, text, text_null, timestamp_with_time_zone, uuid,
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
                    .table("material")
                    .if_not_exists()
                    .col(string("code").primary_key())
                    .col(string("name"))
                    // Lent materials (the exhibition kit) come back; given ones (posters) do not.
                    .col(boolean("lent"))
                    .col(integer("stock_on_hand"))
                    .col(integer("reserved"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    // The backstop of "no oversell, ever": the conditional updates come first.
                    .check(Expr::cust("stock_on_hand >= 0"))
                    .check(Expr::cust("reserved >= 0"))
                    .check(Expr::cust("reserved <= stock_on_hand"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("material_request")
                    .if_not_exists()
                    .col(uuid("id").primary_key())
                    .col(string_len("municipality_nis", 5))
                    .col(uuid("requested_by"))
                    .col(string("status"))
                    .col(date("needed_by"))
                    .col(text("delivery_address"))
                    .col(text_null("note"))
                    .col(string_null("rejection_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust(
                        "status IN ('submitted', 'approved', 'rejected', 'shipped', 'delivered', 'returned', 'cancelled')",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("material_request_municipality_fkey")
                            .from("material_request", "municipality_nis")
                            .to("municipality", "nis_code"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("material_request_queue_idx")
                    .table("material_request")
                    .col("status")
                    .col("needed_by")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("material_request_municipality_idx")
                    .table("material_request")
                    .col("municipality_nis")
                    .col("needed_by")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("material_request_line")
                    .if_not_exists()
                    .col(uuid("request_id"))
                    .col(string("material_code"))
                    .col(integer("quantity"))
                    .primary_key(Index::create().col("request_id").col("material_code"))
                    .check(Expr::cust("quantity BETWEEN 1 AND 1000"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("material_request_line_request_fkey")
                            .from("material_request_line", "request_id")
                            .to("material_request", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("material_request_line_material_fkey")
                            .from("material_request_line", "material_code")
                            .to("material", "code"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["material_request_line", "material_request", "material"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

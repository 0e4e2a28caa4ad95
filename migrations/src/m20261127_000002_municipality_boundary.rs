//! Municipal boundaries, imported from GeoJSON by `campaign import-boundaries`; not shipped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone};

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
                    .table("municipality_boundary")
                    .if_not_exists()
                    .col(string_len("nis_code", 5).primary_key())
                    // A GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude.
                    .col(text("geometry"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("municipality_boundary_nis_code_fkey")
                            .from("municipality_boundary", "nis_code")
                            .to("municipality", "nis_code")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("municipality_boundary").to_owned())
            .await
    }
}

//! The member organisations' offer to local governments, and the inquiries about it.
//!
//! - `offer_theme`: the managed list of themes (seeded; staff add more).
//! - `offer`: title, description, cost note, link, whether it is still offered. Its formats,
//!   themes, audiences and provinces are rows of `offer_facet` (a set per kind), indexed by value
//!   for the filters.
//! - Full text over title and description: on PostgreSQL a stored `tsvector` with the Dutch
//!   configuration and a GIN index; on SQLite an FTS5 table kept by triggers.
//! - `inquiry` and `inquiry_message`: a municipality's question about an offer, as a thread.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, integer_null, string, string_len, string_null, text, timestamp_with_time_zone, uuid, uuid_null,
};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

const THEMES: [(&str, &str); 10] = [
    ("water", "Water"),
    ("climate", "Klimaat"),
    ("fair-trade", "Eerlijke handel"),
    ("migration", "Migratie"),
    ("youth-participation", "Kinder- en jongerenparticipatie"),
    ("sdgs-in-schools", "SDG's op school"),
    ("economy", "Economie"),
    ("middle-east", "Midden-Oosten"),
    ("food", "Voeding en landbouw"),
    ("health", "Gezondheid"),
];

const POSTGRES_SEARCH: &[&str] = &[
    "ALTER TABLE offer ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('dutch', title), 'A') || setweight(to_tsvector('dutch', description), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS offer_search_idx ON offer USING GIN (search)",
];

const SQLITE_SEARCH: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS offer_fts USING fts5(\
     offer_id UNINDEXED, title, description, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS offer_fts_insert AFTER INSERT ON offer BEGIN \
     INSERT INTO offer_fts (offer_id, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS offer_fts_update AFTER UPDATE OF title, description ON offer BEGIN \
     DELETE FROM offer_fts WHERE offer_id = old.id; \
     INSERT INTO offer_fts (offer_id, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS offer_fts_delete AFTER DELETE ON offer BEGIN \
     DELETE FROM offer_fts WHERE offer_id = old.id; END",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        offers(manager).await?;
        inquiries(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS offer_fts")
                .await?;
        }
        for table in ["inquiry_message", "inquiry", "offer_facet", "offer", "offer_theme"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn offers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("offer_theme")
                .if_not_exists()
                .col(string("code").primary_key())
                .col(string("name"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
    let mut insert = Query::insert();
    insert.into_table("offer_theme").columns(["code", "name", "created_at"]);
    for (code, name) in THEMES {
        insert
            .values([code.into(), name.into(), Expr::current_timestamp()])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
    }
    insert.on_conflict(OnConflict::column("code").do_nothing().to_owned());
    manager.exec_stmt(insert).await?;

    manager
        .create_table(
            Table::create()
                .table("offer")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("organisation_id"))
                .col(string("title"))
                .col(text("description"))
                .col(string_null("cost_note"))
                .col(string_null("link"))
                // Withdrawn offers stay for the inquiries about them but leave the public list.
                .col(boolean("active"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("offer_organisation_fkey")
                        .from("offer", "organisation_id")
                        .to("member_organisation", "id"),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("offer_organisation_idx")
                .table("offer")
                .col("organisation_id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table("offer_facet")
                .if_not_exists()
                .col(uuid("offer_id"))
                // format, theme, audience or province
                .col(string("facet"))
                .col(string("value"))
                .primary_key(Index::create().col("offer_id").col("facet").col("value"))
                .check(Expr::cust("facet IN ('format', 'theme', 'audience', 'province')"))
                .foreign_key(
                    ForeignKey::create()
                        .name("offer_facet_offer_fkey")
                        .from("offer_facet", "offer_id")
                        .to("offer", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("offer_facet_value_idx")
                .table("offer_facet")
                .col("facet")
                .col("value")
                .col("offer_id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
    let search = match manager.get_database_backend() {
        DbBackend::Postgres => POSTGRES_SEARCH,
        _ => SQLITE_SEARCH,
    };
    for sql in search {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

async fn inquiries(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("inquiry")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("offer_id"))
                // The offer's organisation, kept here for the organisation's inbox.
                .col(uuid("organisation_id"))
                .col(string_len("municipality_nis", 5))
                .col(uuid_null("asked_by"))
                .col(string("status"))
                .col(string_null("preferred_period"))
                .col(integer_null("audience_size"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .check(Expr::cust(
                    "status IN ('sent', 'answered', 'agreed', 'declined', 'closed')",
                ))
                .check(Expr::cust(
                    "audience_size IS NULL OR audience_size BETWEEN 1 AND 100000",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("inquiry_offer_fkey")
                        .from("inquiry", "offer_id")
                        .to("offer", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("inquiry_organisation_fkey")
                        .from("inquiry", "organisation_id")
                        .to("member_organisation", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("inquiry_municipality_fkey")
                        .from("inquiry", "municipality_nis")
                        .to("municipality", "nis_code"),
                )
                .to_owned(),
        )
        .await?;
    for (name, col) in [
        ("inquiry_organisation_idx", "organisation_id"),
        ("inquiry_municipality_idx", "municipality_nis"),
        ("inquiry_offer_idx", "offer_id"),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table("inquiry")
                    .col(col)
                    .col("created_at")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
    }
    manager
        .create_table(
            Table::create()
                .table("inquiry_message")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("inquiry_id"))
                .col(uuid_null("author"))
                .col(string("side"))
                .col(text("text"))
                .col(timestamp_with_time_zone("created_at"))
                .check(Expr::cust("side IN ('municipality', 'organisation', 'staff')"))
                .foreign_key(
                    ForeignKey::create()
                        .name("inquiry_message_inquiry_fkey")
                        .from("inquiry_message", "inquiry_id")
                        .to("inquiry", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("inquiry_message_thread_idx")
                .table("inquiry_message")
                .col("inquiry_id")
                .col("created_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
}

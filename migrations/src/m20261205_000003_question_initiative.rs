//! The 4th pillar's helpdesk: initiatives ask questions too (`question.initiative_id`, on the
//! topic `fourth_pillar`), and staff assign a question to one of them for individual guidance
//! (`question.assigned_to`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let uuid = match manager.get_database_backend() {
            DbBackend::Postgres => "uuid",
            _ => "uuid_text",
        };
        let db = manager.get_connection();
        for sql in [
            format!("ALTER TABLE question ADD COLUMN initiative_id {uuid} NULL REFERENCES initiative (id)"),
            format!("ALTER TABLE question ADD COLUMN assigned_to {uuid} NULL REFERENCES app_user (id)"),
            "CREATE INDEX IF NOT EXISTS question_initiative_idx ON question (initiative_id, created_at)".to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the helpdesk's columns cannot be migrated down; restore a backup instead".to_owned(),
        ))
    }
}

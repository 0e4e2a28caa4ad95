//! Accounts for member organisations: the `member_org` role, scoped to one organisation by
//! `app_user.member_org_id`, with the same checks as the other roles (the role is one of the
//! known ones; a `member_org` account has an organisation and no other account has one).
//!
//! PostgreSQL changes the constraints in place. SQLite cannot alter a CHECK constraint: the
//! table's definition is rewritten in `sqlite_schema` instead, the procedure SQLite documents
//! for constraint changes that every stored row already satisfies (lang_altertable.html, "making
//! other kinds of table schema changes"): no row has the new role or an organisation yet.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::sqlite_schema;

const OLD_ROLES: &str = "role IN ('staff', 'volunteer', 'municipal_contact')";
const NEW_ROLES: &str = "role IN ('staff', 'volunteer', 'municipal_contact', 'member_org')";
const MEMBER_ORG_CHECK: &str = "(role = 'member_org') = (member_org_id IS NOT NULL)";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for sql in [
                    "ALTER TABLE app_user ADD COLUMN member_org_id uuid NULL \
                     CONSTRAINT app_user_member_org_fkey REFERENCES member_organisation (id)"
                        .to_owned(),
                    "ALTER TABLE app_user DROP CONSTRAINT app_user_role_check".to_owned(),
                    format!("ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK ({NEW_ROLES})"),
                    format!("ALTER TABLE app_user ADD CONSTRAINT app_user_member_org_check CHECK ({MEMBER_ORG_CHECK})"),
                ] {
                    db.execute_unprepared(&sql).await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE app_user ADD COLUMN member_org_id uuid_text NULL \
                     REFERENCES member_organisation (id)",
                )
                .await?;
                sqlite_schema::rewrite_table(db, "app_user", |sql| {
                    let replaced = sql.replacen(OLD_ROLES, NEW_ROLES, 1);
                    if replaced == sql {
                        return None;
                    }
                    let end = replaced.rfind(')')?;
                    Some(format!("{}, CHECK ({MEMBER_ORG_CHECK}))", &replaced[..end]))
                })
                .await?;
            }
        }
        db.execute_raw(Statement::from_string(
            manager.get_database_backend(),
            "CREATE INDEX IF NOT EXISTS app_user_member_org_idx ON app_user (member_org_id)",
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "member_org accounts cannot be migrated down; restore a backup instead".to_owned(),
        ))
    }
}

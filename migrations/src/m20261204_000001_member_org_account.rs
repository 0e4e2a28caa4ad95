//! Accounts for member organisations: the `member_org` role, scoped to one organisation by
//! `app_user.member_org_id`, with the same checks as the other roles (the role is one of the
//! known ones; a `member_org` account has an organisation and no other account has one).
//!
//! How: `scoped_role` (in place on PostgreSQL, by the documented rewrite on SQLite).

use sea_orm_migration::prelude::*;

use crate::scoped_role::{self, ScopedRole};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        scoped_role::add(
            manager,
            ScopedRole {
                role: "member_org",
                column: "member_org_id",
                references: "member_organisation",
                roles_before: &["staff", "volunteer", "municipal_contact"],
            },
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "member_org accounts cannot be migrated down; restore a backup instead".to_owned(),
        ))
    }
}

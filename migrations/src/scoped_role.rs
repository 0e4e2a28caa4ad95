//! Adding a role with a scope of its own to `app_user`: a column naming what the account belongs
//! to (a foreign key), the role in the list of allowed roles, and the check that exactly the
//! accounts of that role have the column set. In place on PostgreSQL; on SQLite by rewriting the
//! table's definition (`sqlite_schema`), which is safe because no stored row has the new role or
//! the new column yet.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::sqlite_schema;

/// What a new scoped role adds.
pub struct ScopedRole<'a> {
    /// E.g. `member_org`.
    pub role: &'a str,
    /// E.g. `member_org_id`.
    pub column: &'a str,
    /// The table the column refers to (by its `id`).
    pub references: &'a str,
    /// The roles allowed before, in the order the check lists them.
    pub roles_before: &'a [&'a str],
}

fn role_check(roles: &[&str]) -> String {
    let quoted: Vec<String> = roles.iter().map(|r| format!("'{r}'")).collect();
    format!("role IN ({})", quoted.join(", "))
}

pub async fn add(manager: &SchemaManager<'_>, new: ScopedRole<'_>) -> Result<(), DbErr> {
    let ScopedRole {
        role,
        column,
        references,
        roles_before,
    } = new;
    let old_roles = role_check(roles_before);
    let mut all = roles_before.to_vec();
    all.push(role);
    let new_roles = role_check(&all);
    let scope_check = format!("(role = '{role}') = ({column} IS NOT NULL)");
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            for sql in [
                format!(
                    "ALTER TABLE app_user ADD COLUMN {column} uuid NULL \
                     CONSTRAINT app_user_{role}_fkey REFERENCES {references} (id)"
                ),
                "ALTER TABLE app_user DROP CONSTRAINT app_user_role_check".to_owned(),
                format!("ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK ({new_roles})"),
                format!("ALTER TABLE app_user ADD CONSTRAINT app_user_{role}_check CHECK ({scope_check})"),
            ] {
                db.execute_unprepared(&sql).await?;
            }
        }
        _ => {
            db.execute_unprepared(&format!(
                "ALTER TABLE app_user ADD COLUMN {column} uuid_text NULL REFERENCES {references} (id)"
            ))
            .await?;
            sqlite_schema::rewrite_table(db, "app_user", |sql| {
                let replaced = sql.replacen(&old_roles, &new_roles, 1);
                if replaced == sql {
                    return None;
                }
                let end = replaced.rfind(')')?;
                Some(format!("{}, CHECK ({scope_check}))", &replaced[..end]))
            })
            .await?;
        }
    }
    db.execute_unprepared(&format!(
        "CREATE INDEX IF NOT EXISTS app_user_{role}_idx ON app_user ({column})"
    ))
    .await?;
    Ok(())
}

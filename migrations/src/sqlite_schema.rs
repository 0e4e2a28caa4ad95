//! SQLite cannot change a table's CHECK constraints with ALTER TABLE. For a change that every
//! stored row already satisfies (a wider list of allowed values, a check on a column that is
//! still NULL everywhere), SQLite documents rewriting the table's definition in `sqlite_schema`
//! inside a transaction and bumping `schema_version` (https://sqlite.org/lang_altertable.html,
//! "making other kinds of table schema changes"). `PRAGMA quick_check` afterwards makes sure
//! the rewritten definition parses and the file is sound before the transaction commits.

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Replaces the `CREATE TABLE` text of `table` with what `change` makes of it; `None` from
/// `change` means the text is not as expected, and the migration fails without changing anything.
pub async fn rewrite_table(
    db: &impl ConnectionTrait,
    table: &str,
    change: impl FnOnce(&str) -> Option<String>,
) -> Result<(), DbErr> {
    let read = |sql: &str, values: Vec<sea_orm_migration::sea_orm::Value>| {
        Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
    };
    let row = db
        .query_one_raw(read(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
            vec![table.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("there is no table {table}")))?;
    let sql: String = row.try_get("", "sql")?;
    let new_sql = change(&sql)
        .ok_or_else(|| DbErr::Migration(format!("the definition of {table} is not the expected one: {sql}")))?;
    let version: i64 = db
        .query_one_raw(read("PRAGMA schema_version", vec![]))
        .await?
        .ok_or_else(|| DbErr::Migration("no schema_version".to_owned()))?
        .try_get_by_index(0)?;
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    let updated = db
        .execute_raw(read(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
            vec![new_sql.into(), table.into()],
        ))
        .await;
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF").await?;
    updated?;
    let check: String = db
        .query_one_raw(read("PRAGMA quick_check", vec![]))
        .await?
        .ok_or_else(|| DbErr::Migration("PRAGMA quick_check answered nothing".to_owned()))?
        .try_get_by_index(0)?;
    if check != "ok" {
        return Err(DbErr::Migration(format!(
            "after rewriting {table}, PRAGMA quick_check says: {check}"
        )));
    }
    Ok(())
}

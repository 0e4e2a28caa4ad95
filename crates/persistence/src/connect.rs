//! Opening the pool for SQLite or PostgreSQL (chosen by the URL) and running migrations.

use std::time::Duration;

use campaign_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, TransactionTrait};

/// Which database engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Opens a pool (connections idle for 30 s are pinged before use). SQLite gets WAL, `synchronous = NORMAL` (an acknowledged write survives a
/// process crash), foreign keys and a busy timeout on every pooled connection.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(DbErr::Custom(
            "DATABASE_URL must start with sqlite: (e.g. sqlite://campaign.db?mode=rwc) or postgres://".to_owned(),
        ));
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // A connection is pinged before use only after sitting idle (a restarted database is
        // noticed then); under load that ping would be one more round trip per query or
        // transaction.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        });
    Database::connect(options).await
}

/// Brings the schema up to date and seeds the programmes 11.11.11 runs where missing. Running it
/// again is harmless. On PostgreSQL an advisory lock
/// makes replicas that start together take turns.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let lock = db.begin().await?;
            lock.execute_unprepared("SELECT pg_advisory_xact_lock(7260001)").await?;
            let mut result = Migrator::up(db, None).await;
            if result.is_ok() {
                result = crate::programmes::seed_missing(db).await;
            }
            lock.commit().await?;
            result
        }
        // Holding a transaction here would deadlock a one-connection SQLite pool.
        _ => {
            Migrator::up(db, None).await?;
            crate::programmes::seed_missing(db).await
        }
    }
}

/// (connections open, of which idle) in the pool, for metrics.
pub fn pool_usage(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX))
        }
    }
}

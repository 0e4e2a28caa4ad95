//! Write transactions. SQLite lets one writer in at a time; writers that collide back off on
//! `SQLITE_BUSY` with growing sleeps (p99 of 632 ms with 32 writers on 2026-11-30). So on SQLite
//! every write transaction first takes an in-process gate of its database file, and writers
//! queue on it in arrival order (a fair tokio mutex) while reads keep the whole pool. PostgreSQL
//! needs no gate: its row locks let writers of different groups run side by side.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex as StdMutex};
use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a write waits for its turn before it gives up (the busy timeout it replaces).
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

/// One gate per SQLite database file of this process.
static GATES: LazyLock<StdMutex<HashMap<PathBuf, Arc<Mutex<()>>>>> = LazyLock::new(Default::default);

fn gate_of(db: &DatabaseConnection) -> Option<Arc<Mutex<()>>> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    // A poisoned map still holds valid gates: a panic cannot leave it half-changed.
    let mut gates = GATES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Some(gates.entry(file).or_default().clone())
}

/// A transaction that will write; on SQLite it holds its database's gate until it ends.
pub(crate) struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

/// Begins a transaction that will write. On SQLite it waits for its turn at the gate, then takes
/// the write lock at once (IMMEDIATE), so a transaction that reads before it writes cannot fail
/// with "database is locked" halfway.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = match gate_of(db) {
        Some(gate) => Some(
            tokio::time::timeout(WAIT_AT_MOST, gate.lock_owned())
                .await
                .map_err(|_| DbErr::Custom("the database is busy with other writes; try again".to_owned()))?,
        ),
        None => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}

//! The count of changes heard of, for the copies of stored data a server keeps in memory (price
//! lists and campaign days, accounts and groups): a copy made at the current count is current.
//! A change made by this process bumps it at once; on PostgreSQL every change is also announced
//! on one channel (delivered at commit) and every server process bumps its count when it hears
//! it, and when it loses or regains the channel (a change may have been missed meanwhile): one
//! listening connection for all copies. On SQLite one process serves the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use crate::StoreError;

/// The PostgreSQL channel on which campaign, product, account and group changes announce
/// themselves.
pub const CHANNEL: &str = "campaign_copies";

#[derive(Clone, Default)]
pub struct Changes(Arc<AtomicU64>);

impl Changes {
    /// The changes heard of so far.
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// A change: every copy made before it is stale.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// On PostgreSQL, bumps the count on every change announced by any server process, for as
    /// long as this count (or a clone of it) is used.
    pub fn listen(&self, db: &DatabaseConnection) {
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let count = Arc::downgrade(&self.0);
        let alive = count.clone();
        let bump = move || {
            if let Some(count) = count.upgrade() {
                count.fetch_add(1, Ordering::SeqCst);
            }
        };
        tokio::spawn(crate::notifications::listen(
            db.clone(),
            CHANNEL,
            move |_| bump(),
            move || alive.strong_count() > 0,
        ));
    }
}

/// On PostgreSQL, announces a change to every server process (at commit).
pub(crate) async fn announce(txn: &impl ConnectionTrait) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '')"))
            .await?;
    }
    Ok(())
}

//! Live totals: which campaign's totals just changed. On PostgreSQL every committed ledger write
//! sends a NOTIFY, and each server process LISTENs and fans it out to its streams, so replicas
//! behind a load balancer all stream the same totals. On SQLite (one process) the API announces
//! its own writes.

use campaign_persistence::{Backend, DatabaseConnection};
use tokio::sync::broadcast;

/// The feed of campaign years whose totals changed.
#[derive(Clone)]
pub struct TotalsFeed {
    sender: broadcast::Sender<i32>,
    /// SQLite: the process announces its own writes.
    in_process: bool,
}

impl TotalsFeed {
    /// Starts the feed; on PostgreSQL also the listener task.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(256);
        let in_process = Backend::of(db) == Backend::Sqlite;
        if !in_process {
            tokio::spawn(listen(db.clone(), sender.clone()));
        }
        Self { sender, in_process }
    }

    /// A feed that only carries what this process announces (SQLite; tests).
    pub fn in_process() -> Self {
        let (sender, _) = broadcast::channel(256);
        Self {
            sender,
            in_process: true,
        }
    }

    /// Called after a committed ledger write of `campaign_year`.
    pub fn changed(&self, campaign_year: i32) {
        if self.in_process {
            let _ = self.sender.send(campaign_year);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i32> {
        self.sender.subscribe()
    }
}

/// Forwards PostgreSQL notifications to the feed while anything could still listen.
async fn listen(db: DatabaseConnection, sender: broadcast::Sender<i32>) {
    // Weak: once the application (and its feed) is gone, the listener stops.
    let (weak, alive) = (sender.downgrade(), sender.downgrade());
    drop(sender);
    let on_change = move |year| {
        if let Some(sender) = weak.upgrade() {
            let _ = sender.send(year);
        }
    };
    campaign_persistence::totals::listen_for_changes(db, on_change, move || alive.upgrade().is_some()).await;
}

//! Who a request comes from and which group it names, held in memory: the account behind an
//! access token and the group of a path are read once, then again only after an account or a
//! group changed (`invalidate` by the API after its own change; on PostgreSQL every change is
//! also announced, and every server process drops its copies when it hears it or loses the
//! channel: `crate::changes`), and at the latest after `KEEP_FOR` (a change made around the
//! server, by hand in the database, shows within it). Without it every request read its account
//! and a sale its group: two of a sale's round trips, each with the pool's ping when the
//! connection went back.
//!
//! Storing an entry on a kept copy is safe: the entry's statement checks again, in the database
//! and under a share lock, that its group is active.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::user::Membership;
use sea_orm::DatabaseConnection;

use crate::StoreError;
use crate::changes::Changes;
use crate::groups::{Group, GroupRepo};
use crate::users::UserRepo;

/// How long a copy is used at most.
const KEEP_FOR: Duration = Duration::from_secs(10);

/// Copies kept per kind at most; beyond, all are dropped and read again as needed.
const MOST_KEPT: usize = 100_000;

/// What a request needs of the account behind its token.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: UserId,
    pub membership: Membership,
    pub active: bool,
}

/// A copy, with the count of changes it was read at and when.
struct Kept<T> {
    changes: u64,
    read_at: Instant,
    value: T,
}

type Copies<K, V> = Arc<RwLock<HashMap<K, Kept<V>>>>;

#[derive(Clone)]
pub struct Directory {
    users: UserRepo,
    groups: GroupRepo,
    changes: Changes,
    kept_accounts: Copies<UserId, Account>,
    kept_groups: Copies<GroupId, Group>,
}

impl Directory {
    /// A directory whose copies are kept while `changes` (shared with the other copies, and
    /// listened to by the caller) counts none.
    pub fn new(db: DatabaseConnection, changes: Changes) -> Self {
        Self {
            users: UserRepo::new(db.clone()),
            groups: GroupRepo::new(db),
            changes,
            kept_accounts: Arc::default(),
            kept_groups: Arc::default(),
        }
    }

    /// Drops every copy: the next requests read their accounts and groups again.
    pub fn invalidate(&self) {
        self.changes.bump();
    }

    /// The account `id`, `None` if there is none.
    pub async fn account(&self, id: UserId) -> Result<Option<Account>, StoreError> {
        self.kept(&self.kept_accounts, id, async {
            Ok(self.users.get(id).await?.map(|user| Account {
                id: user.id,
                membership: user.membership,
                active: user.active,
            }))
        })
        .await
    }

    /// The group `id`, `None` if there is none.
    pub async fn group(&self, id: GroupId) -> Result<Option<Group>, StoreError> {
        self.kept(&self.kept_groups, id, self.groups.get(id)).await
    }

    /// The copy of `key` while it is current, else what `read` gives (kept if found; an absent
    /// one is not kept, so a new account or group is seen at once).
    async fn kept<K: Eq + Hash, V: Clone>(
        &self,
        copies: &Copies<K, V>,
        key: K,
        read: impl Future<Output = Result<Option<V>, StoreError>>,
    ) -> Result<Option<V>, StoreError> {
        let changes = self.changes.count();
        if let Ok(kept) = copies.read()
            && let Some(copy) = kept.get(&key)
            && copy.changes == changes
            && copy.read_at.elapsed() < KEEP_FOR
        {
            return Ok(Some(copy.value.clone()));
        }
        let read_at = Instant::now();
        let value = read.await?;
        if let Some(value) = &value
            && let Ok(mut kept) = copies.write()
        {
            if kept.len() >= MOST_KEPT {
                kept.clear();
            }
            // Kept under the count seen before reading: a change during the read makes the
            // next request read again.
            kept.insert(
                key,
                Kept {
                    changes,
                    read_at,
                    value: value.clone(),
                },
            );
        }
        Ok(value)
    }
}

//! Every campaign's days and price list, held in memory: read once, then again only after a
//! campaign or product changed. The API drops the copy after its own change (`invalidate`); on
//! PostgreSQL every change is also announced on `campaign_prices` (delivered at commit, by
//! `CampaignRepo`) and every server process drops its copy when it hears it, or when it lost the
//! channel for a while. (On SQLite one process serves the database.)
//!
//! Checking an entry against a copy is safe: a sale's campaign days are checked again inside its
//! transaction (`LedgerRepo::create` stores it only if the campaign, read under a share lock in
//! the same statement, still covers its day), and a product, once added, never changes its price.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use campaign_domain::entry_check::{PriceList, PricedProduct};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};

use crate::StoreError;
use crate::entities::{campaign, product};

/// The PostgreSQL channel on which campaign and product writes announce themselves.
pub const CHANNEL: &str = "campaign_prices";

/// On PostgreSQL, announces a campaign or product change to every server process (at commit).
pub(crate) async fn announce(txn: &impl ConnectionTrait) -> Result<(), StoreError> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '')"))
            .await?;
    }
    Ok(())
}

/// A copy of the price lists and the generation it was made at.
type Copy = Option<(u64, Arc<PriceList>)>;

/// The price lists of one database, with the copy in memory.
#[derive(Clone)]
pub struct PriceLists {
    db: DatabaseConnection,
    /// Bumped by every change heard of; the copy is good while it was made at the current count.
    generation: Arc<AtomicU64>,
    copy: Arc<RwLock<Copy>>,
}

impl PriceLists {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            generation: Arc::new(AtomicU64::new(0)),
            copy: Arc::new(RwLock::new(None)),
        }
    }

    /// Drops the copy: the next request reads the price lists again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// On PostgreSQL, starts listening for changes made by other server processes, for as long
    /// as these price lists (or a clone of them) live.
    pub fn listen(&self) {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return;
        }
        let alive = Arc::downgrade(&self.copy);
        let generation = Arc::downgrade(&self.generation);
        let invalidate = move || {
            if let Some(g) = generation.upgrade() {
                g.fetch_add(1, Ordering::SeqCst);
            }
        };
        // Every notification drops the copy, and so does losing the channel or listening again
        // (a change may have been missed meanwhile).
        tokio::spawn(crate::notifications::listen(
            self.db.clone(),
            CHANNEL,
            move |_| invalidate(),
            move || alive.upgrade().is_some(),
        ));
    }

    /// The price lists as they are now: the copy in memory, or read (two queries) when a change
    /// was heard since it was made.
    pub async fn current(&self) -> Result<Arc<PriceList>, StoreError> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Ok(copy) = self.copy.read()
            && let Some((made_at, list)) = copy.as_ref()
            && *made_at == generation
        {
            return Ok(list.clone());
        }
        let list = Arc::new(self.read().await?);
        // Kept under the generation seen before reading: a change during the read makes the
        // next request read again.
        if let Ok(mut copy) = self.copy.write() {
            *copy = Some((generation, list.clone()));
        }
        Ok(list)
    }

    async fn read(&self) -> Result<PriceList, StoreError> {
        let campaigns = campaign::Entity::find()
            .order_by_desc(campaign::Column::Year)
            .all(&self.db)
            .await?;
        let products = product::Entity::find().all(&self.db).await?;
        Ok(PriceList::new(
            campaigns.into_iter().map(|row| {
                let campaign = crate::campaigns::to_campaign(row);
                (campaign.year, campaign.plan)
            }),
            products.into_iter().map(|p| {
                (
                    p.campaign_year,
                    PricedProduct {
                        id: p.id,
                        code: p.code,
                        unit_price_cents: p.unit_price_cents,
                    },
                )
            }),
        ))
    }
}

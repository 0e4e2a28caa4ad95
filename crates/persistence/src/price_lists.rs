//! Every campaign's days and price list, held in memory: read once, then again only after a
//! campaign or product changed. The API drops the copy after its own change (`invalidate`); on
//! PostgreSQL every change is also announced (delivered at commit, by `CampaignRepo`) and every
//! server process drops its copy when it hears it, or when it lost the channel for a while
//! (`crate::changes`). (On SQLite one process serves the database.)
//!
//! Checking an entry against a copy is safe: a sale's campaign days are checked again inside its
//! transaction (`LedgerRepo::create` stores it only if the campaign, read under a share lock in
//! the same statement, still covers its day), and a product, once added, never changes its price.

use std::sync::{Arc, RwLock};

use campaign_domain::entry_check::{PriceList, PricedProduct};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use crate::StoreError;
use crate::changes::Changes;
use crate::entities::{campaign, product};

/// A copy of the price lists and the generation it was made at.
type Copy = Option<(u64, Arc<PriceList>)>;

/// The price lists of one database, with the copy in memory.
#[derive(Clone)]
pub struct PriceLists {
    db: DatabaseConnection,
    /// The copy is good while it was made at the current count of changes.
    changes: Changes,
    copy: Arc<RwLock<Copy>>,
}

impl PriceLists {
    /// Price lists kept while `changes` (shared with the other copies, and listened to by the
    /// caller) counts none.
    pub fn new(db: DatabaseConnection, changes: Changes) -> Self {
        Self {
            db,
            changes,
            copy: Arc::new(RwLock::new(None)),
        }
    }

    /// Drops the copy: the next request reads the price lists again.
    pub fn invalidate(&self) {
        self.changes.bump();
    }

    /// The price lists as they are now: the copy in memory, or read (two queries) when a change
    /// was heard since it was made.
    pub async fn current(&self) -> Result<Arc<PriceList>, StoreError> {
        let generation = self.changes.count();
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

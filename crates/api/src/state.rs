//! What the running application holds: the database pool, settings and the boundary index.

use std::sync::Arc;

use campaign_domain::geo_index::MunicipalityIndex;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::changes::Changes;
use campaign_persistence::directory::Directory;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::price_lists::PriceLists;
use campaign_persistence::totals::TotalsRepo;

use crate::auth::AuthState;
use crate::config::HttpSettings;
use crate::live::TotalsFeed;
use crate::live_streams::LiveTotals;
use crate::metrics::Metrics;
use crate::webhook_delivery::WebhookSettings;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub http: HttpSettings,
    pub auth: Arc<AuthState>,
    /// Which campaign's totals just changed, for live streams.
    pub totals_feed: TotalsFeed,
    /// Live totals shared by every stream, and the count of open streams.
    pub live: LiveTotals,
    pub metrics: Arc<Metrics>,
    /// Point-to-municipality index; `None` until boundaries are imported.
    pub geo: Arc<Option<MunicipalityIndex>>,
    /// Every campaign's days and prices, held in memory until a campaign or product changes.
    pub prices: PriceLists,
    /// Accounts behind tokens and groups of paths, held in memory until they change.
    pub directory: Directory,
    /// How webhooks are sent (the defaults until the caller sets them).
    pub webhooks: WebhookSettings,
}

impl AppState {
    /// Loads the stored boundaries into the in-memory index.
    pub async fn load(db: DatabaseConnection, http: HttpSettings, auth: Arc<AuthState>) -> anyhow::Result<Self> {
        let started = std::time::Instant::now();
        let boundaries = MunicipalityRepo::new(db.clone()).boundaries().await?;
        let geo = if boundaries.is_empty() {
            tracing::warn!(
                "no municipal boundaries are loaded: point lookups answer 503 until `campaign import-boundaries` has run"
            );
            None
        } else {
            let index = tokio::task::spawn_blocking(move || MunicipalityIndex::new(boundaries)).await?;
            tracing::info!(
                municipalities = index.len(),
                duration_ms = started.elapsed().as_millis() as u64,
                "boundaries loaded"
            );
            Some(index)
        };
        let totals_feed = TotalsFeed::start(&db);
        let live = LiveTotals::new(totals_feed.clone(), TotalsRepo::new(db.clone()), http.live_streams);
        let metrics = Metrics::new()?;
        // One count of changes, and one listening connection, for every copy kept in memory.
        let changes = Changes::default();
        changes.listen(&db);
        let prices = PriceLists::new(db.clone(), changes.clone());
        let directory = Directory::new(db.clone(), changes);
        Ok(Self {
            db,
            http,
            auth,
            totals_feed,
            live,
            metrics,
            geo: Arc::new(geo),
            prices,
            directory,
            webhooks: WebhookSettings::default(),
        })
    }
}

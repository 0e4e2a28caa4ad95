//! Where the JWT secret comes from: `CAMPAIGN_JWT_SECRET`, or for development a random secret
//! generated once and kept in the database.

use anyhow::bail;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::settings::SettingsRepo;

use super::jwt::MIN_SECRET_BYTES;

const DEV_SECRET_KEY: &str = "dev_jwt_secret";

/// The secret to sign tokens with. A configured secret shorter than 32 bytes stops start-up.
pub async fn resolve_jwt_secret(configured: Option<String>, db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured.filter(|s| !s.is_empty()) {
        if secret.len() < MIN_SECRET_BYTES {
            bail!(
                "CAMPAIGN_JWT_SECRET is {} bytes long; it must be at least {MIN_SECRET_BYTES} (e.g. `openssl rand -base64 48`)",
                secret.len()
            );
        }
        return Ok(secret.into_bytes());
    }
    let mut bytes = [0u8; 48];
    OsRng.fill_bytes(&mut bytes);
    let stored = SettingsRepo::new(db.clone())
        .get_or_init(DEV_SECRET_KEY, STANDARD.encode(bytes))
        .await?;
    tracing::warn!(
        "CAMPAIGN_JWT_SECRET is not set: using a development secret kept in the database; set CAMPAIGN_JWT_SECRET in production"
    );
    Ok(stored.into_bytes())
}

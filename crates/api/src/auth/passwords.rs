//! Password hashing with argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane), off the
//! async threads and behind a semaphore, so a flood of logins cannot starve other requests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// How long a request waits for a free hashing slot before answering 503.
const WAIT_FOR_SLOT: Duration = Duration::from_secs(10);

pub struct Passwords {
    argon: Argon2<'static>,
    slots: Arc<Semaphore>,
    /// A hash of nothing in particular, verified for unknown e-mail addresses so that they take
    /// as long as a wrong password.
    dummy_hash: String,
}

/// Too many password checks are waiting.
#[derive(Debug, thiserror::Error)]
#[error("the server is busy checking passwords; try again in a few seconds")]
pub struct Busy;

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon
            .hash_password(b"no account has this password", &salt)
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
            .context("hashing the timing dummy")?
            .to_string();
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            argon,
            slots: Arc::new(Semaphore::new(slots)),
            dummy_hash,
        })
    }

    /// The PHC string of a new password.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _slot = self.slot().await?;
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("argon2: {e}"))
        })
        .await?
    }

    /// Whether `password` matches `stored`; with no stored hash, checks a dummy (and says no),
    /// so an unknown account costs the same time as a wrong password.
    pub async fn verify(&self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        let _slot = self.slot().await?;
        let argon = self.argon.clone();
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await?;
        Ok(known && matches)
    }

    async fn slot(&self) -> anyhow::Result<tokio::sync::SemaphorePermit<'_>> {
        match tokio::time::timeout(WAIT_FOR_SLOT, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy.into()),
        }
    }
}

//! Login throttling from the audit log itself: failures per account (e-mail tried) and per
//! client address in a sliding window. Counting in the database makes every replica agree.

use std::time::Duration;

use campaign_persistence::StoreError;
use campaign_persistence::audit::AuditRepo;
use chrono::Utc;
use sha2::{Digest, Sha256};

pub const LOGIN_FAILED: &str = "auth.login_failed";

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    pub per_account: u64,
    pub per_client: u64,
    pub window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_client: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl LoginThrottle {
    /// The key under which failures for this e-mail address are counted (never the address).
    pub fn subject(email: &str) -> String {
        Sha256::digest(format!("login:{email}").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `Some(seconds to wait)` when this account or this client has failed too often lately.
    pub async fn retry_after(
        &self,
        audit: &AuditRepo,
        subject: &str,
        client: Option<&str>,
    ) -> Result<Option<u64>, StoreError> {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::minutes(15));
        let now = Utc::now();
        let since = now - window;
        let mut wait = None;
        let by_account = audit.count_since(LOGIN_FAILED, Some(subject), None, since).await?;
        let by_client = match client {
            Some(client) => Some(audit.count_since(LOGIN_FAILED, None, Some(client), since).await?),
            None => None,
        };
        for (failures, limit) in [(Some(by_account), self.per_account), (by_client, self.per_client)] {
            let Some(failures) = failures else { continue };
            if failures.count >= limit {
                let free_at = failures.oldest.map_or(now + window, |oldest| oldest + window);
                let secs = u64::try_from((free_at - now).num_seconds()).unwrap_or(0).max(1);
                wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
            }
        }
        Ok(wait)
    }
}

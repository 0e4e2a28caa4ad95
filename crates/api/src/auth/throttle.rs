//! Login throttling, as OWASP's authentication cheat sheet suggests: an attempt is counted before
//! its password is checked (so a burst cannot slip under the limit), and failures are counted
//!
//! - per account and client address: 5 in 15 minutes close that account to that address only,
//!   so someone who knows a volunteer's e-mail cannot lock the volunteer's own phone out;
//! - per client address over all accounts: 30 in 15 minutes (one address guessing many accounts);
//! - per account over all addresses: 50 in an hour, a slower bound that one address can never
//!   reach alone (the first rule allows it at most 20 an hour) and that caps guessing spread over
//!   many addresses at 50 passwords an hour.
//!
//! Attempts live in the database (`login_attempt`), so every replica agrees.

use std::time::Duration;

use campaign_persistence::DatabaseConnection;
use campaign_persistence::StoreError;
use campaign_persistence::login_attempts::{AttemptScope, LoginAttemptRepo};
use chrono::Utc;
use sha2::{Digest, Sha256};

pub const LOGIN_FAILED: &str = "auth.login_failed";

/// So many unsuccessful attempts within a window.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub attempts: u64,
    pub window: Duration,
}

impl Bound {
    const fn new(attempts: u64, minutes: u64) -> Self {
        Self {
            attempts,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    pub per_account_and_client: Bound,
    pub per_client: Bound,
    pub per_account: Bound,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            per_account_and_client: Bound::new(5, 15),
            per_client: Bound::new(30, 15),
            per_account: Bound::new(50, 60),
        }
    }
}

/// How long attempts are kept: well beyond the longest window.
const KEEP_ATTEMPTS: chrono::TimeDelta = chrono::TimeDelta::hours(24);

impl LoginThrottle {
    /// The key under which attempts on this e-mail address are counted (never the address).
    pub fn subject(email: &str) -> String {
        Sha256::digest(format!("login:{email}").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `Some(seconds to wait)` when, counting the attempt just recorded, this account from this
    /// client, this client, or this account has more unsuccessful attempts than its bound.
    pub async fn retry_after(
        &self,
        attempts: &LoginAttemptRepo,
        account: &str,
        client: &str,
    ) -> Result<Option<u64>, StoreError> {
        let now = Utc::now();
        let rules = [
            (Some(account), Some(client), self.per_account_and_client),
            (None, Some(client), self.per_client),
            (Some(account), None, self.per_account),
        ];
        let mut wait: Option<u64> = None;
        for (account, client_addr, bound) in rules {
            let window = chrono::Duration::from_std(bound.window).unwrap_or(chrono::Duration::minutes(15));
            let seen = attempts
                .unsuccessful_since(AttemptScope { account, client_addr }, now - window)
                .await?;
            if seen.count > bound.attempts {
                let free_at = seen.oldest.map_or(now + window, |oldest| oldest + window);
                let secs = u64::try_from((free_at - now).num_seconds()).unwrap_or(0).max(1);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
        }
        Ok(wait)
    }
}

/// Every hour, forgets the sign-in attempts older than a day.
pub async fn purge_login_attempts(db: DatabaseConnection) {
    let repo = LoginAttemptRepo::new(db);
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match repo.purge_before(Utc::now() - KEEP_ATTEMPTS).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "old sign-in attempts deleted"),
            Err(e) => tracing::warn!(error = %e, "could not delete old sign-in attempts"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_alone_never_reaches_the_account_bound() {
        let t = LoginThrottle::default();
        let per_pair_in_account_window = t.per_account_and_client.attempts
            * (t.per_account.window.as_secs() / t.per_account_and_client.window.as_secs());
        assert!(per_pair_in_account_window < t.per_account.attempts);
        assert!(t.per_account.window > t.per_account_and_client.window);
    }
}

//! Refresh tokens: 256 bits, shown to the client once, stored only as a SHA-256 hash.
//!
//! A login's first token is random. The token that replaces a token is derived from it with an
//! HMAC under a key of the server (`Successors`), so when the same token comes back within the
//! grace window (two tabs, a retried request), the same new token can be answered again without
//! any token being stored: only the server can compute it, and only from the token itself.

use anyhow::anyhow;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Refresh tokens live 30 days (each use replaces the token).
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;
/// A token presented again this soon after it was traded gets the same new pair.
pub const REFRESH_GRACE_SECS: i64 = 10;
const PREFIX: &str = "rt_";

/// Derives the successor of a refresh token.
#[derive(Clone)]
pub struct Successors {
    mac: Hmac<Sha256>,
}

impl Successors {
    /// The key is derived from the server's secret, apart from the one that signs access tokens.
    pub fn new(server_secret: &[u8]) -> anyhow::Result<Self> {
        let mut derive = Hmac::<Sha256>::new_from_slice(server_secret).map_err(|e| anyhow!("hmac key: {e}"))?;
        derive.update(b"campaign-api refresh-token successors v1");
        let key = derive.finalize().into_bytes();
        let mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| anyhow!("hmac key: {e}"))?;
        Ok(Self { mac })
    }

    /// The token that replaces `presented`, always the same for the same token.
    pub fn of(&self, presented: &str) -> RefreshToken {
        let mut mac = self.mac.clone();
        mac.update(presented.as_bytes());
        let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        let hash = RefreshToken::hash_of(&token);
        RefreshToken { token, hash }
    }
}

pub struct RefreshToken {
    pub token: String,
    pub hash: String,
}

impl RefreshToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let hash = Self::hash_of(&token);
        Self { token, hash }
    }

    /// The stored form of a token the client presents; `None` when it cannot be one of ours.
    pub fn parse(presented: &str) -> Option<String> {
        let body = presented.strip_prefix(PREFIX)?;
        let plausible = body.len() == 43
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self::hash_of(presented))
    }

    fn hash_of(token: &str) -> String {
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a test stops at the first surprise")]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_ours_parse() {
        let (a, b) = (RefreshToken::generate(), RefreshToken::generate());
        assert_ne!(a.token, b.token);
        assert_eq!(RefreshToken::parse(&a.token), Some(a.hash.clone()));
        assert_eq!(a.hash.len(), 64);
        for bad in [
            "",
            "rt_",
            "rt_short",
            "xx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &format!("{}=", a.token),
        ] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn successors_are_the_same_for_the_same_token_and_only_for_it() {
        let successors = Successors::new(b"a server secret of at least thirty-two bytes").unwrap();
        let (a, b) = (RefreshToken::generate(), RefreshToken::generate());
        let next = successors.of(&a.token);
        assert_eq!(next.token, successors.of(&a.token).token);
        assert_ne!(next.token, successors.of(&b.token).token);
        assert_eq!(RefreshToken::parse(&next.token), Some(next.hash.clone()));
        let other_server = Successors::new(b"another server secret, also long enough").unwrap();
        assert_ne!(next.token, other_server.of(&a.token).token);
    }
}

//! Refresh tokens: 256 random bits, shown to the client once, stored only as a SHA-256 hash.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Refresh tokens live 30 days (each use replaces the token).
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;
const PREFIX: &str = "rt_";

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
}

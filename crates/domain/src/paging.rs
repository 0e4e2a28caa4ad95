//! Page sizes of list endpoints: `?limit=` defaults to 50 and is at most 500.

use crate::ValidationError;

/// How many items one page of a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u16);

impl PageLimit {
    pub const DEFAULT: u16 = 50;
    pub const MAX: u16 = 500;

    pub fn parse(raw: Option<i64>) -> Result<Self, ValidationError> {
        match raw {
            None => Ok(Self(Self::DEFAULT)),
            Some(n) if (1..=i64::from(Self::MAX)).contains(&n) => Ok(Self(n as u16)),
            Some(n) => Err(ValidationError::single(
                "limit",
                format!("limit {n} is out of range: ask for 1 to {} items per page", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> u64 {
        u64::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(PageLimit::parse(None).map(PageLimit::get), Ok(50));
        assert_eq!(PageLimit::parse(Some(500)).map(PageLimit::get), Ok(500));
        assert_eq!(PageLimit::parse(Some(1)).map(PageLimit::get), Ok(1));
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(501)).is_err());
        assert!(PageLimit::parse(Some(-3)).is_err());
    }
}
